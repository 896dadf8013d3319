"""What privacy's sensitive-field use cases answer: the fields held, read and logged, and key rotation
(PRV-7, PRV-11, SEC-2). One TypedDict per shape, keys in the order the use cases build them; dates and
times are ISO 8601 strings. See `results` for the rest of the context's shapes."""

from __future__ import annotations

from typing_extensions import TypedDict

# -- sensitive fields --------------------------------------------------------------------------------------


class HealthCondition(TypedDict):
    """A medical condition notifiable to the DVLA."""

    condition: str
    notified_to_dvla: bool


class Conviction(TypedDict):
    """A motoring conviction or endorsement."""

    code: str
    date: str
    points: int


class BankDetails(TypedDict):
    """An account for refunds and direct debits (keys in the sorted order they are stored and read in)."""

    account_name: str
    account_number: str
    sort_code: str


class ErasedValue(TypedDict):
    """What a value reads as once the customer's data key was destroyed: {"erased": true}."""

    erased: bool


class SensitivePerson(TypedDict):
    """One person's decrypted sensitive fields (each None when not held)."""

    person_ref: str
    subject: str
    provided_by: str
    erased: bool
    licence_number: str | ErasedValue | None
    health: list[HealthCondition] | ErasedValue | None
    convictions: list[Conviction] | ErasedValue | None
    bank_details: BankDetails | ErasedValue | None
    updated_at: str
    updated_by: str


class SensitiveRecorded(TypedDict):
    """Which sensitive fields are held for a person after a change (never the values)."""

    customer_id: str
    person_ref: str
    subject: str
    provided_by: str
    fields_present: list[str]
    updated: list[str]
    cleared: list[str]
    updated_at: str
    updated_by: str


class SensitiveReading(TypedDict):
    """Decrypted sensitive fields, and the read logged for them (SEC-2)."""

    customer_id: str
    purpose: str
    read_at: str
    read_by: str
    logged_reads: int
    people: list[SensitivePerson]


class SensitiveHeld(TypedDict):
    """Which sensitive fields are held for one person, without values."""

    person_ref: str
    subject: str
    provided_by: str
    fields_present: list[str]
    erased: bool
    updated_at: str
    updated_by: str


class SensitiveSummary(TypedDict):
    """Which sensitive fields are held for each person of a customer, and who may read them."""

    customer_id: str
    customer_erased_at: str | None
    readable_by: list[str]
    people: list[SensitiveHeld]


class SensitiveReadEntry(TypedDict):
    """One logged read of sensitive fields: who, when, which and why."""

    id: str
    at: str
    user_id: str
    role: str
    customer_id: str
    person_ref: str
    fields: list[str]
    purpose: str


class SensitiveReadsLog(TypedDict):
    """A page of the reads of one customer's sensitive data."""

    customer_id: str
    reads: list[SensitiveReadEntry]


class RewrapFailure(TypedDict):
    """A data key the rotation could not re-wrap, and why."""

    customer_id: str
    master_key_id: str
    reason: str


class KeyRotation(TypedDict):
    """What a master key rotation did (PRV-11)."""

    primary_master_key: str
    new_master_key: str | None
    resumed: bool
    rewrapped: int
    changed_meanwhile: int
    batches: int
    failed: list[RewrapFailure]
    data_keys_by_master_key: dict[str, int]
    retired: list[str]
    old_keys_kept: dict[str, int]
    started_at: str
    finished_at: str

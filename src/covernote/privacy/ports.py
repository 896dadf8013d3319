"""The privacy context's ports: consent, legal holds, fraud markers, disclosures, breaches, sensitive fields and their keys, retention, the keyring and the data inventory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from covernote.kernel.declarations import DeclaredField
from covernote.privacy.domain.consent import ConsentDecision

# table -> count, under "changed" (fields), "deleted" (rows) and "kept" (fields, with a reason)
ErasureCounts = dict[str, dict[str, int]]


class ConsentRepository(Protocol):
    def add(self, decision: ConsentDecision) -> None: ...
    def for_customer(self, customer_id: str) -> list[ConsentDecision]: ...


@dataclass(frozen=True)
class LegalHold:
    """A legal hold (issue 3 part 5): while active, nothing in its scope is erased or swept."""

    hold_id: str
    scope: Literal["customer", "policy", "claim"]
    scope_id: str
    customer_id: str
    reason: str
    set_by: str
    set_at: datetime
    review_on: date
    released_at: datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class FraudMarker:
    """A suspected or proven fraud recorded against a person (S1 section 10): keeps fraud-prevention
    data from erasure while it stands."""

    marker_id: str
    customer_id: str
    policy_id: str | None
    reason: str
    source: str
    reference: str | None
    recorded_at: datetime
    recorded_by: str
    removed_at: datetime | None = None
    removed_by: str | None = None
    removal_reason: str | None = None


@dataclass(frozen=True)
class Disclosure:
    """One transfer of a person's data to a third party (PRV-6). `withheld_from_subject`: left out of
    everything the person is shown (DPA 2018 Sch. 2 para 2: telling them would prejudice the prevention
    or detection of crime), with `withheld_reason`."""

    disclosure_id: str
    customer_id: str
    policy_id: str | None
    recipient: str
    recipient_kind: str
    purpose: str
    basis: str
    categories: tuple[str, ...]
    disclosed_at: datetime
    reference: str | None
    via: str
    recorded_by: str
    withheld_from_subject: bool = False
    withheld_reason: str | None = None


class LegalHoldRepository(Protocol):
    def add(self, hold: LegalHold) -> None: ...
    def get(self, hold_id: str) -> LegalHold | None: ...
    def release(self, hold_id: str, at: datetime, by: str, reason: str) -> None:
        """Release an active hold; raises Conflict when it is already released."""
        ...
    def for_customer(self, customer_id: str, active_only: bool = True) -> list[LegalHold]: ...
    def held_customer_ids(self, customer_ids: Sequence[str]) -> set[str]:
        """Which of these customers have any active hold (of any scope): batch jobs skip them."""
        ...
    def page(self, active_only: bool, limit: int, offset: int, review_due_on: date | None = None,
             customer_id: str | None = None) -> list[LegalHold]:
        """Holds ordered by review date; `review_due_on`: only active holds to review on or before it."""
        ...
    def claim_owners(self, reference: str) -> list[tuple[str, str]]:
        """(policy id, customer id) of every policy on which a claim or incident with this reference is
        recorded (a claim is an incident transaction today; its reference is the hold's scope id)."""
        ...


class FraudMarkerRepository(Protocol):
    def add(self, marker: FraudMarker) -> None: ...
    def add_many(self, markers: Sequence[FraudMarker]) -> None:
        """Insert the markers in one statement (none: nothing is run)."""
        ...
    def get(self, marker_id: str) -> FraudMarker | None: ...
    def remove(self, marker_id: str, at: datetime, by: str, reason: str | None = None) -> None:
        """Remove an active marker, keeping why; raises Conflict when it is already removed."""
        ...
    def for_customer(self, customer_id: str, active_only: bool = True) -> list[FraudMarker]: ...
    def marked_customer_ids(self, customer_ids: Sequence[str]) -> set[str]: ...


class DisclosureRepository(Protocol):
    def add(self, disclosure: Disclosure) -> None: ...
    def add_many(self, disclosures: Sequence[Disclosure]) -> None:
        """Insert the disclosures in one statement (none: nothing is run)."""
        ...
    def for_customer(self, customer_id: str, include_withheld: bool = False) -> list[Disclosure]:
        """The person's disclosures, oldest first. Those withheld from the person are left out unless
        `include_withheld` (staff views only): the safe default for anything the person is shown."""
        ...
    def get(self, disclosure_id: str) -> Disclosure | None: ...
    def set_withheld(self, disclosure_id: str, withheld: bool, reason: str | None) -> None:
        """Withhold one disclosure from the person, with the reason, or show it again (reason None)."""
        ...


@dataclass(frozen=True)
class Breach:
    """A personal data breach (PRV-8). `scope` says how the people affected were found from the data map;
    `risk` is unassessed, unlikely, risk or high."""

    breach_id: str
    title: str
    description: str
    occurred_at: datetime | None
    aware_at: datetime
    categories: tuple[str, ...]
    scope: dict[str, Any]
    recorded_at: datetime
    recorded_by: str
    risk: str = "unassessed"
    risk_reason: str | None = None
    assessed_at: datetime | None = None
    assessed_by: str | None = None
    ico_reported_at: datetime | None = None
    ico_reference: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    closure_note: str | None = None


@dataclass(frozen=True)
class BreachAffected:
    """One person affected by a breach, the data-map fields that hold their data, and whether they were told."""

    breach_id: str
    customer_id: str
    found_via: tuple[str, ...]
    notified_at: datetime | None = None
    notified_channel: str | None = None


class BreachRepository(Protocol):
    def add(self, breach: Breach) -> None: ...
    def get(self, breach_id: str) -> Breach | None: ...
    def page(self, limit: int, offset: int, closed: bool | None = None) -> list[Breach]:
        """Most recently discovered first; `closed`: only closed (True) or open (False) breaches."""
        ...
    def close(self, breach_id: str, at: datetime, by: str, note: str) -> None:
        """Close an open breach; raises Conflict when it is already closed."""
        ...
    def assess(self, breach_id: str, risk: str, reason: str | None, at: datetime, by: str) -> None:
        """Record the risk decision; raises Conflict when the breach was reported to the ICO and the new
        decision is 'unlikely'."""
        ...
    def report_to_ico(self, breach_id: str, at: datetime, reference: str) -> None:
        """Raises Conflict when it was already reported or the decision does not call for a report."""
        ...
    def find_affected(self, locations: Sequence[str], *, product_codes: Sequence[str] = (),
                      customer_ids: Sequence[str] = (), created_from: datetime | None = None,
                      created_to: datetime | None = None) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
        """The customers with a non-empty value in any of these data-map locations (`table.column` or
        `table.column:path`), narrowed as asked: ({customer id: locations}, [{field, reason}] for the
        locations that cannot be tied to a customer)."""
        ...
    def add_affected(self, breach_id: str, found: dict[str, list[str]]) -> None: ...
    def affected(self, breach_id: str, limit: int, offset: int) -> list[BreachAffected]: ...
    def affected_status(self, breach_id: str, customer_ids: Sequence[str]) -> dict[str, datetime | None]:
        """Which of these customers are affected by the breach, and when each was told (None: not yet)."""
        ...
    def counts(self, breach_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """breach id -> (people affected, people told)."""
        ...
    def notify(self, breach_id: str, customer_ids: Sequence[str] | None, at: datetime, channel: str) -> int:
        """Record that these affected people (None: all) were told; those already told keep their first
        notification. Returns how many were newly recorded."""
        ...


@dataclass(frozen=True)
class SubjectKey:
    """A customer's data key, wrapped by a master key of the keyring (PRV-11). Deleting it erases."""

    customer_id: str
    master_key_id: str
    wrapped_key: str
    created_at: datetime
    rotated_at: datetime | None = None


@dataclass(frozen=True)
class SensitiveRecord:
    """One person's encrypted sensitive fields (PRV-7, PRV-11): each value is a ciphertext or None."""

    record_id: str
    customer_id: str
    person_ref: str  # "policyholder" or a named driver's label
    subject: str  # "customer" or "named_driver"
    values: dict[str, str | None]  # field name -> ciphertext
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class SensitiveRead:
    """One logged read of decrypted sensitive fields (SEC-2)."""

    read_id: str
    at: datetime
    user_id: str
    role: str
    customer_id: str
    person_ref: str
    fields: tuple[str, ...]
    purpose: str


class SensitiveRepository(Protocol):
    def customer_erased_at(self, customer_id: str) -> tuple[bool, datetime | None]:
        """(the customer exists, when their data was erased or None)."""
        ...
    def get_key(self, customer_id: str) -> SubjectKey | None: ...
    def get_keys(self, customer_ids: Sequence[str]) -> dict[str, SubjectKey]:
        """The data keys of many customers at once; a customer with none is absent."""
        ...
    def add_key(self, key: SubjectKey) -> None: ...
    def rewrap_key(self, customer_id: str, old_master_key_id: str, master_key_id: str, wrapped_key: str,
                   at: datetime) -> bool:
        """Replace the wrap if it is still under `old_master_key_id`; False if it changed meanwhile."""
        ...
    def delete_key(self, customer_id: str) -> bool: ...
    def keys_not_under(self, master_key_id: str, after_customer_id: str | None, limit: int) -> list[SubjectKey]:
        """Keys wrapped by another master key, ordered by customer id, after the given one (batches)."""
        ...
    def key_counts(self) -> dict[str, int]:
        """master key id -> how many data keys it wraps."""
        ...
    def records(self, customer_id: str, person_ref: str | None = None) -> list[SensitiveRecord]: ...
    def count_records(self, customer_id: str) -> int: ...
    def add_record(self, record: SensitiveRecord) -> None: ...
    def update_record(self, record_id: str, values: dict[str, str | None], at: datetime, by: str) -> None:
        """Set only the given fields (the others stay as they are)."""
        ...
    def add_reads(self, reads: Sequence[SensitiveRead]) -> None: ...
    def reads_for(self, customer_id: str, limit: int = 1000, offset: int = 0) -> list[SensitiveRead]: ...


@dataclass(frozen=True)
class RetentionSetting:
    """The period one dealership chose for a product whose retention S0 leaves to each dealership."""

    dealership_id: str
    category: str
    years: int
    set_at: datetime
    set_by: str


@dataclass(frozen=True)
class RetentionRun:
    """One run of the retention sweep; `report` holds counts only, never a personal value."""

    run_id: str
    as_of: date
    started_at: datetime
    started_by: str
    status: Literal["running", "finished"]
    report: dict[str, Any]
    finished_at: datetime | None = None


@dataclass(frozen=True)
class RetentionAction:
    """One thing the sweep did to one record; unique on (record_kind, record_id, action)."""

    action_id: str
    run_id: str
    rule: str
    record_kind: Literal["quote", "policy", "policy_billing", "customer", "complaint"]
    record_id: str
    action: Literal["delete", "anonymise"]
    due_on: date
    done_at: datetime


@dataclass(frozen=True)
class QuoteFacts:
    """What the sweep needs to know about a quote never taken up."""

    quote_id: str
    customer_id: str
    product_ref: str
    created_at: datetime


@dataclass(frozen=True)
class PolicyFacts:
    """What the sweep needs to know about a policy that may have ended: its latest term (product
    version, start, end), a cancellation or voidance of that term, and what the sweep already did."""

    policy_id: str
    customer_id: str
    product_code: str
    product_ref: str
    term_start: date
    term_end: date
    cancelled_from: date | None
    voided_at: datetime | None
    policy_done: bool
    billing_done: bool


class RetentionRepository(Protocol):
    def settings(self) -> list[RetentionSetting]: ...
    def put_setting(self, setting: RetentionSetting) -> None:
        """Insert or replace the dealership's setting for the category."""
        ...
    def add_run(self, run: RetentionRun) -> None: ...
    def finish_run(self, run_id: str, finished_at: datetime, report: dict[str, Any]) -> None: ...
    def get_run(self, run_id: str) -> RetentionRun | None: ...
    def runs(self, limit: int, offset: int) -> list[RetentionRun]: ...
    def open_quotes(self, created_before: datetime, after_id: str | None, limit: int) -> list[QuoteFacts]:
        """Quotes never bound, created before `created_before`, ordered by id after `after_id`."""
        ...
    def last_contact(self, customer_ids: Sequence[str]) -> dict[str, datetime]:
        """Each customer's last contact: the latest of the times they were created, quoted, gave a consent
        decision, made a data-protection request, or had a policy transaction or pending quote."""
        ...
    def ended_policies(self, product_code: str, ended_by: date, billing: bool) -> list[str]:
        """The ids, in order, of the policies of `product_code` that may have ended on or before
        `ended_by` and still have something for the sweep to do (the policy, or with `billing` its
        billing data, not yet anonymised). A superset: the caller decides what is due."""
        ...
    def ended_policy_facts(self, policy_ids: Sequence[str], product_code: str, ended_by: date,
                           billing: bool) -> list[PolicyFacts]:
        """The facts the rules need about those of `policy_ids` that still pass the same test, in id order."""
        ...
    def settled_customers(self, created_before: datetime, billing_codes: Sequence[str]) -> list[str]:
        """Customers not yet erased, created before `created_before`, with no quote still open and no
        policy the sweep has not finished with (for `billing_codes`, including its billing data), in id
        order."""
        ...
    def still_settled(self, customer_ids: Sequence[str], created_before: datetime,
                      billing_codes: Sequence[str]) -> list[str]:
        """Those of `customer_ids` that are settled now, by the same test."""
        ...
    def delete_quotes(self, quote_ids: Sequence[str]) -> int: ...
    def delete_stored_responses(self, stored_before: datetime, limit: int) -> int:
        """Delete up to `limit` stored idempotent answers stored before `stored_before`, oldest first."""
        ...
    def anonymise_policies(self, policy_ids: Sequence[str], billing_kept: Mapping[str, str],
                           hasher: Callable[[str], str], before_writes: Callable[[], None] = ...,
                           ) -> ErasureCounts:
        """Apply the declared erasure strategies to the policies, their transactions, pending quotes and
        the quotes they were bound from; billing fields of the policies in `billing_kept` stay (with
        that reason). Amounts, products and dates are not personal and stay. Everything is read first;
        `before_writes` is called before the first write (by default nothing waits)."""
        ...
    def anonymise_customers(self, customer_ids: Sequence[str], hasher: Callable[[str], str],
                            at: datetime, before_writes: Callable[[], None] = ...) -> ErasureCounts:
        """Erase the customers' rows, logins, consent decisions and other personal rows by their declared
        strategies, drop their data keys, and mark them erased at `at`. Everything is read first;
        `before_writes` is called before the first write (by default nothing waits)."""
        ...
    def record_actions(self, actions: Sequence[RetentionAction]) -> None: ...


class Keyring(Protocol):
    """Master keys, kept outside the database, that wrap each person's data key (PRV-11), and the secret
    for keyed hashes (erasure). A key can rotate: new wraps use the primary key, old wraps still open
    until they are re-wrapped."""

    def primary_key_id(self) -> str: ...
    def key_ids(self) -> list[str]: ...
    def new_data_key(self) -> bytes: ...
    def wrap(self, data_key: bytes) -> tuple[str, str]:
        """(master key id, wrapped key) under the primary master key."""
        ...
    def unwrap(self, master_key_id: str, wrapped: str) -> bytes:
        """Raises KeyError when that master key is no longer in the keyring."""
        ...
    def encrypt(self, data_key: bytes, plaintext: str) -> str: ...
    def decrypt(self, data_key: bytes, token: str) -> str: ...
    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA256 of `value` under the keyring's hash secret, hex: the same value always gives the
        same hash (so erased records can still be matched), and it cannot be reversed without the secret."""
        ...
    def rotate(self) -> str:
        """Add a new primary master key and return its id; older keys stay to unwrap until re-wrapped."""
        ...
    def retire(self, key_id: str) -> None:
        """Remove a master key that no wrapped data key uses any more (never the primary)."""
        ...


class DataInventory(Protocol):
    """Every stored field with its privacy declaration, read from where the fields are defined."""

    def fields(self) -> list[DeclaredField]: ...
    def undeclared(self) -> list[str]: ...

"""What privacy's use cases answer about data subject requests, erasure, the access package, consent and
the data map: one TypedDict per shape, so mypy checks the dicts the use cases build and FastAPI
describes every answer in the OpenAPI document.

TypedDicts are plain dicts at run time: callers index them as before, and nothing on the wire changes.
The keys are declared in the order the use cases build them (the response model writes them in that
order). Dates and times are ISO 8601 strings, as the use cases write them. `dict[str, Any]` is kept only
for free-form JSON stored as the person or the case gave it (said so at each). The registers' shapes
are in `results_registers`, the sensitive fields' in `results_sensitive`, the retention sweep's and the
record of processing's in `results_retention`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - Pydantic needs both from here on 3.11

# -- data subject requests ---------------------------------------------------------------------------------


class RequestIdentity(TypedDict):
    """Whether and how the person's identity was checked (never the evidence itself)."""

    verified: bool
    verified_at: str | None
    method: str | None


class RequestPause(TypedDict):
    """A time the clock stood still awaiting the person; `end` None while it still does."""

    start: str
    end: str | None
    reason: str


class RequestExtension(TypedDict):
    """The two-month extension: when the person was told, and why."""

    notified_on: str
    reason: str | None


class RequestTiming(TypedDict):
    """The case's clock: due dates, days paused and left, and whether it is (or was answered) late."""

    received_on: str
    due_on: str
    extended_due_on: str | None
    effective_due_on: str
    days_paused: int
    days_left: int | None
    overdue: bool


class RequestEvent(TypedDict):
    """One step in a case's history."""

    at: str
    actor: str
    kind: str
    note: str


class RequestView(TypedDict):
    """A data subject request (PRV-3) as staff and the person see it; `events` only when one case is read."""

    id: str
    customer_id: str
    kind: str
    status: str
    channel: str
    nation: str
    details: dict[str, Any]  # free-form: what the person asked for (corrections, ground, to...), as stored
    identity: RequestIdentity
    pauses: list[RequestPause]
    extension: RequestExtension | None
    timing: RequestTiming
    outcome: dict[str, Any] | None  # free-form: each kind records its own outcome, stored with the case
    created_at: str
    created_by: str
    completed_at: str | None
    version: int
    events: NotRequired[list[RequestEvent]]


class RequestList(TypedDict):
    """A page of the request work queue."""

    requests: list[RequestView]
    today: str


class ProcessingFlags(TypedDict):
    """The restriction and objections in force for a customer."""

    customer_id: str
    in_force: list[str]


class RecipientToTell(TypedDict):
    """A recipient of the person's data, who must be told of a rectification or erasure (UK GDPR art. 19);
    `withheld` (how many of its disclosures are withheld from the person) only in staff views."""

    recipient: str
    recipient_kind: str
    last_disclosed_at: str
    disclosures: int
    categories: list[str]
    purposes: list[str]
    withheld: NotRequired[int]


# -- erasure -----------------------------------------------------------------------------------------------


class ErasedField(TypedDict):
    """Values of one field erased by one strategy."""

    table: str
    field: str
    strategy: str
    values: int


class KeptField(TypedDict):
    """Values of one field kept, and why."""

    table: str
    field: str
    reason: str
    values: int


class ErasureCounts(TypedDict):
    """What an erasure run erases and keeps, field by field, and the rows it deletes: what the plan's
    fingerprint is made from."""

    erased: list[ErasedField]
    kept: list[KeptField]
    rows_deleted: list[str]


class KeysErased(TypedDict):
    """Crypto-shredding: the data key deleted and the sensitive rows no longer readable."""

    subject_keys_deleted: int
    sensitive_rows_unreadable: int


class ErasureEffects(TypedDict, total=False):
    """What an erasure run does besides the fields, present only when it happens: the person's data key
    dropped (nothing sensitive is kept), their logins closed."""

    keys_dropped: KeysErased
    logins_closed: int


class ErasureSummary(TypedDict):
    """An erasure run: what is erased and kept, its other effects, the warnings about live cover, who must
    be told, and the fingerprint the erasure must match."""

    erased: list[ErasedField]
    kept: list[KeptField]
    rows_deleted: list[str]
    keys_dropped: NotRequired[KeysErased]
    logins_closed: NotRequired[int]
    warnings: list[str]
    recipients_to_tell: list[RecipientToTell]
    fingerprint: str


class ErasurePlan(TypedDict):
    """The dry run shown to the person (`dry_run` true)."""

    request_id: str
    dry_run: bool
    erased: list[ErasedField]
    kept: list[KeptField]
    rows_deleted: list[str]
    keys_dropped: NotRequired[KeysErased]
    logins_closed: NotRequired[int]
    warnings: list[str]
    recipients_to_tell: list[RecipientToTell]
    fingerprint: str


class ErasureDone(ErasurePlan):
    """The erasure applied (`dry_run` false), with the case it closed."""

    request: RequestView


# -- the access package ------------------------------------------------------------------------------------


class PackageSubject(TypedDict):
    """Whom the package is about."""

    customer_id: str


class PurposeUse(TypedDict):
    """One purpose a field is used for, and its lawful basis."""

    purpose: str
    why: str
    lawful_basis: str


class DataUse(TypedDict):
    """What the data map says of a field: its category, whom it is about, who provided it, its purposes."""

    category: str
    about: str
    provided_by: str
    purposes: list[PurposeUse]


class FieldUse(TypedDict):
    """How one field held about the person is used."""

    field: str
    category: str
    about: str
    provided_by: str
    purposes: list[PurposeUse]


class PackageRecipient(TypedDict):
    """One disclosure of the person's data, as the person is shown it."""

    recipient: str
    kind: str
    purpose: str
    lawful_basis: str
    categories: list[str]
    disclosed_at: str
    reference: str | None


class ProductRetention(TypedDict):
    """How long one product version's records are kept."""

    product: str
    version: str
    rules: list[str]


class NotIncluded(TypedDict):
    """A register left out of the package, and why."""

    register: str
    why: str


class StatedRightView(TypedDict):
    """One right, in its notice's words."""

    right: str
    text: str


class RegulatorView(TypedDict):
    """The supervisory authority and how to reach it, as the notice gives it."""

    name: str
    website: str | None
    phones: list[str]
    address: str | None


class NoticeRights(TypedDict):
    """One privacy notice's rights, word for word, whom to contact and the regulator (PRV-3), with the
    person's products it covers."""

    notice: str
    products: list[str]
    rights: list[StatedRightView]
    contact: str
    regulator: RegulatorView


# Stored rows as they are, table by table (every column of the person's records, and the decrypted
# sensitive fields): free-form by nature, so `Mapping[str, Any]` per row.
PackageRecords = dict[str, Sequence[Mapping[str, Any]]]


class AccessPackage(TypedDict):
    """Every record about the person and how it is used (PRV-3)."""

    subject: PackageSubject
    generated_at: str
    records: PackageRecords
    how_your_data_is_used: list[FieldUse]
    sources: list[str]
    recipients: list[PackageRecipient]
    retention: list[ProductRetention]
    not_included: list[NotIncluded]
    your_rights: list[NoticeRights]


class AccessPackageAnswer(TypedDict):
    """The package for an access request, after the case it answered."""

    request: RequestView
    subject: PackageSubject
    generated_at: str
    records: PackageRecords
    how_your_data_is_used: list[FieldUse]
    sources: list[str]
    recipients: list[PackageRecipient]
    retention: list[ProductRetention]
    not_included: list[NotIncluded]
    your_rights: list[NoticeRights]


# -- consent (served by the policy context's routes) ----------------------------------------------------


class ConsentDecisionView(TypedDict):
    """One recorded grant or withdrawal of consent (PRV-2)."""

    id: str
    channel: str
    purpose: str
    granted: bool
    wording: str
    source: str
    recorded_at: str
    recorded_by: str


class ConsentState(TypedDict):
    """The decision in force for one channel and purpose (`decision` None: none recorded, not granted)."""

    channel: str
    purpose: str
    granted: bool
    decision: ConsentDecisionView | None


class Consents(TypedDict):
    """A customer's consent for every channel and purpose, and the history."""

    customer_id: str
    current: list[ConsentState]
    history: list[ConsentDecisionView]


# -- the data map (served by the policy context's routes and the CLI) --------------------------------------


class DataMapPurpose(TypedDict):
    """A purpose of processing and its lawful basis."""

    description: str
    lawful_basis: str


class DataMapEntry(TypedDict):
    """The fields of one data subject and category, and what they are used for."""

    fields: int
    purposes: list[str]
    lawful_bases: list[str]
    provided_by: list[str]


class DataMapCounts(TypedDict):
    """How many fields are stored, and how many of them are personal."""

    fields: int
    personal: int


class DataMap(TypedDict):
    """The data map (PRV-1)."""

    generated_at: str
    purposes: dict[str, DataMapPurpose]
    summary: dict[str, dict[str, DataMapEntry]]  # data subject -> category -> entry
    # The kernel's `DeclaredField.as_dict()`: one of two shapes (a personal field, or one that is not, with
    # the reason), built outside this context.
    fields: list[dict[str, Any]]
    counts: DataMapCounts

"""What the claims use cases answer (issue 11 part 4): a claim in a list, the whole claim, its injury details
and a recorded letter, as the REST routes and `covernote claims ... --json` give them.

Each is a TypedDict (a plain dict at run time) whose keys are declared in the order the use cases build
them, which is the order they go out in JSON. Keys only staff see are `NotRequired`."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from covernote.clocks.results import DeadlineView


class ClaimSummary(TypedDict):
    """A claim as a list shows it: what, when, where it stands and the money. Staff also see the outstanding
    reserve (the insurer's estimate); customers do not."""

    id: str
    status: str
    policy_id: str
    policy_number: str
    customer_id: str
    claim_type: str
    total_loss: bool
    occurred_at: str
    occurred_on: str
    notified_at: str
    paid: str
    settlement_amount: str | None
    version: int
    reserve: NotRequired[str]  # staff only


class ClaimPolicyholder(TypedDict):
    """The policyholder as notified on the claim."""

    name: str
    address: str
    postcode: str


class InjuryDetailsHeld(TypedDict):
    """That a claim holds injury details (health data, PRV-7), and where to read them; never their value."""

    held: bool
    encrypted: bool
    read_with: str


class ClaimPartyView(TypedDict):
    """Another person in the claim: a third party (with their vehicle and insurer), a witness or an injured
    person."""

    id: str
    role: str
    name: str | None
    address: str | None
    phone: str | None
    vehicle_registration: str | None
    insurer: str | None
    policy_number: str | None


class ClaimDocumentView(TypedDict):
    """A document on the claim's checklist, and whether it came in."""

    name: str
    requested_at: str
    requested_by: str
    received: bool
    received_at: str | None


class CorrespondenceTime(TypedDict, total=False):
    """When a letter, e-mail or call happened: `received_at` for one that came in, `sent_at` for one sent."""

    received_at: str
    sent_at: str


class CorrespondenceView(TypedDict):
    """A letter, e-mail or call about the claim, in (with `received_at`) or out (with `sent_at`); an outbound
    one lists the inbound items it answers."""

    id: str
    direction: str
    channel: str
    summary: str
    received_at: NotRequired[str]  # inbound only
    sent_at: NotRequired[str]  # outbound only
    answers: list[str]
    needs_reply: bool
    recorded_at: str
    recorded_by: str


class RecordedCorrespondence(CorrespondenceView):
    """A letter, e-mail or call just recorded, with the reply clocks it started or met."""

    claim_id: str
    clocks: list[DeadlineView]


class ClaimPaymentView(TypedDict):
    """A payment on the claim. Customers see only its amount and when it was paid."""

    id: NotRequired[str]  # staff only
    amount: str
    payee: NotRequired[str]  # staff only
    reference: NotRequired[str | None]  # staff only
    paid_at: str
    recorded_by: NotRequired[str]  # staff only
    journal_entry_id: NotRequired[str]  # staff only


class ClaimEventView(TypedDict):
    """A step in the claim's history. Staff see every event's amount, ledger entry and note; customers see
    the amount of a payment only."""

    at: str
    kind: str
    by: str
    role: str
    from_status: str | None
    to_status: str | None
    amount: NotRequired[str | None]  # staff, or a payment's
    journal_entry_id: NotRequired[str | None]  # staff only
    note: NotRequired[str]  # staff only


class ClaimView(ClaimSummary):
    """The whole claim: every FNOL field, the other people, status and history, documents, correspondence,
    money and clocks."""

    claim_type_label: str
    affects_ncd: bool
    term_no: int
    incident_transaction_id: str
    policyholder: ClaimPolicyholder
    loss_description: str
    circumstances: str
    location: str | None
    anyone_injured: bool
    injury_details: InjuryDetailsHeld | None
    crime_reference: str | None
    police_incident_number: str | None
    parties: list[ClaimPartyView]
    nation: str
    notified_by: str
    settlement_agreed_at: str | None
    settled_at: str | None
    closed_at: str | None
    close_reason: str | None
    next_statuses: list[str]
    documents: list[ClaimDocumentView]
    correspondence: list[CorrespondenceView]
    payments: list[ClaimPaymentView]
    events: list[ClaimEventView]
    clocks: list[DeadlineView]


class NotifiedClaim(ClaimView):
    """The claim just notified; `idempotent_replay` when the request carried an Idempotency-Key (true when
    this is the first answer given again)."""

    idempotent_replay: NotRequired[bool]


class PaidClaim(ClaimView):
    """The claim after a payment, which always carries an Idempotency-Key: `idempotent_replay` is true when
    this is the first answer given again."""

    idempotent_replay: bool


class InjuryDetailsErased(TypedDict):
    """What a sealed value reads as once the customer's data key was destroyed by an erasure."""

    erased: bool


class InjuryDetails(TypedDict):
    """A claim's injury details, decrypted for the policyholder or a claims handler; `logged` says the read
    was logged (PRV-11)."""

    claim_id: str
    anyone_injured: bool
    injury_details: str | InjuryDetailsErased | None
    read_by: str
    purpose: str
    logged: bool

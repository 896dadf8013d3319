"""Claims: first notification of loss (CLM-1, CLM-3), handling statuses, correspondence, documents,
reserves and payments (CLM-2, CLM-4). Pure: every rule about a claim is here; claims/usecases.py runs them.

First notification of loss (FNOL) records every detail S1 asks the caller to have to hand: the
policyholder's name and address (a snapshot of the customer record), the policy number, what was lost or
damaged, when (date and time) and how it happened, whether anyone was injured (with details), a crime
reference number for theft, malicious damage and vandalism (required), the other people involved (name,
address, phone), the other vehicles (registration, insurer, policy number) and witnesses. A theft claim
also needs the police incident number (S3, CLM-3). Other people are data subjects of their own
(`Party`, stored apart from the claim).

A claim moves notified -> under_assessment -> settlement_agreed -> settled, or to closed (withdrawn,
declined, or closed with no payment) from any open status; `TRANSITIONS` lists what may follow what.

Money: a reserve (the insurer's estimate of what the claim will cost) and payments are ledger postings
on four accounts; each entry balances and the claim's accounts always equal its recorded reserve and
payments (`expected_accounts`), which the reconciliation checks.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from covernote.kernel.clock import LONDON, london_date
from covernote.kernel.errors import Conflict, FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.events import Event
from covernote.kernel.journal import JournalEntry, Posting
from covernote.kernel.money import Money
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.claims import NOT_AFFECTING_NCD
from covernote.policy.domain.model import Policy
from covernote.policy.domain.term import TermState
from covernote.products.domain.claim_types import CLAIM_TYPES

# -- claim types (CLM-1, CLM-3) ------------------------------------------------------------------------

# S1: "a crime reference number, if you're claiming for theft, malicious damage or vandalism".
CRIME_REFERENCE_TYPES: frozenset[str] = frozenset({"theft", "malicious_damage", "vandalism"})
# S3: "you must report the theft of your vehicle to the police and obtain a police incident number".
POLICE_INCIDENT_TYPES: frozenset[str] = frozenset({"theft"})
# A glass-only claim or assistance under an extra cannot be a total loss of the car.
NO_TOTAL_LOSS_TYPES: frozenset[str] = frozenset(NOT_AFFECTING_NCD) | {"glass_roof_panel"}

# -- limits on what is recorded -------------------------------------------------------------------------

LONG_TEXT = 4000
NAME_LENGTH = 200
ADDRESS_LENGTH = 500
REFERENCE_LENGTH = 60
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,40}$")
_REGISTRATION = re.compile(r"^[A-Z0-9 -]{1,12}$")


class PartyRole(enum.StrEnum):
    """Who another person in a claim is. Each is a data subject of their own."""

    THIRD_PARTY = "third_party"  # another driver (or owner) involved, with their vehicle
    WITNESS = "witness"
    INJURED = "injured"  # an injured person other than the policyholder (a passenger, a pedestrian)


@dataclass(frozen=True)
class Party:
    """Another person in a claim (S1: "details of any other people involved: the driver's name, address
    and telephone number"; "details of any other car involved: the registration number, insurer's name
    and policy number"), a witness or an injured person."""

    role: str
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    vehicle_registration: str | None = None
    insurer: str | None = None
    policy_number: str | None = None
    party_id: str = ""


@dataclass(frozen=True)
class Notification:
    """What the caller tells us at first notification of loss (CLM-1)."""

    claim_type: str
    occurred_at: datetime | None  # when it happened; a naive value is UK local time
    loss_description: str | None  # what was lost or damaged
    circumstances: str | None  # how it happened
    anyone_injured: bool | None
    injury_details: str | None = None
    crime_reference: str | None = None
    police_incident_number: str | None = None
    location: str | None = None
    total_loss: bool = False
    parties: tuple[Party, ...] = ()


def _text(issues: IssueCollector, name: str, value: str | None, limit: int, required: bool) -> str | None:
    if value is not None and not isinstance(value, str):
        issues.add(name, "must be text")
        return None
    return issues.text(name, value, limit, required)


def _phone(issues: IssueCollector, name: str, value: str | None) -> str | None:
    text = _text(issues, name, value, 40, False)
    if text is not None and (not _PHONE.match(text) or sum(ch.isdigit() for ch in text) < 6):
        issues.add(name, "a telephone number: digits, spaces, +, - and brackets, at least 6 digits")
    return text


def _registration(issues: IssueCollector, name: str, value: str | None) -> str | None:
    text = _text(issues, name, value, 12, False)
    if text is None:
        return None
    text = " ".join(text.upper().split())
    if not _REGISTRATION.match(text):
        issues.add(name, "a registration mark: letters, digits and spaces, at most 12 characters")
    return text


def uk_time(moment: datetime) -> datetime:
    """An aware instant; a naive value is read as UK local time (Europe/London)."""
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None or moment.utcoffset() is None else moment


def check_party(issues: IssueCollector, where: str, p: Party) -> Party:
    """One other person, normalised; problems are named `{where}.{field}`."""
    try:
        role = PartyRole(p.role)
    except ValueError:
        issues.add(f"{where}.role", f"must be one of {', '.join(r.value for r in PartyRole)}; got {p.role!r}")
        role = None
    name = _text(issues, f"{where}.name", p.name, NAME_LENGTH, False)
    address = _text(issues, f"{where}.address", p.address, ADDRESS_LENGTH, False)
    phone = _phone(issues, f"{where}.phone", p.phone)
    registration = _registration(issues, f"{where}.vehicle_registration", p.vehicle_registration)
    insurer = _text(issues, f"{where}.insurer", p.insurer, NAME_LENGTH, False)
    policy_number = _text(issues, f"{where}.policy_number", p.policy_number, REFERENCE_LENGTH, False)
    if role is PartyRole.THIRD_PARTY:
        if name is None and registration is None:
            issues.add(f"{where}.name", "give the other driver's name, or at least their vehicle's registration")
    elif role is not None:
        if name is None:
            issues.add(f"{where}.name", f"is required for a {role.value.replace('_', ' ')}")
        for label, value in (("vehicle_registration", registration), ("insurer", insurer),
                             ("policy_number", policy_number)):
            if value is not None:
                issues.add(f"{where}.{label}", "only another driver (role third_party) has a vehicle recorded")
    return Party(role.value if role else p.role, name, address, phone, registration, insurer, policy_number,
                 p.party_id)


def check_notification(n: Notification, now: datetime) -> Notification:
    """The notification, normalised, or ValidationFailed naming every field that is wrong (CLM-1, CLM-3)."""
    issues = IssueCollector()
    if n.claim_type not in CLAIM_TYPES:
        issues.add("claim_type", f"must be one of {', '.join(CLAIM_TYPES)}; got {n.claim_type!r}")
    occurred_at = None
    if n.occurred_at is None:
        issues.add("occurred_at", "is required: the date and time of the loss")
    else:
        occurred_at = uk_time(n.occurred_at)
        if occurred_at > now:
            issues.add("occurred_at", "cannot be in the future")
    loss = _text(issues, "loss_description", n.loss_description, LONG_TEXT, True)
    how = _text(issues, "circumstances", n.circumstances, LONG_TEXT, True)
    location = _text(issues, "location", n.location, ADDRESS_LENGTH, False)
    details = _text(issues, "injury_details", n.injury_details, LONG_TEXT, False)
    parties = tuple(check_party(issues, f"parties[{i}]", p) for i, p in enumerate(n.parties))
    if len(parties) > 50:
        issues.add("parties", "at most 50 other people on one notification")
    if n.anyone_injured is None:
        issues.add("anyone_injured", "is required: say whether anyone was injured (true or false)")
    elif n.anyone_injured and details is None:
        issues.add("injury_details", "is required when someone was injured: who, and how")
    elif not n.anyone_injured:
        if details is not None:
            issues.add("injury_details", "leave out when nobody was injured")
        if any(p.role == PartyRole.INJURED.value for p in parties):
            issues.add("anyone_injured", "must be true when an injured person is listed")
    crime = _text(issues, "crime_reference", n.crime_reference, REFERENCE_LENGTH, False)
    police = _text(issues, "police_incident_number", n.police_incident_number, REFERENCE_LENGTH, False)
    label = CLAIM_TYPES.get(n.claim_type, n.claim_type)
    if n.claim_type in CRIME_REFERENCE_TYPES and crime is None:
        issues.add("crime_reference", f"is required for a {label} claim: theft, malicious damage and vandalism "
                                      "claims need the crime reference number the police gave (CLM-1)")
    if n.claim_type in POLICE_INCIDENT_TYPES and police is None:
        issues.add("police_incident_number", "is required for a theft claim: report the theft to the police and "
                                             "give the police incident number (CLM-3)")
    if n.total_loss and n.claim_type in NO_TOTAL_LOSS_TYPES:
        issues.add("total_loss", f"a {label} claim cannot be a total loss of the car")
    issues.raise_if_any("the claim cannot be notified")
    return replace(n, occurred_at=occurred_at, loss_description=loss, circumstances=how, location=location,
                   injury_details=details, crime_reference=crime, police_incident_number=police, parties=parties)


def term_on_cover(policy: Policy, day: date) -> TermState:
    """The term that covered `day` (CLM-1: the policy must have been on cover on the date of loss), or
    ValidationFailed naming `occurred_at`: a day outside every term, after a cancellation took effect or in
    a voided term is not on cover."""
    for term in policy.terms():
        if not term.voided and term.period.start <= day < term.cover_end:
            return term
    spans = [f"{t.period.start} to {t.cover_end}" + (" (void)" if t.voided else "")
             for t in policy.terms() if t.cover_end > t.period.start or t.voided]
    cover = "; ".join(spans) if spans else "none"
    raise ValidationFailed("the policy was not on cover when the loss happened", [FieldIssue(
        "occurred_at", f"policy {policy.number} was not on cover on {day} (cover: {cover})")])


# -- the claim and its statuses (CLM-2, CLM-4) -----------------------------------------------------------


class ClaimStatus(enum.StrEnum):
    NOTIFIED = "notified"
    UNDER_ASSESSMENT = "under_assessment"
    SETTLEMENT_AGREED = "settlement_agreed"
    SETTLED = "settled"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (ClaimStatus.SETTLED, ClaimStatus.CLOSED)


TRANSITIONS: Mapping[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.NOTIFIED: frozenset({ClaimStatus.UNDER_ASSESSMENT, ClaimStatus.CLOSED}),
    ClaimStatus.UNDER_ASSESSMENT: frozenset({ClaimStatus.SETTLEMENT_AGREED, ClaimStatus.CLOSED}),
    # A settlement that falls through goes back to assessment.
    ClaimStatus.SETTLEMENT_AGREED: frozenset({ClaimStatus.UNDER_ASSESSMENT, ClaimStatus.SETTLED, ClaimStatus.CLOSED}),
    ClaimStatus.SETTLED: frozenset(),
    ClaimStatus.CLOSED: frozenset(),
}
# Why a claim closes without being settled.
CLOSE_REASONS: Mapping[str, str] = {
    "withdrawn": "the policyholder withdrew the claim",
    "declined": "the claim was declined",
    "no_payment": "closed with nothing to pay",
}


@dataclass(frozen=True)
class Claim:
    """A claim as it stands. History is in its events (append-only); the policy records the claim as
    an incident transaction (`incident_transaction_id`) that NCD, NCD protection and cancellation read."""

    claim_id: str
    policy_id: str
    policy_number: str
    customer_id: str
    term_no: int
    incident_transaction_id: str
    claim_type: str
    total_loss: bool
    occurred_at: datetime
    loss_description: str
    circumstances: str
    location: str | None
    anyone_injured: bool
    injury_details: str | None
    crime_reference: str | None
    police_incident_number: str | None
    policyholder_name: str
    policyholder_address: str
    policyholder_postcode: str
    nation: str
    notified_at: datetime
    notified_by: str
    status: ClaimStatus = ClaimStatus.NOTIFIED
    close_reason: str | None = None
    settlement_amount: Money | None = None
    settlement_agreed_at: datetime | None = None
    reserve: Money = field(default_factory=Money.zero)  # outstanding
    paid: Money = field(default_factory=Money.zero)
    settled_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1

    @property
    def occurred_on(self) -> date:
        return london_date(self.occurred_at)

    def incident_event(self) -> RecordedEvent:
        """The event the policy records (FEE-1, NCD-2, NCD-3, NCD-5 read it): a claim, its type, the day
        of loss, total loss or not, and the claim id as its reference."""
        return RecordedEvent("claim", self.occurred_on, self.total_loss, self.claim_id, self.claim_type)


def _amount(issues: IssueCollector, name: str, value: Money | None, positive: bool) -> Money | None:
    if value is None:
        issues.add(name, "is required")
        return None
    if not value.is_whole_pence:
        issues.add(name, "must be whole pence")
        return None
    if value.is_negative() or (positive and value.is_zero()):
        issues.add(name, "must be more than 0.00" if positive else "must be 0.00 or more")
        return None
    return value


def _note(issues: IssueCollector, note: str | None) -> str:
    return _text(issues, "note", note, LONG_TEXT, False) or ""


def _require_open(claim: Claim, what: str) -> None:
    if not claim.status.is_open:
        raise Conflict(f"the claim is {claim.status.value}: no more {what}",
                       [FieldIssue("status", f"is {claim.status.value}, which is final")])


def change_status(claim: Claim, to: str, at: datetime, *, amount: Money | None = None, reason: str | None = None,
                  note: str | None = None) -> tuple[Claim, str]:
    """The claim moved to status `to`, and the note to record with it. `settlement_agreed` needs the
    `amount` agreed; `closed` needs a `reason` (CLOSE_REASONS); `settled` needs the agreed settlement paid.
    A change the status does not allow is a Conflict naming `status`."""
    issues = IssueCollector()
    try:
        target = ClaimStatus(to)
    except ValueError:
        issues.add("status", f"must be one of {', '.join(s.value for s in ClaimStatus)}; got {to!r}")
        issues.raise_if_any("the claim's status cannot be changed")
        raise
    text = _note(issues, note)
    if target not in TRANSITIONS[claim.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[claim.status])) or "nothing: it is final"
        raise Conflict(f"a {claim.status.value} claim cannot become {target.value}",
                       [FieldIssue("status", f"from {claim.status.value} the claim may become {allowed}")])
    if target is ClaimStatus.SETTLEMENT_AGREED:
        agreed = _amount(issues, "amount", amount, positive=True)
        if agreed is not None and agreed < claim.paid:
            issues.add("amount", f"{agreed.to_str()} is less than the {claim.paid.to_str()} already paid on the claim")
        issues.raise_if_any("the settlement cannot be recorded")
        assert agreed is not None
        return (replace(claim, status=target, settlement_amount=agreed, settlement_agreed_at=at),
                f"settlement of {agreed.to_str()} agreed" + (f": {text}" if text else ""))
    if amount is not None:
        issues.add("amount", "only a settlement_agreed change has an amount")
    if target is ClaimStatus.CLOSED:
        if reason not in CLOSE_REASONS:
            issues.add("reason", f"say why the claim closes: one of {', '.join(CLOSE_REASONS)}")
        issues.raise_if_any("the claim cannot be closed")
        assert reason is not None
        return (replace(claim, status=target, close_reason=reason, closed_at=at),
                f"closed: {CLOSE_REASONS[reason]}" + (f": {text}" if text else ""))
    if reason is not None:
        issues.add("reason", "only closing a claim has a reason")
    issues.raise_if_any("the claim's status cannot be changed")
    if target is ClaimStatus.SETTLED:
        due = claim.settlement_amount or Money.zero()
        if claim.paid < due:
            raise Conflict("the agreed settlement is not paid yet: record the payment (it settles the claim)",
                           [FieldIssue("status", f"paid {claim.paid.to_str()} of the {due.to_str()} agreed")])
        return replace(claim, status=target, settled_at=at), text or "settled"
    if target is ClaimStatus.UNDER_ASSESSMENT and claim.status is ClaimStatus.SETTLEMENT_AGREED:
        return (replace(claim, status=target, settlement_amount=None, settlement_agreed_at=None),
                "settlement withdrawn; back under assessment" + (f": {text}" if text else ""))
    return replace(claim, status=target), text


# -- money: reserves and payments as ledger postings -----------------------------------------------------

CLAIMS_RESERVE = "claims:reserve"  # liability: what the open claims are still expected to cost (credit balance)
CLAIMS_OUTSTANDING = "claims:outstanding"  # expense: claims incurred and not yet paid (debit balance)
CLAIMS_PAID = "claims:paid"  # expense: claims paid (debit balance)
BANK = "bank"  # the insurer's bank account claim payments leave (credit balance)
CLAIM_ACCOUNTS: tuple[str, ...] = (CLAIMS_RESERVE, CLAIMS_OUTSTANDING, CLAIMS_PAID, BANK)


def is_claim_entry(entry: JournalEntry) -> bool:
    """A ledger entry of a claim's reserve or payment: the insurer's own books, not the customer's account
    (their policy statement leaves them out; staff see them)."""
    return any(p.account in (CLAIMS_RESERVE, CLAIMS_OUTSTANDING, CLAIMS_PAID) for p in entry.postings)


def is_claim_account(account: str) -> bool:
    return account in CLAIM_ACCOUNTS


def reserve_postings(change: Money, claim_id: str) -> list[Posting]:
    """A reserve set or changed by `change` (signed): the outstanding cost against the reserve."""
    return [Posting(CLAIMS_OUTSTANDING, change, f"claim {claim_id} reserve change"),
            Posting(CLAIMS_RESERVE, -change, f"claim {claim_id} reserve change")]


def payment_postings(amount: Money, claim_id: str) -> list[Posting]:
    """A payment: paid out of the bank, and the reserve it uses released from outstanding."""
    return [Posting(CLAIMS_PAID, amount, f"claim {claim_id} payment"),
            Posting(BANK, -amount, f"claim {claim_id} payment"),
            Posting(CLAIMS_RESERVE, amount, f"claim {claim_id} reserve used by the payment"),
            Posting(CLAIMS_OUTSTANDING, -amount, f"claim {claim_id} reserve used by the payment")]


def expected_accounts(reserve: Money, paid: Money) -> dict[str, Money]:
    """What a claim's postings add up to on each account, given its outstanding reserve and payments."""
    return {CLAIMS_RESERVE: -reserve, CLAIMS_OUTSTANDING: reserve, CLAIMS_PAID: paid, BANK: -paid}


def set_reserve(claim: Claim, amount: Money | None, note: str | None) -> tuple[Claim, Money, str]:
    """The claim with its outstanding reserve set to `amount`, the change (to post) and the note."""
    _require_open(claim, "reserve changes")
    issues = IssueCollector()
    value = _amount(issues, "amount", amount, positive=False)
    text = _note(issues, note)
    issues.raise_if_any("the reserve cannot be set")
    assert value is not None
    change = value - claim.reserve
    if change.is_zero():
        raise Conflict("the reserve is already that amount", [FieldIssue("amount", f"already {value.to_str()}")])
    return replace(claim, reserve=value), change, text


def pay(claim: Claim, amount: Money | None, payee: str | None, reference: str | None, note: str | None,
        at: datetime) -> tuple[Claim, str, str | None, str]:
    """The claim after a payment of `amount` to `payee` (the reserve goes down by as much); a payment
    that completes an agreed settlement settles the claim. Returns (claim, payee, reference, note)."""
    _require_open(claim, "payments")
    issues = IssueCollector()
    value = _amount(issues, "amount", amount, positive=True)
    who = _text(issues, "payee", payee, NAME_LENGTH, True)
    ref = _text(issues, "reference", reference, 100, False)
    text = _note(issues, note)
    agreed = claim.settlement_amount if claim.status is ClaimStatus.SETTLEMENT_AGREED else None
    if value is not None and agreed is not None and value > agreed - claim.paid:
        issues.add("amount", f"{value.to_str()} is more than the {(agreed - claim.paid).to_str()} left to pay of the "
                             f"{agreed.to_str()} settlement agreed")
    elif value is not None and value > claim.reserve:
        issues.add("amount", f"{value.to_str()} is more than the outstanding reserve {claim.reserve.to_str()}: "
                             "raise the reserve first")
    issues.raise_if_any("the payment cannot be recorded")
    assert value is not None and who is not None
    after = replace(claim, reserve=claim.reserve - value, paid=claim.paid + value)
    if after.status is ClaimStatus.SETTLEMENT_AGREED and after.settlement_amount is not None \
            and after.paid >= after.settlement_amount:
        after = replace(after, status=ClaimStatus.SETTLED, settled_at=at)
    return after, who, ref, text


# -- documents and the settlement clock (CLM-2) ------------------------------------------------------------


@dataclass(frozen=True)
class ClaimDocument:
    """A document the claim needs before the settlement can be paid, and when it came in."""

    document_id: str
    claim_id: str
    name: str
    requested_at: datetime
    requested_by: str
    received_at: datetime | None = None
    received_recorded_by: str | None = None


def check_document_names(names: Sequence[str], existing: Iterable[ClaimDocument]) -> list[str]:
    """New names for the documents checklist: each 1-200 characters, none already on it (any case)."""
    issues = IssueCollector()
    have = {d.name.casefold() for d in existing}
    out: list[str] = []
    if not names:
        issues.add("names", "name at least one document")
    for i, raw in enumerate(names):
        name = _text(issues, f"names[{i}]", raw, NAME_LENGTH, True)
        if name is None:
            continue
        if name.casefold() in have:
            issues.add(f"names[{i}]", f"{name!r} is already on the claim's documents checklist")
        have.add(name.casefold())
        out.append(name)
    issues.raise_if_any("the documents cannot be added")
    return out


def find_document(documents: Iterable[ClaimDocument], name: str) -> ClaimDocument:
    docs = list(documents)
    for d in docs:
        if d.name.casefold() == name.strip().casefold():
            return d
    listed = ", ".join(d.name for d in docs) or "none yet"
    raise ValidationFailed("no such document on the claim's checklist",
                           [FieldIssue("name", f"{name!r} is not on the checklist ({listed})")])


def check_received(claim: Claim, doc: ClaimDocument, at: datetime, now: datetime) -> None:
    _require_open(claim, "documents")
    issues = IssueCollector()
    if doc.received_at is not None:
        raise Conflict(f"{doc.name} was already received", [FieldIssue("name", f"received {doc.received_at.isoformat()}")])
    if at > now:
        issues.add("received_at", "cannot be in the future")
    if at < claim.occurred_at:
        issues.add("received_at", f"cannot be before the loss ({claim.occurred_at.isoformat()})")
    issues.raise_if_any("the document cannot be recorded as received")


def settlement_clock_start(claim: Claim, documents: Iterable[ClaimDocument]) -> datetime | None:
    """When the 24-hour payment clock starts (CLM-2: "once a settlement has been agreed and you've sent us
    any documents we need"): the later of the agreement and the last document needed coming in; None while
    either is missing."""
    if claim.status is not ClaimStatus.SETTLEMENT_AGREED or claim.settlement_agreed_at is None:
        return None
    docs = list(documents)
    if any(d.received_at is None for d in docs):
        return None
    received = [d.received_at for d in docs if d.received_at is not None]
    return max([claim.settlement_agreed_at, *received])


# -- correspondence (CLM-2) --------------------------------------------------------------------------------

DIRECTIONS: tuple[str, ...] = ("in", "out")
CHANNELS: tuple[str, ...] = ("letter", "email", "phone")
# S1: "we'll reply to any letters or emails within five working days".
REPLY_CHANNELS: frozenset[str] = frozenset({"letter", "email"})


@dataclass(frozen=True)
class Correspondence:
    """A letter, e-mail or call about a claim, in or out. An outbound item names the inbound ones it answers."""

    item_id: str
    claim_id: str
    direction: str
    channel: str
    summary: str
    at: datetime  # received (in) or sent (out)
    answers: tuple[str, ...]
    recorded_at: datetime
    recorded_by: str

    @property
    def needs_reply(self) -> bool:
        return self.direction == "in" and self.channel in REPLY_CHANNELS


def check_correspondence(claim: Claim, direction: str, channel: str, summary: str | None,
                         received_at: datetime | None, sent_at: datetime | None, answers: Sequence[str],
                         inbound: Mapping[str, Correspondence], now: datetime) -> tuple[datetime, str, tuple[str, ...]]:
    """(when, summary, answered inbound ids) for a new item, or ValidationFailed naming each field: an
    inbound item has `received_at`, an outbound one `sent_at` (either defaults to now); only an outbound
    item answers inbound items of the same claim, and not before they came in."""
    issues = IssueCollector()
    if direction not in DIRECTIONS:
        issues.add("direction", "must be in or out")
    if channel not in CHANNELS:
        issues.add("channel", f"must be one of {', '.join(CHANNELS)}")
    text = _text(issues, "summary", summary, LONG_TEXT, True)
    name, other = ("received_at", sent_at) if direction == "in" else ("sent_at", received_at)
    if other is not None:
        issues.add("sent_at" if direction == "in" else "received_at",
                   "an inbound item has received_at; an outbound one has sent_at")
    at = uk_time((received_at if direction == "in" else sent_at) or now)
    if at > now:
        issues.add(name, "cannot be in the future")
    if at < claim.occurred_at:
        issues.add(name, f"cannot be before the loss ({claim.occurred_at.isoformat()})")
    answered: list[str] = []
    if answers and direction != "out":
        issues.add("answers", "only an outbound reply answers inbound items")
    elif direction == "out":
        for i, item_id in enumerate(answers):
            item = inbound.get(item_id)
            if item is None or item.direction != "in":
                issues.add(f"answers[{i}]", f"{item_id!r} is not an inbound item of claim {claim.claim_id}")
            elif at < item.at:
                issues.add(f"answers[{i}]", f"the reply is dated before {item_id} came in ({item.at.isoformat()})")
            elif item_id not in answered:
                answered.append(item_id)
    issues.raise_if_any("the correspondence cannot be recorded")
    assert text is not None
    return at, text, tuple(answered)


# -- the claim's history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimEvent:
    """One recorded change of a claim: who, when, what (append-only, CLM-2)."""

    event_id: str
    claim_id: str
    at: datetime
    actor_id: str
    actor_role: str
    kind: str  # notified, status, reserve, payment, documents_requested, document_received
    from_status: str | None = None
    to_status: str | None = None
    amount: Money | None = None
    journal_entry_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ClaimPayment:
    payment_id: str
    claim_id: str
    amount: Money
    payee: str
    reference: str | None
    paid_at: datetime
    recorded_by: str
    journal_entry_id: str


@dataclass(frozen=True, eq=False)
class ClaimNotified(Event):
    """A claim was notified (first notification of loss) and written with its incident transaction.
    Subscribers (covernote.bootstrap): the claims exchange report (REG-2) and the fraud check at claim
    (REG-3), each recording its disclosure (PRV-6)."""

    claim: Claim

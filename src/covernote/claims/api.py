"""REST resources: claims (issue 5 parts 2 and 3). First notification of loss on a policy (CLM-1, CLM-3), the
claim with every field, staff's list, status changes, reserves, payments, the documents checklist and
correspondence (CLM-2, CLM-4).

Bodies check shape only; the rules are claims/domain.py's, so the API and the CLI refuse the same things
with the same field names (422 problem documents naming each field; 409 when the claim's state forbids it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field, StrictBool, StrictInt, StringConstraints

from covernote.claims import usecases as claims
from covernote.claims.domain import Notification, Party
from covernote.claims.results import (
    ClaimSummary,
    ClaimView,
    InjuryDetails,
    NotifiedClaim,
    PaidClaim,
    RecordedCorrespondence,
)
from covernote.identity.api import Caller, Ctx, IdempotencyKey
from covernote.kernel.money import Money
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Moment, MultiLine, RequestBody, one_of
from covernote.policy.schemas import ExactAmount

router = APIRouter(tags=["claims"], route_class=OneHopRoute)
Short = Annotated[str, StringConstraints(max_length=500)]
Long = Annotated[str, MultiLine, StringConstraints(max_length=4000)]
Amount = Annotated[ExactAmount, Field(description="Pounds, exact to the penny, as text: \"150.00\"")]



class PartyIn(RequestBody):
    role: Short = Field(description="third_party (another driver, with their vehicle), witness, or injured")
    name: Short | None = None
    address: Short | None = None
    phone: Short | None = None
    vehicle_registration: Short | None = Field(default=None, description="third_party only: the other car")
    insurer: Short | None = Field(default=None, description="third_party only: the other driver's insurer")
    policy_number: Short | None = Field(default=None, description="third_party only: their policy number")

    def to_domain(self) -> Party:
        return Party(self.role, self.name, self.address, self.phone, self.vehicle_registration, self.insurer,
                     self.policy_number)


class NotificationIn(RequestBody):
    claim_type: Short = Field(description="accident, theft, fire, vandalism, malicious_damage, windscreen_or_glass, "
                                          "glass_roof_panel, legal_expenses_uninsured_loss, breakdown, key_cover or other")
    occurred_at: Moment | None = Field(default=None, description="When the loss happened (date and time; "
                                                                   "without an offset it is UK time)")
    loss_description: Long | None = Field(default=None, description="What was lost or damaged")
    circumstances: Long | None = Field(default=None, description="How it happened")
    location: Short | None = Field(default=None, description="Where it happened")
    anyone_injured: StrictBool | None = Field(default=None, description="Whether anyone was injured")
    injury_details: Long | None = Field(default=None, description="Who was hurt and how (when anyone was)")
    crime_reference: Short | None = Field(default=None, description="Required for theft, malicious damage and "
                                                                     "vandalism")
    police_incident_number: Short | None = Field(default=None, description="Required for theft (CLM-3)")
    total_loss: StrictBool = False
    parties: list[PartyIn] = Field(default_factory=list, max_length=50,
                                   description="Other people involved, other vehicles' drivers, witnesses and "
                                               "injured people")

    def to_domain(self) -> Notification:
        return Notification(self.claim_type, self.occurred_at, self.loss_description, self.circumstances,
                            self.anyone_injured, self.injury_details, self.crime_reference,
                            self.police_incident_number, self.location, self.total_loss,
                            tuple(p.to_domain() for p in self.parties))


class StatusIn(RequestBody):
    status: Short = Field(json_schema_extra=one_of(("under_assessment", "settlement_agreed", "settled", "closed")),
                         description="under_assessment, settlement_agreed, settled or closed")
    amount: Amount | None = Field(default=None, description="settlement_agreed: the amount agreed")
    reason: Short | None = Field(default=None, description="closed: withdrawn, declined or no_payment")
    note: Long | None = None
    expected_version: StrictInt | None = Field(default=None, description="Refused (409) if the claim changed since")


class ReserveIn(RequestBody):
    amount: Amount = Field(description="The outstanding reserve from now on (0.00 or more)")
    note: Long | None = None


class PaymentIn(RequestBody):
    amount: Amount
    payee: Short = Field(description="Who is paid: the policyholder, a repairer, another person")
    reference: Short | None = Field(default=None, description="The bank payment's reference")
    note: Long | None = None


class DocumentsIn(RequestBody):
    names: list[Short] = Field(max_length=50, description="Documents needed before the settlement is paid")


class ReceivedIn(RequestBody):
    name: Short
    received_at: Moment | None = Field(default=None, description="When it came in (default: now)")


class CorrespondenceIn(RequestBody):
    direction: Literal["in", "out"]
    channel: Literal["letter", "email", "phone"]
    summary: Long
    received_at: Moment | None = Field(default=None, description="Inbound: when it came in (default: now)")
    sent_at: Moment | None = Field(default=None, description="Outbound: when it was sent (default: now)")
    answers: list[Short] = Field(default_factory=list, max_length=100,
                                 description="Outbound: the ids of the inbound items this replies to")


def _money(value: Decimal | None) -> Money | None:
    return None if value is None else Money.of(value)


@router.post("/policies/{policy_id}/claims", status_code=201)
def notify(ctx: Ctx, who: Caller, policy_id: str, body: NotificationIn,
           key: IdempotencyKey = None) -> NotifiedClaim:
    """First notification of loss (CLM-1, CLM-3): staff, or the customer on their own policy. It records the
    claim on the policy at once (cancellation then gives no refund, FEE-1; NCD reads its type, NCD-2, NCD-5)."""
    return claims.notify(ctx, who, policy_id, body.to_domain(), key)


@router.get("/claims")
def list_claims(ctx: Ctx, who: Caller, status: str | None = None,
                policy_id: str | None = Query(None, description="A policy id or number"),
                limit: Limit = 50, offset: Offset = 0) -> list[ClaimSummary]:
    """Staff: claims, newest first, by status and policy. Customers: their own."""
    return claims.list_claims(ctx, who, status, policy_id, limit, offset)


@router.get("/claims/{claim_id}")
def get_claim(ctx: Ctx, who: Caller, claim_id: str) -> ClaimView:
    """The claim: every FNOL field, the other people, status history, documents, correspondence, money, clocks."""
    return claims.get_claim(ctx, who, claim_id)


@router.get("/claims/{claim_id}/injury-details")
def injury_details(ctx: Ctx, who: Caller, claim_id: str,
                   purpose: str = Query("claims", max_length=200, description="Why they are read (logged)"),
                   ) -> InjuryDetails:
    """The claim's injury details (health data, PRV-7), decrypted for the policyholder or a claims handler;
    every read is logged (PRV-11). The claim itself only says they are held."""
    return claims.injury_details(ctx, who, claim_id, purpose)


@router.post("/claims/{claim_id}/status")
def change_status(ctx: Ctx, who: Caller, claim_id: str, body: StatusIn) -> ClaimView:
    """Staff move the claim on; closing stops its clocks; settling or closing releases the reserve left."""
    return claims.change_status(ctx, who, claim_id, body.status, note=body.note, amount=_money(body.amount),
                                reason=body.reason, expected_version=body.expected_version)


@router.post("/claims/{claim_id}/reserve")
def set_reserve(ctx: Ctx, who: Caller, claim_id: str, body: ReserveIn) -> ClaimView:
    """Staff set the outstanding reserve; the change is posted to the ledger."""
    return claims.set_reserve(ctx, who, claim_id, _money(body.amount), body.note)


@router.post("/claims/{claim_id}/payments", status_code=201)
def pay(ctx: Ctx, who: Caller, claim_id: str, body: PaymentIn, key: IdempotencyKey = None) -> PaidClaim:
    """Staff record a payment (Idempotency-Key required): posted, off the reserve, meeting the payment clock."""
    return claims.record_payment(ctx, who, claim_id, _money(body.amount), body.payee, reference=body.reference,
                                 note=body.note, idempotency_key=key)


@router.post("/claims/{claim_id}/documents", status_code=201)
def request_documents(ctx: Ctx, who: Caller, claim_id: str, body: DocumentsIn) -> ClaimView:
    """Staff add documents the settlement needs to the claim's checklist."""
    return claims.request_documents(ctx, who, claim_id, list(body.names))


@router.post("/claims/{claim_id}/documents/received")
def receive_document(ctx: Ctx, who: Caller, claim_id: str, body: ReceivedIn) -> ClaimView:
    """Staff record a document as received; with the settlement agreed and all in, the payment clock starts."""
    return claims.receive_document(ctx, who, claim_id, body.name, body.received_at)


@router.post("/claims/{claim_id}/correspondence", status_code=201)
def correspondence(ctx: Ctx, who: Caller, claim_id: str, body: CorrespondenceIn) -> RecordedCorrespondence:
    """Staff record a letter, e-mail or call in or out. An inbound letter or e-mail starts a five-working-day
    reply clock; an outbound reply lists in `answers` the items it answers and meets their clocks."""
    return claims.add_correspondence(ctx, who, claim_id, direction=body.direction, channel=body.channel,
                                     summary=body.summary, received_at=body.received_at, sent_at=body.sent_at,
                                     answers=list(body.answers))

"""REST resources: Legal holds, fraud markers, the disclosure register and the breach register (PRV-6, PRV-8).

Bodies check shape only; the rules (who may, which values, which dates) are the use cases', so the API
and the CLI refuse the same things with the same field names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field, StringConstraints

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, MultiLine, RequestBody, one_of
from covernote.privacy.usecases import breaches, disclosures, registers
from covernote.privacy.usecases.results_registers import (
    BreachDetail,
    BreachList,
    BreachNotifications,
    DisclosureList,
    DisclosureView,
    HoldsReport,
    HoldView,
    MarkerList,
    MarkerView,
)

router = APIRouter(tags=["privacy"], route_class=OneHopRoute)
Reason = Annotated[str, MultiLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]



class HoldIn(RequestBody):
    scope: str = Field(json_schema_extra=one_of(("customer", "policy", "claim")), description="customer, policy or claim")
    scope_id: Short = Field(description="The customer id, the policy id or number, or the claim's reference")
    reason: Reason = Field(description="The legal matter (refer to the matter, not to the person)")
    review_on: Day = Field(description="When the hold must be looked at again; after today")


class ReleaseIn(RequestBody):
    reason: Reason


class RemovalIn(RequestBody):
    reason: Reason = Field(description="Why the marker is removed (kept with it as removal_reason)")


class MarkerIn(RequestBody):
    reason: Reason = Field(description="Why fraud is suspected or proven")
    source: str = Field(default="staff", description="staff, fraud_check, cue, fraud_agency, claims_investigation, police, other")
    reference: str | None = Field(default=None, description="The agency's or the investigation's reference")
    policy_id: str | None = Field(default=None, description="A policy of this customer the marker concerns")


class DisclosureIn(RequestBody):
    recipient: Short = Field(description="The third party, e.g. 'West Yorkshire Police'")
    recipient_kind: str = Field(description="broker, underwriter, police, reinsurer... (see the docs)")
    purpose: str = Field(description="A purpose code of the data map, e.g. fraud_prevention")
    categories: list[str] = Field(description="Categories of data sent, e.g. ['identity', 'contact']")
    reference: str | None = Field(default=None, description="The recipient's reference for the transfer")
    policy_id: str | None = None
    disclosed_at: AwareDatetime | None = Field(default=None, description="When it was sent; default now")
    withhold: bool = Field(default=False, description=(
        "Keep it from the person (DPA 2018 Sch. 2 para 2): police, law_enforcement, fraud_agency or regulator only"))
    withheld_reason: str | None = Field(default=None, description="Required when withholding: why telling the "
                                        "person would prejudice the prevention or detection of crime")


class WithholdingIn(RequestBody):
    withhold: bool = Field(description="true: keep the disclosure from the person; false: show it to them again")
    withheld_reason: str | None = Field(default=None, max_length=2000, description=(
        "Required when withholding: why telling the person would be likely to prejudice the prevention or "
        "detection of crime (DPA 2018 Sch. 2 para 2); none when showing it again"))


class BreachScopeIn(RequestBody):
    product_codes: list[str] = Field(default_factory=list, description="Only people with these products")
    customer_ids: list[str] = Field(default_factory=list, description="Only these customers")
    created_from: AwareDatetime | None = Field(default=None, description="Only records written at or after this time")
    created_to: AwareDatetime | None = Field(default=None, description="Only records written before this time")


class BreachIn(RequestBody):
    title: Short = Field(description="What happened, without naming people")
    description: Annotated[str, MultiLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
    occurred_at: AwareDatetime | None = None
    aware_at: AwareDatetime = Field(description="When the insurer became aware: the 72 hours run from here")
    categories: list[str] = Field(description="Categories of data involved, e.g. ['contact']")
    scope: BreachScopeIn = Field(default_factory=lambda: BreachScopeIn(),
                                 description="Narrow the people affected; default: everyone with such data")


class AssessmentIn(RequestBody):
    risk: str = Field(json_schema_extra=one_of(("unlikely", "risk", "high")), description="unlikely, risk or high")
    reason: str | None = Field(default=None, description="Required for 'unlikely'")


class IcoReportIn(RequestBody):
    reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    reported_at: AwareDatetime | None = Field(default=None, description="Default now")


class CloseIn(RequestBody):
    note: str = Field(description="The closing summary: what was done, without naming people")


class NotificationsIn(RequestBody):
    channel: str = Field(json_schema_extra=one_of(("email", "post", "phone", "sms", "in_person", "app")),
                         description="email, post, phone, sms, in_person or app")
    customer_ids: list[str] | None = Field(default=None, description="Leave out to record everyone affected")
    notified_at: AwareDatetime | None = Field(default=None, description="Default now")


# -- legal holds -------------------------------------------------------------------------------------


@router.post("/privacy/holds", status_code=201)
def set_hold(ctx: Ctx, who: Caller, body: HoldIn) -> HoldView:
    """Staff: hold a customer, a policy or a claim from erasure and retention while a legal matter runs."""
    return registers.set_hold(ctx, who, **body.model_dump())


@router.get("/privacy/holds")
def list_holds(ctx: Ctx, who: Caller, active: bool = True, due_for_review: bool = False,
               customer_id: str | None = None, limit: Limit = 100,
               offset: Offset = 0) -> HoldsReport:
    """The holds report: active holds (active=false: all), or those due for review (review date today or past)."""
    return registers.list_holds(ctx, who, active=active, due_for_review=due_for_review, customer_id=customer_id,
                                limit=limit, offset=offset)


@router.get("/privacy/holds/{hold_id}")
def get_hold(ctx: Ctx, who: Caller, hold_id: str) -> HoldView:
    return registers.get_hold(ctx, who, hold_id)


@router.post("/privacy/holds/{hold_id}/release")
def release_hold(ctx: Ctx, who: Caller, hold_id: str, body: ReleaseIn) -> HoldView:
    """The DPO or an administrator: end a hold, with the reason."""
    return registers.release_hold(ctx, who, hold_id, body.reason)


# -- fraud markers -----------------------------------------------------------------------------------


@router.post("/customers/{customer_id}/fraud-markers", status_code=201)
def record_marker(ctx: Ctx, who: Caller, customer_id: str, body: MarkerIn) -> MarkerView:
    """Staff: record a suspected or proven fraud against a person (S1 section 10)."""
    return registers.record_marker(ctx, who, customer_id, **body.model_dump())


@router.get("/customers/{customer_id}/fraud-markers")
def list_markers(ctx: Ctx, who: Caller, customer_id: str, active: bool = True) -> MarkerList:
    """Staff only: a customer is refused (403) and never learns whether a marker exists."""
    return registers.list_markers(ctx, who, customer_id, active)


@router.post("/customers/{customer_id}/fraud-markers/{marker_id}/remove")
def remove_marker(ctx: Ctx, who: Caller, customer_id: str, marker_id: str, body: RemovalIn) -> MarkerView:
    """The DPO or an administrator: remove a marker, with the reason (kept as removal_reason)."""
    return registers.remove_marker(ctx, who, customer_id, marker_id, body.reason)


# -- disclosures -------------------------------------------------------------------------------------


@router.post("/customers/{customer_id}/disclosures", status_code=201)
def record_disclosure(ctx: Ctx, who: Caller, customer_id: str, body: DisclosureIn) -> DisclosureView:
    """Staff: record a transfer made by hand (a police request, a reinsurer's bordereau) (PRV-6), withheld
    from the person when telling them would prejudice the prevention or detection of crime."""
    return disclosures.record_manual_disclosure(ctx, who, customer_id, **body.model_dump())


@router.put("/disclosures/{disclosure_id}/withholding")
def set_withholding(ctx: Ctx, who: Caller, disclosure_id: str, body: WithholdingIn) -> DisclosureView:
    """Staff or the DPO: withhold one disclosure from the person, case by case, with the reason (a disclosure
    to the police, another law enforcement authority, a fraud prevention agency or a regulator, where telling
    them would prejudice the prevention or detection of crime), or show it to them again. Routine fraud
    checks are shown to the person unless withheld this way (S1 section 10)."""
    return disclosures.set_withheld(ctx, who, disclosure_id, withhold=body.withhold, reason=body.withheld_reason)


@router.get("/customers/{customer_id}/disclosures")
def list_disclosures(ctx: Ctx, who: Caller, customer_id: str) -> DisclosureList:
    """Who received the person's data, when, why and on what basis: staff (with those withheld from the
    person, flagged), and the customer for their own (without them)."""
    return disclosures.list_disclosures(ctx, who, customer_id)


# -- breaches ----------------------------------------------------------------------------------------


@router.post("/privacy/breaches", status_code=201)
def record_breach(ctx: Ctx, who: Caller, body: BreachIn) -> BreachDetail:
    """Staff: record a breach; the people affected are found from the data map (PRV-8)."""
    scope = body.scope
    return breaches.record_breach(ctx, who, title=body.title, description=body.description,
                                  occurred_at=body.occurred_at, aware_at=body.aware_at, categories=body.categories,
                                  product_codes=scope.product_codes, customer_ids=scope.customer_ids,
                                  created_from=scope.created_from, created_to=scope.created_to)


@router.get("/privacy/breaches")
def list_breaches(ctx: Ctx, who: Caller, limit: Limit = 100,
                  offset: Offset = 0,
                  closed: bool | None = Query(None, description="true: only closed; false: only open")) -> BreachList:
    """Every breach with its ICO deadline, hours left, whether it is overdue or closed, and people affected
    and told."""
    return breaches.list_breaches(ctx, who, limit, offset, closed)


@router.get("/privacy/breaches/{breach_id}")
def get_breach(ctx: Ctx, who: Caller, breach_id: str, limit: int = Query(500, ge=0, le=5000),
               offset: Offset = 0) -> BreachDetail:
    """One breach, with a page of the people affected (limit, offset)."""
    return breaches.get_breach(ctx, who, breach_id, limit, offset)


@router.post("/privacy/breaches/{breach_id}/assessment")
def assess_breach(ctx: Ctx, who: Caller, breach_id: str, body: AssessmentIn) -> BreachDetail:
    """The DPO or an administrator: unlikely (with the reason), risk (report) or high (report and tell people)."""
    return breaches.assess_breach(ctx, who, breach_id, risk=body.risk, reason=body.reason)


@router.post("/privacy/breaches/{breach_id}/ico-report")
def report_to_ico(ctx: Ctx, who: Caller, breach_id: str, body: IcoReportIn) -> BreachDetail:
    """The DPO or an administrator: record the report made to the ICO."""
    return breaches.report_to_ico(ctx, who, breach_id, reference=body.reference, reported_at=body.reported_at)


@router.post("/privacy/breaches/{breach_id}/notifications")
def record_notifications(ctx: Ctx, who: Caller, breach_id: str, body: NotificationsIn) -> BreachNotifications:
    """The DPO or an administrator: record that people affected were told (all, or those listed)."""
    return breaches.record_notifications(ctx, who, breach_id, channel=body.channel, customer_ids=body.customer_ids,
                                         notified_at=body.notified_at)


@router.post("/privacy/breaches/{breach_id}/close")
def close_breach(ctx: Ctx, who: Caller, breach_id: str, body: CloseIn) -> BreachDetail:
    """The DPO or an administrator: close a breach with a closing summary, once the report and the
    notifications the decision calls for are recorded (409 otherwise, and for any change once closed)."""
    return breaches.close_breach(ctx, who, breach_id, note=body.note)

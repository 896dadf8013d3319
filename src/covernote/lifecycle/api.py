"""REST resources of the policy lifecycle: quotes, binding, policies and their history, statement, adjustments, cancellations, box returns, renewals, voidance, incidents and the renewal jobs."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from pydantic import Field

from covernote.billing.api.plans import PaymentPlanIn
from covernote.billing.usecases.settle import monthly_choice
from covernote.identity import usecases as access
from covernote.identity.api import Caller, Ctx, IdempotencyKey
from covernote.kernel.errors import FieldIssue
from covernote.ledger import usecases as ledger
from covernote.ledger.results import StatementView
from covernote.lifecycle.results import (
    Adjusted,
    AdjustmentQuote,
    AutoRenewalsRun,
    BoxReturned,
    CancellationQuote,
    Cancelled,
    PolicyHistory,
    PolicySummary,
    PolicyView,
    QuoteView,
    RenewalDeclined,
    RenewalInvitation,
    RenewalInvitationsRun,
    RenewalsOfPolicy,
    Voided,
)
from covernote.lifecycle.usecases import adjustments, cancellations, policies, quotes, renewals
from covernote.lifecycle.usecases.adjustments import AdjustmentRequest
from covernote.lifecycle.usecases.cancellations import CancelInput
from covernote.platform.api.contract import DECLINES_PAYMENT, conflicts, documented
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute, rules_despite_shape
from covernote.platform.requests import LEAVE_OUT, Day
from covernote.policy.results import TransactionView
from covernote.policy.schemas import (
    AdjustmentIn,
    BindIn,
    BoxReturnIn,
    CancellationIn,
    IncidentIn,
    PolicyPatchIn,
    QuoteIn,
    RenewalConfirmIn,
    VoidIn,
    WithdrawIn,
)

router = APIRouter(route_class=OneHopRoute)


# Issue 13, item 21: stand-ins for the fields of a quote whose shape may be faulty while the product's rules
# can still judge the rest (a bad postcode and a too-low mileage are named in one answer). Each is a value of
# the right shape; what the rules then say of the field itself is not reported (its shape error is).
_QUOTE_STAND_INS: dict[str, Any] = {
    "risk.postcode": "LS1 5HD", "risk.vehicle.registration": "AB12 CDE", "risk.vehicle.make": "stand-in",
    "risk.vehicle.model": "stand-in", "risk.vehicle.year": 2020, "risk.vehicle.value": "10000.00",
    "risk.vehicle.abi_group": 20, "risk.vehicle.fuel": None, "risk.vehicle.engine_cc": None,
    "risk.vehicle.co2_gkm": None, "risk.vehicle.vin": None, "risk.vehicle.mileage": None,
    "risk.drivers[*].driver_id": None, "risk.drivers[*].name": "stand-in",
    "risk.drivers[*].date_of_birth": "1980-01-01", "risk.drivers[*].licence_held_since": "2000-01-01",
    "risk.drivers[*].relationship": "other", "customer_id": None, "term": None, "extras": [],
}


def _quote_rules(request: Request, body: QuoteIn) -> list[FieldIssue]:
    return quotes.quote_rule_issues(request.app.state.ctx, quotes.QuoteRequest(
        body.product_code, body.start_date, body.risk.to_domain(), None, body.term_domain(), tuple(body.extras)))


@router.post("/quotes", status_code=201, tags=["quotes"])
@rules_despite_shape(QuoteIn, _QUOTE_STAND_INS, _quote_rules)
def create_quote(ctx: Ctx, who: Caller, body: QuoteIn) -> QuoteView:
    """Price a risk: the premium with a trace of every factor, IPT, fees and the versions used."""
    return quotes.create_quote(ctx, who, quotes.QuoteRequest(body.product_code, body.start_date, body.risk.to_domain(),
                                                             body.customer_id, body.term_domain(), tuple(body.extras)))


@router.get("/quotes", tags=["quotes"])
def list_quotes(ctx: Ctx, who: Caller, limit: Limit = 50, offset: Offset = 0) -> list[QuoteView]:
    return quotes.list_quotes(ctx, who, limit, offset)


@router.get("/quotes/{quote_id}", tags=["quotes"])
def get_quote(ctx: Ctx, who: Caller, quote_id: str) -> QuoteView:
    return quotes.get_quote(ctx, who, quote_id)


@router.post("/quotes/{quote_id}/withdraw", tags=["quotes"])
def withdraw_quote(ctx: Ctx, who: Caller, quote_id: str, body: WithdrawIn | None = None) -> QuoteView:
    """Withdraw an open quote (the customer's own, or staff), optionally saying why: it can no longer be
    bound or take proof of NCD, and the NCD proven on it is free for another car (NCD-1). 409 naming
    `quote_id` for a bound or already withdrawn quote."""
    return quotes.withdraw_quote(ctx, who, quote_id, None if body is None else body.reason)


class BindPaidIn(BindIn):
    monthly: PaymentPlanIn | None = Field(
        default=None, description="Pay monthly by direct debit under premium finance (PAY-1): the deposit is taken "
                                  "from the card now, the rest in monthly instalments; leave out to pay annually")


@router.post("/policies", status_code=201, tags=["policies"], responses={
    **DECLINES_PAYMENT, **conflicts("The quote cannot be bound (expired, withdrawn, already bound), or the finance "
                                    "provider referred or declined monthly payment (naming `payment.plan`)"),
    503: documented("The payment or finance provider did not answer; nothing was changed: retry with the same key")})
def bind(ctx: Ctx, who: Caller, body: BindPaidIn, idempotency_key: IdempotencyKey = None) -> PolicyView:
    """Bind a quote into a policy and take payment. Needs an Idempotency-Key header; a retry with the same
    key answers as the first did, 201 and the same policy, with `idempotent_replay` true. With `monthly`, the
    premium-finance provider decides first (PAY-1): accepted, `payment.plan` is the plan, agreement (credit,
    interest, total payable, APR) and instalments, and only the deposit is taken; referred or declined, 409
    naming `payment.plan` and nothing is bought; 503 when the provider does not answer (retry, same key)."""
    monthly = None if body.monthly is None else monthly_choice(
        body.monthly.bank.model_dump(), body.monthly.collection_day)
    out = quotes.bind_quote(ctx, who, body.quote_id, payment_token=body.payment.token,
                            idempotency_key=idempotency_key, documents_on=body.documents_on, monthly=monthly)
    return cast(PolicyView, out)  # the view bind_quote built, or its stored replay


@router.get("/policies", tags=["policies"])
def list_policies(ctx: Ctx, who: Caller, limit: Limit = 50, offset: Offset = 0) -> list[PolicySummary]:
    return policies.list_policies(ctx, who, limit, offset)


@router.get("/policies/{policy_id}", tags=["policies"])
def get_policy(ctx: Ctx, who: Caller, policy_id: str) -> PolicyView:
    """A policy by id or number, with its current term's effective-dated versions."""
    return policies.get_policy(ctx, who, policy_id)


@router.patch("/policies/{policy_id}", tags=["policies"])
def patch_policy(ctx: Ctx, who: Caller, policy_id: str, body: PolicyPatchIn,
                 idempotency_key: IdempotencyKey = None) -> PolicyView:
    """Switch automatic renewal on or off (POL-3), recorded as an `auto_renew` transaction in the policy's
    history (POL-1). Needs an Idempotency-Key header."""
    return policies.set_auto_renew(ctx, who, policy_id, body.auto_renew, body.version, reason=body.reason,
                                   idempotency_key=idempotency_key)


@router.get("/policies/{policy_id}/history", tags=["policies"])
def history(ctx: Ctx, who: Caller, policy_id: str) -> PolicyHistory:
    return policies.policy_history(ctx, who, policy_id)


@router.get("/policies/{policy_id}/statement", tags=["ledger"])
def statement(ctx: Ctx, who: Caller, policy_id: str) -> StatementView:
    """The policy's account: every posting of premium, IPT, fees, payments and refunds."""
    return ledger.policy_statement(ctx, who, policy_id)


# Issue 13, item 21: the same for an adjustment. A faulty change (its value, its vehicle, its driver) is left out
# and the product's rules judge the risk the other changes make; a faulty effective date stands in as the
# earliest day, which the rules hold within the policy's current term.
_ADJUSTMENT_STAND_INS: dict[str, Any] = {
    "effective_date": "1900-01-01", "until": None, "changes": [], "changes[*]": LEAVE_OUT, "add_extras": [],
    "add_extras[*]": LEAVE_OUT, "remove_extras": [], "remove_extras[*]": LEAVE_OUT, "smartbox": None,
    "reason": "stand-in",
}


def _adjustment_request(body: AdjustmentIn) -> AdjustmentRequest:
    return AdjustmentRequest(body.effective_date, tuple(c.to_domain() for c in body.changes), body.until,
                             body.smartbox, body.reason, tuple(body.add_extras), tuple(body.remove_extras))


def _adjustment_rules(request: Request, body: AdjustmentIn) -> list[FieldIssue]:
    """The product's rules on the changed risk, for the caller the Authorization header names (its token is
    cached: no lookup), on a policy they may see; nothing otherwise."""
    ctx = request.app.state.ctx
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return []
    try:
        who = access.authenticate(ctx, token.strip())
    except access.Unauthenticated:
        return []
    return adjustments.adjustment_rule_issues(ctx, who, request.path_params["policy_id"], _adjustment_request(body))


@router.post("/policies/{policy_id}/adjustments", status_code=201, tags=["adjustments"])
@rules_despite_shape(AdjustmentIn, _ADJUSTMENT_STAND_INS, _adjustment_rules)
def quote_adjustment(ctx: Ctx, who: Caller, policy_id: str, body: AdjustmentIn) -> AdjustmentQuote:
    """Quote a mid-term adjustment: additional or return premium, IPT and the fee."""
    return cast(AdjustmentQuote, adjustments.quote_adjustment(ctx, who, policy_id, _adjustment_request(body)))


@router.post("/policies/{policy_id}/adjustments/{quote_id}/confirm", tags=["adjustments"], responses=DECLINES_PAYMENT)
def confirm_adjustment(ctx: Ctx, who: Caller, policy_id: str, quote_id: str, idempotency_key: IdempotencyKey = None) -> Adjusted:
    return adjustments.confirm_adjustment(ctx, who, policy_id, quote_id, idempotency_key)


@router.post("/policies/{policy_id}/cancellations", status_code=201, tags=["cancellations"])
def quote_cancellation(ctx: Ctx, who: Caller, policy_id: str, body: CancellationIn) -> CancellationQuote:
    """Quote a cancellation: cooling-off, earned premium, fees kept and the refund, explained."""
    return cast(CancellationQuote, cancellations.quote_cancellation(
        ctx, who, policy_id, CancelInput(body.effective_date, body.reason, body.by, body.requested_on)))


@router.post("/policies/{policy_id}/cancellations/{quote_id}/confirm", tags=["cancellations"], responses=DECLINES_PAYMENT)
def confirm_cancellation(ctx: Ctx, who: Caller, policy_id: str, quote_id: str, idempotency_key: IdempotencyKey = None) -> Cancelled:
    return cancellations.confirm_cancellation(ctx, who, policy_id, quote_id, idempotency_key)


@router.post("/policies/{policy_id}/box-returns", tags=["cancellations"], responses=DECLINES_PAYMENT)
def box_return(ctx: Ctx, who: Caller, policy_id: str, body: BoxReturnIn, idempotency_key: IdempotencyKey = None) -> BoxReturned:
    """Record the Smartbox's return after cancellation; refunds the product's share of fees if in time."""
    return cancellations.record_box_return(ctx, who, policy_id, body.returned_on, idempotency_key)


@router.post("/policies/{policy_id}/renewals", status_code=201, tags=["renewals"])
def invite_renewal(ctx: Ctx, who: Caller, policy_id: str) -> RenewalInvitation:
    """The renewal invitation: next year's price beside last year's, never above new business."""
    return renewals.invite_renewal(ctx, who, policy_id)


@router.get("/policies/{policy_id}/renewals", tags=["renewals"])
def list_renewals(ctx: Ctx, who: Caller, policy_id: str) -> RenewalsOfPolicy:
    return renewals.renewal_view_for(ctx, who, policy_id)


@router.post("/policies/{policy_id}/renewals/{quote_id}/confirm", tags=["renewals"], responses=DECLINES_PAYMENT)
def confirm_renewal(ctx: Ctx, who: Caller, policy_id: str, quote_id: str, idempotency_key: IdempotencyKey = None,
                    body: RenewalConfirmIn | None = None) -> PolicyView:
    """Accept the renewal; optionally choose its extras from the invitation's `extras_available`."""
    extras = None if body is None or body.extras is None else tuple(body.extras)
    return renewals.confirm_renewal(ctx, who, policy_id, quote_id, idempotency_key, extras)


@router.post("/policies/{policy_id}/renewals/{quote_id}/decline", tags=["renewals"])
def decline_renewal(ctx: Ctx, who: Caller, policy_id: str, quote_id: str) -> RenewalDeclined:
    return renewals.decline_renewal(ctx, who, policy_id, quote_id)


@router.post("/policies/{policy_id}/voidance", tags=["policies"])
def void(ctx: Ctx, who: Caller, policy_id: str, body: VoidIn, idempotency_key: IdempotencyKey = None) -> Voided:
    """Staff: void for fraud; the premium paid is kept (POL-4)."""
    return policies.void_policy(ctx, who, policy_id, reason=body.reason, idempotency_key=idempotency_key)


@router.post("/policies/{policy_id}/incidents", status_code=201, tags=["policies"])
def incident(ctx: Ctx, who: Caller, policy_id: str, body: IncidentIn) -> TransactionView:
    """Staff: record a claim or an incident that may lead to one (it stops refunds, FEE-1)."""
    return policies.record_incident(ctx, who, policy_id, kind=body.kind, occurred_on=body.occurred_on,
                                    total_loss=body.total_loss, reference=body.reference, description=body.description,
                                    claim_type=body.claim_type)


@router.post("/jobs/renewal-invitations", tags=["jobs"])
def renewal_invitations(ctx: Ctx, who: Caller, as_of: Day | None = None) -> RenewalInvitationsRun:
    # In the server's process, whose threads a fork would copy mid-request: one process (workers=1).
    return renewals.run_renewal_invitations(ctx, as_of, principal=who, workers=1)


@router.post("/jobs/auto-renewals", tags=["jobs"])
def auto_renewals(ctx: Ctx, who: Caller, as_of: Day | None = None) -> AutoRenewalsRun:
    access.require_staff(who, "run auto-renewals")
    return renewals.run_auto_renewals(ctx, as_of)

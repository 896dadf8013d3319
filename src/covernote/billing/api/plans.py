"""REST resources: how a policy's term is paid (PAY-1, PAY-7): the payment plan with its premium-finance
agreement and instalments, moving an annual-card policy to monthly payment, and following up an application
the provider referred.

Bodies check shape only; the rules are the use cases', so the API and the CLI refuse the same things with
the same field names (`bank.sort_code`, `collection_day`, `kind`)."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter
from pydantic import Field, StrictInt, StringConstraints

from covernote.billing.results import PaymentPlanView, PlanOpened
from covernote.billing.usecases import plans
from covernote.identity.api import Caller, Ctx, IdempotencyKey
from covernote.platform.api.contract import DECLINES_PAYMENT, conflicts, documented
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import RequestBody, Text

router = APIRouter(tags=["billing"], route_class=OneHopRoute)

UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: documented("The finance provider (or the database) did not answer; nothing was changed, retry")}


class BankIn(RequestBody):
    account_holder: Text = Field(description="The name on the bank account")
    sort_code: Annotated[str, StringConstraints(max_length=20)] = Field(description="6 digits, e.g. 12-34-56")
    account_number: Annotated[str, StringConstraints(max_length=20)] = Field(description="8 digits")


class PaymentPlanIn(RequestBody):
    bank: BankIn = Field(description="The account the direct debits are collected from")
    # Strict: a JSON "5" or true is not a day of the month (422 naming collection_day).
    collection_day: StrictInt = Field(description="The day of the month the instalments are collected, 1 to 28")


@router.get("/policies/{policy_id}/payment-plan")
def get_payment_plan(ctx: Ctx, who: Caller, policy_id: str) -> PaymentPlanView:
    """How the policy's current term is paid: `annual_card`, or `monthly_direct_debit` with the premium-finance
    agreement (amount of credit, interest, total payable, APR, the finance-introduction commission, PAY-7) and
    each instalment's date, amount and status. The bank account shows only its last 4 digits."""
    return plans.payment_plan(ctx, who, policy_id)


@router.post("/policies/{policy_id}/payment-plan", status_code=201,
             responses={**DECLINES_PAYMENT, **UNAVAILABLE})
def open_payment_plan(ctx: Ctx, who: Caller, policy_id: str, body: PaymentPlanIn,
                      idempotency_key: IdempotencyKey = None) -> PlanOpened:
    """Move an annual-card policy's current term to monthly payment by direct debit, financed by the product's
    premium-finance provider after a credit search (PAY-1). The answer's plan `status` is the provider's
    decision: `active` (the agreement, its instalments and documents; the card refunded what is now financed),
    `referred` (the provider's underwriters will decide: see `POST .../payment-plan/referral`) or `declined`
    (with the reason; the policy stays paid annually). Needs an Idempotency-Key header; a retry with the same
    key answers as the first did, with `idempotent_replay` true. 409 when the term is already paid monthly."""
    out = plans.switch_to_monthly(ctx, who, policy_id, body.bank.model_dump(), body.collection_day, idempotency_key)
    return cast(PlanOpened, out)


@router.post("/policies/{policy_id}/payment-plan/referral", responses={
    **conflicts("The policy has no application waiting for the provider"), **UNAVAILABLE, **DECLINES_PAYMENT})
def follow_up_referral(ctx: Ctx, who: Caller, policy_id: str) -> PaymentPlanView:
    """Staff: ask the provider for its decision on a referred application: accepted, the plan starts (the
    deposit settled on the card); declined, it is closed with the reason; still referred, nothing changes."""
    return plans.decide_referral(ctx, who, policy_id)

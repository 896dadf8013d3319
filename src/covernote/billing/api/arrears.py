"""REST resources: returned direct debits' arrears (PAY-2, FEE-2): a policy's arrears cases, the customer's card
payment that stops the ladder, the staff's list and CSV report, and the daily step run by hand."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field, StringConstraints

from covernote.billing.results import ArrearsList, ArrearsPayment, ArrearsRun, PolicyArrears
from covernote.billing.usecases import arrears
from covernote.identity.api import Caller, Ctx, IdempotencyKey
from covernote.platform.api.contract import DECLINES_PAYMENT, also_as, conflicts
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import RequestBody

router = APIRouter(tags=["arrears"], route_class=OneHopRoute)


class ArrearsPaymentIn(RequestBody):
    payment_token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=100)] = Field(
        description="The card's token from the payment provider (Covernote never sees card numbers, PAY-4)")


Stage = Literal["open", "representation", "card_payment", "notice", "paid", "cancelled", "closed"]


@router.get("/policies/{policy_id}/arrears")
def policy_arrears(ctx: Ctx, who: Caller, policy_id: str) -> PolicyArrears:
    """The policy's returned direct debits and where each stands on the ladder (PAY-2): the returned instalment,
    the charge for the return (FEE-2), the new collection date, the last day to pay by card, the notice of
    cancellation, and each step with its letter (a document of the policy) and clock. `overdue` and `owed` sum
    the open cases; `pay_by_card` says whether they can be paid by card now. Customers see their own policies."""
    return arrears.policy_arrears(ctx, who, policy_id)


@router.post("/policies/{policy_id}/arrears/payment", responses={
    **DECLINES_PAYMENT, **conflicts("The returned collection has been presented again and its result is awaited")})
def pay_arrears(ctx: Ctx, who: Caller, policy_id: str, body: ArrearsPaymentIn,
                idempotency_key: IdempotencyKey = None) -> ArrearsPayment:
    """Pay everything owed on the policy's open arrears cases by card (S1: "pay by credit/debit card to stop the
    policy being cancelled"): the cases close paid and their clocks are met. 404 when nothing is overdue; 402
    when the card is declined (nothing changes)."""
    return arrears.pay_arrears(ctx, who, policy_id, body.payment_token, idempotency_key)


@router.get("/arrears", response_model=ArrearsList, responses=also_as("text/csv"))
def list_arrears(ctx: Ctx, who: Caller,
                 stage: Stage | None = Query("open", description="open (every stage still on the ladder) or one "
                                                                  "stage; all stages when empty"),
                 limit: Limit = 100, offset: Offset = 0,
                 format: Literal["json", "csv"] = "json") -> ArrearsList | Response:
    """Staff: arrears cases at a stage, oldest opened first, with their steps. `format=csv` gives the arrears
    report (every case at the stage, one row each)."""
    if format == "csv":
        return Response(arrears.report_csv(ctx, who, stage), media_type="text/csv")
    return arrears.list_cases(ctx, who, stage, limit, offset)


@router.post("/arrears/run")
def run(ctx: Ctx, who: Caller) -> ArrearsRun:
    """Staff: the daily job's arrears step now (it also runs in `covernote jobs daily`): every case whose next
    step is due today takes it, then the letters still missing are issued. Safe to repeat."""
    return arrears.run_arrears(ctx, who)

"""REST resources: the continuous payment authority's notices (PAY-3): a policy's notices and authority, paying a
notice now with another card, withdrawing the authority, and staff's list of notices by due day."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field, StringConstraints

from covernote.billing.results import AuthorityView, NoticeView, PolicyNotices
from covernote.billing.usecases import authority, notices
from covernote.identity.api import Caller, Ctx, IdempotencyKey
from covernote.platform.api.contract import DECLINES_PAYMENT
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, RequestBody

router = APIRouter(tags=["payment notices"], route_class=OneHopRoute)


class PayNowIn(RequestBody):
    token: Annotated[str, StringConstraints(min_length=4, max_length=100)] = Field(
        description="A card token from the payment provider for this payment only (not stored); Covernote never "
                    "sees card numbers")


@router.get("/policies/{policy_id}/payment-notices")
def policy_notices(ctx: Ctx, who: Caller, policy_id: str) -> PolicyNotices:
    """The policy's notices of payments under the continuous payment authority (PAY-3), oldest first: each
    amount taken from (`charge`) or paid to (`refund`) the card named by its brand and last four digits, on the
    day 14 days after its letter, and its status; with the authority (in force, or withdrawn and what is owed by
    when). Customers see their own policies."""
    return notices.policy_notices(ctx, who, policy_id)


@router.post("/policies/{policy_id}/payment-notices/{notice_id}/payment", responses=DECLINES_PAYMENT)
def pay_now(ctx: Ctx, who: Caller, policy_id: str, notice_id: str, body: PayNowIn,
            idempotency_key: IdempotencyKey = None) -> NoticeView:
    """Pay a notified charge now with a card the customer enters: one still pending, declined on its day, or left
    owing when the authority was withdrawn (the other way to pay). Needs an Idempotency-Key header. 402 when the
    card is declined (nothing changes); 409 when the notice has nothing to pay (taken, a refund...)."""
    return notices.pay_now(ctx, who, policy_id, notice_id, body.token, idempotency_key)


@router.post("/policies/{policy_id}/payment-authority/withdrawal")
def withdraw_authority(ctx: Ctx, who: Caller, policy_id: str) -> AuthorityView:
    """Withdraw the continuous payment authority (S3): nothing more is taken from the card on file; charges
    notified and not yet taken stay owed and must be paid another way by the answer date in the letter issued,
    or the policy is cancelled with the cancellation fee. Refunds are still paid on their dates. 409 if it was
    already withdrawn."""
    return authority.withdraw(ctx, who, policy_id)


@router.get("/payment-notices")
def list_notices(ctx: Ctx, who: Caller,
                 due: Day | None = Query(None, description="Only the notices due on this day"),
                 status: Literal["pending", "taken", "paid", "failed", "withdrawn", "cancelled"] | None = None,
                 limit: Limit = 100, offset: Offset = 0) -> list[NoticeView]:
    """Staff: every policy's payment notices by due day, optionally those due on one day or in one status."""
    return notices.notices_page(ctx, who, due, status, limit, offset)

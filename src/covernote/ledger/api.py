"""REST resources: the ledger's reconciliation and the reversal of an entry (PAY-5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from covernote.identity.api import Caller, Ctx
from covernote.ledger import usecases as ledger
from covernote.ledger.results import EntryView, Reconciliation
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import RequestBody, Text

router = APIRouter(route_class=OneHopRoute)

SignedAmount = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^-?[0-9]{1,8}(\.[0-9]{1,2})?$"),
                         Field(description='Signed pounds as text: a debit positive, a credit negative ("-12.50")')]
Account = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
                    Field(description="customer:receivable, cash:payment-provider, premium:written, "
                                      "tax:ipt-payable, fees:<code> or extras:<code>:<part>")]


class ReversalIn(RequestBody):
    reason: Text


class PostingIn(RequestBody):
    account: Account
    amount: SignedAmount
    memo: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class CorrectionIn(RequestBody):
    reason: Text
    postings: list[PostingIn] | None = Field(
        default=None, max_length=50,
        description="The correct entry's postings, summing to zero; omitted: the reversed entry's postings again")


@router.get("/ledger/reconciliation", tags=["ledger"])
def reconciliation(ctx: Ctx, who: Caller) -> Reconciliation:
    return ledger.reconcile(ctx, who)


@router.post("/ledger/entries/{entry_id}/reversal", status_code=201, tags=["ledger"])
def reverse(ctx: Ctx, who: Caller, entry_id: str, body: ReversalIn) -> EntryView:
    return ledger.reverse_entry(ctx, who, entry_id, body.reason)


@router.post("/ledger/entries/{entry_id}/correction", status_code=201, tags=["ledger"])
def correct(ctx: Ctx, who: Caller, entry_id: str, body: CorrectionIn) -> EntryView:
    """Post the entry that corrects a reversed one (admin; PAY-5): 409 when the entry is not reversed or
    already corrected; 422 naming the posting when an account or amount is wrong or they do not balance."""
    lines = None if body.postings is None else [(p.account, p.amount, p.memo) for p in body.postings]
    return ledger.correct_entry(ctx, who, entry_id, body.reason, lines)

"""REST resources: the ledger's reconciliation and the reversal of an entry (PAY-5)."""

from __future__ import annotations

from fastapi import APIRouter

from covernote.identity.api import Caller, Ctx
from covernote.ledger import usecases as ledger
from covernote.ledger.results import EntryView, Reconciliation
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import RequestBody, Text

router = APIRouter(route_class=OneHopRoute)



class ReversalIn(RequestBody):
    reason: Text


@router.get("/ledger/reconciliation", tags=["ledger"])
def reconciliation(ctx: Ctx, who: Caller) -> Reconciliation:
    return ledger.reconcile(ctx, who)


@router.post("/ledger/entries/{entry_id}/reversal", status_code=201, tags=["ledger"])
def reverse(ctx: Ctx, who: Caller, entry_id: str, body: ReversalIn) -> EntryView:
    return ledger.reverse_entry(ctx, who, entry_id, body.reason)

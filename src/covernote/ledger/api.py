"""REST resources: the ledger's reconciliation and the reversal of an entry (PAY-5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints

from covernote.identity.api import Caller, Ctx
from covernote.ledger import usecases as ledger
from covernote.ledger.results import EntryView, Reconciliation

router = APIRouter()
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReversalIn(_In):
    reason: Text


@router.get("/ledger/reconciliation", tags=["ledger"])
def reconciliation(ctx: Ctx, who: Caller) -> Reconciliation:
    return ledger.reconcile(ctx, who)


@router.post("/ledger/entries/{entry_id}/reversal", status_code=201, tags=["ledger"])
def reverse(ctx: Ctx, who: Caller, entry_id: str, body: ReversalIn) -> EntryView:
    return ledger.reverse_entry(ctx, who, entry_id, body.reason)

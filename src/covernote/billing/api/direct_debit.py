"""REST resources: direct debit through Bacs (PAY-6): a policy's mandates, notices, collections and returns; for
staff, the day's jobs (lodge mandates, send the advance notices, run the collections, process the bureau's
reports) and the collections and returns reports (JSON or CSV)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from covernote.billing.usecases import direct_debit as dd
from covernote.billing.usecases import direct_debit_views as dd_views
from covernote.billing.usecases.results_direct_debit import (
    CollectionRunResult,
    CollectionView,
    LodgeResult,
    NoticesResult,
    PolicyDirectDebit,
    ReportsResult,
    ReturnView,
)
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, RequestBody

router = APIRouter(tags=["direct debit"], route_class=OneHopRoute)

_BUREAU_DOWN: dict[int | str, dict[str, Any]] = {503: {"description": "The Bacs bureau is not configured or did not answer: nothing was recorded "
                                     "as sent; run again"}}


class RunIn(RequestBody):
    as_of: Day | None = Field(None, description="The London day the job runs for (default today)")


@router.get("/policies/{policy_id}/direct-debit")
def policy_direct_debit(ctx: Ctx, who: Caller, policy_id: str) -> PolicyDirectDebit:
    """The policy's direct debit: its mandates (reference, status, the account's last digits, the last Bacs reason
    that changed it), the advance notices given, every collection presented and every return or mandate change
    the bureau reported. Customers see their own policies."""
    return dd_views.policy_direct_debit(ctx, who, policy_id)


@router.post("/direct-debit/lodgements", responses=_BUREAU_DOWN)
def lodge(ctx: Ctx, who: Caller, body: RunIn | None = None) -> LodgeResult:
    """Staff: make mandates for the direct debit plans that have none and lodge them with Bacs (AUDDIS 0N) in
    today's file; mandates whose lodgement has reached its entry day become active. Safe to repeat."""
    return dd.lodge_mandates(ctx, who, body.as_of if body else None)


@router.post("/direct-debit/notices")
def notices(ctx: Ctx, who: Caller, body: RunIn | None = None) -> NoticesResult:
    """Staff: send the advance notices (PAY-6: 10 working days unless the product says otherwise) of the
    instalments coming due, one schedule letter per plan. Safe to repeat."""
    return dd.send_notices(ctx, who, body.as_of if body else None)


@router.post("/direct-debit/collections", responses=_BUREAU_DOWN)
def collect(ctx: Ctx, who: Caller, body: RunIn | None = None) -> CollectionRunResult:
    """Staff: the collection run for the day's Bacs input: presents every notified instalment due by this cycle's
    entry day, posts each to the ledger and submits the Standard 18 file. Safe to repeat: nothing is presented
    twice and a file that got no answer is sent again unchanged."""
    return dd.run_collections(ctx, who, body.as_of if body else None)


@router.post("/direct-debit/reports", responses=_BUREAU_DOWN)
def process_reports(ctx: Ctx, who: Caller, body: RunIn | None = None) -> ReportsResult:
    """Staff: fetch and process the bureau's ARUDD, ADDACS and AUDDIS reports, each file once: returns recorded
    against their collections and handled, mandates cancelled, amended or rejected."""
    return dd.process_reports(ctx, who, body.as_of if body else None)


@router.get("/direct-debit/collections", response_model=list[CollectionView], responses=also_as("text/csv"))
def collections(ctx: Ctx, who: Caller,
                start: Day = Query(alias="from", description="The first entry (collection) day"),
                end: Day = Query(alias="to", description="The last entry day (inclusive)"),
                format: Literal["json", "csv"] = "json", limit: Limit = 100,
                offset: Offset = 0) -> list[CollectionView] | Response:
    """Staff: the collections with an entry day in the period, by entry day, a page at a time. `format=csv`
    for a spreadsheet of the whole period (no paging)."""
    if format == "csv":
        return Response(dd_views.as_csv(dd_views.collections_between(ctx, who, start, end), dd_views.COLLECTION_COLUMNS),
                        media_type="text/csv")
    return dd_views.collections_between(ctx, who, start, end, limit, offset)


@router.get("/direct-debit/returns", response_model=list[ReturnView], responses=also_as("text/csv"))
def returns(ctx: Ctx, who: Caller,
            status: Literal["recorded", "handled", "unmatched"] | None = Query(None, description="Only this status"),
            format: Literal["json", "csv"] = "json", limit: Limit = 100,
            offset: Offset = 0) -> list[ReturnView] | Response:
    """Staff: the returns (ARUDD) and mandate changes (ADDACS, AUDDIS) recorded, oldest first, with each reason
    and whether it may be re-presented (only ARUDD 0, PAY-6), a page at a time. `format=csv` for a spreadsheet
    of all of them (no paging)."""
    if format == "csv":
        return Response(dd_views.as_csv(dd_views.returns_list(ctx, who, status), dd_views.RETURN_COLUMNS), media_type="text/csv")
    return dd_views.returns_list(ctx, who, status, limit, offset)

"""REST resources: regulatory reporting and fraud checks (issue 5 parts 5 and 6). Staff only.

* The Motor Insurance Database (REG-1): the updates by status, overdue or flagged; one update with its
  clock; send what is due now; send a correction after a rejection. A policy's MID status is the `mid`
  block of GET /policies/{id}.
* The Claims and Underwriting Exchange (REG-2): the reports; send what is due now.
* Fraud checks (REG-3): the referrals waiting for review, a customer's checks, one check; review
  (cleared or confirmed) and re-check one the agency did not answer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field, StringConstraints

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import MultiLine, RequestBody
from covernote.regulatory.results import (
    CueReportList,
    CueReportView,
    CueSendRun,
    FraudCheckList,
    FraudCheckView,
    FraudRecheck,
    FraudReferralList,
    MidSendRun,
    MidUpdateDetail,
    MidUpdateList,
    MidUpdateView,
)
from covernote.regulatory.usecases import cue, fraud, mid

router = APIRouter(tags=["regulatory"], route_class=OneHopRoute)


class SendIn(RequestBody):
    retry_now: bool = Field(default=False, description="Also send those still waiting out their back-off")
    limit: int = Field(default=500, ge=1, le=5000, description="At most this many in this run")


class ReviewIn(RequestBody):
    decision: Literal["cleared", "confirmed"] = Field(description="cleared (nothing found) or confirmed (a fraud)")
    note: Annotated[str, MultiLine, StringConstraints(max_length=5000)] = Field(description="What was found")


# -- Motor Insurance Database ------------------------------------------------------------------------------


@router.get("/mid/updates")
def mid_updates(ctx: Ctx, who: Caller,
                status: str | None = Query(None, description="pending, sent, rejected or superseded"),
                overdue: bool = Query(False, description="Only those not on the MID by their due time"),
                flagged: bool = Query(False, description="Only open ones with a registration flagged or rejected"),
                policy_id: str | None = Query(None, description="One policy (id or number)"),
                limit: Limit = 100, offset: Offset = 0) -> MidUpdateList:
    """Staff: MID updates (REG-1), soonest due first, each with its registrations and any flag."""
    return mid.list_updates(ctx, who, status=status, overdue=overdue, flagged=flagged, policy_id=policy_id,
                            limit=limit, offset=offset)


@router.get("/mid/updates/{update_id}")
def mid_update(ctx: Ctx, who: Caller, update_id: str) -> MidUpdateDetail:
    """One MID update: the record sent, the bureau's answer and the clock."""
    return mid.get_update(ctx, who, update_id)


@router.post("/mid/send")
def mid_send(ctx: Ctx, who: Caller, body: SendIn | None = None) -> MidSendRun:
    """Send the MID updates due now (what `covernote jobs mid-send` does)."""
    b = body or SendIn()
    return mid.send_pending(ctx, who, retry_now=b.retry_now, limit=b.limit)


@router.post("/mid/updates/{update_id}/correction", status_code=201)
def mid_correction(ctx: Ctx, who: Caller, update_id: str) -> MidUpdateView:
    """After a rejection is put right, queue a fresh picture of the policy year; it supersedes the rejected
    update when the MID accepts it."""
    return mid.send_correction(ctx, who, update_id)


# -- Claims and Underwriting Exchange -------------------------------------------------------------------------


@router.get("/cue/reports")
def cue_reports(ctx: Ctx, who: Caller, status: str | None = Query(None, description="pending, sent or rejected"),
                limit: Limit = 100, offset: Offset = 0) -> CueReportList:
    """Staff: incidents and claims reported (or to report) to the Claims and Underwriting Exchange (REG-2)."""
    return cue.list_reports(ctx, who, status=status, limit=limit, offset=offset)


@router.get("/cue/reports/{report_id}")
def cue_report(ctx: Ctx, who: Caller, report_id: str) -> CueReportView:
    return cue.get_report(ctx, who, report_id)


@router.post("/cue/send")
def cue_send(ctx: Ctx, who: Caller, body: SendIn | None = None) -> CueSendRun:
    """Send the CUE reports due now (what `covernote jobs cue-send` does)."""
    b = body or SendIn()
    return cue.send_pending(ctx, who, retry_now=b.retry_now, limit=b.limit)


# -- fraud checks -------------------------------------------------------------------------------------------------


@router.get("/fraud/referrals")
def fraud_referrals(ctx: Ctx, who: Caller,
                    status: str = Query("open", description="open (waiting), cleared, confirmed or rechecked"),
                    limit: Limit = 100, offset: Offset = 0) -> FraudReferralList:
    """Staff: fraud checks waiting for review (REG-3): referred, matched, or not answered by the agency."""
    return fraud.list_referrals(ctx, who, status=status, limit=limit, offset=offset)


@router.get("/customers/{customer_id}/fraud-checks")
def fraud_checks(ctx: Ctx, who: Caller, customer_id: str, limit: Limit = 100,
                 offset: Offset = 0) -> FraudCheckList:
    """Staff: every fraud check made on a customer."""
    return fraud.list_checks(ctx, who, customer_id, limit, offset)


@router.get("/fraud/checks/{check_id}")
def fraud_check(ctx: Ctx, who: Caller, check_id: str) -> FraudCheckView:
    return fraud.get_check(ctx, who, check_id)


@router.post("/fraud/checks/{check_id}/review")
def fraud_review(ctx: Ctx, who: Caller, check_id: str, body: ReviewIn) -> FraudCheckView:
    """Decide a referral: cleared, or confirmed (a fraud marker is recorded). To void a live policy for a
    confirmed fraud, POST /policies/{id}/voidance (POL-4: the premium is kept)."""
    return fraud.review(ctx, who, check_id, body.decision, body.note)


@router.post("/fraud/checks/{check_id}/recheck")
def fraud_recheck(ctx: Ctx, who: Caller, check_id: str) -> FraudRecheck:
    """Check again a check the agency did not answer."""
    return fraud.recheck(ctx, who, check_id)

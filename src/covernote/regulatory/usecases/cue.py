"""Claims and Underwriting Exchange reports (REG-2, S3: "When you tell us about an incident we will pass
information relating to it to the MID and CUE").

`report_claim_to_cue(ctx, uow, ...)` queues a report in the caller's unit of work (an outbox: the report
exists if and only if the incident or claim does). The handlers in regulatory/usecases/handlers.py call it
when an incident is recorded on a policy (PolicyTransactionRecorded) and when a claim is notified
(ClaimNotified, with the claim's id). A claim reported
for an incident transaction already reported is the same report (the claim id is added to it), so an
incident is never reported twice. `send_pending` (`covernote jobs cue-send`, `POST /cue/send`) sends what
is due through the CueGateway: accepted, rejected (kept, flagged for staff with the reason) or no answer
(tried again on a later run, after a back-off; the exchange answers a retry of the same report id once).
Each report the exchange received records a disclosure (PRV-6) to the claims database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.declarations import Category
from covernote.kernel.errors import FieldIssue, NotFound, ServiceUnavailable, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.policy.domain.risk import normalise_registration
from covernote.policy.domain.term import risk_timeline
from covernote.privacy.usecases.disclosures import record_disclosure
from covernote.regulatory.domain import mid as mid_rules
from covernote.regulatory.ports import BureauRejected, BureauUnavailable, CueGateway, CueReport
from covernote.regulatory.results import CueReportList, CueReportView, CueSendResult, CueSendRun

RECIPIENT_KIND = "claims_database"
PURPOSE = "fraud_prevention"  # CUE exists so insurers can detect fraud and underwrite on claims history
CATEGORIES = (Category.CLAIMS_HISTORY.value, Category.VEHICLE.value, Category.IDENTITY.value,
              Category.CONTRACT.value)
VIA = "cue"
STATUSES = ("pending", "sent", "rejected")
SEND_LIMIT = 500


def _payload(policy: Policy, occurred_on: date, kind: str, claim_type: str, total_loss: bool,
             reference: str) -> dict[str, Any]:
    """What the exchange is told: the policy, the day, what happened, the insured vehicle and the named
    drivers on that day."""
    term = next((t for t in policy.terms() if t.period.start <= occurred_on < t.period.end), policy.term())
    risk = term.base_risk
    for stretch, r in risk_timeline(term.base_risk, term.period, term.adjustments):
        if stretch.start <= occurred_on < stretch.end:
            risk = r
    return {"policy_number": policy.number, "incident_on": occurred_on.isoformat(), "kind": kind,
            "claim_type": claim_type, "total_loss": total_loss, "claim_reference": reference or None,
            "registration": normalise_registration(risk.vehicle.registration),
            "drivers": [d.name for d in risk.drivers]}


def report_claim_to_cue(ctx: AppContext, uow: UnitOfWork, *, policy: Policy, occurred_on: date,
                        kind: str = "claim", claim_type: str = "other", total_loss: bool = False,
                        reference: str = "", claim_id: str | None = None, transaction_id: str | None = None,
                        recorded_by: str = SYSTEM.user_id) -> CueReport | None:
    """Queue the report of an incident or claim to the Claims and Underwriting Exchange (REG-2), in the
    caller's unit of work; sent by `send_pending`. Idempotent: a report already made for the same
    `claim_id` or `transaction_id` is returned (a claim id given for an incident already reported is added
    to it). None for a product the exchange does not take (only motor insurance is reported)."""
    if kind not in ("claim", "incident"):
        raise ValidationFailed("the report cannot be made", [FieldIssue("kind", "must be claim or incident")])
    existing = (uow.cue_reports.by_claim(claim_id) if claim_id else None) or \
        (uow.cue_reports.by_transaction(transaction_id) if transaction_id else None)
    if existing is not None:
        if claim_id and existing.claim_id is None:
            existing = uow.cue_reports.save(replace(existing, claim_id=claim_id))
        return existing
    term = next((t for t in policy.terms() if t.period.start <= occurred_on < t.period.end), policy.term())
    if not mid_rules.applies_to(ctx.catalogue.by_ref(term.product_ref).line):
        return None
    now = ctx.clock.now()
    report = CueReport(new_id("cue"), policy.policy_id, policy.customer_id, claim_id, transaction_id, occurred_on, kind,
                       _payload(policy, occurred_on, kind, claim_type, total_loss, reference), now, recorded_by,
                       next_attempt_at=now)
    uow.cue_reports.add(report)
    return report


def report_incident(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction) -> CueReport | None:
    """The report owed for a recorded incident or claim (a policy transaction of kind incident)."""
    event = txn.details["event"]
    return report_claim_to_cue(ctx, uow, policy=policy, occurred_on=date.fromisoformat(event["occurred_on"]),
                               kind=event["kind"], claim_type=event.get("claim_type") or "other",
                               total_loss=bool(event.get("total_loss")), reference=event.get("reference") or "",
                               transaction_id=txn.transaction_id, recorded_by=txn.actor.user_id)


def report_view(r: CueReport) -> CueReportView:
    return {"id": r.report_id, "policy_id": r.policy_id, "customer_id": r.customer_id, "claim_id": r.claim_id,
            "transaction_id": r.transaction_id, "incident_on": r.incident_on.isoformat(), "kind": r.kind,
            "status": r.status, "created_at": r.created_at.isoformat(), "attempts": r.attempts,
            "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at and r.status == "pending" else None,
            "last_error": r.last_error, "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            "reference": r.reference, "reject_code": r.reject_code, "reject_reason": r.reject_reason,
            "payload": r.payload}


def _gateway(ctx: AppContext) -> CueGateway:
    if ctx.cue is None:
        raise ServiceUnavailable("no Claims and Underwriting Exchange gateway is configured; reports stay pending",
                                 [FieldIssue("cue", "configure the CUE adapter (bootstrap.py)")])
    return ctx.cue


SEND_TASK = "CUE reports sent or looked at"


def send_pending(ctx: AppContext, principal: Principal = SYSTEM, *, retry_now: bool = False,
             limit: int = SEND_LIMIT, progress: Progress = no_progress) -> CueSendRun:
    """Send the CUE reports that are due (REG-2). `retry_now`: also those waiting out their back-off."""
    require_staff(principal, "send CUE reports")
    if not 1 <= limit <= 5000:
        raise ValidationFailed("the batch size is out of range", [FieldIssue("limit", "from 1 to 5000")])
    gateway = _gateway(ctx)
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        due = uow.cue_reports.due(None if retry_now else now, limit)
    counts = {"sent": 0, "rejected": 0, "retry_later": 0, "skipped": 0}
    results: list[CueSendResult] = []
    progress(SEND_TASK, 0, len(due))
    for n, r in enumerate(due, start=1):
        outcome, result = _send_one(ctx, gateway, principal, r, now)
        counts[outcome] += 1
        results.append(result)
        progress(SEND_TASK, n, len(due))
    return {"as_at": now.isoformat(), "sent": counts["sent"], "rejected": counts["rejected"],
            "retry_later": counts["retry_later"], "skipped": counts["skipped"], "results": results}


def _send_one(ctx: AppContext, gateway: CueGateway, principal: Principal, r: CueReport,
              now: datetime) -> tuple[str, CueSendResult]:
    answer: Any
    try:
        answer = gateway.report(r.report_id, r.payload)
    except (BureauRejected, BureauUnavailable) as exc:
        answer = exc
    with ctx.uow() as uow:
        cur = uow.cue_reports.get(r.report_id)
        if cur is None or cur.version != r.version or cur.status != "pending":
            return "skipped", {"report_id": r.report_id, "outcome": "skipped", "why": "changed by another sender"}
        tried = replace(cur, attempts=cur.attempts + 1, last_attempt_at=now)
        if isinstance(answer, BureauUnavailable):
            wait = mid_rules.backoff(tried.attempts)
            uow.cue_reports.save(replace(tried, next_attempt_at=now + wait, last_error=str(answer)))
            uow.commit()
            return "retry_later", {"report_id": r.report_id, "outcome": "retry_later", "why": str(answer),
                                   "next_attempt_at": (now + wait).isoformat()}
        record_disclosure(uow, customer_id=cur.customer_id, policy_id=cur.policy_id, recipient=gateway.name,
                          recipient_kind=RECIPIENT_KIND, purpose=PURPOSE, categories=CATEGORIES,
                          reference=answer.reference, via=VIA, recorded_by=principal.user_id, at=now)
        if isinstance(answer, BureauRejected):
            uow.cue_reports.save(replace(tried, status="rejected", reject_code=answer.code, reject_reason=answer.reason,
                                         next_attempt_at=None, last_error=None))
            uow.commit()
            return "rejected", {"report_id": r.report_id, "outcome": "rejected", "reject_code": answer.code,
                                "why": answer.reason}
        uow.cue_reports.save(replace(tried, status="sent", sent_at=now, reference=answer.reference,
                                     next_attempt_at=None, last_error=None))
        uow.commit()
    return "sent", {"report_id": r.report_id, "outcome": "sent", "reference": answer.reference}


def list_reports(ctx: AppContext, principal: Principal, *, status: str | None = None, limit: int = 100,
                 offset: int = 0) -> CueReportList:
    require_staff(principal, "see CUE reports")
    check_listing(limit, offset, status=status, statuses=STATUSES)
    with ctx.uow(read_only=True) as uow:
        found = uow.cue_reports.page(status, limit, offset)
    return {"status": status, "reports": [report_view(r) for r in found]}


def get_report(ctx: AppContext, principal: Principal, report_id: str) -> CueReportView:
    require_staff(principal, "see CUE reports")
    with ctx.uow(read_only=True) as uow:
        r = uow.cue_reports.get(report_id)
    if r is None:
        raise NotFound("no such CUE report", [FieldIssue("report_id", f"no CUE report {report_id}")])
    return report_view(r)

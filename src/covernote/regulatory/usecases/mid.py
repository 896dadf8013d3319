"""Motor Insurance Database updates (REG-1): an outbox written with each transaction, a sender, the staff
lists and the policy's MID status.

* `record_mid_update(ctx, uow, policy, txn)` runs (regulatory/usecases/handlers.py, on
  PolicyTransactionRecorded) for bind, renewal, cancellation, voidance and every adjustment (it decides: only a change of vehicle or named drivers makes an update), in the transaction's
  own unit of work: the update and its clock (`mid.update_private`, 7 days, or `mid.update_fleet`, 14,
  regulatory/domain/mid.py `clock_rule`) exist if and only if the transaction does.
* `send_pending` (`covernote jobs mid-send`, `POST /mid/send`) sends what is due through the MidGateway, in
  order per policy, each a full picture of the term. Accepted: the clock is met then, and any earlier
  rejected update of the same term is superseded (its clock met too: the MID now holds the right picture).
  Rejected: the update stays open and flagged for staff with the bureau's reason; its clock keeps running.
  No answer: it stays pending and is tried again on a later run, after a growing back-off; the bureau
  answers a retry of the same update id as it answered the first call, so nothing is recorded twice.
* Each update the bureau received (accepted or rejected) records a disclosure (PRV-6) to the MID.
* `policy_mid` is the `mid` block of GET /policies/{id}: the last update's status and every reason the MID
  may be wrong about the policy's registrations (S1: a wrong registration must be impossible to miss).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from typing_extensions import TypedDict, Unpack

from covernote.clocks import usecases as clocks
from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.calendar import nation_for_postcode
from covernote.kernel.declarations import Category
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ServiceUnavailable, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.codec import adjustment_from_dict
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.policy.domain.term import risk_timeline
from covernote.policy.usecases.lookup import find_policy
from covernote.privacy.usecases.disclosures import record_disclosure
from covernote.regulatory.domain import mid as rules
from covernote.regulatory.ports import BureauRejected, BureauUnavailable, MidGateway, MidUpdate
from covernote.regulatory.results import (
    MidFlag,
    MidSendResult,
    MidSendRun,
    MidUpdateDetail,
    MidUpdateList,
    MidUpdateView,
    PolicyMid,
)

SUBJECT_KIND = "mid_update"
TEAM = "underwriting"
RECIPIENT_KIND = "motor_insurance_database"
PURPOSE = "regulatory_reporting"
CATEGORIES = (Category.VEHICLE.value, Category.IDENTITY.value, Category.CONTRACT.value)
VIA = "mid"
STATUSES = ("pending", "sent", "rejected", "superseded")
SEND_LIMIT = 500


def _changes_mid(txn: PolicyTransaction) -> bool:
    if txn.kind != "mta":
        return True
    return rules.mta_changes_mid(adjustment_from_dict(txn.details["adjustment"]).changes)


def record_mid_update(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction) -> MidUpdate | None:
    """The MID update a transaction owes (REG-1), with its clock started at the transaction's time, in the
    transaction's unit of work; None when it owes none (not a motor product, an adjustment that changes no
    vehicle or driver, a transaction kind the MID does not care about). `policy.transactions` must include
    `txn`."""
    trigger = rules.TRIGGERS.get(txn.kind)
    if trigger is None or not _changes_mid(txn):
        return None
    term = policy.term(txn.term_no)
    if not rules.applies_to(ctx.catalogue.by_ref(term.product_ref).line):
        return None
    record = rules.snapshot(policy.number, term)
    latest_risk = risk_timeline(term.base_risk, term.period, term.adjustments)[-1][1]
    rule = rules.clock_rule(latest_risk.answer("use"))
    at = txn.recorded_at
    update_id = new_id("mid")
    deadline = clocks.start(uow, rule, SUBJECT_KIND, update_id, at, customer_id=policy.customer_id,
                            nation=nation_for_postcode(latest_risk.postcode), team=TEAM,
                            note=f"Motor Insurance Database update ({trigger.replace('_', ' ')})")
    update = MidUpdate(update_id, policy.policy_id, policy.customer_id, txn.transaction_id, term.term_no, trigger,
                       rule, record.as_dict(), [i.as_dict() for i in rules.record_issues(record, ctx.today())], at,
                       txn.actor.user_id, deadline.due(at).due_at, next_attempt_at=at)
    uow.mid_updates.add(update)
    return update


# -- views ---------------------------------------------------------------------------------------------


def is_overdue(u: MidUpdate, now: datetime) -> bool:
    """Not accepted by the time the clock fell due: still open and past due, or accepted late."""
    if u.status == "sent":
        return u.sent_at is not None and u.sent_at >= u.due_at
    return u.open and now >= u.due_at


def update_view(u: MidUpdate, now: datetime, with_record: bool = True) -> MidUpdateView:
    out: MidUpdateView = {
        "id": u.update_id, "policy_id": u.policy_id, "policy_number": u.record.get("policy_number"),
        "customer_id": u.customer_id, "transaction_id": u.transaction_id, "term_no": u.term_no,
        "trigger": u.trigger, "rule": u.rule, "status": u.status, "created_at": u.created_at.isoformat(),
        "due_at": u.due_at.isoformat(), "overdue": is_overdue(u, now), "attempts": u.attempts,
        "next_attempt_at": u.next_attempt_at.isoformat() if u.next_attempt_at and u.status == "pending" else None,
        "last_attempt_at": u.last_attempt_at.isoformat() if u.last_attempt_at else None,
        "last_error": u.last_error, "action": u.action, "sent_at": u.sent_at.isoformat() if u.sent_at else None,
        "reference": u.reference, "reject_code": u.reject_code, "reject_reason": u.reject_reason,
        "what_to_do": rules.REJECTIONS.get(u.reject_code or "") if u.status == "rejected" else None,
        "superseded_by": u.superseded_by,
        "registrations": [v["registration"] for v in u.record.get("vehicles", [])],
        "registration_issues": u.registration_issues,
    }
    if with_record:
        out["record"] = u.record
    return out


class _FlagAbout(TypedDict, total=False):
    """What a flag concerns, when it concerns one registration or update."""

    registration: str
    update_id: str
    reject_code: str | None


def _flag(code: str, severity: str, message: str, **about: Unpack[_FlagAbout]) -> MidFlag:
    return {"code": code, "severity": severity, "message": message, **about}


def policy_mid(ctx: AppContext, uow: UnitOfWork, policy: Policy) -> PolicyMid:
    """The policy's MID status (REG-1, S1 section 11): the registrations it covers, those the MID holds for
    the current term (from the last accepted update), whether they differ, and a flag for every reason the
    MID may be wrong: a registration not in a UK format or never issued, an update rejected by the bureau,
    an update overdue, the MID not yet holding the term."""
    term = policy.term()
    if not rules.applies_to(ctx.catalogue.by_ref(term.product_ref).line):
        return {"applies": False, "reason": "not motor insurance: nothing is sent to the Motor Insurance Database"}
    now, today = ctx.clock.now(), ctx.today()
    current = rules.snapshot(policy.number, term)
    updates = uow.mid_updates.for_policy(policy.policy_id)
    accepted = [u for u in updates if u.term_no == term.term_no and u.status == "sent"]
    held = rules.MidRecord.from_dict(accepted[-1].record) if accepted else None
    on_mid = list(held.registrations) if held else None
    diff = rules.registration_mismatch(current.registrations, on_mid)
    flags = [_flag(i.code, i.severity, f"{i.registration}: {i.message}", registration=i.registration)
             for i in rules.record_issues(current, today)]
    for u in updates:
        if u.status == "rejected":
            flags.append(_flag("rejected_by_mid", "error", f"the MID rejected the {u.trigger.replace('_', ' ')} "
                               f"update ({u.reject_code}: {u.reject_reason}); {rules.REJECTIONS.get(u.reject_code or '', '')}",
                               update_id=u.update_id, reject_code=u.reject_code))
        if u.open and now >= u.due_at:
            flags.append(_flag("overdue", "error", f"the {u.trigger.replace('_', ' ')} update was due on the MID by "
                               f"{u.due_at.isoformat()} and is {u.status}", update_id=u.update_id))
    if held is not None and (diff["missing_on_mid"] or diff["only_on_mid"]):
        flags.append(_flag("mismatch", "error", "the MID does not show the registrations the policy covers: "
                           f"missing {', '.join(diff['missing_on_mid']) or 'none'}; shown but not covered "
                           f"{', '.join(diff['only_on_mid']) or 'none'}"))
    elif held is None:
        late = not updates or any(f["code"] == "overdue" for f in flags)
        flags.append(_flag("not_on_mid", "error" if late else "warning", "the MID does not yet hold this policy year"
                           + ("" if updates else ": no update was ever recorded for it")))
    last = updates[-1] if updates else None
    return {
        "applies": True, "status": last.status if last else "none",
        "in_step": held is not None and held == current and not any(u.open for u in updates),
        "registrations": list(current.registrations), "registrations_on_mid": on_mid,
        "mismatch": bool(diff["missing_on_mid"] or diff["only_on_mid"]),
        "missing_on_mid": diff["missing_on_mid"], "only_on_mid": diff["only_on_mid"],
        "flags": flags, "last_update": update_view(last, now, with_record=False) if last else None,
        "updates": len(updates),
    }


# -- use cases -----------------------------------------------------------------------------------------------


def _gateway(ctx: AppContext) -> MidGateway:
    if ctx.mid is None:
        raise ServiceUnavailable("no Motor Insurance Database gateway is configured; updates stay pending",
                                 [FieldIssue("mid", "configure the MID adapter (bootstrap.py)")])
    return ctx.mid


SEND_TASK = "MID updates sent or looked at"


def send_pending(ctx: AppContext, principal: Principal = SYSTEM, *, retry_now: bool = False,
             limit: int = SEND_LIMIT, progress: Progress = no_progress) -> MidSendRun:
    """Send the MID updates that are due (REG-1): each policy's in the order they were made. `retry_now`:
    also those still waiting out their back-off. Safe to run at any time and from several places: a row
    changed by another sender meanwhile is left to it."""
    require_staff(principal, "send MID updates")
    if not 1 <= limit <= 5000:
        raise ValidationFailed("the batch size is out of range", [FieldIssue("limit", "from 1 to 5000")])
    gateway = _gateway(ctx)
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        due = uow.mid_updates.due(None if retry_now else now, limit)
    counts = {"sent": 0, "rejected": 0, "retry_later": 0, "waiting": 0, "skipped": 0}
    results: list[MidSendResult] = []
    progress(SEND_TASK, 0, len(due))
    for n, u in enumerate(due, start=1):
        if n > 1:
            progress(SEND_TASK, n - 1, len(due))
        with ctx.uow(read_only=True) as uow:
            siblings = uow.mid_updates.for_policy(u.policy_id)
        earlier = [x for x in siblings if x.status == "pending" and (x.created_at, x.update_id) < (u.created_at, u.update_id)]
        if earlier:
            counts["waiting"] += 1
            results.append({"update_id": u.update_id, "outcome": "waiting",
                            "why": f"update {earlier[0].update_id} of the same policy goes first"})
            continue
        action = rules.action_for(u.trigger, any(x.status == "sent" for x in siblings))
        outcome, result = _send_one(ctx, gateway, principal, u, action, now)
        counts[outcome] += 1
        results.append(result)
    progress(SEND_TASK, len(due), len(due))
    return {"as_at": now.isoformat(), "sent": counts["sent"], "rejected": counts["rejected"],
            "retry_later": counts["retry_later"], "waiting": counts["waiting"], "skipped": counts["skipped"],
            "results": results}


def _send_one(ctx: AppContext, gateway: MidGateway, principal: Principal, u: MidUpdate, action: str,
              now: datetime) -> tuple[str, MidSendResult]:
    answer: Any
    try:
        answer = gateway.submit(u.update_id, action, u.record)
    except BureauRejected as exc:
        answer = exc
    except BureauUnavailable as exc:
        answer = exc
    with ctx.uow() as uow:
        cur = uow.mid_updates.get(u.update_id)
        if cur is None or cur.version != u.version or cur.status != "pending":
            return "skipped", {"update_id": u.update_id, "outcome": "skipped", "why": "changed by another sender"}
        tried = replace(cur, attempts=cur.attempts + 1, last_attempt_at=now, action=action)
        if isinstance(answer, BureauUnavailable):
            wait = rules.backoff(tried.attempts)
            uow.mid_updates.save(replace(tried, next_attempt_at=now + wait, last_error=str(answer)))
            uow.commit()
            return "retry_later", {"update_id": u.update_id, "outcome": "retry_later", "why": str(answer),
                                   "next_attempt_at": (now + wait).isoformat()}
        reference = answer.reference
        record_disclosure(uow, customer_id=cur.customer_id, policy_id=cur.policy_id, recipient=gateway.name,
                          recipient_kind=RECIPIENT_KIND, purpose=PURPOSE, categories=CATEGORIES, reference=reference,
                          via=VIA, recorded_by=principal.user_id, at=now)
        if isinstance(answer, BureauRejected):
            uow.mid_updates.save(replace(tried, status="rejected", reject_code=answer.code, reject_reason=answer.reason,
                                         next_attempt_at=None, last_error=None))
            uow.commit()
            return "rejected", {"update_id": u.update_id, "outcome": "rejected", "reject_code": answer.code,
                                "why": answer.reason, "what_to_do": rules.REJECTIONS.get(answer.code)}
        uow.mid_updates.save(replace(tried, status="sent", sent_at=now, reference=reference, next_attempt_at=None,
                                     last_error=None))
        clocks.meet(uow, SUBJECT_KIND, u.update_id, u.rule, now)
        superseded = []
        for old in uow.mid_updates.for_policy(u.policy_id):
            if old.status == "rejected" and old.term_no == u.term_no and old.created_at <= u.created_at:
                uow.mid_updates.save(replace(old, status="superseded", superseded_by=u.update_id))
                clocks.meet(uow, SUBJECT_KIND, old.update_id, old.rule, now)
                superseded.append(old.update_id)
        uow.commit()
    return "sent", {"update_id": u.update_id, "outcome": "sent", "reference": reference, "action": action,
                    "superseded": superseded}


def send_correction(ctx: AppContext, principal: Principal, update_id: str) -> MidUpdateView:
    """Staff send a fresh picture of the term after a rejection (once the cause is put right: the bureau's
    records, or the policy through an adjustment). It is queued now, due when the rejected update was, and
    when accepted supersedes it (meeting its clock)."""
    require_staff(principal, "send MID corrections")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        u = uow.mid_updates.get(update_id)
        if u is None:
            raise NotFound("no such MID update", [FieldIssue("update_id", f"no MID update {update_id}")])
        if u.status != "rejected":
            raise Conflict(f"the update is {u.status}: only a rejected update is corrected",
                           [FieldIssue("update_id", f"is {u.status}")])
        policy = uow.policies.get(u.policy_id)
        assert policy is not None
        record = rules.snapshot(policy.number, policy.term(u.term_no))
        fresh = MidUpdate(new_id("mid"), u.policy_id, u.customer_id, None, u.term_no, rules.CORRECTION, u.rule,
                          record.as_dict(), [i.as_dict() for i in rules.record_issues(record, ctx.today())], now,
                          principal.user_id, u.due_at, next_attempt_at=now)
        uow.mid_updates.add(fresh)
        uow.commit()
    return update_view(fresh, now)


def list_updates(ctx: AppContext, principal: Principal, *, status: str | None = None, overdue: bool = False,
                 flagged: bool = False, policy_id: str | None = None, limit: int = 100,
                 offset: int = 0) -> MidUpdateList:
    """Staff: MID updates by status; `overdue`: not accepted by their due instant (open and past due, or
    accepted late); `flagged`: open ones with a registration flagged or rejected by the bureau."""
    require_staff(principal, "see MID updates")
    check_listing(limit, offset, status=status, statuses=STATUSES)
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        pid = None if policy_id is None else find_policy(uow, principal, policy_id).policy_id
        found = uow.mid_updates.page(status, now if overdue else None, flagged, pid, limit, offset)
    return {"as_at": now.isoformat(), "status": status, "overdue": overdue, "flagged": flagged,
            "updates": [update_view(u, now, with_record=False) for u in found]}


def get_update(ctx: AppContext, principal: Principal, update_id: str) -> MidUpdateDetail:
    require_staff(principal, "see MID updates")
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        u = uow.mid_updates.get(update_id)
        if u is None:
            raise NotFound("no such MID update", [FieldIssue("update_id", f"no MID update {update_id}")])
        deadlines = clocks.for_subject(ctx, uow, SUBJECT_KIND, update_id)
    return {**update_view(u, now), "deadlines": deadlines}

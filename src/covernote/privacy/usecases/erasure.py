"""Erasure on request (PRV-3, PRV-4): in scope - legal holds - still required, dry run first, then the
declared strategies, with each kept field explained.

The plan and the erasure are the same run: the plan runs it in a transaction that is rolled back, the
erasure runs it again and commits only if the result matches the plan the person was shown (its
fingerprint); if anything changed in between, the person must see the new plan first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.declarations import PersonalData
from covernote.kernel.errors import Conflict, FieldIssue, ServiceUnavailable
from covernote.kernel.retention import ECO_INSURANCE, RetentionRule, policy_ended_on
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy
from covernote.privacy.domain import erasure as rules
from covernote.privacy.domain.requests import RequestKind, RequestStatus, SubjectRequest
from covernote.privacy.usecases.disclosures import recipients_to_tell
from covernote.privacy.usecases.requests import load_request, request_view
from covernote.privacy.usecases.results import (
    ErasureCounts,
    ErasureDone,
    ErasureEffects,
    ErasurePlan,
    ErasureSummary,
)
from covernote.privacy.usecases.sensitive import erase_keys

# The tables erasure works through, children before parents.
ERASURE_TABLES = ("idempotency_keys", "consent_decisions", "pending_quotes", "policy_transactions", "quotes",
                  "ncd_proofs", "claim_payments", "claim_documents", "claim_correspondence", "claim_events",
                  "claim_parties", "claims", "mid_updates", "cue_reports", "deadlines", "print_requests",
                  "payment_notices", "document_renditions", "documents", "complaint_letters", "complaints", "sensitive_data",
                  "web_sign_in_failures", "web_sessions", "users", "instalments", "finance_agreements",
                  "payment_plans", "telematics_events", "telematics_journeys", "telematics_day_scores",
                  "telematics_devices", "policies", "processing_flags", "subject_requests",
                  "customers")
SENSITIVE_COLUMNS = ("licence_number", "health", "convictions", "bank_details")
ACCOUNTABILITY = rules.KeepReason(
    "accountability", "a record of your data protection requests and how we answered them, kept as evidence "
    "that we handled them lawfully (UK GDPR art. 5(2))", rules.ALL_PURPOSES)


def policy_retention(ctx: AppContext, policy: Policy) -> RetentionRule:
    """The retention rule for a policy's records: its product version's own (PRV-5), else the S1 seven years."""
    product = ctx.catalogue.by_ref(policy.term().product_ref)
    return product.retention.rule("policy") or ECO_INSURANCE


def ended_on(policy: Policy) -> date:
    """The day the policy ended, by the same rule the retention sweep uses."""
    term = policy.term()
    voided_on = next((t.effective_date for t in policy.transactions
                      if t.kind == "voidance" and t.term_no == term.term_no), None)
    return policy_ended_on(term.period.start, term.period.end, term.cancelled_from, voided_on)


def _policy_reasons(ctx: AppContext, policy: Policy, today: date,
                    claim_open: Mapping[str, bool] | None = None) -> list[rules.KeepReason]:
    out: list[rules.KeepReason] = []
    for event in policy.events():
        # A claim notified through FNOL (its reference is the claim id) is open until it is settled or closed;
        # one recorded only as an incident has no status, so it stays open.
        if event.kind == "claim" and (claim_open or {}).get(event.reference, True):
            out.append(rules.open_claim(policy.number, event.reference or event.occurred_on.isoformat()))
    status = policy.status(today)
    if status in ("live", "pending"):
        out.append(rules.live_contract(policy.number, policy.term().cover_end))
    else:
        rule = policy_retention(ctx, policy)
        until = rule.retain_until(ended_on(policy))
        if today <= until:
            out.append(rules.legal_retention(policy.number, until, rule.describe()))
    return out


class _Reasons:
    """Why each of one customer's records is kept, by scope."""

    def __init__(self, ctx: AppContext, uow: UnitOfWork, customer_id: str, request_id: str, today: date) -> None:
        self.policies = {p.policy_id: p for p in uow.policies.page(customer_id, 100_000, 0)}
        claims = uow.claims.for_customer(customer_id)
        self.claim_policy = {c.claim_id: c.policy_id for c in claims}  # the policy each claim is on
        claim_open = {c.claim_id: c.status.is_open for c in claims}
        self.by_policy: dict[str, list[rules.KeepReason]] = {
            pid: _policy_reasons(ctx, p, today, claim_open) for pid, p in self.policies.items()}
        self.customer: list[rules.KeepReason] = []
        if uow.fraud_markers.for_customer(customer_id):
            self.customer.append(rules.fraud_record())
        for hold in uow.holds.for_customer(customer_id):
            reason = rules.legal_hold(hold.reason, hold.review_on)
            if hold.scope == "customer":
                self.customer.append(reason)
            elif hold.scope == "policy" and hold.scope_id in self.by_policy:
                self.by_policy[hold.scope_id].append(reason)
            else:  # a claim: the policy holding that claim reference
                for pid, p in self.policies.items():
                    if any(e.reference == hold.scope_id for e in p.events()):
                        self.by_policy[pid].append(reason)
        self.every_policy = [r for rs in self.by_policy.values() for r in rs]
        # Complaints (CMP-3): kept while open, and three years after they close (FCA DISP 1.9).
        self.by_complaint: dict[str, list[rules.KeepReason]] = {
            c.complaint_id: [r] if (r := rules.complaint_keep_reason(c.complaint_id, c.closed_at, today)) is not None
            else []
            for c in uow.complaints.for_customer(customer_id)}
        self.request_id = request_id
        self.codes: dict[str, str] = {}  # the explanation given -> its reason code

    def keep_for(self, table: str) -> Callable[[str, PersonalData, Any], str | None]:
        def decide(reasons: list[rules.KeepReason], decl: PersonalData) -> str | None:
            found = rules.first_reason(decl, reasons)
            if found is None:
                return None
            self.codes[found.describe()] = found.code
            return found.describe()

        holds_only = [r for r in self.customer if r.code == "legal_hold"]
        if table == "idempotency_keys":  # a retry cache: only a legal hold keeps it
            return lambda loc, decl, row: decide(holds_only, decl)
        if table in ("processing_flags",):
            return lambda loc, decl, row: decide([rules.obey_objection()], decl)
        if table == "subject_requests":  # the case being answered; earlier cases' details go
            return lambda loc, decl, row: decide([ACCOUNTABILITY] if row.id == self.request_id else [], decl)
        if table == "complaints":
            return lambda loc, decl, row: decide(self.customer + self.by_complaint.get(row.id, []), decl)
        if table == "complaint_letters":
            return lambda loc, decl, row: decide(self.customer + self.by_complaint.get(row.complaint_id, []), decl)
        if table == "policies":
            return lambda loc, decl, row: decide(self.customer + self.by_policy.get(row.id, []), decl)
        if table == "claims":
            return lambda loc, decl, row: decide(self.customer + self.by_policy.get(row.policy_id, []), decl)
        if table.startswith("claim_"):  # a claim's people, history, letters, documents and payments
            return lambda loc, decl, row: decide(
                self.customer + self.by_policy.get(self.claim_policy.get(row.claim_id, ""), []), decl)
        if table in ("documents", "document_renditions", "print_requests"):  # each kept with what it belongs to
            return lambda loc, decl, row: decide(self.customer + self._owner_reasons(row), decl)
        if table in ("policy_transactions", "pending_quotes", "payment_notices"):
            return lambda loc, decl, row: decide(self.customer + self.by_policy.get(row.policy_id, []), decl)
        if table == "quotes":
            return lambda loc, decl, row: decide(
                self.customer + (self.by_policy.get(row.policy_id, []) if row.policy_id else []), decl)
        # The person's own record, logins, consents and sensitive fields: kept for any of their policies.
        return lambda loc, decl, row: decide(self.customer + self.every_policy, decl)

    def _owner_reasons(self, row: Any) -> list[rules.KeepReason]:
        """Why a document (its renditions, its paper copies) is kept: as its policy's records, as its complaint's
        (issue 14: a complaint's letters), or, for an access package, not at all (a copy of data held elsewhere;
        the request's own record stays with the requests)."""
        if row.owner_kind == "complaint":
            return self.by_complaint.get(row.owner_id, [])
        if row.owner_kind == "data_request":
            return []
        return self.by_policy.get(row.policy_id, [])

    def warnings(self, today: date) -> list[str]:
        return [f"policy {p.number} is live: its data is kept while it provides cover (until "
                f"{p.term().cover_end.isoformat()} or cancellation). Erasing it would end the cover: to have it "
                "erased, cancel the policy first, then ask again"
                for p in self.policies.values() if p.status(today) in ("live", "pending")]


_INDEX = re.compile(r"\[\d+\]")


def _summarise(result: Any) -> ErasureCounts:
    erased: dict[tuple[str, str, str], int] = {}
    for c in result.changed:
        key = (c.table, _INDEX.sub("[]", c.field), c.strategy)
        erased[key] = erased.get(key, 0) + 1
    kept: dict[tuple[str, str, str], int] = {}
    for k in result.kept:
        key = (k.table, _INDEX.sub("[]", k.field), k.reason)
        kept[key] = kept.get(key, 0) + 1
    return {
        "erased": [{"table": t, "field": f, "strategy": s, "values": n} for (t, f, s), n in sorted(erased.items())],
        "kept": [{"table": t, "field": f, "reason": r, "values": n} for (t, f, r), n in sorted(kept.items())],
        "rows_deleted": sorted({f"{t}/{i}" for t, i in result.deleted_rows}),
    }


def _run(ctx: AppContext, uow: UnitOfWork, q: SubjectRequest, now: datetime,
         today: date) -> tuple[ErasureSummary, dict[str, str]]:
    """Erase in `uow` (the caller commits or rolls back): the summary, and the reason code of each
    explanation given for keeping a value (`_for` hides those that must not be disclosed)."""
    if ctx.keyring is None:
        raise ServiceUnavailable("no keyring is configured: keyed hashes cannot be made")
    reasons = _Reasons(ctx, uow, q.customer_id, q.request_id, today)
    result = uow.subject_data.erase(q.customer_id, reasons.keep_for, ctx.keyring.keyed_hash, ERASURE_TABLES)
    counts = _summarise(result)
    effects: ErasureEffects = {}
    # Sensitive fields: drop the person's data key when none of them is kept; otherwise delete the
    # ciphertext of the fields not kept (the key must stay for those that are).
    sensitive_erased = sorted({c.field for c in result.changed if c.table == "sensitive_data"})
    sensitive_kept = {k.field for k in result.kept if k.table == "sensitive_data"}
    if sensitive_erased:
        if sensitive_kept:
            uow.subject_data.clear_sensitive_fields(q.customer_id, sensitive_erased)
        else:
            effects["keys_dropped"] = erase_keys(uow, q.customer_id)
    everything_gone = not result.kept or all(k.table in ("subject_requests", "processing_flags")
                                             for k in result.kept)
    if everything_gone:
        uow.subject_data.mark_erased(q.customer_id, now)
    if any(c.table == "users" for c in result.changed):  # a hashed token can never match: close the login
        effects["logins_closed"] = uow.subject_data.deactivate_users(q.customer_id)
    summary: ErasureSummary = {**counts, **effects, "warnings": reasons.warnings(today),
                               "recipients_to_tell": recipients_to_tell(uow, q.customer_id),
                               "fingerprint": _fingerprint(counts)}
    return summary, reasons.codes


# Shown to the person instead of the reason when the reason itself must not be disclosed: a legal hold
# (legal professional privilege) or a fraud marker (crime prevention), DPA 2018 Sch. 2 paras 19 and 2.
UNDISCLOSED = "kept where the law requires or allows us to keep it"


def _for(principal: Principal, summary: ErasureSummary, codes: dict[str, str]) -> ErasureSummary:
    if principal.role != "customer":
        return summary
    hidden = {text for text, code in codes.items() if code in ("legal_hold", "fraud_record")}
    return {**summary, "kept": [{**k, "reason": UNDISCLOSED} if k["reason"] in hidden else k
                                for k in summary["kept"]]}


def erases_nothing(plan: ErasureCounts) -> bool:
    """Whether a plan (or its summary) erases no value and deletes no row: every record is kept."""
    return not plan["erased"] and not plan["rows_deleted"]


def _fingerprint(counts: ErasureCounts) -> str:
    core = {"erased": counts["erased"], "kept": counts["kept"], "rows_deleted": counts["rows_deleted"]}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]


def _erasure_request(uow: UnitOfWork, principal: Principal, request_id: str) -> SubjectRequest:
    q = load_request(uow, principal, request_id)
    if q.kind is not RequestKind.ERASURE:
        raise Conflict(f"request {request_id} is a {q.kind.value} request, not erasure")
    if q.status is not RequestStatus.IN_PROGRESS:
        raise Conflict(f"the request is {q.status.value}: erasure needs a request in progress "
                       "(identity verified, nothing awaited from the person)")
    return q


def plan(ctx: AppContext, principal: Principal, request_id: str) -> ErasurePlan:
    """The dry run: exactly what erasure would erase and keep, why, and the effect on live cover. Nothing
    is changed, but the plan's fingerprint is recorded on the case: the erasure must match it."""
    now, today = ctx.clock.now(), ctx.today()
    with ctx.uow() as uow:
        q = _erasure_request(uow, principal, request_id)
        summary, codes = _run(ctx, uow, q, now, today)
        uow.rollback()
    with ctx.uow() as uow:
        q = _erasure_request(uow, principal, request_id)
        shown = q.with_outcome({"plan": summary["fingerprint"], "planned_at": now.isoformat()},
                               ("erasure_planned", f"plan {summary['fingerprint']} shown"))
        uow.requests.save(shown, principal.user_id, now)
        uow.commit()
    return {"request_id": request_id, "dry_run": True, **_for(principal, summary, codes)}


def apply(ctx: AppContext, principal: Principal, request_id: str, fingerprint: str) -> ErasureDone:
    """Erase as planned and close the case. Staff apply it (the person asked; their identity is verified)."""
    require_staff(principal, "apply an erasure")
    now, today = ctx.clock.now(), ctx.today()
    with ctx.uow() as uow:
        q = _erasure_request(uow, principal, request_id)
        if not q.outcome or q.outcome.get("plan") != fingerprint:
            raise Conflict("show the person the erasure plan first, then apply that plan",
                           [FieldIssue("fingerprint", "must be the fingerprint of the latest plan for this request")])
        summary, codes = _run(ctx, uow, q, now, today)
        if summary["fingerprint"] != fingerprint:
            uow.rollback()
            raise Conflict("the records changed since the plan was shown: show the person the new plan",
                           [FieldIssue("fingerprint", "out of date")])
        if erases_nothing(summary):
            uow.rollback()  # issue 13 item 22: nothing erased is not an erasure done, and the case stays open
            raise Conflict(f"nothing was erased: the plan keeps every record, for the reasons it gives, so request "
                           f"{request_id} is still in progress; tell the person why (refuse it with those reasons: "
                           f"POST /privacy/requests/{request_id}/refusal) or plan again once the records may go",
                           [FieldIssue("fingerprint", "the plan erases nothing")])
        outcome: dict[str, Any] = {
            "erased": summary["erased"], "kept": summary["kept"], "rows_deleted": summary["rows_deleted"],
            "warnings": summary["warnings"], "recipients_to_tell": summary["recipients_to_tell"], "plan": fingerprint}
        done = q.complete(outcome, now)
        done = replace(done, version=uow.requests.save(done, principal.user_id, now))
        uow.commit()
    ctx.token_cache.clear()  # a closed login must stop working now, not when its cache entry expires
    return {"request_id": request_id, "dry_run": False, **_for(principal, summary, codes),
            "request": request_view(done, today)}

"""Fraud prevention checks (REG-3): at quote, mid-term adjustment, renewal and claim, through the
FraudCheckGateway, each call recorded with a disclosure (PRV-6) in the caller's unit of work.

* `fraud_check(ctx, uow, stage, customer_id, policy_id, subject)` makes one check and records it (table
  fraud_checks), the disclosure to the agency and, for a match, a fraud marker (source "fraud_check"). It
  never refuses anything itself: it returns the outcome and what it means (regulatory/domain/fraud.py `decide`). It runs
  with stage "claim" when a claim is notified (regulatory/usecases/handlers.py, on ClaimNotified).
* `screen(...)` is what quote, adjustment and renewal call: the same check, and when the answer refuses the
  transaction (a match) the check, the marker and the disclosure are committed and a Conflict is raised
  that tells the customer only that the checks did not pass.
* A check the agency does not answer is recorded as "unavailable" and the transaction goes ahead with a
  referral for staff; `recheck` (or the job `covernote jobs fraud-recheck`) checks it again once the agency
  answers. Staff review referrals (`GET /fraud/referrals`): cleared, or confirmed as fraud (a marker is
  recorded if there was none; on a live policy staff then void it through POST /policies/{id}/voidance, POL-4).

The disclosure of every check is recorded as an ordinary disclosure the person is shown (S1 section 10:
"You have a legal right to obtain details of those fraud prevention agencies from whom we obtain and to
whom we pass information about you"): the agency, when, why and what was sent reach their access package
and their disclosure register. Since every check is shown alike, a shown check tells the person nothing
about the answer. Only case by case, where telling the person would be likely to prejudice the prevention
or detection of crime (DPA 2018 Sch. 2 para 2), staff or the DPO withhold one disclosure with the reason
recorded (`privacy/usecases/disclosures.py` `set_withheld`). The agency's answer and reasons stay out of
the package (the fraud_checks register is left out under the same exemption).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.declarations import Category
from covernote.kernel.errors import Conflict, DomainError, FieldIssue, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Customer, Policy, Quote
from covernote.policy.domain.risk import Change, Risk, normalise_registration
from covernote.policy.domain.term import risk_timeline
from covernote.privacy.ports import Disclosure, FraudMarker
from covernote.privacy.usecases.disclosures import disclosure_to_record
from covernote.regulatory.domain import fraud as rules
from covernote.regulatory.domain.fraud import FraudSubject
from covernote.regulatory.ports import (
    BureauUnavailable,
    FraudAnswer,
    FraudCheck,
    FraudCheckGateway,
    FraudRequest,
)
from covernote.regulatory.results import (
    FraudCheckList,
    FraudCheckView,
    FraudOutcomeView,
    FraudRecheck,
    FraudRecheckRun,
    FraudReferralList,
)

RECIPIENT_KIND = "fraud_agency"
PURPOSE = "fraud_prevention"
CATEGORIES = (Category.IDENTITY.value, Category.CONTACT.value, Category.VEHICLE.value)
VIA = "fraud_check"
NOT_CONFIGURED = "no fraud prevention agency is configured"
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class FraudOutcome:
    """A check made, and what it means for the transaction."""

    check_id: str
    result: str
    score: int | None
    proceed: bool
    review: bool
    marker_id: str | None

    def as_dict(self) -> FraudOutcomeView:
        return {"check_id": self.check_id, "result": self.result, "score": self.score, "proceed": self.proceed,
                "review": self.review, "marker_id": self.marker_id}


# -- subjects ---------------------------------------------------------------------------------------------


def subject_for(customer: Customer, reference: str, risks: list[Risk] | tuple[Risk, ...] = ()) -> FraudSubject:
    """What is sent for a check: the customer, and the vehicles and named drivers of `risks`."""
    regs = tuple(dict.fromkeys(normalise_registration(r.vehicle.registration) for r in risks))
    drivers = tuple(dict.fromkeys(d.name for r in risks for d in r.drivers if d.name != customer.name))
    postcode = next((r.postcode for r in risks), None) or customer.postcode
    return FraudSubject(reference, customer.name, customer.date_of_birth, customer.email or None, postcode, regs,
                        drivers)


def policy_risks(policy: Policy) -> list[Risk]:
    term = policy.term()
    return [risk for _stretch, risk in risk_timeline(term.base_risk, term.period, term.adjustments)]


def _subject(uow: UnitOfWork, customer_id: str, policy_id: str | None, subject: FraudSubject | str) -> FraudSubject:
    if isinstance(subject, FraudSubject):
        return subject
    policy = uow.policies.get(policy_id) if policy_id else None
    return subject_for(_customer(uow, customer_id), subject, policy_risks(policy) if policy is not None else [])


# -- the check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ask:
    """One check to make: what goes to the agency, about whom, when and by whom."""

    request: FraudRequest
    customer_id: str
    policy_id: str | None
    subject_ref: str
    at: datetime
    checked_by: str
    recheck_of: str | None = None


@dataclass(frozen=True)
class _Made:
    """One check answered (or not) and what it means: the rows it records and the outcome."""

    outcome: FraudOutcome
    check: FraudCheck
    marker: FraudMarker | None
    disclosure: Disclosure | None


def _ask(ctx: AppContext, stage: str, customer_id: str, policy_id: str | None, sent: FraudSubject,
         checked_by: str, recheck_of: str | None = None) -> _Ask:
    return _Ask(FraudRequest(new_id("frc"), stage, sent.as_dict()), customer_id, policy_id, sent.reference,
                ctx.clock.now(), checked_by, recheck_of)


def _check_stage(stage: str) -> None:
    if stage not in rules.STAGES:
        raise ValidationFailed("unknown fraud check stage", [FieldIssue("stage", f"one of {', '.join(rules.STAGES)}")])


def _made(gateway: FraudCheckGateway | None, ask: _Ask, answer: FraudAnswer | BureauUnavailable | None) -> _Made:
    """What the agency's answer (an exception: it did not answer; None: no agency configured) means for the
    check, decided by the rule (regulatory/domain/fraud.py `decide`), and the rows that record it."""
    stage, check_id = ask.request.stage, ask.request.check_id
    result, score, reference, error = "unavailable", None, None, NOT_CONFIGURED
    reasons: tuple[str, ...] = ()
    if isinstance(answer, FraudAnswer):
        result, score, reasons, reference, error = answer.result, answer.score, answer.reasons, answer.reference, ""
    elif answer is not None:
        error = str(answer)
    decision = rules.decide(stage, result)
    marker = None
    if decision.marker:
        marker = FraudMarker(new_id("frd"), ask.customer_id, ask.policy_id, rules.marker_reason(stage, score, reasons),
                             "fraud_check", reference, ask.at, ask.checked_by)
    marker_id = marker.marker_id if marker is not None else None
    check = FraudCheck(check_id, stage, ask.customer_id, ask.policy_id, ask.subject_ref, dict(ask.request.subject),
                       result, score, tuple(reasons), reference, ask.at, ask.checked_by,
                       "open" if decision.review else "none", marker_id, recheck_of=ask.recheck_of,
                       notes=(*decision.notes, *((f"no answer: {error}",) if error else ())))
    disclosure = None
    if gateway is not None:  # the person's details went to the agency (even when it did not answer in time)
        disclosure = disclosure_to_record(
            customer_id=ask.customer_id, policy_id=ask.policy_id, recipient=gateway.name,
            recipient_kind=RECIPIENT_KIND, purpose=PURPOSE, categories=CATEGORIES, reference=reference or check_id,
            via=VIA, recorded_by=ask.checked_by, at=ask.at)  # shown to the person (S1 section 10)
    return _Made(FraudOutcome(check_id, result, score, decision.proceed, decision.review, marker_id), check, marker,
                 disclosure)


def _record(uow: UnitOfWork, made: Sequence[_Made]) -> None:
    """Store the checks made, their markers and their disclosures: one insert each for any number of checks."""
    uow.fraud_markers.add_many([m.marker for m in made if m.marker is not None])
    uow.fraud_checks.add_many([m.check for m in made])
    uow.disclosures.add_many([m.disclosure for m in made if m.disclosure is not None])


def _answer(gateway: FraudCheckGateway | None, ask: _Ask) -> FraudAnswer | BureauUnavailable | None:
    if gateway is None:
        return None
    try:
        return gateway.check(ask.request.check_id, ask.request.stage, ask.request.subject)
    except BureauUnavailable as exc:
        return exc


def fraud_check(ctx: AppContext, uow: UnitOfWork, stage: str, customer_id: str, policy_id: str | None,
                subject: FraudSubject | str, *, checked_by: str = SYSTEM.user_id,
                recheck_of: str | None = None) -> FraudOutcome:
    """Check a person with the fraud prevention agency (REG-3) and record it in the caller's unit of work:
    the check (what was sent, the answer), the disclosure to the agency (PRV-6) and, for a match, a fraud
    marker. `subject`: what to send, or just a reference (a claim id, say) to send the customer and the
    policy's current vehicles and drivers under. Never raises for the agency's answer: an agency that does
    not answer (or none configured) gives result "unavailable", with a referral."""
    _check_stage(stage)
    ask = _ask(ctx, stage, customer_id, policy_id, _subject(uow, customer_id, policy_id, subject), checked_by,
               recheck_of)
    made = _made(ctx.fraud, ask, _answer(ctx.fraud, ask))
    _record(uow, [made])
    return made.outcome


def _fraud_checks(ctx: AppContext, uow: UnitOfWork, asks: Sequence[_Ask]) -> list[FraudOutcome]:
    """`fraud_check` of each ask, in one call to the agency (`check_many`) and one insert per table."""
    if not asks:
        return []
    gateway = ctx.fraud
    answers: Sequence[FraudAnswer | BureauUnavailable | None] = (
        [None] * len(asks) if gateway is None else gateway.check_many([a.request for a in asks]))
    made = [_made(gateway, ask, answer) for ask, answer in zip(asks, answers, strict=True)]
    _record(uow, made)
    return [m.outcome for m in made]


def refusal(stage: str) -> Conflict:
    """What a transaction refused by a check's answer raises: the customer-safe reason, naming `fraud_check`."""
    return Conflict(f"{rules.REFUSED_WHAT[stage].capitalize()} cannot be made: {rules.REFUSAL}",
                    [FieldIssue("fraud_check", "our fraud prevention checks did not pass")])


def screen(ctx: AppContext, uow: UnitOfWork, stage: str, customer_id: str, policy_id: str | None,
           subject: FraudSubject | str, *, checked_by: str = SYSTEM.user_id) -> FraudOutcome:
    """`fraud_check`, refusing the transaction when the answer says so (a match at quote, adjustment or
    renewal): the check, marker and disclosure are committed first (nothing else of the transaction has been
    written yet), then Conflict is raised naming `fraud_check` with the customer-safe reason."""
    outcome = fraud_check(ctx, uow, stage, customer_id, policy_id, subject, checked_by=checked_by)
    if not outcome.proceed:
        uow.commit()
        raise refusal(stage)
    return outcome


def _no_customer(customer_id: str) -> NotFound:
    return NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])


def _customer(uow: UnitOfWork, customer_id: str) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise _no_customer(customer_id)
    return customer


def screen_quote(ctx: AppContext, uow: UnitOfWork, principal: Principal, quote: Quote, risk: Risk,
                 customer: Customer | None = None) -> FraudOutcome:
    """REG-3 at quote: the customer (read here unless the caller has them) and the risk quoted; a match
    refuses the quote."""
    subject = subject_for(customer or _customer(uow, quote.customer_id), quote.quote_id, [risk])
    return screen(ctx, uow, "quote", quote.customer_id, None, subject, checked_by=principal.user_id)


def screen_adjustment(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy: Policy,
                      changes: Sequence[Change]) -> FraudOutcome:
    """REG-3 at a mid-term adjustment: the customer, the policy's vehicles and drivers and those the change
    brings in; a match refuses the change."""
    base = subject_for(_customer(uow, policy.customer_id), policy.policy_id, policy_risks(policy))
    regs = [normalise_registration(c.vehicle.registration) for c in changes if c.vehicle is not None]
    names = [c.driver.name for c in changes if c.driver is not None]
    subject = replace(base, registrations=tuple(dict.fromkeys([*base.registrations, *regs])),
                      drivers=tuple(dict.fromkeys([*base.drivers, *names])))
    return screen(ctx, uow, "mta", policy.customer_id, policy.policy_id, subject, checked_by=principal.user_id)


def screen_renewal(ctx: AppContext, uow: UnitOfWork, checked_by: str, policy: Policy) -> FraudOutcome:
    """REG-3 at renewal (when the invitation is made): a match means no invitation."""
    subject = _renewal_subject(_customer(uow, policy.customer_id), policy)
    return screen(ctx, uow, "renewal", policy.customer_id, policy.policy_id, subject, checked_by=checked_by)


def _renewal_subject(customer: Customer, policy: Policy) -> FraudSubject:
    """What a renewal's check sends: the customer, the policy's vehicles and named drivers this term."""
    return subject_for(customer, policy.policy_id, policy_risks(policy))


def screen_renewals(ctx: AppContext, uow: UnitOfWork, checked_by: str,
                    policies: Sequence[Policy]) -> list[FraudOutcome | DomainError]:
    """`screen_renewal` of each policy of a batch job's chunk, in order: its outcome, or the error
    `screen_renewal` raises for it (the refusal of a match; no such customer). The customers are read in one
    query, the agency asked once (`check_many`: an outage or a subject it does not answer is "unavailable"
    for that check, as one at a time) and the checks, markers and disclosures written in one insert each.
    Unlike `screen`, nothing is committed here: the caller commits the chunk's checks with its invitations."""
    customers = uow.customers.get_many([p.customer_id for p in policies])
    asks: list[_Ask] = []
    for policy in policies:
        customer = customers.get(policy.customer_id)
        if customer is not None:
            asks.append(_ask(ctx, "renewal", policy.customer_id, policy.policy_id, _renewal_subject(customer, policy),
                             checked_by))
    outcomes = iter(_fraud_checks(ctx, uow, asks))
    out: list[FraudOutcome | DomainError] = []
    for policy in policies:
        if policy.customer_id not in customers:
            out.append(_no_customer(policy.customer_id))
            continue
        outcome = next(outcomes)
        out.append(outcome if outcome.proceed else refusal("renewal"))
    return out


# -- staff -------------------------------------------------------------------------------------------------


def check_view(c: FraudCheck) -> FraudCheckView:
    return {"id": c.check_id, "stage": c.stage, "customer_id": c.customer_id, "policy_id": c.policy_id,
            "subject_ref": c.subject_ref, "result": c.result, "score": c.score, "reasons": list(c.reasons),
            "agency_reference": c.agency_reference, "checked_at": c.checked_at.isoformat(), "checked_by": c.checked_by,
            "review_status": c.review_status, "marker_id": c.marker_id,
            "reviewed_at": c.reviewed_at.isoformat() if c.reviewed_at else None, "reviewed_by": c.reviewed_by,
            "review_note": c.review_note, "recheck_of": c.recheck_of, "notes": list(c.notes),
            "suggested": _suggested(c), "subject": c.subject}


def _suggested(c: FraudCheck) -> str | None:
    if c.review_status != "open":
        return None
    if c.result == "unavailable":
        return f"re-check it now the agency answers: POST /fraud/checks/{c.check_id}/recheck"
    if c.result == "match" and c.policy_id:
        return (f"confirm or clear it (POST /fraud/checks/{c.check_id}/review); if confirmed on a live policy, void "
                f"the policy (POST /policies/{c.policy_id}/voidance: the premium is kept, POL-4)")
    return f"confirm or clear it: POST /fraud/checks/{c.check_id}/review"


def list_referrals(ctx: AppContext, principal: Principal, *, status: str = "open", limit: int = 100,
                   offset: int = 0) -> FraudReferralList:
    """Staff: checks waiting for review (refer, match, unavailable), oldest first; `status` another review
    status to see those decided."""
    require_staff(principal, "see fraud referrals")
    if status not in rules.REVIEW_STATUSES or status == "none":
        raise ValidationFailed("unknown review status",
                               [FieldIssue("status", f"one of {', '.join(s for s in rules.REVIEW_STATUSES if s != 'none')}")])
    check_listing(limit, offset)
    with ctx.uow(read_only=True) as uow:
        found = uow.fraud_checks.page(status, None, None, limit, offset)
    return {"status": status, "referrals": [check_view(c) for c in found]}


def list_checks(ctx: AppContext, principal: Principal, customer_id: str, limit: int = 100,
                offset: int = 0) -> FraudCheckList:
    """Staff: every check made on one customer, oldest first."""
    require_staff(principal, "see fraud checks")
    check_listing(limit, offset)
    with ctx.uow(read_only=True) as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        found = uow.fraud_checks.page(None, customer_id, None, limit, offset)
    return {"customer_id": customer_id, "checks": [check_view(c) for c in found]}


def get_check(ctx: AppContext, principal: Principal, check_id: str) -> FraudCheckView:
    require_staff(principal, "see fraud checks")
    with ctx.uow(read_only=True) as uow:
        c = uow.fraud_checks.get(check_id)
    if c is None:
        raise NotFound("no such fraud check", [FieldIssue("check_id", f"no fraud check {check_id}")])
    return check_view(c)


def _open_check(uow: UnitOfWork, check_id: str) -> FraudCheck:
    c = uow.fraud_checks.get(check_id)
    if c is None:
        raise NotFound("no such fraud check", [FieldIssue("check_id", f"no fraud check {check_id}")])
    if c.review_status != "open":
        raise Conflict(f"the check is not waiting for review ({c.review_status})",
                       [FieldIssue("check_id", f"review status is {c.review_status}")])
    return c


def review(ctx: AppContext, principal: Principal, check_id: str, decision: str, note: str) -> FraudCheckView:
    """Staff decide a referral: `cleared` (nothing found), or `confirmed` (a fraud: a marker is recorded if the
    check did not make one). Voiding a live policy is then the void use case (POL-4)."""
    require_staff(principal, "review fraud referrals")
    issues = []
    if decision not in rules.REVIEW_DECISIONS:
        issues.append(FieldIssue("decision", f"one of {', '.join(rules.REVIEW_DECISIONS)}"))
    text = note.strip()
    if not text:
        issues.append(FieldIssue("note", "say what was found"))
    elif len(text) > NOTE_LIMIT:
        issues.append(FieldIssue("note", f"at most {NOTE_LIMIT} characters"))
    if issues:
        raise ValidationFailed("the review cannot be recorded", issues)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        c = _open_check(uow, check_id)
        if c.result == "unavailable" and decision == "cleared":
            raise Conflict("the agency never answered this check: re-check it before clearing it",
                           [FieldIssue("decision", "re-check first (POST /fraud/checks/{id}/recheck)")])
        marker_id = c.marker_id
        if decision == "confirmed" and marker_id is None:
            marker_id = new_id("frd")
            uow.fraud_markers.add(FraudMarker(marker_id, c.customer_id, c.policy_id,
                                              f"fraud confirmed on review of the {c.stage} check: {text}",
                                              "fraud_check", c.agency_reference, now, principal.user_id))
        done = uow.fraud_checks.save(replace(c, review_status=decision, marker_id=marker_id, reviewed_at=now,
                                             reviewed_by=principal.user_id, review_note=text))
        uow.commit()
    return check_view(done)


def recheck(ctx: AppContext, principal: Principal, check_id: str) -> FraudRecheck:
    """Check again, with what was sent the first time, a check the agency did not answer; the first is closed
    as rechecked and the new one stands (with its own referral if it needs one)."""
    require_staff(principal, "re-check fraud checks")
    with ctx.uow() as uow:
        c = _open_check(uow, check_id)
        if c.result != "unavailable":
            raise Conflict("only a check the agency did not answer is re-checked",
                           [FieldIssue("check_id", f"the agency answered {c.result}")])
        outcome = fraud_check(ctx, uow, c.stage, c.customer_id, c.policy_id, FraudSubject.from_dict(c.subject),
                              checked_by=principal.user_id, recheck_of=c.check_id)
        uow.fraud_checks.save(replace(c, review_status="rechecked", reviewed_at=ctx.clock.now(),
                                      reviewed_by=principal.user_id, review_note=f"re-checked as {outcome.check_id}"))
        uow.commit()
    return {"rechecked": check_id, **outcome.as_dict()}


def recheck_unavailable(ctx: AppContext, principal: Principal = SYSTEM, limit: int = 200) -> FraudRecheckRun:
    """The job: re-check every check the agency did not answer. Stops at the first that still gets no answer
    (the agency is still down: the rest wait for the next run)."""
    require_staff(principal, "re-check fraud checks")
    with ctx.uow(read_only=True) as uow:
        todo = [c.check_id for c in uow.fraud_checks.open_unavailable(limit)]
    done: list[FraudRecheck] = []
    for check_id in todo:
        try:
            out = recheck(ctx, principal, check_id)
        except Conflict:
            continue  # decided meanwhile
        done.append(out)
        if out["result"] == "unavailable":
            break
    return {"rechecked": len(done), "still_unavailable": sum(1 for d in done if d["result"] == "unavailable"),
            "results": done}

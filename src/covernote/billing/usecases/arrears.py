"""Arrears and lapse (PAY-2, FEE-2): each returned collection's case down the dunning ladder
(`billing/domain/arrears.py`), its steps recorded with their clocks (rules `arrears.*`) in the caller's unit of
work, its letters issued as the policy's documents, the daily step that moves every open case along, the
customer's card payment that stops it, and the views, listing and CSV report.

The letters are issued after the step's unit of work has committed (`issue_letters`), because the documents
context stores each letter in its own unit of work: a step is recorded with no letter yet, and every run of
the daily step (and every use case here that takes a step) issues the letters still missing. A letter is
issued once: its subject is the step's id."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any, cast

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain.arrears import ArrearsCase, Stage, StepKind
from covernote.billing.domain.direct_debit import INSTALMENTS_RECEIVABLE
from covernote.billing.domain.events import PolicyCancellationDue
from covernote.billing.domain.plans import CUSTOMER_DEBT, CUSTOMER_DEBT_CONTRA
from covernote.billing.ports import StoredStep
from covernote.billing.results import (
    ArrearsCaseView,
    ArrearsList,
    ArrearsPayment,
    ArrearsRun,
    ArrearsStepView,
    PolicyArrears,
)
from covernote.billing.usecases import plans
from covernote.billing.usecases.arrears_steps import record_step
from covernote.documents.domain import Letter
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.csv_cells import writer
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.journal import RECEIVABLE, JournalEntry, Posting
from covernote.kernel.money import Money
from covernote.ledger.usecases import collect
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.idempotency import idempotent_change
from covernote.platform.paging import check_listing
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy
from covernote.policy.usecases.lookup import find_policy, load_policy
from covernote.products.domain.arrears_spec import ArrearsRules
from covernote.products.domain.model import Product

log = logging.getLogger(__name__)

PACKAGE = "covernote.billing"

# -- the product, the calendar ----------------------------------------------------------------------------------


def product_of(ctx: AppContext, policy: Policy) -> Product:
    return ctx.catalogue.by_ref(policy.term().product_ref)


def rules_of(product: Product) -> ArrearsRules:
    """The product's ladder; a product without an `arrears:` section takes no direct debits to be returned."""
    if product.arrears is None:
        raise Conflict(f"product {product.ref} has no arrears rules (an `arrears:` section): it takes no direct "
                       "debit that could be returned", [FieldIssue("policy_id", "not a direct debit product")])
    return product.arrears


# -- recording a step -------------------------------------------------------------------------------------------


def representations_due(ctx: AppContext, uow: UnitOfWork, day: date) -> list[ArrearsCase]:
    """The cases whose collection is to be presented again on `day`, each for its `owed` (the instalment and
    the charge, as the letter said): what the collection run adds to that day's file."""
    return uow.arrears.representations_due(day)


# -- views ------------------------------------------------------------------------------------------------------


def step_view(s: StoredStep) -> ArrearsStepView:
    return {"id": s.step_id, "kind": s.step.kind.value, "taken_on": s.step.on.isoformat(), "letter": s.step.letter,
            "letter_document_id": s.letter_document_id, "deadline_id": s.deadline_id, "return_id": s.return_id,
            "facts": dict(s.step.facts)}


def _day(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def case_view(case: ArrearsCase, steps: Sequence[StoredStep]) -> ArrearsCaseView:
    return {"id": case.case_id, "policy_id": case.policy_id, "instalment_id": case.instalment_id,
            "transaction_id": case.transaction_id, "reason_code": case.reason_code, "stage": case.stage.value,
            "amount": case.amount.to_str(), "fee": case.fee.to_str(),
            "amount_collected": case.amount_collected.to_str(), "fee_collected": case.fee_collected.to_str(),
            "owed": case.owed.to_str(), "opened_on": case.opened_on.isoformat(), "represent_on": _day(case.represent_on),
            "paid_unless_returned_by": _day(case.paid_unless_returned_by), "pay_by": _day(case.pay_by),
            "notice_on": _day(case.notice_on), "cancel_on": _day(case.cancel_on), "closed_on": _day(case.closed_on),
            "next_action_on": _day(case.action_on()),
            "steps": [step_view(s) for s in steps if s.case_id == case.case_id]}


def views(uow: UnitOfWork, cases: Sequence[ArrearsCase]) -> list[ArrearsCaseView]:
    steps = uow.arrears.steps([c.case_id for c in cases])
    return [case_view(c, steps) for c in cases]


def _payable(case: ArrearsCase, today: date) -> bool:
    """May the customer pay this case by card now? Once asked to (card payment, notice); not while Bacs is to present
    the collection again (it would be taken twice)."""
    return case.stage in (Stage.CARD_PAYMENT, Stage.NOTICE)


def policy_arrears(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyArrears:
    """The policy's arrears cases with their steps (staff, or the policyholder): whether a payment is overdue,
    how much is owed on the open cases, and whether it can be paid by card now (PAY-2)."""
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        cases = uow.arrears.for_policy(policy.policy_id)
        shown = views(uow, cases)
    open_cases = [c for c in cases if c.stage.is_open]
    owed = sum((c.owed for c in open_cases), Money.zero())
    return {"policy_id": policy.policy_id, "number": policy.number, "overdue": bool(open_cases),
            "owed": owed.to_str(), "pay_by_card": any(_payable(c, today) for c in open_cases), "cases": shown}


LISTED_STAGES = (*(s.value for s in Stage), "open")


def _stages(stage: str | None) -> list[Stage] | None:
    if stage is None:
        return None
    return list(ladder.OPEN_STAGES) if stage == "open" else [Stage(stage)]


def list_cases(ctx: AppContext, principal: Principal, stage: str | None = "open", limit: int = 100,
               offset: int = 0) -> ArrearsList:
    """Staff: arrears cases at a stage (`open`: every stage still on the ladder; None: all), oldest first."""
    require_staff(principal, "see arrears cases")
    check_listing(limit, offset, status=stage, statuses=LISTED_STAGES) if stage is not None \
        else check_listing(limit, offset)
    with ctx.uow(read_only=True) as uow:
        cases = uow.arrears.listed(_stages(stage), limit, offset)
        total = uow.arrears.counted(_stages(stage))
        shown = views(uow, cases)
    return {"total": total, "limit": limit, "offset": offset, "cases": shown}


REPORT_COLUMNS = ("case_id", "policy_number", "instalment_id", "reason_code", "stage", "amount", "fee", "owed",
                  "opened_on", "represent_on", "pay_by", "notice_on", "cancel_on", "closed_on", "next_action_on",
                  "letters")


def report_csv(ctx: AppContext, principal: Principal, stage: str | None = None) -> str:
    """Staff: the arrears report as CSV (every case at the stage, or all), one row per case, through the one CSV
    writer that neutralises formula cells (kernel/csv_cells.py)."""
    require_staff(principal, "see the arrears report")
    if stage is not None and stage not in LISTED_STAGES:
        raise ValidationFailed("the report cannot be made", [FieldIssue("stage", f"one of {', '.join(LISTED_STAGES)}")])
    rows: list[list[Any]] = []
    offset = 0
    with ctx.uow(read_only=True) as uow:
        while True:
            cases = uow.arrears.listed(_stages(stage), 1000, offset)
            if not cases:
                break
            offset += len(cases)
            steps = uow.arrears.steps([c.case_id for c in cases])
            for c in cases:
                policy = uow.policies.get(c.policy_id)
                v = case_view(c, steps)
                rows.append([c.case_id, policy.number if policy else "", c.instalment_id, c.reason_code,
                             c.stage.value, v["amount"], v["fee"], v["owed"], v["opened_on"], v["represent_on"],
                             v["pay_by"], v["notice_on"], v["cancel_on"], v["closed_on"], v["next_action_on"],
                             sum(1 for s in v["steps"] if s["letter"])])
    out = io.StringIO()
    w = writer(out)
    w.writerow(REPORT_COLUMNS)
    w.writerows(rows)
    return out.getvalue()


# -- the customer pays by card ------------------------------------------------------------------------------------


def pay_arrears(ctx: AppContext, principal: Principal, policy_id: str, payment_token: str,
                idempotency_key: str | None) -> ArrearsPayment:
    """The customer rings (or uses the portal) and pays everything owed on the policy's open arrears cases by
    card, through the card-payment provider (`ctx.payments`) and the ledger's `collect`: the ladder stops
    (S1: "pay by credit/debit card to stop the policy being cancelled"). Refused while a re-presentation
    already made is awaiting its result (it may yet be paid); a declined card changes nothing (402)."""
    token = payment_token.strip()
    if not token:
        raise ValidationFailed("a payment token is required", [FieldIssue("payment_token", "is required")])

    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:
        policy = load_policy(uow, principal, policy_id)
        today = ctx.today()
        open_cases = [c for c in uow.arrears.for_policy(policy.policy_id) if c.stage.is_open]
        if not open_cases:
            raise NotFound("nothing is overdue on this policy", [FieldIssue("policy_id", "no open arrears")])
        payable = [c for c in open_cases if _payable(c, today)]
        if not payable:
            raise Conflict("the returned collection is to be presented again by direct debit: it can be paid by card "
                           "only if that comes back unpaid")
        owed = sum((c.owed for c in payable), Money.zero())
        txn = next(t for t in policy.transactions if t.transaction_id == payable[0].transaction_id)
        payer = replace(policy, payment_token=token)  # the card given now, not the mandate (PAY-4: a token only)
        payment = collect(ctx, uow, payer, txn, owed, f"Arrears on {policy.number}", payment_key)
        done: list[ArrearsCase] = []
        for c in payable:
            paid_outside_the_plan(ctx, uow, c, txn.term_no, txn.transaction_id)
            c2, step = ladder.paid_by_card(c, today, payment.get("reference", ""))
            c2 = uow.arrears.update(c2)
            record_step(ctx, uow, policy, c2, step)
            done.append(c2)
        result: ArrearsPayment = {"policy_id": policy.policy_id, "paid": owed.to_str(), "payment": payment,
                                  "cases": views(uow, done), "idempotent_replay": False}
        return cast(dict[str, Any], result)

    return cast(ArrearsPayment, idempotent_change(ctx.uow, principal.user_id, "arrears_pay", idempotency_key,
                                                  {"policy": policy_id, "token": token}, run))


def paid_outside_the_plan(ctx: AppContext, uow: UnitOfWork, case: ArrearsCase, term_no: int,
                          transaction_id: str) -> None:
    """A returned instalment of a premium-finance plan, paid by card instead: the instalment is marked
    `paid_otherwise` and the agreement counts it as paid otherwise (PAY-1), so a later re-plan (a cancellation)
    neither collects it again nor calls it arrears; and the card's money for it is moved where a collection puts
    an instalment (held for the finance provider, the memorandum of the customer's debt to the provider falling by
    it: `direct_debit._collection_entry`). The charge for the return is the insurer's, not the provider's: it
    stays on the customer's account and out of the agreement. Nothing when the instalment is not returned (its
    re-presentation was paid: only the charge was owed)."""
    plan = uow.plans.current_plan(case.policy_id, term_no)
    if plan is None or plan.kind != "monthly_direct_debit":
        return
    agreement = uow.plans.agreement_for(plan.plan_id)
    if agreement is None or case.amount_owed.is_zero():
        return
    row = uow.plans.paid_otherwise(case.instalment_id)
    if row is None:
        return
    amount = row.amount
    uow.plans.update_agreement(replace(agreement, paid_otherwise=agreement.paid_otherwise + amount),
                               agreement.version)
    uow.ledger.add(JournalEntry(new_id("jnl"), ctx.clock.now(), "Returned instalment paid by card", case.policy_id,
                                transaction_id, (
        Posting(RECEIVABLE, amount, "the card payment's instalment part"),
        Posting(INSTALMENTS_RECEIVABLE, -amount, "instalment paid by card"),
        Posting(CUSTOMER_DEBT, -amount, "instalment paid by card"),
        Posting(CUSTOMER_DEBT_CONTRA, amount, "memorandum"))))


# -- the daily step -------------------------------------------------------------------------------------------


LETTER_HEADS = ("_letter_head.html", "_letter_head.txt")  # included by every letter: part of its version
RUN_TASK = "arrears cases moved along their ladder"
LETTER_TASK = "arrears letters issued"


def advance_case(ctx: AppContext, uow: UnitOfWork, case: ArrearsCase, today: date) -> StepKind | None:
    """Take the step due today on one open case, in the caller's unit of work; the step taken, or None."""
    policy = uow.policies.get(case.policy_id)
    if policy is None:
        raise NotFound(f"policy {case.policy_id} of arrears case {case.case_id} is missing")
    status = policy.status(today)
    if status not in ("live", "pending"):
        c2, step = ladder.closed(case, today, f"the policy is {status}")
        record_step(ctx, uow, policy, uow.arrears.update(c2), step)
        # a returned instalment nothing will recover now is owed on the account, as a settlement's arrears
        plans.settle_returned(ctx, uow, policy, case.instalment_id, f"the policy is {status}")
        return step.kind
    product = product_of(ctx, policy)
    decided = ladder.next_action(case, today, product.cancellation.insurer_notice_days, rules_of(product))
    if decided is None:
        return None
    c2, step = decided
    c2 = uow.arrears.update(c2)
    stored = record_step(ctx, uow, policy, c2, step)
    if step.kind is StepKind.CANCELLATION_DUE:
        assert case.cancel_on is not None
        notice = next((s for s in uow.arrears.steps([case.case_id])
                       if s.step.kind is StepKind.NOTICE_OF_CANCELLATION), None)
        # The lifecycle cancels as the insurer, from the notice's date, in this unit of work
        # (lifecycle/usecases/handlers.py); a policy already cancelled is left alone.
        uow.publish(PolicyCancellationDue(policy.policy_id, "non_payment", case.cancel_on,
                                          notice.letter_document_id if notice else None))
    del stored
    return step.kind


def run_arrears(ctx: AppContext, principal: Principal = SYSTEM, batch: int = 200,
                progress: Progress = no_progress) -> ArrearsRun:
    """The daily job's arrears step (PAY-2): every open case whose next step is due today takes it (a paid
    re-presentation closes it; an unpaid card request becomes notice of cancellation; a notice run out asks the
    lifecycle to cancel), each case in its own unit of work, then every letter not yet issued is issued. A case
    that fails is reported and the others still run; rerunning the same day does nothing twice."""
    require_staff(principal, "run the arrears step")
    today = ctx.today()
    counts: dict[str, int] = {}
    failed: dict[str, str] = {}
    checked = 0
    after: str | None = None
    progress(RUN_TASK, 0, None)
    while True:
        with ctx.uow(read_only=True) as uow:
            due = uow.arrears.due_by(today, after, batch)
        if not due:
            break
        after = due[-1].case_id
        for case in due:
            checked += 1
            try:
                with ctx.uow() as uow:
                    current = uow.arrears.get(case.case_id)
                    kind = advance_case(ctx, uow, current, today) if current and current.stage.is_open else None
                    uow.commit()
                if kind is not None:
                    counts[kind.value] = counts.get(kind.value, 0) + 1
            except Exception as exc:  # reported; the next run tries again
                log.exception("arrears case %s failed", case.case_id)
                failed[case.case_id] = f"{type(exc).__name__}: {exc}"
            progress(RUN_TASK, checked, None)
    issued = issue_letters(ctx, progress=progress)
    return {"day": today.isoformat(), "cases_checked": checked, "steps": counts,
            "cancellations_due": counts.get(StepKind.CANCELLATION_DUE.value, 0), "letters_issued": issued,
            "failed": failed}


# -- letters ------------------------------------------------------------------------------------------------------


def letter_values(ctx: AppContext, uow: UnitOfWork, stored: StoredStep) -> dict[str, Any]:
    """What the step's letter states: the policyholder, the policy, the step's dates and amounts."""
    policy = uow.policies.get(stored.policy_id)
    assert policy is not None
    case = uow.arrears.get(stored.case_id)
    assert case is not None
    customer = uow.customers.get(policy.customer_id)
    product = product_of(ctx, policy)
    brand = product.contacts.brand if product.contacts is not None else product.insurer
    facts = stored.step.facts
    name = stored.step.letter or ""

    def day(key: str) -> str | None:
        return templating.long_date(date.fromisoformat(facts[key])) if facts.get(key) else None

    return {"title": ladder.LETTER_TITLES[name], "brand": brand, "insurer": product.insurer,
            "issued_on": templating.long_date(stored.step.on),
            "policyholder": customer.name if customer else None,
            "address": customer.address if customer else None, "postcode": customer.postcode if customer else None,
            "policy_number": policy.number, "amount": case.amount.to_str(), "fee": case.fee.to_str(),
            # as the step found them (a letter issued later states the figures of its day)
            "owed": facts.get("owed") or case.owed.to_str(),
            "amount_owed": facts.get("amount_owed") or case.amount_owed.to_str(),
            "fee_owed": facts.get("fee_owed") or case.fee_owed.to_str(), "reason_code": case.reason_code,
            "represent_on": day("represent_on"), "pay_by": day("pay_by"), "cancel_on": day("cancel_on"),
            "notice_days": facts.get("notice_days"), "not_presented": facts.get("why") == "not presented again",
            "not_re_presentable": facts.get("why") ==
            "returned and not re-presentable"}


def issue_letters(ctx: AppContext, limit: int = 500, progress: Progress = no_progress) -> int:
    """Issue every step's letter not yet issued as one of the policy's documents (`documents.issue_letter`:
    stored once with its HTML, text and PDF); the number issued. Safe to rerun: the documents context answers
    a letter already stored (same kind and subject, the step's id) with that document."""
    with ctx.uow(read_only=True) as uow:
        missing = uow.arrears.letters_missing(limit)
        prepared = []
        for s in missing:
            name = s.step.letter or ""
            values = letter_values(ctx, uow, s)
            policy = uow.policies.get(s.policy_id)
            assert policy is not None
            prepared.append((s, name, values, policy.term().term_no, policy.term().product_ref))
    done = 0
    progress(LETTER_TASK, 0, len(prepared))
    for s, name, values, term_no, product_ref in prepared:
        html = templating.render(PACKAGE, f"{name}.html", **values)
        txt = templating.render(PACKAGE, f"{name}.txt", **values)
        issued = documents.issue_letter(ctx, SYSTEM, s.policy_id, Letter(
            name, s.step_id, values["title"], f"billing/{name}",
            templating.version(PACKAGE, *LETTER_HEADS, f"{name}.html", f"{name}.txt"), product_ref, term_no, html, txt))
        with ctx.uow() as uow:
            uow.arrears.set_letter(s.step_id, issued["id"])
            uow.commit()
        done += 1
        progress(LETTER_TASK, done, len(prepared))
    return done

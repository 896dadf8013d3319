"""The arrears ladder's steps recorded (PAY-2): a step stored on its case with the clocks it ends and starts, in the
caller's unit of work; the representation clock met when the collection run presents a case's collection again;
cases closed when their instalments are settled otherwise. The arrears use cases (`arrears.py`) and the plans'
re-plans (`plans.py`) both take steps through here, so neither imports the other's module for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain.arrears import ArrearsCase, Step, StepKind
from covernote.billing.ports import StoredStep
from covernote.clocks import usecases as clocks
from covernote.kernel.calendar import Nation, WorkingDayCalendar
from covernote.kernel.clock import LONDON
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy

SUBJECT = "arrears_case"  # the clock engine's subject kind

# The clock each step starts (clocks/domain.py RULES); the clocks a step ends are met or stopped below.
STARTS: dict[StepKind, str] = {
    StepKind.RETURNED: "arrears.representation",
    StepKind.CARD_PAYMENT_REQUESTED: "arrears.card_payment",
    StepKind.NOTICE_OF_CANCELLATION: "arrears.cancellation_notice",
}


# Bacs processes on England and Wales' working days whatever the payer's nation (Bacs' processing calendar), so a
# re-presentation's date and its clock count those; the card and notice steps count calendar days.
BACS_CALENDAR = WorkingDayCalendar(Nation.ENGLAND_AND_WALES)


def calendar_for(uow: UnitOfWork, policy: Policy) -> WorkingDayCalendar:
    """The working days the ladder's dates and clocks count: Bacs' (England and Wales), for every payer."""
    return BACS_CALENDAR


# -- recording a step -------------------------------------------------------------------------------------------


def record_step(ctx: AppContext, uow: UnitOfWork, policy: Policy, case: ArrearsCase, step: Step,
                return_id: str | None = None) -> StoredStep:
    """Store the step on the case (already stored at its new stage), end the clocks it ends and start the one
    it starts, in the caller's unit of work."""
    now = ctx.clock.now()
    calendar = calendar_for(uow, policy)
    open_rules = {d.rule_code for d in clocks.open_on(uow, SUBJECT, case.case_id)}
    if step.kind in (StepKind.REPRESENTATION_PAID, StepKind.CARD_PAYMENT_REQUESTED) \
            and "arrears.representation" in open_rules:
        # It went through, or came back: either way Bacs presented it on its date (the entry day).
        on = datetime.combine(case.represent_on, time(0), tzinfo=LONDON) if case.represent_on else now
        presented(uow, case.case_id, min(now, on))
    if step.kind is StepKind.NOTICE_OF_CANCELLATION:
        clocks.stop_open(uow, SUBJECT, case.case_id, now, "not paid by card in time: notice of cancellation sent",
                         "arrears.card_payment")
    if step.kind is StepKind.CANCELLATION_DUE:
        clocks.meet(uow, SUBJECT, case.case_id, "arrears.cancellation_notice", now)
    if step.kind is StepKind.PAID_BY_CARD:
        clocks.meet(uow, SUBJECT, case.case_id, "arrears.card_payment", now)
        clocks.stop_open(uow, SUBJECT, case.case_id, now, "the arrears were paid by card")
    if step.kind is StepKind.CLOSED:
        clocks.stop_open(uow, SUBJECT, case.case_id, now, step.facts.get("why", "closed"))
    deadline_id = None
    if step.kind in STARTS:
        d = clocks.start(uow, STARTS[step.kind], SUBJECT, case.case_id, now, customer_id=case.customer_id,
                         nation=calendar.nation, note=f"policy {policy.number}: {step.kind.value.replace('_', ' ')}")
        deadline_id = d.deadline_id
    step_id = new_id("ast")
    uow.arrears.add_step(step_id, case, step, now, deadline_id, return_id)
    return StoredStep(step_id, case.case_id, case.policy_id, step, now, None, deadline_id, return_id)


def presented(uow: UnitOfWork, case_id: str, at: Any) -> None:
    """The Bacs side presented the case's collection again (its new date's collection file): the
    representation clock is met then."""
    clocks.meet(uow, SUBJECT, case_id, "arrears.representation", at)


def close_for_instalments(ctx: AppContext, uow: UnitOfWork, policy: Policy, instalment_ids: Sequence[str],
                          why: str) -> int:
    """Close the open cases of these instalments, in the caller's unit of work: their amounts were settled
    otherwise (a re-plan folded them into its settlement); their clocks stop. The number closed."""
    today = ctx.today()
    closed_count = 0
    for instalment_id in instalment_ids:
        case = uow.arrears.open_for_instalment(policy.policy_id, instalment_id)
        if case is None:
            continue
        c2, step = ladder.closed(case, today, why)
        record_step(ctx, uow, policy, uow.arrears.update(c2), step)
        closed_count += 1
    return closed_count

"""A returned direct debit, arrears and lapse (PAY-2, FEE-2, PAY-6): the dunning ladder. Pure: no I/O, no clock.

S1 ("Unpaid direct debit"): "if it's returned to us unpaid we'll charge you £20. We will then write to you, to
let you know the new date that we will take the direct debit payment and the £20 charge. If we can't take the
money this time, you will have to ring up and pay by credit/debit card to stop the policy being cancelled."

The ladder, with the product's numbers (`products/domain/arrears_spec.py`, the `arrears:` section of a
product file) and the customer's nation's working days (`kernel/calendar.py`):

1. A collection comes back unpaid (`decide_return`). The product's fee for a returned direct debit is
   charged once per case (FEE-2). If the return may be re-presented (PAY-6: only "refer to payer"), the
   customer is written to with the new collection date, `representation_working_days` working days after
   the day the return is handled (the letter is the advance notice of that collection) and the amounts to be
   taken: the instalment (re-presented, Bacs code 18, unchanged as Bacs requires) and the charge (a collection
   of its own, code 17, on the same day). Stage `representation`.
2. Neither comes back within `return_window_working_days` working days of the date: both were paid, the case
   is closed `paid` (`next_action`).
3. The re-presentation or the charge comes back too, or the first return may not be re-presented (the instruction was
   cancelled, the account closed...): the customer is asked to ring and pay by card within
   `card_payment_days` calendar days. Stage `card_payment`.
4. Not paid by then: notice of cancellation, effective the product's insurer notice
   (`cancellation.insurer_notice_days`, 7 days for S1's and S3's products) after the day it is sent. Stage
   `notice`.
5. Still not paid on the effective date: the policy is cancelled by the insurer for non-payment (billing
   publishes `PolicyCancellationDue`; the lifecycle cancels). Stage `cancelled`.

Paying the arrears by card once asked to (stage `card_payment` or `notice`) stops the ladder (stage `paid`); while a
re-presentation is planned Bacs will present it, so a card payment then would take the money twice and is refused. A policy
that stopped being live on its own (cancelled otherwise, expired, void) closes its open cases (`closed`).

Every date here is a UK date; the day a step happens is day 0 and is not counted, as in the clock engine,
whose rules `arrears.*` (clocks/domain.py) carry the same numbers so the steps show in the work queues.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from covernote.kernel.calendar import WorkingDayCalendar
from covernote.kernel.errors import Conflict, FieldIssue, ValidationFailed
from covernote.kernel.money import Money
from covernote.products.domain.arrears_spec import ArrearsRules

# Bacs ARUDD reason code 0, "refer to payer": the only return that may be presented again (PAY-6).
REFER_TO_PAYER = "0"


class Stage(enum.StrEnum):
    REPRESENTATION = "representation"  # waiting for the re-presented collection
    CARD_PAYMENT = "card_payment"  # asked to pay by card before notice of cancellation
    NOTICE = "notice"  # notice of cancellation given
    PAID = "paid"  # paid: the re-presentation went through, or the customer paid by card
    CANCELLED = "cancelled"  # the policy was cancelled for non-payment
    CLOSED = "closed"  # the policy stopped being live otherwise; nothing more to do

    @property
    def is_open(self) -> bool:
        return self in (Stage.REPRESENTATION, Stage.CARD_PAYMENT, Stage.NOTICE)


OPEN_STAGES = tuple(s for s in Stage if s.is_open)


class StepKind(enum.StrEnum):
    RETURNED = "returned"  # fee charged, letter with the new collection date and the charge
    REPRESENTATION_PAID = "representation_paid"  # no return of the re-presentation within the window
    CARD_PAYMENT_REQUESTED = "card_payment_requested"  # letter: ring and pay by card within N days
    NOTICE_OF_CANCELLATION = "notice_of_cancellation"  # letter: the policy will be cancelled on date E
    CANCELLATION_DUE = "cancellation_due"  # PolicyCancellationDue published
    PAID_BY_CARD = "paid_by_card"  # the customer paid the arrears by card
    CLOSED = "closed"  # the policy stopped being live otherwise


# The letter each step sends (billing/templates/<name>.html and .txt); steps not listed send none.
LETTERS: dict[StepKind, str] = {
    StepKind.RETURNED: "arrears_returned",
    StepKind.CARD_PAYMENT_REQUESTED: "arrears_pay_by_card",
    StepKind.NOTICE_OF_CANCELLATION: "arrears_cancellation_notice",
}

LETTER_TITLES: dict[str, str] = {
    "arrears_returned": "Your direct debit was returned unpaid",
    "arrears_pay_by_card": "Please pay by card to keep your policy",
    "arrears_cancellation_notice": "Notice of cancellation for non-payment",
}


@dataclass(frozen=True)
class ArrearsCase:
    """One returned collection's way down the ladder. `amount` is the instalment returned; `fee` the charge
    for the return (zero when the product has none); `amount_collected` and `fee_collected` what the direct
    debit has collected of each since (the re-presentation and the charge presented with it on the new date:
    posted as received, undone if returned); `owed` is what is left of both. The dates are those of the stage
    reached:
    `represent_on` the new collection date and `paid_unless_returned_by` the last day its return may arrive;
    `pay_by` the last day to pay by card; `notice_on` the day notice was given and `cancel_on` the day the
    cancellation takes effect."""

    case_id: str
    policy_id: str
    customer_id: str
    instalment_id: str
    amount: Money
    fee: Money
    reason_code: str
    stage: Stage
    opened_on: date
    transaction_id: str  # the policy transaction recording the return and its fee
    represent_on: date | None = None
    paid_unless_returned_by: date | None = None
    pay_by: date | None = None
    notice_on: date | None = None
    cancel_on: date | None = None
    closed_on: date | None = None
    created_at: datetime | None = None
    version: int = 1
    amount_collected: Money = field(default_factory=Money.zero)
    fee_collected: Money = field(default_factory=Money.zero)

    @property
    def amount_owed(self) -> Money:
        return self.amount - self.amount_collected

    @property
    def fee_owed(self) -> Money:
        return self.fee - self.fee_collected

    @property
    def owed(self) -> Money:
        return self.amount_owed + self.fee_owed

    def action_on(self) -> date | None:
        """The day the daily step next has something to do for this case, or None when closed."""
        if self.stage is Stage.REPRESENTATION:
            return self.paid_unless_returned_by
        if self.stage is Stage.CARD_PAYMENT:
            assert self.pay_by is not None
            return self.pay_by + timedelta(days=1)
        if self.stage is Stage.NOTICE:
            return self.cancel_on
        return None


@dataclass(frozen=True)
class Step:
    """What happened to a case on a day: its kind, the date it was taken, the deadline it sets (if any) and the
    facts its letter states."""

    kind: StepKind
    on: date
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def letter(self) -> str | None:
        return LETTERS.get(self.kind)


# -- the dates ------------------------------------------------------------------------------------------------


def representation_date(rules: ArrearsRules, handled_on: date, calendar: WorkingDayCalendar) -> date:
    """The new collection date: `representation_working_days` working days after the return is handled (always a
    working day: Bacs collects on working days only)."""
    return calendar.add_working_days(handled_on, rules.representation_working_days)


def paid_unless_returned_by(rules: ArrearsRules, collect_on: date, calendar: WorkingDayCalendar) -> date:
    """The last day a return of a collection made on `collect_on` can arrive; after it the collection is paid."""
    return calendar.add_working_days(collect_on, rules.return_window_working_days)


def card_payment_deadline(rules: ArrearsRules, asked_on: date) -> date:
    """The last day to pay by card, `card_payment_days` calendar days after the letter asking for it."""
    return asked_on + timedelta(days=rules.card_payment_days)


def cancellation_date(notice_days: int, notice_on: date) -> date:
    """The day a cancellation for non-payment takes effect: the product's insurer notice after the notice is
    given (the same rule the lifecycle checks: `policy/domain/cancellation.py validate_request`)."""
    if notice_days < 1:
        raise ValidationFailed("a cancellation for non-payment needs notice",
                               [FieldIssue("cancellation.insurer_notice_days", "must be at least 1")])
    return notice_on + timedelta(days=notice_days)


# -- the ladder ---------------------------------------------------------------------------------------------


def open_case(rules: ArrearsRules, *, case_id: str, policy_id: str, customer_id: str, instalment_id: str,
              amount: Money, fee: Money, reason_code: str, re_presentable: bool, handled_on: date,
              transaction_id: str, calendar: WorkingDayCalendar, now: datetime,
              collect_on: date | None = None) -> tuple[ArrearsCase, Step]:
    """A first return of an instalment: the case and its first step (the returned letter with the new date when
    the return may be re-presented, otherwise the request to pay by card). `collect_on`: the new collection date
    when the Bacs side has already set it (its own rules); otherwise `representation_date`."""
    if amount <= Money.zero():
        raise ValidationFailed("a returned collection is for more than zero", [FieldIssue("amount", "must be more than 0.00")])
    re_presentable = re_presentable and reason_code == REFER_TO_PAYER
    case = ArrearsCase(case_id, policy_id, customer_id, instalment_id, amount, fee, reason_code,
                       Stage.REPRESENTATION, handled_on, transaction_id, created_at=now)
    if re_presentable:
        collect_on = collect_on or representation_date(rules, handled_on, calendar)
        case = replace(case, represent_on=collect_on,
                       paid_unless_returned_by=paid_unless_returned_by(rules, collect_on, calendar))
        return case, Step(StepKind.RETURNED, handled_on, {
            "represent_on": collect_on.isoformat(), "amount": amount.to_str(), "fee": fee.to_str(),
            "owed": case.owed.to_str(), "reason_code": reason_code})
    return ask_for_card(rules, case, handled_on, first_return=True)


def ask_for_card(rules: ArrearsRules, case: ArrearsCase, on: date, first_return: bool = False
                 ) -> tuple[ArrearsCase, Step]:
    """The re-presentation came back too (or the first return may not be re-presented): ask for payment by card
    by the deadline."""
    if case.stage is not Stage.REPRESENTATION:
        raise Conflict(f"the case is at {case.stage.value}, not waiting for a re-presentation")
    pay_by = card_payment_deadline(rules, on)
    case = replace(case, stage=Stage.CARD_PAYMENT, pay_by=pay_by)
    return case, Step(StepKind.CARD_PAYMENT_REQUESTED, on, {
        "pay_by": pay_by.isoformat(), "amount": case.amount.to_str(), "fee": case.fee.to_str(),
        "amount_owed": case.amount_owed.to_str(), "fee_owed": case.fee_owed.to_str(),
        "owed": case.owed.to_str(), "reason_code": case.reason_code,
        "why": "returned and not re-presentable" if first_return else "re-presentation returned"})


def next_action(case: ArrearsCase, today: date, notice_days: int, rules: ArrearsRules
                ) -> tuple[ArrearsCase, Step] | None:
    """What the daily step does for an open case on `today`, or None if nothing is due yet. A day missed by the
    job is made up on the next run: each step is dated the day it is actually taken, so the notice the
    customer is given is never shorter than the product's. A re-presentation's window that passes with the
    instalment never presented again (its instruction cancelled meanwhile, say) is no payment: the customer is
    asked to pay by card."""
    due = case.action_on()
    if due is None or today < due:
        return None
    if case.stage is Stage.REPRESENTATION and case.amount_owed > Money.zero():
        case2, step = ask_for_card(rules, case, today)
        return case2, replace(step, facts={**step.facts, "why": "not presented again"})
    if case.stage is Stage.REPRESENTATION:
        return (replace(case, stage=Stage.PAID, closed_on=today),
                Step(StepKind.REPRESENTATION_PAID, today, {"represent_on": str(case.represent_on)}))
    if case.stage is Stage.CARD_PAYMENT:
        cancel_on = cancellation_date(notice_days, today)
        return (replace(case, stage=Stage.NOTICE, notice_on=today, cancel_on=cancel_on),
                Step(StepKind.NOTICE_OF_CANCELLATION, today, {
                    "cancel_on": cancel_on.isoformat(), "owed": case.owed.to_str(), "pay_by": str(case.pay_by),
                    "notice_days": str(notice_days)}))
    assert case.stage is Stage.NOTICE and case.cancel_on is not None
    return (replace(case, stage=Stage.CANCELLED, closed_on=today),
            Step(StepKind.CANCELLATION_DUE, today, {"cancel_on": case.cancel_on.isoformat()}))


def paid_by_card(case: ArrearsCase, today: date, receipt: str) -> tuple[ArrearsCase, Step]:
    """The customer paid what the case owes by card: the ladder stops."""
    if not case.stage.is_open:
        raise Conflict(f"the case is {case.stage.value}: nothing is owed on it")
    if case.stage is Stage.REPRESENTATION:  # Bacs presents it again whatever: taking it by card too takes it twice
        raise Conflict(f"the returned collection is to be presented again on {case.represent_on} and its result is "
                       f"known by {case.paid_unless_returned_by}: it can be paid by card if it comes back unpaid")
    return (replace(case, stage=Stage.PAID, closed_on=today),
            Step(StepKind.PAID_BY_CARD, today, {"owed": case.owed.to_str(), "receipt": receipt}))


def re_presented(case: ArrearsCase, fee_presented: Money) -> ArrearsCase:
    """The collection run presented the returned instalment again on the case's new date, with `fee_presented` of
    the charge as a collection of its own (S1: "the new date that we will take the direct debit payment and the
    £20 charge"): both count as collected unless they come back."""
    if case.stage is not Stage.REPRESENTATION:
        raise Conflict(f"the case is at {case.stage.value}: nothing is to be presented again")
    if fee_presented < Money.zero() or fee_presented > case.fee_owed:
        raise ValidationFailed("the charge presented is more than the charge owed",
                               [FieldIssue("fee", f"at most {case.fee_owed}")])
    return replace(case, amount_collected=case.amount, fee_collected=case.fee_collected + fee_presented)


def collection_returned(case: ArrearsCase, *, instalment: Money | None = None, fee: Money | None = None
                        ) -> ArrearsCase:
    """A collection made for the case came back unpaid: what it collected is owed again."""
    zero = Money.zero()
    return replace(case, amount_collected=(case.amount_collected - (instalment or zero)).max(zero),
                   fee_collected=(case.fee_collected - (fee or zero)).max(zero))


def closed(case: ArrearsCase, today: date, why: str) -> tuple[ArrearsCase, Step]:
    """The policy is no longer live (cancelled otherwise, expired, void): the case has nothing left to do."""
    return replace(case, stage=Stage.CLOSED, closed_on=today), Step(StepKind.CLOSED, today, {"why": why})

"""The returned direct debit's ladder and its dates (PAY-2, FEE-2, PAY-6): pure, over every day of 2026 and 2027 in
each UK nation's working days (bank holidays included), and the products' numbers held to the clock rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain.arrears import Stage, StepKind
from covernote.clocks.domain import RULES, Unit, compute_due
from covernote.kernel.calendar import Nation, WorkingDayCalendar
from covernote.kernel.clock import london_date
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.kernel.money import Money
from covernote.products.domain.arrears_spec import ArrearsRules

RULES_S1 = ArrearsRules(representation_working_days=10, return_window_working_days=3, card_payment_days=14)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
EVERY_DAY = [date(2026, 1, 1) + timedelta(days=i) for i in range(730)]  # 2026 and 2027
CALENDARS = [WorkingDayCalendar(n) for n in (Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND)]


def opened(day: date, calendar: WorkingDayCalendar, re_presentable: bool = True, reason: str = "0",
           rules: ArrearsRules = RULES_S1) -> tuple[ladder.ArrearsCase, ladder.Step]:
    return ladder.open_case(rules, case_id="arr_1", policy_id="pol_1", customer_id="cus_1", instalment_id="ins_1",
                            amount=Money.of("61.25"), fee=Money.of("20.00"), reason_code=reason,
                            re_presentable=re_presentable, handled_on=day, transaction_id="txn_1",
                            calendar=calendar, now=NOW)


@pytest.mark.parametrize("calendar", CALENDARS, ids=lambda c: c.nation.value)
def test_pay6_representation_dates_every_day_of_two_years(calendar: WorkingDayCalendar) -> None:
    """PAY-6, PAY-2: for a return handled on any day, the new collection date is a working day exactly 10 working
    days later (the letter's advance notice), never on a weekend or bank holiday; the re-presentation counts as
    paid only after 3 more working days, also a working day; and the letter states that date."""
    for day in EVERY_DAY:
        case, step = opened(day, calendar)
        assert case.stage is Stage.REPRESENTATION and step.kind is StepKind.RETURNED
        collect_on = case.represent_on
        assert collect_on is not None and collect_on > day
        assert calendar.is_working_day(collect_on), (day, collect_on)
        assert calendar.working_days_between(day, collect_on) == 10, (day, collect_on)
        assert (collect_on - day).days >= 12  # 10 working days from a Sunday end on the second Friday
        last = case.paid_unless_returned_by
        assert last is not None and calendar.is_working_day(last)
        assert calendar.working_days_between(collect_on, last) == 3
        assert step.facts["represent_on"] == collect_on.isoformat() and step.facts["owed"] == "81.25"
        assert case.action_on() == last


def test_pay6_representation_over_christmas_and_new_year_2026() -> None:
    """The bank holidays move the dates: England and Wales have 25 and 28 December 2026 and 1 January 2027;
    Scotland also 2 January 2027 (a Saturday, so Monday 4 January is the holiday)."""
    eng, sco = CALENDARS[0], CALENDARS[1]
    assert opened(date(2026, 12, 15), eng)[0].represent_on == date(2026, 12, 31)
    assert opened(date(2026, 12, 15), sco)[0].represent_on == date(2026, 12, 31)
    assert opened(date(2026, 12, 15), eng)[0].paid_unless_returned_by == date(2027, 1, 6)
    assert opened(date(2026, 12, 15), sco)[0].paid_unless_returned_by == date(2027, 1, 7)


@given(st.sampled_from(EVERY_DAY), st.integers(1, 30), st.integers(1, 60))
def test_pay2_card_and_notice_dates(asked_on: date, notice_days: int, card_days: int) -> None:
    """PAY-2: the card payment deadline is the product's days after the request; notice is sent the day after it
    passes unpaid and the cancellation is effective the product's notice after that (never sooner, even when the
    job ran late); the cancellation is then due on that date, not before."""
    rules = ArrearsRules(10, 3, card_days)
    case, step = opened(asked_on, CALENDARS[0], re_presentable=False, reason="B", rules=rules)
    assert case.stage is Stage.CARD_PAYMENT and step.kind is StepKind.CARD_PAYMENT_REQUESTED
    assert case.pay_by == asked_on + timedelta(days=card_days)
    assert ladder.next_action(case, case.pay_by, notice_days, RULES_S1) is None
    for late in (0, 3):
        run_on = case.pay_by + timedelta(days=1 + late)
        decided = ladder.next_action(case, run_on, notice_days, RULES_S1)
        assert decided is not None
        notice, step = decided
        assert step.kind is StepKind.NOTICE_OF_CANCELLATION and notice.notice_on == run_on
        assert notice.cancel_on == run_on + timedelta(days=notice_days)
        assert ladder.next_action(notice, notice.cancel_on - timedelta(days=1), notice_days, RULES_S1) is None
        done = ladder.next_action(notice, notice.cancel_on, notice_days, RULES_S1)
        assert done is not None and done[0].stage is Stage.CANCELLED and done[1].kind is StepKind.CANCELLATION_DUE
        assert done[0].action_on() is None


def test_pay6_only_refer_to_payer_is_re_presented() -> None:
    """PAY-6: a return flagged re-presentable but with another reason code (1: instruction cancelled) goes to the
    card request."""
    case, step = opened(date(2026, 3, 2), CALENDARS[0], re_presentable=True, reason="1")
    assert case.stage is Stage.CARD_PAYMENT and step.facts["why"] == "returned and not re-presentable"


def test_pay2_representation_returned_asks_for_card_and_paying_stops() -> None:
    case, _ = opened(date(2026, 3, 2), CALENDARS[0])
    card, step = ladder.ask_for_card(RULES_S1, case, date(2026, 3, 17))
    assert card.stage is Stage.CARD_PAYMENT and card.pay_by == date(2026, 3, 31)
    assert step.facts["why"] == "re-presentation returned"
    with pytest.raises(Conflict):
        ladder.ask_for_card(RULES_S1, card, date(2026, 3, 18))
    paid, step = ladder.paid_by_card(card, date(2026, 3, 20), "ch_1")
    assert paid.stage is Stage.PAID and step.kind is StepKind.PAID_BY_CARD and paid.action_on() is None
    with pytest.raises(Conflict):
        ladder.paid_by_card(paid, date(2026, 3, 21), "ch_2")


def test_pay2_no_card_payment_while_the_representation_is_out() -> None:
    case, _ = opened(date(2026, 3, 2), CALENDARS[0])
    assert case.represent_on is not None
    for day in (case.opened_on, case.represent_on):  # Bacs presents it again whatever: never taken twice
        with pytest.raises(Conflict):
            ladder.paid_by_card(case, day, "ch_1")


def test_pay2_representation_not_returned_is_paid() -> None:
    """PAY-2: presented again (with the charge) and not returned within the window: paid."""
    case, _ = opened(date(2026, 3, 2), CALENDARS[0])
    case = ladder.re_presented(case, case.fee)
    assert case.paid_unless_returned_by is not None
    assert ladder.next_action(case, case.paid_unless_returned_by - timedelta(days=1), 7, RULES_S1) is None
    decided = ladder.next_action(case, case.paid_unless_returned_by, 7, RULES_S1)
    assert decided is not None and decided[0].stage is Stage.PAID and decided[1].kind is StepKind.REPRESENTATION_PAID


def test_pay2_a_re_presentation_never_presented_is_no_payment() -> None:
    """PAY-2: the window passes but the instalment was never presented again (its instruction was cancelled
    meanwhile): not paid; the customer is asked to pay by card for the whole."""
    case, _ = opened(date(2026, 3, 2), CALENDARS[0])
    assert case.paid_unless_returned_by is not None
    decided = ladder.next_action(case, case.paid_unless_returned_by, 7, RULES_S1)
    assert decided is not None
    asked, step = decided
    assert asked.stage is Stage.CARD_PAYMENT and step.kind is StepKind.CARD_PAYMENT_REQUESTED
    assert (step.facts["owed"], step.facts["why"]) == ("81.25", "not presented again")


def test_pay2_refuses_nonsense() -> None:
    with pytest.raises(ValidationFailed):
        ladder.open_case(RULES_S1, case_id="a", policy_id="p", customer_id="c", instalment_id="i",
                         amount=Money.zero(), fee=Money.zero(), reason_code="0", re_presentable=True,
                         handled_on=date(2026, 1, 5), transaction_id="t", calendar=CALENDARS[0], now=NOW)
    with pytest.raises(ValidationFailed):
        ladder.cancellation_date(0, date(2026, 1, 5))


def test_pay2_products_ladders_match_the_clock_rules(catalogue) -> None:  # type: ignore[no-untyped-def]
    """Each step's clock (rules arrears.*) is due on the step's own date: every product with an arrears section
    has the clock rules' numbers, and FEE-2's GBP 20 is the eco product's charge for a returned direct debit."""
    with_ladder = [p for code in catalogue.codes() for p in catalogue.versions(code) if p.arrears is not None]
    assert {p.code for p in with_ladder} >= {"ECO", "YOUNG_DRIVER"}
    for p in with_ladder:
        assert p.arrears is not None
        assert (RULES["arrears.representation"].amount, RULES["arrears.representation"].unit) == \
            (p.arrears.representation_working_days, Unit.WORKING_DAYS), p.ref
        assert (RULES["arrears.card_payment"].amount, RULES["arrears.card_payment"].unit) == \
            (p.arrears.card_payment_days, Unit.CALENDAR_DAYS), p.ref
        assert (RULES["arrears.cancellation_notice"].amount, RULES["arrears.cancellation_notice"].unit) == \
            (p.cancellation.insurer_notice_days, Unit.CALENDAR_DAYS), p.ref
        if p.code == "ECO":
            assert [(f.code, f.amount) for f in p.fees_for({"returned_direct_debit"})] == \
                [("returned_direct_debit", Money.of("20.00"))]


@pytest.mark.parametrize("day", EVERY_DAY[::7])
def test_pay2_clock_due_dates_equal_the_ladder_dates(day: date) -> None:
    """The clock started when the step is taken falls due on the ladder's own date (the queue shows the truth)."""
    started = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    case, _ = opened(london_date(started), CALENDARS[0])
    assert compute_due(RULES["arrears.representation"], started).due_on == case.represent_on
    assert compute_due(RULES["arrears.card_payment"], started).due_on == \
        ladder.card_payment_deadline(RULES_S1, london_date(started))


def test_fee2_pay2_what_the_direct_debit_collects_of_a_case_is_not_owed_until_it_comes_back() -> None:
    """FEE-2, PAY-2 (S1: "the new date that we will take the direct debit payment and the £20 charge"): presented
    again, the instalment and the charge count as collected (nothing owed while Bacs has them); a return of either
    puts exactly that amount back; the card is asked for what is owed, by part."""
    case, _ = opened(date(2026, 12, 1), CALENDARS[0])
    assert (case.owed, case.amount_owed, case.fee_owed) == (Money.of("81.25"), Money.of("61.25"), Money.of("20.00"))
    presented = ladder.re_presented(case, Money.of("20.00"))
    assert presented.owed.is_zero() and presented.amount_collected == Money.of("61.25")
    charge_back = ladder.collection_returned(presented, fee=Money.of("20.00"))
    assert (charge_back.amount_owed, charge_back.fee_owed) == (Money.zero(), Money.of("20.00"))
    asked, step = ladder.ask_for_card(RULES_S1, charge_back, date(2026, 12, 18))
    assert (step.facts["owed"], step.facts["amount_owed"], step.facts["fee_owed"]) == ("20.00", "0.00", "20.00")
    both_back = ladder.collection_returned(charge_back, instalment=Money.of("61.25"))
    assert both_back.owed == case.owed
    with pytest.raises(ValidationFailed):
        ladder.re_presented(case, Money.of("20.01"))  # never more of the charge than is owed
    with pytest.raises(Conflict):
        ladder.re_presented(asked, Money.zero())  # only a case waiting for its re-presentation is presented again


@given(fee_back=st.booleans(), instalment_back=st.booleans())
def test_pay2_owed_is_what_came_back_whatever_comes_back(fee_back: bool, instalment_back: bool) -> None:
    """PAY-2: after the re-presentation and the charge, what is owed is exactly the returned items' sum."""
    case, _ = opened(date(2026, 12, 1), CALENDARS[0])
    after = ladder.collection_returned(ladder.re_presented(case, case.fee),
                                       instalment=case.amount if instalment_back else None,
                                       fee=case.fee if fee_back else None)
    expected = (case.amount if instalment_back else Money.zero()) + (case.fee if fee_back else Money.zero())
    assert after.owed == expected

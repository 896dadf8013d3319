"""Cancellation computed directly on the domain (compute_cancellation): POL-5 cooling-off, FEE-1 Eco
fees and no-refund rules, FEE-3 short-period rates, FEE-5 young-driver box-return refunds and the
FEE-6 identity refund + earned + fees kept = paid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.money import Money, sum_money
from covernote.kernel.periods import Period, add_years
from covernote.policy.domain.cancellation import (
    CancellationRequest,
    CancellationResult,
    RecordedEvent,
    compute_cancellation,
    cooling_off_window,
)
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.rating import rate_for_term
from covernote.policy.domain.risk import Risk, validate_risk
from covernote.policy.domain.term import Segment, TermState, price_segments
from covernote.products.domain.model import Product
from covernote.products.store.files import load_catalogue

from .builders import PRODUCTS, motor_risk, young_risk

CAT = load_catalogue(PRODUCTS)
ECO: Product = CAT.by_ref("ECO@2026.7")
YD: Product = CAT.by_ref("YOUNG_DRIVER@2025.1")
START = date(2027, 3, 1)  # term 1 Mar 2027 - 1 Mar 2028: 366 days (29 Feb 2028)
RATE = Decimal("0.12")
TAKEN_OUT = START
PENNY = Decimal("0.01")


def half_up(x: Decimal) -> Decimal:
    return x.quantize(PENNY, rounding=ROUND_HALF_UP)


def make_term(product: Product, risk: Risk, start: date = START, concluded: date | None = None,
              documents: date | None = None) -> tuple[TermState, list[Segment]]:
    period = Period(start, add_years(start, 1))
    base = validate_risk(product, risk, start)
    term = TermState(1, period, product.ref, base, RATE, False, concluded or start, documents or start)
    segs = price_segments(term, lambda r: rate_for_term(product, r, start, renewal=False, term_days=period.days))
    return term, segs


def eco_term(**kw: date) -> tuple[TermState, list[Segment]]:
    return make_term(ECO, motor_risk(), **kw)


def yd_term(**kw: date) -> tuple[TermState, list[Segment]]:
    return make_term(YD, young_risk(), **kw)


def fee_line(product: Product, code: str, on: date = START, txn: str = "t1") -> FeeLine:
    return FeeLine.from_fee(product.fee(code), 1, on, txn)


def cancel(product: Product, term: TermState, segs: list[Segment], requested: date, effective: date | None = None,
           fees: list[FeeLine] | None = None, events: list[RecordedEvent] | None = None,
           taken_out_on: date = TAKEN_OUT) -> CancellationResult:
    request = CancellationRequest(requested, effective or requested, "customer", "changed my mind")
    return compute_cancellation(product, term, segs, fees or [], events or [], taken_out_on, request)


def assert_fee6(result: CancellationResult) -> None:
    assert result.refund_total + result.earned.total + result.kept_fees_total == result.paid_total


# -- POL-5 cooling-off ------------------------------------------------------------------------------

def test_pol5_cooling_off_documents_on_1_march_last_day_is_15_march() -> None:
    term, segs = eco_term(concluded=date(2027, 3, 1), documents=date(2027, 3, 1))
    assert cooling_off_window(ECO, term) == (date(2027, 3, 1), date(2027, 3, 15))
    day14 = cancel(ECO, term, segs, date(2027, 3, 15))
    assert day14.within_cooling_off
    assert day14.cooling_off_last_day == date(2027, 3, 15)
    day15 = cancel(ECO, term, segs, date(2027, 3, 16))
    assert not day15.within_cooling_off


@pytest.mark.parametrize(("concluded", "documents", "last_day"), [
    (date(2027, 3, 1), date(2027, 3, 5), date(2027, 3, 19)),  # documents later
    (date(2027, 3, 6), date(2027, 3, 1), date(2027, 3, 20)),  # concluded later
])
def test_pol5_cooling_off_runs_from_the_later_of_conclusion_and_documents(
        concluded: date, documents: date, last_day: date) -> None:
    term, segs = eco_term(concluded=concluded, documents=documents)
    result = cancel(ECO, term, segs, last_day, effective=date(2027, 3, 10))
    assert result.cooling_off_starts == max(concluded, documents)
    assert result.cooling_off_last_day == last_day
    assert result.within_cooling_off
    assert not cancel(ECO, term, segs, last_day + timedelta(days=1), effective=date(2027, 3, 10)).within_cooling_off


def test_pol5_fullcover_has_no_cooling_off_beyond_the_day_itself() -> None:
    fc = CAT.by_ref("FULLCOVER@2025.1")
    term = TermState(1, Period(START, START + timedelta(days=7)), fc.ref, motor_risk(), Decimal("0.2"), False, START, START)
    assert cooling_off_window(fc, term) == (START, START)


# -- FEE-1 Eco fees and time on cover ---------------------------------------------------------------

def test_fee1_eco_within_cooling_off_keeps_35_plus_time_on_cover() -> None:
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 3, 15))
    assert result.method == "pro_rata"
    assert [(f.code, f.amount) for f in result.cancellation_fees] == [("cancellation_cooling_off", Money.of("35.00"))]
    assert result.paid.premium == Money.of("234.60") and result.paid.ipt == Money.of("28.15")
    assert result.days_on_cover == 14 and result.days_in_term == 366
    assert result.earned.premium == Money.of("8.97")  # 234.60 x 14 / 366 = 8.9737...
    assert result.earned.ipt == Money.of("1.08")  # 12% of 8.97 = 1.0764
    assert result.refund_premium == Money.of("225.63")
    assert result.refund_ipt == Money.of("27.07")
    assert result.refund_total == Money.of("217.70")  # 225.63 + 27.07 - 35
    assert_fee6(result)


def test_fee1_eco_after_cooling_off_keeps_50_plus_time_on_cover() -> None:
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 9, 1))  # 184 days on cover
    assert [(f.code, f.amount) for f in result.cancellation_fees] == [("cancellation", Money.of("50.00"))]
    assert result.days_on_cover == 184
    assert result.earned.premium.amount == half_up(Decimal("234.60") * 184 / 366)
    assert result.earned.premium == Money.of("117.94")
    assert result.refund_total == (Money.of("234.60") - Money.of("117.94")) + (Money.of("28.15") - Money.of("14.15")) \
        - Money.of("50.00")
    assert result.box_return_refund == Money.zero() and result.box_return_by is None
    assert_fee6(result)
    # issue 13 item 1: the rule of the window is stated even when nothing is recorded
    assert ("FEE-1 rule after cooling-off: a claim or an incident that may lead to a claim means no refund; none "
            "is recorded in this term.") in result.explanation


def test_fee2_eco_mta_fee_is_kept_on_cancellation() -> None:
    term, segs = eco_term()
    mta = fee_line(ECO, "mta_admin", date(2027, 3, 5), "t2")
    result = cancel(ECO, term, segs, date(2027, 3, 10), fees=[mta])
    assert result.fees_kept == (mta,) and result.fees_refunded == ()
    assert result.kept_fees_total == Money.of("50.00")  # 15 + 35
    assert_fee6(result)


@pytest.mark.parametrize("event", [
    RecordedEvent("claim", date(2027, 6, 1), reference="CLM1"),
    RecordedEvent("incident", date(2027, 6, 1), reference="INC1"),
])
def test_fee1_claim_or_incident_means_no_refund_and_no_cancellation_fee(event: RecordedEvent) -> None:
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 9, 1), events=[event])
    assert result.method == "no_refund"
    assert result.blocking_events == (event,)
    assert result.earned == result.paid
    assert result.refund_premium == Money.zero() and result.refund_ipt == Money.zero()
    assert result.refund_total == Money.zero()
    assert result.cancellation_fees == ()
    assert_fee6(result)


def test_fee1_total_loss_claim_within_cooling_off_means_no_refund() -> None:
    term, segs = eco_term()
    total_loss = RecordedEvent("claim", date(2027, 3, 4), total_loss=True, reference="TL1")
    result = cancel(ECO, term, segs, date(2027, 3, 10), events=[total_loss])
    assert result.within_cooling_off
    assert result.method == "no_refund"
    assert result.refund_total == Money.zero()
    assert result.cancellation_fees == ()


@pytest.mark.parametrize("event", [
    RecordedEvent("claim", date(2027, 3, 4), reference="CLM1"),
    RecordedEvent("incident", date(2027, 3, 4), reference="INC1"),
])
def test_issue13_item1_fee1_non_total_loss_claim_within_14_days_refunds_less_35_and_time_on_cover(
        event: RecordedEvent) -> None:
    """Issue 13 item 1, FEE-1 (S1): within 14 days of the documents only a total-loss claim forfeits the
    refund; any other claim (or an incident) still gets the refund less GBP 35 and the time on cover."""
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 3, 15), events=[event])
    assert result.within_cooling_off and result.method == "pro_rata" and result.blocking_events == ()
    assert [(f.code, f.amount) for f in result.cancellation_fees] == [("cancellation_cooling_off", Money.of("35.00"))]
    assert result.earned.premium == Money.of("8.97") and result.earned.ipt == Money.of("1.08")
    assert result.refund_total == Money.of("217.70")  # 225.63 + 27.07 - 35, as with no claim at all
    assert_fee6(result)
    assert any(line.startswith("FEE-1 rule within cooling-off: only a total-loss claim means no refund")
               for line in result.explanation), result.explanation


def test_issue13_item1_fee1_claim_after_14_days_forfeits_refund_and_says_which_rule() -> None:
    """Issue 13 item 1, FEE-1 (S1): more than 14 days after the documents, a claim or an incident that may
    lead to one means no refund; the explanation names the rule of that window."""
    term, segs = eco_term()
    claim = RecordedEvent("claim", date(2027, 3, 4), reference="CLM1")
    result = cancel(ECO, term, segs, date(2027, 3, 16), events=[claim])  # the day after the 14 days
    assert not result.within_cooling_off and result.method == "no_refund"
    assert result.refund_total == Money.zero() and result.cancellation_fees == ()
    assert_fee6(result)
    assert any(line.startswith("FEE-1 rule after cooling-off: a claim or an incident that may lead to a claim "
                               "means no refund") and "claim on 2027-03-04 (CLM1)" in line
               for line in result.explanation), result.explanation


def test_issue13_item1_fee1_total_loss_within_14_days_explains_the_rule() -> None:
    """Issue 13 item 1, FEE-1: a total-loss claim within the 14 days: no refund, said in the explanation."""
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 3, 15),
                    events=[RecordedEvent("claim", date(2027, 3, 4), total_loss=True, reference="TL1")])
    assert result.method == "no_refund" and result.refund_total == Money.zero()
    assert any(line.startswith("FEE-1 rule within cooling-off: a total-loss claim means no refund")
               and "total-loss claim on 2027-03-04 (TL1)" in line for line in result.explanation)


_EVENTS = st.lists(st.builds(
    lambda kind, total_loss, day: RecordedEvent(kind, START + timedelta(days=day), total_loss and kind == "claim"),
    st.sampled_from(["claim", "incident"]), st.booleans(), st.integers(min_value=-30, max_value=400)), max_size=3)


@settings(max_examples=150, deadline=None)
@given(events=_EVENTS, request_day=st.integers(min_value=0, max_value=365))
def test_issue13_item1_fee1_property_refund_forfeited_exactly_as_s1_says(
        events: list[RecordedEvent], request_day: int) -> None:
    """Issue 13 item 1, FEE-1 (property): for any claims and incidents and any request day, the refund is
    forfeited exactly when S1 says (within 14 days of the documents: a total-loss claim in the term; after:
    any claim or incident in the term); otherwise the refund is the one with no events at all, to the penny,
    and FEE-6 balances."""
    term, segs = eco_term()
    requested = START + timedelta(days=request_day)
    result = cancel(ECO, term, segs, requested, events=events)
    in_term = [e for e in events if term.period.start <= e.occurred_on < term.period.end]
    within = requested <= date(2027, 3, 15)
    forfeit = any(e.total_loss for e in in_term) if within else bool(in_term)
    assert result.within_cooling_off is within
    assert (result.method == "no_refund") is forfeit
    assert_fee6(result)
    if forfeit:
        assert result.refund_total == Money.zero() and result.earned == result.paid
    else:
        clean = cancel(ECO, term, segs, requested)
        assert (result.refund_total, result.earned, result.cancellation_fees) == (
            clean.refund_total, clean.earned, clean.cancellation_fees)


def test_fee1_events_outside_the_term_do_not_block_the_refund() -> None:
    term, segs = eco_term()
    old = RecordedEvent("claim", date(2027, 2, 28))
    result = cancel(ECO, term, segs, date(2027, 9, 1), events=[old])
    assert result.method == "pro_rata" and result.blocking_events == ()


def test_fee1_no_refund_rules_are_product_data_young_driver_claim_does_not_block() -> None:
    term, segs = yd_term()
    result = cancel(YD, term, segs, date(2027, 9, 1), events=[RecordedEvent("claim", date(2027, 6, 1))])
    assert result.method == "pro_rata"


# -- FEE-3 short-period rates -----------------------------------------------------------------------

@pytest.mark.parametrize(("effective", "months", "percent", "earned", "ipt"), [
    (date(2027, 3, 2), 1, "20", "46.92", "5.63"),  # 1 day on cover: a month begun
    (date(2027, 4, 1), 1, "20", "46.92", "5.63"),  # exactly one month
    (date(2027, 6, 1), 3, "40", "93.84", "11.26"),
    (date(2027, 6, 2), 4, "50", "117.30", "14.08"),  # 3 months + 1 day: 4 months begun
    (date(2028, 2, 29), 12, "100", "234.60", "28.15"),
])
def test_fee3_policy_taken_out_before_july_2012_uses_short_period_rates(
        effective: date, months: int, percent: str, earned: str, ipt: str) -> None:
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 9, 1), effective=effective, taken_out_on=date(2011, 5, 1))
    assert result.method == "short_period"
    assert result.months_on_cover == months
    assert result.short_period_percent == Decimal(percent)
    assert result.earned.premium == Money.of(earned)
    assert result.earned.ipt == Money.of(ipt)
    assert_fee6(result)


def test_pol5_fee3_within_cooling_off_a_pre_2012_policy_pays_only_for_time_on_cover() -> None:
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 3, 2), taken_out_on=date(2011, 5, 1))
    assert result.within_cooling_off
    assert result.method == "pro_rata"
    assert result.earned.premium == Money.of("0.64")


def test_fee3_taken_out_on_1_july_2012_is_pro_rata() -> None:
    term, segs = eco_term()
    result = cancel(ECO, term, segs, date(2027, 9, 1), effective=date(2027, 3, 2), taken_out_on=date(2012, 7, 1))
    assert result.method == "pro_rata"
    assert result.earned.premium == Money.of("0.64")  # 234.60 / 366 = 0.641


# -- FEE-4 / FEE-5 young-driver fees and the box ----------------------------------------------------

def test_fee5_young_driver_within_cooling_off_keeps_arrangement_fee_with_box_refund() -> None:
    term, segs = yd_term()
    arrangement = fee_line(YD, "arrangement")
    result = cancel(YD, term, segs, date(2027, 3, 6), fees=[arrangement])
    assert result.within_cooling_off
    assert result.cancellation_fees == ()  # no fee on a cancellation within cooling-off
    assert result.fees_kept == (arrangement,)
    assert result.box_return_refund == Money.of("50.00")
    assert result.box_return_by == date(2027, 3, 20)
    assert_fee6(result)


def test_fee5_young_driver_new_box_fee_within_cooling_off_half_back_and_box_retained_fee_refunded() -> None:
    term, segs = yd_term()
    fees = [fee_line(YD, "arrangement"), fee_line(YD, "vehicle_change_new_box", date(2027, 3, 3), "t2"),
            fee_line(YD, "vehicle_change_box_retained", date(2027, 3, 4), "t3"), fee_line(YD, "mta", date(2027, 3, 5), "t4")]
    result = cancel(YD, term, segs, date(2027, 3, 8), fees=fees)
    assert [f.code for f in result.fees_refunded] == ["vehicle_change_box_retained"]
    assert [f.code for f in result.fees_kept] == ["arrangement", "vehicle_change_new_box", "mta"]
    assert result.box_return_refund == Money.of("87.50")  # 50% of 100 + 50% of 75
    assert_fee6(result)


def test_fee4_young_driver_after_cooling_off_charges_50_and_keeps_every_fee() -> None:
    term, segs = yd_term()
    fees = [fee_line(YD, "arrangement"), fee_line(YD, "vehicle_change_box_retained", date(2027, 3, 4), "t3")]
    result = cancel(YD, term, segs, date(2027, 5, 1), fees=fees)
    assert not result.within_cooling_off
    assert [(f.code, f.amount) for f in result.cancellation_fees] == [("cancellation", Money.of("50.00"))]
    assert result.fees_refunded == ()
    assert result.kept_fees_total == Money.of("200.00")
    assert result.box_return_by == date(2027, 5, 15)
    assert_fee6(result)


def test_fee5_young_driver_after_cooling_off_box_refund_is_half_the_cancellation_fee_only() -> None:
    """FEE-5/FEE-4: after cooling-off only 50% of the 50.00 cancellation fee comes back with the box;
    the arrangement fee is non-refundable by then."""
    term, segs = yd_term()
    result = cancel(YD, term, segs, date(2027, 5, 1), fees=[fee_line(YD, "arrangement")])
    assert result.box_return_refund == Money.of("25.00")
    more = [fee_line(YD, "arrangement"), fee_line(YD, "renewal", START, "t2"),
            fee_line(YD, "vehicle_change_new_box", date(2027, 4, 1), "t3")]
    assert cancel(YD, term, segs, date(2027, 5, 1), fees=more).box_return_refund == Money.of("25.00")


# -- FEE-6 identity ---------------------------------------------------------------------------------

FEE_CODES = {"ECO": ["mta_admin", "returned_direct_debit"],
             "YOUNG_DRIVER": ["arrangement", "renewal", "vehicle_change_box_retained", "vehicle_change_new_box", "mta"]}
TERMS = {"ECO": eco_term(), "YOUNG_DRIVER": yd_term()}


@settings(max_examples=150, deadline=None)
@given(code=st.sampled_from(["ECO", "YOUNG_DRIVER"]),
       effective_offset=st.integers(min_value=-10, max_value=380),
       requested_offset=st.integers(min_value=0, max_value=380),
       fee_picks=st.lists(st.integers(min_value=0, max_value=4), max_size=4),
       old_policy=st.booleans(),
       event=st.one_of(st.none(), st.tuples(st.sampled_from(["claim", "incident"]), st.integers(0, 365), st.booleans())))
def test_fee6_refund_plus_earned_plus_kept_fees_equals_paid(
        code: str, effective_offset: int, requested_offset: int, fee_picks: list[int], old_policy: bool,
        event: tuple[str, int, bool] | None) -> None:
    product = ECO if code == "ECO" else YD
    term, segs = TERMS[code]
    codes = FEE_CODES[code]
    fees = [fee_line(product, codes[i % len(codes)], START, f"t{n}") for n, i in enumerate(fee_picks)]
    events = [] if event is None else [RecordedEvent(event[0], START + timedelta(days=event[1]), event[2])]  # type: ignore[arg-type]
    result = cancel(product, term, segs, START + timedelta(days=requested_offset),
                    START + timedelta(days=effective_offset), fees, events,
                    taken_out_on=date(2010, 1, 1) if old_policy else START)
    assert_fee6(result)
    assert result.paid_total == result.paid.total + sum_money([f.amount for f in fees])
    assert sorted(result.fees_refunded + result.fees_kept, key=id) == sorted(fees, key=id)
    # never earns more than was paid, never less than nothing
    assert Money.zero() <= result.earned.premium <= result.paid.premium
    assert Money.zero() <= result.earned.ipt <= result.paid.ipt
    for money in (result.refund_total, result.earned.total, result.kept_fees_total, result.box_return_refund):
        assert money.is_whole_pence
    if result.method == "pro_rata":
        on_cover = max(0, min(effective_offset, term.period.days))
        assert result.earned.premium.amount == half_up(result.paid.premium.amount * on_cover / term.period.days)

"""Premium finance's pure rules (PAY-1, PAY-7): the agreement, its schedule, the APR, re-planning."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.billing.domain.finance import (
    FinanceNotAvailable,
    InstalmentState,
    InstalmentStatus,
    PlanPosition,
    add_months,
    apply_replan,
    apr_exact,
    apr_for_schedule,
    first_collection_date,
    instalment_dates,
    position_of,
    present_value,
    quote_finance,
    replan,
    round_apr,
    split_equal,
    years_between,
)
from covernote.kernel.money import Money, Rounding
from covernote.products.domain.finance_spec import FinanceSpec
from covernote.products.store.files import ProductFileError, load_catalogue, load_product_file
from tests.unit.builders import PRODUCTS

SPEC = FinanceSpec(provider="Close Brothers Premium Finance", deposit_percent=Decimal("10"),
                   deposit_minimum=Money.of("50.00"), instalments=10, flat_rate_percent=Decimal("9.9"),
                   commission_percent=Decimal("4"), minimum_credit=Money.of("100.00"))
START = date(2026, 12, 1)


def spec(**changes: object) -> FinanceSpec:
    values = {**SPEC.__dict__, **changes}
    return FinanceSpec(**values)  # type: ignore[arg-type]


# -- the agreement ----------------------------------------------------------------------------------------

def test_pay1_agreement_figures_for_a_1234_50_term() -> None:
    """PAY-1: deposit 10% (123.45), credit 1,111.05, interest 9.9% flat = 109.99 (109.9940 half up), ten
    instalments of 122.10 with the 4p remainder on the first (122.14), total payable 1,344.49; PAY-7:
    commission 4% of the credit = 44.44."""
    q = quote_finance(Money.of("1234.50"), SPEC, START, date(2027, 1, 5), 5)
    assert q.deposit == Money.of("123.45")
    assert q.credit == Money.of("1111.05")
    assert q.interest == Money.of("109.99")
    assert q.repayable == Money.of("1221.04")
    assert q.total_payable == Money.of("1344.49")
    assert q.commission == Money.of("44.44")
    assert [s.amount for s in q.schedule] == [Money.of("122.14")] + [Money.of("122.10")] * 9
    assert [s.due_on for s in q.schedule][:3] == [date(2027, 1, 5), date(2027, 2, 5), date(2027, 3, 5)]
    assert q.schedule[-1].due_on == date(2027, 10, 5)
    # The APR recomputed here independently from the flows (an exact solve, then one decimal place).
    flows = [(years_between(START, s.due_on), s.amount.amount) for s in q.schedule]
    assert q.apr_percent == round_apr(apr_exact([(Decimal(0), Decimal("1111.05"))], flows))
    assert Decimal("20") < q.apr_percent < Decimal("25")


def test_pay1_deposit_minimum_and_cap() -> None:
    """PAY-1: the deposit is at least the product's minimum; with too little left to lend, finance is refused."""
    q = quote_finance(Money.of("300.00"), SPEC, START, date(2027, 1, 1), 1)
    assert q.deposit == Money.of("50.00")  # 10% would be 30.00
    with pytest.raises(FinanceNotAvailable):
        quote_finance(Money.of("140.00"), SPEC, START, date(2027, 1, 1), 1)  # credit 90 < 100
    with pytest.raises(FinanceNotAvailable):
        quote_finance(Money.of("40.00"), spec(minimum_credit=Money.zero()), START, date(2027, 1, 1), 1)


def test_pay1_zero_interest_has_zero_apr() -> None:
    """PAY-1: an interest-free plan shows an APR of 0.0%."""
    q = quote_finance(Money.of("999.99"), spec(flat_rate_percent=Decimal(0)), START, date(2027, 1, 1), 1)
    assert q.interest == Money.zero()
    assert q.apr_percent == Decimal("0.0")
    assert sum(s.amount.pence for s in q.schedule) == q.credit.pence


# -- dates ------------------------------------------------------------------------------------------------

def test_pay1_first_collection_about_a_month_after_the_start_and_not_before_the_mandate() -> None:
    """PAY-1/PAY-6: the first instalment is on the collection day nearest a month after the start, never
    before the earliest date the mandate allows."""
    assert first_collection_date(date(2026, 12, 1), 5, date(2026, 12, 1)) == date(2027, 1, 5)
    assert first_collection_date(date(2026, 12, 1), 28, date(2026, 12, 1)) == date(2026, 12, 28)
    assert first_collection_date(date(2026, 12, 20), 2, date(2026, 12, 20)) == date(2027, 2, 2)  # 13 days from 20 January, not 18
    # the mandate cannot be ready until 2027-01-10: the 5th of January is too early
    assert first_collection_date(date(2026, 12, 1), 5, date(2027, 1, 10)) == date(2027, 2, 5)
    with pytest.raises(ValueError):
        first_collection_date(START, 29, START)


@given(start=st.dates(date(2020, 1, 1), date(2035, 12, 31)), day=st.integers(1, 28),
       lag=st.integers(0, 60))
def test_pay1_first_collection_rules_hold_for_any_start(start: date, day: int, lag: int) -> None:
    """PAY-1: for any start, collection day and mandate delay: on the collection day, after the start, not
    before the earliest date, and within about a month and a half of the later of the two."""
    earliest = start + timedelta(days=lag)
    first = first_collection_date(start, day, earliest)
    assert first.day == day
    assert first > start and first >= earliest
    assert (first - max(start + timedelta(days=16), earliest)).days <= 31


def test_pay1_instalment_dates_monthly_on_the_collection_day() -> None:
    assert instalment_dates(date(2027, 1, 28), 28, 3) == [date(2027, 1, 28), date(2027, 2, 28), date(2027, 3, 28)]
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_pay1_years_between_counts_months_as_twelfths_and_days_of_365() -> None:
    assert years_between(date(2027, 1, 31), date(2027, 2, 28)) == Decimal(1) / 12
    assert years_between(date(2027, 1, 1), date(2027, 2, 11)) == Decimal(1) / 12 + Decimal(10) / 365
    assert years_between(date(2026, 1, 1), date(2027, 1, 1)) == 1


# -- the APR: published worked examples --------------------------------------------------------------------

def test_pay1_apr_published_example_single_repayment() -> None:
    """PAY-1: Directive 98/7/EC (amending 87/102/EEC), Annex III, A, first example (calendar basis): ECU 1,000
    lent on 1 January 1994, repaid by one payment of ECU 1,200 on 1 July 1995, 546 days later (365 + 181):
    the APR is 12.96% to two places, 13% (13.0%) to one."""
    rate = apr_exact([(Decimal(0), Decimal(1000))], [(Decimal(546) / 365, Decimal(1200))])
    assert (rate * 100).quantize(Decimal("0.01")) == Decimal("12.96")
    assert round_apr(rate) == Decimal("13.0")


def test_pay1_apr_published_example_fee_retained() -> None:
    """PAY-1: the same Annex III, A, second example: ECU 1,000 lent of which the creditor keeps ECU 50 for
    administrative expenses (so ECU 950 is advanced), ECU 1,200 repaid on 1 July 1995: APR 16.9%."""
    rate = apr_exact([(Decimal(0), Decimal(950))], [(Decimal(546) / 365, Decimal(1200))])
    assert round_apr(rate) == Decimal("16.9")


def test_pay1_apr_published_example_two_repayments() -> None:
    """PAY-1: the same Annex III, A, third example: ECU 1,000 lent on 1 January 1994, repaid by two payments of
    ECU 600 one and two years later: i = 0.1306623, 13.07% to two places, 13.1% to one."""
    rate = apr_exact([(Decimal(0), Decimal(1000))], [(Decimal(1), Decimal(600)), (Decimal(2), Decimal(600))])
    assert abs(rate - Decimal("0.1306623")) < Decimal("0.0000001")
    assert round_apr(rate) == Decimal("13.1")


def test_pay1_apr_through_the_dates_of_the_published_example() -> None:
    """PAY-1: the first example again, its interval measured from the dates (1994-01-01 to 1995-07-01 is 18
    whole months, 1.5 years by the 12-equal-months assumption): 1.2^(1/1.5) - 1 = 12.92%, so 12.9%. The
    Annex shows both bases give a figure that rounds the same way only to whole percent; the schedule here uses
    months, as the regulations allow for monthly instalments."""
    assert apr_for_schedule(Money.of(1000), date(1994, 1, 1), [(date(1995, 7, 1), Money.of(1200))]) == Decimal("12.9")


def test_pay1_apr_rounds_half_up_at_the_second_place() -> None:
    assert round_apr(Decimal("0.12345")) == Decimal("12.3")
    assert round_apr(Decimal("0.1235")) == Decimal("12.4")
    assert round_apr(Decimal("0.12349999")) == Decimal("12.3")


# -- the APR: properties -----------------------------------------------------------------------------------

amounts = st.integers(min_value=20_000, max_value=500_000).map(Money.from_pence)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("40"), places=1)
counts = st.integers(2, 12)
days = st.integers(1, 28)
starts = st.dates(date(2024, 1, 1), date(2030, 12, 31))


@settings(max_examples=40, deadline=None)
@given(price=amounts, rate=rates, n=counts, day=days, start=starts)
def test_pay1_apr_recomputes_the_present_values(price: Money, rate: Decimal, n: int, day: int, start: date) -> None:
    """PAY-1: at the unrounded APR, the instalments' present value equals the credit (to well below a penny)."""
    s = spec(flat_rate_percent=rate, instalments=n, minimum_credit=Money.zero())
    q = quote_finance(price, s, start, first_collection_date(start, day, start), day)
    flows = [(years_between(start, x.due_on), x.amount.amount) for x in q.schedule]
    exact = apr_exact([(Decimal(0), q.credit.amount)], flows)
    assert abs(present_value(flows, exact) - q.credit.amount) < Decimal("0.0001")
    assert q.apr_percent == round_apr(exact)
    assert (q.apr_percent == 0) == (q.interest.is_zero())


@settings(max_examples=40, deadline=None)
@given(price=amounts, rate=rates, more=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("10"), places=1),
       n=counts, start=starts)
def test_pay1_more_interest_gives_a_higher_apr(price: Money, rate: Decimal, more: Decimal, n: int,
                                                start: date) -> None:
    """PAY-1: with everything else the same, a higher flat rate gives a higher APR."""
    first = first_collection_date(start, 10, start)
    low = quote_finance(price, spec(flat_rate_percent=rate, instalments=n, minimum_credit=Money.zero()), start,
                        first, 10)
    high = quote_finance(price, spec(flat_rate_percent=rate + more, instalments=n, minimum_credit=Money.zero()),
                         start, first, 10)
    flows_low = [(years_between(start, x.due_on), x.amount.amount) for x in low.schedule]
    flows_high = [(years_between(start, x.due_on), x.amount.amount) for x in high.schedule]
    credit = [(Decimal(0), low.credit.amount)]
    assert apr_exact(credit, flows_high) > apr_exact(credit, flows_low)
    assert high.apr_percent >= low.apr_percent


@given(total=st.integers(0, 10**9), n=st.integers(1, 24))
def test_pay1_instalments_equal_to_the_penny_remainder_first(total: int, n: int) -> None:
    parts = split_equal(Money.from_pence(total), n)
    assert sum(p.pence for p in parts) == total
    assert len({p.pence for p in parts[1:]}) <= 1
    assert 0 <= parts[0].pence - parts[-1].pence < n


# -- re-planning ---------------------------------------------------------------------------------------------

def _position() -> PlanPosition:
    return position_of(quote_finance(Money.of("1234.50"), SPEC, START, date(2027, 1, 5), 5))


def _collect(position: PlanPosition, count: int) -> PlanPosition:
    rows = list(position.instalments)
    done = 0
    for i, row in enumerate(rows):
        if row.status == "scheduled" and done < count:
            rows[i] = InstalmentState(row.sequence, row.due_on, row.amount, "collected")
            done += 1
    return PlanPosition(position.cash_price, position.interest, position.deposit, position.instalment_count,
                        position.flat_rate_percent, tuple(rows), position.refunded, position.paid_otherwise,
                        position.arrears)


def test_pay1_replan_additional_premium_spreads_with_pro_rata_interest() -> None:
    """PAY-1: +100.00 after 4 of 10 collected: interest 9.9% x 100 x 6/10 = 5.94 more, spread over the six
    open instalments."""
    pos = _collect(_position(), 4)
    r = replan(pos, pos.cash_price + Money.of("100.00"), "adjustment")
    assert r.interest == pos.interest + Money.of("5.94")
    assert [s.sequence for s in r.instalments] == [5, 6, 7, 8, 9, 10]
    assert r.to_collect == pos.to_collect + Money.of("105.94")
    assert r.refund.is_zero() and r.arrears.is_zero()


def test_pay1_replan_return_premium_beyond_the_open_instalments_is_a_refund() -> None:
    """PAY-1: a return premium reduces the open instalments; what exceeds them is refunded."""
    pos = _collect(_position(), 9)
    last = pos.to_collect  # one instalment of 122.10 left
    r = replan(pos, pos.cash_price - Money.of("200.00"), "adjustment")
    assert r.instalments == ()
    assert r.cancelled == (10,)
    assert r.refund == Money.of("200.00") - last


def test_pay1_replan_cancellation_settles_with_refund_or_arrears() -> None:
    """PAY-1: at cancellation no instalment stays open; the interest is cut to the instalments that fell due;
    what was paid beyond the earned premium is refunded, what is still owed is arrears."""
    pos = _collect(_position(), 3)
    paid = pos.paid
    small = replan(pos, Money.of("200.00"), "cancellation")  # earned premium and fees kept: 200
    assert small.instalments == () and set(small.cancelled) == set(range(4, 11))
    assert small.interest == (pos.interest * 3 / 10).round_pence(Rounding.HALF_UP)
    assert small.refund == paid - Money.of("200.00") - small.interest
    big = replan(pos, Money.of("1200.00"), "cancellation")
    assert big.refund.is_zero()
    assert big.arrears == Money.of("1200.00") + big.interest - paid


def _with_status(position: PlanPosition, sequence: int, status: InstalmentStatus,
                 paid_otherwise: Money | None = None) -> PlanPosition:
    rows = tuple(InstalmentState(i.sequence, i.due_on, i.amount, status) if i.sequence == sequence else i
                 for i in position.instalments)
    return PlanPosition(position.cash_price, position.interest, position.deposit, position.instalment_count,
                        position.flat_rate_percent, rows, position.refunded,
                        position.paid_otherwise if paid_otherwise is None else paid_otherwise, position.arrears)


def test_pay1_pay2_a_returned_instalment_is_owed_as_it_is_never_spread_over_the_rest() -> None:
    """PAY-1 with PAY-2: a returned instalment is recovered by the arrears ladder for its own amount (re-presented
    unchanged, or paid by card), so an adjustment while it is unpaid re-plans the open instalments without it: it
    is never collected twice."""
    pos = _with_status(_collect(_position(), 3), 3, "returned")
    assert pos.returned == pos.instalments[2].amount
    r = replan(pos, pos.cash_price + Money.of("100.00"), "adjustment")
    assert [s.sequence for s in r.instalments] == [4, 5, 6, 7, 8, 9, 10]
    assert r.folded == () and r.arrears.is_zero() and r.refund.is_zero()
    assert r.to_collect == pos.to_collect + Money.of("100.00") + (r.interest - pos.interest)
    after = apply_replan(pos, r)
    assert after.returned == pos.returned
    assert (after.paid + after.to_collect + after.returned + after.arrears) == after.cash_price + after.interest


def test_pay1_pay2_a_cancellation_folds_a_returned_instalment_into_its_settlement() -> None:
    """PAY-1 with PAY-2: at cancellation a returned instalment not yet recovered is settled with the rest: it is
    owed (arrears) or netted off the refund, never refunded while owed; the row is no longer recovered."""
    pos = _with_status(_collect(_position(), 3), 3, "returned")
    owed = replan(pos, Money.of("1200.00"), "cancellation")
    assert owed.folded == (3,) and owed.refund.is_zero()
    assert owed.arrears == Money.of("1200.00") + owed.interest - pos.paid
    after = apply_replan(pos, owed)
    assert after.returned.is_zero() and after.to_collect.is_zero()
    assert next(i for i in after.instalments if i.sequence == 3).status == "cancelled"
    refunded = replan(pos, Money.of("100.00"), "cancellation")
    assert refunded.folded == (3,) and refunded.arrears.is_zero()
    assert refunded.refund == pos.paid - Money.of("100.00") - refunded.interest


def test_pay1_pay2_a_term_costing_less_than_the_returned_instalments_settles_them() -> None:
    """PAY-1: a return premium that leaves the customer owing less than a returned instalment (which Bacs can
    only present again whole) settles it: the open instalments are cancelled and the rest is arrears or a
    refund."""
    pos = _with_status(_collect(_position(), 9), 9, "returned")
    r = replan(pos, pos.cash_price - Money.of("150.00"), "adjustment")
    assert r.folded == (9,) and r.instalments == () and r.cancelled == (10,)
    after = apply_replan(pos, r)
    assert (after.paid + after.to_collect + after.returned + after.arrears) == after.cash_price + after.interest


steps = st.lists(st.tuples(st.sampled_from(["adjustment", "rerating", "collect", "return", "re-present", "card"]),
                           st.integers(-60_000, 60_000)), max_size=16)


@settings(max_examples=200, deadline=None)
@given(price=st.integers(30_000, 400_000), rate=rates, n=counts, plan=steps,
       cancel_at=st.one_of(st.none(), st.integers(-200_000, 200_000)))
def test_pay1_every_sequence_of_changes_pays_the_total_to_the_penny(price: int, rate: Decimal, n: int,
                                                                     plan: list[tuple[str, int]],
                                                                     cancel_at: int | None) -> None:
    """PAY-1, PAY-2 (issue 15's property): over any sequence of adjustments, re-ratings, collections, returned
    instalments (then re-presented or paid by card) and a cancellation, deposit + instalments collected + paid by
    card + still to collect + returned and being recovered + arrears - refunds = the term's total + interest, to
    the penny; no instalment is ever negative; a returned instalment keeps its amount until recovered or settled."""
    s = spec(flat_rate_percent=rate, instalments=n, minimum_credit=Money.zero())
    pos = position_of(quote_finance(Money.from_pence(price), s, START, date(2027, 1, 1), 1))

    def check(p: PlanPosition) -> None:
        assert (p.paid + p.to_collect + p.returned + p.arrears).pence == (p.cash_price + p.interest).pence
        assert all(i.amount.pence >= 0 for i in p.instalments)

    check(pos)
    for what, pence in plan:
        if what in ("adjustment", "rerating"):
            new_price = (pos.cash_price + Money.from_pence(pence)).max(Money.zero())
            returned_before = {i.sequence: i.amount for i in pos.instalments if i.status == "returned"}
            result = replan(pos, new_price, what)  # type: ignore[arg-type]
            pos = apply_replan(pos, result)
            if not result.folded:
                assert {i.sequence: i.amount for i in pos.instalments if i.status == "returned"} == returned_before
        elif what == "collect":
            pos = _collect(pos, 1)
        elif what == "return":
            collected = [i for i in pos.instalments if i.status == "collected"]
            if collected:
                pos = _with_status(pos, collected[-1].sequence, "returned")
        else:
            returned = [i for i in pos.instalments if i.status == "returned"]
            if returned:
                row = returned[0]
                pos = (_with_status(pos, row.sequence, "collected") if what == "re-present" else
                       _with_status(pos, row.sequence, "paid_otherwise", pos.paid_otherwise + row.amount))
        check(pos)
    if cancel_at is not None:
        kept = (pos.cash_price + Money.from_pence(cancel_at)).max(Money.zero()).min(pos.cash_price)
        pos = apply_replan(pos, replan(pos, kept, "cancellation"))
        check(pos)
        assert pos.open_instalments == [] and pos.returned.is_zero()


# -- the product data ----------------------------------------------------------------------------------------

def test_pay1_products_carry_their_finance_terms() -> None:
    """PAY-1 (S3): the young-driver product is financed by Close Brothers Premium Finance; eco-2026 inherits
    eco-2024's terms; the products sold without monthly payment have none."""
    cat = load_catalogue(PRODUCTS)
    young = cat.versions("YOUNG_DRIVER")[0].finance
    assert young is not None and young.provider == "Close Brothers Premium Finance"
    assert young.instalments == 10 and young.commission_percent == Decimal("4")
    old, new = cat.versions("ECO")
    assert old.finance is not None and new.finance == old.finance
    assert all(p.finance is None for code in ("FULLCOVER", "WARRANTY") for p in cat.versions(code))


@pytest.mark.parametrize(("change", "field"), [
    (lambda f: f.update(instalments=0), "finance.instalments"),
    (lambda f: f.update(flat_rate_percent="-1"), "finance.flat_rate_percent"),
    (lambda f: f.update(colour="red"), "finance.colour"),
    (lambda f: f.pop("provider"), "finance.provider"),
])
def test_pay1_a_bad_finance_section_is_refused_naming_the_field(tmp_path: Path, change: Any, field: str) -> None:
    folder = tmp_path / "products"
    shutil.copytree(PRODUCTS, folder)
    path = folder / "young-driver-2025.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["finance"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ProductFileError) as info:
        load_product_file(path)
    assert any(field in str(p) for p in info.value.problems), info.value.problems


# -- the provider simulator ------------------------------------------------------------------------------------

def _application(app_id: str, name: str = "Ann Example", postcode: str = "LS1 4AB", credit: str = "900.00") -> Any:
    from datetime import UTC, datetime

    from covernote.billing.ports import FinanceApplication

    return FinanceApplication(app_id, "Close Brothers Premium Finance", "cus_1", name, date(1990, 1, 2),
                              "1 High Street", postcode, "CN-1", START, Money.of(credit), Money.of("89.10"), 10,
                              Decimal("21.3"), datetime(2026, 11, 22, 10, tzinfo=UTC))


def test_pay1_the_simulated_provider_decides_like_its_docstring_says() -> None:
    """PAY-1: accepted, declined and referred by the applicant; a timeout searches nothing; the same application
    asked again is answered the same without a second search; a referral is decided by its underwriters."""
    from covernote.billing.adapters.finance_provider import SimulatedFinanceProvider
    from covernote.billing.ports import FinanceUnavailable

    sim = SimulatedFinanceProvider()
    ok = sim.decide(_application("a1"))
    assert ok.outcome == "accepted" and ok.reason is None
    assert sim.decide(_application("a1")) == ok and sim.searches() == 1
    assert sim.decide(_application("a2", name="Jo declined")).outcome == "declined"
    assert sim.decide(_application("a3", postcode="ZZ9 1AA")).outcome == "declined"
    assert sim.decide(_application("a4", credit="30000.00")).reason == "outside the provider's lending limits"
    referred = sim.decide(_application("a5", postcode="zz8 2bb"))
    assert referred.outcome == "referred" and sim.decision_of(referred.reference).outcome == "referred"
    assert sim.underwrite(referred.reference, accept=True).outcome == "accepted"
    with pytest.raises(ValueError):
        sim.underwrite(referred.reference, accept=False)
    with pytest.raises(FinanceUnavailable):
        sim.decide(_application("a6", name="Lee Timeout"))
    with pytest.raises(KeyError):
        sim.decision_of("pfa_unknown")
    with pytest.raises(ValueError):
        sim.decide(_application("a1", credit="901.00"))  # the same id for another application
    assert sim.searches() == 5

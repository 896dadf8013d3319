"""Optional extras in the domain (ADD-1, PAY-7) and NCD protection's rules (NCD-3, NCD-4): pure, with
property-based tests for the pro-rata money of extras."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.extras import domain as dx
from covernote.kernel.money import Money, Rounding
from covernote.kernel.periods import Period, add_months
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.extra_lines import ExtraCover, ExtraLine
from covernote.policy.domain.ncd_protection import at_renewal, claims_history, eligibility
from covernote.products.domain.model import Extra, ExtraDocument, NcdProtectionRule, Term
from covernote.products.store.files import ProductFileError, load_catalogue
from tests.conftest import PRODUCTS

TERM = Period(date(2026, 11, 22), date(2027, 11, 22))  # 365 days
RULE = NcdProtectionRule(min_years=5, max_claims=2, window_years=3, claims_question="claims_last_3_years")


def cover(price: str = "79.99", pct: str = "25", per_sale: str = "0", start: date = TERM.start,
          end: date = TERM.end) -> ExtraCover:
    return ExtraCover("breakdown", "Breakdown cover", "RAC", "Breakdown Insurer", "standard", Money.of(price),
                      Decimal("0.12"), Decimal(pct), Money.of(per_sale), (Period(start, end),),
                      (ExtraDocument("Policy wording", "BRK-1"),))


def half_up_pence(numerator: Fraction) -> Money:
    """Exact half-up rounding of a fraction of pence, computed independently of Money."""
    pence = int(numerator + Fraction(1, 2)) if numerator >= 0 else -int(-numerator + Fraction(1, 2))
    return Money.from_pence(pence)


def test_add1_price_table_by_term_length_and_annual_price_for_a_year():
    extra = Extra("breakdown", "Breakdown", "RAC", "Ins", Money.of("79.99"), "standard",
                  {"7 days": Money.of("9.00")})
    assert extra.price_for(Term("months", 12)) == Money.of("79.99")
    assert extra.price_for(Term("days", 7)) == Money.of("9.00")
    assert extra.price_for(Term("days", 30)) is None  # not sold for that term
    assert dx.term_of(TERM) == Term("months", 12)
    assert dx.term_of(Period(date(2026, 1, 1), date(2026, 1, 8))) == Term("days", 7)


def test_add1_a_full_term_charges_the_price_its_ipt_and_commission():
    c = cover().charge(TERM, TERM.end)
    assert (c.premium, c.ipt, c.commission) == (Money.of("79.99"), Money.of("9.60"), Money.of("20.00"))
    # 79.99 x 12% = 9.5988 -> 9.60; 79.99 x 25% = 19.9975 -> 20.00 (half-up to the penny)


def test_pay7_commission_per_sale_is_earned_once_and_never_clawed_back():
    sold = cover("24.99", "30", "2.50")
    assert sold.charge(TERM, TERM.end).commission == Money.of("10.00")  # 7.497 -> 7.50, + 2.50
    [refund] = dx.cancellation_lines({"x": sold}, TERM, TERM.start + timedelta(days=100), "pro_rata", None)
    earned = sold.charge(TERM, TERM.start + timedelta(days=100))
    assert earned.commission - Money.of("2.50") == (earned.premium * Decimal("0.30")).round_pence(Rounding.HALF_UP)
    assert refund.commission == earned.commission - Money.of("10.00")


def test_add1_mta_add_then_remove_at_the_same_date_cancels_to_the_penny():
    day = date(2027, 3, 2)
    added = dx.line(None, cover(start=day), "added", TERM, TERM.end, "")
    removed = dx.line(added.cover_after, added.cover_after.removed_from(day), "removed", TERM, TERM.end, "")
    assert added.premium == Money.of("58.07")  # 79.99 x 265 / 365 = 58.0749... -> 58.07
    assert added.premium + removed.premium == Money.zero()
    assert added.ipt + removed.ipt == Money.zero()
    assert added.commission + removed.commission == Money.zero()


def test_add1_extra_lines_round_trip_through_their_stored_form():
    ln = dx.line(None, cover(), "bought", TERM, TERM.end, "why")
    assert ExtraLine.from_dict(ln.as_dict()) == ln
    assert ln.as_dict()["documents"] == [{"name": "Policy wording", "reference": "BRK-1"}]


def test_fee1_no_refund_keeps_the_whole_extra_and_short_period_keeps_the_percentage():
    c = cover()
    [none] = dx.cancellation_lines({"b": c}, TERM, date(2027, 1, 1), "no_refund", None)
    assert (none.premium, none.ipt, none.commission) == (Money.zero(), Money.zero(), Money.zero())
    [short] = dx.cancellation_lines({"b": c}, TERM, date(2027, 1, 1), "short_period", Decimal("30"))
    assert short.premium == Money.of("-55.99")  # keeps 30% of 79.99 = 23.997 -> 24.00
    assert short.ipt == Money.of("-6.72")  # IPT kept 24.00 x 12% = 2.88; paid 9.60


def test_pay7_postings_balance_and_put_commission_on_its_own_accounts():
    ln = dx.line(None, cover(), "bought", TERM, TERM.end, "")
    posted = dx.postings([ln])
    assert sum((p.amount for p in posted), Money.zero()) == -(ln.premium + ln.ipt)
    accounts = dx.expected_accounts([ln])
    assert accounts["extras:breakdown:premium"] == Money.of("-79.99")
    assert accounts["extras:breakdown:ipt"] == Money.of("-9.60")
    assert accounts["extras:breakdown:commission"] == Money.of("-20.00")
    assert accounts["extras:breakdown:commission-due"] == Money.of("20.00")


# -- NCD protection (NCD-3, NCD-4) -------------------------------------------------------------------


def claim(on: date, claim_type: str = "accident") -> RecordedEvent:
    return RecordedEvent("claim", on, claim_type=claim_type)


def test_ncd3_eligibility_at_its_boundaries():
    start = date(2026, 11, 22)
    assert eligibility(RULE, 5, claims_history(RULE, start, declared=2)) == []
    assert eligibility(RULE, 30, claims_history(RULE, start, declared=0)) == []
    four = eligibility(RULE, 4, claims_history(RULE, start, declared=0))
    assert len(four) == 1 and "5 or more years" in four[0]
    three = eligibility(RULE, 5, claims_history(RULE, start, declared=3))
    assert len(three) == 1 and "no more than 2 claims in the last 3 years" in three[0]
    assert len(eligibility(RULE, 0, claims_history(RULE, start, declared=9))) == 2


def test_ncd3_the_window_is_the_three_years_before_and_only_ncd_affecting_claims_count():
    on = date(2029, 11, 22)
    events = [claim(date(2026, 11, 21)),  # one day before the window: out
              claim(date(2026, 11, 22)),  # the window's first day: in
              claim(date(2028, 1, 5), "windscreen_or_glass"),  # NCD-2: does not affect NCD
              claim(date(2029, 11, 21)),
              RecordedEvent("incident", date(2029, 1, 1))]
    h = claims_history(RULE, on, events)
    assert (h.window.start, h.window.end, h.recorded) == (date(2026, 11, 22), on, 2)


def test_ncd3_declared_claims_count_until_three_years_after_the_first_day():
    first = date(2026, 11, 22)
    assert claims_history(RULE, date(2029, 11, 21), declared=2, first_day=first).declared == 2
    assert claims_history(RULE, date(2029, 11, 22), declared=2, first_day=first).declared == 0


def test_ncd4_protection_applies_until_more_than_two_claims_in_three_years():
    on = date(2029, 11, 22)
    two = claims_history(RULE, on, [claim(date(2028, 1, 1)), claim(date(2029, 1, 1))])
    kept = at_renewal(RULE, True, two, 1)
    assert kept.protected and not kept.lost and "NCD-4" in kept.reason
    three = claims_history(RULE, on, [claim(date(2027, 1, 1)), claim(date(2028, 1, 1)), claim(date(2029, 1, 1))])
    lost = at_renewal(RULE, True, three, 1)
    assert not lost.protected and lost.lost and "Protection lost" in lost.reason and "NCD-5" in lost.reason
    unbought = at_renewal(RULE, False, two, 1)
    assert not unbought.protected and not unbought.lost


# -- properties of the pro-rata money of extras ----------------------------------------------------


prices = st.integers(min_value=0, max_value=500_000).map(lambda p: Money.from_pence(p))
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def term_and_days(draw: st.DrawFn) -> tuple[Period, list[date]]:
    start = draw(starts)
    period = Period(start, add_months(start, 12))
    days = draw(st.lists(st.integers(min_value=0, max_value=period.days), min_size=1, max_size=6))
    return period, [start + timedelta(days=d) for d in days]


@settings(max_examples=300, deadline=None)
@given(price=prices, td=term_and_days(), pct=st.integers(min_value=0, max_value=100))
def test_add1_property_pro_rata_is_exact_half_up_and_never_negative(price, td, pct):
    """One stretch of cover: premium = price x days / days in term, rounded half-up exactly once."""
    period, days = td
    frm = days[0]
    c = ExtraCover("x", "X", "P", "I", "standard", price, Decimal("0.12"), Decimal(pct), Money.zero(),
                   (Period(frm, period.end),))
    charge = c.charge(period, period.end)
    exact = Fraction(price.pence * (period.end - frm).days, period.days)
    assert charge.premium == half_up_pence(exact)
    assert Money.zero() <= charge.premium <= price
    assert charge.ipt == half_up_pence(Fraction(charge.premium.pence) * Fraction(12, 100))
    assert charge.commission == half_up_pence(Fraction(charge.premium.pence * pct, 100))


@settings(max_examples=300, deadline=None)
@given(price=prices, td=term_and_days(), toggles=st.lists(st.booleans(), min_size=1, max_size=6))
def test_add1_property_mta_lines_sum_to_what_the_term_charges(price, td, toggles):
    """Adds and removes in date order: each line is after - before, so the lines always sum to the
    term's charge for the extra (the sum of the pieces is the whole), and each charge is within
    [0, price]."""
    period, days = td
    state: ExtraCover | None = None
    lines: list[ExtraLine] = []
    for day, add in zip(sorted(days), toggles, strict=False):
        if add and (state is None or not state.covers_any_of(Period(day, max(day, period.end)))):
            after = (ExtraCover("x", "X", "P", "I", "standard", price, Decimal("0.12"), Decimal(25), Money.zero(),
                                (Period(day, period.end),)) if state is None else state.added_from(day, period))
        elif not add and state is not None:
            after = state.removed_from(day)
        else:
            continue
        lines.append(dx.line(state, after, "added" if add else "removed", period, period.end, ""))
        state = after
        charge = state.charge(period, period.end)
        assert Money.zero() <= charge.premium <= price
    if state is None:
        return
    total = dx.charged_on_term(lines)
    whole = state.charge(period, period.end)
    assert (total.premium, total.ipt, total.commission) == (whole.premium, whole.ipt, whole.commission)
    covered = sum(p.days for p in state.cover)
    assert whole.premium == half_up_pence(Fraction(price.pence * covered, period.days))


@settings(max_examples=300, deadline=None)
@given(price=prices, td=term_and_days(), pct=st.integers(min_value=0, max_value=100))
def test_add1_property_cancellation_refund_plus_earned_is_paid_and_refunds_are_never_negative(price, td, pct):
    """FEE-6 for each extra: refund + earned = paid, to the penny; a pro-rata refund is never negative
    and never more than was paid."""
    period, days = td
    c = ExtraCover("x", "X", "P", "I", "standard", price, Decimal("0.12"), Decimal(pct), Money.zero(),
                   (Period(period.start, period.end),))
    effective = days[0]
    paid = c.charge(period, period.end)
    [ln] = dx.cancellation_lines({"x": c}, period, effective, "pro_rata", None)
    earned = c.charge(period, effective)
    assert -ln.premium + earned.premium == paid.premium
    assert -ln.ipt + earned.ipt == paid.ipt
    assert Money.zero() <= -ln.premium <= paid.premium
    assert Money.zero() <= -ln.ipt <= paid.ipt


# -- extras as product data: bad files are refused naming file, field and reason ----------------------


def _refused(tmp_path, change) -> dict[str, str]:  # type: ignore[no-untyped-def]
    folder = tmp_path / "products"
    shutil.copytree(PRODUCTS, folder)
    path = folder / "eco-2024.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["extras"])
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProductFileError) as info:
        load_catalogue(folder)
    return {p.field: p.reason for p in info.value.problems if p.file == "eco-2024.yaml"}


def test_add1_product_extras_load_with_prices_commission_documents_and_the_ncd3_rule():
    eco = load_catalogue(PRODUCTS).in_force("ECO", date(2026, 11, 22))
    breakdown, protection = eco.extra("breakdown"), eco.extra("ncd_protection")
    assert breakdown is not None and protection is not None
    assert (breakdown.provider, breakdown.annual_price, breakdown.commission_percent) == ("RAC", Money.of("79.99"),
                                                                                         Decimal("25"))
    assert breakdown.documents[0].reference == "ECO-BRK-PW-2024.1" and breakdown.claim_types == ("breakdown",)
    assert protection.ncd_protection == RULE
    yd = load_catalogue(PRODUCTS).in_force("YOUNG_DRIVER", date(2026, 11, 22)).extra("legal_expenses")
    assert yd is not None and yd.commission_per_sale == Money.of("2.50")


def test_add1_bad_extras_in_a_product_file_are_refused_naming_the_field(tmp_path):
    def break_them(extras: list[dict]) -> None:  # type: ignore[type-arg]
        extras[0]["prices_by_term"] = {"7 days": "9.00"}  # ECO sells 12-month terms only
        extras[1]["claim_types"] = ["flood"]
        extras[3]["ncd_protection"]["claims_question"] = "claims_ever"
        extras[2]["code"] = "breakdown"

    problems = _refused(tmp_path, break_them)
    assert "not one of the product's terms" in problems["extras[0].prices_by_term"]
    assert "unknown claim type" in problems["extras[1].claim_types"]
    assert "not a question" in problems["extras[3].ncd_protection.claims_question"]
    assert "used twice" in problems["extras"]

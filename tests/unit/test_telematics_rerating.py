"""TEL-4: the 90-day review's rule (telematics/domain/rerating.py) and its product data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.money import Money
from covernote.products.domain.telematics_spec import RerateRules, loading_factor_problems
from covernote.products.store.files import load_catalogue
from covernote.telematics.domain.rerating import as_score, increase_cap, rerate, review_dates

RULES = RerateRules(interval_days=90, baseline_score=Decimal(70), percent_per_point=Decimal(1),
                    max_step_percent=15, cap_percent=50, floor_percent=-50)

scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
rules_st = st.builds(
    RerateRules, interval_days=st.just(90), baseline_score=scores,
    percent_per_point=st.decimals(min_value=0, max_value=5, places=2),
    max_step_percent=st.integers(0, 60), cap_percent=st.integers(0, 100), floor_percent=st.integers(-100, 0))


def _expected_step(rules: RerateRules, score: Decimal, previous: Decimal) -> int:
    """The rule as the docs state it, independently: -(change x %/point), half-up to whole %, bounded."""
    raw = int((-(score - previous) * rules.percent_per_point).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(-rules.max_step_percent, min(rules.max_step_percent, raw))


@settings(max_examples=200, deadline=None)
@given(rules_st, st.lists(scores, min_size=1, max_size=12))
def test_tel4_property_the_cumulative_loading_never_exceeds_the_cap_and_follows_the_rule(rules, period_scores):
    """TEL-4 (property): over any sequence of period scores, each review's loading is exactly the rule's (the
    step from the last reviewed score, the first from the baseline) held within [floor, cap], and never above
    the cap (50% of the renewal premium in the product)."""
    loading, previous = 0, None
    for s in period_scores:
        f = rerate(rules, s, previous, loading)
        base = rules.baseline_score if previous is None else previous
        step = _expected_step(rules, s, base)
        assert f.step_percent == step
        assert f.loading_after == max(rules.floor_percent, min(rules.cap_percent, loading + step))
        assert rules.floor_percent <= f.loading_after <= rules.cap_percent
        assert f.capped == (loading + step > rules.cap_percent)
        assert f.against_baseline == (previous is None) and f.previous_score == as_score(base)
        loading, previous = f.loading_after, s


@settings(max_examples=200, deadline=None)
@given(rules_st, scores, scores, st.integers(-100, 100))
def test_tel4_property_an_improving_score_never_increases_and_a_worse_one_never_decreases(rules, a, b, before):
    """TEL-4 (property): a better score never raises the loading, a worse one never lowers it (a loading
    already beyond the cap or floor, as an old product version might leave it, is only brought within)."""
    loading = max(rules.floor_percent, min(rules.cap_percent, before))
    f = rerate(rules, a, b, loading)
    if a >= b:
        assert f.step_percent <= 0 and f.loading_after <= loading
    if a <= b:
        assert f.step_percent >= 0 and f.loading_after >= loading


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2), st.integers(0, 100))
def test_tel4_property_the_increase_cap_is_the_percentage_of_the_renewal_premium_to_the_penny(premium, cap):
    """TEL-4 (property): the money cap is cap% of the renewal premium, half-up to the penny."""
    got = increase_cap(Money.of(premium), cap)
    assert got.is_whole_pence
    assert abs(got.amount - premium * cap / 100) <= Decimal("0.005")


def test_tel4_worked_figures_and_their_explanation():
    """TEL-4: 62.5 after a baseline of 70: 7.5 points worse, +8% (half-up), explained line by line."""
    f = rerate(RULES, 62.5, None, 0)
    assert (f.change, f.step_percent, f.loading_after, f.capped) == (Decimal("-7.50"), 8, 8, False)
    assert "70.00" in f.explanation[0] and "-7.50" in f.explanation[0] and "+8% increase" in f.explanation[1]
    assert f.explanation[2].endswith(": +8%.")
    big = rerate(RULES, 10, 70, 40)
    assert (big.step_percent, big.loading_after, big.capped) == (15, 50, True)
    assert "cap of 50%" in big.explanation[2] and "bounded at 15%" in big.explanation[1]
    floor = rerate(RULES, 100, 70, -45)
    assert (floor.loading_after, floor.floored) == (-50, True)


def test_tel4_review_dates_every_90_days_within_the_term():
    """TEL-4: day 90, 180, 270, 360 of a 12-month term; none on or after its end (a cancellation's)."""
    start = date(2026, 11, 22)
    assert review_dates(start, date(2027, 11, 22), 90) == tuple(start + timedelta(days=90 * k) for k in (1, 2, 3, 4))
    assert review_dates(start, start + timedelta(days=180), 90) == (start + timedelta(days=90),)


def test_tel4_the_product_prices_every_loading_as_one_plus_its_percentage():
    """TEL-4: the young-driver product's rerating section loads, and its rating factor prices every loading
    from floor to cap as exactly 1 + loading/100 (a wrong row is refused naming the field)."""
    catalogue = load_catalogue(Path(__file__).resolve().parents[2] / "products")
    product = catalogue.versions("YOUNG_DRIVER")[-1]
    assert product.telematics_rules is not None
    rr = product.telematics_rules.rerating
    assert rr is not None and (rr.cap_percent, rr.interval_days) == (50, 90)
    table = next(t for t in product.rating.factors if t.variable == rr.question)
    assert loading_factor_problems(rr, dict(table.values)) == []
    bad = dict(table.values) | {"7": Decimal("1.08")}
    assert loading_factor_problems(rr, bad)[0][0] == "rerating.question"
    assert loading_factor_problems(replace(rr, cap_percent=60), dict(table.values)) != []

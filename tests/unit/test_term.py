"""POL-2: a term is an effective-dated timeline of the risk. Back-dated changes merge under later
ones, temporary changes end at `until`, and the premium charged is the day-weighted sum of the
segment premiums, rounded once, so a change and its reversal cancel to the penny."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.errors import ValidationFailed
from covernote.kernel.money import Money
from covernote.kernel.periods import Period
from covernote.policy.domain.rating import RatingResult, rate_for_term
from covernote.policy.domain.risk import Change, Risk, validate_risk
from covernote.policy.domain.term import (
    Adjustment,
    TermState,
    charged_premium,
    ipt_on,
    price_segments,
    risk_timeline,
    term_charge,
)
from covernote.products.domain.model import Product
from covernote.products.store.files import load_catalogue

from .builders import PRODUCTS, driver, motor_risk, vehicle

START = date(2026, 11, 22)
END = date(2027, 11, 22)
PERIOD = Period(START, END)  # 365 days
CAT = load_catalogue(PRODUCTS)
ECO: Product = CAT.by_ref("ECO@2026.7")
BASE: Risk = validate_risk(ECO, motor_risk(), START)
D2 = driver("d2", date(2004, 5, 5), date(2023, 5, 5), "Bob Example")  # 22: rates higher
RATE = Decimal("0.12")


def pricer(risk: Risk) -> RatingResult:
    return rate_for_term(ECO, risk, START, renewal=False, term_days=PERIOD.days)


def term(*adjustments: Adjustment, cancelled_from: date | None = None) -> TermState:
    return TermState(1, PERIOD, ECO.ref, BASE, RATE, False, START, START, list(adjustments), cancelled_from)


def adj(seq: int, effective: date, *changes: Change, until: date | None = None) -> Adjustment:
    return Adjustment(seq, effective, until, tuple(changes), f"t{seq}")


def mileage(value: int) -> Change:
    return Change("set_answer", question="annual_mileage", value=str(value))


def charged(t: TermState) -> Money:
    return term_charge(t, price_segments(t, pricer)).premium


def test_pol2_no_adjustments_is_one_segment_and_full_year_charges_its_premium() -> None:
    t = term()
    segs = price_segments(t, pricer)
    assert len(segs) == 1 and segs[0].period == PERIOD and segs[0].risk == BASE
    assert segs[0].rating.premium == Money.of("234.60")
    assert charged_premium(segs, PERIOD, END) == Money.of("234.60")
    charge = term_charge(t, segs)
    assert charge.ipt == Money.of("28.15")  # 12% of 234.60 = 28.152
    assert charge.total == Money.of("262.75")


def test_pol2_backdated_change_recorded_later_is_merged_under_the_later_change() -> None:
    later = adj(1, date(2027, 6, 1), mileage(12000))
    backdated = adj(2, date(2027, 3, 1), mileage(9000), Change("add_driver", driver=D2))
    stretches = risk_timeline(BASE, PERIOD, [later, backdated])
    assert [p for p, _ in stretches] == [Period(START, date(2027, 3, 1)), Period(date(2027, 3, 1), date(2027, 6, 1)),
                                         Period(date(2027, 6, 1), END)]
    risks = [r for _, r in stretches]
    assert [r.answer("annual_mileage") for r in risks] == ["8000", "9000", "12000"]  # the later change still wins
    assert [len(r.drivers) for r in risks] == [1, 2, 2]  # the back-dated driver carries through


def test_pol2_order_of_recording_does_not_matter_for_different_dates() -> None:
    a = adj(1, date(2027, 6, 1), mileage(12000))
    b = adj(2, date(2027, 3, 1), mileage(9000))
    a2, b2 = replace(a, sequence=2), replace(b, sequence=1)
    assert risk_timeline(BASE, PERIOD, [a, b]) == risk_timeline(BASE, PERIOD, [b2, a2])


def test_pol2_same_day_changes_apply_in_order_of_recording() -> None:
    first = adj(1, date(2027, 3, 1), mileage(9000))
    second = adj(2, date(2027, 3, 1), mileage(15000))
    stretches = risk_timeline(BASE, PERIOD, [second, first])
    assert stretches[-1][1].answer("annual_mileage") == "15000"


def test_pol2_temporary_change_ends_at_until() -> None:
    temp = adj(1, date(2027, 1, 1), Change("add_driver", driver=D2), until=date(2027, 2, 1))
    stretches = risk_timeline(BASE, PERIOD, [temp])
    assert [p for p, _ in stretches] == [Period(START, date(2027, 1, 1)), Period(date(2027, 1, 1), date(2027, 2, 1)),
                                         Period(date(2027, 2, 1), END)]
    assert stretches[0][1] == BASE and stretches[2][1] == BASE
    assert stretches[1][1].driver("d2") == D2


def test_pol2_premium_is_day_weighted_and_rounded_once() -> None:
    change_day = date(2027, 3, 1)  # 99 days after the start
    t = term(adj(1, change_day, mileage(12000)))
    segs = price_segments(t, pricer)
    p1, p2 = segs[0].rating.premium, segs[1].rating.premium
    assert p1 == Money.of("234.60")
    assert p2 == Money.of("258.06")  # 782 x 1.10 = 860.20 x 0.3
    d1 = (change_day - START).days
    exact = (p1.amount * d1 + p2.amount * (365 - d1)) / 365
    assert charged(t).amount == exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert charged(t) == Money.of("251.70")  # (234.60 x 99 + 258.06 x 266) / 365 = 251.697...


def test_pol2_cancelled_term_charges_only_days_on_cover() -> None:
    t = term(cancelled_from=date(2027, 5, 22))  # 181 days
    assert t.cover_end == date(2027, 5, 22)
    assert charged(t) == Money.of("116.34")  # 234.60 x 181 / 365 = 116.3359...
    assert charged(term(cancelled_from=START)) == Money.zero()
    assert charged(term(cancelled_from=date(2030, 1, 1))) == Money.of("234.60")


def test_pol6_ipt_on_rounds_half_up() -> None:
    assert ipt_on(Money.of("100.04"), RATE) == Money.of("12.00")  # 12.0048
    assert ipt_on(Money.of("100.05"), RATE) == Money.of("12.01")  # 12.006
    assert ipt_on(Money.of("0.125"), Decimal("0.2")) == Money.of("0.03")  # 0.025 half-up


def test_pol2_removing_a_driver_not_on_the_policy_then_is_refused() -> None:
    added = adj(1, date(2027, 3, 1), Change("add_driver", driver=D2))
    removed_too_early = adj(2, date(2027, 1, 1), Change("remove_driver", driver_id="d2"))
    with pytest.raises(ValidationFailed) as info:
        risk_timeline(BASE, PERIOD, [added, removed_too_early])
    assert info.value.issues[0].field == "changes"
    assert "d2" in info.value.issues[0].reason and "2027-01-01" in info.value.issues[0].reason


def test_pol2_removing_a_temporary_driver_after_until_is_refused() -> None:
    temp = adj(1, date(2027, 1, 1), Change("add_driver", driver=D2), until=date(2027, 2, 1))
    with pytest.raises(ValidationFailed):
        risk_timeline(BASE, PERIOD, [temp, adj(2, date(2027, 3, 1), Change("remove_driver", driver_id="d2"))])


def test_pol2_cannot_remove_the_last_driver_or_add_a_driver_twice() -> None:
    with pytest.raises(ValidationFailed):
        risk_timeline(BASE, PERIOD, [adj(1, date(2027, 1, 1), Change("remove_driver", driver_id="d1"))])
    with pytest.raises(ValidationFailed):
        risk_timeline(BASE, PERIOD, [adj(1, date(2027, 1, 1), Change("add_driver", driver=driver("d1")))])


CHANGES = st.sampled_from([
    ("mileage", mileage(15000), mileage(8000)),
    ("driver", Change("add_driver", driver=D2), Change("remove_driver", driver_id="d2")),
    ("vehicle", Change("replace_vehicle", vehicle=vehicle("XY19ZZZ", "45000", 44)),
     Change("replace_vehicle", vehicle=BASE.vehicle)),
    ("postcode", Change("set_postcode", postcode="E1 6AN"), Change("set_postcode", postcode=BASE.postcode)),
    ("excess", Change("set_answer", question="voluntary_excess", value="500"),
     Change("set_answer", question="voluntary_excess", value="0")),
])


@settings(max_examples=80, deadline=None)
@given(offset=st.integers(min_value=0, max_value=364), change=CHANGES,
       cancel_offset=st.one_of(st.none(), st.integers(min_value=0, max_value=365)),
       earlier=st.booleans())
def test_pol2_change_and_its_reversal_at_the_same_date_cancel_to_the_penny(
        offset: int, change: tuple[str, Change, Change], cancel_offset: int | None, earlier: bool) -> None:
    _, forward, back = change
    effective = START + timedelta(days=offset)
    cancelled = None if cancel_offset is None else START + timedelta(days=cancel_offset)
    # an unrelated earlier adjustment, so the reversal is merged into a non-trivial timeline
    unrelated = Change("set_answer", question="use", value="business")
    others = [adj(1, START + timedelta(days=offset // 2), unrelated)] if earlier else []
    before = term(*others, cancelled_from=cancelled)
    with_change = term(*others, adj(2, effective, forward), cancelled_from=cancelled)
    reversed_ = term(*others, adj(2, effective, forward), adj(3, effective, back), cancelled_from=cancelled)
    additional = charged(with_change) - charged(before)
    returned = charged(reversed_) - charged(with_change)
    assert charged(reversed_) == charged(before)
    assert additional + returned == Money.zero()
    if offset > 0 and cancelled is None and not earlier:
        assert not additional.is_zero()  # the change really did price differently

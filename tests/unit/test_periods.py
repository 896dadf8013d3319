"""Half-open periods and calendar-month arithmetic (kernel.periods).

Cover periods, pro-rata days (FEE-6) and short-period months begun (FEE-3) are all built on these.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.periods import Period, PeriodError, add_months, add_years, months_started

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
SETTINGS = settings(max_examples=300, deadline=None)


def test_fee6_period_is_half_open_contains_start_not_end() -> None:
    p = Period(date(2026, 3, 1), date(2026, 3, 4))
    assert p.days == 3
    assert p.contains(date(2026, 3, 1))
    assert p.contains(date(2026, 3, 3))
    assert not p.contains(date(2026, 3, 4))
    assert not p.contains(date(2026, 2, 28))
    assert p.last_day == date(2026, 3, 3)


def test_fee6_period_of_a_year_has_365_or_366_days() -> None:
    assert Period(date(2026, 1, 1), date(2027, 1, 1)).days == 365
    assert Period(date(2028, 1, 1), date(2029, 1, 1)).days == 366
    assert Period(date(2027, 3, 1), date(2028, 3, 1)).days == 366  # includes 29 Feb 2028


def test_pol1_period_rejects_end_before_start() -> None:
    with pytest.raises(PeriodError):
        Period(date(2026, 3, 2), date(2026, 3, 1))


def test_pol1_empty_period_has_no_days_and_no_last_day() -> None:
    p = Period(date(2026, 3, 1), date(2026, 3, 1))
    assert p.is_empty() and p.days == 0 and not p.contains(date(2026, 3, 1))
    with pytest.raises(PeriodError):
        _ = p.last_day


def test_pol2_overlap_intersection_and_split() -> None:
    a = Period(date(2026, 1, 1), date(2026, 2, 1))
    b = Period(date(2026, 1, 20), date(2026, 3, 1))
    c = Period(date(2026, 2, 1), date(2026, 3, 1))  # touches a, does not overlap (half-open)
    assert a.overlaps(b) and b.overlaps(a)
    assert not a.overlaps(c)
    assert a.intersection(b) == Period(date(2026, 1, 20), date(2026, 2, 1))
    assert a.intersection(c) is None
    left, right = a.split_at(date(2026, 1, 10))
    assert (left.days, right.days) == (9, 22)
    with pytest.raises(PeriodError):
        a.split_at(date(2026, 2, 2))


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2026, 1, 30), 1, date(2026, 2, 28)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 1, 31), 3, date(2026, 4, 30)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 5, 10), 0, date(2026, 5, 10)),
])
def test_fee3_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_fee3_add_years_from_leap_day() -> None:
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)


@SETTINGS
@given(day=DATES, months=st.integers(min_value=-240, max_value=240))
def test_fee3_add_months_lands_in_the_right_month_never_past_the_day(day: date, months: int) -> None:
    result = add_months(day, months)
    index = day.year * 12 + day.month - 1 + months
    assert (result.year, result.month) == (index // 12, index % 12 + 1)
    assert result.day <= day.day
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 3, 1), date(2026, 3, 1), 0),
    (date(2026, 3, 1), date(2026, 3, 2), 1),  # one day is a month begun
    (date(2026, 3, 1), date(2026, 4, 1), 1),  # exactly one month
    (date(2026, 3, 1), date(2026, 4, 2), 2),  # one month and a day
    (date(2026, 3, 1), date(2026, 6, 1), 3),
    (date(2026, 3, 1), date(2026, 6, 2), 4),  # three months and a day
    (date(2026, 1, 31), date(2026, 2, 28), 1),
    (date(2026, 1, 31), date(2026, 3, 1), 2),
    (date(2026, 3, 1), date(2027, 3, 1), 12),
])
def test_fee3_months_started_counts_part_months(start: date, end: date, expected: int) -> None:
    assert months_started(Period(start, end)) == expected


@SETTINGS
@given(start=DATES, days=st.integers(min_value=1, max_value=800))
def test_fee3_months_started_is_the_least_n_with_add_months_reaching_the_end(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    n = months_started(Period(start, end))
    assert n >= 1
    assert add_months(start, n) >= end
    assert add_months(start, n - 1) < end

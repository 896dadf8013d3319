"""CMP-5: working days exclude weekends and the bank holidays of the relevant UK nation
(England and Wales by default), substitute days and one-off moves included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.calendar import Nation, WorkingDayCalendar

EW = WorkingDayCalendar()
SCOT = WorkingDayCalendar(Nation.SCOTLAND)
NI = WorkingDayCalendar(Nation.NORTHERN_IRELAND)


def test_cmp5_default_nation_is_england_and_wales() -> None:
    assert WorkingDayCalendar().nation is Nation.ENGLAND_AND_WALES


@pytest.mark.parametrize(("day", "why"), [
    (date(2025, 4, 18), "Good Friday 2025"),
    (date(2025, 4, 21), "Easter Monday 2025"),
    (date(2021, 12, 27), "Christmas 2021 fell on a Saturday: substitute Monday"),
    (date(2021, 12, 28), "Boxing Day 2021 fell on a Sunday: substitute Tuesday"),
    (date(2020, 5, 8), "early May bank holiday 2020 moved to Friday 8 May"),
    (date(2022, 6, 2), "spring bank holiday 2022 moved to Thursday 2 June"),
    (date(2022, 6, 3), "platinum jubilee Friday 3 June 2022"),
    (date(2023, 5, 8), "coronation of Charles III"),
    (date(2026, 12, 28), "Boxing Day 2026 fell on a Saturday: substitute Monday"),
])
def test_cmp5_england_and_wales_bank_holidays_are_not_working_days(day: date, why: str) -> None:
    assert day.weekday() < 5, why
    assert EW.is_bank_holiday(day), why
    assert not EW.is_working_day(day), why


@pytest.mark.parametrize("day", [
    date(2020, 5, 4),  # the usual early May Monday, moved in 2020
    date(2022, 5, 30),  # the usual last Monday of May, moved in 2022
    date(2025, 4, 17),  # Maundy Thursday
    date(2025, 4, 22),
    date(2026, 1, 2),  # Scotland only
    date(2026, 3, 17),  # Northern Ireland only
    date(2026, 11, 30),  # Scotland only
])
def test_cmp5_ordinary_weekdays_in_england_and_wales_are_working_days(day: date) -> None:
    assert not EW.is_bank_holiday(day)
    assert EW.is_working_day(day)


def test_cmp5_weekends_are_never_working_days() -> None:
    assert not EW.is_working_day(date(2026, 11, 21))  # Saturday
    assert not EW.is_working_day(date(2026, 11, 22))  # Sunday
    assert EW.is_working_day(date(2026, 11, 23))


def test_cmp5_scotland_has_2_january_and_st_andrews_day() -> None:
    assert date(2026, 11, 30).weekday() == 0  # a Monday
    assert not SCOT.is_working_day(date(2026, 1, 2))
    assert not SCOT.is_working_day(date(2026, 11, 30))
    # Easter Monday is not a Scottish bank holiday
    assert SCOT.is_working_day(date(2026, 4, 6))
    assert not EW.is_working_day(date(2026, 4, 6))


def test_cmp5_northern_ireland_has_st_patricks_day() -> None:
    assert not NI.is_working_day(date(2026, 3, 17))
    assert SCOT.is_working_day(date(2026, 3, 17))
    assert not NI.is_working_day(date(2026, 7, 13))  # Battle of the Boyne (observed)


def test_cmp5_nation_parse_aliases() -> None:
    assert Nation.parse("wls") is Nation.ENGLAND_AND_WALES
    assert Nation.parse(" ENG ") is Nation.ENGLAND_AND_WALES
    assert Nation.parse("SCT") is Nation.SCOTLAND
    assert Nation.parse("NIR") is Nation.NORTHERN_IRELAND
    with pytest.raises(ValueError):
        Nation.parse("FRA")


def test_cmp5_add_working_days_skips_easter_2025() -> None:
    assert EW.add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)
    assert EW.add_working_days(date(2025, 4, 17), 0) == date(2025, 4, 17)
    assert EW.working_days_between(date(2025, 4, 17), date(2025, 4, 22)) == 1
    assert EW.working_days_between(date(2025, 4, 17), date(2025, 4, 21)) == 0


def test_cmp5_five_working_days_over_christmas_2021() -> None:
    # Thu 23 Dec 2021: Fri 24, then 27 and 28 are substitute days -> 29, 30, 31 Dec, 4 Jan (3 Jan substitute)
    assert EW.add_working_days(date(2021, 12, 23), 5) == date(2022, 1, 4)


def test_cmp5_add_working_days_refuses_negative_count() -> None:
    with pytest.raises(ValueError):
        EW.add_working_days(date(2025, 4, 17), -1)


def test_cmp5_working_days_between_is_zero_when_end_not_after_start() -> None:
    assert EW.working_days_between(date(2025, 4, 22), date(2025, 4, 22)) == 0
    assert EW.working_days_between(date(2025, 4, 22), date(2025, 4, 1)) == 0


@settings(max_examples=150, deadline=None)
@given(start=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
       n=st.integers(min_value=1, max_value=40),
       nation=st.sampled_from(list(Nation)))
def test_cmp5_add_working_days_lands_on_a_working_day_n_working_days_later(start: date, n: int, nation: Nation) -> None:
    cal = WorkingDayCalendar(nation)
    result = cal.add_working_days(start, n)
    assert result > start
    assert cal.is_working_day(result)
    assert cal.working_days_between(start, result) == n
    # and not one day earlier: the day before still has fewer than n working days
    assert cal.working_days_between(start, result - timedelta(days=1)) == n - 1
    # n working days never take fewer than n calendar days
    assert (result - start).days >= n

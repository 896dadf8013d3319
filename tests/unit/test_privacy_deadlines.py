"""PRV-3: the data subject request clock. **UK** one calendar month from receipt (corresponding date, or
the month's last day), moved to the next working day of the requester's nation; paused while waiting
for identity or clarification; extendable by two months only if the person is told within the first
month (ICO, "Time limits for responding to data protection rights requests")."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.calendar import Nation, WorkingDayCalendar
from covernote.kernel.errors import ValidationFailed
from covernote.kernel.periods import Period
from covernote.privacy.domain.deadlines import RequestClock, next_working_day_on_or_after

FIRST, LAST = date(2023, 1, 1), date(2028, 12, 31)
EVERY_DAY = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
ENG, SCT, NIR = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND
# Longest run of non-working days after a calendar date: a Christmas or New Year on a weekend with its
# substitute days (Sat 25 Dec -> Wed 29 Dec), or Good Friday to Easter Tuesday.
MAX_ROLL_DAYS = 4


def corresponding(day: date, months: int) -> date:
    """Independent oracle: the same day `months` months on, or that month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, stdlib_calendar.monthrange(year, month)[1]))


def issue_fields(error: ValidationFailed) -> list[str]:
    return [issue.field for issue in error.issues]


# --- every day of 2023-2028 -------------------------------------------------------------------


@pytest.mark.parametrize("nation", list(Nation), ids=lambda n: n.name)
@pytest.mark.parametrize("months,method", [(1, "due_date"), (3, "extended_due_date")])
def test_prv3_due_date_is_the_next_working_day_on_or_after_the_corresponding_date_every_day(
        nation: Nation, months: int, method: str) -> None:
    working = WorkingDayCalendar(nation)
    rolled = 0
    for received in EVERY_DAY:
        due = getattr(RequestClock(received, nation=nation), method)()
        target = corresponding(received, months)
        assert working.is_working_day(due), (received, due)
        assert due >= target, (received, due)
        assert (due - target).days <= MAX_ROLL_DAYS, (received, due)
        gap = [target + timedelta(days=n) for n in range((due - target).days)]
        assert not any(working.is_working_day(day) for day in gap), (received, due)
        if working.is_working_day(target):
            assert due == target, (received, due)
        else:
            rolled += 1
    assert rolled > 600  # weekends and bank holidays really were met


def test_prv3_the_longest_roll_is_a_christmas_or_easter_and_reaches_the_bound() -> None:
    gaps = {received: (RequestClock(received).due_date() - corresponding(received, 1)).days
            for received in EVERY_DAY}
    longest = max(gaps.values())
    assert longest == MAX_ROLL_DAYS
    for received, gap in gaps.items():
        if gap == longest:
            target = corresponding(received, 1)
            christmas = target.month == 12 and 23 <= target.day <= 28
            easter = target.month in (3, 4) and target.weekday() == 4  # Good Friday
            assert christmas or easter, received


# --- month ends and leap years ----------------------------------------------------------------


@pytest.mark.parametrize("received,due", [
    (date(2023, 1, 31), date(2023, 2, 28)),  # Tue
    (date(2024, 1, 31), date(2024, 2, 29)),  # leap year, Thu
    (date(2025, 1, 31), date(2025, 2, 28)),  # Fri
    (date(2026, 1, 31), date(2026, 3, 2)),  # Sat 28 Feb -> Mon 2 Mar
    (date(2027, 1, 31), date(2027, 3, 1)),  # Sun 28 Feb -> Mon 1 Mar
    (date(2028, 1, 31), date(2028, 2, 29)),  # leap year, Tue
    (date(2024, 1, 30), date(2024, 2, 29)),
    (date(2023, 1, 29), date(2023, 2, 28)),
    (date(2023, 3, 31), date(2023, 5, 2)),  # Sun 30 Apr, 1 May a bank holiday -> Tue 2 May
    (date(2024, 5, 31), date(2024, 7, 1)),  # no 31 June: Sun 30 Jun -> Mon 1 Jul
])
def test_prv3_a_day_missing_from_the_next_month_is_due_on_that_months_last_day(
        received: date, due: date) -> None:
    assert RequestClock(received).due_date() == due


def test_prv3_29_february_is_due_on_29_march_not_the_end_of_march() -> None:
    clock = RequestClock(date(2024, 2, 29))
    assert corresponding(date(2024, 2, 29), 1) == date(2024, 3, 29)
    # 29 March 2024 is Good Friday and 1 April Easter Monday in England and Wales: Tuesday 2 April.
    assert clock.due_date() == date(2024, 4, 2)
    # Scotland has Good Friday but not Easter Monday.
    assert RequestClock(date(2024, 2, 29), nation=SCT).due_date() == date(2024, 4, 1)
    # A working day in 2028: the corresponding date is kept exactly.
    assert RequestClock(date(2028, 2, 29)).due_date() == date(2028, 3, 29)


def test_prv3_a_request_received_on_a_weekend_counts_from_that_day() -> None:
    assert RequestClock(date(2023, 1, 14)).due_date() == date(2023, 2, 14)  # received on a Saturday


# --- bank holidays and nations ------------------------------------------------------------------


@pytest.mark.parametrize("received,nation,due", [
    # Fri 24 Nov 2023 -> Sun 24 Dec -> (Christmas Day, Boxing Day) -> Wed 27 Dec.
    (date(2023, 11, 24), ENG, date(2023, 12, 27)),
    (date(2023, 11, 24), SCT, date(2023, 12, 27)),
    # St Andrew's Day, Thu 30 Nov 2023, is a bank holiday in Scotland only.
    (date(2023, 10, 30), ENG, date(2023, 11, 30)),
    (date(2023, 10, 30), SCT, date(2023, 12, 1)),
    (date(2023, 10, 30), NIR, date(2023, 11, 30)),
    # 2 January is a bank holiday in Scotland only.
    (date(2023, 12, 2), ENG, date(2024, 1, 2)),
    (date(2023, 12, 2), SCT, date(2024, 1, 3)),
    # Summer bank holiday: first Monday of August in Scotland, last Monday elsewhere.
    (date(2024, 7, 5), ENG, date(2024, 8, 5)),
    (date(2024, 7, 5), SCT, date(2024, 8, 6)),
    (date(2024, 7, 26), ENG, date(2024, 8, 27)),
    (date(2024, 7, 26), SCT, date(2024, 8, 26)),
    # St Patrick's Day, Fri 17 Mar 2023, in Northern Ireland; the Twelfth, Wed 12 Jul 2023.
    (date(2023, 2, 17), NIR, date(2023, 3, 20)),
    (date(2023, 2, 17), ENG, date(2023, 3, 17)),
    (date(2023, 6, 12), NIR, date(2023, 7, 13)),
    (date(2023, 6, 12), ENG, date(2023, 7, 12)),
    # Easter 2025: Good Friday 18 Apr, Easter Monday 21 Apr (not in Scotland).
    (date(2025, 3, 18), ENG, date(2025, 4, 22)),
    (date(2025, 3, 18), SCT, date(2025, 4, 21)),
])
def test_prv3_due_date_follows_the_bank_holidays_of_the_requesters_nation(
        received: date, nation: Nation, due: date) -> None:
    assert RequestClock(received, nation=nation).due_date() == due


def test_prv3_england_and_wales_is_the_default_nation() -> None:
    assert RequestClock(date(2023, 10, 30)).nation is ENG


def test_next_working_day_keeps_a_working_day_and_skips_a_long_weekend() -> None:
    assert next_working_day_on_or_after(date(2023, 12, 22)) == date(2023, 12, 22)
    assert next_working_day_on_or_after(date(2023, 12, 23)) == date(2023, 12, 27)


# --- pauses -----------------------------------------------------------------------------------


@st.composite
def clocks_with_pauses(draw: st.DrawFn) -> tuple[date, list[Period]]:
    """A receipt day in 2023-2028 and up to four non-overlapping pauses, each starting within the
    first 28 days of running clock (so before any due date in force)."""
    received = draw(st.dates(FIRST, LAST))
    pauses, cursor = [], received
    for gap, length in draw(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 40)), max_size=4)):
        start = cursor + timedelta(days=gap)
        pauses.append(Period(start, start + timedelta(days=length)))
        cursor = start + timedelta(days=length)
    return received, pauses


@settings(max_examples=150, deadline=None)
@given(clocks_with_pauses(), st.sampled_from(list(Nation)), st.booleans())
def test_prv3_pauses_move_the_due_date_by_exactly_the_paused_days_before_rolling(
        case: tuple[date, list[Period]], nation: Nation, reverse: bool) -> None:
    received, pauses = case
    paused = sum(p.days for p in pauses)
    clock = RequestClock(received, tuple(reversed(pauses) if reverse else pauses), nation=nation)
    assert clock.days_paused() == paused
    assert clock.due_date() == next_working_day_on_or_after(
        corresponding(received, 1) + timedelta(days=paused), nation)
    assert clock.extended_due_date() == next_working_day_on_or_after(
        corresponding(received, 3) + timedelta(days=paused), nation)
    assert clock.pauses == tuple(sorted(pauses))


def test_prv3_identity_wait_from_receipt_pushes_the_christmas_deadline_into_january() -> None:
    # Received Fri 24 Nov 2023; identity proved on Fri 1 Dec: 7 days paused. 24 Dec + 7 = Sun 31 Dec;
    # Mon 1 Jan is a bank holiday everywhere, Tue 2 Jan in Scotland too.
    identity = Period(date(2023, 11, 24), date(2023, 12, 1))
    assert RequestClock(date(2023, 11, 24), (identity,)).due_date() == date(2024, 1, 2)
    assert RequestClock(date(2023, 11, 24), (identity,), nation=SCT).due_date() == date(2024, 1, 3)


def test_prv3_a_pause_starting_on_the_due_date_counts_but_one_after_it_cannot_revive_it() -> None:
    base = RequestClock(date(2023, 2, 1))
    assert base.due_date() == date(2023, 3, 1)  # Wed
    on_due = base.with_pause(Period(date(2023, 3, 1), date(2023, 3, 3)))
    assert on_due.due_date() == date(2023, 3, 3) and on_due.days_paused() == 2
    too_late = base.with_pause(Period(date(2023, 3, 2), date(2023, 3, 9)))
    assert too_late.due_date() == date(2023, 3, 1) and too_late.days_paused() == 0
    assert too_late.is_overdue(date(2023, 3, 2))


def test_prv3_an_empty_pause_changes_nothing() -> None:
    clock = RequestClock(date(2023, 2, 1), (Period(date(2023, 2, 5), date(2023, 2, 5)),))
    assert clock.due_date() == date(2023, 3, 1) and clock.days_paused() == 0


def test_prv3_a_pause_before_receipt_is_refused_naming_the_pause() -> None:
    with pytest.raises(ValidationFailed) as caught:
        RequestClock(date(2023, 2, 1), (Period(date(2023, 1, 31), date(2023, 2, 3)),))
    assert issue_fields(caught.value) == ["pauses[0]"]


def test_prv3_overlapping_pauses_are_refused_naming_the_later_one() -> None:
    first = Period(date(2023, 2, 2), date(2023, 2, 6))
    with pytest.raises(ValidationFailed) as caught:
        RequestClock(date(2023, 2, 1), (first, Period(date(2023, 2, 5), date(2023, 2, 8))))
    assert issue_fields(caught.value) == ["pauses[1]"]
    with pytest.raises(ValidationFailed):
        RequestClock(date(2023, 2, 1), (first,)).with_pause(Period(date(2023, 2, 1), date(2023, 2, 3)))
    # Touching periods do not overlap: [2, 6) then [6, 8).
    touching = RequestClock(date(2023, 2, 1), (first, Period(date(2023, 2, 6), date(2023, 2, 8))))
    assert touching.days_paused() == 6


def test_prv3_every_bad_pause_is_named_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        RequestClock(date(2023, 2, 1), (Period(date(2023, 1, 1), date(2023, 1, 5)),
                                        Period(date(2023, 2, 3), date(2023, 2, 9)),
                                        Period(date(2023, 2, 4), date(2023, 2, 5))))
    assert issue_fields(caught.value) == ["pauses[0]", "pauses[2]"]


# --- extension ----------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(clocks_with_pauses(), st.sampled_from(list(Nation)))
def test_prv3_extension_told_on_the_due_date_is_valid_and_the_day_after_is_refused(
        case: tuple[date, list[Period]], nation: Nation) -> None:
    received, pauses = case
    clock = RequestClock(received, tuple(pauses), nation=nation)
    due = clock.due_date()
    extended = clock.with_extension(due)
    assert extended.is_extended
    assert extended.effective_due_date() == clock.extended_due_date() > due
    assert extended.days_paused() == clock.days_paused()
    assert RequestClock(received, tuple(pauses), due, nation).effective_due_date() == extended.effective_due_date()
    with pytest.raises(ValidationFailed) as caught:
        clock.with_extension(due + timedelta(days=1))
    assert issue_fields(caught.value) == ["extension_notified_on"]


def test_prv3_extension_example_three_months_then_a_working_day() -> None:
    clock = RequestClock(date(2023, 11, 24))
    assert clock.due_date() == date(2023, 12, 27)
    # 24 Feb 2024 is a Saturday: Monday 26 February.
    assert clock.extended_due_date() == date(2024, 2, 26)
    assert clock.effective_due_date() == date(2023, 12, 27)  # not told: the original binds
    told = clock.with_extension(date(2023, 12, 27))  # told on the (rolled) due date itself
    assert told.effective_due_date() == date(2024, 2, 26)
    with pytest.raises(ValidationFailed) as caught:
        clock.with_extension(date(2023, 12, 28))
    assert caught.value.issues[0].field == "extension_notified_on"
    assert "2023-12-27" in caught.value.issues[0].reason


def test_prv3_extension_cannot_be_told_before_receipt() -> None:
    with pytest.raises(ValidationFailed) as caught:
        RequestClock(date(2023, 2, 1), extension_notified_on=date(2023, 1, 31))
    assert issue_fields(caught.value) == ["extension_notified_on"]


def test_prv3_a_pause_in_the_extended_months_moves_only_the_extended_date() -> None:
    clock = RequestClock(date(2023, 2, 1)).with_extension(date(2023, 2, 20))
    later = clock.with_pause(Period(date(2023, 3, 10), date(2023, 3, 17)))  # after the original due date
    assert later.due_date() == date(2023, 3, 1)
    # 1 May 2023 + 7 = Mon 8 May 2023, the coronation bank holiday -> Tue 9 May.
    assert later.effective_due_date() == date(2023, 5, 9)
    assert later.days_paused() == 7


# --- overdue and days left ----------------------------------------------------------------------


def test_prv3_answer_on_the_due_date_is_in_time_and_the_day_after_is_overdue() -> None:
    clock = RequestClock(date(2023, 11, 24))
    due = clock.effective_due_date()
    assert clock.days_left(date(2023, 11, 24)) == (due - date(2023, 11, 24)).days == 33
    assert not clock.is_overdue(due) and clock.days_left(due) == 0
    assert clock.is_overdue(due + timedelta(days=1)) and clock.days_left(due + timedelta(days=1)) == -1


@settings(max_examples=100, deadline=None)
@given(clocks_with_pauses(), st.integers(-10, 200))
def test_prv3_overdue_exactly_when_no_days_are_left(case: tuple[date, list[Period]], offset: int) -> None:
    received, pauses = case
    clock = RequestClock(received, tuple(pauses))
    today = received + timedelta(days=offset)
    assert clock.is_overdue(today) == (clock.days_left(today) < 0)

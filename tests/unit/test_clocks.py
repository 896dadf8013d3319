"""The clock engine (issue 5 part 1; CMP-2, CMP-3, CMP-5, CLM-2, REG-1): due dates in working days of the
customer's nation, calendar days, hours and calendar months; pauses; met on time or late; team figures.
Bank holidays come from the `holidays` package, so the one-off moves are checked here against the dates
GOV.UK published (https://www.gov.uk/bank-holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.clocks.domain import RULES, ClockRule, Deadline, State, Unit, compute_due, team_figures
from covernote.kernel.calendar import Nation, WorkingDayCalendar, nation_for_postcode
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import ValidationFailed

ACK = RULES["complaint.acknowledgement"]
FINAL = RULES["complaint.final_response"]
PAY = RULES["claim.settlement_payment"]
ENG, SCT, NIR = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def due_on(rule: ClockRule, day: date, nation: Nation = ENG) -> date:
    d = compute_due(rule, at(day), nation).due_on
    assert d is not None
    return d


# -- working days: weekends and bank holidays (CMP-5) ----------------------------------------------------


def test_cmp2_five_working_days_skip_the_weekend():
    assert due_on(ACK, date(2026, 12, 4)) == date(2026, 12, 11)  # Friday -> next Friday
    assert due_on(ACK, date(2026, 12, 5)) == date(2026, 12, 11)  # Saturday: day 0 is the day received
    assert due_on(ACK, date(2026, 12, 7)) == date(2026, 12, 14)  # Monday -> next Monday


def test_cmp5_good_friday_and_easter_monday_are_skipped_in_england_and_wales():
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert due_on(ACK, date(2026, 4, 1)) == date(2026, 4, 10)  # Thu 2, Tue 7, Wed 8, Thu 9, Fri 10
    due = compute_due(ACK, at(date(2026, 4, 1)))
    assert "2026-04-03, 2026-04-06" in due.explanation[0]


def test_cmp5_scotland_has_no_easter_monday_but_northern_ireland_does():
    assert due_on(ACK, date(2026, 4, 1), SCT) == date(2026, 4, 9)  # Good Friday only
    assert due_on(ACK, date(2026, 4, 1), NIR) == date(2026, 4, 10)


def test_cmp5_christmas_and_boxing_day_on_a_weekend_move_to_substitute_days():
    # 2021: Christmas Saturday, Boxing Day Sunday -> Monday 27 and Tuesday 28 December.
    cal = WorkingDayCalendar(ENG)
    assert not cal.is_working_day(date(2021, 12, 27)) and not cal.is_working_day(date(2021, 12, 28))
    assert due_on(ACK, date(2021, 12, 24)) == date(2022, 1, 5)  # 29, 30, 31, (3 Jan substitute), 4, 5
    # 2022: Christmas Sunday -> Tuesday 27 substitute; Boxing Day Monday 26.
    assert due_on(ACK, date(2022, 12, 23)) == date(2023, 1, 4)  # 28, 29, 30, (2 Jan substitute), 3, 4


def test_cmp5_the_early_may_and_platinum_jubilee_moves():
    cal = WorkingDayCalendar(ENG)
    # 2020: the early May bank holiday moved from Monday 4 to Friday 8 May (VE Day 75).
    assert cal.is_working_day(date(2020, 5, 4)) and not cal.is_working_day(date(2020, 5, 8))
    assert due_on(ACK, date(2020, 5, 4)) == date(2020, 5, 12)  # 5, 6, 7, (8), 11, 12
    # 2022: the spring bank holiday moved to Thursday 2 June, plus Friday 3 June (Platinum Jubilee).
    assert cal.is_working_day(date(2022, 5, 30))
    assert not cal.is_working_day(date(2022, 6, 2)) and not cal.is_working_day(date(2022, 6, 3))
    assert due_on(ACK, date(2022, 5, 31)) == date(2022, 6, 9)  # 1, (2, 3), 6, 7, 8, 9
    # 2023: the coronation added Monday 8 May.
    assert not cal.is_working_day(date(2023, 5, 8))


def test_cmp2_cmp3_every_day_of_2026_in_every_nation_acknowledgement_and_final_response():
    """CMP-2, CMP-3, CMP-5: exhaustively, for a complaint received on each of the 365 days of 2026 in each
    nation: the acknowledgement is due on a working day exactly five working days later, and the final
    response 56 calendar days later."""
    for nation in (ENG, SCT, NIR):
        cal = WorkingDayCalendar(nation)
        day = date(2026, 1, 1)
        while day.year == 2026:
            ack = due_on(ACK, day, nation)
            assert cal.is_working_day(ack) and cal.working_days_between(day, ack) == 5, (day, nation)
            assert due_on(FINAL, day, nation) == day + timedelta(days=56), (day, nation)
            day += timedelta(days=1)


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.sampled_from([ENG, SCT, NIR]))
def test_cmp2_acknowledgement_for_any_day_is_exactly_five_working_days(received, nation):
    cal = WorkingDayCalendar(nation)
    due = due_on(ACK, received, nation)
    assert cal.is_working_day(due)
    assert cal.working_days_between(received, due) == 5
    assert (due - received).days <= 5 + 4 + 4  # at most two weekends and four holidays in the way
    # Met before midnight UK time at the end of the due date is on time; at midnight it is late.
    d = Deadline("dl_1", ACK.code, "complaint", "cmp_1", "complaints_claims", nation, at(received))
    end = datetime.combine(due + timedelta(days=1), time(0), tzinfo=LONDON)
    assert d.met(end - timedelta(seconds=1)).state(end) is State.MET_ON_TIME
    assert d.met(end).state(end) is State.MET_LATE


@given(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
def test_cmp3_final_response_for_every_day_of_a_year_is_eight_weeks(received):
    assert due_on(FINAL, received) == received + timedelta(weeks=8)


def test_the_day_received_is_day_zero_whatever_the_hour():
    late = datetime(2026, 12, 4, 23, 59, tzinfo=LONDON)
    early = datetime(2026, 12, 4, 0, 1, tzinfo=LONDON)
    assert compute_due(ACK, late).due_on == compute_due(ACK, early).due_on == date(2026, 12, 11)
    # UTC 23:30 on 31 May is 00:30 on 1 June in London (summer time): day 0 is 1 June.
    assert compute_due(ACK, datetime(2026, 5, 31, 23, 30, tzinfo=UTC)).due_on == date(2026, 6, 8)


# -- hours and calendar months ------------------------------------------------------------------------------


def test_clm2_settlement_payment_is_due_24_hours_later_across_the_clock_change():
    start = datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)  # BST ends on 25 October at 02:00
    due = compute_due(PAY, start)
    assert due.due_at - start == timedelta(hours=24) and due.due_on is None
    assert due.due_at.astimezone(LONDON).hour == 11  # 24 elapsed hours: 11:00 GMT the next day


def test_calendar_months_run_to_the_corresponding_day_or_the_month_end():
    rule = ClockRule("x", "x", 1, Unit.CALENDAR_MONTHS, "privacy", "test")
    assert due_on(rule, date(2026, 1, 31)) == date(2026, 2, 28)
    assert due_on(rule, date(2026, 3, 15)) == date(2026, 4, 15)
    rolled = ClockRule("y", "y", 1, Unit.CALENDAR_MONTHS, "privacy", "test", roll_to_working_day=True)
    assert due_on(rolled, date(2026, 2, 25)) == date(2026, 3, 25)
    assert due_on(rolled, date(2026, 4, 4)) == date(2026, 5, 5)  # Mon 4 May is a bank holiday


# -- pauses, met, stopped ---------------------------------------------------------------------------------


PAUSABLE = ClockRule("test.pausable", "A pausable working-day promise", 5, Unit.WORKING_DAYS, "claims", "test",
                     pausable=True)


@pytest.fixture(autouse=True)
def _pausable_rule(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(RULES, PAUSABLE.code, PAUSABLE)


def test_regulatory_clocks_cannot_be_paused():
    """CMP-2, CMP-3, REG-1: the acknowledgement, the eight weeks and the MID's days run whatever we wait for."""
    for code in ("complaint.acknowledgement", "complaint.final_response", "mid.update_private",
                 "claim.correspondence_reply"):
        d = Deadline("dl_1", code, "x", "1", RULES[code].team, ENG, at(date(2026, 12, 7)))
        with pytest.raises(ValidationFailed) as exc:
            d.paused(at(date(2026, 12, 8)), "waiting")
        assert exc.value.issues[0].field == "deadline_id"


def test_the_summary_resolution_window_lapses_without_a_breach():
    """CMP-3 (DISP 1.5): an opportunity, not a promise: past it, it lapses and counts as no breach."""
    d = Deadline("dl_1", "complaint.summary_resolution", "complaint", "1", "complaints_claims", ENG,
                 at(date(2026, 12, 7)))
    assert d.state(at(date(2026, 12, 20))) is State.LAPSED
    figures = team_figures([d], at(date(2026, 12, 20)))[0]
    assert figures.breached == 0 and figures.stopped == 1


def test_a_pause_moves_a_working_day_clock_on_by_the_working_days_it_covered():
    d = Deadline("dl_1", PAUSABLE.code, "complaint", "cmp_1", "complaints_claims", ENG, at(date(2026, 12, 7)))
    paused = d.paused(at(date(2026, 12, 8)), "waiting for the customer's letter")
    assert paused.state(at(date(2026, 12, 9))) is State.PAUSED
    resumed = paused.resumed(at(date(2026, 12, 10)))  # 8 and 9 December: two working days
    assert resumed.due(at(date(2026, 12, 10))).due_on == date(2026, 12, 16)
    assert "2 working day(s) added" in resumed.due(at(date(2026, 12, 10))).explanation[-1]
    # A running pause counts up to now: the due date keeps moving while it runs.
    assert paused.due(at(date(2026, 12, 11))).due_on == date(2026, 12, 17)


def test_an_hour_clock_pause_adds_its_duration():
    start = at(date(2026, 12, 7), 9)
    d = Deadline("dl_2", PAY.code, "claim", "clm_1", "claims", ENG, start)
    d = d.paused(start + timedelta(hours=2), "bank details wrong").resumed(start + timedelta(hours=5))
    assert d.due(start + timedelta(hours=6)).due_at == start + timedelta(hours=27)


def test_changes_are_checked_and_name_the_field():
    d = Deadline("dl_1", PAUSABLE.code, "complaint", "cmp_1", "complaints_claims", ENG, at(date(2026, 12, 7)))
    with pytest.raises(ValidationFailed) as exc:
        d.met(at(date(2026, 12, 6)))
    assert exc.value.issues[0].field == "met_at"
    with pytest.raises(ValidationFailed) as exc:
        d.resumed(at(date(2026, 12, 8)))
    assert exc.value.issues[0].field == "resumed_at"
    with pytest.raises(ValidationFailed) as exc:
        d.paused(at(date(2026, 12, 8)), " ")
    assert exc.value.issues[0].field == "reason"
    met = d.met(at(date(2026, 12, 8)))
    with pytest.raises(ValidationFailed) as exc:
        met.stopped(at(date(2026, 12, 9)), "withdrawn")
    assert exc.value.issues[0].field == "deadline_id"


def test_states_open_due_soon_overdue_and_stopped():
    d = Deadline("dl_1", ACK.code, "complaint", "cmp_1", "complaints_claims", ENG, at(date(2026, 12, 7)))
    assert d.state(at(date(2026, 12, 8))) is State.OPEN
    assert d.state(at(date(2026, 12, 13))) is State.DUE_SOON  # due end of Mon 14
    assert d.state(datetime(2026, 12, 15, 0, 0, tzinfo=LONDON)) is State.OVERDUE
    assert d.stopped(at(date(2026, 12, 8)), "complaint withdrawn").state(at(date(2026, 12, 20))) is State.STOPPED


def test_team_figures_count_met_on_time_breached_and_open():
    start = at(date(2026, 12, 1))
    now = at(date(2026, 12, 20))
    rows = [
        Deadline("a", ACK.code, "complaint", "1", "complaints_claims", ENG, start).met(at(date(2026, 12, 2))),
        Deadline("b", ACK.code, "complaint", "2", "complaints_claims", ENG, start).met(at(date(2026, 12, 19))),
        Deadline("c", ACK.code, "complaint", "3", "complaints_claims", ENG, start),  # overdue
        Deadline("d", FINAL.code, "complaint", "3", "complaints_claims", ENG, start),  # open until January
        Deadline("e", PAY.code, "claim", "9", "claims", ENG, start).stopped(at(date(2026, 12, 2)), "claim closed"),
    ]
    figures = {f.team: f.as_dict() for f in team_figures(rows, now)}
    assert (figures["complaints_claims"]["met_on_time"], figures["complaints_claims"]["breached"],
            figures["complaints_claims"]["open"]) == (1, 2, 1)
    assert figures["claims"]["stopped"] == 1 and figures["claims"]["breached"] == 0


@pytest.mark.parametrize(("postcode", "nation"), [("EH1 1YZ", SCT), ("G2 1DU", SCT), ("BT1 5GS", NIR),
                                                  ("GL50 1PX", ENG), ("CF10 1EP", ENG), ("TD15 1BN", ENG),
                                                  ("TD1 1AA", SCT), (None, ENG)])
def test_cmp5_the_nation_of_a_postcode(postcode, nation):
    assert nation_for_postcode(postcode) is nation

"""Complaints in the domain (CMP-1..5): routing by kind, what a complaint records, when each action is
allowed, the format a letter must be in, and the clocks every complaint starts, for every day of 2026
(property test through the use case's own clock start on an in-memory unit of work: no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.clocks.domain import Deadline, State
from covernote.complaints import domain as rules
from covernote.complaints.domain import NewComplaint, Status, new_complaint
from covernote.complaints.usecases.complaints import start_clocks
from covernote.kernel.calendar import Nation, WorkingDayCalendar
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.kernel.money import Money

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _input(**over: Any) -> NewComplaint:
    values: dict[str, Any] = dict(kind="sales_service", description="My renewal price doubled", name="Ann Example",
                                  address="1 High Street, Leeds", received_via="letter", postcode="LS1 4AB")
    values.update(over)
    return NewComplaint(**values)


def _complaint(received_at: datetime = NOW, nation: Nation = Nation.ENGLAND_AND_WALES, **over: Any):  # type: ignore[no-untyped-def]
    inp = _input(received_at=received_at, **over).validated(max(received_at, NOW))
    return new_complaint("cmp_1", inp, policy_id=None, customer_id=None, product_code=None, nation=nation,
                         now=max(received_at, NOW), by="staff")


def fields(exc: pytest.ExceptionInfo[Any]) -> set[str]:
    return {i.field for i in exc.value.issues}


# -- CMP-1: routing and what is recorded ---------------------------------------------------------------


def test_cmp1_a_complaint_is_routed_by_kind_to_its_team():
    assert _complaint(kind="claim").team == "complaints_claims"
    assert _complaint(kind="sales_service").team == "complaints_sales_service"
    with pytest.raises(ValidationFailed) as exc:
        rules.team_for("pricing")
    assert fields(exc) == {"kind"}


def test_cmp1_recorded_fields_are_checked_and_named():
    bad = _input(kind="x", description=" ", name="", address="", received_via="fax", postcode="NOT A POSTCODE",
                 phone="call me", email="nope", received_at=NOW + timedelta(minutes=1),
                 alternative_format="smoke signals")
    with pytest.raises(ValidationFailed) as exc:
        bad.validated(NOW)
    assert fields(exc) == {"kind", "description", "name", "address", "received_via", "postcode", "phone", "email",
                           "received_at", "alternative_format"}


def test_cmp1_policy_number_and_phone_are_optional_and_tidied():
    inp = _input(phone=" 0113 496 0000 ", postcode="ls14ab", policy_number=" CN000000001 ").validated(NOW)
    assert (inp.phone, inp.postcode, inp.policy_number, inp.received_at) == ("0113 496 0000", "LS1 4AB",
                                                                             "CN000000001", NOW)
    assert _input(phone=None, policy_number=None).validated(NOW).policy_number is None


def test_cmp1_received_at_may_be_earlier_than_now_but_not_in_the_future():
    earlier = NOW - timedelta(days=3)
    assert _input(received_at=earlier).validated(NOW).received_at == earlier
    with pytest.raises(ValidationFailed) as exc:
        _input(received_at=datetime(2026, 12, 1, 10, 0)).validated(NOW)  # naive
    assert fields(exc) == {"received_at"}


# -- CMP-3: what may be done, and when -----------------------------------------------------------------


def test_cmp3_summary_resolution_only_while_its_window_is_open():
    c = _complaint()
    closes = NOW + timedelta(days=3)
    done = c.resolved_by_summary(NOW + timedelta(days=1), "staff", "communication", None, "We explained it.", closes)
    assert done.status is Status.RESOLVED and done.closed_at is not None
    with pytest.raises(ValidationFailed) as exc:
        c.resolved_by_summary(closes, "staff", "communication", None, "Too late.", closes)
    assert fields(exc) == {"complaint_id"}
    with pytest.raises(ValidationFailed) as exc:
        c.resolved_by_summary(NOW, "staff", "nonsense", None, "", None)
    assert fields(exc) == {"complaint_id", "root_cause", "resolution"}


def test_cmp3_final_response_needs_an_outcome_an_explanation_a_root_cause_and_exact_redress():
    c = _complaint()
    with pytest.raises(ValidationFailed) as exc:
        c.responded(NOW, "staff", "maybe", Money.of("-1"), " ", "other", None)
    assert fields(exc) == {"outcome", "redress", "explanation", "root_cause_note"}
    with pytest.raises(ValidationFailed) as exc:
        c.responded(NOW, "staff", "upheld", Money.of("1.005"), "Sorry.", "claim_delay", None)
    assert fields(exc) == {"redress"}
    done = c.responded(NOW, "staff", "partly_upheld", Money.of("75.50"), "Sorry.", "claim_delay", "slow repairer")
    assert (done.status, done.outcome, done.redress, done.root_cause) == (Status.FINAL_RESPONSE, "partly_upheld",
                                                                           Money.of("75.50"), "claim_delay")
    with pytest.raises(Conflict):
        done.withdrawn(NOW, "staff", "changed my mind")


def test_cmp3_the_right_to_refer_runs_six_months_from_the_response():
    assert rules.fos_refer_by(date(2026, 8, 31)) == date(2027, 2, 28)
    assert rules.fos_refer_by(date(2026, 12, 1)) == date(2027, 6, 1)


def test_cmp2_acknowledged_once():
    c = _complaint().acknowledged(NOW, "staff")
    assert c.status is Status.ACKNOWLEDGED
    with pytest.raises(Conflict):
        c.acknowledged(NOW, "staff")


# -- CMP-4: the format a letter must be in ---------------------------------------------------------------


def test_cmp4_a_letter_must_be_in_the_format_the_complainant_asked_for():
    standard = _complaint()
    assert rules.letter_format(standard, None) == "standard"
    large = _complaint(alternative_format="large_print")
    assert large.alternative_format == "large_print" and rules.letter_format(large, None) == "large_print"
    with pytest.raises(ValidationFailed) as exc:
        rules.letter_format(large, "standard")
    assert fields(exc) == {"format"}
    braille = large.with_format(NOW, "staff", "braille")
    assert rules.letter_format(braille, "braille") == "braille"
    with pytest.raises(ValidationFailed) as exc:
        rules.check_channel(braille.__class__(**{**braille.__dict__, "email": "a@example.org"}), "email", "braille")
    assert fields(exc) == {"channel"}
    assert large.with_format(NOW, "staff", "standard").alternative_format is None


# -- CMP-2, CMP-3, CMP-5: the clocks every complaint starts, for every day of 2026 ---------------------


@dataclass
class _Deadlines:
    rows: list[Deadline] = field(default_factory=list)

    def add(self, d: Deadline, customer_id: str | None, due_at: datetime) -> None:
        self.rows.append(d)


@dataclass
class _Uow:
    deadlines: _Deadlines = field(default_factory=_Deadlines)


def _clocks_for(received: date, hour: int, nation: Nation) -> dict[str, Deadline]:
    at = datetime.combine(received, time(hour), tzinfo=LONDON).astimezone(UTC)
    uow = _Uow()
    start_clocks(uow, _complaint(received_at=at, nation=nation))  # type: ignore[arg-type]
    return {d.rule_code: d for d in uow.deadlines.rows}


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(0, 23),
       st.sampled_from([Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND]))
def test_cmp2_cmp3_for_a_complaint_received_on_any_day_of_2026_the_clocks_are_five_working_days_and_56_days(
        received, hour, nation):
    clocks = _clocks_for(received, hour, nation)
    assert set(clocks) == {rules.ACK_RULE, rules.SUMMARY_RULE, rules.FINAL_RULE}
    assert {d.team for d in clocks.values()} == {"complaints_sales_service"}
    cal = WorkingDayCalendar(nation)
    start = clocks[rules.ACK_RULE].started_at
    ack = clocks[rules.ACK_RULE].due(start).due_on
    assert ack is not None and cal.is_working_day(ack) and cal.working_days_between(received, ack) == 5
    summary = clocks[rules.SUMMARY_RULE].due(start).due_on
    assert summary is not None and cal.working_days_between(received, summary) == 3
    assert clocks[rules.FINAL_RULE].due(start).due_on == received + timedelta(days=56)


def test_cmp2_every_day_of_2026_exhaustively_in_england_and_wales():
    cal = WorkingDayCalendar(Nation.ENGLAND_AND_WALES)
    day = date(2026, 1, 1)
    while day.year == 2026:
        clocks = _clocks_for(day, 9, Nation.ENGLAND_AND_WALES)
        ack = clocks[rules.ACK_RULE].due(clocks[rules.ACK_RULE].started_at).due_on
        assert ack is not None and cal.working_days_between(day, ack) == 5 and cal.is_working_day(ack), day
        assert clocks[rules.FINAL_RULE].due(clocks[rules.FINAL_RULE].started_at).due_on == day + timedelta(weeks=8)
        day += timedelta(days=1)


def test_cmp3_the_eight_week_letter_is_due_on_the_last_day_of_the_eight_weeks():
    """CMP-3, DISP 1.6.2: by the end of the eight weeks, not after them: from the start of the due date."""
    c = _complaint()
    uow = _Uow()
    start_clocks(uow, c)  # type: ignore[arg-type]
    final = next(d for d in uow.deadlines.rows if d.rule_code == rules.FINAL_RULE)
    due = final.due(NOW).due_at
    last_day_starts = datetime.combine(final.due(NOW).due_on, time(0), tzinfo=LONDON)  # type: ignore[arg-type]
    assert not rules.eight_week_letter_due(c, final, last_day_starts - timedelta(seconds=1))
    assert final.state(last_day_starts) is not State.OVERDUE and rules.eight_week_letter_due(c, final, last_day_starts)
    assert final.state(due) is State.OVERDUE and rules.eight_week_letter_due(c, final, due)
    assert not rules.eight_week_letter_due(c.eight_week_letter_sent(due, "job"), final, due)
    assert not rules.eight_week_letter_due(c, final.met(due - timedelta(days=1)), due)

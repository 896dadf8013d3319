"""NCD-1: the end or renewal date a proof shows (plausible for the document, NCD not lapsed) and NCD earned on
a policy in this system that is still on cover. Pure domain, property-tested at the boundaries."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from covernote.kernel.periods import add_years
from covernote.ncd.domain.proof import MAX_END_AFTER_ISSUE_DAYS, NcdProof, check_proof, source_in_use


def _proof(ended_on: date, issued_on: date) -> NcdProof:
    return NcdProof("renewal_notice", "Previous Insurer plc", 5, ended_on, "AB12 CDE", "UK", issued_on, "P-1")


def _end_condition(ended_on: date, issued_on: date, on: date, lapse: int | None = 2) -> tuple[bool, str]:
    c = next(c for c in check_proof(_proof(ended_on, issued_on), on, 2, False, lapse_years=lapse).conditions
             if c.code == "shows_end_date")
    return c.passed, c.reason


ON = date(2026, 12, 6)


def test_ncd1_end_date_up_to_90_days_after_issue_is_accepted_91_is_not():
    issued = ON - timedelta(days=3)
    assert _end_condition(issued + timedelta(days=MAX_END_AFTER_ISSUE_DAYS), issued, ON)[0]
    passed, reason = _end_condition(issued + timedelta(days=MAX_END_AFTER_ISSUE_DAYS + 1), issued, ON)
    assert not passed and "91 days after the document was issued" in reason


def test_ncd1_ncd_lapses_on_the_anniversary_of_the_end_date():
    issued = ON - timedelta(days=10)
    assert _end_condition(add_years(ON, -2) + timedelta(days=1), issued, ON)[0]
    passed, reason = _end_condition(add_years(ON, -2), issued, ON)
    assert not passed and "2 years and 0 days before 2026-12-06" in reason
    assert "the last day it could be accepted was 2026-12-05" in reason
    assert _end_condition(add_years(ON, -9), issued, ON, lapse=None)[0]  # no lapse rule: accepted


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.integers(-2000, 200), st.integers(0, 400))
def test_ncd1_end_date_rule_is_exactly_the_two_boundaries(issued, end_offset, days_after_issue):
    ended = issued + timedelta(days=end_offset)
    on = issued + timedelta(days=days_after_issue)
    passed, _ = _end_condition(ended, issued, on)
    assert passed == (end_offset <= MAX_END_AFTER_ISSUE_DAYS and on < add_years(ended, 2))


def test_ncd1_ncd_earned_here_is_in_use_while_its_policy_covers_another_car_when_the_new_cover_starts():
    end = date(2027, 1, 10)
    assert source_in_use("AB12CDE", end, "XY12ABC", end - timedelta(days=1))
    assert not source_in_use("AB12CDE", end, "XY12ABC", end)  # the new cover starts when the old one ends
    assert not source_in_use("AB12 CDE", end, "ab12cde", end - timedelta(days=100))  # the same car

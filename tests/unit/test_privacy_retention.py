"""PRV-5, PRV-10, TEL-8: retention rules as data. The S0 table ("N years + current year" = kept to the end
of the Nth calendar year after the event's year; three products set by each dealership within a floor
and ceiling), S1's 7 years, S2's billing, no-contract, cookie and call-recording periods, and S3's
14 days of driving data after cancellation."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.errors import ValidationFailed
from covernote.kernel.retention import (
    BILLING,
    CALL_RECORDINGS,
    COOKIES,
    DEALERSHIP_CEILING_YEARS,
    DEALERSHIP_FLOOR_YEARS,
    ECO_INSURANCE,
    FULL_CYCLE,
    NO_CONTRACT,
    S0_RETENTION,
    SEED_RETENTION,
    TELEMATICS_DRIVING_DATA,
    DealershipPeriod,
    RetentionRule,
)

# --- the S0 table, as data ---------------------------------------------------------------------

S0_YEARS_PLUS_CURRENT = {"FullCover": 7, "FullCompliance": 6, "FullControl": 4, "FullForecast": 6}
S0_SET_BY_DEALERSHIP = {"FullCycle", "FullAuction", "FullAppraisal"}
EVENTS = [date(2026, 1, 1), date(2026, 12, 31), date(2024, 2, 29), date(2024, 1, 1), date(2023, 12, 31)]


def test_prv5_s0_table_has_exactly_the_seven_products() -> None:
    assert set(S0_RETENTION) == set(S0_YEARS_PLUS_CURRENT) | S0_SET_BY_DEALERSHIP
    for product in S0_SET_BY_DEALERSHIP:
        assert isinstance(S0_RETENTION[product], DealershipPeriod)
    for product, entry in S0_RETENTION.items():
        assert entry.category == product


@pytest.mark.parametrize("event", EVENTS, ids=str)
@pytest.mark.parametrize("product,years", sorted(S0_YEARS_PLUS_CURRENT.items()))
def test_prv5_s0_years_plus_current_year_keeps_to_the_end_of_the_nth_year_after(
        product: str, years: int, event: date) -> None:
    rule = S0_RETENTION[product]
    assert isinstance(rule, RetentionRule)
    assert (rule.years, rule.months, rule.days, rule.rounding) == (years, 0, 0, "end_of_year")
    assert rule.retain_until(event) == date(event.year + years, 12, 31)
    assert rule.action_due_on(event) == date(event.year + years + 1, 1, 1)
    assert rule.describe().startswith(f"{years} years + current year after ")


def test_prv5_fullcover_every_day_of_2026_is_kept_to_2033_12_31() -> None:
    rule = S0_RETENTION["FullCover"]
    assert isinstance(rule, RetentionRule)
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert rule.retain_until(day) == date(2033, 12, 31)
        assert rule.action_due_on(day) == date(2034, 1, 1)
        assert not rule.is_due(day, date(2033, 12, 31)) and rule.is_due(day, date(2034, 1, 1))
        day += timedelta(days=1)


# --- set by each dealership ---------------------------------------------------------------------


@pytest.mark.parametrize("product", sorted(S0_SET_BY_DEALERSHIP))
def test_prv5_dealership_setting_is_accepted_at_the_floor_and_the_ceiling(product: str) -> None:
    period = S0_RETENTION[product]
    assert isinstance(period, DealershipPeriod)
    assert (period.floor_years, period.ceiling_years) == (DEALERSHIP_FLOOR_YEARS, DEALERSHIP_CEILING_YEARS)
    for setting in (period.floor_years, period.ceiling_years):
        rule = period.resolve(setting)
        assert (rule.category, rule.years, rule.rounding) == (product, setting, "end_of_year")
        assert rule.retain_until(date(2026, 6, 15)) == date(2026 + setting, 12, 31)


@pytest.mark.parametrize("product", sorted(S0_SET_BY_DEALERSHIP))
@pytest.mark.parametrize("outside", ["below", "above"])
def test_prv5_dealership_setting_outside_floor_or_ceiling_is_refused_naming_the_field(
        product: str, outside: str) -> None:
    period = S0_RETENTION[product]
    assert isinstance(period, DealershipPeriod)
    setting = period.floor_years - 1 if outside == "below" else period.ceiling_years + 1
    with pytest.raises(ValidationFailed) as caught:
        period.resolve(setting)
    assert [issue.field for issue in caught.value.issues] == ["setting"]


@pytest.mark.parametrize("setting", [True, 2.5, "3"])
def test_prv5_dealership_setting_must_be_whole_years(setting: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        FULL_CYCLE.resolve(setting)  # type: ignore[arg-type]
    assert caught.value.issues[0].field == "setting"


def test_prv5_dealership_period_with_ceiling_below_floor_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        DealershipPeriod("FullAuction", "last_contact", floor_years=5, ceiling_years=3)
    assert [issue.field for issue in caught.value.issues] == ["ceiling_years"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10), st.integers(0, 10), st.integers(-2, 12))
def test_prv5_dealership_resolve_accepts_exactly_the_range(floor: int, span: int, setting: int) -> None:
    period = DealershipPeriod("FullAppraisal", "last_contact", floor, floor + span)
    if floor <= setting <= floor + span:
        assert period.resolve(setting).years == setting
    else:
        with pytest.raises(ValidationFailed):
            period.resolve(setting)


# --- the other seed periods ---------------------------------------------------------------------


@pytest.mark.parametrize("rule,event,last_kept", [
    # S1: eco insurance up to 7 years from the end of the policy.
    (ECO_INSURANCE, date(2026, 6, 1), date(2033, 6, 1)),
    (ECO_INSURANCE, date(2024, 2, 29), date(2031, 2, 28)),
    # S2: billing records 10 years from the end of the contract.
    (BILLING, date(2024, 2, 29), date(2034, 2, 28)),
    (BILLING, date(2026, 12, 31), date(2036, 12, 31)),
    # S2: no contract: 2 years after last contact.
    (NO_CONTRACT, date(2024, 2, 29), date(2026, 2, 28)),
    (NO_CONTRACT, date(2026, 3, 15), date(2028, 3, 15)),
    # S2: cookies 13 months from being set: 31 January -> the end of the next February.
    (COOKIES, date(2024, 1, 31), date(2025, 2, 28)),
    (COOKIES, date(2023, 1, 31), date(2024, 2, 29)),
    (COOKIES, date(2026, 5, 10), date(2027, 6, 10)),
    # S2 / PRV-10: call recordings 6 months: 31 August -> 28 or 29 February.
    (CALL_RECORDINGS, date(2023, 8, 31), date(2024, 2, 29)),
    (CALL_RECORDINGS, date(2024, 8, 31), date(2025, 2, 28)),
    (CALL_RECORDINGS, date(2026, 3, 31), date(2026, 9, 30)),
    # S3 / TEL-8: driving data up to 14 days after cancellation, across a year end.
    (TELEMATICS_DRIVING_DATA, date(2026, 12, 20), date(2027, 1, 3)),
    (TELEMATICS_DRIVING_DATA, date(2024, 2, 20), date(2024, 3, 5)),
], ids=lambda v: v.category if isinstance(v, RetentionRule) else str(v))
def test_prv5_prv10_tel8_seed_periods(rule: RetentionRule, event: date, last_kept: date) -> None:
    assert rule.retain_until(event) == last_kept
    assert rule.action_due_on(event) == last_kept + timedelta(days=1)


def test_prv5_seed_rules_say_what_happens_when_time_is_up() -> None:
    assert {rule.category: rule.action for rule in SEED_RETENTION} == {
        "eco_insurance": "delete", "billing": "delete", "no_contract": "delete", "cookies": "delete",
        "call_recordings": "delete", "telematics_driving_data": "anonymise"}
    assert {rule.category: rule.trigger for rule in SEED_RETENTION} == {
        "eco_insurance": "policy_ended", "billing": "policy_ended", "no_contract": "last_contact",
        "cookies": "cookie_set", "call_recordings": "call_recorded",
        "telematics_driving_data": "policy_ended"}
    assert TELEMATICS_DRIVING_DATA.describe() == "14 days after policy ended, then anonymise"
    assert COOKIES.describe() == "13 months after cookie set, then delete"


# --- date arithmetic properties -----------------------------------------------------------------


def oracle(event: date, years: int, months: int, days: int, end_of_year: bool) -> date:
    index = event.month - 1 + 12 * years + months
    year, month = event.year + index // 12, index % 12 + 1
    shifted = date(year, month, min(event.day, stdlib_calendar.monthrange(year, month)[1]))
    shifted += timedelta(days=days)
    return date(shifted.year, 12, 31) if end_of_year else shifted


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2060, 12, 31)), st.integers(0, 12), st.integers(0, 30),
       st.integers(0, 400), st.booleans(), st.sampled_from(["delete", "anonymise"]))
def test_prv5_retain_until_is_the_offset_date_rounded_and_the_action_is_due_the_next_day(
        event: date, years: int, months: int, days: int, end_of_year: bool, action: str) -> None:
    rule = RetentionRule("x", "quote_issued", years, months, days,
                         "end_of_year" if end_of_year else "none", action)  # type: ignore[arg-type]
    kept = rule.retain_until(event)
    assert kept == oracle(event, years, months, days, end_of_year)
    assert kept >= event
    assert rule.action_due_on(event) == kept + timedelta(days=1)
    assert not rule.is_due(event, kept) and rule.is_due(event, kept + timedelta(days=1))
    later = rule.retain_until(event + timedelta(days=1))
    assert later >= kept  # a later event is never kept for less


def test_prv5_every_day_of_2023_to_2028_month_offsets_clamp_to_month_end() -> None:
    day = date(2023, 1, 1)
    while day.year <= 2028:
        for rule, months in ((COOKIES, 13), (CALL_RECORDINGS, 6)):
            kept = rule.retain_until(day)
            assert kept == oracle(day, 0, months, 0, False)
            assert kept.day == day.day or kept.day == stdlib_calendar.monthrange(kept.year, kept.month)[1]
        day += timedelta(days=1)


def test_prv5_zero_years_plus_current_year_keeps_to_the_end_of_the_events_year() -> None:
    rule = RetentionRule("statistics", "claim_settled", rounding="end_of_year", action="anonymise")
    assert rule.retain_until(date(2026, 3, 4)) == date(2026, 12, 31)
    assert rule.describe() == "0 days + current year after claim settled, then anonymise"


@pytest.mark.parametrize("kwargs,fields", [
    ({"category": "", "trigger": "policy_ended"}, ["category"]),
    ({"category": "c", "trigger": "policy_renewed"}, ["trigger"]),
    ({"category": "c", "trigger": "policy_ended", "years": -1}, ["years"]),
    ({"category": "c", "trigger": "policy_ended", "months": 1.5}, ["months"]),
    ({"category": "c", "trigger": "policy_ended", "days": True}, ["days"]),
    ({"category": "c", "trigger": "policy_ended", "rounding": "end_of_month", "action": "shred"},
     ["rounding", "action"]),
])
def test_prv5_a_malformed_rule_is_refused_naming_each_field(kwargs: dict[str, object], fields: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        RetentionRule(**kwargs)  # type: ignore[arg-type]
    assert [issue.field for issue in caught.value.issues] == fields

"""Retention rules as data (PRV-5, PRV-10, TEL-8): how long each category of personal data is kept after
the event that starts its clock, and what happens when the time is up.

A rule is a category, a trigger event, an offset (years, months, days), a rounding and an action.
`retain_until` is the last day the data may be kept; the action (delete or anonymise) is due the day
after. The offset lands on the corresponding date, the month's last day when there is none
(`add_months`), and that day is itself still inside the period: calls recorded on 31 August are kept
to the end of February and deleted on 1 March. "N years + current year" is the offset N years with
rounding to the end of that calendar year: an event on any day of 2026 under "7 years + current year"
is kept to 2033-12-31 and the action is due on 2034-01-01.

The constants below are the seed schedules; products carry their own copies as versioned product data
(PRD-1), so a second insurer can set its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from covernote.domain.errors import FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.periods import add_months

Trigger = Literal["quote_issued", "policy_ended", "claim_settled", "last_contact", "cookie_set",
                  "call_recorded"]
Rounding = Literal["none", "end_of_year"]
Action = Literal["delete", "anonymise"]

TRIGGERS: tuple[Trigger, ...] = ("quote_issued", "policy_ended", "claim_settled", "last_contact",
                                 "cookie_set", "call_recorded")
ROUNDINGS: tuple[Rounding, ...] = ("none", "end_of_year")
ACTIONS: tuple[Action, ...] = ("delete", "anonymise")


def _check_years_like(issues: IssueCollector, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        issues.add(name, f"must be a whole number, not {value!r}")
    elif value < 0:
        issues.add(name, f"cannot be negative ({value})")


def _check_common(issues: IssueCollector, category: str, trigger: str, rounding: str, action: str) -> None:
    if not isinstance(category, str) or not category.strip():
        issues.add("category", "a retention rule needs a category")
    if trigger not in TRIGGERS:
        issues.add("trigger", f"unknown trigger event {trigger!r}: use one of {', '.join(TRIGGERS)}")
    if rounding not in ROUNDINGS:
        issues.add("rounding", f"unknown rounding {rounding!r}: use one of {', '.join(ROUNDINGS)}")
    if action not in ACTIONS:
        issues.add("action", f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")


@dataclass(frozen=True)
class RetentionRule:
    """How long one category of data is kept after its trigger event, and what is done then.

    Construction raises `ValidationFailed` naming each bad field: an empty category, an unknown
    trigger, rounding or action, or an offset that is negative or not a whole number.
    """

    category: str
    trigger: Trigger
    years: int = 0
    months: int = 0
    days: int = 0
    rounding: Rounding = "none"
    action: Action = "delete"

    def __post_init__(self) -> None:
        issues = IssueCollector()
        _check_common(issues, self.category, self.trigger, self.rounding, self.action)
        for name in ("years", "months", "days"):
            _check_years_like(issues, name, getattr(self, name))
        issues.raise_if_any(f"the retention rule for {self.category!r} is not valid")

    def retain_until(self, event_date: date) -> date:
        """The last day data whose trigger event happened on `event_date` may be kept.

        The event date moved on by the years and months together (`add_months`: the corresponding
        date, or the month's last day when there is none), then by the days; with rounding
        "end_of_year", the last day of that date's calendar year. Raises `OverflowError` or
        `ValueError` only past year 9999.
        """
        shifted = add_months(event_date, 12 * self.years + self.months) + timedelta(days=self.days)
        if self.rounding == "end_of_year":
            return date(shifted.year, 12, 31)
        return shifted

    def action_due_on(self, event_date: date) -> date:
        """The first day the action (delete or anonymise) is due: the day after `retain_until`.
        Raises as `retain_until` does."""
        return self.retain_until(event_date) + timedelta(days=1)

    def is_due(self, event_date: date, today: date) -> bool:
        """True when, on `today`, the action is due for data whose trigger event was on `event_date`.
        Raises as `retain_until` does."""
        return today >= self.action_due_on(event_date)

    def describe(self) -> str:
        """The period in words, e.g. "7 years + current year after policy ended, then delete".
        Never raises."""
        parts = [f"{n} {unit}{'' if n == 1 else 's'}"
                 for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day")) if n]
        period = " ".join(parts) or "0 days"
        if self.rounding == "end_of_year":
            period += " + current year"
        return f"{period} after {self.trigger.replace('_', ' ')}, then {self.action}"


@dataclass(frozen=True)
class DealershipPeriod:
    """A retention period each dealership sets for itself (S0: "set by each individual dealership"),
    in whole years between `floor_years` and `ceiling_years` inclusive.

    Construction raises `ValidationFailed` naming each bad field: a floor or ceiling that is negative
    or not a whole number, a ceiling below the floor, or an unknown trigger, rounding or action.
    """

    category: str
    trigger: Trigger
    floor_years: int
    ceiling_years: int
    rounding: Rounding = "end_of_year"
    action: Action = "delete"

    def __post_init__(self) -> None:
        issues = IssueCollector()
        _check_common(issues, self.category, self.trigger, self.rounding, self.action)
        _check_years_like(issues, "floor_years", self.floor_years)
        _check_years_like(issues, "ceiling_years", self.ceiling_years)
        if not issues.issues and self.ceiling_years < self.floor_years:
            issues.add("ceiling_years",
                       f"the ceiling ({self.ceiling_years} years) is below the floor ({self.floor_years})")
        issues.raise_if_any(f"the dealership retention period for {self.category!r} is not valid")

    def resolve(self, setting: int) -> RetentionRule:
        """The rule for a dealership that chose `setting` years.

        Raises `ValidationFailed` naming the field `setting` when it is not a whole number or lies
        outside [floor_years, ceiling_years].
        """
        if isinstance(setting, bool) or not isinstance(setting, int):
            raise ValidationFailed(
                f"the retention period for {self.category} must be a whole number of years",
                [FieldIssue("setting", f"must be a whole number of years, not {setting!r}")])
        if not self.floor_years <= setting <= self.ceiling_years:
            raise ValidationFailed(
                f"the retention period for {self.category} is outside what the product allows",
                [FieldIssue("setting", f"{setting} years is outside {self.floor_years} to "
                                       f"{self.ceiling_years} years")])
        return RetentionRule(self.category, self.trigger, years=setting, rounding=self.rounding,
                             action=self.action)


# --- seed schedules ---------------------------------------------------------------------------

# S0 (dealership software provider's privacy policy), "Product Subscription / Retention Period".
# The trigger is the end of the policy for FullCover and the last contact for the other products (the
# seed names no event; judgement). "N Years + current year" = N years, rounded to the end of the year.
FULL_COVER = RetentionRule("FullCover", "policy_ended", years=7, rounding="end_of_year")  # S0: 7 + current
FULL_COMPLIANCE = RetentionRule("FullCompliance", "last_contact", years=6,
                                rounding="end_of_year")  # S0: 6 + current
FULL_CONTROL = RetentionRule("FullControl", "last_contact", years=4, rounding="end_of_year")  # S0: 4 + current
FULL_FORECAST = RetentionRule("FullForecast", "last_contact", years=6,
                              rounding="end_of_year")  # S0: 6 + current
# S0: "Set by each individual dealership subscribed to the product". The floor and ceiling are not in
# the seed (judgement): at least 1 year + current year, at most the longest S0 period (7 + current).
DEALERSHIP_FLOOR_YEARS = 1
DEALERSHIP_CEILING_YEARS = 7
FULL_CYCLE = DealershipPeriod("FullCycle", "last_contact", DEALERSHIP_FLOOR_YEARS,
                              DEALERSHIP_CEILING_YEARS)  # S0: set by each dealership
FULL_AUCTION = DealershipPeriod("FullAuction", "last_contact", DEALERSHIP_FLOOR_YEARS,
                                DEALERSHIP_CEILING_YEARS)  # S0: set by each dealership
FULL_APPRAISAL = DealershipPeriod("FullAppraisal", "last_contact", DEALERSHIP_FLOOR_YEARS,
                                  DEALERSHIP_CEILING_YEARS)  # S0: set by each dealership

S0_RETENTION: Mapping[str, RetentionRule | DealershipPeriod] = MappingProxyType({
    p.category: p for p in (FULL_COVER, FULL_COMPLIANCE, FULL_CONTROL, FULL_FORECAST,
                            FULL_CYCLE, FULL_AUCTION, FULL_APPRAISAL)
})

# S1 section 12: "Usually, we will retain your information for up to seven years" (eco insurance).
ECO_INSURANCE = RetentionRule("eco_insurance", "policy_ended", years=7)
# S2: "For billing purposes ... ten (10) years from the end of your contract".
BILLING = RetentionRule("billing", "policy_ended", years=10)
# S2: "In the absence of conclusion of a contract, we delete your personal data two (2) years after
# last contact with you".
NO_CONTRACT = RetentionRule("no_contract", "last_contact", years=2)
# S2: "Cookies are retained for a period of thirteen (13) months from their collection".
COOKIES = RetentionRule("cookies", "cookie_set", months=13)
# S2: "Telephone recordings are kept for six (6) months" (PRV-10: recordings have their own retention).
CALL_RECORDINGS = RetentionRule("call_recordings", "call_recorded", months=6)
# S3 (TEL-8): driving data is used "during the period which your policy is in force and up to 14 days
# after the policy cancellation". The trigger is the end of cover however it ends (cancellation or
# expiry); the data is then anonymised, not deleted, so it can still serve statistics (PRV-5).
TELEMATICS_DRIVING_DATA = RetentionRule("telematics_driving_data", "policy_ended", days=14,
                                        action="anonymise")

SEED_RETENTION: tuple[RetentionRule, ...] = (ECO_INSURANCE, BILLING, NO_CONTRACT, COOKIES, CALL_RECORDINGS,
                                             TELEMATICS_DRIVING_DATA)

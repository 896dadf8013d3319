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
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from covernote.kernel.declarations import PersonalData
from covernote.kernel.errors import FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.periods import add_months

Trigger = Literal["quote_issued", "policy_ended", "claim_settled", "last_contact", "cookie_set",
                  "call_recorded", "response_stored", "complaint_closed"]
Rounding = Literal["none", "end_of_year"]
Action = Literal["delete", "anonymise"]

TRIGGERS: tuple[Trigger, ...] = ("quote_issued", "policy_ended", "claim_settled", "last_contact",
                                 "cookie_set", "call_recorded", "response_stored", "complaint_closed")
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
    # The seed sentence (or the judgement) the rule comes from; not part of what the rule does.
    source: str = field(default="", compare=False)

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

    def latest_event_due(self, today: date) -> date | None:
        """The latest event date whose action is due on `today` (every earlier event is due too), or
        None when no event since 1 January 1900 is. Lets a sweep find due records with one
        comparison on a stored date: `event <= latest_event_due(today)`. Never raises."""
        lo, hi = date(1900, 1, 1).toordinal(), today.toordinal()
        if hi < lo or not self.is_due(date.fromordinal(lo), today):
            return None
        while lo < hi:  # invariant: lo is due; find the last due day in [lo, hi]
            mid = (lo + hi + 1) // 2
            if self.is_due(date.fromordinal(mid), today):
                lo = mid
            else:
                hi = mid - 1
        return date.fromordinal(lo)

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
    source: str = field(default="", compare=False)

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
                             action=self.action, source=self.source)

    def describe(self) -> str:
        """e.g. "set by each dealership: 1 to 7 years + current year after last contact, then delete"."""
        extra = " + current year" if self.rounding == "end_of_year" else ""
        return (f"set by each dealership: {self.floor_years} to {self.ceiling_years} years{extra} after "
                f"{self.trigger.replace('_', ' ')}, then {self.action}")


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

# UK (FCA DISP 1.9.1, 1.9.2; CMP-3): records of each complaint and the measures taken for its resolution are
# kept for at least three years from the date it was received. Kept three years from the day it closed (final
# response, summary resolution or withdrawal), which is never earlier; then anonymised, so the figures (kind,
# product, root cause, outcome, redress, dates) still serve the complaints report. A house rule: it is the
# regulator's, not a product's (privacy/usecases/retention.py applies it).
COMPLAINT_RECORDS = RetentionRule(
    "complaints", "complaint_closed", years=3, action="anonymise",
    source="UK: FCA DISP 1.9 (complaint records kept at least three years); CMP-3")

SEED_RETENTION: tuple[RetentionRule, ...] = (ECO_INSURANCE, BILLING, NO_CONTRACT, COOKIES, CALL_RECORDINGS,
                                             TELEMATICS_DRIVING_DATA)


# --- record categories a product's schedule may name ----------------------------------------------


@dataclass(frozen=True)
class RecordCategory:
    """A kind of record a retention rule can govern, the trigger events that make sense for it and the
    actions that can be taken on it."""

    code: str
    description: str
    triggers: tuple[Trigger, ...]
    actions: tuple[Action, ...] = ACTIONS


RECORD_CATEGORIES: Mapping[str, RecordCategory] = MappingProxyType({c.code: c for c in (
    # A policy is anonymised, never deleted: the ledger and statistics refer to it.
    RecordCategory("policy", "the policy, its transactions, its pending changes and the quote it was bound from",
                   ("policy_ended",), ("anonymise",)),
    RecordCategory("billing", "payment and accounting data of a policy (its card or mandate token, the "
                              "policyholder's name as payer)", ("policy_ended",), ("anonymise",)),
    # S2: "we delete your personal data": a quote never taken up is deleted.
    RecordCategory("no_contract", "quotes never taken up, and people who never took a contract",
                   ("last_contact",), ("delete",)),
    RecordCategory("claims", "claims and their correspondence", ("claim_settled",)),
    RecordCategory("telematics_driving_data", "driving data from a telematics box (TEL-8)", ("policy_ended",)),
    RecordCategory("cookies", "cookies and connection data", ("cookie_set",)),
    RecordCategory("call_recordings", "recordings of telephone calls (PRV-10)", ("call_recorded",)),
    # A house category (no product names it): stored API answers kept so a retried request gets the same one.
    RecordCategory("retry_cache", "API responses stored for idempotent retries", ("response_stored",), ("delete",)),
    RecordCategory("chat_transcripts", "transcripts of web chats (PRV-10); the chat is itself the contact",
                   ("last_contact",)),
)})
"""The categories a product's retention schedule may name (PRV-5, PRV-10, TEL-8). A rule for any other
name is refused when the product file loads, so a misspelt category cannot silently never apply."""

# Purposes that make a field billing data: S2 keeps "for billing purposes" personal data ten years after
# the contract ends, longer than the contract's own records.
BILLING_PURPOSES = frozenset({"payments", "accounting"})


def is_billing_data(declaration: PersonalData) -> bool:
    """Whether a declared field is billing data: one of its purposes is payments or accounting."""
    return any(p in BILLING_PURPOSES for p in declaration.purposes)


def policy_ended_on(term_start: date, term_end: date, cancelled_from: date | None,
                    voided_on: date | None) -> date:
    """The day a policy ended, for its "policy ended" retention clock: the first day of its latest term
    without cover. That is the term's end date (terms are half-open), the date a cancellation took
    effect (never before the term started), or, for a term voided for fraud, the day it was voided
    (a void term is treated as never having existed, so its cover dates say nothing). Never raises."""
    if voided_on is not None:
        return voided_on
    if cancelled_from is not None:
        return max(min(cancelled_from, term_end), term_start)
    return term_end


def s0_period(entry: RetentionRule | DealershipPeriod) -> str:
    """A period in the words of S0's retention table: "7 Years + current year", or the set-by-dealership
    sentence. Never raises."""
    if isinstance(entry, DealershipPeriod):
        return ("Set by each individual dealership subscribed to the product. Please consult with the "
                "dealership you are dealing with.")
    if entry.rounding == "end_of_year" and not (entry.months or entry.days):
        return f"{entry.years} Years + current year"
    return entry.describe()

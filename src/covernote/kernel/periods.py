"""Half-open periods of dates: [start, end). Cover, policy versions, clocks all use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """The days from `start` up to but not including `end`."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"a period cannot end ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day inside the period (end - 1 day)."""
        if self.days == 0:
            raise PeriodError("an empty period has no last day")
        return self.end - timedelta(days=1)

    def is_empty(self) -> bool:
        return self.start == self.end

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end

    def intersection(self, other: Period) -> Period | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start < end else None

    def split_at(self, day: date) -> tuple[Period, Period]:
        if not (self.start <= day <= self.end):
            raise PeriodError(f"{day} is outside {self}")
        return Period(self.start, day), Period(day, self.end)

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later; the month's last day when there is none."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise PeriodError(f"cannot add {months} months to {day}")  # pragma: no cover - unreachable


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def months_started(period: Period) -> int:
    """Calendar months begun within the period, counting a part month as a whole one (short-period rates)."""
    if period.is_empty():
        return 0
    months = 0
    boundary = period.start
    while boundary < period.end:
        months += 1
        boundary = add_months(period.start, months)
    return months

"""Time: aware datetimes only, UTC in storage, Europe/London for business dates.

The domain never reads the clock; `now` comes in from a `Clock` so a test can be at any date and a
scheduled job can be replayed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


def require_aware(moment: datetime, what: str = "datetime") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment


def london_date(moment: datetime) -> date:
    """The business date in the UK of an instant."""
    return require_aware(moment).astimezone(LONDON).date()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and replays: stands still until moved."""

    def __init__(self, moment: datetime) -> None:
        self._now = require_aware(moment, "the fixed clock's time")

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = require_aware(moment, "the fixed clock's time")

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta

    def set_date(self, day: date, hour: int = 12) -> None:
        """Move to `hour`:00 London time on `day`."""
        self._now = datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)

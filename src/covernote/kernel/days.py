"""The one rule for a date or a date and time given from outside (issue 13, items 6 and 13).

A day is written as ISO 8601 (`YYYY-MM-DD`), never as a Unix time or another form, and lies between
1900-01-01 and 2100-12-31: nothing Covernote insures, rates or records happens outside that range, and
date arithmetic near the ends of the calendar (9999-12-31 plus a year) cannot overflow inside it. Fields
whose domain is tighter (a driver's age, a document's issue date) keep their own rules on top of this one.
The REST request types (`covernote.platform.requests.Day`, `Moment`) and the command line's date options
(`covernote.interfaces.cli.parse_date`) both use it."""

from __future__ import annotations

import re
from datetime import date, datetime

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
RANGE_TEXT = f"between {EARLIEST} and {LATEST}"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_day(day: date) -> date:
    """`day`, or ValueError when it lies outside 1900-01-01 .. 2100-12-31."""
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be a date {RANGE_TEXT}; got {day}")
    return day


def parse_day(text: str) -> date:
    """A `YYYY-MM-DD` text as a date in range, or ValueError saying why (no Unix times, no week dates)."""
    if not _ISO_DAY.fullmatch(text.strip()):
        raise ValueError(f"an ISO 8601 date, YYYY-MM-DD; got {text[:40]!r}")
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a day of the calendar") from None
    return check_day(day)


def check_moment(moment: datetime) -> datetime:
    """`moment`, or ValueError when its day lies outside 1900-01-01 .. 2100-12-31."""
    if not EARLIEST <= moment.date() <= LATEST:
        raise ValueError(f"must be a date and time {RANGE_TEXT}; got {moment.isoformat()}")
    return moment


# A person's plausible age (issue 13, item 6): a customer or a driver is 16 to 120 on the day that counts
# (a driver at the start of cover, where the product's own minimum age is usually higher).
MIN_AGE = 16
MAX_AGE = 120


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day`."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years

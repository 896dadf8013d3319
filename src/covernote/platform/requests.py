"""What every context's REST request bodies and query parameters share: a strict base that refuses unknown
fields (so a misspelt field is named in the 422, never ignored), the short text field most bodies use, and
the one date type and date-and-time type (issue 13, item 6: ISO 8601 only, 1900-01-01 to 2100-12-31;
`covernote.kernel.days`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from covernote.kernel.days import check_day, check_moment, parse_day


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _iso_day(value: object) -> object:
    """A day as ISO 8601 text (`YYYY-MM-DD`) between 1900-01-01 and 2100-12-31; never a number read as a
    Unix time, nor a date and time."""
    if isinstance(value, datetime):
        raise ValueError("a date, YYYY-MM-DD, without a time")
    if isinstance(value, date):
        return check_day(value)
    if isinstance(value, str):
        return parse_day(value)
    raise ValueError("an ISO 8601 date as text, YYYY-MM-DD")


def _iso_moment(value: object) -> object:
    """A date and time as ISO 8601 text; a bare number is not read as a Unix time."""
    if isinstance(value, bool | int | float):
        raise ValueError('an ISO 8601 date and time, e.g. "2026-12-06T10:30:00+00:00"')
    return value


# Every date a request body or query parameter takes (issue 13, item 6).
Day = Annotated[date, BeforeValidator(_iso_day)]
# Every date and time a request body takes: ISO 8601, its day in the same range as `Day`.
Moment = Annotated[datetime, BeforeValidator(_iso_moment), AfterValidator(check_moment)]

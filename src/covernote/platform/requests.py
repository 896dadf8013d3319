"""What every context's REST request bodies and query parameters share: a strict base that refuses unknown
fields (so a misspelt field is named in the 422, never ignored), the short text field most bodies use, and
the one date type and date-and-time type (issue 13, item 6: ISO 8601 only, 1900-01-01 to 2100-12-31;
`covernote.kernel.days`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from covernote.kernel.days import check_day, check_moment, parse_day
from covernote.kernel.text import clean_text


class _MultiLine:
    """Marks a text field that may hold line breaks and tabs: `Annotated[str, MultiLine, ...]`."""

    def __repr__(self) -> str:
        return "MultiLine"


MultiLine = _MultiLine()


class RequestBody(BaseModel):
    """Every REST request body: unknown fields refused, and every text in it (nested lists and objects
    too) held to the one text rule (`covernote.kernel.text`, issue 13 item 13): NFC, no bidirectional
    controls, zero-width or control characters; line breaks only where the field is marked `MultiLine`."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _one_text_rule(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return clean_text(value, multiline=info.field_name in _multi_line_fields(cls))
        if isinstance(value, list | dict):
            return _clean_within(value)
        return value


_MULTI_LINE_FIELDS: dict[type, frozenset[str]] = {}


def _multi_line_fields(model: type[BaseModel]) -> frozenset[str]:
    found = _MULTI_LINE_FIELDS.get(model)
    if found is None:
        found = frozenset(name for name, f in model.model_fields.items() if any(m is MultiLine for m in f.metadata))
        _MULTI_LINE_FIELDS[model] = found
    return found


def _clean_within(value: Any, multiline: bool = False) -> Any:
    """Text inside a list or an object: codes and keys one line each; the values of a free-form object (a
    request's `details`: a directive, a correction) may run over lines, as its author wrote them."""
    if isinstance(value, str):
        return clean_text(value, multiline=multiline)
    if isinstance(value, list):
        return [_clean_within(v, multiline) for v in value]
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: _clean_within(v, multiline=True) for k, v in value.items()}
    return value


# A name or another one-line text: trimmed, 1 to 200 characters, NFC, nothing hidden (issue 13, item 13).
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


def field_path(loc: tuple[Any, ...]) -> str:
    """A validation error's location as the problem document names the field: `risk.drivers[0].name`."""
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _LeaveOut:
    """A stand-in that leaves the list item out (`salvage`)."""

    def __repr__(self) -> str:
        return "LEAVE_OUT"


# The stand-in of a list item the rules judge nothing of when its shape is faulty: the item is left out and the
# rules judge the others (a faulty change of an adjustment, say, while its other changes are judged).
LEAVE_OUT: Any = _LeaveOut()


def salvage(model: type[RequestBody], raw: Any, bad: list[tuple[Any, ...]],
            stand_ins: dict[str, Any]) -> tuple[RequestBody | None, set[str]]:
    """The body with each field the shape check refused replaced by its stand-in, so the product's rules can
    judge the rest in the same answer (issue 13, item 21), and the paths replaced, whose rule issues are not
    reported again. `stand_ins` maps a path (list indices as `[*]`) to a value of the right shape, or to
    `LEAVE_OUT` for a list item; a refused field without one takes the stand-in of the nearest field holding it
    that has one (a change's faulty `value` leaves its change out). None when no field holding a refused one
    has a stand-in or the body is not an object: the rules then wait for a good shape."""
    if not isinstance(raw, dict) or not bad:
        return None, set()
    body: Any = _copy(raw)
    replaced: set[str] = set()
    left_out: set[tuple[Any, ...]] = set()
    for loc in bad:
        at = next((loc[:n] for n in range(len(loc), 0, -1)
                   if re.sub(r"\[\d+\]", "[*]", field_path(loc[:n])) in stand_ins), None)
        if at is None:
            return None, set()
        stand_in = stand_ins[re.sub(r"\[\d+\]", "[*]", field_path(at))]
        if stand_in is LEAVE_OUT:
            if not isinstance(at[-1], int) or _at(body, at) is None:
                return None, set()
            left_out.add(at)
        elif not _put(body, at, stand_in):
            return None, set()
        replaced.add(field_path(at))
    # The deepest first, and the last of a list first, so that no removal moves an item still to be removed.
    for at in sorted(left_out, key=lambda loc: (-len(loc), tuple(str(step) for step in loc[:-1]), -loc[-1])):
        if not any(other != at and other == at[:len(other)] for other in left_out):  # its holder left out too
            _at(body, at).pop(at[-1])  # type: ignore[union-attr]
    try:
        return model.model_validate(body), replaced
    except ValidationError:
        return None, set()


def _holder(body: Any, loc: tuple[Any, ...]) -> Any:
    """What holds the field or item at `loc` (the object or list reached by all its steps but the last), or
    None when a step does not lead anywhere."""
    for step in loc[:-1]:
        inside_object = isinstance(body, dict) and isinstance(step, str) and step in body
        inside_list = isinstance(body, list) and isinstance(step, int) and 0 <= step < len(body)
        if not (inside_object or inside_list):
            return None
        body = body[step]
    return body


def _at(body: Any, loc: tuple[Any, ...]) -> list[Any] | None:
    """The list holding the item at `loc`, None when there is none."""
    holder = _holder(body, loc)
    return holder if isinstance(holder, list) and 0 <= loc[-1] < len(holder) else None


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _put(body: Any, loc: tuple[Any, ...], value: Any) -> bool:
    holder = _holder(body, loc)
    if not isinstance(holder, dict) or not isinstance(loc[-1], str):
        return False
    holder[loc[-1]] = value
    return True


# An amount of money as a request gives it: pounds and pence as text ("150.00"); whole pounds may also be a
# JSON integer. The OpenAPI schema of every amount says so (issue 13 item 16), not "any number or string".
AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
AMOUNT_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string", "pattern": AMOUNT_PATTERN, "maxLength": 15}, {"type": "integer", "minimum": 0}]}


def one_of(values: Iterable[str | None]) -> dict[str, Any]:
    """`json_schema_extra` for text whose values the domain checks: the schema lists them as an enum."""
    return {"enum": list(values)}

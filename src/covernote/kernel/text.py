"""The one rule for text given from outside (issue 13, item 13): names and other free text are normalised
to Unicode NFC (so "é" typed two ways is one name), and characters that change how text displays without
being seen, or that no database stores alike, are refused:

- bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069), which make a name read
  differently from what is stored;
- zero-width characters (U+200B..U+200D, U+2060, U+FEFF), which make two names look the same;
- control characters: C0 (U+0000..U+001F, with NUL, which PostgreSQL refuses and SQLite stores), DEL and
  C1 (U+007F..U+009F). Line feed, carriage return and tab are allowed in multi-line fields only
  (descriptions, notes, letters), never in a name or another one-line field.

REST request bodies apply it to every text field (`covernote.platform.requests.RequestBody`); use cases
that take text from the command line apply it through `IssueCollector.text`."""

from __future__ import annotations

import unicodedata

# Use cases that take text from the command line treat a field of this many characters or more as multi-line
# (descriptions, notes, reasons, letters); shorter fields are one line (names, addresses, references).
MULTI_LINE_FROM = 1000

_NAMED = {
    **{chr(c): "a bidirectional override or isolate" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    **{chr(c): "a zero-width character" for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)},
    "\x00": "a NUL character",
}
_CONTROLS = frozenset(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
_LINE_BREAKS = frozenset("\n\r\t")
_REFUSED_ONE_LINE = frozenset(_NAMED) | _CONTROLS
_REFUSED_MULTI_LINE = _REFUSED_ONE_LINE - _LINE_BREAKS


def _reason(char: str, multiline: bool) -> str:
    what = _NAMED.get(char)
    if what is None:
        what = "a line break or tab (allowed only in multi-line text)" if char in _LINE_BREAKS and not multiline \
            else "a control character"
    return f"must not contain {what} (U+{ord(char):04X})"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC, or ValueError naming the first refused character and why."""
    refused = _REFUSED_MULTI_LINE if multiline else _REFUSED_ONE_LINE
    if value.isascii() and (value.isprintable() or (multiline and not any(c in refused for c in value))):
        return value  # the usual case: plain ASCII, nothing to normalise
    bad = next((c for c in value if c in refused), None)
    if bad is not None:
        raise ValueError(_reason(bad, multiline))
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)

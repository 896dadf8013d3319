"""Every CSV Covernote writes goes through here, so a cell cannot be read as a formula (issue 13 item 14).

A spreadsheet treats a cell starting with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`,
`+cmd|...`, `@SUM(...)`), and one starting with a tab or carriage return may be trimmed into one. A
name, an address or a note typed by a customer can start that way, so such a cell is written with a
single quote in front (OWASP's CSV injection advice); the quote shows the text is text and the rest is
kept unchanged. A plain number (`-12.50`, `-3`) cannot be a formula and is kept as it is, so money
columns stay numbers. stdlib only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """The value as written in a CSV cell: text that a spreadsheet would read as a formula gets a
    leading single quote; anything else (numbers, None, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's writerow and writerows, each cell passed through `safe_cell`, rows ended by `\n`.

    Rows are formatted with a `\r\n` terminator and then ended with `\n`: Python 3.11's writer quotes
    a cell holding a line end only when that character is in its terminator, so a cell holding a bare
    carriage return would otherwise split the row in a reader."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._row = io.StringIO()
        self._writer = csv.writer(self._row, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._row.seek(0)
        self._row.truncate()
        self._writer.writerow([safe_cell(v) for v in row])
        self._out.write(self._row.getvalue()[:-2] + "\n")

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str]) -> SafeWriter:
    """The one CSV writer every export uses (`\\n` line ends, formula cells neutralised)."""
    return SafeWriter(out)

"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

# -- the Bacs bureau (PAY-6) ---------------------------------------------------------------------------------


class BacsFileRejected(Exception):
    """The bureau refused a submission whole (its totals, an account, the service user number, its day...).
    Final for those bytes: nothing of the file will be processed."""


class BacsUnavailable(Exception):
    """The bureau did not answer in time. The file may or may not have arrived: submit the same bytes again
    (the bureau recognises a file it already has and answers with its first reference, never processing it twice)."""


@dataclass(frozen=True)
class BacsReportFile:
    """One report the bureau made available: its id (unique at the bureau), kind, the day it was produced and
    its bytes (the XML of `adapters/bacs_files.py`)."""

    report_id: str
    kind: Literal["ARUDD", "ADDACS", "AUDDIS"]
    produced_on: date
    content: bytes


class BacsBureau(Protocol):
    """Covernote's Bacs bureau: takes Standard 18 submissions and gives back the scheme's reports."""

    def submit(self, content: bytes) -> str:
        """Submit a Standard 18 file; its submission reference. Raises BacsFileRejected (refused whole) or
        BacsUnavailable (no answer: submit the same bytes again)."""
        ...

    def reports(self, since: date, until: date) -> list[BacsReportFile]:
        """The reports produced on days `since` to `until` inclusive, oldest first. Raises BacsUnavailable."""
        ...

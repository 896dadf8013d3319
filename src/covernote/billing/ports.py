"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from covernote.billing.domain.bacs import BacsReport, Originator, Standard18File

# -- the Bacs bureau (PAY-6) ---------------------------------------------------------------------------------


class BacsFileRejected(Exception):
    """The bureau refused a submission whole (its totals, an account, the service user number, its day...).
    Final for those bytes: nothing of the file will be processed."""


class BacsUnavailable(Exception):
    """The bureau did not answer in time. The file may or may not have arrived: submit the same bytes again
    (the bureau recognises a file it already has and answers with its first reference, never processing it twice)."""


@dataclass(frozen=True)
class BacsReportFile:
    """One report the bureau made available: its id (unique at the bureau), kind, the day it was produced, the
    SHA-256 of its bytes (so a file is processed once) and what it says."""

    report_id: str
    kind: Literal["ARUDD", "ADDACS", "AUDDIS"]
    produced_on: date
    sha256: str
    report: BacsReport


class BacsBureau(Protocol):
    """Covernote's Bacs bureau: takes submissions and gives back the scheme's reports. The adapter owns the wire
    formats (Standard 18 out, the reports' XML in: `adapters/bacs_files.py`); the use cases see values."""

    @property
    def service_user(self) -> Originator:
        """The service user the bureau submits for: its number, name and the account the contra credits."""
        ...

    def submit(self, file: Standard18File) -> str:
        """Submit a file; its submission reference. Raises BacsFileRejected (refused whole) or BacsUnavailable
        (no answer: submit the same file again; the bureau answers a file it already has with its reference)."""
        ...

    def reports(self, since: date, until: date) -> list[BacsReportFile]:
        """The reports produced on days `since` to `until` inclusive, oldest first. Raises BacsUnavailable, or
        BacsFileRejected naming the file when one cannot be read."""
        ...

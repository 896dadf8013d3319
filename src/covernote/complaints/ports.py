"""The port for complaints and their letters (CMP-1..5, DOC-2): complaints/store.py implements it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from covernote.clocks.domain import Deadline
from covernote.complaints.domain import Complaint

ErasureCountsT = dict[str, dict[str, int]]


@dataclass(frozen=True)
class ComplaintLetter:
    """A letter sent about a complaint, as it was sent (DOC-2): sending one meets a clock at `sent_at`.

    `format` is the form it was produced in (CMP-4: standard, large_print, audio, braille); `production`
    says who produces it: `covernote` (printable here) or `provider` (audio and Braille, made by the
    transcription provider from `body`)."""

    letter_id: str
    complaint_id: str
    customer_id: str | None
    kind: str
    format: str
    production: str
    channel: str
    body: str
    body_html: str
    sent_at: datetime
    sent_by: str


@dataclass(frozen=True)
class ComplaintDue:
    """A closed complaint the retention sweep may have to act on."""

    complaint_id: str
    customer_id: str | None
    closed_at: datetime


class ComplaintRepository(Protocol):
    def add(self, c: Complaint) -> None: ...
    def save(self, c: Complaint) -> Complaint:
        """Store a changed complaint if nobody changed it since it was read (its version); Conflict
        otherwise. Returns it with its new version."""
        ...
    def get(self, complaint_id: str) -> Complaint | None: ...
    def page(self, status: str | None, team: str | None, customer_id: str | None, limit: int,
             offset: int) -> list[Complaint]: ...
    def for_customer(self, customer_id: str) -> list[Complaint]: ...
    def received_between(self, start: datetime | None, end: datetime | None) -> list[Complaint]: ...
    def eight_week_candidates(self, received_before: datetime, limit: int) -> list[Complaint]:
        """Open complaints received before `received_before` with no eight-week letter yet, oldest first."""
        ...
    def open_windows_due_by(self, at: datetime, limit: int) -> list[Deadline]:
        """Running summary-resolution clocks whose stored due instant is before `at` (a superset of those
        closed by then: a running pause only moves the due instant later), soonest first."""
        ...
    def deadlines_for(self, complaint_ids: Sequence[str]) -> dict[str, list[Deadline]]:
        """Each complaint's deadlines (the clock engine's rows), in one read."""
        ...
    def add_letter(self, letter: ComplaintLetter) -> None: ...
    def letters(self, complaint_id: str) -> list[ComplaintLetter]: ...
    def letter(self, complaint_id: str, letter_id: str) -> ComplaintLetter | None: ...
    # -- retention (PRV-5, CMP-3: records kept three years) ------------------------------------------------
    def closed_before(self, closed_before: datetime, record_kind: str) -> list[ComplaintDue]:
        """Closed complaints not yet anonymised (no retention action of `record_kind` recorded), closed
        before `closed_before`, in id order."""
        ...
    def anonymise(self, complaint_ids: Sequence[str], hasher: Callable[[str], str]) -> ErasureCountsT:
        """Erase the personal fields of these complaints, their letters and their clocks' free text by the
        declared strategies; kind, team, product, dates, outcome, root cause and redress stay."""
        ...

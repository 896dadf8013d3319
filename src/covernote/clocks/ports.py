"""The clock engine's port: its deadlines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from covernote.clocks.domain import Deadline


class DeadlineRepository(Protocol):
    """Deadlines of the clock engine (issue 5): clocks/store.py."""

    def add(self, d: Deadline, customer_id: str | None, due_at: datetime) -> None: ...
    def update(self, d: Deadline, due_at: datetime) -> Deadline:
        """Store a changed deadline if unchanged since read (version); Conflict otherwise. Returns it with
        its new version."""
        ...
    def get(self, deadline_id: str) -> Deadline | None: ...
    def customer_of(self, deadline_id: str) -> str | None: ...
    def for_subject(self, subject_kind: str, subject_id: str) -> list[Deadline]: ...
    def open_due_by(self, horizon: datetime, teams: Sequence[str] | None, limit: int) -> list[Deadline]:
        """Open deadlines whose stored due instant is before `horizon`, soonest first (a superset of those
        due by then: a running pause only moves the true due instant later)."""
        ...
    def open_for_customer(self, customer_id: str, limit: int) -> list[Deadline]:
        """The customer's open deadlines (not met, not stopped), soonest due first."""
        ...
    def started_between(self, start: datetime | None, end: datetime | None,
                        teams: Sequence[str] | None) -> list[Deadline]: ...

"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from covernote.billing.domain.arrears import ArrearsCase, Stage, Step
from covernote.kernel.money import Money


class ReturnedCollection(Protocol):
    """A direct debit collection the paying bank returned unpaid, as the Bacs side stores it (ARUDD) and hands
    it to `billing/usecases/returns.py handle_return`: which return, of which instalment of which policy, for
    how much, why (the reason code), whether it may be presented again (PAY-6: only "refer to payer") and
    the day it came back."""

    @property
    def return_id(self) -> str: ...
    @property
    def policy_id(self) -> str: ...
    @property
    def instalment_id(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def re_presentable(self) -> bool: ...
    @property
    def returned_on(self) -> date: ...


@dataclass(frozen=True)
class StoredStep:
    """A step as stored: the domain's step with its id, when it was recorded, its letter's document and its
    clock."""

    step_id: str
    case_id: str
    policy_id: str
    step: Step
    recorded_at: datetime
    letter_document_id: str | None
    deadline_id: str | None
    return_id: str | None


class ArrearsRepository(Protocol):
    """Arrears cases and their steps (PAY-2): billing/store/arrears.py."""

    def add(self, case: ArrearsCase) -> None: ...
    def update(self, case: ArrearsCase) -> ArrearsCase:
        """Store a changed case if unchanged since read (its version); Conflict otherwise. Returns it with its
        new version."""
        ...
    def get(self, case_id: str) -> ArrearsCase | None: ...
    def for_policy(self, policy_id: str) -> list[ArrearsCase]: ...
    def open_for_instalment(self, policy_id: str, instalment_id: str) -> ArrearsCase | None: ...
    def due_by(self, day: date, after: str | None, limit: int) -> list[ArrearsCase]:
        """Open cases whose next action is due on or before `day`, by id after `after` (a page at a time)."""
        ...
    def listed(self, stages: Sequence[Stage] | None, limit: int, offset: int) -> list[ArrearsCase]:
        """Cases at the given stages (all when None), the oldest opened first."""
        ...
    def counted(self, stages: Sequence[Stage] | None) -> int: ...
    def representations_due(self, day: date) -> list[ArrearsCase]:
        """Cases waiting for their re-presentation whose new collection date is `day` (the Bacs side presents
        them)."""
        ...
    def add_step(self, step_id: str, case: ArrearsCase, step: Step, recorded_at: datetime, deadline_id: str | None,
                 return_id: str | None) -> None: ...
    def steps(self, case_ids: Sequence[str]) -> list[StoredStep]:
        """The cases' steps, in the order taken."""
        ...
    def step_for_return(self, return_id: str) -> StoredStep | None: ...
    def letters_missing(self, limit: int) -> list[StoredStep]:
        """Steps whose letter has not been issued yet, oldest first."""
        ...
    def set_letter(self, step_id: str, document_id: str) -> None: ...

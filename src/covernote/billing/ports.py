"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from covernote.billing.domain.notices import NoticeStatus, PaymentAuthority, PaymentNotice


class PaymentNoticeRepository(Protocol):
    """The continuous payment authority's notices (PAY-3)."""

    def add(self, notice: PaymentNotice) -> None: ...
    def get(self, notice_id: str) -> PaymentNotice | None: ...
    def for_policy(self, policy_id: str) -> list[PaymentNotice]:
        """The policy's notices, oldest first."""
        ...
    def update(self, notice: PaymentNotice) -> PaymentNotice:
        """Store the notice's new state if nobody changed it since it was read (its version); Conflict if they
        did. Returns it with its new version."""
        ...
    def unsent(self, after: str | None, limit: int) -> list[PaymentNotice]:
        """Pending (or withdrawn) notices whose letter is not yet issued, by id after `after`."""
        ...
    def due(self, day: date, after: str | None, limit: int) -> list[PaymentNotice]:
        """Pending notices whose letter is issued and that fall due on or before `day`, by id after `after`."""
        ...
    def page(self, due_on: date | None, status: NoticeStatus | None, limit: int, offset: int) -> list[PaymentNotice]:
        """Notices (for staff), by due date then id; `due_on`: due on that day; `status`: in that status."""
        ...


class PaymentAuthorityRepository(Protocol):
    """Each policy's continuous payment authority: granted at bind, perhaps withdrawn (PAY-3)."""

    def add(self, authority: PaymentAuthority) -> None: ...
    def get(self, policy_id: str) -> PaymentAuthority | None: ...
    def update(self, authority: PaymentAuthority) -> PaymentAuthority:
        """As `PaymentNoticeRepository.update`: optimistic, Conflict when another writer came first."""
        ...
    def letters_unsent(self, limit: int) -> list[PaymentAuthority]:
        """Withdrawn authorities whose withdrawal letter is not issued yet."""
        ...
    def answers_overdue(self, day: date, limit: int) -> list[PaymentAuthority]:
        """Withdrawn authorities whose answer date passed before `day` with no cancellation asked for yet."""
        ...

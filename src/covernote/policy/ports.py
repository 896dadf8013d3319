"""The policy context's ports: customers, quotes, policies and the quoted changes waiting to be confirmed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from covernote.policy.domain.model import Customer, Policy, PolicyTransaction, Quote
from covernote.policy.domain.search import SearchTerms


@dataclass(frozen=True)
class PendingQuote:
    """A quoted MTA, cancellation or renewal, waiting for the customer to confirm it."""

    pending_id: str
    policy_id: str
    kind: Literal["mta", "cancellation", "renewal"]
    policy_version: int
    request: dict[str, Any]
    result: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    created_by: str
    status: Literal["open", "confirmed", "declined"] = "open"


@dataclass(frozen=True)
class QuoteWithdrawal:
    """Who withdrew an open quote, when and why (NCD-1: a withdrawn quote no longer holds the NCD)."""

    quote_id: str
    withdrawn_at: datetime
    withdrawn_by: str
    reason: str | None


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, customer_id: str) -> Customer | None: ...
    def get_many(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        """The customers found, by id, in one query (an id not found is left out)."""
        ...
    def page(self, limit: int, offset: int) -> list[Customer]: ...
    def search(self, terms: SearchTerms, limit: int, offset: int) -> list[Customer]:
        """Customers whose name contains the words, whose postcode is the one searched for, or who hold a
        policy found by number, registration or postcode; oldest first."""
        ...


class QuoteRepository(Protocol):
    def add(self, quote: Quote) -> None: ...
    def get(self, quote_id: str) -> Quote | None: ...
    def mark_bound(self, quote_id: str, policy_id: str) -> bool:
        """Mark an open quote bound; False if it was no longer open (another bind won)."""
        ...
    def withdraw(self, withdrawal: QuoteWithdrawal) -> bool:
        """Mark an open quote withdrawn, recording who, when and why; False if it was no longer open (bound
        or withdrawn meanwhile)."""
        ...
    def withdrawal(self, quote_id: str) -> QuoteWithdrawal | None:
        """Who withdrew the quote, when and why; None if it was not withdrawn."""
        ...
    def page(self, customer_id: str | None, limit: int, offset: int) -> list[Quote]: ...


@dataclass(frozen=True)
class EndingPage:
    """A page of policies ending in a window (`PolicyRepository.ending_page`)."""

    policies: list[Policy]  # loaded: those without an open pending quote of the kind asked
    held_by: list[str]  # the customer of each policy that has one (not loaded)
    last_id: str | None  # the last policy id of the page, for the next page
    size: int  # how many policies the page looked at


class PolicyRepository(Protocol):
    def add(self, policy: Policy) -> None: ...
    def get(self, policy_id: str) -> Policy | None: ...
    def by_number(self, number: str) -> Policy | None: ...
    def page(self, customer_id: str | None, limit: int, offset: int) -> list[Policy]: ...
    def search(self, terms: SearchTerms, limit: int, offset: int) -> list[Policy]:
        """Policies found by number, by a registration or postcode they ever insured, or by their
        customer's name or postcode; newest first."""
        ...
    def append(self, policy: Policy, new: Sequence[PolicyTransaction], expected_version: int,
               auto_renew: bool | None = None) -> int:
        """Append transactions and bump the version if it is still `expected_version`; returns the new
        version. Raises Conflict when another writer got there first (never a lost update)."""
        ...
    def next_number(self) -> int: ...
    def ending_between(self, start: date, end: date, after_id: str | None, limit: int) -> list[Policy]:
        """Policies whose latest term ends in [start, end), ordered by id, for batch jobs."""
        ...
    def ending_page(self, start: date, end: date, after_id: str | None, limit: int, open_kind: str,
                    through_id: str | None = None) -> EndingPage:
        """The next `limit` policies (by id, after `after_id` and up to `through_id` included) whose latest
        term ends in [start, end): those holding an open pending quote of `open_kind` for their current
        version only by their customer, the others loaded."""
        ...
    def ending_ids(self, start: date, end: date) -> list[str]:
        """The ids of the policies whose latest term ends in [start, end), in order: a batch's key ranges."""
        ...


class PendingQuoteRepository(Protocol):
    def add(self, pending: PendingQuote) -> None: ...
    def add_many(self, pending: Sequence[PendingQuote]) -> None: ...
    def get(self, pending_id: str) -> PendingQuote | None: ...
    def set_status(self, pending_id: str, status: str) -> None:
        """Move an open pending quote to `status`; raises Conflict if it is no longer open."""
        ...
    def open_for(self, policy_id: str, kind: str) -> list[PendingQuote]: ...
    def open_policy_ids(self, policy_ids: Sequence[str], kind: str) -> set[str]:
        """Which of these policies have an open pending quote of `kind` for their current version."""
        ...

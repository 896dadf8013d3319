"""The ports the use cases need. Adapters in store/ and integrations/ implement them; bootstrap.py
picks which."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from covernote.domain.ledger.journal import JournalEntry
from covernote.domain.policy.model import Customer, Policy, PolicyTransaction, Quote
from covernote.domain.privacy.consent import ConsentDecision
from covernote.domain.privacy.declarations import DeclaredField
from covernote.kernel.money import Money

Role = Literal["admin", "staff", "customer"]


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    role: Role
    customer_id: str | None
    token_hash: str
    created_at: datetime
    active: bool = True


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
class StoredResponse:
    key: str
    scope: str
    fingerprint: str
    response: dict[str, Any]


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, customer_id: str) -> Customer | None: ...
    def page(self, limit: int, offset: int) -> list[Customer]: ...


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def by_token_hash(self, token_hash: str) -> User | None: ...


class QuoteRepository(Protocol):
    def add(self, quote: Quote) -> None: ...
    def get(self, quote_id: str) -> Quote | None: ...
    def mark_bound(self, quote_id: str, policy_id: str) -> bool:
        """Mark an open quote bound; False if it was no longer open (another bind won)."""
        ...
    def page(self, customer_id: str | None, limit: int, offset: int) -> list[Quote]: ...


class PolicyRepository(Protocol):
    def add(self, policy: Policy) -> None: ...
    def get(self, policy_id: str) -> Policy | None: ...
    def by_number(self, number: str) -> Policy | None: ...
    def page(self, customer_id: str | None, limit: int, offset: int) -> list[Policy]: ...
    def append(self, policy: Policy, new: Sequence[PolicyTransaction], expected_version: int,
               auto_renew: bool | None = None) -> int:
        """Append transactions and bump the version if it is still `expected_version`; returns the new
        version. Raises Conflict when another writer got there first (never a lost update)."""
        ...
    def set_auto_renew(self, policy: Policy, auto_renew: bool, expected_version: int) -> int: ...
    def next_number(self) -> int: ...
    def ending_between(self, start: date, end: date, after_id: str | None, limit: int) -> list[Policy]:
        """Policies whose latest term ends in [start, end), ordered by id, for batch jobs."""
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


class LedgerRepository(Protocol):
    def add(self, entry: JournalEntry) -> None: ...
    def add_many(self, entries: Sequence[JournalEntry]) -> None: ...
    def for_policy(self, policy_id: str) -> list[JournalEntry]: ...
    def get(self, entry_id: str) -> JournalEntry | None: ...
    def reversal_of(self, entry_id: str) -> JournalEntry | None: ...
    def unbalanced_entries(self) -> list[tuple[str, int]]:
        """(entry id, sum of its postings in pence) for every entry whose postings do not sum to zero."""
        ...
    def account_totals_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> account -> total pence, over the whole journal."""
        ...
    def iter_entries(self, batch: int = 1000) -> Iterator[JournalEntry]: ...


class IdempotencyStore(Protocol):
    def get(self, key: str, scope: str) -> StoredResponse | None: ...
    def put(self, stored: StoredResponse) -> None: ...


class TransactionTotals(Protocol):
    def totals_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> {'premium', 'ipt', 'fees:<code>'...} in pence, summed over its transactions."""
        ...
    def term_totals(self) -> list[tuple[str, int, int, int, str]]:
        """(policy id, term, premium pence, IPT pence, IPT rate) for every term."""
        ...


class ConsentRepository(Protocol):
    def add(self, decision: ConsentDecision) -> None: ...
    def for_customer(self, customer_id: str) -> list[ConsentDecision]: ...


class UnitOfWork(Protocol):
    """One business transaction: everything it writes is committed together or not at all."""

    customers: CustomerRepository
    users: UserRepository
    quotes: QuoteRepository
    policies: PolicyRepository
    pending: PendingQuoteRepository
    ledger: LedgerRepository
    idempotency: IdempotencyStore
    transactions: TransactionTotals
    consents: ConsentRepository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object, /) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


# -- privacy --------------------------------------------------------------------------------------


class DataInventory(Protocol):
    """Every stored field with its privacy declaration, read from where the fields are defined."""

    def fields(self) -> list[DeclaredField]: ...
    def undeclared(self) -> list[str]: ...


# -- payments -------------------------------------------------------------------------------------


class PaymentDeclined(Exception):
    """The payment provider refused (card declined, refund above what was taken...). Final."""


class PaymentUnavailable(Exception):
    """The payment provider did not answer in time. Nothing was taken; the same call may be retried."""


@dataclass(frozen=True)
class PaymentReceipt:
    reference: str
    kind: Literal["charge", "refund"]
    amount: Money
    token: str


class PaymentGateway(Protocol):
    """Takes and returns money on a stored card or mandate token (PAY-3, PAY-4: no card data here)."""

    def charge(self, token: str, amount: Money, description: str, idempotency_key: str) -> PaymentReceipt: ...
    def refund(self, token: str, amount: Money, description: str, idempotency_key: str) -> PaymentReceipt: ...

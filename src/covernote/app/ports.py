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

Role = Literal["admin", "staff", "customer", "dpo", "underwriter"]


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


# -- privacy records (issue 3). Each area owns its section; shared records are defined here. -------


@dataclass(frozen=True)
class LegalHold:
    """A legal hold (issue 3 part 5): while active, nothing in its scope is erased or swept."""

    hold_id: str
    scope: Literal["customer", "policy", "claim"]
    scope_id: str
    customer_id: str
    reason: str
    set_by: str
    set_at: datetime
    review_on: date
    released_at: datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class FraudMarker:
    """A suspected or proven fraud recorded against a person (S1 section 10): keeps fraud-prevention
    data from erasure while it stands."""

    marker_id: str
    customer_id: str
    policy_id: str | None
    reason: str
    source: str
    reference: str | None
    recorded_at: datetime
    recorded_by: str
    removed_at: datetime | None = None
    removed_by: str | None = None


@dataclass(frozen=True)
class Disclosure:
    """One transfer of a person's data to a third party (PRV-6)."""

    disclosure_id: str
    customer_id: str
    policy_id: str | None
    recipient: str
    recipient_kind: str
    purpose: str
    basis: str
    categories: tuple[str, ...]
    disclosed_at: datetime
    reference: str | None
    via: str
    recorded_by: str


class LegalHoldRepository(Protocol):
    def add(self, hold: LegalHold) -> None: ...
    def get(self, hold_id: str) -> LegalHold | None: ...
    def release(self, hold_id: str, at: datetime, by: str, reason: str) -> None:
        """Release an active hold; raises Conflict when it is already released."""
        ...
    def for_customer(self, customer_id: str, active_only: bool = True) -> list[LegalHold]: ...
    def held_customer_ids(self, customer_ids: Sequence[str]) -> set[str]:
        """Which of these customers have any active hold (of any scope): batch jobs skip them."""
        ...
    def page(self, active_only: bool, limit: int, offset: int) -> list[LegalHold]: ...


class FraudMarkerRepository(Protocol):
    def add(self, marker: FraudMarker) -> None: ...
    def get(self, marker_id: str) -> FraudMarker | None: ...
    def remove(self, marker_id: str, at: datetime, by: str) -> None: ...
    def for_customer(self, customer_id: str, active_only: bool = True) -> list[FraudMarker]: ...
    def marked_customer_ids(self, customer_ids: Sequence[str]) -> set[str]: ...


class DisclosureRepository(Protocol):
    def add(self, disclosure: Disclosure) -> None: ...
    def for_customer(self, customer_id: str) -> list[Disclosure]: ...


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
    holds: LegalHoldRepository
    fraud_markers: FraudMarkerRepository
    disclosures: DisclosureRepository
    # Sections owned by the privacy areas, each typed by its own protocol: see the areas' modules.
    subject_data: Any  # store.subject_data.SubjectDataRepo: rows about one person (access, erasure)
    requests: Any  # data subject request cases and processing flags
    breaches: Any  # breach register
    sensitive: Any  # encrypted sensitive fields, data keys, read log
    retention: Any  # retention settings, runs and actions

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object, /) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


# -- privacy --------------------------------------------------------------------------------------


class Keyring(Protocol):
    """Master keys, kept outside the database, that wrap each person's data key (PRV-11), and the secret
    for keyed hashes (erasure). A key can rotate: new wraps use the primary key, old wraps still open
    until they are re-wrapped."""

    def primary_key_id(self) -> str: ...
    def key_ids(self) -> list[str]: ...
    def new_data_key(self) -> bytes: ...
    def wrap(self, data_key: bytes) -> tuple[str, str]:
        """(master key id, wrapped key) under the primary master key."""
        ...
    def unwrap(self, master_key_id: str, wrapped: str) -> bytes:
        """Raises KeyError when that master key is no longer in the keyring."""
        ...
    def encrypt(self, data_key: bytes, plaintext: str) -> str: ...
    def decrypt(self, data_key: bytes, token: str) -> str: ...
    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA256 of `value` under the keyring's hash secret, hex: the same value always gives the
        same hash (so erased records can still be matched), and it cannot be reversed without the secret."""
        ...
    def rotate(self) -> str:
        """Add a new primary master key and return its id; older keys stay to unwrap until re-wrapped."""
        ...


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

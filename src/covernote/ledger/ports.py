"""The ledger context's ports: journal entries, the transactions' totals, and the card-payment provider (PAY-3, PAY-4)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from covernote.kernel.journal import JournalEntry
from covernote.kernel.money import Money


class LedgerRepository(Protocol):
    def add(self, entry: JournalEntry) -> None: ...
    def add_many(self, entries: Sequence[JournalEntry]) -> None: ...
    def for_policy(self, policy_id: str) -> list[JournalEntry]: ...
    def account_balance(self, policy_id: str, account: str) -> Money:
        """The sum of the policy's postings on one account (one statement, not every entry)."""
        ...
    def get(self, entry_id: str) -> JournalEntry | None: ...
    def reversal_of(self, entry_id: str) -> JournalEntry | None: ...
    def correction_of(self, entry_id: str) -> JournalEntry | None: ...
    def awaiting_correction(self) -> dict[str, dict[str, dict[str, int]]]:
        """policy id -> entry id -> account -> pence, for every entry of a policy that has been reversed
        and not yet corrected (the amounts of the original entry)."""
        ...
    def unbalanced_entries(self) -> list[tuple[str, int]]:
        """(entry id, sum of its postings in pence) for every entry whose postings do not sum to zero."""
        ...
    def account_totals_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> account -> total pence, over the whole journal."""
        ...
    def iter_entries(self, batch: int = 1000) -> Iterator[JournalEntry]: ...


class TransactionTotals(Protocol):
    def totals_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> {'premium', 'ipt', 'fees:<code>'...} in pence, summed over its transactions."""
        ...
    def term_totals(self) -> list[tuple[str, int, int, int, str]]:
        """(policy id, term, premium pence, IPT pence, IPT rate) for every term."""
        ...
    def term_premiums(self) -> list[tuple[str, int, int, str | None]]:
        """(policy id, term, net premium pence, product version ref) for every term (PAY-7: its commission)."""
        ...


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


@dataclass(frozen=True)
class CardSummary:
    """A token's card as the provider describes it: the brand and the last four digits, nothing more."""

    brand: str
    last4: str


class PaymentGateway(Protocol):
    """Takes and returns money on a stored card or mandate token (PAY-3, PAY-4: no card data here)."""

    def charge(self, token: str, amount: Money, description: str, idempotency_key: str) -> PaymentReceipt: ...
    def refund(self, token: str, amount: Money, description: str, idempotency_key: str) -> PaymentReceipt: ...
    def card_summary(self, token: str) -> CardSummary:
        """The brand and last four digits of the token's card, as the provider tells them (a notice names the
        card, PAY-3; the card number itself never reaches Covernote, PAY-4). PaymentDeclined for a token the
        provider does not know; PaymentUnavailable when it does not answer."""
        ...

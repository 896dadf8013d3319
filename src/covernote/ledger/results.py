"""The shapes the ledger's use cases and routes answer with (typed for mypy and the OpenAPI document)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict


class PaymentResult(TypedDict):
    """A payment taken or refunded (or nothing to pay, or a charge declined and left outstanding)."""

    kind: str
    amount: str
    reference: NotRequired[str]
    token: NotRequired[str]
    status: str
    reason: NotRequired[str]


class PostingView(TypedDict):
    """One line of a journal entry."""

    account: str
    amount: str
    memo: str


class EntryView(TypedDict):
    """A journal entry: balanced postings, the transaction it records and the entry it reverses, if any."""

    id: str
    posted_at: str
    description: str
    transaction_id: str | None
    reverses: str | None
    corrects: str | None
    postings: list[PostingView]


class StatementLineView(TypedDict):
    """One posting to the policyholder's account, with the running balance."""

    posted_at: str
    entry_id: str
    description: str
    memo: str
    amount: str
    balance: str


class StatementView(TypedDict):
    """A policy's account: every posting, the balance and what it means, the totals per account."""

    policy_id: str
    number: str
    lines: list[StatementLineView]
    balance: str
    balance_meaning: str
    accounts: dict[str, str]
    entries: list[EntryView]


class ReconciliationProblem(TypedDict, total=False):
    """A reconciliation failure: the entry, policy, term, claim or account concerned, and what is wrong."""

    entry_id: str
    policy_id: str
    term: int
    claim_id: str
    account: str
    problem: str


class OutstandingBalance(TypedDict):
    """A policy whose account still holds money owed either way."""

    policy_id: str
    balance: str


class AwaitingCorrection(TypedDict):
    """An entry reversed and not yet corrected, whose policy agrees with its transactions once it is."""

    policy_id: str
    entry_id: str
    problem: str


class Reconciliation(TypedDict):
    """The whole ledger checked (GET /ledger/reconciliation)."""

    checked_at: str
    entries_unbalanced: int
    policies_checked: int
    claims_checked: int
    problems: list[ReconciliationProblem]
    outstanding_balances: list[OutstandingBalance]
    awaiting_correction: list[AwaitingCorrection]
    ok: bool

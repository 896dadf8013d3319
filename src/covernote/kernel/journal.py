"""Double-entry ledger (PAY-5).

Postings are signed: a debit is positive, a credit negative, so each entry's postings sum to zero.
Posted entries never change; a correction is a reversing entry. The customer's account for a policy
is the `customer:receivable` account filtered by policy: positive means the customer owes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from covernote.kernel.money import Money, sum_money

RECEIVABLE = "customer:receivable"
CASH = "cash:payment-provider"
PREMIUM = "premium:written"
IPT = "tax:ipt-payable"
# PAY-7: the intermediary's commission from the insurer on the core premium. The premium written
# (`premium:written`) is what the customer is charged for the insurer; the intermediary keeps its
# commission back from what it remits, so a commission is a pair that sums to zero: a debit to
# COMMISSION_WITHHELD (a contra to the premium written: the premium owed to the insurer is
# -(premium:written + commission:core:withheld)) and a credit to COMMISSION_EARNED (the intermediary's
# commission income). A return premium reverses both in proportion.
COMMISSION_EARNED = "commission:core:earned"
COMMISSION_WITHHELD = "commission:core:withheld"


def fee_account(code: str) -> str:
    return f"fees:{code}"


class UnbalancedEntry(ValueError):
    pass


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Money  # debit positive, credit negative
    memo: str = ""


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str
    posted_at: datetime
    description: str
    policy_id: str | None
    transaction_id: str | None
    postings: tuple[Posting, ...]
    reverses: str | None = None
    corrects: str | None = None  # the reversed entry this one replaces (issue 13 item 12)

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry(f"entry {self.entry_id} needs at least two postings")
        for p in self.postings:
            _ = p.amount.pence  # every posting is whole pence
        total = sum_money([p.amount for p in self.postings])
        if not total.is_zero():
            raise UnbalancedEntry(f"entry {self.entry_id} does not balance: postings sum to {total}")

    def amount_on(self, account: str) -> Money:
        return sum_money([p.amount for p in self.postings if p.account == account])


def balanced_entry(entry_id: str, posted_at: datetime, description: str, policy_id: str | None,
                   transaction_id: str | None, lines: Iterable[Posting], counter_account: str,
                   counter_memo: str = "") -> JournalEntry | None:
    """An entry of the given lines (zero lines dropped) balanced by one posting to `counter_account`.
    None when every line is zero."""
    kept = [p for p in lines if not p.amount.is_zero()]
    if not kept:
        return None
    counter = -sum_money([p.amount for p in kept])
    postings = list(kept)
    if not counter.is_zero():
        postings.append(Posting(counter_account, counter, counter_memo or description))
    if len(postings) < 2:
        return None
    return JournalEntry(entry_id, posted_at, description, policy_id, transaction_id, tuple(postings))


def charge_lines(premium: Money, ipt: Money, fees: Sequence[tuple[str, str, Money]]) -> list[Posting]:
    """Credits for premium, IPT and each fee (code, name, amount): amounts the customer is charged.
    A negative amount (return premium, a fee refunded) becomes a debit."""
    lines = [Posting(PREMIUM, -premium, "premium"), Posting(IPT, -ipt, "insurance premium tax")]
    lines += [Posting(fee_account(code), -amount, name) for code, name, amount in fees]
    return lines


def commission_lines(commission: Money, insurer: str) -> list[Posting]:
    """The pair of postings for commission on the core premium (PAY-7; negative: commission returned)."""
    return [Posting(COMMISSION_WITHHELD, commission, f"commission withheld from the premium remitted to {insurer}"),
            Posting(COMMISSION_EARNED, -commission, f"commission from {insurer} on the premium")]


def reversal_of(entry: JournalEntry, entry_id: str, posted_at: datetime, reason: str) -> JournalEntry:
    return JournalEntry(
        entry_id, posted_at, f"Reversal of {entry.entry_id}: {reason}", entry.policy_id, entry.transaction_id,
        tuple(Posting(p.account, -p.amount, f"reversal: {p.memo}") for p in entry.postings), reverses=entry.entry_id,
    )


def correction_of(entry: JournalEntry, entry_id: str, posted_at: datetime, reason: str,
                  lines: Sequence[Posting]) -> JournalEntry:
    """The entry that replaces a reversed one: on the same policy and transaction, with the given postings
    (which must balance) and the reason. Raises UnbalancedEntry when they do not."""
    return JournalEntry(entry_id, posted_at, f"Correction of {entry.entry_id}: {reason}", entry.policy_id,
                        entry.transaction_id, tuple(lines), corrects=entry.entry_id)


@dataclass(frozen=True)
class StatementLine:
    posted_at: datetime
    entry_id: str
    description: str
    memo: str
    amount: Money
    balance: Money


def statement(entries: Sequence[JournalEntry], policy_id: str) -> list[StatementLine]:
    """The customer's account for one policy: every receivable posting in order, with a running balance."""
    lines: list[StatementLine] = []
    balance = Money.zero()
    for e in sorted(entries, key=lambda e: (e.posted_at, e.entry_id)):
        if e.policy_id != policy_id:
            continue
        for p in e.postings:
            if p.account == RECEIVABLE:
                balance = balance + p.amount
                lines.append(StatementLine(e.posted_at, e.entry_id, e.description, p.memo, p.amount, balance))
    return lines


@dataclass(frozen=True)
class ReconciliationIssue:
    policy_id: str | None
    entry_id: str | None
    problem: str


def account_totals(entries: Iterable[JournalEntry], policy_id: str | None = None) -> dict[str, Money]:
    totals: dict[str, Money] = {}
    for e in entries:
        if policy_id is not None and e.policy_id != policy_id:
            continue
        for p in e.postings:
            totals[p.account] = totals.get(p.account, Money.zero()) + p.amount
    return totals

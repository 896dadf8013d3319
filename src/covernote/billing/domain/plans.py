"""What a term costs the customer, and the ledger entries of premium finance (PAY-1, PAY-5, PAY-7). Pure.

The accounts (docs/billing.md, "Payment plans and premium finance"):

- `finance:provider-receivable`: what the finance provider owes for the credit it advanced on the customer's
  behalf. The advance pays the customer's account (`customer:receivable`) and the provider owes it instead;
  a re-plan moves the change in what it finances between the two.
- `finance:commission-due` / `finance:commission`: the finance-introduction commission the provider pays
  the intermediary (PAY-7), owed (debit) and earned (credit), as the extras' commission is posted.
- `finance:customer-debt` / `finance:customer-debt-contra`: a memorandum pair, always summing to zero: what
  the customer owes the provider under the agreement (the instalments still to collect: credit and interest).
  It is not the insurer's money, so it touches no account of the insurer's; it shows on the policy's
  account so staff see the customer's whole position.
"""

from __future__ import annotations

from datetime import datetime

from covernote.extras import domain as extras
from covernote.kernel.journal import RECEIVABLE, JournalEntry, Posting
from covernote.kernel.money import Money, sum_money
from covernote.policy.domain.model import Policy, PolicyTransaction

PROVIDER_RECEIVABLE = "finance:provider-receivable"
COMMISSION_DUE = "finance:commission-due"
COMMISSION = "finance:commission"
CUSTOMER_DEBT = "finance:customer-debt"
CUSTOMER_DEBT_CONTRA = "finance:customer-debt-contra"
FINANCE_ACCOUNTS = (PROVIDER_RECEIVABLE, COMMISSION_DUE, COMMISSION, CUSTOMER_DEBT, CUSTOMER_DEBT_CONTRA)


def transaction_charge(txn: PolicyTransaction) -> Money:
    """What a transaction charges the customer (negative: returns): premium, IPT, fees charged less fees
    refunded, and the optional extras' premium and IPT: what ledger.transaction_entry puts on the customer's
    account for it."""
    parts = [txn.premium, txn.ipt]
    parts += [f.amount for f in txn.fees_charged]
    parts += [-f.amount for f in txn.fees_refunded]
    for line in extras.lines_of(txn):
        parts += [line.premium, line.ipt]
    return sum_money(parts)


def term_cash_price(policy: Policy, term_no: int) -> Money:
    """The term's cash price as it stands: what its transactions have charged so far, returns netted."""
    return sum_money([transaction_charge(t) for t in policy.transactions if t.term_no == term_no])


def _entry(entry_id: str, at: datetime, description: str, policy_id: str, transaction_id: str | None,
           postings: list[Posting]) -> JournalEntry | None:
    kept = [p for p in postings if not p.amount.is_zero()]
    if len(kept) < 2:
        return None
    return JournalEntry(entry_id, at, description, policy_id, transaction_id, tuple(kept))


def advance_entry(entry_id: str, at: datetime, policy_id: str, transaction_id: str | None, amount: Money,
                  reference: str, provider: str) -> JournalEntry | None:
    """The provider finances `amount` more (negative: less) of the customer's account."""
    what = "advances" if amount >= Money.zero() else "finances less of"
    return _entry(entry_id, at, f"Premium finance: {provider} {what} the premium ({reference})", policy_id,
                  transaction_id, [Posting(PROVIDER_RECEIVABLE, amount, f"owed by {provider}"),
                                   Posting(RECEIVABLE, -amount, f"paid by premium finance {reference}")])


def commission_entry(entry_id: str, at: datetime, policy_id: str, transaction_id: str | None, amount: Money,
                     provider: str) -> JournalEntry | None:
    """The finance-introduction commission (PAY-7), owed by the provider and earned."""
    return _entry(entry_id, at, f"Finance introduction commission from {provider}", policy_id, transaction_id,
                  [Posting(COMMISSION_DUE, amount, f"commission due from {provider}"),
                   Posting(COMMISSION, -amount, "finance introduction commission")])


def customer_debt_entry(entry_id: str, at: datetime, policy_id: str, transaction_id: str | None, change: Money,
                        reference: str) -> JournalEntry | None:
    """The memorandum of what the customer owes the provider, changed by `change`."""
    return _entry(entry_id, at, f"Premium finance agreement {reference}: owed to the provider", policy_id,
                  transaction_id, [Posting(CUSTOMER_DEBT, change, "instalments the customer owes the provider"),
                                   Posting(CUSTOMER_DEBT_CONTRA, -change, "memorandum")])

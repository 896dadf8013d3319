"""Commission (PAY-7): what the intermediary earns on a policy, read from the ledger, for the disclosure a
customer may ask for (S3, "What Fees do we charge?": "... we will be pleased to provide this information
upon request") and for the commission report. Pure: the figures come in.

Three sources, each on its own ledger accounts:

- the core premium: `commission:core:earned` (credited with each transaction; the rule is the product's,
  `products/domain/commission_spec.py`, posted by `ledger.usecases.transaction_entry`);
- each optional extra: `extras:<code>:commission` (the extra's percentage of its premium plus any fee per
  policy sold, `extras/domain.py`);
- the finance provider's commission for introducing a customer who pays by instalments: the accounts
  whose names start with `commission:finance` (posted by premium finance, e.g.
  `commission:finance-introduction`; read by prefix so that whichever income accounts it uses are
  disclosed), except those that hold what the provider still owes, whose last part is `due`,
  `receivable` or `owed` (`commission:finance-introduction:due`): the other half of the same commission.

Every amount is what the ledger holds: net of commission returned on refunds and cancellations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from covernote.kernel.journal import COMMISSION_EARNED, PREMIUM
from covernote.kernel.money import Money, sum_money

FINANCE_PREFIX = "commission:finance"
OWED_SUFFIXES = ("due", "receivable", "owed")
EXTRAS_PREFIX = "extras:"


def extra_commission_account(code: str) -> str:
    """The account an extra's commission is credited to (as `extras.domain.commission_account` names it)."""
    return f"{EXTRAS_PREFIX}{code}:commission"


def extra_premium_account(code: str) -> str:
    return f"{EXTRAS_PREFIX}{code}:premium"


def _credit(totals: Mapping[str, Money], account: str) -> Money:
    """What an income or premium account holds, as a positive amount (credits are negative in the ledger)."""
    return -totals.get(account, Money.zero())


def is_finance_income(account: str) -> bool:
    """A finance-introduction commission income account (not the provider's debt for it)."""
    return account.startswith(FINANCE_PREFIX) and account.rsplit(":", 1)[-1].rsplit("-", 1)[-1] not in OWED_SUFFIXES


def finance_commission(totals: Mapping[str, Money]) -> Money:
    """The finance-introduction commission on these account totals (credits are income)."""
    return sum_money([_credit(totals, a) for a in totals if is_finance_income(a)])


def extra_codes(totals: Mapping[str, Money]) -> list[str]:
    """The extras that have a commission or premium account on this policy."""
    codes = set()
    for a in totals:
        if a.startswith(EXTRAS_PREFIX):
            parts = a.split(":")
            if len(parts) == 3 and parts[2] in ("commission", "premium"):
                codes.add(parts[1])
    return sorted(codes)


@dataclass(frozen=True)
class ExtraRate:
    """An extra as the product sells it: its name, insurer and commission terms."""

    code: str
    name: str
    insurer: str
    percent: Decimal
    per_sale: Money


@dataclass(frozen=True)
class ExtraCommission:
    code: str
    name: str
    insurer: str
    percent: Decimal | None
    per_sale: Money
    premium: Money
    earned: Money


@dataclass(frozen=True)
class PolicyCommission:
    """One policy's commission, as disclosed: rates from the product, amounts from the ledger."""

    policy_id: str
    number: str
    product_ref: str
    product_name: str
    insurer: str
    core_percent: Decimal | None
    core_premium: Money
    core_earned: Money
    extras: tuple[ExtraCommission, ...]
    finance_earned: Money
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Money:
        return self.core_earned + sum_money([e.earned for e in self.extras]) + self.finance_earned


def policy_commission(policy_id: str, number: str, product_ref: str, product_name: str, insurer: str,
                      core_percent: Decimal | None, extra_rates: Sequence[ExtraRate],
                      totals: Mapping[str, Money]) -> PolicyCommission:
    """The disclosure of one policy from its ledger account totals (`totals`: account -> signed amount,
    a credit negative) and its product's rates. An extra appears when the product sells it or the ledger
    holds anything for it."""
    rates = {r.code: r for r in extra_rates}
    extras = []
    for code in sorted(set(extra_codes(totals)) | set(rates)):
        rate = rates.get(code)
        premium = _credit(totals, extra_premium_account(code))
        earned = _credit(totals, extra_commission_account(code))
        if rate is None and premium.is_zero() and earned.is_zero():
            continue
        extras.append(ExtraCommission(code, rate.name if rate else code, rate.insurer if rate else "",
                                      rate.percent if rate else None, rate.per_sale if rate else Money.zero(),
                                      premium, earned))
    notes = []
    if core_percent is None:
        notes.append("No commission is paid on this product's core premium: the insurer sells it direct.")
    return PolicyCommission(policy_id, number, product_ref, product_name, insurer, core_percent,
                            _credit(totals, PREMIUM), _credit(totals, COMMISSION_EARNED), tuple(extras),
                            finance_commission(totals), tuple(notes))


# -- the commission report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookedPosting:
    """One posting of the report's accounts, with the entry, transaction and policy it belongs to."""

    entry_id: str
    posted_on: date
    policy_id: str
    policy_number: str
    transaction_id: str | None
    transaction_kind: str | None
    account: str
    amount: Money


@dataclass(frozen=True)
class ReportRow:
    """What one ledger entry booked: the core premium written and its commission, the extras' premium and
    commission, and the finance-introduction commission (positive: earned; negative: returned)."""

    posted_on: date
    policy_id: str
    policy_number: str
    transaction_id: str | None
    transaction_kind: str | None
    entry_id: str
    premium: Money
    core_commission: Money
    extras_premium: Money
    extras_commission: Money
    finance_commission: Money

    @property
    def total_commission(self) -> Money:
        return self.core_commission + self.extras_commission + self.finance_commission


def is_report_account(account: str) -> bool:
    """The accounts the commission report reads."""
    if account in (PREMIUM, COMMISSION_EARNED) or is_finance_income(account):
        return True
    parts = account.split(":")
    return len(parts) == 3 and parts[0] + ":" == EXTRAS_PREFIX and parts[2] in ("premium", "commission")


def report_rows(postings: Iterable[BookedPosting]) -> list[ReportRow]:
    """One row per ledger entry that booked premium or commission, in the order posted (then by policy
    number and entry id); postings on other accounts are ignored."""
    grouped: dict[str, list[BookedPosting]] = {}
    for p in postings:
        if is_report_account(p.account):
            grouped.setdefault(p.entry_id, []).append(p)
    rows = []
    for entry_id, ps in grouped.items():
        first = ps[0]
        totals: dict[str, Money] = {}
        for p in ps:
            totals[p.account] = totals.get(p.account, Money.zero()) + p.amount
        extras_premium = sum_money([_credit(totals, a) for a in totals
                                    if a.startswith(EXTRAS_PREFIX) and a.endswith(":premium")])
        extras_commission = sum_money([_credit(totals, a) for a in totals
                                       if a.startswith(EXTRAS_PREFIX) and a.endswith(":commission")])
        finance = finance_commission(totals)
        rows.append(ReportRow(first.posted_on, first.policy_id, first.policy_number, first.transaction_id,
                              first.transaction_kind, entry_id, _credit(totals, PREMIUM),
                              _credit(totals, COMMISSION_EARNED), extras_premium, extras_commission, finance))
    return sorted(rows, key=lambda r: (r.posted_on, r.policy_number, r.entry_id))


def totals_of(rows: Sequence[ReportRow]) -> dict[str, Money]:
    return {"premium": sum_money([r.premium for r in rows]),
            "core_commission": sum_money([r.core_commission for r in rows]),
            "extras_premium": sum_money([r.extras_premium for r in rows]),
            "extras_commission": sum_money([r.extras_commission for r in rows]),
            "finance_commission": sum_money([r.finance_commission for r in rows]),
            "total_commission": sum_money([r.total_commission for r in rows])}

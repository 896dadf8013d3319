"""Optional extras on a policy term (ADD-1) and their commission (PAY-7). Pure.

An extra is priced for a whole term from the product's price table. What a term charges for it is the
same pro-rata rule as the core premium (`term.pro_rata`): price x days it covers (up to the first day
without cover) / days in the term, rounded half-up to pence once. Its IPT is round(rate x that charge),
at the rate for the extra's own IPT treatment in force on the term's start. Its commission is
round(commission percent x that charge) plus the product's fee per sale, if any.

Every transaction that changes what an extra charges records one `ExtraLine` per extra: the signed
change in its premium, IPT and commission (after minus before), and the extra's cover on the term after
the transaction. So the lines of a term always add up to what the term charges for the extra, and
an extra added and removed again at the same date cancels to the penny. The no-claims discount never
applies to an extra.

Claims on an extra (NCD-2, FEE-1, ADD-1): S1 names breakdown, key cover and legal-expenses uninsured-loss
assistance as given "under the optional" extra, so a claim or incident of one of those types
(`EXTRA_CLAIM_TYPES`) is recorded only when the policy had, on the day it occurred, an extra on cover whose
product `claim_types` include it: `claim_not_covered`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from covernote.kernel.journal import Posting
from covernote.kernel.money import Money, Rounding, sum_money
from covernote.kernel.periods import Period, add_months
from covernote.policy.domain.extra_lines import Action, ExtraCharge, ExtraCover, ExtraLine
from covernote.policy.domain.model import PolicyTransaction
from covernote.policy.domain.term import ipt_on
from covernote.products.domain.model import Extra, Product, Term

NOTHING = ExtraCharge(Money.zero(), Money.zero(), Money.zero())


# NCD-2 (S1): assistance given only under an optional extra; a claim of these types is a claim on the extra.
EXTRA_CLAIM_TYPES: frozenset[str] = frozenset({"breakdown", "key_cover", "legal_expenses_uninsured_loss"})


def premium_account(code: str) -> str:
    """Premium written for the extra's insurer."""
    return f"extras:{code}:premium"


def ipt_account(code: str) -> str:
    return f"extras:{code}:ipt"


def commission_account(code: str) -> str:
    """Commission earned on the extra (PAY-7)."""
    return f"extras:{code}:commission"


def commission_due_account(code: str) -> str:
    """The commission the extra's insurer owes the intermediary (S3: "we receive a commission from the
    insurer")."""
    return f"extras:{code}:commission-due"


def term_of(period: Period) -> Term:
    """The term length a period is: whole calendar months when it is, otherwise days."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    if months >= 1 and add_months(period.start, months) == period.end:
        return Term("months", months)
    return Term("days", period.days)


def sell(extra: Extra, term_period: Period, ipt_rate: Decimal, cover_from: date | None = None) -> ExtraCover | None:
    """The extra as sold for a term (covering from `cover_from`, default the term's start, to its end);
    None when the product does not sell it for a term of this length."""
    price = extra.price_for(term_of(term_period))
    if price is None:
        return None
    start = term_period.start if cover_from is None else cover_from
    return ExtraCover(extra.code, extra.name, extra.provider, extra.insurer, extra.ipt, price, ipt_rate,
                      extra.commission_percent, extra.commission_per_sale, (Period(start, term_period.end),),
                      extra.documents)


def line(before: ExtraCover | None, after: ExtraCover, action: Action, term_period: Period, cover_end: date,
         explanation: str) -> ExtraLine:
    """The line for a change of an extra's cover: what the term charges for it after, less before."""
    was = NOTHING if before is None else before.charge(term_period, cover_end)
    diff = after.charge(term_period, cover_end) - was
    return ExtraLine(after, action, diff.premium, diff.ipt, diff.commission, explanation)


def lines_of(txn: PolicyTransaction) -> list[ExtraLine]:
    return [ExtraLine.from_dict(d) for d in txn.details.get("extras", [])]


def term_lines(transactions: Iterable[PolicyTransaction], term_no: int) -> dict[str, list[ExtraLine]]:
    """Every extra line of a term, by extra, in the order recorded."""
    out: dict[str, list[ExtraLine]] = {}
    for t in sorted(transactions, key=lambda t: t.sequence):
        if t.term_no != term_no:
            continue
        for ln in lines_of(t):
            out.setdefault(ln.code, []).append(ln)
    return out


def term_extras(transactions: Iterable[PolicyTransaction], term_no: int) -> dict[str, ExtraCover]:
    """The extras sold on a term, each with its cover as the latest transaction left it."""
    return {code: lines[-1].cover_after for code, lines in term_lines(transactions, term_no).items()}


def charged_on_term(lines: Sequence[ExtraLine]) -> ExtraCharge:
    """What a term has charged for one extra so far: the sum of its lines."""
    return ExtraCharge(sum_money([ln.premium for ln in lines]), sum_money([ln.ipt for ln in lines]),
                       sum_money([ln.commission for ln in lines]))


def cancellation_lines(covers: Mapping[str, ExtraCover], term_period: Period, effective: date,
                       method: Literal["pro_rata", "short_period", "no_refund"],
                       short_period_percent: Decimal | None) -> list[ExtraLine]:
    """What a cancellation refunds of each extra, by the same method as the core premium: pro-rata for the
    days on cover; the short-period percentage of what was paid (FEE-3); or nothing where a claim or
    incident means no refund and all premium is due (FEE-1: "all premiums would be due")."""
    out = []
    for cover in covers.values():
        paid = cover.charge(term_period, term_period.end)
        if method == "no_refund":
            earned = paid
            why = "A claim or incident is recorded: no refund of the extra (FEE-1)."
        elif method == "short_period":
            percent = short_period_percent or Decimal(0)
            premium = (paid.premium * percent / 100).round_pence(Rounding.HALF_UP).min(paid.premium)
            commission = (premium * cover.commission_percent / 100).round_pence(Rounding.HALF_UP) + cover.commission_per_sale
            earned = ExtraCharge(premium, ipt_on(premium, cover.ipt_rate).min(paid.ipt), commission)
            why = f"Short-period rates (FEE-3): {percent}% of the extra's premium is kept."
        else:
            earned = cover.charge(term_period, effective)
            on_cover = Period(term_period.start, max(effective, term_period.start))
            days = sum(inter.days for p in cover.cover if (inter := p.intersection(on_cover)) is not None)
            why = (f"Pro-rata: {days} day(s) of the extra on cover of {term_period.days} in the term earn "
                   f"{earned.premium.to_str()} with IPT {earned.ipt.to_str()}; paid {paid.premium.to_str()} "
                   f"with IPT {paid.ipt.to_str()}.")
        diff = earned - paid
        out.append(ExtraLine(cover, "refunded", diff.premium, diff.ipt, diff.commission, why))
    return out


def postings(lines: Iterable[ExtraLine]) -> list[Posting]:
    """Ledger lines for extras: the premium and IPT charged (credits; a refund is a debit), and the
    commission as a pair that sums to zero: earned (credit) and owed by the extra's insurer (debit)."""
    out: list[Posting] = []
    for ln in lines:
        out.append(Posting(premium_account(ln.code), -ln.premium, f"{ln.cover_after.name} premium"))
        out.append(Posting(ipt_account(ln.code), -ln.ipt, f"{ln.cover_after.name} insurance premium tax"))
        out.append(Posting(commission_due_account(ln.code), ln.commission,
                           f"{ln.cover_after.name} commission due from {ln.cover_after.insurer}"))
        out.append(Posting(commission_account(ln.code), -ln.commission, f"{ln.cover_after.name} commission"))
    return out


def expected_accounts(lines: Iterable[ExtraLine]) -> dict[str, Money]:
    """What `postings` puts on each account for these lines (the store sums its lines the same way)."""
    totals: dict[str, Money] = {}
    for p in postings(lines):
        totals[p.account] = totals.get(p.account, Money.zero()) + p.amount
    return totals


def total_of(lines: Iterable[ExtraLine]) -> Money:
    return sum_money([ln.total for ln in lines])


def claim_not_covered(claim_type: str, occurred_on: date, policy_number: str, product: Product,
                      covers: Mapping[str, ExtraCover]) -> str | None:
    """Why a claim or incident of `claim_type` on `occurred_on` cannot be recorded on the policy; None
    when it can. Only `EXTRA_CLAIM_TYPES` are checked: one is accepted when an extra of `product` (the
    term's product version) whose `claim_types` include it is on cover that day (`covers`: the term's
    extra covers, as they stand; NCD-2, FEE-1, ADD-1)."""
    if claim_type not in EXTRA_CLAIM_TYPES:
        return None
    extras = [e for e in product.extras if claim_type in e.claim_types]
    if not extras:
        return (f"{claim_type} claims are made under an optional extra, and {product.name} ({product.ref}) of "
                f"policy {policy_number} has no extra that covers them")
    if any(e.code in covers and covers[e.code].on_cover(occurred_on) for e in extras):
        return None
    names = " or ".join(f"the {e.name} extra" for e in extras)
    return (f"{claim_type} claims are made under {names}, which policy {policy_number} did not have on cover "
            f"on {occurred_on}")

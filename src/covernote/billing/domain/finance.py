"""Premium finance (PAY-1, PAY-7): the agreement that finances a term's premium, its instalment schedule, its
APR, and re-planning the instalments not yet collected when the term's total changes.

Pure: no I/O, no clock (dates come in). Amounts are `Money`, whole pence at every named rounding point.

Terms used (as the Consumer Credit Act's pre-contract information uses them):

- the *cash price* is what the term costs paid at once: premium, IPT, fees and optional extras;
- the *deposit* is paid at the start (by card), the product's percentage of the cash price, at least its
  minimum, never more than the cash price;
- the *amount of credit* is the cash price less the deposit: the provider advances it on the start date;
- the *interest* (the total charge for credit) is the product's flat rate on the amount of credit, for the
  whole agreement, rounded half up to the penny;
- the *total amount payable* is deposit + credit + interest; the instalments repay credit + interest.

Instalments are equal to the penny; what the division leaves over (fewer pence than instalments) is added
to the FIRST instalment, so the later ones, which the customer sees repeated on the statement, are all the
same figure.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from covernote.billing.domain import bacs
from covernote.kernel.money import Money, Rounding, sum_money
from covernote.products.domain.finance_spec import FinanceSpec

HUNDRED = Decimal(100)


class FinanceNotAvailable(ValueError):
    """The term cannot be financed as asked (nothing left to lend, or less than the provider's minimum)."""


# -- dates ------------------------------------------------------------------------------------------------

def add_months(day: date, months: int, on_day: int | None = None) -> date:
    """The date `months` calendar months after `day`, on `on_day` of that month (default: `day`'s own day),
    clamped to the month's last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(on_day or day.day, last))


def first_collection_date(start: date, collection_day: int, earliest: date) -> date:
    """The first instalment's date: about a month after the start, on the customer's collection day, and
    never before `earliest` (the first day the mandate can have been lodged with the bank through the Bacs
    bureau and the customer given the advance notice: the direct-debit calendar's answer, given by the
    caller; at least 10 working days plus the bureau's lodging after today, PAY-6).

    "About a month": of the collection-day dates, the one nearest to one calendar month after the start (a
    tie goes to the later); then a month at a time later until it is on or after `earliest`."""
    check_collection_day(collection_day)
    target = add_months(start, 1)
    candidates = [add_months(target, k, collection_day) for k in (-1, 0, 1)]
    chosen = min(candidates, key=lambda d: (abs((d - target).days), -d.toordinal()))
    while chosen < earliest or chosen <= start:
        chosen = add_months(chosen, 1, collection_day)
    return chosen


def mandate_ready_on(today: date, notice_working_days: int = bacs.DEFAULT_NOTICE_WORKING_DAYS,
                     *, lodged: bool = False) -> date:
    """The earliest first collection for a plan agreed `today` (PAY-6), by the Bacs rules in one place
    (`bacs.earliest_collection`): the advance notice of `notice_working_days` working days and, for a new mandate,
    its AUDDIS lodgement in today's file first (`lodged`: the mandate is already lodged, as on a renewal)."""
    cal = bacs.bacs_calendar()
    entry = None if lodged else bacs.lodgement_cycle(cal, today).entry_day
    return bacs.earliest_collection(cal, today, notice_working_days=notice_working_days, lodged_entry_day=entry)


def check_collection_day(collection_day: int) -> int:
    if isinstance(collection_day, bool) or not isinstance(collection_day, int) or not 1 <= collection_day <= 28:
        raise ValueError("the collection day must be a day of the month from 1 to 28")
    return collection_day


def instalment_dates(first: date, collection_day: int, count: int) -> list[date]:
    """`count` monthly dates: `first`, then the collection day of each following month."""
    check_collection_day(collection_day)
    if count < 1:
        raise ValueError("at least one instalment")
    return [first] + [add_months(first, k, collection_day) for k in range(1, count)]


# -- money ------------------------------------------------------------------------------------------------

def percent_of(amount: Money, percent: Decimal) -> Money:
    """`percent`% of `amount`, rounded half up to the penny."""
    return (amount * percent / HUNDRED).round_pence(Rounding.HALF_UP)


def split_equal(total: Money, count: int) -> list[Money]:
    """`total` in `count` amounts equal to the penny, the remainder pence on the first; they sum to `total`
    exactly. A negative total is refused (nothing is collected as a negative instalment)."""
    if count < 1:
        raise ValueError("at least one instalment")
    pence = total.pence
    if pence < 0:
        raise ValueError("instalments cannot be negative")
    each, remainder = divmod(pence, count)
    return [Money.from_pence(each + remainder)] + [Money.from_pence(each)] * (count - 1)


# -- the agreement ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduledAmount:
    sequence: int  # 1-based
    due_on: date
    amount: Money


@dataclass(frozen=True)
class FinanceQuote:
    """The terms of one agreement, before the provider decides."""

    provider: str
    start: date
    cash_price: Money
    deposit: Money
    credit: Money
    interest: Money
    flat_rate_percent: Decimal
    commission: Money
    schedule: tuple[ScheduledAmount, ...]
    apr_percent: Decimal

    @property
    def repayable(self) -> Money:
        """What the instalments repay: the credit and its interest."""
        return self.credit + self.interest

    @property
    def total_payable(self) -> Money:
        """The total amount payable: the deposit, the credit and the interest."""
        return self.deposit + self.credit + self.interest

    @property
    def instalments(self) -> int:
        return len(self.schedule)


def deposit_for(cash_price: Money, spec: FinanceSpec) -> Money:
    """The product's percentage of the cash price, at least its minimum, at most the cash price."""
    return percent_of(cash_price, spec.deposit_percent).max(spec.deposit_minimum).min(cash_price)


def quote_finance(cash_price: Money, spec: FinanceSpec, start: date, first_collection: date,
                  collection_day: int) -> FinanceQuote:
    """The agreement for financing `cash_price` from `start`, its instalments from `first_collection`
    (`first_collection_date`) on `collection_day` of each month. Raises FinanceNotAvailable when the
    credit left after the deposit is below the product's minimum."""
    check_collection_day(collection_day)
    if first_collection <= start:
        raise ValueError("the first instalment must fall after the start date")
    deposit = deposit_for(cash_price, spec)
    credit = cash_price - deposit
    if credit <= Money.zero() or credit < spec.minimum_credit:
        raise FinanceNotAvailable(f"the credit after the deposit ({credit}) is below the provider's minimum "
                                  f"({spec.minimum_credit}): pay annually instead")
    interest = percent_of(credit, spec.flat_rate_percent)
    dates = instalment_dates(first_collection, collection_day, spec.instalments)
    amounts = split_equal(credit + interest, spec.instalments)
    schedule = tuple(ScheduledAmount(i + 1, d, a) for i, (d, a) in enumerate(zip(dates, amounts, strict=True)))
    return FinanceQuote(
        provider=spec.provider, start=start, cash_price=cash_price, deposit=deposit, credit=credit,
        interest=interest, flat_rate_percent=spec.flat_rate_percent,
        commission=percent_of(credit, spec.commission_percent), schedule=schedule,
        apr_percent=apr_for_schedule(credit, start, [(s.due_on, s.amount) for s in schedule]))


# -- the APR ----------------------------------------------------------------------------------------------

def years_between(start: date, day: date) -> Decimal:
    """The interval from `start` to `day` in years, as the regulations' assumptions measure it: whole
    calendar months as twelfths of a year, and the days left over as days of a 365-day year (Consumer Credit
    Directive 2008/48/EC Annex I remark (c), as the Consumer Credit (Total Charge for Credit) Regulations
    2010 and CONC App 1.2 apply it: "a year is presumed to have 365 days ..., 52 weeks or 12 equal months")."""
    if day < start:
        raise ValueError("a payment cannot be before the drawdown")
    months = (day.year - start.year) * 12 + (day.month - start.month)
    while months > 0 and add_months(start, months) > day:
        months -= 1
    # Counting whole months from the start keeps a month a month, whatever its length: 31 January to
    # 28 February is one month (the start's day clamped), not 28 days.
    rest = (day - add_months(start, months)).days
    return Decimal(months) / 12 + Decimal(rest) / 365


Flow = tuple[Decimal, Decimal]  # (years after the first drawdown, amount)


def present_value(flows: Sequence[Flow], rate: Decimal) -> Decimal:
    """Sum of amount * (1 + rate)^-t."""
    with localcontext() as c:
        c.prec = 40
        log = (1 + rate).ln()
        return sum((a * (-t * log).exp() for t, a in flows), Decimal(0))


def apr_exact(drawdowns: Sequence[Flow], repayments: Sequence[Flow]) -> Decimal:
    """The rate X (a fraction, not a percentage) at which the drawdowns' present value equals the
    repayments' (CCD Annex I's basic equation; the Consumer Credit (Total Charge for Credit) Regulations 2010;
    CONC App 1.2), solved by bisection to 1e-12 (far below the 0.01% the rounding needs). The repayments
    include every charge for credit. Raises ValueError when the repayments do not exceed the drawdowns'
    sum by a non-negative amount (a negative APR is not offered)."""
    lent = sum((a for _, a in drawdowns), Decimal(0))
    repaid = sum((a for _, a in repayments), Decimal(0))
    if lent <= 0:
        raise ValueError("nothing is lent")
    if repaid < lent:
        raise ValueError("the repayments are less than the credit")
    if repaid == lent:
        return Decimal(0)

    def gap(rate: Decimal) -> Decimal:  # decreasing in rate: positive while the rate is too low
        return present_value(repayments, rate) - present_value(drawdowns, rate)

    low, high = Decimal(0), Decimal(1)
    while gap(high) > 0:
        low, high = high, high * 2
        if high > 10**6:
            raise ValueError("the APR is beyond any sensible figure")
    while high - low > Decimal("1e-12"):
        mid = (low + high) / 2
        if gap(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def round_apr(rate: Decimal) -> Decimal:
    """A rate (fraction) as the percentage the customer is shown: one decimal place, a following figure of 5
    or more rounding up (CCD Annex I remark (d))."""
    return (rate * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def apr_for_schedule(credit: Money, start: date, repayments: Sequence[tuple[date, Money]]) -> Decimal:
    """The APR (percent, one decimal place) of credit advanced on `start` and repaid as scheduled."""
    flows = [(years_between(start, d), a.amount) for d, a in repayments]
    return round_apr(apr_exact([(Decimal(0), credit.amount)], flows))


# -- re-planning ------------------------------------------------------------------------------------------

InstalmentStatus = Literal["scheduled", "collected", "returned", "paid_otherwise", "cancelled", "superseded"]
OPEN: tuple[InstalmentStatus, ...] = ("scheduled",)
# An instalment's life: `scheduled` (to collect) -> `collected` (presented by direct debit; posted as received) ->
# `returned` (the bank returned it unpaid: still owed, outside the schedule, recovered by the arrears ladder,
# billing/domain/arrears.py) -> `collected` again (re-presented) or `paid_otherwise` (paid by card). A re-plan
# supersedes or cancels scheduled rows only; a settlement (a cancellation, or a term that now costs less than
# what is owed outside the schedule) folds its returned rows into the settlement (`cancelled`).


@dataclass(frozen=True)
class InstalmentState:
    sequence: int
    due_on: date
    amount: Money
    status: InstalmentStatus


@dataclass(frozen=True)
class PlanPosition:
    """Where a financed term stands: what it costs (`cash_price`: the term's total so far), the interest
    charged, the deposit paid, the refunds already paid, and its current instalments (one row per sequence:
    the latest version)."""

    cash_price: Money
    interest: Money
    deposit: Money
    instalment_count: int  # as agreed: the interest on a later addition is pro rata to what is left of it
    flat_rate_percent: Decimal
    instalments: tuple[InstalmentState, ...]
    refunded: Money = field(default_factory=Money.zero)
    paid_otherwise: Money = field(default_factory=Money.zero)  # returned instalments paid by card
    arrears: Money = field(default_factory=Money.zero)  # owed with no instalment left to collect it

    @property
    def collected(self) -> Money:
        return sum_money([i.amount for i in self.instalments if i.status == "collected"])

    @property
    def paid(self) -> Money:
        """What the customer has paid net: deposit, instalments collected and other payments, less refunds."""
        return self.deposit + self.collected + self.paid_otherwise - self.refunded

    @property
    def open_instalments(self) -> list[InstalmentState]:
        return sorted((i for i in self.instalments if i.status in OPEN), key=lambda i: i.sequence)

    @property
    def to_collect(self) -> Money:
        return sum_money([i.amount for i in self.open_instalments])

    @property
    def returned(self) -> Money:
        """Instalments returned unpaid and not yet recovered: owed outside the schedule (the arrears ladder
        presents each again or asks for it by card), never spread over the open instalments."""
        return sum_money([i.amount for i in self.instalments if i.status == "returned"])

    @property
    def owed_to_provider(self) -> Money:
        """What the customer still owes under the agreement's schedule: the open instalments and the returned
        ones (the memorandum `finance:customer-debt`, billing/domain/plans.py)."""
        return self.to_collect + self.returned


ReplanCause = Literal["adjustment", "rerating", "cancellation", "renewal"]


@dataclass(frozen=True)
class Replan:
    """A re-planned term. `instalments` are the new amounts of the open instalments (same sequence and due
    date; an amount of zero is not scheduled: the row is cancelled). `refund` is what the customer has paid
    beyond what they now owe; `arrears` is the whole of what they owe that no instalment will collect (after a
    cancellation, or when every instalment has fallen due, or owed before and still unpaid): collected by the
    arrears process. `folded`: returned instalments settled into `arrears` or `refund` (their recovery stops).
    Always: paid + to_collect + returned + arrears = cash_price + interest (refund paid)."""

    cause: ReplanCause
    cash_price: Money
    interest: Money
    instalments: tuple[ScheduledAmount, ...]
    cancelled: tuple[int, ...]  # sequences whose open instalment is cancelled without a replacement
    refund: Money
    arrears: Money
    folded: tuple[int, ...] = ()  # sequences of returned instalments settled by this re-plan

    @property
    def to_collect(self) -> Money:
        return sum_money([i.amount for i in self.instalments])


def replan(position: PlanPosition, new_cash_price: Money, cause: ReplanCause) -> Replan:
    """Re-plan the instalments not yet collected so that what is paid, what is left to collect, what was
    returned and is being recovered, and arrears equal the new cash price plus the interest, to the penny.

    - an addition (extra premium, a higher re-rating) is financed at the agreement's flat rate, pro rata to
      the share of the instalments still open (k of n open: rate x addition x k / n), and spread over the
      open instalments;
    - a reduction (return premium) reduces the open instalments; beyond them, the excess is a refund; the
      interest already agreed is not reduced (the credit was advanced for the term);
    - a returned instalment stays owed as it is (re-presented for the same amount, or paid by card): it is
      never spread over the open instalments, so nothing is collected twice;
    - a settlement (a cancellation; or a term that now costs less than the returned instalments still owed,
      which cannot be re-presented for part of their amount): no more instalments; on a cancellation the
      interest is cut to the share of the instalments that fell due (open ones rebated, a simplification of the
      Consumer Credit (Early Settlement) Regulations 2004's rebate, in the customer's favour); the returned
      instalments are folded in; what was paid beyond what is now owed is a refund, what is still owed is
      arrears."""
    open_rows = position.open_instalments
    returned_rows = [i for i in position.instalments if i.status == "returned"]
    returned = position.returned
    k, n = len(open_rows), position.instalment_count
    delta = new_cash_price - position.cash_price
    interest = position.interest
    if cause == "cancellation":
        interest = (position.interest * (n - k) / n).round_pence(Rounding.HALF_UP) if n else Money.zero()
    elif delta > Money.zero() and k:
        interest = interest + (delta * position.flat_rate_percent * k / (HUNDRED * n)).round_pence(
            Rounding.HALF_UP)
    balance = new_cash_price + interest - position.paid  # everything still owed: open, returned, arrears
    refund = Money.zero()
    arrears = position.arrears
    new_rows: list[ScheduledAmount] = []
    cancelled = [r.sequence for r in open_rows]
    folded: list[int] = []
    if cause == "cancellation" or balance < returned:
        folded = [r.sequence for r in returned_rows]
        refund, arrears = (-balance, Money.zero()) if balance < Money.zero() else (Money.zero(), balance)
    elif not k or balance - returned <= arrears:
        arrears = balance - returned
    else:
        cancelled = []
        for row, amount in zip(open_rows, split_equal(balance - returned - arrears, k), strict=True):
            if amount.is_zero():
                cancelled.append(row.sequence)
            else:
                new_rows.append(ScheduledAmount(row.sequence, row.due_on, amount))
    return Replan(cause, new_cash_price, interest, tuple(new_rows), tuple(cancelled), refund, arrears,
                  tuple(folded))


def apply_replan(position: PlanPosition, result: Replan) -> PlanPosition:
    """The position after a replan is carried out (open rows superseded by the new amounts, the others
    cancelled, returned rows folded into the settlement, a refund paid)."""
    kept = [i for i in position.instalments if i.status not in OPEN
            and not (i.status == "returned" and i.sequence in result.folded)]
    kept += [InstalmentState(s.sequence, s.due_on, s.amount, "scheduled") for s in result.instalments]
    kept += [InstalmentState(i.sequence, i.due_on, i.amount, "cancelled") for i in position.instalments
             if (i.sequence in result.cancelled and i.status in OPEN)
             or (i.sequence in result.folded and i.status == "returned")]
    return PlanPosition(result.cash_price, result.interest, position.deposit, position.instalment_count,
                        position.flat_rate_percent, tuple(sorted(kept, key=lambda i: i.sequence)),
                        position.refunded + result.refund, position.paid_otherwise, result.arrears)


def position_of(quote: FinanceQuote) -> PlanPosition:
    """A new agreement's position: the deposit paid, every instalment scheduled."""
    return PlanPosition(quote.cash_price, quote.interest, quote.deposit, quote.instalments, quote.flat_rate_percent,
                        tuple(InstalmentState(s.sequence, s.due_on, s.amount, "scheduled") for s in quote.schedule))

"""The policy aggregate: a header plus an append-only list of transactions, from which every term,
adjustment, fee, cancellation and voidance is derived (POL-1). Nothing is overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.kernel.money import Money
from covernote.kernel.periods import Period
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.codec import adjustment_from_dict, event_from_dict, risk_from_dict
from covernote.policy.domain.extra_lines import ExtraLine
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.term import TermCharge, TermState

# returned_dd: a direct debit collection returned unpaid, with the charge for it (PAY-2, FEE-2; billing's arrears)
TransactionKind = Literal["new_business", "mta", "cancellation", "renewal", "voidance", "box_return", "incident",
                          "auto_renew", "returned_dd"]


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: str


@dataclass(frozen=True)
class PolicyTransaction:
    """One recorded change of the policy: who, when, why, from when, and what it did."""

    transaction_id: str
    policy_id: str
    sequence: int
    term_no: int
    kind: TransactionKind
    effective_date: date
    recorded_at: datetime
    actor: Actor
    reason: str
    premium: Money  # change in premium charged on the term (signed)
    ipt: Money  # change in IPT charged (signed)
    fees_charged: tuple[FeeLine, ...]
    fees_refunded: tuple[FeeLine, ...]
    details: dict[str, Any]
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    email: str
    phone: str | None
    date_of_birth: date | None
    address: str
    postcode: str
    created_at: datetime


@dataclass(frozen=True)
class Quote:
    quote_id: str
    customer_id: str
    product_ref: str
    period: Period
    risk_details: dict[str, Any]
    rating: dict[str, Any]
    premium: Money
    ipt_rate: Decimal
    ipt: Money
    fees: tuple[tuple[str, str, Money], ...]
    created_at: datetime
    expires_at: datetime
    created_by: str
    status: Literal["open", "bound", "withdrawn"] = "open"
    policy_id: str | None = None
    extras: tuple[ExtraLine, ...] = ()  # optional extras chosen (ADD-1): their own lines, no NCD

    @property
    def total(self) -> Money:
        total = self.premium + self.ipt
        for _, _, amount in self.fees:
            total = total + amount
        for extra in self.extras:
            total = total + extra.total
        return total


@dataclass
class Policy:
    policy_id: str
    number: str
    customer_id: str
    product_code: str
    auto_renew: bool
    taken_out_on: date
    payment_token: str
    created_at: datetime
    version: int = 1
    transactions: list[PolicyTransaction] = field(default_factory=list)
    # The terms as last derived, with the transactions they were derived from (the list is append-only).
    _derived: tuple[tuple[int, int, int], list[TermState]] | None = field(default=None, init=False, repr=False,
                                                                      compare=False)

    # -- derived state ------------------------------------------------------------------------
    def terms(self) -> list[TermState]:
        """The terms in order, derived from the transactions. Derived once per set of transactions (a read
        asks several times); the states are shared between callers, who must not change them."""
        key = (id(self.transactions), len(self.transactions), id(self.transactions[-1]) if self.transactions else 0)
        if self._derived is None or self._derived[0] != key:
            self._derived = (key, self._derive_terms())
        return list(self._derived[1])

    def charged_on_term(self, term_no: int) -> TermCharge:
        """The premium and IPT charged on a term so far, from its recorded transactions: each transaction's
        premium and IPT are the change in the term's charge it made (policy/domain/term.py), so their sum is
        the term's charge as it stands, to the penny, without pricing the term again."""
        premium, ipt = Money.zero(), Money.zero()
        for t in self.transactions:
            if t.term_no == term_no:
                premium, ipt = premium + t.premium, ipt + t.ipt
        return TermCharge(premium, ipt)

    def _derive_terms(self) -> list[TermState]:
        terms: dict[int, TermState] = {}
        for t in sorted(self.transactions, key=lambda t: t.sequence):
            d = t.details
            if t.kind in ("new_business", "renewal"):
                terms[t.term_no] = TermState(
                    term_no=t.term_no,
                    period=Period(date.fromisoformat(d["term"]["start"]), date.fromisoformat(d["term"]["end"])),
                    product_ref=d["product"],
                    base_risk=risk_from_dict(d["risk"]),
                    ipt_rate=Decimal(d["ipt_rate"]),
                    renewal=t.kind == "renewal",
                    concluded_on=date.fromisoformat(d["concluded_on"]),
                    documents_on=date.fromisoformat(d["documents_on"]),
                )
            elif t.kind == "mta":
                terms[t.term_no].adjustments.append(adjustment_from_dict(d["adjustment"]))
            elif t.kind == "cancellation":
                terms[t.term_no].cancelled_from = t.effective_date
            elif t.kind == "voidance":
                terms[t.term_no].voided = True
        return [terms[k] for k in sorted(terms)]

    def term(self, term_no: int | None = None) -> TermState:
        terms = self.terms()
        if term_no is None:
            return terms[-1]
        for t in terms:
            if t.term_no == term_no:
                return t
        raise KeyError(term_no)

    def term_for_change(self, effective: date, what: str) -> TermState:
        """The term a change from `effective` applies to: the latest one. Once a renewal has been
        accepted, a change dated in the expiring term is refused with the reason (it would also have to
        re-price the renewal already charged)."""
        terms = self.terms()
        last = terms[-1]
        if len(terms) > 1 and effective < last.period.start and not terms[-2].voided:
            raise ValidationFailed(
                f"the renewal from {last.period.start} has been accepted, so a {what} dated before it cannot be made",
                [FieldIssue("effective_date", f"make the {what} from {last.period.start} or later")])
        return last

    def fee_lines(self, term_no: int | None = None) -> list[FeeLine]:
        """Fees charged, less what has since been refunded of each, optionally for one term."""
        charged: list[FeeLine] = []
        refunded: dict[tuple[str, str], Money] = {}
        for t in self.transactions:
            charged.extend(t.fees_charged)
            for f in t.fees_refunded:
                key = (f.transaction_id, f.code)
                refunded[key] = refunded.get(key, Money.zero()) + f.amount
        out = []
        for f in charged:
            if term_no is not None and f.term_no != term_no:
                continue
            left = f.amount - refunded.get((f.transaction_id, f.code), Money.zero())
            if left > Money.zero():
                out.append(replace(f, amount=left))
        return out

    def events(self) -> list[RecordedEvent]:
        return [event_from_dict(t.details["event"]) for t in self.transactions if t.kind == "incident"]

    def next_sequence(self) -> int:
        return max((t.sequence for t in self.transactions), default=0) + 1

    def status(self, today: date) -> str:
        """pending (not yet started), live, cancelled, void or expired, as at `today`."""
        terms = self.terms()
        if not terms:
            return "pending"
        last = terms[-1]
        if last.voided:
            return "void"
        if last.cancelled_from is not None and (today >= last.cover_end or last.cover_end <= last.period.start):
            return "cancelled"
        live_terms = [t for t in terms if not t.voided]
        if any(t.period.start <= today < t.cover_end for t in live_terms):
            return "live"
        if today < terms[0].period.start or (today < last.period.start):
            return "pending"
        if last.cancelled_from is not None:
            return "cancelled" if today >= last.cover_end else "live"
        return "expired"

    def is_on_cover(self, day: date) -> bool:
        return any(t.period.start <= day < t.cover_end and not t.voided for t in self.terms())


ANONYMISED_MARK = "h:"  # what an erased value starts with (store.anonymise.HASH_PREFIX)


def is_anonymised(policy: Policy) -> bool:
    """Whether the retention sweep (or an erasure) has anonymised the policy: its number is a keyed hash."""
    return policy.number.startswith(ANONYMISED_MARK)

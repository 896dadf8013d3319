"""The shapes policy's use cases and routes answer with (typed for mypy and the OpenAPI document).

Blocks built by other contexts (NCD, extras, carbon, MID) are typed by those contexts; here they are
`dict[str, Any]`. Stored JSON (a quote's risk and rating, a transaction's details) is free-form by design
and also `dict[str, Any]`."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict

from covernote.ledger.results import PaymentResult


class CustomerView(TypedDict):
    """A customer's details."""

    id: str
    name: str
    email: str
    phone: str | None
    date_of_birth: str | None
    address: str
    postcode: str
    created_at: str


class QuoteFee(TypedDict):
    """A fee charged with a new-business quote."""

    code: str
    name: str
    amount: str


class QuoteWithdrawalView(TypedDict):
    """Who withdrew a quote, when and why (NCD-1)."""

    withdrawn_at: str
    withdrawn_by: str
    reason: str | None


class QuoteView(TypedDict):
    """A new-business quote: the premium with its rating trace, IPT, fees, extras and expiry. The carbon,
    extras and NCD-protection blocks come from those contexts; `ncd` and `withdrawal` are added by the
    use cases that read one quote."""

    id: str
    customer_id: str
    product: str
    status: str
    policy_id: str | None
    start_date: str
    end_date: str
    risk: dict[str, Any]  # the risk as stored with the quote (free-form JSON; erased values may be gone)
    premium: str
    ipt_rate: str
    ipt: str
    fees: list[QuoteFee]
    extras: list[dict[str, Any]]  # the extras context's lines
    extras_total: str
    total_payable: str
    rating: dict[str, Any]  # the rating result as stored with the quote (free-form JSON)
    carbon: NotRequired[dict[str, Any]]  # ECO-1, the carbon context's block
    extras_available: NotRequired[list[dict[str, Any]]]  # ADD-1, the extras context's block
    ncd_protection: NotRequired[dict[str, Any]]  # NCD-3, the extras context's block
    created_at: str
    expires_at: str
    ncd: NotRequired[dict[str, Any] | None]  # NCD-1, the NCD context's block
    withdrawal: NotRequired[QuoteWithdrawalView | None]


class QuoteCarbonPart(TypedDict, total=False):
    """What the carbon context adds to a quote or policy view (ECO-1)."""

    carbon: dict[str, Any]


class QuoteExtrasPart(TypedDict, total=False):
    """What the extras context adds to a quote view (ADD-1, NCD-3)."""

    extras_available: list[dict[str, Any]]
    ncd_protection: dict[str, Any]


class PolicyExtrasPart(TypedDict):
    """What the extras context adds to a policy view (ADD-1, NCD-3)."""

    extras: list[dict[str, Any]]
    ncd_protection: dict[str, Any]


# An effective-dated version of a term: its dates, its price and the risk it was rated on. The functional
# form because "from" is a keyword; `risk` is the risk as the codec writes it (free-form JSON).
SegmentView = TypedDict("SegmentView", {
    "from": str, "to": str, "days": int, "term_premium": str, "standard_premium": str, "ncd_years": int,
    "ncd_discount_percent": str, "product": str, "table_version": str, "risk": dict[str, Any]})


class TermView(TypedDict):
    """A policy term: dates, product version, premium and IPT charged and its effective-dated versions;
    `rating_trace` only in the history."""

    term: int
    start_date: str
    end_date: str
    cover_ends: str
    product: str
    renewal: bool
    cancelled_from: str | None
    void: bool
    premium_charged: str
    ipt_rate: str
    ipt_charged: str
    versions: list[SegmentView]
    rating_trace: NotRequired[list[Any]]  # each version's rating trace, as the rating domain writes it


class Actor(TypedDict):
    """Who made a transaction."""

    user_id: str
    role: str


class FeeLineView(TypedDict):
    """A fee charged or refunded on a policy."""

    code: str
    name: str
    amount: str
    term_no: int
    charged_on: str
    transaction_id: str
    refundable_within_cooling_off: bool
    box_return_refund_percent: str


class TransactionView(TypedDict):
    """A policy transaction: who, when, why, from when, what it charged."""

    id: str
    sequence: int
    term: int
    kind: str
    effective_date: str
    recorded_at: str
    by: Actor
    reason: str
    premium: str
    ipt: str
    fees_charged: list[FeeLineView]
    fees_refunded: list[FeeLineView]
    details: dict[str, Any]  # what the transaction recorded (free-form stored JSON)


class PolicyView(TypedDict):
    """A policy with its current term; the extras, NCD-protection, carbon, NCD and MID blocks come from
    those contexts. A bind adds `transaction_id` and `payment`. An anonymised policy (PRV-5) has only what
    survives anonymisation: `anonymised` is then true and `current_term` holds its dates and amounts."""

    id: str
    number: str
    customer_id: str
    product_code: str
    status: str
    anonymised: NotRequired[bool]
    version: int
    auto_renew: bool
    taken_out_on: str
    current_term: TermView | dict[str, Any] | None  # an anonymised policy's term is privacy's shape
    terms: int
    fees: NotRequired[list[FeeLineView]]
    extras: NotRequired[list[dict[str, Any]]]  # ADD-1, the extras context's lines
    ncd_protection: NotRequired[dict[str, Any]]  # NCD-3, the extras context's block
    balance: str | None
    created_at: str
    carbon: NotRequired[dict[str, Any]]  # ECO-1, the carbon context's block
    ncd: NotRequired[dict[str, Any] | None]  # NCD-1, the NCD context's block
    mid: NotRequired[dict[str, Any] | None]  # REG-1, the regulatory context's block
    transaction_id: NotRequired[str]
    payment: NotRequired[PaymentResult]
    idempotent_replay: NotRequired[bool]  # on a bind: whether this answer replays the first


class PolicySummary(TypedDict):
    """A policy in a list."""

    id: str
    number: str
    customer_id: str
    product_code: str
    status: str
    version: int
    start_date: str | None
    end_date: str | None


class PolicyHistory(TypedDict):
    """Every transaction in order and every term with its versions and rating trace (an anonymised
    policy: `anonymised` and its `current_term` instead of `terms`)."""

    policy_id: str
    number: str
    version: int
    anonymised: NotRequired[bool]
    transactions: list[TransactionView]
    terms: NotRequired[list[TermView]]
    current_term: NotRequired[dict[str, Any] | None]  # privacy's shape of an anonymised term


class VoidedChange(TypedDict):
    """A voidance (POL-4): the transaction and the terms made void."""

    policy_id: str
    status: str
    transaction: TransactionView
    terms_voided: list[int]


class Voided(VoidedChange):
    """A voidance as answered: whether it replays the first answer to its idempotency key."""

    idempotent_replay: bool

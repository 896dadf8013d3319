"""Typed results of the policy lifecycle: quotes, policies as read, adjustments, cancellations, renewals and the renewal jobs (TypedDicts: typed for mypy and OpenAPI, dicts at run time). Blocks other contexts build are typed by those contexts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired

from typing_extensions import TypedDict

from covernote.billing.results import Settlement
from covernote.policy.results import FeeLineView, SegmentView, TermView, TransactionView


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
    carbon: NotRequired[Mapping[str, Any]]  # ECO-1, the carbon context's block
    extras_available: NotRequired[list[Mapping[str, Any]]]  # ADD-1, the extras context's block
    ncd_protection: NotRequired[Mapping[str, Any]]  # NCD-3, the extras context's block
    created_at: str
    expires_at: str
    ncd: NotRequired[Mapping[str, Any] | None]  # NCD-1, the NCD context's block
    withdrawal: NotRequired[QuoteWithdrawalView | None]


class QuoteCarbonPart(TypedDict, total=False):
    """What the carbon context adds to a quote or policy view (ECO-1)."""

    carbon: Mapping[str, Any]


class QuoteExtrasPart(TypedDict, total=False):
    """What the extras context adds to a quote view (ADD-1, NCD-3)."""

    extras_available: list[Mapping[str, Any]]
    ncd_protection: Mapping[str, Any]


class PolicyExtrasPart(TypedDict):
    """What the extras context adds to a policy view (ADD-1, NCD-3)."""

    extras: list[dict[str, Any]]
    ncd_protection: Mapping[str, Any]


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
    ncd_protection: NotRequired[Mapping[str, Any]]  # NCD-3, the extras context's block
    balance: str | None
    created_at: str
    carbon: NotRequired[Mapping[str, Any]]  # ECO-1, the carbon context's block
    ncd: NotRequired[Mapping[str, Any] | None]  # NCD-1, the NCD context's block
    mid: NotRequired[Mapping[str, Any] | None]  # REG-1, the regulatory context's block
    transaction_id: NotRequired[str]
    payment: NotRequired[Settlement]
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


class PendingBase(TypedDict):
    """A stored quote for a change to a policy (an MTA, cancellation or renewal), to confirm before it
    expires; its priced result follows these keys."""

    id: str
    policy_id: str
    kind: str
    status: str
    policy_version: int
    created_at: str
    expires_at: str
    request: dict[str, Any]  # the request as stored with the quote (free-form JSON)


class AdjustmentPrice(TypedDict):
    """A mid-term adjustment priced (POL-2): premium before and after, the difference, IPT, fees, extras
    and the versions after the change, explained."""

    effective_date: str
    until: str | None
    changes: list[str]
    premium_before: str
    premium_after: str
    premium: str
    ipt: str
    premium_kind: str
    fees: list[QuoteFee]
    extras: list[dict[str, Any]]  # the extras context's lines
    total: str
    versions_after: list[SegmentView]
    explanation: list[str]


class AdjustmentQuote(PendingBase, AdjustmentPrice):
    """A quoted mid-term adjustment (POST /policies/{id}/adjustments)."""


class AdjustedChange(TypedDict):
    """A confirmed mid-term adjustment: its transaction, the payment and the premium now."""

    policy_id: str
    transaction: TransactionView
    payment: Settlement
    premium_after: str
    total: str


class Adjusted(AdjustedChange):
    """A confirmed adjustment as answered: whether it replays the first answer to its idempotency key."""

    idempotent_replay: bool


class CoolingOff(TypedDict):
    """The cooling-off period (POL-5)."""

    starts: str
    last_day: str


class PaidView(TypedDict):
    """What the term's premium, IPT and fees came to."""

    premium: str
    ipt: str
    fees: list[FeeLineView]
    total: str


class EarnedView(TypedDict):
    """The premium and IPT earned up to the cancellation."""

    premium: str
    ipt: str


class RefundView(TypedDict):
    """The premium, IPT and fees refunded."""

    premium: str
    ipt: str
    fees: list[FeeLineView]


class BoxReturnDue(TypedDict):
    """By when a returned Smartbox earns a further refund, and how much (FEE-5)."""

    by: str
    further_refund: str


class CancellationTerms(TypedDict):
    """A cancellation priced (POL-5, FEE-1..6): cooling-off, earned premium, fees kept and the refund,
    explained; with each extra's refund (ADD-1)."""

    within_cooling_off: bool
    cooling_off: CoolingOff
    method: str
    days_on_cover: int
    days_in_term: int
    months_on_cover: int | None
    short_period_percent: str | None
    paid: PaidView
    earned: EarnedView
    refund: RefundView
    fees_kept: list[FeeLineView]
    cancellation_fees: list[QuoteFee]
    refund_total: str
    amount_due_from_customer: str
    box_return: BoxReturnDue | None
    check: str
    explanation: list[str]
    extras: list[dict[str, Any]]  # the extras context's lines
    extras_refund: NotRequired[str]


class CancellationQuote(PendingBase, CancellationTerms):
    """A quoted cancellation (POST /policies/{id}/cancellations)."""


class CancelledChange(TypedDict):
    """A confirmed cancellation: when cover ends, its transaction, the refund and the payment."""

    policy_id: str
    status: str
    cover_ends: str
    transaction: TransactionView
    refund: CancellationTerms
    payment: Settlement


class Cancelled(CancelledChange):
    """A confirmed cancellation as answered: whether it replays the first answer to its idempotency key."""

    idempotent_replay: bool


class BoxReturnedChange(TypedDict):
    """A Smartbox return recorded, and any fee refunded (FEE-5)."""

    transaction: TransactionView
    payment: Settlement
    in_time: bool


class BoxReturned(BoxReturnedChange):
    """A Smartbox return as answered: whether it replays the first answer to its idempotency key."""

    idempotent_replay: bool


class RenewalTerm(TypedDict):
    """The dates of the renewed term."""

    start: str
    end: str


class RenewalNcd(TypedDict):
    """The no-claims discount before and after the renewal, and the claims that moved it."""

    before: int | None
    after: int | None
    claims_in_term: int


class RenewalOffer(TypedDict):
    """The renewal offer (POL-3): next year's price beside last year's and the equivalent new-business
    premium, fees, NCD, extras, explained."""

    term: RenewalTerm
    product: str
    risk: dict[str, Any]  # the risk as the codec writes it (free-form JSON)
    rating: dict[str, Any]  # the rating result as the codec writes it (free-form JSON)
    last_year_premium: str
    last_year_ipt: str
    last_year_total: str
    premium: str
    ipt_rate: str
    ipt: str
    equivalent_new_business_premium: str
    fees: list[QuoteFee]
    total: str
    auto_renew: bool
    ncd: RenewalNcd
    ncd_protection: Mapping[str, Any]  # NCD-3, NCD-4, the extras context's block
    extras: list[dict[str, Any]]  # ADD-1, the extras context's lines
    extras_available: list[Mapping[str, Any]]  # ADD-1, the extras context's block
    explanation: list[str]


class RenewalInvitation(PendingBase, RenewalOffer):
    """A renewal invitation (POST /policies/{id}/renewals)."""


class RenewalsOfPolicy(TypedDict):
    """A policy and its open renewal invitations."""

    policy: PolicyView
    invitations: list[RenewalInvitation]


class RenewalDeclined(TypedDict):
    """A renewal invitation declined."""

    id: str
    status: str


class RenewalInvitationsRun(TypedDict):
    """What the renewal-invitations job did."""

    as_of: str
    invited: int
    skipped: int
    not_invited: int
    not_invited_reasons: dict[str, int]


class AutoRenewalFailure(TypedDict):
    """A policy the auto-renewals job could not renew, and why."""

    policy_id: str
    reason: str


class AutoRenewalsRun(TypedDict):
    """What the auto-renewals job did."""

    as_of: str
    renewed: int
    failed: list[AutoRenewalFailure]

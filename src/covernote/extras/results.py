"""The shapes the optional extras use cases answer with (ADD-1, NCD-3, NCD-4, PAY-7): the Consumer Duty
fair-value report, the `extras` and `ncd_protection` blocks of a policy, and the NCD protection block of a
renewal offer. TypedDicts, so they are plain dicts at run time and FastAPI describes them in the OpenAPI
document; keys are declared in the order the use cases build them (the order they go on the wire). Shapes
with `from`/`to` keys use the functional form (`from` is a Python keyword)."""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 (the brief: both from typing_extensions)

# -- the fair-value report (Consumer Duty) ---------------------------------------------------------------


class FairValueRow(TypedDict):
    """One extra of one product over the period: policies, sales, premium written net of refunds, IPT,
    commission and claims."""

    product_code: str
    extra_code: str
    name: str
    provider: str
    insurer: str
    policies_on_cover: int
    policies_with_business: int
    sales: int
    premium_written: str
    ipt: str
    commission: str
    commission_percent_of_premium: str | None
    claims_recorded: int
    claims_paid: str
    claim_types: list[str]


class FairValueTotals(TypedDict):
    """The report's money columns added up."""

    premium_written: str
    ipt: str
    commission: str


# The fair-value report for the days [from, to): one row per extra and product, the totals, and notes on how
# the figures are made. `product` is the one product asked for (None: every product).
FairValueReport = TypedDict("FairValueReport", {
    "from": str, "to": str, "product": str | None, "rows": list[FairValueRow], "totals": FairValueTotals,
    "notes": list[str],
})


# -- the blocks of a quote, a policy and a renewal offer -----------------------------------------------------


class OfferedExtra(TypedDict):
    """An extra the product offers for a term: whether it can be bought (and why not) and, when it is sold
    for the term, its price and IPT."""

    code: str
    name: str
    provider: str
    insurer: str
    available: bool
    reasons: list[str]
    price: NotRequired[str]
    ipt: NotRequired[str]
    total: NotRequired[str]
    ipt_rate: NotRequired[str]
    # The priced line (extras/domain.py ExtraLine.as_dict), kept in a renewal offer to renew from; left out of
    # a quote's answer.
    line: NotRequired[dict[str, Any]]


class QuoteNcdProtection(TypedDict):
    """NCD protection on a quote: offered, chosen, and whether the customer is eligible and why not (NCD-3)."""

    offered: bool
    code: NotRequired[str]
    selected: bool
    eligible: NotRequired[bool]
    reasons: NotRequired[list[str]]
    rule: NotRequired[str]


class QuoteExtrasView(TypedDict):
    """Spread into a quote: every extra on offer with its price, and NCD protection's status."""

    extras_available: list[OfferedExtra]
    ncd_protection: QuoteNcdProtection

# A stretch of days an extra covers, [from, to).
CoverSpan = TypedDict("CoverSpan", {"from": str, "to": str})


class ExtraDocumentView(TypedDict):
    """A document that comes with an extra."""

    name: str
    reference: str


class PolicyExtra(TypedDict):
    """One extra on the policy's current term, as its own line: what was sold, its cover, what was charged
    so far, and its documents."""

    code: str
    name: str
    provider: str
    insurer: str
    price: str
    ipt_treatment: str
    ipt_rate: str
    cover: list[CoverSpan]
    on_cover: bool
    premium: str
    ipt: str
    total: str
    commission: str
    documents: list[ExtraDocumentView]


class NcdProtectionStatus(TypedDict):
    """Whether the product offers NCD protection and whether it protects the policy now."""

    offered: bool
    protected: bool


class PolicyExtrasView(TypedDict):
    """Spread into a policy: its current term's extras and its NCD protection."""

    extras: list[PolicyExtra]
    ncd_protection: NcdProtectionStatus


class ProtectionAtRenewalView(TypedDict):
    """Whether protection bought for the expiring term protects the NCD carried forward
    (policy/domain/ncd_protection.py ProtectionAtRenewal.as_dict)."""

    had_protection: bool
    protected: bool
    lost: bool
    claims_in_window: int | None
    window: CoverSpan | None
    reason: str


class RenewalNcdProtection(TypedDict):
    """The `ncd_protection` block of a renewal offer: the NCD before and after with their discounts,
    whether protection kept it, and why."""

    years_before: int | None
    years_after: int | None
    discount_percent_before: str | None
    discount_percent_after: str | None
    protected: bool
    protection_lost: bool
    protection: ProtectionAtRenewalView
    why: str

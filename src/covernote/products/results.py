"""The shapes the products' use cases and routes answer with (typed for mypy and the OpenAPI document)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict


class TermOption(TypedDict):
    """A policy term the product offers."""

    unit: str
    length: int


class CoverView(TypedDict):
    """A cover the product includes."""

    code: str
    name: str
    description: str


class DocumentView(TypedDict):
    """A document that comes with an optional extra."""

    name: str
    reference: str


class NcdProtectionRuleView(TypedDict):
    """Who may buy NCD protection (NCD-3)."""

    min_years: int
    max_claims: int
    window_years: int
    claims_question: str


class ExtraView(TypedDict):
    """An optional extra as the product offers it (ADD-1, PAY-7, NCD-3)."""

    code: str
    name: str
    provider: str
    insurer: str
    annual_price: str
    prices_by_term: dict[str, str]
    ipt: str
    commission_percent: str
    commission_per_sale: str
    documents: list[DocumentView]
    claim_types: list[str]
    ncd_protection: NcdProtectionRuleView | None


class FeeView(TypedDict):
    """A fee the product charges, and when."""

    code: str
    name: str
    amount: str
    charged_on: str
    instead_of: list[str]
    refundable_within_cooling_off: bool
    box_return_refund_percent: str


class QuestionView(TypedDict):
    """A question the product asks about the risk."""

    name: str
    kind: str
    choices: list[str]
    minimum: str | None
    maximum: str | None
    default: str | None


class CancellationRulesView(TypedDict):
    """The product's cancellation rules."""

    cooling_off_days: int
    insurer_notice_days: int
    no_refund_if: list[str]
    no_refund_within_cooling_off_if: list[str]
    box_return_days: int | None
    short_period_applies_before: str | None


class RenewalRulesView(TypedDict):
    """The product's renewal rules."""

    renewable: bool
    invitation_days_before: int
    auto_renew_default: bool


class ProductVersionView(TypedDict):
    """One version of a product and the dates it is in force."""

    version: str
    effective_from: str
    effective_to: str | None


class ProductView(TypedDict):
    """A product version as its data defines it (PRD-1); `versions` only on GET /products/{code}."""

    code: str
    version: str
    ref: str
    name: str
    line: str
    source: str
    insurer: str
    effective_from: str
    effective_to: str | None
    ipt_treatment: str
    ipt_rate: str | None
    telematics: bool
    terms: list[TermOption]
    covers: list[CoverView]
    extras: list[ExtraView]
    fees: list[FeeView]
    questions: list[QuestionView]
    cancellation: CancellationRulesView
    renewal: RenewalRulesView
    rating_table_version: str
    versions: NotRequired[list[ProductVersionView]]

"""The shapes billing's use cases and routes answer with (typed for mypy and the OpenAPI document)."""

from __future__ import annotations

from typing_extensions import TypedDict

# -- commission (PAY-7) ---------------------------------------------------------------------------------


class ExtraCommissionView(TypedDict):
    """An optional extra's commission: the product's terms (a percentage of the extra's premium and any
    fee per policy sold) and what the ledger holds, net of returns."""

    code: str
    name: str
    insurer: str
    percent: str | None
    per_sale: str
    premium: str
    earned: str


class PolicyCommissionView(TypedDict):
    """One policy's commission: on the core premium (the rate and what was earned on the premium written),
    on each extra, and from the finance provider for introducing a customer who pays by instalments."""

    policy_id: str
    number: str
    product: str
    product_name: str
    insurer: str
    core_percent: str | None
    core_premium: str
    core_earned: str
    extras: list[ExtraCommissionView]
    finance_introduction: str
    total: str
    notes: list[str]


class CommissionDisclosure(TypedDict):
    """What the intermediary earns from a customer's policies (PAY-7, S3: "we will be pleased to provide
    this information upon request"), amounts in pounds as the ledger holds them on `as_at`."""

    customer_id: str
    customer_name: str
    as_at: str
    policies: list[PolicyCommissionView]
    total: str
    explanation: list[str]


class CommissionReportRow(TypedDict):
    """What one ledger entry booked: premium written and commission (core, extras, finance)."""

    posted_on: str
    policy_id: str
    policy_number: str
    transaction_id: str | None
    transaction_kind: str | None
    entry_id: str
    premium: str
    core_commission: str
    extras_premium: str
    extras_commission: str
    finance_commission: str
    total_commission: str


class CommissionReportTotals(TypedDict):
    premium: str
    core_commission: str
    extras_premium: str
    extras_commission: str
    finance_commission: str
    total_commission: str


class CommissionReport(TypedDict):
    """The commission booked in [from, to) per policy and transaction (GET /reports/commission.csv)."""

    start: str
    end: str
    rows: list[CommissionReportRow]
    totals: CommissionReportTotals
    notes: list[str]

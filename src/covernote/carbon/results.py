"""The shapes the carbon offset use cases answer with (ECO-1): the estimated CO2 and offset of a car, a
policy year's figures, the `carbon` block of quotes and policies, a policy's offsets, the customer's yearly
statement and the insurer's portfolio report. TypedDicts, so they are plain dicts at run time and FastAPI
describes them in the OpenAPI document; keys are declared in the order the use cases build them (the order
they go on the wire). Shapes with `from`/`to` keys use the functional form (`from` is a Python keyword)."""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 (the brief: both from typing_extensions)

# -- figures computed from the product and the risk (carbon/usecases/views.py) --------------------------


class EmissionView(TypedDict):
    """The estimated annual CO2 of one car at one declared mileage, the part offset, and the working."""

    estimated_annual_co2_tonnes: str
    estimated: bool
    gkm: int
    gkm_source: str
    estimate_row: str | None
    estimate_basis: str | None
    annual_mileage: int
    offset_percent: str
    annual_offset_tonnes: str
    working: str


class CarView(TypedDict):
    """The car of a stretch of the policy year, as the figures use it."""

    registration: str
    make: str
    model: str
    fuel: str | None
    engine_cc: int | None
    co2_gkm: int | None


# A stretch of the policy year with one car and mileage: its dates, the car (left out where asked), its
# emission figures and its share of the year's offset.
StretchView = TypedDict("StretchView", {
    "from": str, "to": str, "days_on_cover": int, "on_cover_until": str | None, "vehicle": NotRequired[CarView],
    "estimated_annual_co2_tonnes": str, "estimated": bool, "gkm": int, "gkm_source": str,
    "estimate_row": str | None, "estimate_basis": str | None, "annual_mileage": int, "offset_percent": str,
    "annual_offset_tonnes": str, "working": str, "year_share_tonnes": str,
})


class YearProject(TypedDict):
    """One project's part of a policy year's offset as it stands."""

    code: str
    name: str
    country: str
    share_percent: str
    tonnes: str
    cost: str


# The policy year's offset as it stands: its dates, tonnes and cost, each project's part and each stretch's
# inputs, with the formula and rounding.
YearView = TypedDict("YearView", {
    "from": str, "to": str, "cover_ends": str, "days_in_year": int, "product": str, "offset_tonnes": str,
    "cost": str, "price_per_tonne": str, "estimated": bool, "projects": list[YearProject],
    "stretches": list[StretchView], "formula": str, "rounding": str,
})


class SummaryProject(TypedDict):
    """One project's part of the policy year's offset, on a quote or policy."""

    code: str
    name: str
    country: str
    share_percent: str
    tonnes: str


class CarbonSummary(TypedDict):
    """The `carbon` block of a quote: the car's estimated CO2 and the offset the policy year would buy."""

    estimated_annual_co2_tonnes: str
    estimated: bool
    gkm: int
    gkm_source: str
    estimate_row: str | None
    estimate_basis: str | None
    annual_mileage: int
    offset_percent: str
    annual_offset_tonnes: str
    working: str
    policy_year_offset_tonnes: str
    policy_year_estimated: bool
    projects: list[SummaryProject]
    formula: str
    note: NotRequired[str]


class PolicyCarbonSummary(TypedDict):
    """The `carbon` block of a policy: the policy year, the car on cover today and the year's offset."""

    policy_year: int
    estimated_annual_co2_tonnes: str
    estimated: bool
    gkm: int
    gkm_source: str
    estimate_row: str | None
    estimate_basis: str | None
    annual_mileage: int
    offset_percent: str
    annual_offset_tonnes: str
    working: str
    policy_year_offset_tonnes: str
    policy_year_estimated: bool
    projects: list[SummaryProject]
    formula: str
    note: NotRequired[str]


class QuoteCarbon(TypedDict):
    """Spread into a quote: `carbon` only for a product that offsets (and a quote whose answers remain)."""

    carbon: NotRequired[CarbonSummary]


class PolicyCarbon(TypedDict):
    """Spread into a policy: `carbon` only for a term of a product that offsets."""

    carbon: NotRequired[PolicyCarbonSummary]


# -- recorded offsets (carbon/usecases/offsets.py) ---------------------------------------------------------


class RecordProject(TypedDict):
    """One project's part of recorded offsets: tonnes and cost."""

    code: str
    name: str
    country: str
    share_percent: str
    tonnes: str
    cost: str


class OffsetRecordView(TypedDict):
    """A purchase, top-up or reduction recorded for a policy year, and the year's figures after it."""

    id: str
    policy_year: int
    transaction_id: str
    kind: str
    effective_date: str
    recorded_at: str
    product: str
    tonnes: str
    cost: str
    year_tonnes_after: str
    year_cost_after: str
    price_per_tonne: str
    estimated: bool
    projects: list[RecordProject]
    # The inputs the record was computed from, stored JSON as recorded (carbon/domain.py basis_of).
    basis: dict[str, Any]


class YearSummary(TypedDict):
    """What was recorded for one policy year: the year's offset, each project's part and every record."""

    offset_tonnes: str
    cost: str
    estimated: bool
    projects: list[RecordProject]
    records: list[OffsetRecordView]


# One policy year of a policy's offsets: its number and dates, and what was recorded for it.
PolicyOffsetsYear = TypedDict("PolicyOffsetsYear", {
    "policy_year": int, "from": str, "to": str, "offset_tonnes": str, "cost": str, "estimated": bool,
    "projects": list[RecordProject], "records": list[OffsetRecordView],
})


class PolicyOffsets(TypedDict):
    """A policy's carbon offset: the current year's figures as they stand and every year's records."""

    policy_id: str
    number: str
    product_code: str
    current: PolicyCarbonSummary | None
    years: list[PolicyOffsetsYear]


class StatementCheck(TypedDict):
    """What was recorded for the year against the year's figures recomputed from the policy."""

    recorded_tonnes: str | None
    recomputed_tonnes: str
    agree: bool


# The customer's carbon statement for one policy year: tonnes offset per project, the cost, the records,
# the year's figures recomputed with the car and mileage behind them (None once anonymised or for a product
# no longer offsetting), the check, and notes.
CarbonStatement = TypedDict("CarbonStatement", {
    "policy_id": str, "number": str, "product_code": str, "policy_year": int, "from": str, "to": str,
    "prepared_on": str, "offset_tonnes": str, "cost": str, "estimated": bool, "projects": list[RecordProject],
    "records": list[OffsetRecordView], "formula": str, "rounding": str, "figures": YearView | None,
    "check": StatementCheck | None, "notes": list[str],
})


class PortfolioProject(TypedDict):
    """One project's offsets recorded in the period."""

    code: str
    name: str
    country: str
    tonnes: str
    cost: str
    policies: int


class PortfolioTotalsView(TypedDict):
    """The period's totals and how many policy years used an estimated g/km."""

    tonnes: str
    cost: str
    policies: int
    policy_years: int
    estimated_policy_years: int


class PortfolioKind(TypedDict):
    """The records of one kind (purchase, top-up, reduction...) in the period."""

    kind: str
    records: int
    tonnes: str
    cost: str


# The insurer's portfolio report for a period: per project, the totals, and the records by kind.
CarbonPortfolio = TypedDict("CarbonPortfolio", {
    "from": str, "to": str, "period": str, "currency": str, "projects": list[PortfolioProject],
    "totals": PortfolioTotalsView, "by_kind": list[PortfolioKind], "estimates": str,
})

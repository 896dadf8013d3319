"""The port for recorded carbon offsets (ECO-1): each purchase, top-up or reduction of a policy year's
offset, and its split across the projects. Records are only ever added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class OffsetLine:
    """One project's part of a record: the change in kilograms and pence it brought."""

    project_code: str
    project_name: str
    country: str
    share_percent: str
    co2_kg: int
    cost_pence: int


@dataclass(frozen=True)
class OffsetRecord:
    """A purchase (new business, renewal) or a change (top-up, reduction, recomputed with no change) of
    one policy year's offset. `co2_kg`/`cost_pence` are the change; `year_*` the year's figures after it."""

    record_id: str
    policy_id: str
    term_no: int
    transaction_id: str
    kind: str
    effective_date: date
    recorded_at: datetime
    product_ref: str
    term_start: date
    term_end: date
    co2_kg: int
    cost_pence: int
    year_co2_kg: int
    year_cost_pence: int
    price_pence_per_tonne: int
    currency: str
    estimated: bool
    basis: dict[str, Any]
    lines: tuple[OffsetLine, ...]


@dataclass(frozen=True)
class ProjectTotal:
    project_code: str
    project_name: str
    country: str
    co2_kg: int
    cost_pence: int
    policies: int


@dataclass(frozen=True)
class KindTotal:
    kind: str
    records: int
    co2_kg: int
    cost_pence: int


@dataclass(frozen=True)
class PortfolioTotals:
    """What was recorded in a period, added up: per project, per kind of record, and the counts."""

    projects: tuple[ProjectTotal, ...]
    kinds: tuple[KindTotal, ...]
    policies: int
    policy_years: int
    estimated_policy_years: int
    currencies: tuple[str, ...]


class CarbonOffsetRepository(Protocol):
    def add(self, record: OffsetRecord) -> None: ...
    def for_policy(self, policy_id: str, term_no: int | None = None) -> list[OffsetRecord]:
        """The policy's records (of one policy year), in the order they were recorded."""
        ...
    def recorded_by_project(self, policy_id: str, term_no: int) -> dict[str, tuple[int, int]]:
        """Project code -> (kilograms, pence) recorded so far for the policy year."""
        ...
    def portfolio(self, start: datetime, end: datetime) -> PortfolioTotals:
        """Totals of the records made in [start, end)."""
        ...

"""What an eco product promises about carbon offsetting (ECO-1), as product data: the projects the
offset is bought from and each one's share, the price per tonne, the share of the estimated CO2 that is
offset, and the table that estimates g/km for a car whose record has no CO2 figure.

Kept apart from the calculations (`offsets`) so the product model can hold it without importing the
policy model."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from covernote.kernel.money import Money

# The fuel types a vehicle record may carry (the API accepts these).
FUELS = ("petrol", "diesel", "hybrid", "electric", "lpg")


@dataclass(frozen=True)
class OffsetProject:
    """A project the offset is bought from, and the share of every offset allocated to it."""

    code: str
    name: str
    country: str
    share_percent: Decimal


@dataclass(frozen=True)
class EngineBand:
    """Engine sizes low_cc <= cc < high_cc (either end may be open) and the g/km assumed for them."""

    low_cc: int | None
    high_cc: int | None
    gkm: int

    def matches(self, cc: int) -> bool:
        return (self.low_cc is None or cc >= self.low_cc) and (self.high_cc is None or cc < self.high_cc)

    def label(self) -> str:
        if self.low_cc is None and self.high_cc is None:
            return "any engine size"
        if self.low_cc is None:
            return f"under {self.high_cc} cc"
        if self.high_cc is None:
            return f"{self.low_cc} cc and over"
        return f"{self.low_cc} cc to under {self.high_cc} cc"


@dataclass(frozen=True)
class FuelEstimate:
    """The estimate rows of one fuel type: by engine band, and the figure when the engine size is not
    known (or the fuel has no bands)."""

    fuel: str
    engine_unknown_gkm: int
    bands: tuple[EngineBand, ...] = ()


@dataclass(frozen=True)
class Estimate:
    """An estimated g/km and the row of the table it comes from."""

    gkm: int
    row: str  # e.g. "petrol, 1400 cc to under 2000 cc"
    basis: str  # the sentence shown to the customer


@dataclass(frozen=True)
class EstimateTable:
    """g/km by fuel type and engine size, for a car whose record has no CO2 figure."""

    source: str
    unknown_fuel_gkm: int
    fuels: tuple[FuelEstimate, ...]

    def estimate(self, fuel: str | None, engine_cc: int | None) -> Estimate:
        """The table's figure for a fuel type and engine size; either may be unknown."""
        row = next((f for f in self.fuels if fuel is not None and f.fuel == fuel), None)
        if row is None:
            why = "the fuel type is not recorded" if fuel is None else f"fuel type {fuel!r} is not in the table"
            return Estimate(self.unknown_fuel_gkm, "fuel type unknown",
                            f"estimated at {self.unknown_fuel_gkm} g/km: {why}, so the table's figure for a car "
                            "of unknown fuel type is used")
        if engine_cc is not None and row.bands:
            band = next((b for b in row.bands if b.matches(engine_cc)), None)
            if band is not None:
                label = f"{row.fuel}, {band.label()}"
                return Estimate(band.gkm, label, f"estimated at {band.gkm} g/km from the table row {label}")
        if row.bands and engine_cc is None:
            label = f"{row.fuel}, engine size unknown"
        else:
            label = f"{row.fuel}, any engine size"
        return Estimate(row.engine_unknown_gkm, label,
                        f"estimated at {row.engine_unknown_gkm} g/km from the table row {label}")


@dataclass(frozen=True)
class CarbonOffsetSpec:
    """An eco product's carbon offsetting (ECO-1).

    `offset_percent`: the share of the estimated annual CO2 that is offset. `price_per_tonne`: what the
    insurer pays per tonne offset. `projects`: where the offset is bought, with shares summing to 100.
    """

    offset_percent: Decimal
    price_per_tonne: Money
    projects: tuple[OffsetProject, ...]
    estimates: EstimateTable
    source: str = ""

    @property
    def shares(self) -> list[Decimal]:
        return [p.share_percent for p in self.projects]

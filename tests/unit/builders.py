"""Small pure builders for unit tests (no database, no app layer)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from covernote.kernel.money import Money
from covernote.policy.domain.risk import Driver, Risk, Vehicle, make_answers

PRODUCTS = Path(__file__).resolve().parents[2] / "products"


def vehicle(reg: str = "AB12CDE", value: str = "9000", group: int | None = 12, year: int = 2019) -> Vehicle:
    return Vehicle(reg, "Toyota", "Yaris", year, Money.of(value), abi_group=group, fuel="petrol", engine_cc=1500,
                   co2_gkm=110, mileage=30000)


def driver(driver_id: str = "d1", born: date = date(1985, 3, 4), licensed: date = date(2004, 6, 1),
           name: str = "Ann Example") -> Driver:
    return Driver(driver_id, name, born, licensed)


def motor_risk(ncd_years: int = 5, mileage: int = 8000, postcode: str = "LS1 4AB",
               drivers: tuple[Driver, ...] | None = None, veh: Vehicle | None = None, **answers: Any) -> Risk:
    return Risk(veh or vehicle(), drivers or (driver(),), postcode,
                make_answers({"annual_mileage": mileage, "ncd_years": ncd_years, **answers}))


def young_risk(**answers: Any) -> Risk:
    return Risk(vehicle("YD19ABC", "6000", 8, 2019), (driver("y1", date(2006, 5, 1), date(2024, 6, 1), "Sam Young"),),
                "M1 1AE", make_answers({"annual_mileage": 6000, "ncd_years": 0, **answers}))

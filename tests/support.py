"""Builders for tests: risks, customers and policies in a known state."""

from __future__ import annotations

from datetime import date
from typing import Any

from covernote.identity.usecases import SYSTEM
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.lifecycle.usecases import adjustments, cancellations, quotes
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change, Driver, Risk, Vehicle, make_answers
from covernote.policy.usecases import customers


def vehicle(reg: str = "AB12CDE", value: str = "9000", group: int = 12, year: int = 2019) -> Vehicle:
    return Vehicle(reg, "Toyota", "Yaris", year, Money.of(value), abi_group=group, fuel="petrol", engine_cc=1500,
                   co2_gkm=110, mileage=30000)


def driver(driver_id: str = "d1", born: date = date(1985, 3, 4), licensed: date = date(2004, 6, 1),
           name: str = "Ann Example") -> Driver:
    return Driver(driver_id, name, born, licensed)


def motor_risk(ncd_years: int = 5, mileage: int = 8000, postcode: str = "LS1 4AB", drivers: tuple[Driver, ...] | None = None,
               **answers: Any) -> Risk:
    return Risk(vehicle(), drivers or (driver(),), postcode,
                make_answers({"annual_mileage": mileage, "ncd_years": ncd_years, **answers}))


def young_risk(**answers: Any) -> Risk:
    return Risk(vehicle("YD19ABC", "6000", 8, 2019), (driver("y1", date(2006, 5, 1), date(2024, 6, 1), "Sam Young"),),
                "M1 1AE", make_answers({"annual_mileage": 6000, "ncd_years": 0, **answers}))


def warranty_risk(**answers: Any) -> Risk:
    return Risk(vehicle("WA19RNT", "12000", 20, 2019), (), "BS1 4DJ", make_answers({"plan": "silver", **answers}))


def new_customer(ctx: AppContext, name: str = "Ann Example") -> str:
    return customers.create_customer(ctx, SYSTEM, name=name, email="ann@example.org", address="1 High Street, Leeds",
                                     postcode="LS1 4AB")["id"]


def bind(ctx: AppContext, product: str = "ECO", risk: Risk | None = None, start: date | None = None,
         customer_id: str | None = None, token: str = "tok_visa", documents_on: date | None = None) -> dict[str, Any]:
    """Quote and bind a policy starting `start` (default: today on the context's clock)."""
    cid = customer_id or new_customer(ctx)
    r = risk or (young_risk() if product == "YOUNG_DRIVER" else warranty_risk() if product == "WARRANTY" else motor_risk())
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest(product, start or ctx.today(), r, cid))
    return quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token=token, idempotency_key=new_id("key"),
                             documents_on=documents_on)


def adjust(ctx: AppContext, policy_id: str, effective: date, *changes: Change, until: date | None = None,
           smartbox: str | None = None) -> dict[str, Any]:
    q = adjustments.quote_adjustment(ctx, SYSTEM, policy_id, adjustments.AdjustmentRequest(
        effective, tuple(changes), until, smartbox, "test change"))  # type: ignore[arg-type]
    return adjustments.confirm_adjustment(ctx, SYSTEM, policy_id, q["id"], new_id("key"))


def cancel(ctx: AppContext, policy_id: str, effective: date, by: str = "customer") -> dict[str, Any]:
    q = cancellations.quote_cancellation(ctx, SYSTEM, policy_id, cancellations.CancelInput(effective, "test", by))
    return cancellations.confirm_cancellation(ctx, SYSTEM, policy_id, q["id"], new_id("key"))


def run_notices_after(ctx: AppContext, days: int = 14) -> dict[str, Any]:
    """PAY-3: the daily notice step run `days` after now (without moving the test's clock): every notice sent
    by now is due by then (14 days after its letter) and is taken or paid."""
    from dataclasses import replace
    from datetime import timedelta

    from covernote.billing.usecases import notices
    from covernote.kernel.clock import FixedClock

    notices.send_letters(ctx)  # the letters the day's changes left to the daily step (the renewal batch's)
    later = replace(ctx, clock=FixedClock(ctx.clock.now() + timedelta(days=days)))
    return dict(notices.run_notices(later, later.today()))

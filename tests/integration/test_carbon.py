"""ECO-1 through the use cases, on SQLite and PostgreSQL: binding an eco policy buys the policy year's
offset; a change of car or mileage tops it up or reduces it for the rest of the year; a cancellation
reduces it to the days on cover; a renewal buys the next year; nothing recorded is rewritten; the
customer's statement and the insurer's portfolio add up. Expected figures are worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from covernote.carbon.usecases import offsets as carbon
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Forbidden, NotFound, ValidationFailed
from covernote.lifecycle.usecases import policies, quotes, renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change, Risk
from tests.support import adjust, bind, cancel, driver, motor_risk, new_customer, vehicle

T = Decimal("0.001")
START = date(2026, 11, 22)  # the fixed clock's day; a policy year to 2027-11-22 has 365 days


def risk(gkm: int | None = 92, miles: int = 8000, reg: str = "AB12CDE", fuel: str | None = "petrol",
         cc: int | None = 1500) -> Risk:
    return replace(motor_risk(mileage=miles), vehicle=replace(vehicle(reg), co2_gkm=gkm, fuel=fuel, engine_cc=cc))


def by_hand(value: Decimal) -> str:
    return f"{value.quantize(T, rounding=ROUND_HALF_UP):f}"


def offsets(ctx: AppContext, policy_id: str) -> list[dict[str, Any]]:
    return [r for y in carbon.policy_offsets(ctx, SYSTEM, policy_id)["years"] for r in y["records"]]


def test_eco1_bind_buys_the_policy_years_offset_for_a_known_car_and_mileage(db_ctx: AppContext) -> None:
    cid = new_customer(db_ctx)
    q = quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("ECO", START, risk(92, 8000), cid))
    # 92 g/km x 8,000 miles x 1.609344 / 1,000,000 = 1.184477184 t -> 1.184 t
    assert q["carbon"]["estimated_annual_co2_tonnes"] == "1.184" and q["carbon"]["estimated"] is False
    assert q["carbon"]["policy_year_offset_tonnes"] == "1.184"
    p = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="carbon-bind-1")
    assert p["carbon"]["estimated_annual_co2_tonnes"] == "1.184" and p["carbon"]["policy_year"] == 1
    [purchase] = offsets(db_ctx, p["id"])
    assert purchase["kind"] == "purchase" and purchase["effective_date"] == "2026-11-22"
    assert (purchase["tonnes"], purchase["cost"], purchase["year_tonnes_after"]) == ("1.184", "11.84", "1.184")
    assert purchase["price_per_tonne"] == "10.00" and purchase["estimated"] is False
    # 1,184 kg and 1,184 pence by 40/20/20/20, largest remainder: 473, 237, 237, 237
    assert [(x["code"], x["tonnes"], x["cost"]) for x in purchase["projects"]] == [
        ("SL_FOREST", "0.473", "4.73"), ("KE_WATER", "0.237", "2.37"), ("IN_STOVES", "0.237", "2.37"),
        ("KE_STOVES", "0.237", "2.37")]
    basis = purchase["basis"]
    assert basis["formula"] == "tonnes = g/km x annual miles x 1.609344 / 1,000,000"
    assert basis["stretches"] == [{"from": "2026-11-22", "to": "2027-11-22", "days_on_cover": 365,
                                   "gkm_source": "vehicle record", "estimate_row": None, "estimate_gkm": None,
                                   "annual_co2_tonnes": "1.184", "annual_offset_tonnes": "1.184"}]
    # a replayed bind records nothing more
    again = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="carbon-bind-1")
    assert again["idempotent_replay"] is True and len(offsets(db_ctx, p["id"])) == 1


def test_eco1_change_of_car_by_mta_tops_up_the_rest_of_the_year_without_rewriting_the_purchase(
        db_ctx: AppContext, clock: FixedClock) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    clock.advance(timedelta(days=181))  # 2027-05-22: 181 days gone, 184 left
    assert db_ctx.today() == date(2027, 5, 22)
    new_car = replace(vehicle("CD34EFG"), co2_gkm=150)
    adjust(db_ctx, p["id"], db_ctx.today(), Change("replace_vehicle", vehicle=new_car))
    purchase, top_up = offsets(db_ctx, p["id"])
    assert (purchase["kind"], purchase["tonnes"], purchase["year_tonnes_after"]) == ("purchase", "1.184", "1.184")
    # 150 g/km x 8,000 x 1.609344 / 1e6 = 1.9312128 -> 1.931 t a year; the year: 1.184 x 181/365 + 1.931 x 184/365
    year = by_hand(Decimal("1.184") * 181 / 365 + Decimal("1.931") * 184 / 365)
    assert year == "1.561"
    assert (top_up["kind"], top_up["effective_date"], top_up["tonnes"], top_up["year_tonnes_after"]) == (
        "top_up", "2027-05-22", "0.377", year)
    assert top_up["cost"] == "3.77" and top_up["year_cost_after"] == "15.61"
    assert sum(Decimal(x["tonnes"]) for x in top_up["projects"]) == Decimal("0.377")
    assert [s["annual_co2_tonnes"] for s in top_up["basis"]["stretches"]] == ["1.184", "1.931"]
    now = policies.get_policy(db_ctx, SYSTEM, p["id"])["carbon"]
    assert now["estimated_annual_co2_tonnes"] == "1.931" and now["policy_year_offset_tonnes"] == year
    s = carbon.statement(db_ctx, SYSTEM, p["id"])
    assert s["offset_tonnes"] == year and s["check"] == {"recorded_tonnes": year, "recomputed_tonnes": year,
                                                         "agree": True}
    assert [st["vehicle"]["registration"] for st in s["figures"]["stretches"]] == ["AB12CDE", "CD34EFG"]
    assert [st["gkm"] for st in s["figures"]["stretches"]] == [92, 150]


def test_eco1_lower_mileage_reduces_and_a_change_of_driver_records_nothing(db_ctx: AppContext,
                                                                           clock: FixedClock) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    clock.advance(timedelta(days=92))  # 2027-02-22
    adjust(db_ctx, p["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Second Driver")))
    assert len(offsets(db_ctx, p["id"])) == 1
    adjust(db_ctx, p["id"], db_ctx.today(), Change("set_answer", question="annual_mileage", value="4000"))
    records = offsets(db_ctx, p["id"])
    # 92 x 4,000 x 1.609344 / 1e6 = 0.592238592 -> 0.592 t a year from day 92: 1.184 x 92/365 + 0.592 x 273/365
    year = by_hand(Decimal("1.184") * 92 / 365 + Decimal("0.592") * 273 / 365)
    assert [(r["kind"], r["tonnes"], r["year_tonnes_after"]) for r in records] == [
        ("purchase", "1.184", "1.184"), ("reduction", f"{Decimal(year) - Decimal('1.184'):f}", year)]


def test_eco1_change_to_the_same_g_km_is_recorded_as_a_recomputation(db_ctx: AppContext, clock: FixedClock) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    clock.advance(timedelta(days=10))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("replace_vehicle", vehicle=replace(vehicle("EF56GHJ"), co2_gkm=92)))
    records = offsets(db_ctx, p["id"])
    assert [(r["kind"], r["tonnes"], r["cost"]) for r in records] == [("purchase", "1.184", "11.84"),
                                                                      ("recomputed", "0.000", "0.00")]


def test_eco1_cancellation_pro_rates_the_years_offset_to_the_days_on_cover(db_ctx: AppContext,
                                                                           clock: FixedClock) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    clock.advance(timedelta(days=100))
    cancel(db_ctx, p["id"], db_ctx.today())
    purchase, reduction = offsets(db_ctx, p["id"])
    year = by_hand(Decimal("1.184") * 100 / 365)  # 0.32438... -> 0.324
    assert year == "0.324"
    assert (reduction["kind"], reduction["effective_date"], reduction["tonnes"], reduction["year_tonnes_after"]) == (
        "reduction", "2027-03-02", "-0.860", year)
    assert (reduction["cost"], reduction["year_cost_after"]) == ("-8.60", "3.24")
    assert purchase["tonnes"] == "1.184"  # the purchase stands; the reduction is its own record
    s = carbon.statement(db_ctx, SYSTEM, p["id"])
    assert s["offset_tonnes"] == year and s["figures"]["cover_ends"] == "2027-03-02" and s["check"]["agree"]
    stretch = s["figures"]["stretches"][0]  # the year as planned, and its cover cut short by the cancellation
    assert (stretch["days_on_cover"], stretch["on_cover_until"]) == (100, "2027-03-02")
    assert sum(Decimal(x["tonnes"]) for x in s["projects"]) == Decimal(year)


def test_eco1_cancelled_from_the_first_day_offsets_nothing(db_ctx: AppContext) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    cancel(db_ctx, p["id"], db_ctx.today())
    assert [(r["kind"], r["year_tonnes_after"], r["year_cost_after"]) for r in offsets(db_ctx, p["id"])] == [
        ("purchase", "1.184", "11.84"), ("reduction", "0.000", "0.00")]


def test_eco1_car_without_co2_is_estimated_from_fuel_and_engine_and_marked(db_ctx: AppContext) -> None:
    p = bind(db_ctx, risk=risk(None, 8000, fuel="petrol", cc=1500))
    # table row petrol 1400-1999 cc: 180 g/km x 8,000 x 1.609344 / 1e6 = 2.31745536 -> 2.317 t
    view = p["carbon"]
    assert view["estimated"] is True and view["gkm"] == 180 and view["gkm_source"] == "estimate"
    assert view["estimate_row"] == "petrol, 1400 cc to under 2000 cc" and "estimated" in view["note"]
    assert view["estimated_annual_co2_tonnes"] == "2.317"
    [purchase] = offsets(db_ctx, p["id"])
    assert purchase["estimated"] is True and purchase["tonnes"] == "2.317"
    assert purchase["basis"]["stretches"][0]["estimate_row"] == "petrol, 1400 cc to under 2000 cc"
    assert purchase["basis"]["stretches"][0]["estimate_gkm"] == 180
    assert "ILLUSTRATIVE" in purchase["basis"]["estimate_source"]
    s = carbon.statement(db_ctx, SYSTEM, p["id"])
    assert s["estimated"] is True and any("estimate" in n for n in s["notes"])
    html = carbon.statement_html(s)
    assert "(estimated)" in html and "estimate</span>" in html and "2.317" in html


def test_eco1_renewal_buys_the_next_policy_years_offset(db_ctx: AppContext, clock: FixedClock) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(db_ctx, SYSTEM, p["id"])
    renewed = renewals.confirm_renewal(db_ctx, SYSTEM, p["id"], offer["id"], "carbon-renew-1")
    assert renewed["carbon"]["policy_year"] == 2
    years = carbon.policy_offsets(db_ctx, SYSTEM, p["id"])["years"]
    assert [(y["policy_year"], y["from"], y["offset_tonnes"]) for y in years] == [
        (1, "2026-11-22", "1.184"), (2, "2027-11-22", "1.184")]
    assert years[1]["records"][0]["kind"] == "purchase" and years[1]["records"][0]["effective_date"] == "2027-11-22"
    assert carbon.statement(db_ctx, SYSTEM, p["id"])["policy_year"] == 1  # year 2 has not begun yet
    assert carbon.statement(db_ctx, SYSTEM, p["id"], 2)["offset_tonnes"] == "1.184"


def test_eco1_other_products_are_untouched(db_ctx: AppContext) -> None:
    p = bind(db_ctx, "YOUNG_DRIVER")
    assert "carbon" not in p and "carbon" not in policies.get_policy(db_ctx, SYSTEM, p["id"])
    with pytest.raises(NotFound) as err:
        carbon.policy_offsets(db_ctx, SYSTEM, p["id"])
    assert err.value.issues[0].field == "policy_id"
    with db_ctx.uow(read_only=True) as uow:
        assert uow.carbon.for_policy(p["id"]) == []


def test_eco1_portfolio_adds_up_tonnes_cost_policies_and_estimates(db_ctx: AppContext, clock: FixedClock) -> None:
    a = bind(db_ctx, risk=risk(92, 8000))
    b = bind(db_ctx, risk=risk(None, 8000, reg="XY12ZZZ", fuel="diesel", cc=1600))  # 140 g/km -> 1.802 t
    assert b["carbon"]["estimated_annual_co2_tonnes"] == by_hand(Decimal(140) * 8000 * Decimal("1.609344") / 10**6)
    clock.advance(timedelta(days=100))
    cancel(db_ctx, a["id"], db_ctx.today())  # a: 0.324 t kept
    report = carbon.portfolio(db_ctx, SYSTEM, date(2026, 11, 1), date(2027, 12, 1))
    assert report["totals"] == {"tonnes": "2.126", "cost": "21.26", "policies": 2, "policy_years": 2,
                                "estimated_policy_years": 1}
    assert [p["code"] for p in report["projects"]] == ["SL_FOREST", "KE_WATER", "IN_STOVES", "KE_STOVES"]
    assert sum(Decimal(p["tonnes"]) for p in report["projects"]) == Decimal("2.126")
    assert sum(Decimal(p["cost"]) for p in report["projects"]) == Decimal("21.26")
    assert all(p["policies"] == 2 for p in report["projects"])
    assert {k["kind"]: (k["records"], k["tonnes"]) for k in report["by_kind"]} == {
        "purchase": (2, "2.986"), "reduction": (1, "-0.860")}
    # only what was recorded in the period: the cancellation on 2027-03-02 is outside a period ending that day
    early = carbon.portfolio(db_ctx, SYSTEM, date(2026, 11, 22), date(2027, 3, 2))
    assert early["totals"]["tonnes"] == "2.986" and early["totals"]["policies"] == 2
    assert carbon.portfolio(db_ctx, SYSTEM, date(2025, 1, 1), date(2025, 2, 1))["totals"]["policies"] == 0
    csv = carbon.portfolio_csv(report).splitlines()
    assert csv[0].startswith("from,to,project_code") and csv[-1].startswith("2026-11-01,2027-12-01,TOTAL")
    assert ",2.126,21.26,GBP,2,2,1" in csv[-1]


def test_eco1_who_may_see_offsets_statements_and_the_portfolio(db_ctx: AppContext) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    owner = Principal("usr_owner", "customer", p["customer_id"])
    stranger = Principal("usr_other", "customer", new_customer(db_ctx, "Someone Else"))
    assert carbon.statement(db_ctx, owner, p["id"])["offset_tonnes"] == "1.184"
    assert carbon.policy_offsets(db_ctx, owner, p["number"])["number"] == p["number"]
    with pytest.raises(NotFound):
        carbon.statement(db_ctx, stranger, p["id"])
    with pytest.raises(NotFound):
        carbon.policy_offsets(db_ctx, stranger, p["id"])
    with pytest.raises(Forbidden):
        carbon.portfolio(db_ctx, owner, date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize(("year", "reason"), [(0, "numbered from 1"), (2, "policy years 1 to 1; got 2")])
def test_eco1_statement_for_a_year_the_policy_does_not_have_names_year(db_ctx: AppContext, year: int,
                                                                       reason: str) -> None:
    p = bind(db_ctx, risk=risk(92, 8000))
    with pytest.raises(ValidationFailed) as err:
        carbon.statement(db_ctx, SYSTEM, p["id"], year)
    assert err.value.issues[0].field == "year" and reason in err.value.issues[0].reason


def test_eco1_portfolio_period_must_not_be_empty(db_ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as err:
        carbon.portfolio(db_ctx, SYSTEM, date(2027, 1, 1), date(2027, 1, 1))
    assert err.value.issues[0].field == "to"

"""REST resources: carbon offsetting for eco policies (ECO-1): a policy's offsets, the customer's yearly
statement (JSON or a printable HTML page) and the insurer's portfolio report (JSON or CSV)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from covernote.carbon.results import CarbonPortfolio, CarbonStatement, PolicyOffsets
from covernote.carbon.usecases import offsets as carbon
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day

router = APIRouter(tags=["carbon"], route_class=OneHopRoute)


@router.get("/policies/{policy_id}/carbon")
def policy_offsets(ctx: Ctx, who: Caller, policy_id: str) -> PolicyOffsets:
    """The policy's carbon offset: the car on cover now with its estimated annual CO2 (g/km from the vehicle
    record, or an estimate by fuel and engine size, flagged), the current policy year's offset per project,
    and every purchase, top-up and reduction recorded, year by year. Customers see their own policies; a
    policy of a product without offsetting is 404."""
    return carbon.policy_offsets(ctx, who, policy_id)


@router.get("/policies/{policy_id}/carbon/statement", response_model=CarbonStatement, responses=also_as("text/html"))
def statement(ctx: Ctx, who: Caller, policy_id: str,
              year: int | None = Query(None, description="The policy year number (1 = the first); default the "
                                                         "latest that has begun"),
              format: Literal["json", "html"] = "json") -> CarbonStatement | Response:
    """The customer's yearly carbon statement: tonnes offset per project, the car and mileage behind them,
    the estimate flag, the formula and rounding, the year's records and a recomputation check.
    `format=html` gives a page to read or print."""
    s = carbon.statement(ctx, who, policy_id, year)
    if format == "html":
        return Response(carbon.statement_html(s), media_type="text/html")
    return s


@router.get("/carbon/portfolio", response_model=CarbonPortfolio, responses=also_as("text/csv"))
def portfolio(ctx: Ctx, who: Caller,
              start: Day = Query(alias="from", description="The first London day of the period"),
              end: Day = Query(alias="to", description="The day after the period (the period is half-open)"),
              format: Literal["json", "csv"] = "json") -> CarbonPortfolio | Response:
    """Staff: the offsets recorded in a period: tonnes and cost per project, the number of policies and
    policy years, how many used an estimate, and the records by kind. `format=csv` for a spreadsheet."""
    report = carbon.portfolio(ctx, who, start, end)
    if format == "csv":
        return Response(carbon.portfolio_csv(report), media_type="text/csv")
    return report

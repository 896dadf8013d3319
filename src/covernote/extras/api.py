"""Optional extras' resources beyond quotes, policies, adjustments and renewals (which take `extras`,
`add_extras`, `remove_extras`): the Consumer Duty fair-value report per extra (ADD-1, PAY-7)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from covernote.extras.results import FairValueReport
from covernote.extras.usecases import fair_value_csv, fair_value_report
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day

router = APIRouter(route_class=OneHopRoute)


@router.get("/reports/extras/fair-value", tags=["reports"], response_model=FairValueReport,
            responses=also_as("text/csv"))
def fair_value(ctx: Ctx, who: Caller,
               start: Day = Query(alias="from", description="First day of the period"),
               end: Day = Query(alias="to", description="The day after the period (half-open: [from, to))"),
               product: str | None = Query(None, description="One product code; default every product"),
               format: Literal["json", "csv"] = "json") -> FairValueReport | Response:
    """Staff: per extra and product, the policies it covered, sales, premium written net of refunds, IPT,
    commission and claims recorded (claims paid arrive with the claims module), for fair-value evidence."""
    report = fair_value_report(ctx, who, product, start, end)
    if format == "csv":
        return Response(fair_value_csv(report), media_type="text/csv")
    return report

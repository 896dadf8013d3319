"""REST resources: Retention: the sweep, dealership settings and the record of processing (PRV-1, PRV-5).

Bodies check shape only; the rules (who may, which dates, which periods) are the use cases', so the API
and the CLI refuse the same things with the same field names."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, RequestBody
from covernote.privacy.usecases import processing_record, retention
from covernote.privacy.usecases.results_retention import (
    RecordOfProcessing,
    RetentionRunView,
    RetentionSettings,
    RetentionSettingView,
    SweepAnswer,
)

router = APIRouter(tags=["privacy"], route_class=OneHopRoute)



class SweepIn(RequestBody):
    as_of: Day | None = Field(default=None, description="Judge what is due on this day (default today; never a "
                                                          "future day)")
    dry_run: bool = Field(default=False, description="Report what would be done and write nothing")
    batch_size: int = Field(default=retention.DEFAULT_BATCH, description="Records per unit of work (1 to 5000)")


class SettingIn(RequestBody):
    years: int = Field(description="The period the dealership chose, in whole years, within the category's "
                                   "floor and ceiling")


@router.post("/privacy/retention/sweep")
def sweep(ctx: Ctx, who: Caller, body: SweepIn | None = None) -> SweepAnswer:
    """DPO or administrator: apply every retention rule due (PRV-5) and return the report: counts per rule
    and action, what was held (legal holds, fraud markers), categories with no records held, errors.
    Idempotent: a second run finds nothing more to do. `dry_run` reports without writing."""
    b = body or SweepIn()
    return retention.sweep(ctx, who, b.as_of, b.dry_run, b.batch_size)


@router.get("/privacy/retention/runs")
def list_runs(ctx: Ctx, who: Caller, limit: Limit = 50,
              offset: Offset = 0) -> list[RetentionRunView]:
    """Staff: retention sweeps, newest first, with their reports (counts only, never personal values)."""
    return retention.list_runs(ctx, who, limit, offset)


@router.get("/privacy/retention/runs/{run_id}")
def get_run(ctx: Ctx, who: Caller, run_id: str) -> RetentionRunView:
    """Staff: one retention sweep and its report. A run still `running` was stopped before it finished:
    the batches it finished are done, and the next run carries on."""
    return retention.get_run(ctx, who, run_id)


@router.get("/privacy/retention-settings")
def list_settings(ctx: Ctx, who: Caller) -> RetentionSettings:
    """Staff: the retention categories each dealership sets for itself (S0: FullCycle, FullAuction,
    FullAppraisal) with their floor and ceiling, and the periods dealerships chose."""
    return retention.list_settings(ctx, who)


@router.put("/privacy/retention-settings/{dealership_id}/{category}")
def put_setting(ctx: Ctx, who: Caller, dealership_id: str, category: str, body: SettingIn) -> RetentionSettingView:
    """DPO or administrator: record the period a dealership chose for a category S0 leaves to it. A period
    outside the category's floor and ceiling is refused naming `years`."""
    return retention.put_setting(ctx, who, dealership_id, category, body.years)


@router.get("/privacy/record-of-processing", response_model=RecordOfProcessing, responses=also_as("text/csv"))
def record_of_processing(ctx: Ctx, who: Caller,
                         product: str | None = Query(None, description="A product code (ECO) or version (ECO@2024.1); "
                                                                       "default every product"),
                         format: Literal["json", "csv"] = "json") -> RecordOfProcessing | Response:
    """Staff: the record of processing per product (PRV-1): categories of personal data (from the field
    declarations), purposes and lawful bases, recipients and retention (from the product's notice)."""
    processing_record.check_format(format)
    if format == "csv":
        return Response(processing_record.record_of_processing_csv(ctx, who, product), media_type="text/csv")
    return processing_record.record_of_processing(ctx, who, product)

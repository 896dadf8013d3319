"""REST resources: telematics scores (TEL-3, TEL-4, TEL-10). The policyholder (their own policy only; another's
answers 404) and staff see the policy's current 90-day score and its periods, its journeys a page at a time, and
each journey's events (where, when, what each cost: TEL-3 explainable); staff run the scoring of pending
device-days.

Where the positions and the map are: `COVERNOTE_TELEMATICS_POSITIONS` (default `<data dir>/telematics/positions`)
and `COVERNOTE_TELEMATICS_MAP` (an `.osm` or `.osm.pbf` extract, loaded once when first needed). The device
registry is the assembly's to give (`usecases.scores.use_sources`): until it does, scoring answers 409."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Query
from pydantic import Field

from covernote.identity.api import Caller, Ctx
from covernote.kernel.errors import Conflict, FieldIssue
from covernote.platform.api.contract import conflicts
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.context import AppContext
from covernote.platform.requests import RequestBody
from covernote.settings import Settings
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.ports.scores import ScoringSources
from covernote.telematics.results.scores import JourneyDetail, JourneyList, PolicyScore, ScoringRun
from covernote.telematics.usecases import scores, wiring

router = APIRouter(tags=["telematics"], route_class=OneHopRoute)


# -- the sources from the settings -------------------------------------------------------------------------------


class _LazyNetwork:
    """The road network from an OpenStreetMap extract, loaded on first use and kept (one per process)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._network: RoadNetwork | None = None
        self._lock = threading.Lock()

    def __call__(self) -> RoadNetwork:
        with self._lock:
            if self._network is None:
                if self.path is None:
                    raise Conflict("no road network: set COVERNOTE_TELEMATICS_MAP to an OpenStreetMap extract",
                                   [FieldIssue("COVERNOTE_TELEMATICS_MAP", "the path of an .osm or .osm.pbf file")])
                self._network = load_network(self.path)
            return self._network


def settings_sources(ctx: AppContext) -> ScoringSources:
    """The positions the boxes sent (the context's store, where ingestion writes; else the one the settings
    name), the map the settings name, and the device registry (`usecases/wiring.RegistryAssignments`)."""
    root = os.environ.get("COVERNOTE_TELEMATICS_POSITIONS")
    path = os.environ.get("COVERNOTE_TELEMATICS_MAP")
    stores = ctx.telematics
    store = getattr(stores, "positions", None) if stores is not None and not root else None
    if store is None:
        store = ParquetPositionStore(Path(root) if root else Settings.from_env().data_dir / "telematics" / "positions")
    # the map: the operator's extract, or the shipped Ashcombe network (the demo's and the simulator's roads)
    return ScoringSources(store, _LazyNetwork(Path(path) if path else ASHCOMBE_OSM), wiring.RegistryAssignments(ctx))


scores.use_default_sources(settings_sources)


# -- the resources -----------------------------------------------------------------------------------------------


class ScoringRunIn(RequestBody):
    as_of: date | None = Field(None, description="Score device-days up to this UK day (default today)")


@router.get("/policies/{policy_id}/telematics/score")
def policy_score(ctx: Ctx, who: Caller, policy_id: str) -> PolicyScore:
    """The policy's driving score (TEL-3, TEL-4): the current 90-day period (from the policy's start) and each
    period begun so far, each the mean of its journeys' scores weighted by driving time, with its four
    indicators (speed, time of day, eco, duration), journeys and events counted by kind, and the ruleset, map
    and code versions its days were scored with (TEL-10). The policyholder sees only their own policy."""
    return scores.policy_score(ctx, who, policy_id)


@router.get("/policies/{policy_id}/telematics/journeys")
def policy_journeys(ctx: Ctx, who: Caller, policy_id: str,
                    start: date | None = Query(None, alias="from", description="Journeys started on or after "
                                                                                "this day (UTC)"),
                    end: date | None = Query(None, alias="to", description="Journeys started before this day"),
                    limit: Limit = 50, offset: Offset = 0) -> JourneyList:
    """The policy's scored journeys, newest first, a page at a time: each with its four indicators, overall
    score, distance, driving time and how many events cost it points."""
    return scores.journeys(ctx, who, policy_id, start, end, limit, offset)


@router.get("/policies/{policy_id}/telematics/journeys/{journey_id}")
def policy_journey(ctx: Ctx, who: Caller, policy_id: str, journey_id: str) -> JourneyDetail:
    """One journey with its events (TEL-3 explainable): where (latitude, longitude) and when each began, what
    was measured against which threshold, the points it cost which indicator, and the sentence that says so
    ("38 mph in a 30 limit for 7 s")."""
    return scores.journey(ctx, who, policy_id, journey_id)


@router.post("/telematics/scoring/run", responses=conflicts("Scoring is not configured (positions, map or "
                                                               "device registry)"))
def run_scoring(ctx: Ctx, who: Caller, body: ScoringRunIn | None = None) -> ScoringRun:
    """Staff: score every device-day up to `as_of` whose positions are new or changed since scored (TEL-3).
    Safe to repeat: a second run scores nothing."""
    return scores.score_pending(ctx, who, body.as_of if body else None)

"""TEL-3, TEL-4, TEL-10 through the real app and command line: staff run the scoring; the policyholder sees
their own policy's score, journeys and each journey's events, and another's policy answers 404; the CLI runs,
shows and replays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.identity.usecases import create_user
from covernote.kernel.clock import FixedClock
from covernote.platform.context import AppContext
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.ports.scores import ScoringSources
from covernote.telematics.usecases import scores
from tests.e2e.conftest import Api, Cli, field_names
from tests.integration.test_telematics_scores import (
    DAY,
    DEVICE,
    OTHER_DEVICE,
    Registry,
    fit,
    network,  # noqa: F401 - the module-scoped fixture
    two_drives,
)
from tests.support import new_customer


@pytest.fixture
def api(db_ctx: AppContext) -> Iterator[Api]:
    """The app over the test context on SQLite and PostgreSQL."""
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        yield Api(client, db_ctx)


@pytest.fixture
def scored(api: Api, tmp_path: Path, network: RoadNetwork) -> tuple[str, str]:  # noqa: F811
    """Carol's policy and Dan's, each with a device whose day of two drives is stored (not yet scored)."""
    registry = Registry()
    store = ParquetPositionStore(tmp_path / "positions")
    scores.use_sources(api.ctx, ScoringSources(store, lambda: network, registry))
    mine = fit(api.ctx, registry, DEVICE, api.customer_id)
    theirs = fit(api.ctx, registry, OTHER_DEVICE, new_customer(api.ctx, "Dan Young"))
    two_drives(store, network, DEVICE, DAY)
    two_drives(store, network, OTHER_DEVICE, DAY)
    return mine, theirs


def test_tel3_staff_run_scoring_and_the_customer_sees_their_score_journeys_and_events(
        api: Api, scored: tuple[str, str], clock: FixedClock) -> None:
    """TEL-3, TEL-4: the run scores both device-days once; the customer's score, journeys and a journey's events
    (where, when, what it cost); the other customer's policy and journeys answer 404."""
    mine, theirs = scored
    assert api.post("/telematics/scoring/run", {"as_of": DAY.isoformat()}, token=api.customer).status_code == 403
    run = api.post("/telematics/scoring/run", {"as_of": DAY.isoformat()})
    assert run.status_code == 200, run.text
    assert (run.json()["scored"], run.json()["device_days"]) == (2, 2)
    assert api.post("/telematics/scoring/run", {"as_of": DAY.isoformat()}).json()["scored"] == 0
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))

    score = api.get(f"/policies/{mine}/telematics/score", token=api.customer)
    assert score.status_code == 200, score.text
    current = score.json()["current"]
    assert current["journeys"] == 2 and current["event_counts"]["speeding"] >= 1 and current["score"] < 100
    assert current["rulesets"] == ["YD-2025.1"] and len(current["map_versions"]) == 1

    listed = api.get(f"/policies/{mine}/telematics/journeys?from={DAY}&to={DAY + timedelta(days=1)}&limit=1",
                     token=api.customer)
    assert listed.status_code == 200 and listed.json()["total"] == 2 and len(listed.json()["journeys"]) == 1
    page2 = api.get(f"/policies/{mine}/telematics/journeys?limit=1&offset=1", token=api.customer).json()
    speeding = page2["journeys"][0]
    assert speeding["number"] == 0 and speeding["events"] >= 1
    detail = api.get(f"/policies/{mine}/telematics/journeys/{speeding['id']}", token=api.customer)
    assert detail.status_code == 200
    events = detail.json()["event_list"]
    assert len(events) == speeding["events"]
    assert all(e["kind"] == "speeding" and e["unit"] == "mph" and e["value"] > e["threshold"] and e["points"] > 0
               and abs(e["lat"] - 52.2) < 0.05 and "in a 30 limit" in e["detail"] for e in events)

    for path in (f"/policies/{theirs}/telematics/score", f"/policies/{theirs}/telematics/journeys"):
        assert api.get(path, token=api.customer).status_code == 404
    their_journey = api.get(f"/policies/{theirs}/telematics/journeys").json()["journeys"][0]["id"]  # staff
    wrong = api.get(f"/policies/{mine}/telematics/journeys/{their_journey}", token=api.customer)
    assert wrong.status_code == 404 and "journey_id" in field_names(wrong)
    bad = api.get(f"/policies/{mine}/telematics/journeys?from={DAY}&to={DAY}", token=api.customer)
    assert bad.status_code == 422 and "to" in field_names(bad)
    _, other_customer = create_user(api.ctx, "Dan", "customer", new_customer(api.ctx, "Eve"))
    assert api.get(f"/policies/{mine}/telematics/score", token=other_customer).status_code == 404


def test_tel10_the_cli_runs_shows_and_replays(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TEL-3, TEL-8, TEL-10: from the settings' store and map and the device registry: an empty store runs with
    nothing to score; a stored day of a box fitted to no policy is not scored (said, not crashed); replay of a day
    never scored names the day."""
    monkeypatch.setenv("COVERNOTE_TELEMATICS_POSITIONS", str(tmp_path / "positions"))
    monkeypatch.setenv("COVERNOTE_TELEMATICS_MAP", str(ASHCOMBE_OSM))
    out = cli("telematics", "score", "run", "--as-of", DAY.isoformat())
    assert "0 device-day(s)" in out and "0 scored" in out
    from covernote.telematics.adapters.osm import load_network

    two_drives(ParquetPositionStore(tmp_path / "positions"), load_network(
        ASHCOMBE_OSM), DEVICE, DAY)
    unfitted = cli("telematics", "score", "run", "--as-of", DAY.isoformat())
    assert "0 scored" in unfitted and "1 on no policy" in unfitted and "0 failed" in unfitted
    missing = cli("telematics", "score", "replay", DEVICE, DAY.isoformat(), code=2)
    assert "day" in missing
    bad = cli("telematics", "score", "run", "--as-of", "yesterday", code=2)
    assert "--as-of" in bad


def test_tel10_the_cli_scores_shows_and_replays_a_policys_day(
        cli: Cli, request: pytest.FixtureRequest, tmp_path: Path, catalogue,  # type: ignore[no-untyped-def]
        network: RoadNetwork, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """TEL-3, TEL-10: with a device registry given (as the assembly will), `score run` scores the day, `score show`
    gives the policy's period, `score replay` says the stored day replays to the same score."""
    from tests.conftest import make_ctx

    url = (f"sqlite:///{tmp_path / 'cli.db'}" if request.node.callspec.params["cli"] == "sqlite"
           else request.getfixturevalue("pg_url"))
    ctx = make_ctx(url, catalogue)
    registry = Registry()
    policy_id = fit(ctx, registry, DEVICE)
    store = ParquetPositionStore(tmp_path / "positions")
    two_drives(store, network, DEVICE, DAY)
    monkeypatch.setattr(scores, "_default_sources", lambda _ctx: ScoringSources(store, lambda: network, registry))
    out = cli("telematics", "score", "run", "--as-of", DAY.isoformat())
    assert "1 scored" in out and "0 failed" in out
    assert "1 unchanged" in cli("telematics", "score", "run", "--as-of", DAY.isoformat())
    shown = cli("telematics", "score", "show", policy_id)
    assert "2026-11-22 to 2027-02-20" in shown and "2 journey(s)" in shown and "speeding" in shown
    replayed = cli("telematics", "score", "replay", DEVICE, DAY.isoformat())
    assert "replay matches" in replayed and "YD-2025.1" in replayed

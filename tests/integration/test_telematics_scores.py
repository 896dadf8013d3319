"""TEL-3, TEL-4, TEL-10: device-days of stored positions scored through the one pipeline and stored in SQL with
their journeys and events (SQLite and PostgreSQL); scoring again changes nothing; replay matches; the
policyholder sees their own scores and events, never another's; a period's score is the driving-time weighted
mean of its journeys."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Forbidden, NotFound
from covernote.platform.context import AppContext
from covernote.telematics.adapters.osm import load_network, read_ways
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import period_score
from covernote.telematics.ports.scores import Assignment, ScoringSources
from covernote.telematics.usecases import scores
from tests.support import bind, new_customer
from tests.unit.test_telematics_pipeline import HIGH_STREET, drive

ROOT = Path(__file__).resolve().parents[2]
DEVICE = "356938035643809"
OTHER_DEVICE = "356938035643810"
DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return load_network(ASHCOMBE_OSM)


class Registry:
    """A stand-in for the device registry: device -> its policy, on every day."""

    def __init__(self) -> None:
        self.fitted: dict[str, Assignment] = {}

    def assignment(self, device_id: str, day: date) -> Assignment | None:
        return self.fitted.get(device_id)


def fit(ctx: AppContext, registry: Registry, device_id: str, customer_id: str | None = None) -> str:
    """Bind a young-driver policy (starting on the clock's day) and fit the device to it; its policy id."""
    p = bind(ctx, "YOUNG_DRIVER", customer_id=customer_id)
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(p["id"])
    assert policy is not None
    registry.fitted[device_id] = Assignment(policy.policy_id, policy.customer_id, policy.term().product_ref)
    return policy.policy_id


def positions(network: RoadNetwork, device_id: str, mph: float, start: datetime, seq0: int = 0) -> pa.Table:
    t = drive(network, HIGH_STREET, mph, start)
    t = t.set_column(t.schema.get_field_index("device_id"), "device_id",
                     pa.array([device_id] * t.num_rows, pa.string()))
    seq = pa.array([s + seq0 for s in t["seq"].to_pylist()], pa.int64())
    return t.set_column(t.schema.get_field_index("seq"), "seq", seq).cast(t.schema)


@pytest.fixture
def setup(db_ctx: AppContext, tmp_path: Path, network: RoadNetwork) -> tuple[ScoringSources, Registry]:
    registry = Registry()
    sources = ScoringSources(ParquetPositionStore(tmp_path / "positions"), lambda: network, registry)
    scores.use_sources(db_ctx, sources)
    return sources, registry


def two_drives(store: ParquetPositionStore, network: RoadNetwork, device_id: str, day: date) -> None:
    """A speeding drive (37 mph in the 30 of High Street) at 11:00 and a legal one (25 mph) at 14:00 UTC."""
    at = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
    store.append(positions(network, device_id, 37, at))
    store.append(positions(network, device_id, 25, at + timedelta(hours=3), seq0=10_000))


def test_tel3_a_stored_day_is_scored_and_stored_with_its_journeys_and_events(
        db_ctx: AppContext, setup: tuple[ScoringSources, Registry], network: RoadNetwork) -> None:
    """TEL-3, TEL-10: the day's row holds the versions and indicators, one row per journey and per event; the
    stored DayScore equals a fresh run of the pipeline; scoring again replaces the rows with the same ones."""
    sources, registry = setup
    policy_id = fit(db_ctx, registry, DEVICE)
    store = sources.positions
    assert isinstance(store, ParquetPositionStore)
    two_drives(store, network, DEVICE, DAY)
    view = scores.score_day(db_ctx, SYSTEM, DEVICE, DAY)
    assert view["policy_id"] == policy_id and view["journeys"] == 2
    assert view["versions"]["map_version"] == network.version and view["versions"]["ruleset"] == "YD-2025.1"
    assert view["positions"] == store.read_day(DEVICE, DAY).num_rows
    with db_ctx.uow(read_only=True) as uow:
        stored = uow.telematics_scores.get_day(DEVICE, DAY)
        assert stored is not None
        listed, total = uow.telematics_scores.journeys_for_policy(policy_id, None, None, 50, 0)
        events = {j.number: uow.telematics_scores.events_of(j.id) for j in listed}
    assert total == 2 and sorted(j.number for j in listed) == [0, 1]
    speeding = [e.event for e in events[0]]
    assert speeding and {e.kind for e in speeding} == {"speeding"} and events[1] == []
    assert all(e.points > 0 and "mph in a 30 limit" in e.detail for e in speeding)
    assert list(stored.score.events) == speeding  # the rows say what the stored score says
    assert view["events"] == len(speeding)
    # a journey with a speeding event scores lower on speed than the clean one
    by_number = {j.number: j for j in listed}
    assert by_number[0].speed < by_number[1].speed == 100

    again = scores.score_day(db_ctx, SYSTEM, DEVICE, DAY)
    with db_ctx.uow(read_only=True) as uow:
        restored = uow.telematics_scores.get_day(DEVICE, DAY)
        relisted, _ = uow.telematics_scores.journeys_for_policy(policy_id, None, None, 50, 0)
        reevents = {j.number: uow.telematics_scores.events_of(j.id) for j in relisted}
    assert restored is not None and replace(restored, scored_at=stored.scored_at) == stored
    assert relisted == listed and reevents == events
    assert {k: v for k, v in again.items() if k != "scored_at"} == {k: v for k, v in view.items() if k != "scored_at"}

    replayed = scores.replay_day(db_ctx, SYSTEM, DEVICE, DAY)
    assert replayed["matches"] and replayed["reason"] is None
    assert replayed["replayed_score"] == replayed["stored_score"] == view["score"]


def test_tel10_replay_says_why_a_day_cannot_be_replayed(
        db_ctx: AppContext, setup: tuple[ScoringSources, Registry], network: RoadNetwork) -> None:
    """TEL-10: positions stored after the score, or another map, and the replay does not claim to match."""
    sources, registry = setup
    fit(db_ctx, registry, DEVICE)
    store = sources.positions
    assert isinstance(store, ParquetPositionStore)
    two_drives(store, network, DEVICE, DAY)
    scores.score_day(db_ctx, SYSTEM, DEVICE, DAY)
    smaller = RoadNetwork.from_ways(read_ways(ASHCOMBE_OSM)[:4])
    other_map = ScoringSources(store, lambda: smaller, registry)
    moved = scores.replay_day(db_ctx, SYSTEM, DEVICE, DAY, sources=other_map)
    assert not moved["matches"] and "map" in (moved["reason"] or "")
    store.append(positions(network, DEVICE, 25, datetime(2026, 11, 23, 16, 0, tzinfo=UTC), seq0=20_000))
    changed = scores.replay_day(db_ctx, SYSTEM, DEVICE, DAY)
    assert not changed["matches"] and "changed" in (changed["reason"] or "")
    with pytest.raises(NotFound) as err:
        scores.replay_day(db_ctx, SYSTEM, DEVICE, DAY + timedelta(days=1))
    assert err.value.issues[0].field == "day"


def test_tel3_pending_days_are_scored_once_and_again_when_their_positions_change(
        db_ctx: AppContext, setup: tuple[ScoringSources, Registry], network: RoadNetwork) -> None:
    """TEL-3: a run scores each device-day with new positions; a second run scores nothing; positions added to
    one day make that day pending again; a device on no policy is counted, not scored; days after `as_of` wait."""
    sources, registry = setup
    fit(db_ctx, registry, DEVICE)
    store = sources.positions
    assert isinstance(store, ParquetPositionStore)
    for d in (DAY, DAY + timedelta(days=1), DAY + timedelta(days=5)):
        two_drives(store, network, DEVICE, d)
    two_drives(store, network, OTHER_DEVICE, DAY)  # fitted to no policy
    seen: list[tuple[int, int | None]] = []
    first = scores.score_pending(db_ctx, SYSTEM, DAY + timedelta(days=2),
                                 progress=lambda task, done, total=None: seen.append((done, total)))
    assert (first["device_days"], first["scored"], first["unassigned"], first["unchanged"]) == (3, 2, 1, 0)
    assert first["failed"] == {} and seen[0] == (0, 3) and seen[-1] == (3, 3)
    second = scores.score_pending(db_ctx, SYSTEM, DAY + timedelta(days=2))
    assert (second["scored"], second["unchanged"], second["unassigned"]) == (0, 2, 1)
    store.append(positions(network, DEVICE, 25, datetime(2026, 11, 24, 18, 0, tzinfo=UTC), seq0=30_000))
    third = scores.score_pending(db_ctx, SYSTEM, DAY + timedelta(days=2))
    assert (third["scored"], third["unchanged"]) == (1, 1)
    with db_ctx.uow(read_only=True) as uow:
        assert uow.telematics_scores.get_day(DEVICE, DAY + timedelta(days=1)).score.journeys.__len__() == 3  # type: ignore[union-attr]
        assert uow.telematics_scores.get_day(DEVICE, DAY + timedelta(days=5)) is None
    with pytest.raises(Forbidden):
        scores.score_pending(db_ctx, Principal("u1", "customer", "cus_x"), DAY)


def test_tel3_the_policyholder_sees_their_own_score_and_events_not_anothers(
        db_ctx: AppContext, setup: tuple[ScoringSources, Registry], network: RoadNetwork, clock: FixedClock) -> None:
    """TEL-3, TEL-4: the customer sees their policy's period score, journeys and each journey's events; another
    customer's policy, or a journey of another policy asked through their own, answers 404."""
    sources, registry = setup
    carol = new_customer(db_ctx, "Carol Young")
    dan = new_customer(db_ctx, "Dan Young")
    mine = fit(db_ctx, registry, DEVICE, carol)
    theirs = fit(db_ctx, registry, OTHER_DEVICE, dan)
    store = sources.positions
    assert isinstance(store, ParquetPositionStore)
    two_drives(store, network, DEVICE, DAY)
    two_drives(store, network, OTHER_DEVICE, DAY)
    scores.score_pending(db_ctx, SYSTEM, DAY)
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    me = Principal("usr_carol", "customer", carol)
    score = scores.policy_score(db_ctx, me, mine)
    assert score["current"] is not None and score["current"]["journeys"] == 2
    assert score["current"]["start"] == "2026-11-22" and score["current"]["end"] == "2027-02-20"
    assert score["current"]["event_counts"]["speeding"] >= 1 and score["periods"] == [score["current"]]
    listed = scores.journeys(db_ctx, me, mine)
    assert listed["total"] == 2 and [j["number"] for j in listed["journeys"]] == [1, 0]  # newest first
    detail = scores.journey(db_ctx, me, mine, listed["journeys"][1]["id"])
    assert detail["event_list"] and all(e["indicator"] == "speed" and e["points"] > 0 and e["lat"] and e["start"]
                                        for e in detail["event_list"])
    for call in (lambda: scores.policy_score(db_ctx, me, theirs), lambda: scores.journeys(db_ctx, me, theirs),
                 lambda: scores.period_view(db_ctx, me, theirs, DAY, DAY + timedelta(days=1))):
        with pytest.raises(NotFound):
            call()
    their_journey = scores.journeys(db_ctx, SYSTEM, theirs)["journeys"][0]["id"]
    with pytest.raises(NotFound) as err:
        scores.journey(db_ctx, me, mine, their_journey)
    assert err.value.issues[0].field == "journey_id"


def test_tel4_a_periods_score_is_the_driving_time_weighted_mean_of_its_journeys(
        db_ctx: AppContext, setup: tuple[ScoringSources, Registry], network: RoadNetwork) -> None:
    """TEL-4: the period's score and each indicator are the mean of its journeys' weighted by driving time;
    days outside the period do not count."""
    sources, registry = setup
    policy_id = fit(db_ctx, registry, DEVICE)
    store = sources.positions
    assert isinstance(store, ParquetPositionStore)
    at = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    store.append(positions(network, DEVICE, 45, at))  # severe: a low speed score
    store.append(positions(network, DEVICE, 22, at + timedelta(hours=2), seq0=10_000))  # slow: longer, clean
    two_drives(store, network, DEVICE, DAY + timedelta(days=2))
    scores.score_pending(db_ctx, SYSTEM, DAY + timedelta(days=2))
    view = scores.period_view(db_ctx, SYSTEM, policy_id, DAY, DAY + timedelta(days=1))
    js = scores.journeys(db_ctx, SYSTEM, policy_id, DAY, DAY + timedelta(days=1))["journeys"]
    assert len(js) == view["journeys"] == 2 and view["days_scored"] == 1
    weights = [j["driving_s"] for j in js]
    assert weights[0] != weights[1]  # unequal, so a plain mean would differ
    for name, key in (("overall", "score"), ("speed", "speed"), ("eco", "eco")):
        expected = sum(j[name] * j["driving_s"] for j in js) / sum(weights)  # type: ignore[literal-required]
        assert view[key] == pytest.approx(expected, abs=0.006)  # type: ignore[literal-required]
    assert view["score"] != pytest.approx(sum(j["overall"] for j in js) / 2, abs=0.01)
    assert view["event_counts"]["severe_speeding"] == 1
    whole = scores.period_view(db_ctx, SYSTEM, policy_id, DAY, DAY + timedelta(days=90))
    assert whole["journeys"] == 4 and whole["days_scored"] == 2
    with db_ctx.uow(read_only=True) as uow:
        days = uow.telematics_scores.days_for_policy(policy_id, DAY, DAY + timedelta(days=90))
    assert whole["score"] == period_score([d.score for d in days]).score


@given(start=st.dates(date(2024, 1, 1), date(2030, 1, 1)), length=st.integers(1, 800),
       elapsed=st.integers(-10, 900))
def test_tel4_periods_are_90_days_from_the_start_contiguous_and_within_the_term(start: date, length: int,
                                                                               elapsed: int) -> None:
    """TEL-4 (property): the periods begun by a day start at the term's start, follow on without gap or overlap,
    are 90 days each (the last cut at the term's end), and include the day when it is in the term."""
    end = start + timedelta(days=length)
    today = start + timedelta(days=elapsed)
    periods = scores.periods_of(start, end, today)
    if today < start:
        assert periods == []
        return
    assert periods[0][0] == start
    assert all(a[1] == b[0] for a, b in pairwise(periods))
    assert all((e - s).days == scores.PERIOD_DAYS for s, e in periods[:-1]) and periods[-1][1] <= end
    assert all(s <= today for s, _ in periods)
    if today < end:
        assert periods[-1][0] <= today < periods[-1][1]
    else:
        assert periods[-1][1] == end

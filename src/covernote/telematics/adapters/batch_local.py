"""Scoring a whole book of device-days on one machine (TEL-3, TEL-10): the local batch runner over the Parquet
layout `ParquetPositionStore` writes (`root/device_id=<IMEI>/day=<YYYY-MM-DD>/part-*.parquet`).

Each device-day is read on its own, scored by the one pipeline (`domain/pipeline.score_device_day`: cleaning,
journeys, map matching, the four indicators) and reduced to its `DayScore` and one summary row; the Spark runner
(`batch_spark.py`) builds its rows with the same `summary_row`, so both give the same scores by construction.

Days are independent, so they run in a process pool (2 workers by default, one per core here). Memory is
bounded: a worker holds one device-day at a time (its positions, the cleaned and matched copies of them: about
1 KB a position at most, so roughly 4 MB for a day of 3,600 fixes) plus the road network and the ruleset, sent
to it once when it starts; the parent keeps only the `DayScore`s (or, with `keep_scores=False`, hands each to a
callback and keeps none) and summary rows, never positions, and keeps at most `2 x workers` device-days in
flight.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.domain.pipeline import ScoredDay, score_device_day
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import EVENT_SCHEMA, DayScore, period_score

# One row per device-day: the day's overall score and its four indicators (each the journeys' values weighted by
# driving time, as `period_score` weights them; null when nothing was driven), what it rests on, and the
# versions that made it (TEL-10).
SUMMARY_SCHEMA = pa.schema([
    pa.field("device_id", pa.string(), nullable=False),
    pa.field("day", pa.date32(), nullable=False),
    pa.field("overall", pa.float64()),
    pa.field("speed", pa.float64()),
    pa.field("time_of_day", pa.float64()),
    pa.field("eco", pa.float64()),
    pa.field("duration", pa.float64()),
    pa.field("journeys", pa.int32(), nullable=False),
    pa.field("events", pa.int32(), nullable=False),
    pa.field("driving_s", pa.float64(), nullable=False),
    pa.field("distance_km", pa.float64(), nullable=False),
    pa.field("positions", pa.int64(), nullable=False),  # read from the store for the day
    pa.field("dropped", pa.int64(), nullable=False),  # removed by cleaning (impossible jumps, parked drift)
    pa.field("ruleset", pa.string(), nullable=False),
    pa.field("map_version", pa.string(), nullable=False),
    pa.field("code_version", pa.string(), nullable=False),
])

# The events of a batch: the device and day, then each event's columns (`EVENT_SCHEMA`).
BATCH_EVENT_SCHEMA = pa.schema([SUMMARY_SCHEMA.field("device_id"), SUMMARY_SCHEMA.field("day"), *EVENT_SCHEMA])

DEFAULT_WORKERS = 2
Progress = Callable[[int, int], None]  # (device-days done, device-days in the batch)
OnScore = Callable[[str, date, DayScore], None]  # each device-day's score as it arrives (e.g. to store it)


@dataclass(frozen=True)
class BatchResult:
    """A batch's scores: each device-day's `DayScore` keyed by (device, day), sorted, and the summary table
    (`SUMMARY_SCHEMA`, one row per device-day in the same order)."""

    scores: dict[tuple[str, date], DayScore]
    summary: pa.Table

    def events(self) -> pa.Table:
        """Every event of the batch (`BATCH_EVENT_SCHEMA`), device-days in order, each day's events in its order."""
        return events_table(self.scores)


def summary_row(device_id: str, day: date, scored: ScoredDay, positions: int) -> dict[str, object]:
    """One device-day's summary row (`SUMMARY_SCHEMA`) from its scored day: the local and Spark runners both
    build their rows here (TEL-3)."""
    score = scored.score
    p = period_score([score])
    return {
        "device_id": device_id, "day": day, "overall": p.score, "speed": p.speed,
        "time_of_day": p.time_of_day, "eco": p.eco, "duration": p.duration, "journeys": p.journeys,
        "events": len(score.events), "driving_s": p.driving_s, "distance_km": p.distance_km,
        "positions": positions, "dropped": int(sum(scored.dropped.values())),
        "ruleset": score.versions.ruleset, "map_version": score.versions.map_version,
        "code_version": score.versions.code_version,
    }


def summary_table(rows: Iterable[dict[str, object]]) -> pa.Table:
    """Summary rows as a `SUMMARY_SCHEMA` table, sorted by (device, day)."""
    ordered = sorted(rows, key=lambda r: (str(r["device_id"]), str(r["day"])))
    return pa.Table.from_pylist(ordered, schema=SUMMARY_SCHEMA)


def events_table(scores: dict[tuple[str, date], DayScore]) -> pa.Table:
    """The events of many device-days as one `BATCH_EVENT_SCHEMA` table, device-days sorted."""
    parts = []
    for (device, day), score in sorted(scores.items()):
        ev = score.events_table()
        n = ev.num_rows
        parts.append(pa.Table.from_arrays(
            [pa.array([device] * n, pa.string()), pa.array([day] * n, pa.date32()), *ev.columns],
            schema=BATCH_EVENT_SCHEMA))
    return pa.concat_tables(parts) if parts else BATCH_EVENT_SCHEMA.empty_table()


def device_days(root: Path, days: Iterable[date], devices: Iterable[str] | None = None) -> list[tuple[str, date]]:
    """The (device, day) partitions under `root` for the given UK days (and devices, if named) that hold at
    least one part, sorted."""
    wanted = None if devices is None else set(devices)
    found: set[tuple[str, date]] = set()
    for day in set(days):
        for day_dir in Path(root).glob(f"device_id=*/day={day.isoformat()}"):
            device = day_dir.parent.name.removeprefix("device_id=")
            if (wanted is None or device in wanted) and any(day_dir.glob("part-*.parquet")):
                found.add((device, day))
    return sorted(found)


# --- the worker's side ---------------------------------------------------------------------------------------

_WORKER: dict[str, object] = {}


def _init_worker(root: Path, network: RoadNetwork, rules: TelematicsRules) -> None:
    """Run once in each worker: the store, the network and the ruleset it scores every day it gets with."""
    _WORKER["store"] = ParquetPositionStore(root)
    _WORKER["network"] = network
    _WORKER["rules"] = rules


def _score_one(device_id: str, day: date) -> tuple[DayScore, dict[str, object]]:
    store, network, rules = _WORKER["store"], _WORKER["network"], _WORKER["rules"]
    assert isinstance(store, ParquetPositionStore)
    assert isinstance(network, RoadNetwork)
    assert isinstance(rules, TelematicsRules)
    return score_stored_day(store, device_id, day, network, rules)


def score_stored_day(store: ParquetPositionStore, device_id: str, day: date, network: RoadNetwork,
                     rules: TelematicsRules) -> tuple[DayScore, dict[str, object]]:
    """Read one device-day from the store and score it through the one pipeline (TEL-3): its DayScore and
    summary row."""
    positions = store.read_day(device_id, day)
    scored = score_device_day(positions, network, rules)
    return scored.score, summary_row(device_id, day, scored, positions.num_rows)


def _in_pool(tasks: list[tuple[str, date]], workers: int, root: Path, network: RoadNetwork,
             rules: TelematicsRules) -> Iterator[tuple[DayScore, dict[str, object]]]:
    """Results of the tasks from a pool of `workers` processes, at most 2 x workers in flight (so neither the
    queue nor finished results waiting to be collected grow with the batch)."""
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(root, network, rules)) as pool:
        pending: set[Future[tuple[DayScore, dict[str, object]]]] = set()
        it = iter(tasks)
        for task in it:
            pending.add(pool.submit(_score_one, *task))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        for f in pending:
            yield f.result()


def score_batch(root: Path, days: Iterable[date], network: RoadNetwork, rules: TelematicsRules, *,
                devices: Iterable[str] | None = None, workers: int = DEFAULT_WORKERS,
                progress: Progress | None = None, on_score: OnScore | None = None,
                keep_scores: bool = True) -> BatchResult:
    """Score every stored device-day of `days` (of `devices`, if named) under `root` (TEL-3): each day read
    on its own and scored by `score_device_day`, in `workers` processes (1: in this process). `progress`
    is told (done, total) after each device-day; `on_score` gets each device-day's DayScore as it arrives
    (in no set order). With `keep_scores=False` the result holds the summary only (`scores` empty), so the
    parent's memory no longer grows with the batch's events: hand the scores to `on_score` instead."""
    tasks = device_days(root, days, devices)
    total = len(tasks)
    if progress is not None:
        progress(0, total)
    if workers <= 1 or total <= 1:
        store = ParquetPositionStore(root)
        results: Iterator[tuple[DayScore, dict[str, object]]] = (
            score_stored_day(store, d, day, network, rules) for d, day in tasks)
    else:
        results = _in_pool(tasks, workers, Path(root), network, rules)
    scores: dict[tuple[str, date], DayScore] = {}
    rows = []
    for done, (score, row) in enumerate(results, start=1):
        day = row["day"]
        assert isinstance(day, date)
        if on_score is not None:
            on_score(str(row["device_id"]), day, score)
        if keep_scores:
            scores[(str(row["device_id"]), day)] = score
        rows.append(row)
        if progress is not None:
            progress(done, total)
    return BatchResult(dict(sorted(scores.items())), summary_table(rows))

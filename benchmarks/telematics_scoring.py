"""Issue 16 (TEL-3): how fast a fleet's day of Smartbox positions is scored, on the Ashcombe fixture.

Generates a synthetic fleet-day (default 10,000 devices x 3,600 positions, one an hour's driving at 1 Hz, about
36 million positions) along the fixture's roads at varied speeds (some over the limit, some at night), writes it
in the store's Parquet layout (`root/device_id=<IMEI>/day=<YYYY-MM-DD>/part-*.parquet`, zstd), then measures:

- baseline: a plain pyarrow read of the same files (`pyarrow.dataset`, batch by batch), positions/s;
- (a) the scoring step alone (`score_day`) on in-memory, already matched device-days, one core, positions/s;
  with the other steps of the pipeline timed the same way on the same days (cleaning, journeys, map matching);
- (b) the whole pipeline with map matching through the local batch runner (`batch_local.score_batch`, its
  process pool of `--workers`), wall time and positions/s;
- peak memory: this process's maximum resident set (`resource.getrusage`) and the largest worker's (`VmHWM`
  in /proc, sampled); CPU time of this process and its workers (sampled from /proc), beside the wall time.

Each is the median of `--repeats` runs (min and max shown). Targets (issue 16): 36 million positions scored
with map matching in under 60 s on 2 cores; the scoring step alone at least 10 million positions/s; memory
bounded (independent of the fleet's size).

    .venv/bin/python benchmarks/telematics_scoring.py [--devices N] [--positions P] [--repeats R]
        [--workers W] [--sample S] [--out FILE] [--no-write] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from covernote.products.store.files import load_catalogue
from covernote.telematics.adapters.batch_local import score_batch
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.filters import CleanLimits, clean_day
from covernote.telematics.domain.journeys import with_journeys
from covernote.telematics.domain.map_matching import match
from covernote.telematics.domain.pipeline import JOURNEY_GAP
from covernote.telematics.domain.positions import POSITION_SCHEMA
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import score_day

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ASHCOMBE_OSM
DAY = date(2026, 6, 10)
# Routes on the fixture, out and back: (way, reversed) legs driven in turn, looping until the day's positions are
# used up. The bypass and the M40 are dual carriageways: out on one, back on the other.
ROUTES: list[list[tuple[int, bool]]] = [
    [(1001, False), (1001, True)],  # High Street, 30 mph
    [(1006, False), (1006, True)],  # Ashcombe Road, 40 mph
    [(1007, False), (1007, True)],  # Fosse Lane, 60 mph
    [(1008, False), (1009, False)],  # the bypass, 70 mph
    [(1011, False), (1012, False)],  # the M40, 70 mph
    [(1004, False), (1004, True)],  # Back Lane, no limit known
]
# Each route's usual speed in km/h (its limit; 30 mph on Back Lane, whose limit is unknown): a device cruises
# at 0.7 to 1.25 times it.
ROUTE_KPH = [48.0, 64.0, 96.0, 112.0, 112.0, 48.0]


def route_polyline(network: RoadNetwork, legs: list[tuple[int, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """A route's vertices in local metres, legs joined end to end."""
    xs, ys = [], []
    for way, rev in legs:
        at = np.flatnonzero(network.way_id == way)
        x = np.concatenate([network.x0[at], network.x1[at][-1:]])
        y = np.concatenate([network.y0[at], network.y1[at][-1:]])
        xs.append(x[::-1] if rev else x)
        ys.append(y[::-1] if rev else y)
    return np.concatenate(xs), np.concatenate(ys)


def device_day(network: RoadNetwork, routes: list[tuple[np.ndarray, np.ndarray]], device: int, n: int,
               rng: np.random.Generator) -> pa.Table:
    """One device's day: `n` fixes at 1 Hz along a route, looping, at a speed varying about a device's own
    cruising speed (some drivers well over the limit), GPS noise of 1.5 m and 2 degrees, starting at a random hour
    (some at night), ignition on; no accelerometer (the GPS derivation, the slower path, is what is timed)."""
    xs, ys = routes[device % len(routes)]
    along = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    cruise = ROUTE_KPH[device % len(routes)] * rng.uniform(0.7, 1.25)
    speed = np.clip(cruise + np.cumsum(rng.normal(0.0, 0.6, n)), 5.0, 170.0)
    dist = np.cumsum(speed / 3.6) % along[-1]
    x, y = np.interp(dist, along, xs), np.interp(dist, along, ys)
    heading = (np.degrees(np.arctan2(np.gradient(x), np.gradient(y))) + rng.normal(0.0, 2.0, n)) % 360
    x, y = x + rng.normal(0.0, 1.5, n), y + rng.normal(0.0, 1.5, n)
    lat, lon = network.unproject(x, y)
    start = datetime(2026, 6, 10, int(rng.integers(0, 21)), tzinfo=UTC) - timedelta(hours=1)  # BST: UK day 10th
    ts = pa.array(np.datetime64(start.replace(tzinfo=None), "us") + np.arange(n) * np.timedelta64(1, "s"),
                  pa.timestamp("us", tz="UTC"))
    return pa.table({
        "device_id": pa.array([f"35693803{device:07d}"] * n), "seq": np.arange(n, dtype=np.int64), "ts": ts,
        "lat": lat, "lon": lon, "speed_kph": speed, "heading_deg": heading, "hdop": np.full(n, 0.9),
        "satellites": np.full(n, 10, dtype=np.int16), "ignition": np.ones(n, dtype=bool),
        "accel_long": pa.nulls(n, pa.float64()), "accel_lat": pa.nulls(n, pa.float64()), "received_at": ts,
    }, schema=POSITION_SCHEMA)


def write_fleet(network: RoadNetwork, root: Path, devices: int, n: int, seed: int = 16) -> int:
    """The fleet-day in the store's layout, one zstd part per device-day (as the store writes them, without its
    duplicate check and fsync, which are ingestion's cost). Returns the positions written."""
    rng = np.random.default_rng(seed)
    routes = [route_polyline(network, legs) for legs in ROUTES]
    for d in range(devices):
        t = device_day(network, routes, d, n, rng)
        folder = root / f"device_id={t['device_id'][0].as_py()}" / f"day={DAY.isoformat()}"
        folder.mkdir(parents=True)
        pq.write_table(t, folder / "part-bench.parquet", compression="zstd")
    return devices * n


class Descendants:
    """Samples this process's descendants (the pool's workers are the forkserver's children, so
    `RUSAGE_CHILDREN` never sees them) every `interval` seconds from /proc: the CPU seconds each used (the
    last sample: a little under the truth) and each one's peak resident set (`VmHWM`)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")
        self.own_cpu = 0.0

    def __enter__(self) -> Descendants:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        start = time.thread_time()
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
        self.own_cpu = time.thread_time() - start  # the sampler's own CPU, not the work's

    def sample(self) -> None:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        mine = {os.getpid()}
        grew = True
        while grew:
            new = {pid for pid, ppid in parents.items() if ppid in mine and pid not in mine}
            mine |= new
            grew = bool(new)
        for pid in mine - {os.getpid()}:
            try:
                fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
                status = (Path("/proc") / str(pid) / "status").read_text()
            except OSError:
                continue
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
            hwm = [line for line in status.splitlines() if line.startswith("VmHWM:")]
            if hwm:
                self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(hwm[0].split()[1]))


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any], repeats: int, peaks: list[int] | None = None) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (this process and every descendant: the pool's workers) of each of
    `repeats` calls; `peaks`, if given, receives each call's largest descendant peak RSS (KB). On a shared
    machine the CPU time is the fairer figure: the wall time also counts waiting for a core."""
    wall, cpu = [], []
    for _ in range(repeats):
        if peaks is None:  # in this process only: no sampler
            start, start_cpu = time.perf_counter(), _cpu()
            fn()
            wall.append(time.perf_counter() - start)
            cpu.append(_cpu() - start_cpu)
            continue
        with Descendants() as kids:
            start, start_cpu = time.perf_counter(), _cpu()
            fn()
            wall.append(time.perf_counter() - start)
            own = _cpu() - start_cpu
        cpu.append(own - kids.own_cpu + sum(kids.cpu.values()))
        peaks.append(max(kids.peak_kb.values(), default=0))
    return wall, cpu


def summary(times: tuple[list[float], list[float]], positions: int) -> dict[str, Any]:
    seconds, cpu = times
    med, med_cpu = statistics.median(seconds), statistics.median(cpu)
    return {"seconds": seconds, "cpu_seconds": cpu, "median_s": med, "median_cpu_s": med_cpu,
            "positions": positions, "positions_per_s": positions / med if med else None,
            "positions_per_cpu_s": positions / med_cpu if med_cpu else None,
            "min_rate": positions / max(seconds), "max_rate": positions / min(seconds)}


def baseline_read(root: Path) -> int:
    """A plain pyarrow read of every file of the fleet, batch by batch (nothing kept)."""
    rows = 0
    for batch in ds.dataset(root, format="parquet", partitioning="hive").to_batches():
        rows += batch.num_rows
    return rows


def stages(network: RoadNetwork, root: Path, sample: int, repeats: int, rules: Any) -> dict[str, Any]:
    """Each step of the pipeline timed alone, one core, on the first `sample` device-days held in memory."""
    files = sorted(root.glob("device_id=*/day=*/part-*.parquet"))[:sample]
    raw = [pq.read_table(f).cast(POSITION_SCHEMA) for f in files]
    n = sum(t.num_rows for t in raw)
    cleaned = [clean_day(t, CleanLimits()).kept for t in raw]
    journeyed = [with_journeys(t, JOURNEY_GAP) for t in cleaned]
    matched = [match(t, network) for t in journeyed]
    out = {
        "clean": summary(timed(lambda: [clean_day(t, CleanLimits()) for t in raw], repeats), n),
        "journeys": summary(timed(lambda: [with_journeys(t, JOURNEY_GAP) for t in cleaned], repeats), n),
        "match": summary(timed(lambda: [match(t, network) for t in journeyed], repeats), n),
        "score": summary(timed(lambda: [score_day(t, rules, map_version=network.version) for t in matched],
                               repeats), n),
        "device_days": len(files),
    }
    events = sum(len(score_day(t, rules, map_version=network.version).events) for t in matched)
    out["events"] = events
    return out


def machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"commit": commit, "python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg(), "pyarrow": pa.__version__,
            "numpy": np.__version__}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--devices", type=int, default=10_000)
    p.add_argument("--positions", type=int, default=3_600, help="positions per device-day")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--sample", type=int, default=200, help="device-days for the per-step timings")
    p.add_argument("--out", type=Path)
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the generated Parquet files")
    args = p.parse_args(argv)

    info = machine()
    network = load_network(FIXTURE)
    rules = load_catalogue(ROOT / "products").versions("YOUNG_DRIVER")[0].telematics_rules
    assert rules is not None
    root = Path(tempfile.mkdtemp(prefix="cn_tel_bench_"))
    try:
        start = time.perf_counter()
        total = write_fleet(network, root, args.devices, args.positions)
        gen_s = time.perf_counter() - start
        size = sum(f.stat().st_size for f in root.rglob("*.parquet"))
        print(f"fleet: {args.devices} devices x {args.positions} = {total:,} positions, "
              f"{size / 1e6:.0f} MB of Parquet, generated in {gen_s:.1f} s ({root})", flush=True)

        base = summary(timed(lambda: baseline_read(root), args.repeats), total)
        print(f"baseline pyarrow read: {base['positions_per_s'] / 1e6:.1f} M positions/s", flush=True)
        days = [DAY]
        results: list[Any] = []
        worker_peaks: list[int] = []
        pipe = summary(timed(lambda: results.append(score_batch(root, days, network, rules,
                                                                workers=args.workers, keep_scores=False)),
                             args.repeats, worker_peaks), total)
        last = results[-1]
        assert all(r.summary.equals(last.summary) for r in results), "repeats disagree"
        scored_events = int(np.sum(last.summary.column("events").to_numpy()))
        print(f"(b) whole pipeline, {args.workers} workers: {pipe['median_s']:.1f} s, "
              f"{pipe['positions_per_s'] / 1e6:.2f} M positions/s "
              f"(min {pipe['min_rate'] / 1e6:.2f}, max {pipe['max_rate'] / 1e6:.2f}); "
              f"{last.summary.num_rows} device-days, {scored_events} events; "
              f"{pipe['positions_per_cpu_s'] / 1e6:.2f} M per CPU second (workers included)", flush=True)
        est_36m = 36_000_000 / pipe["positions_per_s"]
        est_36m_two_free_cores = 36_000_000 / (2 * pipe["positions_per_cpu_s"])
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_child = max(worker_peaks, default=0) / 1024
        print(f"peak RSS: this process {peak_self:.0f} MB, largest worker {peak_child:.0f} MB", flush=True)
        steps = stages(network, root, min(args.sample, args.devices), args.repeats, rules)
        for name in ("clean", "journeys", "match", "score"):
            s = steps[name]
            print(f"(a) {name:8s} alone, one core: {s['positions_per_s'] / 1e6:6.2f} M positions/s "
                  f"(min {s['min_rate'] / 1e6:.2f}, max {s['max_rate'] / 1e6:.2f}); "
                  f"{s['positions_per_cpu_s'] / 1e6:.2f} M per CPU second", flush=True)
        verdict = {
            "36M_with_matching_under_60s": est_36m < 60.0,
            "36M_estimated_s": est_36m,
            "36M_estimated_s_on_two_idle_cores": est_36m_two_free_cores,
            "scoring_step_10M_per_s_one_core": steps["score"]["positions_per_s"] >= 10e6,
            "scoring_step_10M_per_s_two_cores_at_best": 2 * steps["score"]["positions_per_s"] >= 10e6,
        }
        print(f"36 M positions with matching: about {est_36m:.0f} s at this rate (target 60 s): "
              f"{'PASS' if verdict['36M_with_matching_under_60s'] else 'FAIL'}; about "
              f"{est_36m_two_free_cores:.0f} s on two idle cores (from the CPU time)")
        print(f"scoring step: {steps['score']['positions_per_s'] / 1e6:.1f} M/s on one core, so at most "
              f"{2 * steps['score']['positions_per_s'] / 1e6:.1f} M/s on two (target 10 M/s): "
              f"{'PASS' if verdict['scoring_step_10M_per_s_two_cores_at_best'] else 'FAIL'}")
        report = {"machine": info, "settings": vars(args) | {"out": str(args.out) if args.out else None},
                  "positions": total, "parquet_bytes": size, "baseline_read": base, "steps": steps,
                  "pipeline": pipe, "peak_rss_mb": {"self": peak_self, "largest_worker": peak_child},
                  "verdict": verdict}
        if not args.no_write:
            out = args.out or ROOT / "benchmarks" / "results" / (
                f"telematics_scoring-{info['commit']}-{args.devices}x{args.positions}.json")
            out.write_text(json.dumps(report, indent=2, default=str) + "\n")
            print(f"wrote {out}")
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

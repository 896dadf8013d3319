"""Does the real server's memory level off under sustained load? (issue 12)

    python benchmarks/memory_soak.py [--backends sqlite,postgresql] [--quotes N] [--reads N] [--policies P]
        [--samples S] [--concurrency C] [--max-growth-mib M] [--pause SECONDS] [--env NAME=VALUE] [--tree PATH] [--out FILE]
        [--smoke]

For each backend it seeds a fresh database (a SQLite file in a temp dir, or a PostgreSQL schema it creates and
drops) through the tree's own command line, then starts the real server exactly as an operator does,
`covernote serve --host 127.0.0.1 --port <free port>` (the server stack `serve` chooses), and drives it from a
separate load-generator process (benchmarks/http_throughput.py's: asyncio, keep-alive HTTP/1.1, closed loop):

1. a quote phase: --quotes POST /quotes as the customer, each risk different;
2. an untimed bind of --policies of those quotes;
3. a read phase: --reads GET /policies/{id} as the customer, round robin over those policies.

Each phase runs in --samples equal slices; after each slice it reads the server's resident set size
(VmRSS in /proc/<pid>/status, summed over the server and any worker processes it started) and its number
of threads; with --pause it then idles, as the server does between the throughput benchmark's phases. A phase levels
off when its RSS grew by at most --max-growth-mib over the second half of its slices (from the sample at half
the phase's requests to the last): growth that early warm-up explains (imports, caches filling, the SQLite page
cache, the allocator's arenas) happens in the first half; a leak keeps growing in the second. The report gives
every sample, so the curve can be plotted, and the verdict per backend and phase. Known and bounded: the
fraud agency simulator remembers its last 10,000 answers for retries (REG-3), about 0.35 MiB per 1,000 quotes
until then, so the default quote phase runs past 10,000. The run exits with status 3
when any request failed or (except with --smoke) any phase did not level off.

--smoke is a tiny run for CI (SQLite, 150 quotes, 40 policies, 300 reads, 3 samples a phase): it proves the
script works end to end, and its verdict is printed but not judged. --tree measures another checkout (its
src/ on PYTHONPATH, as http_throughput.py does) for before/after comparisons. Every server started is
stopped by its pid at the end, also on error; every schema created is dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import http_throughput as ht  # noqa: E402  (the load generator, seeding, databases: one copy of each)

SERVE = "from covernote.cli.main import app; app(prog_name='covernote')"


def status(pid: int) -> dict[str, Any]:
    """VmRSS in MiB and the number of threads of `pid` and its descendants, from /proc/<pid>/status."""
    total_kib, threads = 0, 0
    for p in ht.process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return {"rss_mib": round(total_kib / 1024, 2), "threads": threads}


def rss_mib(pid: int) -> float:
    """VmRSS of `pid` and its descendants, in MiB."""
    return float(status(pid)["rss_mib"])


def start_serve(tree: ht.Tree, env: dict[str, str], logdir: Path, name: str) -> ht.Server:
    """`covernote serve` of one tree in its own session, exactly as an operator starts it; stopped by its pid."""
    return ht.Server(f"serve-{name}", tree.python, "", env, tree.path, logdir, "/health", stack="serve",
                     command=lambda port: [tree.python, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)],
                     timeout=90)


def phase(serve: ht.Server, base: dict[str, Any], kind: str, total: int, samples: int, extra: dict[str, Any],
          label: str, args: argparse.Namespace) -> dict[str, Any]:
    """`total` requests of `kind` in `samples` slices, RSS after each; the slices' results and the curve."""
    curve = [{"requests": 0, **status(serve.proc.pid)}]
    done, errors, seconds, ids = 0, 0, 0.0, []
    for k in range(samples):
        n = total * (k + 1) // samples - done
        spec = {**base, "kind": kind, "seconds": 3600, "warmup": 0, "max_requests": n, "run_id": f"{label}-{k}",
                **extra}
        if kind == "read":  # continue the round robin where the last slice stopped
            pol = extra["policy_ids"]
            shift = done % len(pol)
            spec["policy_ids"] = pol[shift:] + pol[:shift]
        r = ht.run_driver(spec)
        done += r["requests"]
        errors += r["errors"]
        seconds += r["seconds"]
        ids += r.pop("ids")
        if r["errors"]:
            ht.log(f"{label}: {r['errors']} errors {r['statuses']} {r['error_samples'][:2]}")
        curve.append({"requests": done, **status(serve.proc.pid)})
        if args.pause and k < samples - 1:
            time.sleep(args.pause)  # idle, as between the throughput benchmark's phases
    return {"kind": kind, "requests": done, "errors": errors, "seconds": round(seconds, 1),
            "rps": round(done / seconds, 1) if seconds else 0.0, "curve": curve, "ids": ids}


def verdict(curve: list[dict[str, Any]], max_growth: float) -> dict[str, Any]:
    """Growth over the phase, and over its second half (from the sample nearest half the requests)."""
    half = curve[-1]["requests"] / 2
    mid = min(curve, key=lambda s: abs(s["requests"] - half))
    first, last = curve[0]["rss_mib"], curve[-1]["rss_mib"]
    late = round(last - mid["rss_mib"], 2)
    return {"start_mib": first, "mid_mib": mid["rss_mib"], "end_mib": last, "peak_mib": max(s["rss_mib"] for s in curve),
            "growth_mib": round(last - first, 2), "growth_second_half_mib": late, "max_growth_mib": max_growth,
            "levels_off": late <= max_growth}


def soak(backend: str, tree: ht.Tree, dbs: ht.Databases, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    data_dir = tmp / backend
    data_dir.mkdir(parents=True)
    env = tree.env(COVERNOTE_DATABASE_URL=dbs.url(backend, f"soak_{tree.name}", data_dir),
                   COVERNOTE_DATA_DIR=str(data_dir), **dict(kv.split("=", 1) for kv in args.env))
    ht.log(f"{backend}: seeding through the tree's CLI")
    who = tree.seed(env)
    serve = start_serve(tree, env, tmp, backend)
    try:
        ht.log(f"{backend}: covernote serve pid {serve.proc.pid} on port {serve.port}, RSS {rss_mib(serve.proc.pid)} MiB")
        base = {"port": serve.port, "concurrency": args.concurrency, "today": ht.london_today()}
        started_mib = rss_mib(serve.proc.pid)
        quote = phase(serve, base, "quote", args.quotes, args.samples,
                      {"token": who["customer_token"], "keep_ids": True}, f"{backend}-quote", args)
        quote_ids = quote.pop("ids")
        ht.log(f"{backend}: {quote['requests']} quotes at {quote['rps']}/s, RSS {quote['curve'][0]['rss_mib']} -> "
               f"{quote['curve'][-1]['rss_mib']} MiB")
        need = min(args.policies, len(quote_ids))
        bound = ht.run_driver({**base, "kind": "bind", "seconds": 3600, "warmup": 0, "max_requests": need,
                               "token": who["customer_token"], "quote_ids": quote_ids[:need], "keep_ids": True,
                               "run_id": f"{backend}-bind"})
        policies = bound.pop("ids")
        if bound["errors"] or not policies:
            raise RuntimeError(f"{backend}: binding failed: {bound['error_samples']}")
        ht.log(f"{backend}: bound {len(policies)} policies, RSS {rss_mib(serve.proc.pid)} MiB")
        read = phase(serve, base, "read", args.reads, args.samples,
                     {"token": who["customer_token"], "policy_ids": policies}, f"{backend}-read", args)
        read.pop("ids")
        ht.log(f"{backend}: {read['requests']} reads at {read['rps']}/s, RSS {read['curve'][0]['rss_mib']} -> "
               f"{read['curve'][-1]['rss_mib']} MiB")
    finally:
        serve.stop()
    return {"backend": backend, "server_started_mib": started_mib, "policies": len(policies),
            "phases": {p["kind"]: {**p, "verdict": verdict(p["curve"], args.max_growth_mib)} for p in (quote, read)}}


def report(results: list[dict[str, Any]]) -> None:
    print()
    for res in results:
        for kind, p in res["phases"].items():
            v = p["verdict"]
            print(f"{res['backend']:<11}{kind:<6} {p['requests']:>7} requests  RSS MiB: start {v['start_mib']:.1f}, "
                  f"half {v['mid_mib']:.1f}, end {v['end_mib']:.1f}, peak {v['peak_mib']:.1f}; second half "
                  f"{v['growth_second_half_mib']:+.2f} (max {v['max_growth_mib']}) "
                  f"{'levels off' if v['levels_off'] else 'STILL GROWING'}; errors {p['errors']}")
            print("           curve (requests: MiB/threads): "
                  + ", ".join(f"{s['requests']}: {s['rss_mib']:.1f}/{s['threads']}" for s in p["curve"]))
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--postgres-url", default=os.environ.get("COVERNOTE_BENCH_PG_URL", ht.DEFAULT_PG))
    ap.add_argument("--quotes", type=int, default=12000, help="POST /quotes in the quote phase (default 12000)")
    ap.add_argument("--policies", type=int, default=1000, help="quotes bound, to be read (default 1000)")
    ap.add_argument("--reads", type=int, default=20000, help="GET /policies/{id} in the read phase (default 20000)")
    ap.add_argument("--samples", type=int, default=20, help="RSS samples per phase (default 20)")
    ap.add_argument("--concurrency", type=int, default=8, help="keep-alive connections (default 8)")
    ap.add_argument("--max-growth-mib", type=float, default=3.0,
                    help="most RSS growth over a phase's second half that still counts as levelled off (default 3)")
    ap.add_argument("--pause", type=float, default=0.0,
                    help="seconds idle after each slice (default 0): the server's idle worker threads may exit")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="set in the server's environment (repeat; e.g. MALLOC_ARENA_MAX=2 to test a hypothesis)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout to serve (default: this script's)")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--smoke", action="store_true", help="tiny run for CI: SQLite, verdict printed, not judged")
    args = ap.parse_args(argv)
    if args.smoke:
        args.backends, args.quotes, args.policies, args.reads, args.samples = "sqlite", 150, 40, 300, 3
        args.concurrency = min(args.concurrency, 4)
    if min(args.quotes, args.policies, args.reads, args.samples) < 1 or args.samples > min(args.quotes, args.reads):
        raise SystemExit("--quotes, --policies, --reads and --samples must be at least 1, and --samples at most "
                         "--quotes and --reads")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in backends:
        if b not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown backend {b!r}")
    if any("=" not in kv for kv in args.env):
        raise SystemExit("--env takes NAME=VALUE")
    tree = ht.Tree.parse(f"{args.tree.resolve().name}={args.tree}", sys.executable)
    ht.log(f"tree {tree.describe()}")
    tmp = Path(tempfile.mkdtemp(prefix="cn_soak_"))
    dbs = ht.Databases(args.postgres_url, tmp)
    started = time.monotonic()
    try:
        results = [soak(b, tree, dbs, args, tmp) for b in backends]
    finally:
        try:
            dbs.drop_all()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results)
    errors = sum(p["errors"] for r in results for p in r["phases"].values())
    growing = [f"{r['backend']} {k}" for r in results for k, p in r["phases"].items() if not p["verdict"]["levels_off"]]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({
            "benchmark": "memory_soak", "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["benchmarks/memory_soak.py", *(argv if argv is not None else sys.argv[1:])]),
            "tree": {"path": str(tree.path), "commit": tree.commit, "code_commit": tree.code_commit, "dirty": tree.dirty},
            "settings": {"env": args.env, "pause": args.pause, "quotes": args.quotes, "policies": args.policies, "reads": args.reads, "samples": args.samples,
                         "concurrency": args.concurrency, "max_growth_mib": args.max_growth_mib, "smoke": args.smoke},
            "wall_seconds": round(time.monotonic() - started, 1), "errors": errors, "still_growing": growing,
            "results": results}, indent=2) + "\n")
        ht.log(f"wrote {args.out}")
    if errors:
        print(f"NOT A MEASUREMENT: {errors} requests failed")
        return 3
    if growing:
        print(("(smoke: not judged) " if args.smoke else "") + "still growing: " + ", ".join(growing))
        return 0 if args.smoke else 3
    print("every phase levels off")
    return 0


if __name__ == "__main__":
    sys.exit(main())

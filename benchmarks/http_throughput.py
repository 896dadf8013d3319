"""HTTP throughput of quoting and binding, beside a bare FastAPI endpoint in the same run.

    .venv/bin/python benchmarks/http_throughput.py [--postgres-url URL] [--seconds N] [--concurrency C]
                                                   [--backends sqlite,postgresql]

In one run it:

1. starts a bare FastAPI app (one trivial JSON endpoint, GET /ping) in its own uvicorn subprocess and
   measures it;
2. for each backend (a fresh SQLite file in a temp dir, then a fresh PostgreSQL schema that it creates
   and drops): migrates the database, creates a customer, a customer user and a staff user through the
   use cases (covernote.policy.usecases.customers / covernote.identity.usecases.create_user) in this process, starts
   Covernote (covernote.api.app:create_app_from_env) in its own uvicorn subprocess and measures
   - POST /quotes (customer token, an ECO risk that varies per request), then
   - POST /policies: every request binds a fresh quote made beforehand (the quotes made by the quote
     phase, topped up by an untimed setup phase), with a unique Idempotency-Key and token "tok_visa".

Both servers run with the same uvicorn settings: one process, 127.0.0.1 on a free port, the default
event loop and HTTP implementation of the installed uvicorn, access log off, log level warning.

The load comes from a separate process (this script with --_drive): pure Python asyncio, C keep-alive
HTTP/1.1 connections over loopback, closed loop (each connection sends its next request when the last
answer arrives), each phase bounded by time (--seconds) and by count. A short warm-up precedes each
timed phase. It records requests/s, p50/p95/p99 latency and errors (any non-2xx or I/O failure), and
the CPU time used by the server and by the load generator (both share the same cores).

Targets (the issue): quotes >= 30% of the bare endpoint's requests/s, binds >= 10% (on PostgreSQL),
p99 quote latency < 50 ms at that load. Results: benchmarks/results/http_throughput-<backend>.json.
Every server started is stopped by its pid at the end, also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_QUOTE_RATIO = 0.30
TARGET_BIND_RATIO = 0.10
TARGET_QUOTE_P99_MS = 50.0
UVICORN_FLAGS = ["--host", "127.0.0.1", "--workers", os.environ.get("BENCH_WORKERS", "1"), "--log-level", "warning", "--no-access-log"]


# -- the bare app (imported by uvicorn in its own process) -------------------------------------------


def create_bare_app() -> Any:
    """A FastAPI app with one trivial JSON endpoint: the ceiling the stack allows on this machine."""
    from fastapi import FastAPI

    app = FastAPI(title="bare")

    @app.get("/ping")
    async def ping() -> dict[str, Any]:
        return {"status": "ok"}

    return app


# -- servers ------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One uvicorn subprocess, stopped by its pid."""

    running: list[Server] = []

    def __init__(self, name: str, target: str, env: dict[str, str], logdir: Path, health: str) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = logdir / f"server-{name}.log"
        self._log = self.log_path.open("wb")
        cmd = [sys.executable, "-m", "uvicorn", target, "--factory", "--port", str(self.port), *UVICORN_FLAGS]
        if target.startswith("http_throughput:"):
            cmd += ["--app-dir", str(HERE)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        Server.running.append(self)
        self._wait_ready(health)

    def _wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} server not ready in {timeout}s:\n{self.tail()}")

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """utime + stime of the server process (and reaped children) from /proc."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
        if self in Server.running:
            Server.running.remove(self)

    @classmethod
    def stop_all(cls) -> None:
        for s in list(cls.running):
            try:
                s.stop()
            except Exception as exc:  # keep stopping the others
                print(f"could not stop {s.name} (pid {s.proc.pid}): {exc}", file=sys.stderr)


# -- the load generator (a separate process) -----------------------------------------------------------

QUOTE_ID = re.compile(rb'"id":"(quo_[0-9a-z]+)"')


def _risk(i: int) -> dict[str, Any]:
    return {
        "vehicle": {"registration": f"LS{i % 90 + 10:02d}BEN", "make": "Toyota", "model": "Yaris", "year": 2019,
                    "value": str(6000 + (i % 40) * 250), "abi_group": 5 + i % 20, "fuel": "petrol",
                    "engine_cc": 1400, "co2_gkm": 110, "mileage": 30000},
        "drivers": [{"driver_id": "d1", "name": "Ann Bench", "date_of_birth": f"{1960 + i % 35}-03-04",
                     "licence_held_since": "2004-06-01"}],
        "postcode": ["LS1 4AB", "M3 2BW", "EH2 1JX", "BS1 1HT", "B1 2HF"][i % 5],
        "answers": {"annual_mileage": 4000 + (i % 10) * 1000, "ncd_years": i % 10},
    }


def _request(method: str, path: str, host: str, token: str | None, body: Any = None,
             extra: dict[str, str] | None = None) -> bytes:
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one phase. spec: port, kind (ping|quote|bind), seconds, warmup, concurrency, max_requests,
    token, today, customer_id (staff quotes), quote_ids (bind), keep_ids, run_id."""
    import asyncio

    host = f"127.0.0.1:{spec['port']}"
    kind = spec["kind"]
    counter = iter(range(10**12))
    quote_ids: list[str] = list(spec.get("quote_ids") or [])
    run_id = spec.get("run_id", secrets.token_hex(4))

    def next_request() -> bytes | None:
        i = next(counter)
        if i >= spec["max_requests"]:
            return None
        if kind == "ping":
            return _request("GET", "/ping", host, None)
        if kind == "quote":
            body: dict[str, Any] = {"product_code": "ECO", "start_date": spec["today"], "risk": _risk(i)}
            if spec.get("customer_id"):
                body["customer_id"] = spec["customer_id"]
            return _request("POST", "/quotes", host, spec["token"], body)
        if kind == "bind":
            if not quote_ids:
                return None
            return _request("POST", "/policies", host, spec["token"],
                            {"quote_id": quote_ids.pop(), "payment": {"token": "tok_visa"}},
                            {"Idempotency-Key": f"bench-{run_id}-{i}"})
        raise ValueError(kind)

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    error_samples: list[str] = []
    ids: list[str] = []
    state = {"record": False}

    async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            lname = name.strip().lower()
            if lname == b"content-length":
                length = int(value)
            elif lname == b"connection" and value.strip().lower() == b"close":
                close = True
            elif lname == b"transfer-encoding":
                raise RuntimeError("chunked responses are not expected")
        body = await reader.readexactly(length) if length else b""
        return status, body, close

    async def worker(deadline: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", spec["port"])
        try:
            while time.monotonic() < deadline:
                req = next_request()
                if req is None:
                    return
                t0 = time.perf_counter()
                try:
                    writer.write(req)
                    status, body, close = await read_response(reader)
                except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError) as exc:
                    if state["record"]:
                        statuses["io_error"] = statuses.get("io_error", 0) + 1
                        if len(error_samples) < 5:
                            error_samples.append(repr(exc))
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", spec["port"])
                    continue
                elapsed = time.perf_counter() - t0
                if spec.get("keep_ids") and status == 201:
                    m = QUOTE_ID.search(body)
                    if m:
                        ids.append(m.group(1).decode())
                if state["record"]:
                    latencies.append(elapsed)
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                    if not 200 <= status < 300 and len(error_samples) < 5:
                        error_samples.append(f"{status}: {body[:300].decode(errors='replace')}")
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", spec["port"])
        finally:
            writer.close()

    async def main() -> float:
        if spec.get("warmup", 0) > 0:
            deadline = time.monotonic() + spec["warmup"]
            await asyncio.gather(*(worker(deadline) for _ in range(spec["concurrency"])))
        state["record"] = True
        t0 = time.perf_counter()
        deadline = time.monotonic() + spec["seconds"]
        await asyncio.gather(*(worker(deadline) for _ in range(spec["concurrency"])))
        return time.perf_counter() - t0

    cpu0 = time.process_time()
    elapsed = asyncio.run(main())
    cpu = time.process_time() - cpu0
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(n - 1, max(0, int(-(-p * n // 100)) - 1))] * 1000, 2) if n else float("nan")

    errors = sum(v for k, v in statuses.items() if not k.startswith("2"))
    return {
        "kind": kind, "requests": n, "seconds": round(elapsed, 3), "rps": round(n / elapsed, 1) if elapsed else 0.0,
        "ok": sum(v for k, v in statuses.items() if k.startswith("2")), "errors": errors,
        "statuses": statuses, "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
        "max_ms": round(latencies[-1] * 1000, 2) if n else float("nan"),
        "mean_ms": round(sum(latencies) / n * 1000, 2) if n else float("nan"),
        "concurrency": spec["concurrency"], "warmup": spec.get("warmup", 0), "driver_cpu_seconds": round(cpu, 2), "error_samples": error_samples,
        "exhausted": kind == "bind" and not quote_ids, "ids": ids,
    }


PROFILE_DIR: Path | None = None


def run_driver(spec: dict[str, Any], server: Server | None = None) -> dict[str, Any]:
    """Run one phase in a separate load-generator process; adds the server's CPU use. With
    --profile-dir, py-spy samples the server (all threads) during the phase."""
    cpu0 = server.cpu_seconds() if server else float("nan")
    spy = None
    if PROFILE_DIR is not None and server is not None:
        out = PROFILE_DIR / f"{server.name}-{spec['kind']}.txt"
        spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(server.proc.pid),
                                "--rate", "250", "--gil", "--format", "raw", "--output", str(out), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=(PROFILE_DIR / f"{out.stem}.log").open("wb"))
    try:
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_drive"], input=json.dumps(spec),
                              capture_output=True, text=True, cwd=ROOT,
                              timeout=spec["seconds"] + spec.get("warmup", 0) + 120)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout)
    if server:
        # over the warm-up and the timed phase together
        out["server_cpu_seconds"] = round(server.cpu_seconds() - cpu0, 2)
    return out


# -- the Covernote side -------------------------------------------------------------------------------


def prepare_covernote(url: str, data_dir: Path) -> dict[str, str]:
    """Migrate, then create a customer, a customer user and a staff user through the use cases."""
    from covernote.bootstrap import build
    from covernote.identity.usecases import SYSTEM, create_user
    from covernote.policy.usecases import customers
    from covernote.settings import PROJECT_ROOT, Settings

    settings = Settings(database_url=url, products_dir=PROJECT_ROOT / "products",
                        payment_simulator_path=str(data_dir / "payment-simulator.sqlite"), data_dir=data_dir)
    ctx = build(settings, migrate=True)
    try:
        cust = customers.create_customer(ctx, SYSTEM, name="Ann Bench", email="ann@example.org",
                                         address="1 Park Row, Leeds", postcode="LS1 5HD")
        _, customer_token = create_user(ctx, "Bench customer", "customer", cust["id"])
        _, staff_token = create_user(ctx, "Bench staff", "staff")
        today = ctx.today().isoformat()
    finally:
        ctx.uow.engine.dispose()  # type: ignore[attr-defined]
    return {"customer_id": cust["id"], "customer_token": customer_token, "staff_token": staff_token, "today": today}


def measure_covernote(backend: str, url: str, tmp: Path, args: argparse.Namespace, bare: dict[str, Any]) -> dict[str, Any]:
    data_dir = tmp / backend
    data_dir.mkdir()
    log(f"{backend}: preparing the database")
    who = prepare_covernote(url, data_dir)
    env = {"COVERNOTE_DATABASE_URL": url, "COVERNOTE_DATA_DIR": str(data_dir)}
    server = Server(f"covernote-{backend}", "covernote.api.app:create_app_from_env", env, tmp, "/health")
    try:
        base = {"port": server.port, "concurrency": args.concurrency, "today": who["today"]}
        log(f"{backend}: POST /quotes for {args.seconds}s at concurrency {args.concurrency} (pid {server.proc.pid})")
        quote = run_driver({**base, "kind": "quote", "seconds": args.seconds, "warmup": args.warmup,
                            "max_requests": args.max_requests, "token": who["customer_token"], "keep_ids": True},
                           server)
        pool = quote.pop("ids")
        need = args.bind_quotes
        if len(pool) < need:
            log(f"{backend}: setup (untimed): {need - len(pool)} more quotes for the bind phase, as staff")
            top = run_driver({**base, "kind": "quote", "seconds": 600, "warmup": 0, "max_requests": need - len(pool),
                              "token": who["staff_token"], "customer_id": who["customer_id"], "keep_ids": True})
            pool += top.pop("ids")
        log(f"{backend}: POST /policies (bind) for {args.seconds}s, {len(pool)} fresh quotes available")
        warm = min(len(pool) // 10, 200)
        if warm:
            run_driver({**base, "kind": "bind", "seconds": 30, "warmup": 0, "max_requests": warm,
                        "token": who["customer_token"], "quote_ids": pool[:warm], "run_id": "warm"})
        bind = run_driver({**base, "kind": "bind", "seconds": args.seconds, "warmup": 0,
                           "max_requests": args.max_requests, "token": who["customer_token"],
                           "quote_ids": pool[warm:], "run_id": secrets.token_hex(4)}, server)
        bind.pop("ids")
    finally:
        server.stop()
    quote_ratio = quote["rps"] / bare["rps"] if bare["rps"] else 0.0
    bind_ratio = bind["rps"] / bare["rps"] if bare["rps"] else 0.0
    targets = {
        "quote_rps_ratio": {"value": round(quote_ratio, 4), "target": f">= {TARGET_QUOTE_RATIO}",
                            "result": "PASS" if quote_ratio >= TARGET_QUOTE_RATIO else "FAIL"},
        "bind_rps_ratio": {"value": round(bind_ratio, 4), "target": f">= {TARGET_BIND_RATIO}",
                           "result": "PASS" if bind_ratio >= TARGET_BIND_RATIO else "FAIL",
                           "note": "the issue sets this target for PostgreSQL"},
        "quote_p99_ms": {"value": quote["p99_ms"], "target": f"< {TARGET_QUOTE_P99_MS}",
                         "result": "PASS" if quote["p99_ms"] < TARGET_QUOTE_P99_MS else "FAIL"},
        "no_errors": {"value": quote["errors"] + bind["errors"], "target": "0",
                      "result": "PASS" if quote["errors"] + bind["errors"] == 0 else "FAIL"},
    }
    return {"backend": backend, "quote": quote, "bind": bind, "targets": targets}


# -- main ------------------------------------------------------------------------------------------------


def machine(pg_version: str | None) -> dict[str, Any]:
    import importlib.util

    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{round(int(line.split()[1]) / 1024 / 1024, 1)} GiB"
    except OSError:
        pass
    import fastapi
    import uvicorn

    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "postgresql": pg_version, "fastapi": fastapi.__version__,
            "uvicorn": uvicorn.__version__,
            "uvicorn_loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
            "uvicorn_http": "httptools" if importlib.util.find_spec("httptools") else "h11"}


def print_table(bare: dict[str, Any], results: list[dict[str, Any]]) -> None:
    cols = f"{'backend':<11}{'endpoint':<16}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}" \
           f"{'errors':>8}{'srv cpu%':>10}{'gen cpu%':>10}"
    print()
    print(cols)
    print("-" * len(cols))

    def row(backend: str, name: str, r: dict[str, Any]) -> None:
        srv = r.get("server_cpu_seconds")
        wall = r["seconds"] + r.get("warmup", 0)
        srv_pct = f"{100 * srv / wall:.0f}" if srv is not None and wall else "-"
        gen_pct = f"{100 * r['driver_cpu_seconds'] / wall:.0f}" if wall else "-"
        print(f"{backend:<11}{name:<16}{r['requests']:>9}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{r['errors']:>8}{srv_pct:>10}{gen_pct:>10}")

    row("-", "GET /ping bare", bare)
    for res in results:
        row(res["backend"], "POST /quotes", res["quote"])
        row(res["backend"], "POST /policies", res["bind"])
    print("(cpu% = CPU seconds / wall seconds of the server process and of the load generator; 200% = both cores)")
    print()
    for res in results:
        for name, t in res["targets"].items():
            note = f"  ({t['note']})" if t.get("note") else ""
            print(f"{res['backend']:<11}{name:<18}{t['value']!s:>10}  target {t['target']:<8} {t['result']}{note}")
    print()


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--_drive"]:
        print(json.dumps(drive(json.loads(sys.stdin.read()))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postgres-url", default=os.environ.get("COVERNOTE_BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--seconds", type=float, default=10.0, help="length of each timed phase (default 10)")
    ap.add_argument("--concurrency", type=int, default=8, help="keep-alive connections (default 8)")
    ap.add_argument("--warmup", type=float, default=2.0, help="untimed warm-up before each phase (default 2s)")
    ap.add_argument("--max-requests", type=int, default=1_000_000, help="cap on requests per phase")
    ap.add_argument("--bind-quotes", type=int, default=4000,
                    help="fresh quotes made before the bind phase (it stops early if they run out)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/*.json")
    ap.add_argument("--profile-dir", type=Path,
                    help="sample each Covernote server phase with py-spy (bench extra) into DIR/*.txt")
    args = ap.parse_args(argv)
    global PROFILE_DIR
    if args.profile_dir:
        args.profile_dir.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile_dir.resolve()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    def on_signal(signum: int, _frame: Any) -> None:
        Server.stop_all()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="cn_bench_http_"))
    admin = None
    schema = None
    pg_version = None
    results: list[dict[str, Any]] = []
    try:
        log("bare FastAPI: GET /ping")
        bare_server = Server("bare", "http_throughput:create_bare_app", {}, tmp, "/ping")
        try:
            bare = run_driver({"port": bare_server.port, "kind": "ping", "seconds": args.seconds,
                               "warmup": args.warmup, "concurrency": args.concurrency,
                               "max_requests": args.max_requests}, bare_server)
            bare.pop("ids")
        finally:
            bare_server.stop()
        log(f"bare: {bare['rps']} req/s")
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{tmp / 'covernote.db'}"
            elif backend == "postgresql":
                from covernote.store.db import make_engine

                admin = make_engine(args.postgres_url)
                schema = f"cn_bench_{os.getpid()}_{secrets.token_hex(3)}"
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                    pg_version = conn.exec_driver_sql("SHOW server_version").scalar_one()
                sep = "&" if "?" in args.postgres_url else "?"
                url = f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}"
            else:
                raise SystemExit(f"unknown backend {backend!r}")
            res = measure_covernote(backend, url, tmp, args, bare)
            results.append(res)
            log(f"{backend}: quotes {res['quote']['rps']} req/s, binds {res['bind']['rps']} req/s")
        print_table(bare, results)
        info = machine(pg_version)
        for res in results:
            out = {"benchmark": "http_throughput", "date": datetime.now(UTC).date().isoformat(), "machine": info,
                   "settings": {"seconds": args.seconds, "concurrency": args.concurrency, "warmup": args.warmup,
                                "uvicorn": UVICORN_FLAGS, "load_generator": "separate process, asyncio, keep-alive"},
                   "bare": bare, **res}
            if not args.no_write:
                RESULTS.mkdir(exist_ok=True)
                path = RESULTS / f"http_throughput-{res['backend']}.json"
                path.write_text(json.dumps(out, indent=2) + "\n")
                log(f"wrote {path.relative_to(ROOT)}")
        return 0
    finally:
        Server.stop_all()
        if admin is not None and schema is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

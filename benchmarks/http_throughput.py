"""HTTP throughput of quoting, binding and reading a policy, for one or more source trees side by side,
beside a bare FastAPI endpoint in the same run, as medians of interleaved repetitions.

    python benchmarks/http_throughput.py [--tree NAME=PATH ...] [--server STACK[,STACK...]] [--repeats R]
        [--seconds N] [--concurrency C] [--backends sqlite,postgresql] [--postgres-url URL] [--out FILE] [--smoke] [--floor]

--server chooses the server stacks, each spelt out in full (STACKS below) and used alike for the bare app and
for Covernote: `uvicorn` (pure Python: --loop asyncio --http h11, the default), `uvicorn-standard` (uvicorn's
C speed-ups: --loop uvloop --http httptools) and `granian` (Granian's ASGI interface, one worker, uvloop,
HTTP/1). The last two need the `bench` extra. Every stack named runs in the same run, interleaved with the
trees in every repetition, and every result records its stack.

Without --tree it measures the tree this script lives in. With several --tree options it measures each of
them in the same run. Every tree's server runs under the same interpreter (--python, default the one
running this script) with PYTHONPATH=<tree>/src and its working directory in the tree, so each tree serves
its own code and its own products/ folder; the script checks where `covernote` is imported from.

In one run, for each backend (a fresh SQLite file per tree and stack in a temp dir, or a fresh PostgreSQL
schema per tree and stack that it creates and drops):

1. it seeds each tree's database through that tree's own command line (the `covernote` entry point its
   pyproject.toml declares): `db upgrade`, a staff user, a customer, a customer user. This process never
   imports covernote, so a tree with a different module layout seeds the same way;
2. it starts one server per tree and stack (covernote.api.app:create_app_from_env) and, once for all
   backends, one per stack for a bare FastAPI app (GET /ping and POST /echo, `create_bare_app` below);
3. it runs --repeats repetitions; in each, every stack's bare app and every tree under every stack are
   measured one after the other, the order rotated per repetition (so none always goes first). The bare
   app's repetition is GET /ping, then POST /echo with a quote's body. One tree's repetition is:
   - POST /quotes (customer token, an ECO risk that varies per request);
   - POST /policies: every request binds a fresh quote (the quotes from that repetition's quote phase,
     topped up by an untimed setup phase as staff), with a unique Idempotency-Key and token "tok_visa",
     after an untimed warm-up of up to 200 binds;
   - GET /policies/{id}: the customer reads the policies bound so far, round robin.

The load comes from a separate process (this script with --_drive): pure Python asyncio, C keep-alive
HTTP/1.1 connections over loopback, closed loop, each phase bounded by time (--seconds) and by count, an
untimed warm-up before the quote, read and bare phases. It records requests/s, p50/p95/p99 latency and
errors (any non-2xx or I/O failure), and the CPU time of the server and of the load generator.

The report gives, per backend, stack, tree and endpoint, the median over the repetitions of req/s, of p99 and
of the ratio to the same stack's bare endpoint in the same repetition (a policy read to the bare GET, a quote
and a bind to the bare POST), and each stack relative to the first. Any error in a timed phase makes the run
exit with status 3 (a benchmark whose requests fail is not a measurement). --smoke is a tiny run (one
tree, one repetition, one second per phase, SQLite; the stacks named, default uvicorn) for CI.

--floor measures each tree a second time, as NAME-floor: the tree's own app served by `create_floor_app`, whose
policy read answers each policy from memory after reading it once. Everything else a read pays for is kept, so
NAME-floor's read share is the most that any work on the read's statements and views could reach.

Targets (issue 12): policy reads >= 25% of the bare GET's requests/s, quotes >= 20% of the bare POST's,
binds >= 8% of the bare POST's (on PostgreSQL), p99 quote latency < 50 ms at concurrency 8 (on PostgreSQL). Every server started is stopped by its pid at the end, also on
error, Ctrl-C or SIGTERM (a server that does not stop in 10 s is killed with its process group: Granian's
worker); every schema created is dropped. A server's CPU time counts its worker processes.
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
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
# Issue 12's targets: a policy read at 25% or more of the bare GET's rate, a quote at 20% or more of the bare
# POST's, a bind at 8% or more of the bare POST's (on PostgreSQL), a quote's p99 under 50 ms at concurrency 8
# (on PostgreSQL).
TARGET_READ_RATIO = 0.25
TARGET_QUOTE_RATIO = 0.20
TARGET_BIND_RATIO = 0.08
TARGET_QUOTE_P99_MS = 50.0
# Which bare endpoint each phase is compared with: reads with the bare GET, writes with the bare POST.
BARE_OF = {"quote": "echo", "bind": "echo", "read": "ping"}
WORKERS = os.environ.get("BENCH_WORKERS", "1")
# Each server stack spelt out in full, so that what is installed never changes what is measured: the same
# arguments for the bare app and for Covernote. uvicorn picks uvloop and httptools by itself when they are
# installed ("auto"), so both of its stacks name their loop and HTTP parser.
STACKS: dict[str, list[str]] = {
    # pure Python: the asyncio loop and the h11 parser
    "uvicorn": ["-m", "uvicorn", "--loop", "asyncio", "--http", "h11", "--host", "127.0.0.1", "--workers", WORKERS,
                "--log-level", "warning", "--no-access-log"],
    # uvicorn[standard]: the uvloop loop (libuv, C) and the httptools parser (llhttp, C)
    "uvicorn-standard": ["-m", "uvicorn", "--loop", "uvloop", "--http", "httptools", "--host", "127.0.0.1",
                         "--workers", WORKERS, "--log-level", "warning", "--no-access-log"],
    # Granian (HTTP in Rust) through its ASGI interface (with lifespan), one worker process under its own
    # supervisor process, the uvloop loop, HTTP/1 only (as the load generator speaks), no websockets
    "granian": ["-m", "granian", "--interface", "asgi", "--workers", WORKERS, "--runtime-threads", "1",
                "--loop", "uvloop", "--http", "1", "--no-ws", "--host", "127.0.0.1", "--log-level", "warning",
                "--no-access-log"],
}
DEFAULT_STACK = "uvicorn"
APP_TARGET = "covernote.api.app:create_app_from_env"
PHASES = ("quote", "bind", "read")
PHASE_LABEL = {"ping": "GET /ping bare", "echo": "POST /echo bare", "quote": "POST /quotes", "bind": "POST /policies",
               "read": "GET /policies/{id}"}
BARE_PHASES = ("ping", "echo")


# -- the bare app (imported by uvicorn in its own process) -------------------------------------------


def create_bare_app() -> Any:
    """A FastAPI app with two trivial JSON endpoints, the ceiling the stack allows on this machine: GET /ping,
    and POST /echo, which validates a quote's body (the same bytes POST /quotes gets) with Pydantic and answers
    a few of its fields."""
    from datetime import date

    from fastapi import FastAPI
    from pydantic import BaseModel

    class Echo(BaseModel):
        product_code: str
        start_date: date
        customer_id: str | None = None
        risk: dict[str, Any]

    app = FastAPI(title="bare")

    @app.get("/ping")
    async def ping() -> dict[str, Any]:
        return {"status": "ok"}

    async def echo(body: Echo) -> dict[str, Any]:
        return {"product_code": body.product_code, "start_date": body.start_date, "postcode": body.risk.get("postcode")}

    # This module's annotations are strings (PEP 563) that FastAPI resolves in the module's globals, where this
    # local class is not: give it the class itself.
    echo.__annotations__["body"] = Echo
    app.post("/echo")(echo)
    return app


def create_floor_app() -> Any:
    """Covernote's own app (the tree's, from COVERNOTE_* like `create_app_from_env`) whose policy read answers
    each (user, policy) from memory after reading it once: the read's database and domain work taken away,
    and everything else a read pays for kept (the server, the middlewares, routing, the token's check, the
    path's and the query's checks, the answer's validation and JSON). Its read's share of the bare GET is the
    most that any work on the read's own statements and views could reach (--floor). Benchmarks only: the
    answers go stale when a policy changes, which no read phase does."""
    from covernote.api.app import create_app_from_env
    from covernote.lifecycle.usecases import policies

    real = policies.get_policy
    memo: dict[tuple[str, str], Any] = {}

    def get_policy(ctx: Any, principal: Any, policy_id: str) -> Any:
        key = (principal.user_id, policy_id)
        view = memo.get(key)
        if view is None:
            view = memo[key] = real(ctx, principal, policy_id)
        return view

    policies.get_policy = get_policy  # lifecycle/api.py calls it through the module
    return create_app_from_env()


# -- servers ------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without COVERNOTE_* and PYTHONPATH, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERNOTE_") and k != "PYTHONPATH"}
    return {**env, **extra}


def server_command(stack: str, python: str, target: str, port: int, app_dir: Path | None = None) -> list[str]:
    """The command line that serves the app factory `target` on `port` with `stack` (a key of STACKS)."""
    cmd = [python, *STACKS[stack], "--port", str(port), "--factory"]
    if app_dir is not None:  # where `target`'s module is, when it is not importable as it stands
        cmd += ["--app-dir" if stack.startswith("uvicorn") else "--working-dir", str(app_dir)]
    return [*cmd, target]


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (Granian serves from a worker process under its supervisor), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


class Server:
    """One server subprocess of a stack (STACKS), stopped by its pid."""

    running: list[Server] = []

    def __init__(self, name: str, python: str, target: str, env: dict[str, str], cwd: Path, logdir: Path,
                 health: str, app_dir: Path | None = None, stack: str = DEFAULT_STACK,
                 command: Callable[[int], list[str]] | None = None, timeout: float = 60.0) -> None:
        """`command(port)`, when given, is the whole command line (memory_soak.py: `covernote serve`)."""
        self.name = name
        self.stack = stack
        self.port = free_port()
        self.log_path = logdir / f"server-{name}.log"
        self._log = self.log_path.open("wb")
        cmd = command(self.port) if command else server_command(stack, python, target, self.port, app_dir)
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        Server.running.append(self)
        try:
            self._wait_ready(health, timeout)
        except RuntimeError:
            self.stop()
            raise

    def _wait_ready(self, path: str, timeout: float) -> None:
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
        """utime + stime of the server process and its live descendants (Granian's worker) from /proc."""
        total = 0
        for pid in process_tree(self.proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                if pid == self.proc.pid:
                    return float("nan")
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                # its own session (start_new_session): the group is this server and its workers only
                os.killpg(self.proc.pid, signal.SIGKILL)
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

KEEP_ID = {"quote": re.compile(rb'"id":"(quo_[0-9a-z]+)"'), "bind": re.compile(rb'"id":"(pol_[0-9a-z]+)"')}


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
    """Run one phase. spec: port, kind (ping|echo|quote|bind|read), seconds, warmup, concurrency, max_requests,
    token, today, customer_id (staff quotes), quote_ids (bind), policy_ids (read), keep_ids, run_id."""
    import asyncio

    host = f"127.0.0.1:{spec['port']}"
    kind = spec["kind"]
    counter = iter(range(10**12))
    quote_ids: list[str] = list(spec.get("quote_ids") or [])
    policy_ids: list[str] = list(spec.get("policy_ids") or [])
    run_id = spec.get("run_id", secrets.token_hex(4))
    if kind == "read" and not policy_ids:
        raise ValueError("a read phase needs policy_ids")

    def next_request() -> bytes | None:
        i = next(counter)
        if i >= spec["max_requests"]:
            return None
        if kind == "ping":
            return _request("GET", "/ping", host, None)
        if kind == "echo":
            return _request("POST", "/echo", host, None,
                            {"product_code": "ECO", "start_date": spec["today"], "risk": _risk(i)})
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
        if kind == "read":
            return _request("GET", f"/policies/{policy_ids[i % len(policy_ids)]}", host, spec["token"])
        raise ValueError(kind)

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    error_samples: list[str] = []
    ids: list[str] = []
    keep = KEEP_ID.get(kind) if spec.get("keep_ids") else None
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
                if keep is not None and status == 201:
                    m = keep.search(body)
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
        "concurrency": spec["concurrency"], "warmup": spec.get("warmup", 0), "driver_cpu_seconds": round(cpu, 2),
        "error_samples": error_samples, "exhausted": kind == "bind" and not quote_ids, "ids": ids,
    }


PROFILE_DIR: Path | None = None


def run_driver(spec: dict[str, Any], server: Server | None = None, tag: str = "") -> dict[str, Any]:
    """Run one phase in a separate load-generator process; adds the server's CPU use. With
    --profile-dir, py-spy samples the server (the thread holding the GIL) during the phase."""
    cpu0 = server.cpu_seconds() if server else float("nan")
    spy = None
    if PROFILE_DIR is not None and server is not None:
        out = PROFILE_DIR / f"{server.name}-{spec['kind']}{tag}.txt"
        spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(server.proc.pid),
                                "--rate", "250", "--gil", "--format", "raw", "--output", str(out), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=(PROFILE_DIR / f"{out.stem}.log").open("wb"))
    try:
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_drive"], input=json.dumps(spec),
                              capture_output=True, text=True, cwd=ROOT, env=clean_env(),
                              timeout=spec["seconds"] + spec.get("warmup", 0) + 120)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    if server:
        # over the warm-up and the timed phase together
        result["server_cpu_seconds"] = round(server.cpu_seconds() - cpu0, 2)
    return result


# -- source trees ---------------------------------------------------------------------------------------


@dataclass
class Tree:
    """One source tree to measure: NAME=PATH, with its commit and its own `covernote` entry point."""

    name: str
    path: Path
    python: str
    commit: str = ""
    code_commit: str = ""
    dirty: bool = False
    entry: str = "covernote.cli.main:app"
    imported_from: str = ""
    target: str = APP_TARGET  # the app factory its servers serve (--floor: create_floor_app)
    app_dir: Path | None = None
    seconds_to_seed: dict[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, spec: str, python: str) -> Tree:
        name, sep, path = spec.partition("=")
        if not sep:
            name, path = Path(spec).resolve().name, spec
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise SystemExit(f"--tree {spec!r}: the name may use letters, digits, '_', '.' and '-'")
        tree = cls(name=name, path=Path(path).resolve(), python=python)
        if not (tree.path / "src" / "covernote" / "__init__.py").is_file():
            raise SystemExit(f"--tree {spec!r}: {tree.path}/src/covernote is not a covernote source tree")
        try:
            scripts = tomllib.loads((tree.path / "pyproject.toml").read_text())["project"]["scripts"]
            tree.entry = scripts["covernote"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            pass  # keep the default entry point
        git = ["git", "-C", str(tree.path)]
        rev = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
        tree.commit = rev.stdout.strip() if rev.returncode == 0 else "unknown"
        # the last commit that changed the served code: a benchmark-only commit on top does not rename it
        code = subprocess.run([*git, "log", "-1", "--format=%H", "--", "src", "products", "pyproject.toml"],
                              capture_output=True, text=True)
        tree.code_commit = code.stdout.strip() if code.returncode == 0 and code.stdout.strip() else tree.commit
        status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no", "--", "src", "products"],
                                capture_output=True, text=True)
        tree.dirty = bool(status.stdout.strip())
        probe = subprocess.run([python, "-c", "import covernote; print(covernote.__file__)"], capture_output=True,
                               text=True, cwd=tree.path, env=tree.env())
        tree.imported_from = probe.stdout.strip()
        if probe.returncode != 0 or not Path(tree.imported_from).is_relative_to(tree.path / "src"):
            raise SystemExit(f"--tree {spec!r}: with PYTHONPATH={tree.path / 'src'}, {python} imports covernote "
                             f"from {tree.imported_from or probe.stderr.strip()!r}, not from this tree")
        return tree

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(PYTHONPATH=str(self.path / "src"), **extra)

    def describe(self) -> str:
        code = f", code last changed in {self.code_commit[:7]}" if self.code_commit != self.commit else ""
        return f"{self.name}={self.path} ({self.commit[:7]}{code}{', uncommitted changes' if self.dirty else ''})"

    def cli(self, env: dict[str, str], steps: list[list[str]]) -> list[str]:
        """Run commands of the tree's own `covernote` CLI (its declared entry point) in one process under the
        shared interpreter; returns each command's output. An argument may name an earlier output's customer
        id as {customer_id}."""
        module, _, attr = self.entry.partition(":")
        code = (
            "import contextlib, io, json, re, sys\n"
            f"from {module} import {attr} as app\n"
            "outs, found = [], {}\n"
            "for args in json.loads(sys.argv[1]):\n"
            "    args = [a.format(**found) for a in args]\n"
            "    buf = io.StringIO()\n"
            "    with contextlib.redirect_stdout(buf):\n"
            "        rc = app(args, prog_name='covernote', standalone_mode=False)\n"
            "    if rc not in (None, 0):\n"
            "        sys.exit(f'covernote {\" \".join(args)} exited {rc}:\\n{buf.getvalue()}')\n"
            "    outs.append(buf.getvalue())\n"
            "    m = re.search(r'\"id\": \"(cus_[0-9a-z]+)\"', buf.getvalue())\n"
            "    if m:\n"
            "        found['customer_id'] = m.group(1)\n"
            "print(json.dumps(outs))\n"
        )
        proc = subprocess.run([self.python, "-c", code, json.dumps(steps)], capture_output=True, text=True,
                              cwd=self.path, env=env, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.name}: the covernote CLI failed ({proc.returncode}):\n"
                               f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
        outs: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
        return outs

    def seed(self, env: dict[str, str]) -> dict[str, str]:
        """Migrate, then make a staff user, a customer and the customer's user, through the tree's CLI."""

        def token(out: str) -> str:
            m = re.search(r"^token: (\S+)$", out, re.M)
            if not m:
                raise RuntimeError(f"{self.name}: no token in the output of `covernote users create`:\n{out}")
            return m.group(1)

        _, staff, customer, customer_user = self.cli(env, [
            ["db", "upgrade"],
            ["users", "create", "--name", "Bench staff", "--role", "staff"],
            ["customers", "create", "--name", "Ann Bench", "--email", "ann@example.org",
             "--address", "1 Park Row, Leeds", "--postcode", "LS1 5HD", "--json"],
            ["users", "create", "--name", "Bench customer", "--role", "customer", "--customer", "{customer_id}"],
        ])
        return {"customer_id": json.loads(customer[customer.index("{"):])["id"], "customer_token": token(customer_user),
                "staff_token": token(staff)}


def london_today() -> str:
    """Covernote's `today` (the London date), for the quotes' start date."""
    return datetime.now(ZoneInfo("Europe/London")).date().isoformat()


# -- one repetition of one tree ------------------------------------------------------------------------


@dataclass
class Unit:
    """A running Covernote server of one tree on one backend, with its seeded users and bound policies."""

    tree: Tree
    backend: str
    server: Server
    who: dict[str, str]
    policies: list[str] = field(default_factory=list)


def measure_tree_rep(unit: Unit, args: argparse.Namespace, rep: int) -> dict[str, Any]:
    server, who, label = unit.server, unit.who, f"{unit.backend}/{unit.tree.name}@{unit.server.stack} r{rep + 1}"
    tag = f"-r{rep + 1}"
    base = {"port": server.port, "concurrency": args.concurrency, "today": london_today()}
    quote = run_driver({**base, "kind": "quote", "seconds": args.seconds, "warmup": args.warmup,
                        "max_requests": args.max_requests, "token": who["customer_token"], "keep_ids": True},
                       server, tag)
    pool = quote.pop("ids")
    # Binds are slower than quotes, so the quote phase's own rate sizes the bind phase's supply.
    need = args.bind_quotes if args.bind_quotes is not None else int(quote["rps"] * args.seconds * 1.2) + 200
    if len(pool) < need:
        top = run_driver({**base, "kind": "quote", "seconds": 600, "warmup": 0, "max_requests": need - len(pool),
                          "token": who["staff_token"], "customer_id": who["customer_id"], "keep_ids": True})
        if top["errors"]:
            raise RuntimeError(f"{label}: the untimed quote top-up failed: {top['error_samples']}")
        pool += top.pop("ids")
    warm = min(len(pool) // 10, 200)
    if warm:
        w = run_driver({**base, "kind": "bind", "seconds": 60, "warmup": 0, "max_requests": warm,
                        "token": who["customer_token"], "quote_ids": pool[:warm], "run_id": f"warm{rep}",
                        "keep_ids": True})
        unit.policies += w.pop("ids")
    bind = run_driver({**base, "kind": "bind", "seconds": args.seconds, "warmup": 0,
                       "max_requests": args.max_requests, "token": who["customer_token"],
                       "quote_ids": pool[warm:], "run_id": secrets.token_hex(4), "keep_ids": True}, server, tag)
    unit.policies += bind.pop("ids")
    bind["quotes_available"] = len(pool) - warm
    if not unit.policies:
        raise RuntimeError(f"{label}: no policy was bound, so there is nothing to read: {bind['error_samples']}")
    read = run_driver({**base, "kind": "read", "seconds": args.seconds, "warmup": args.warmup,
                       "max_requests": args.max_requests, "token": who["customer_token"],
                       "policy_ids": unit.policies}, server, tag)
    read.pop("ids")
    read["policies_read"] = len(unit.policies)
    log(f"{label}: quote {quote['rps']}/s, bind {bind['rps']}/s, read {read['rps']}/s, errors "
        f"{quote['errors'] + bind['errors'] + read['errors']}")
    return {"quote": quote, "bind": bind, "read": read}


def measure_bare(bare_server: Server, args: argparse.Namespace, label: str) -> dict[str, Any]:
    out = {}
    for kind in BARE_PHASES:
        out[kind] = run_driver({"port": bare_server.port, "kind": kind, "seconds": args.seconds,
                                "warmup": args.warmup, "concurrency": args.concurrency,
                                "max_requests": args.max_requests, "today": london_today()}, bare_server)
        out[kind].pop("ids")
    log(f"{label}: bare GET {out['ping']['rps']}/s, POST {out['echo']['rps']}/s")
    return out


# -- one backend --------------------------------------------------------------------------------------------


class Databases:
    """The per-tree databases of one run: SQLite files under the temp dir, or PostgreSQL schemas it creates
    (with psycopg, so this process needs no covernote) and drops."""

    def __init__(self, pg_url: str, tmp: Path) -> None:
        self.pg_url = pg_url
        self.tmp = tmp
        self.schemas: list[str] = []
        self.pg_version: str | None = None

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(re.sub(r"^postgresql\+\w+://", "postgresql://", self.pg_url), autocommit=True)

    def url(self, backend: str, label: str, data_dir: Path) -> str:
        if backend == "sqlite":
            return f"sqlite:///{data_dir / 'covernote.db'}"
        if backend == "postgresql":
            schema = f"cn_bench_{os.getpid()}_{secrets.token_hex(3)}_{re.sub(r'[^a-z0-9]', '_', label.lower())}"
            with self._connect() as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
                self.pg_version = conn.execute("SHOW server_version").fetchone()[0]
            self.schemas.append(schema)
            sep = "&" if "?" in self.pg_url else "?"
            return f"{self.pg_url}{sep}options=-csearch_path%3D{schema}"
        raise SystemExit(f"unknown backend {backend!r}")

    def drop_all(self) -> None:
        if not self.schemas:
            return
        with self._connect() as conn:
            for schema in list(self.schemas):
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                self.schemas.remove(schema)


def run_backend(backend: str, trees: list[Tree], stacks: list[str], bare_servers: dict[str, Server],
                dbs: Databases, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Every tree under every stack on one backend: one server and one freshly seeded database per tree and
    stack, so each stack starts from the same data. Each repetition measures every stack's bare app and every
    (tree, stack) once, the order rotated by one per repetition."""
    units: list[Unit] = []
    try:
        for stack in stacks:
            for tree in trees:
                where = f"{backend}/{tree.name}@{stack}"
                data_dir = tmp / backend / tree.name / stack
                data_dir.mkdir(parents=True)
                url = dbs.url(backend, f"{tree.name}_{stack}", data_dir)
                env = tree.env(COVERNOTE_DATABASE_URL=url, COVERNOTE_DATA_DIR=str(data_dir))
                log(f"{where}: seeding through the tree's CLI")
                t0 = time.perf_counter()
                who = tree.seed(env)
                tree.seconds_to_seed[f"{backend}@{stack}"] = round(time.perf_counter() - t0, 1)
                server = Server(f"covernote-{backend}-{tree.name}-{stack}", tree.python, tree.target, env, tree.path,
                                tmp, "/health", app_dir=tree.app_dir, stack=stack)
                log(f"{where}: server pid {server.proc.pid} on port {server.port}")
                units.append(Unit(tree, backend, server, who))
        bare_reps: dict[str, list[dict[str, Any]]] = {s: [] for s in stacks}
        tree_reps: dict[tuple[str, str], list[dict[str, Any]]] = {(t.name, s): [] for t in trees for s in stacks}
        for rep in range(args.repeats):
            order: list[Unit | str] = [*stacks, *units]  # a stack's name stands for its bare app
            k = rep % len(order)
            order = order[k:] + order[:k]
            log(f"{backend}: repetition {rep + 1}/{args.repeats}: "
                + ", ".join(f"bare@{u}" if isinstance(u, str) else f"{u.tree.name}@{u.server.stack}" for u in order))
            for u in order:
                if isinstance(u, str):
                    bare_reps[u].append({"rep": rep + 1, "server": u,
                                         **measure_bare(bare_servers[u], args, f"{backend} r{rep + 1} @{u}")})
                else:
                    tree_reps[u.tree.name, u.server.stack].append(
                        {"rep": rep + 1, "server": u.server.stack, **measure_tree_rep(u, args, rep)})
    finally:
        for u in units:
            u.server.stop()
    out: dict[str, Any] = {"backend": backend, "stacks": {}}
    for stack in stacks:
        breps = bare_reps[stack]
        entry: dict[str, Any] = {"bare": {"reps": breps, "summary": {k: summarise(breps, k) for k in BARE_PHASES}},
                                 "trees": {}}
        bare_by_rep = {b["rep"]: b for b in breps}
        for tree in trees:
            reps = tree_reps[tree.name, stack]
            for r in reps:
                b = bare_by_rep[r["rep"]]
                r["ratio_to_bare"] = {p: round(r[p]["rps"] / b[BARE_OF[p]]["rps"], 4) if b[BARE_OF[p]]["rps"] else 0.0
                                      for p in PHASES}
            summary = {p: summarise(reps, p) for p in PHASES}
            entry["trees"][tree.name] = {"reps": reps, "summary": summary, "targets": targets(summary)}
        out["stacks"][stack] = entry
    return out


# -- summaries and the report ---------------------------------------------------------------------------------


def med(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else float("nan")


def summarise(reps: list[dict[str, Any]], phase: str) -> dict[str, Any]:
    rs = [r[phase] for r in reps]
    s = {"repetitions": len(rs), "rps_median": med([r["rps"] for r in rs]),
         "rps_min": min((r["rps"] for r in rs), default=float("nan")),
         "rps_max": max((r["rps"] for r in rs), default=float("nan")),
         "p50_ms_median": med([r["p50_ms"] for r in rs]), "p99_ms_median": med([r["p99_ms"] for r in rs]),
         "requests": sum(r["requests"] for r in rs), "errors": sum(r["errors"] for r in rs),
         "exhausted": sum(1 for r in rs if r.get("exhausted"))}
    if phase in PHASES:
        s["ratio_to_bare_median"] = round(statistics.median(r["ratio_to_bare"][phase] for r in reps), 4) if reps else 0.0
    return s


def targets(summary: dict[str, Any]) -> dict[str, Any]:
    q, b, r = summary["quote"], summary["bind"], summary["read"]
    errors = sum(s["errors"] for s in summary.values())

    def share(s: dict[str, Any], target: float, of: str, note: str | None = None) -> dict[str, Any]:
        out = {"value": s["ratio_to_bare_median"], "target": f">= {target} of {of}",
               "result": "PASS" if s["ratio_to_bare_median"] >= target else "FAIL"}
        return {**out, "note": note} if note else out

    return {
        "read_rps_ratio": share(r, TARGET_READ_RATIO, "bare GET"),
        "quote_rps_ratio": share(q, TARGET_QUOTE_RATIO, "bare POST"),
        "bind_rps_ratio": share(b, TARGET_BIND_RATIO, "bare POST", "the issue sets this target for PostgreSQL"),
        "quote_p99_ms": {"value": q["p99_ms_median"], "target": f"< {TARGET_QUOTE_P99_MS}",
                         "result": "PASS" if q["p99_ms_median"] < TARGET_QUOTE_P99_MS else "FAIL",
                         "note": "the issue sets this target for PostgreSQL"},
        "no_errors": {"value": errors, "target": "0", "result": "PASS" if errors == 0 else "FAIL"},
    }


def cpu_pct(reps: list[dict[str, Any]], key: str) -> str:
    vals = [100 * r[key] / (r["seconds"] + r.get("warmup", 0)) for r in reps if r.get(key) is not None and r["seconds"]]
    return f"{statistics.median(vals):.0f}" if vals else "-"


def _row(backend: str, stack: str, tree: str, label: str, s: dict[str, Any], reps: list[dict[str, Any]],
         pct: str) -> None:
    print(f"{backend:<11}{stack:<17}{tree:<10}{label:<20}{s['repetitions']:>5}{s['rps_median']:>11.1f}"
          f"{s['rps_min']:>9.1f}{s['rps_max']:>9.1f}{s['p50_ms_median']:>8.1f}{s['p99_ms_median']:>8.1f}{pct:>8}"
          f"{s['errors']:>7}{cpu_pct(reps, 'server_cpu_seconds'):>9}{cpu_pct(reps, 'driver_cpu_seconds'):>9}")


def _relative(a: dict[str, Any], b: dict[str, Any]) -> str:
    parts = []
    for p in PHASES:
        x, y = a["summary"][p], b["summary"][p]
        rps = y["rps_median"] / x["rps_median"] if x["rps_median"] else float("nan")
        ratio = y["ratio_to_bare_median"] / x["ratio_to_bare_median"] if x["ratio_to_bare_median"] else float("nan")
        parts.append(f"{p} x{rps:.3f} (share x{ratio:.3f})")
    return ", ".join(parts)


def print_report(results: list[dict[str, Any]], trees: list[Tree], stacks: list[str]) -> None:
    print()
    for t in trees:
        print(f"tree {t.describe()}, covernote from {t.imported_from}")
    for stack in stacks:
        print(f"server {stack}: {' '.join(STACKS[stack])}")
    cols = (f"{'backend':<11}{'server':<17}{'tree':<10}{'endpoint':<20}{'reps':>5}{'req/s med':>11}{'min':>9}{'max':>9}"
            f"{'p50 ms':>8}{'p99 ms':>8}{'% bare':>8}{'errors':>7}{'srv cpu%':>9}{'gen cpu%':>9}")
    print()
    print(cols)
    print("-" * len(cols))
    for res in results:
        backend = res["backend"]
        for stack, st in res["stacks"].items():
            bare = st["bare"]
            for k in BARE_PHASES:
                ping = bare["summary"]["ping"]["rps_median"]
                pct = f"{100 * bare['summary'][k]['rps_median'] / ping:.1f}" if ping else "-"
                _row(backend, stack, "-", PHASE_LABEL[k], bare["summary"][k], [r[k] for r in bare["reps"]], pct)
            for name, tr in st["trees"].items():
                for p in PHASES:
                    s = tr["summary"][p]
                    _row(backend, stack, name, PHASE_LABEL[p], s, [r[p] for r in tr["reps"]],
                         f"{100 * s['ratio_to_bare_median']:.1f}")
    print("(medians over the repetitions; % bare = median of each repetition's req/s over the bare endpoint's, served")
    print(" by the same stack, in the same repetition: a read over the bare GET's, a quote and a bind over the bare")
    print(" POST's, the bare POST over the bare GET's; cpu% = CPU seconds / wall seconds of the server (with its worker")
    print(" processes) and of the load generator, 200% = both cores)")
    if len(trees) > 1:
        first = trees[0].name
        print()
        print(f"relative to tree {first} under the same server (median req/s and median % bare):")
        for res in results:
            for stack, st in res["stacks"].items():
                for name, tr in st["trees"].items():
                    if name != first:
                        print(f"  {res['backend']:<11}{stack:<17}{name:<10}" + _relative(st["trees"][first], tr))
    if len(stacks) > 1:
        first_stack = stacks[0]
        print()
        print(f"relative to server {first_stack} for the same tree (median req/s; share = of each stack's own bare):")
        for res in results:
            base = res["stacks"][first_stack]
            for stack, st in res["stacks"].items():
                if stack == first_stack:
                    continue
                parts = []
                for k in BARE_PHASES:
                    b0, b1 = base["bare"]["summary"][k]["rps_median"], st["bare"]["summary"][k]["rps_median"]
                    parts.append(f"bare {k} x{b1 / b0 if b0 else float('nan'):.3f}")
                print(f"  {res['backend']:<11}{stack:<17}{'-':<10}" + ", ".join(parts))
                for name, tr in st["trees"].items():
                    print(f"  {res['backend']:<11}{stack:<17}{name:<10}" + _relative(base["trees"][name], tr))
    print()
    for res in results:
        for stack, st in res["stacks"].items():
            for name, tr in st["trees"].items():
                for tname, t in tr["targets"].items():
                    note = f"  ({t['note']})" if t.get("note") else ""
                    print(f"{res['backend']:<11}{stack:<17}{name:<10}{tname:<18}{t['value']!s:>10}  target "
                          f"{t['target']:<22} {t['result']}{note}")
    print()


def problems(results: list[dict[str, Any]]) -> list[str]:
    """Every timed phase with failed requests, or whose bind ran out of quotes."""
    out = []
    for res in results:
        for stack, st in res["stacks"].items():
            where = f"{res['backend']}@{stack}"
            for r in st["bare"]["reps"]:
                for k in BARE_PHASES:
                    if r[k]["errors"]:
                        out.append(f"{where} bare {k} r{r['rep']}: {r[k]['errors']} errors {r[k]['statuses']} "
                                   f"{r[k]['error_samples'][:2]}")
            for name, tr in st["trees"].items():
                for r in tr["reps"]:
                    for p in PHASES:
                        if r[p]["errors"]:
                            out.append(f"{where}/{name} r{r['rep']} {p}: {r[p]['errors']} errors {r[p]['statuses']} "
                                       f"{r[p]['error_samples'][:2]}")
                    if r["bind"]["exhausted"]:
                        out.append(f"{where}/{name} r{r['rep']} bind: ran out of quotes (raise --bind-quotes)")
    return out


# -- main ------------------------------------------------------------------------------------------------


def machine(pg_version: str | None, python: str) -> dict[str, Any]:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{round(int(line.split()[1]) / 1024 / 1024, 1)} GiB"
    except OSError:
        pass
    code = ("import fastapi, uvicorn, sqlalchemy, platform, importlib.metadata as m, json\n"
            "def v(name):\n"
            "    try:\n"
            "        return m.version(name)\n"
            "    except m.PackageNotFoundError:\n"
            "        return None\n"
            "print(json.dumps({'python': platform.python_version(), 'fastapi': fastapi.__version__, "
            "'uvicorn': uvicorn.__version__, 'sqlalchemy': sqlalchemy.__version__, 'uvloop': v('uvloop'), "
            "'httptools': v('httptools'), 'granian': v('granian')}))")
    probe = subprocess.run([python, "-c", code], capture_output=True, text=True, env=clean_env())
    stack = json.loads(probe.stdout) if probe.returncode == 0 else {"error": probe.stderr[-500:]}
    return {"nproc": os.cpu_count(), "memory": mem, "platform": platform.platform(), "postgresql": pg_version,
            "server_python": python, **stack}


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--_drive"]:
        print(json.dumps(drive(json.loads(sys.stdin.read()))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                    help="a source tree to measure (repeat for several; default: this script's tree)")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for every tree's server and CLI (default: the one running this script)")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repetitions per backend (default 3)")
    ap.add_argument("--postgres-url", default=os.environ.get("COVERNOTE_BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--seconds", type=float, default=5.0, help="length of each timed phase (default 5)")
    ap.add_argument("--concurrency", type=int, default=8, help="keep-alive connections (default 8)")
    ap.add_argument("--warmup", type=float, default=1.0, help="untimed warm-up before each phase (default 1s)")
    ap.add_argument("--max-requests", type=int, default=1_000_000, help="cap on requests per phase")
    ap.add_argument("--bind-quotes", type=int, default=None,
                    help="fresh quotes made before each bind phase (default: 1.2 x the quote phase's req/s x --seconds, "
                         "plus 200; a bind phase that runs out is reported)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--server", default=DEFAULT_STACK, metavar="STACK[,STACK...]",
                    help=f"the server stacks to measure, a comma list of {', '.join(STACKS)}, each for the bare app "
                         f"and every tree, interleaved in every repetition (default {DEFAULT_STACK}: "
                         "pure Python, --loop asyncio --http h11)")
    ap.add_argument("--out", type=Path, help="results file (default benchmarks/results/http_throughput-<trees>.json)")
    ap.add_argument("--no-write", action="store_true", help="do not write a results file")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny run for CI: one tree, one repetition, 1 s phases, SQLite; writes only with --out")
    ap.add_argument("--floor", action="store_true",
                    help="also measure each tree as NAME-floor: its own app with the policy read answered from memory "
                         "after the first read of each policy (create_floor_app), the ceiling of a read's share")
    ap.add_argument("--profile-dir", type=Path,
                    help="sample each Covernote server phase with py-spy (bench extra) into DIR/*.txt")
    args = ap.parse_args(argv)
    if args.smoke:
        if len(args.tree) > 1:
            raise SystemExit("--smoke measures one tree")
        args.repeats, args.seconds, args.warmup, args.backends = 1, 1.0, 0.3, "sqlite"
        args.concurrency = min(args.concurrency, 4)
        args.no_write = args.no_write or args.out is None
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    global PROFILE_DIR
    if args.profile_dir:
        args.profile_dir.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile_dir.resolve()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    stacks = list(dict.fromkeys(x.strip() for x in args.server.split(",") if x.strip()))
    for stack in stacks:
        if stack not in STACKS:
            raise SystemExit(f"unknown server {stack!r}: choose from {', '.join(STACKS)}")
    if not stacks:
        raise SystemExit("--server names no stack")
    for b in backends:
        if b not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown backend {b!r}")
    trees = [Tree.parse(spec, args.python) for spec in (args.tree or [f"{ROOT.name}={ROOT}"])]
    if args.floor:
        trees += [replace(t, name=f"{t.name}-floor", target="http_throughput:create_floor_app", app_dir=HERE,
                          seconds_to_seed={}) for t in trees]
    if len({t.name for t in trees}) != len(trees):
        raise SystemExit("every --tree needs its own NAME")
    for t in trees:
        log(f"tree {t.describe()}")
        if t.dirty:
            log(f"warning: {t.name} has uncommitted changes under src/ or products/; its commit does not name its code")

    def on_signal(signum: int, _frame: Any) -> None:
        Server.stop_all()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="cn_bench_http_"))
    dbs = Databases(args.postgres_url, tmp)
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        bare_servers = {stack: Server(f"bare-{stack}", args.python, "http_throughput:create_bare_app", clean_env(),
                                      ROOT, tmp, "/ping", app_dir=HERE, stack=stack) for stack in stacks}
        for backend in backends:
            results.append(run_backend(backend, trees, stacks, bare_servers, dbs, args, tmp))
        for server in bare_servers.values():
            server.stop()
        print_report(results, trees, stacks)
        bad = problems(results)
        for line in bad:
            print(f"NOT A MEASUREMENT: {line}")
        out = {"benchmark": "http_throughput", "date": datetime.now(UTC).isoformat(timespec="seconds"),
               "command": " ".join([Path(sys.executable).name, "benchmarks/http_throughput.py", *(argv or sys.argv[1:])]),
               "machine": machine(dbs.pg_version, args.python),
               "settings": {"seconds": args.seconds, "concurrency": args.concurrency, "warmup": args.warmup,
                            "repeats": args.repeats, "bind_quotes": args.bind_quotes or "auto", "backends": backends,
                            "servers": {stack: STACKS[stack] for stack in stacks},
                            "order": "per repetition: each server's bare app, then every tree under every server, "
                                     "rotated by one each repetition",
                            "load_generator": "separate process, asyncio, keep-alive"},
               "trees": [{"name": t.name, "path": str(t.path), "commit": t.commit,
                          "code_commit": t.code_commit, "dirty": t.dirty, "entry_point": t.entry,
                          "covernote_imported_from": t.imported_from, "seed_seconds": t.seconds_to_seed} for t in trees],
               "wall_seconds": round(time.monotonic() - started, 1), "valid": not bad, "problems": bad,
               "results": results}
        if not args.no_write:
            name = "-".join(f"{t.name}_{t.code_commit[:7]}" for t in trees)
            if stacks != [DEFAULT_STACK]:
                name += "-" + "-".join(stacks)
            path = args.out or RESULTS / f"http_throughput-{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(out, indent=2) + "\n")
            log(f"wrote {path}")
        log(f"done in {time.monotonic() - started:.0f}s")
        return 3 if bad else 0
    finally:
        Server.stop_all()
        try:
            dbs.drop_all()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

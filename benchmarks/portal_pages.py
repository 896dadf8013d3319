"""Issue 14 ("Numbers"): how fast the customer portal's pages answer, and how long a certificate PDF takes.

    .venv/bin/python benchmarks/portal_pages.py [--runs 3] [--requests 200] [--certificates 30] [--out FILE]
        [--no-write] [--smoke]

Each run starts the real server exactly as a reader tries the portal, `covernote serve --demo` on a fresh SQLite
database in a temp data dir (the demo book), signs in as the demo customer with the sign-in that command prints
(the sign-in form, its CSRF token and cookie, as a browser does), and then, one request at a time over one
keep-alive connection, times --requests GETs of each main portal page: the customer's policies, a policy, that
policy's documents (after the first listing, which issues them and is timed on its own), its statement, the
claims, the complaints and the privacy page, and a stored certificate PDF's download. Every answer must be 200
(or the run fails). Times are wall clock at the client, so they include the HTTP stack and the connection.

A certificate PDF "rendered fresh" is timed as issuing one does: the documents use case's render of a new
policy's certificate (HTML, plain text and the PDF by WeasyPrint), --certificates times in this process after
one untimed first render (WeasyPrint's import and fonts), with benchmarks/document_render.py's sample policy.

The report gives each run's p50 and p99 per page and the median of the runs' p50s and p99s, judged against the
issue's targets: a page's p99 under 50 ms on SQLite with the demo book; a certificate PDF under 300 ms (its p99).
It is written to benchmarks/results/portal_pages.json (or --out) with the commit measured. --smoke is a tiny run
(one run, 5 requests a page, 2 certificates) that proves the script works; its numbers are not judged. The
server started is stopped by its pid, also on error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from document_render import time_certificates  # noqa: E402  (this folder's script, reused)

PAGE_P99_MS = 50.0
CERTIFICATE_MS = 300.0
SERVE = "from covernote.cli.main import app; app(prog_name='covernote')"
CUSTOMER_TOKEN = {"Authorization": "Bearer cn_demo_customer_token"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(sorted_ms: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of sorted values."""
    return sorted_ms[max(0, math.ceil(q / 100 * len(sorted_ms)) - 1)]


def _summary(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {"n": len(s), "p50_ms": round(statistics.median(s), 2), "p99_ms": round(_percentile(s, 99), 2),
            "max_ms": round(s[-1], 2)}


class Serve:
    """`covernote serve --demo` on a fresh SQLite database in `tmp`, in its own session; stopped by its pid."""

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("COVERNOTE_")} | {
            "COVERNOTE_DATA_DIR": str(tmp / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp / 'portal.db'}"}
        self.log_path = tmp / "serve.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--demo", "--host", "127.0.0.1",
                                      "--port", str(self.port)], env=env, cwd=ROOT, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"covernote serve --demo exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"covernote serve --demo did not answer:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()


def sign_in(client: httpx.Client, printed: str) -> None:
    """Sign in as the demo customer with the sign-in `serve --demo` printed, through the sign-in form."""
    found = re.search(r"^  customer\s+user name (\S+)  password (\S+)", printed, re.M)
    if found is None:
        raise SystemExit(f"serve --demo printed no customer sign-in:\n{printed[-3000:]}")
    form = client.get("/portal/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None, form.text
    done = client.post("/portal/sign-in", data={"csrf_token": token.group(1), "login": found.group(1),
                                                "password": found.group(2)})
    if done.status_code != 303 or done.headers.get("location") != "/portal/policies":
        raise SystemExit(f"the demo customer could not sign in: {done.status_code} {done.text[:500]}")


def one_run(n: int, tmp: Path) -> dict[str, Any]:
    serve = Serve(tmp)
    try:
        serve.wait()
        with httpx.Client(base_url=serve.url, timeout=30) as client:
            sign_in(client, serve.log_path.read_text())
            mine = httpx.get(f"{serve.url}/policies", headers=CUSTOMER_TOKEN).json()
            pid = mine[0]["id"]
            start = time.perf_counter()
            first = client.get(f"/portal/policies/{pid}/documents")  # issues the policy's documents
            first_ms = (time.perf_counter() - start) * 1000
            assert first.status_code == 200, first.text
            cert = re.search(r'href="(/portal/documents/doc_\w+\?format=pdf)"', first.text)
            assert cert is not None, first.text
            pages = {"policies": "/portal/policies", "policy": f"/portal/policies/{pid}",
                     "policy documents": f"/portal/policies/{pid}/documents",
                     "statement": f"/portal/policies/{pid}/statement", "claims": "/portal/claims",
                     "complaints": "/portal/complaints", "privacy": "/portal/privacy",
                     "certificate PDF download (stored)": cert.group(1)}
            for path in pages.values():  # one untimed GET each: the first of anything warms caches
                assert client.get(path).status_code == 200, path
            timed: dict[str, list[float]] = {name: [] for name in pages}
            for _ in range(n):  # round robin, so a slow moment of the machine falls on every page alike
                for name, path in pages.items():
                    start = time.perf_counter()
                    r = client.get(path)
                    timed[name].append((time.perf_counter() - start) * 1000)
                    if r.status_code != 200:
                        raise SystemExit(f"{path} answered {r.status_code}: {r.text[:500]}")
        return {"documents_first_listing_ms": round(first_ms, 1),
                "pages": {name: {"path": re.sub(r"(pol|doc)_\w+", r"\1_…", pages[name]), **_summary(ms)}
                          for name, ms in timed.items()}}
    finally:
        serve.stop()


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return f"{head}{' (with uncommitted changes)' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=3, help="runs, each with a fresh server and database (default 3)")
    ap.add_argument("--requests", type=int, default=200, help="GETs of each page per run (default 200)")
    ap.add_argument("--certificates", type=int, default=30, help="certificate renders per run (default 30)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "portal_pages.json")
    ap.add_argument("--no-write", action="store_true", help="print only; write no results file")
    ap.add_argument("--smoke", action="store_true", help="one run, 5 requests a page, 2 certificates; not judged")
    args = ap.parse_args(argv)
    if args.smoke:
        args.runs, args.requests, args.certificates = 1, 5, 2
    if min(args.runs, args.requests, args.certificates) < 1:
        ap.error("--runs, --requests and --certificates must each be at least 1")

    load_at_start = list(os.getloadavg())  # other work on the machine: the times are wall clock
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="covernote-portal-bench-") as tmp:
            run = one_run(args.requests, Path(tmp))
        cpu: list[float] = []
        first, times = time_certificates(args.certificates, cpu)
        run["certificate_pdf_render"] = {"first_ms_with_import": round(first * 1000, 1),
                                         **_summary([t * 1000 for t in times]),
                                         "cpu": _summary([t * 1000 for t in cpu])}
        runs.append(run)
        print(f"run {i + 1}/{args.runs}: done", flush=True)

    names = list(runs[0]["pages"])
    median: dict[str, Any] = {}
    for name in names:
        median[name] = {k: round(statistics.median(r["pages"][name][k] for r in runs), 2) for k in ("p50_ms", "p99_ms")}
        median[name]["meets_target"] = median[name]["p99_ms"] < PAGE_P99_MS
    cert = {k: round(statistics.median(r["certificate_pdf_render"][k] for r in runs), 2) for k in ("p50_ms", "p99_ms")}
    cert["meets_target"] = cert["p99_ms"] < CERTIFICATE_MS
    cert["cpu"] = {k: round(statistics.median(r["certificate_pdf_render"]["cpu"][k] for r in runs), 2)
                   for k in ("p50_ms", "p99_ms")}
    result = {
        "benchmark": "portal_pages", "commit": _commit(), "smoke": args.smoke,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": load_at_start, "load_average_at_end": list(os.getloadavg())},
        "settings": {"runs": args.runs, "requests_per_page": args.requests, "certificates": args.certificates,
                     "database": "SQLite (covernote serve --demo, fresh per run)"},
        "targets": {"page_p99_ms": PAGE_P99_MS, "certificate_pdf_ms": CERTIFICATE_MS},
        "runs": runs, "median_of_runs": {"pages": median, "certificate_pdf_render": cert,
                                         "documents_first_listing_ms": round(statistics.median(
                                             r["documents_first_listing_ms"] for r in runs), 1)},
    }

    def verdict(ok: bool) -> str:
        return "n/a (smoke)" if args.smoke else ("meets" if ok else "MISSES")

    print(f"\nportal pages, median of {args.runs} run(s) of {args.requests} GETs each (commit {result['commit']}):")
    print(f"  {'page':38} {'p50 ms':>8} {'p99 ms':>8}  target p99 < {PAGE_P99_MS:.0f} ms")
    for name in names:
        m = median[name]
        print(f"  {name:38} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f}  {verdict(m['meets_target'])}")
    print(f"  {'certificate PDF rendered fresh':38} {cert['p50_ms']:8.2f} {cert['p99_ms']:8.2f}  "
          f"target < {CERTIFICATE_MS:.0f} ms: {verdict(cert['meets_target'])}")
    print(f"  {'  its CPU time (this process)':38} {cert['cpu']['p50_ms']:8.2f} {cert['cpu']['p99_ms']:8.2f}")
    print(f"  load average (1, 5, 15 min) at the end: {os.getloadavg()} on {os.cpu_count()} cores")
    print("  a new policy's first documents listing (issues its documents): "
          f"{result['median_of_runs']['documents_first_listing_ms']} ms")
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

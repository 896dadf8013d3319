"""The benchmarks still run, so no script can silently rot: the HTTP benchmark's tiny mode (one tree, one
repetition, 1 s phases, SQLite) measures a positive rate for every endpoint with no failed request; the
renewal batch runs over 50 policies with its checks; privacy at scale runs over 300 customers on
PostgreSQL (its targets are for 1,000,000 and are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _pg_base_url

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "http_throughput.py"
BENCH = ROOT / "benchmarks"


@pytest.mark.slow
def test_http_throughput_smoke_run(tmp_path: Path) -> None:
    """Issue 12: one tiny run measures every server stack named in --server (pure-Python uvicorn,
    uvicorn[standard], Granian), each for the bare GET and POST and for Covernote, and records which is which."""
    out = tmp_path / "smoke.json"
    stacks = ["uvicorn", "uvicorn-standard", "granian"]
    proc = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--server", ",".join(stacks), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert "POST /quotes" in proc.stdout
    result = json.loads(out.read_text())
    assert result["valid"] is True, result["problems"]
    [tree] = result["trees"]
    assert Path(tree["covernote_imported_from"]).is_relative_to(ROOT / "src")
    assert list(result["settings"]["servers"]) == stacks
    assert result["settings"]["servers"]["uvicorn"][:7] == ["-m", "uvicorn", "--loop", "asyncio", "--http", "h11",
                                                            "--host"]
    [sqlite] = result["results"]
    assert sqlite["backend"] == "sqlite"
    assert list(sqlite["stacks"]) == stacks
    for stack, measured in sqlite["stacks"].items():
        for kind in ("ping", "echo"):
            assert measured["bare"]["summary"][kind]["rps_median"] > 0, (stack, kind)
        assert [r["server"] for r in measured["bare"]["reps"]] == [stack]
        summary = measured["trees"][tree["name"]]["summary"]
        assert [r["server"] for r in measured["trees"][tree["name"]]["reps"]] == [stack]
        for phase in ("quote", "bind", "read"):
            assert summary[phase]["rps_median"] > 0, (stack, phase)
            assert summary[phase]["requests"] > 0, (stack, phase)
            assert summary[phase]["errors"] == 0, (stack, phase)


@pytest.mark.slow
def test_http_throughput_floor_smoke_run(tmp_path: Path) -> None:
    """Issue 12: --floor measures each tree a second time as NAME-floor, Covernote's own app with the policy
    read answered from memory after its first read (`create_floor_app`), beside the tree and the bare app in
    the same repetition, so the ceiling of a read's share can be re-measured by anyone."""
    out = tmp_path / "floor.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--floor", "--server", "uvicorn-standard",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    result = json.loads(out.read_text())
    assert result["valid"] is True, result["problems"]
    names = [t["name"] for t in result["trees"]]
    assert names == [names[0], f"{names[0]}-floor"]
    measured = result["results"][0]["stacks"]["uvicorn-standard"]["trees"]
    for name in names:
        for phase in ("quote", "bind", "read"):
            assert measured[name]["summary"][phase]["requests"] > 0, (name, phase)
            assert measured[name]["summary"][phase]["errors"] == 0, (name, phase)


def _run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_renewal_batch_smoke_run() -> None:
    """The renewal-invitation batch over 50 cloned policies on SQLite: every policy invited, none refused,
    a second run invites none (the script exits non-zero when a check fails)."""
    proc = _run(str(BENCH / "renewal_batch.py"), "--sqlite", "--policies", "50", "--no-write")
    for check in ("invited_all", "nothing_refused", "second_run_invites_none", "one_open_invitation_per_policy"):
        assert f"check {check}: ok" in proc.stdout, check


@pytest.mark.slow
@pytest.mark.postgres
def test_privacy_at_scale_smoke_run() -> None:
    """Access packages, erasure and the sweep over 300 generated customers on PostgreSQL: the generator
    clones every table a template customer has rows in, and the sweep leaves nothing due behind it."""
    url = _pg_base_url()
    assert url is not None
    proc = _run(str(BENCH / "privacy_at_scale.py"), "--customers", "300", "--samples", "2", "--no-write",
                "--postgres-url", url, timeout=300)
    assert "retention sweep: a dry run after the real run finds 0 records due" in proc.stdout
    assert "does not clone" not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_memory_soak_smoke_run(tmp_path: Path) -> None:
    """Issue 12: the memory soak starts the real `covernote serve`, drives quotes then policy reads, and samples
    the server's RSS after every slice of each phase, with a verdict on whether it levels off."""
    out = tmp_path / "soak.json"
    proc = _run(str(BENCH / "memory_soak.py"), "--smoke", "--out", str(out))
    assert "curve (requests: MiB/threads)" in proc.stdout
    result = json.loads(out.read_text())
    assert result["errors"] == 0
    [sqlite] = result["results"]
    assert sqlite["backend"] == "sqlite"
    assert sqlite["policies"] == 40
    for kind, requests in (("quote", 150), ("read", 300)):
        phase = sqlite["phases"][kind]
        assert phase["requests"] == requests, kind
        curve = phase["curve"]
        assert [s["requests"] for s in curve] == [0, requests // 3, 2 * requests // 3, requests], kind
        assert all(50 < s["rss_mib"] < 2000 for s in curve), curve  # a real server's RSS, read from /proc
        assert all(s["threads"] >= 1 for s in curve), curve
        v = phase["verdict"]
        assert v["growth_second_half_mib"] == round(curve[-1]["rss_mib"] - v["mid_mib"], 2)
        assert v["levels_off"] is (v["growth_second_half_mib"] <= v["max_growth_mib"])


@pytest.mark.slow
def test_issue14_portal_pages_smoke_run(tmp_path: Path) -> None:
    """Issue 14 ("Numbers"): the portal benchmark starts `covernote serve --demo`, signs in as the demo customer,
    times every main portal page (each answered 200) and a certificate PDF rendered fresh, and writes what it
    measured with the commit."""
    out = tmp_path / "portal.json"
    proc = _run(str(BENCH / "portal_pages.py"), "--smoke", "--out", str(out), timeout=300)
    assert "certificate PDF rendered fresh" in proc.stdout
    result = json.loads(out.read_text())
    assert result["smoke"] is True and result["commit"] != "unknown"
    [run] = result["runs"]
    assert set(run["pages"]) == {"policies", "policy", "policy documents", "statement", "claims", "complaints",
                                 "privacy", "certificate PDF download (stored)"}
    for name, page in run["pages"].items():
        assert page["n"] == 5 and 0 < page["p50_ms"] <= page["p99_ms"], name
    assert run["certificate_pdf_render"]["n"] == 2 and run["certificate_pdf_render"]["p50_ms"] > 0
    assert run["documents_first_listing_ms"] > 0
    assert set(result["median_of_runs"]["pages"]) == set(run["pages"])

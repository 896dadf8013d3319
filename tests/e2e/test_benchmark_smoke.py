"""The HTTP benchmark still runs: its tiny mode (one tree, one repetition, 1 s phases, SQLite) exits 0 and
measures a positive rate for every endpoint with no failed request, so the script cannot silently rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "http_throughput.py"


@pytest.mark.slow
def test_http_throughput_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=45)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert "POST /quotes" in proc.stdout
    result = json.loads(out.read_text())
    assert result["valid"] is True, result["problems"]
    [tree] = result["trees"]
    assert Path(tree["covernote_imported_from"]).is_relative_to(ROOT / "src")
    [sqlite] = result["results"]
    assert sqlite["backend"] == "sqlite"
    assert sqlite["bare"]["summary"]["rps_median"] > 0
    summary = sqlite["trees"][tree["name"]]["summary"]
    for phase in ("quote", "bind", "read"):
        assert summary[phase]["rps_median"] > 0, phase
        assert summary[phase]["requests"] > 0, phase
        assert summary[phase]["errors"] == 0, phase

"""The profile summariser charges each sampled stack to its layer (issue 12: where the time goes, per layer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STACKS = """\
run (uvicorn/server.py:1);app (fastapi/routing.py:2);get_policy (covernote/lifecycle/usecases/policies.py:3);get (covernote/policy/store.py:4);execute (sqlalchemy/engine/base.py:5) 6
run (uvicorn/server.py:1);app (fastapi/routing.py:2);get_policy (covernote/lifecycle/usecases/policies.py:3);rate (covernote/policy/domain/rating.py:9);quantize (decimal.py:1) 3
run (uvicorn/server.py:1);app (fastapi/routing.py:2);serialize (fastapi/routing.py:7);dump_json (pydantic/type_adapter.py:8) 1
run (uvicorn/server.py:1);send (uvicorn/protocols/http/httptools_impl.py:3);dumps (json/encoder.py:1) 2
py-spy> Stopped sampling because process exited
"""


def test_issue12_each_sample_is_charged_to_the_innermost_layer(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text(STACKS)
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_summary.py"), str(path), "--layers"],
                         capture_output=True, text=True, check=True).stdout
    assert "12 samples" in out
    assert " 50.0%  SQLAlchemy" in out
    assert " 25.0%  Covernote: domain" in out  # decimal.py is the standard library: charged to its caller
    assert " 16.7%  server" in out  # json/encoder.py likewise
    assert "  8.3%  Pydantic" in out

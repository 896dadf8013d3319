"""The API served by uvicorn over a real socket, on SQLite and PostgreSQL (UX-1, POL-1), on the stack
`covernote serve` chooses (issue 12)."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from covernote.api.app import create_app
from covernote.cli.main import app, server_stack
from covernote.identity.usecases import create_user
from tests.e2e.conftest import quote_body
from tests.servers import free_port, wait_for_health
from tests.support import new_customer


def test_quote_bind_cancel_over_a_real_socket(db_ctx):
    """Also issue 12: on the event loop and HTTP parser `covernote serve` runs (uvloop and httptools)."""
    port = free_port()
    loop, http_parser = server_stack()
    assert (loop, http_parser) == ("uvloop", "httptools")  # both are Covernote's dependencies
    server = uvicorn.Server(uvicorn.Config(create_app(db_ctx), host="127.0.0.1", port=port, log_level="warning",
                                           loop=loop, http=http_parser))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        _, token = create_user(db_ctx, "Staff", "staff")
        cid = new_customer(db_ctx)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as http:
            q = http.post("/quotes", json=quote_body(cid)).json()
            p = http.post("/policies", json={"quote_id": q["id"], "payment": {"token": "tok_visa"}},
                          headers={"Idempotency-Key": "socket-bind-1"})
            assert p.status_code == 201
            pid = p.json()["id"]
            c = http.post(f"/policies/{pid}/cancellations", json={"effective_date": "2026-11-22", "reason": "test"}).json()
            done = http.post(f"/policies/{pid}/cancellations/{c['id']}/confirm", headers={"Idempotency-Key": "socket-c-1"})
            assert done.status_code == 200
            # Cancelled from the first day within cooling-off: everything back except the 35.00 fee (FEE-1).
            assert done.json()["refund"]["refund_total"] == f"{float(q['total_payable']) - 35:.2f}"
            assert http.get("/ledger/reconciliation").json()["ok"] is True
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_issue12_serve_runs_uvicorn_on_uvloop_and_httptools(tmp_path: Path) -> None:
    """The real `covernote serve`, briefly: it says which loop and parser it runs, and its process has
    uvloop's loop and httptools' parser loaded (their compiled modules mapped in /proc/<pid>/maps)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERNOTE_")} | {
        "COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "from covernote.cli.main import app; app(prog_name='covernote')",
                             "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_health(proc, port, tmp_path / "serve.log", seconds=60)
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "/uvloop/loop." in maps
        assert "/httptools/parser/parser." in maps
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(20)
        log.close()
    assert "uvicorn, loop uvloop, http httptools" in (tmp_path / "serve.log").read_text()


@pytest.mark.parametrize("missing", [None, "uvloop", "httptools"])
def test_issue12_serve_names_its_loop_and_parser_and_falls_back_to_pure_python(
        missing: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` hands uvicorn loop="uvloop", http="httptools" explicitly (never uvicorn's "auto"), for one
    worker and for several; without either of them installed, the pure-Python asyncio loop and h11 parser."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kw: calls.append(kw))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == missing else real_find_spec(name, *a))
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    runner = CliRunner()
    for workers in ("1", "2"):
        result = runner.invoke(app, ["serve", "--port", "8765", "--workers", workers], env=env)
        assert result.exit_code == 0, result.output
    expected = ("uvloop", "httptools") if missing is None else ("asyncio", "h11")
    assert [(kw["loop"], kw["http"]) for kw in calls] == [expected, expected]
    assert calls[1]["workers"] == 2 and calls[1]["factory"] is True
    assert f"uvicorn, loop {expected[0]}, http {expected[1]}" in result.output

"""Issue 13 item 23 (UX-5): JSON-lines logs without personal data, an access log written by the app,
a request id, and Prometheus metrics at /metrics (requests by route template, method and status, latency,
daily job runs and durations, breached clocks), all from one pure ASGI middleware with no SQL per request."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from covernote.api.app import create_app
from covernote.cli.main import app as cli_app
from covernote.clocks import usecases as clocks
from covernote.jobs.daily import run_daily
from covernote.platform.context import AppContext
from covernote.platform.observability import JsonFormatter, configure_logging
from tests.e2e.conftest import Api, quote_body


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    fmt = JsonFormatter()
    return [json.loads(fmt.format(r)) for r in caplog.records if r.name == "covernote.access"]


def test_issue13_item23_ux5_access_log_is_json_with_route_template_and_no_personal_data(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="covernote.access")
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    r = api.client.get(f"/quotes/{q['id']}", headers={**api.headers(api.customer), "X-Request-ID": "abc-123"})
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "abc-123"
    line = access_lines(caplog)[-1]
    # A query string can carry personal data (a search for a name): never logged.
    assert api.client.get("/search/customers?q=Carol", headers=api.headers(api.staff)).status_code == 200
    assert {"time", "level", "request_id", "user_id", "method", "route", "status", "duration_ms"} <= set(line)
    assert line["request_id"] == "abc-123" and line["route"] == "/quotes/{quote_id}" and line["method"] == "GET"
    assert line["status"] == r.status_code and line["user_id"].startswith("usr_")
    assert isinstance(line["duration_ms"], float) and line["level"] == "info"
    text = json.dumps(access_lines(caplog))
    assert access_lines(caplog)[-1]["route"] == "/search/customers"
    for private in ("Carol", q["id"], "q=", "AB12 CDE", "LS1 5HD"):
        assert private not in text, private


def test_issue13_item23_request_id_is_generated_when_missing_or_insane(api: Api) -> None:
    made = api.client.get("/health").headers["x-request-id"]
    assert len(made) == 32
    for bad in ("a" * 65, "has space", "x\ty", ""):
        got = api.client.get("/health", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert got != bad and len(got) == 32
    unauth = api.client.get("/policies", headers={"X-Request-ID": "rid-1"})  # 401 answers carry it too
    assert unauth.status_code == 401 and unauth.headers["x-request-id"] == "rid-1"


def test_issue13_item23_ux5_metrics_count_requests_latency_and_breached_clocks(api: Api) -> None:
    ctx: AppContext = api.ctx
    with ctx.uow() as uow:  # a claim reply deadline started long ago: breached now
        clocks.start(uow, "claim.correspondence_reply", "claim", "clm_x", ctx.clock.now() - timedelta(days=60))
        uow.commit()
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    api.get(f"/quotes/{q['id']}")
    api.client.get("/no/such/path/123")
    body = api.client.get("/metrics")
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/plain")
    text = body.text
    assert 'covernote_http_requests_total{method="GET",route="/quotes/{quote_id}",status="200"}' in text
    assert 'covernote_http_requests_total{method="POST",route="/quotes",status="201"}' in text
    assert 'route="unmatched"' in text and "/no/such/path" not in text and q["id"] not in text
    assert 'covernote_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/quotes/{quote_id}"}' in text
    assert 'covernote_clocks_breached{rule="claim.correspondence_reply",team="claims"} 1.0' in text


def test_issue13_item23_metrics_token_and_off(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVERNOTE_METRICS_TOKEN", "scrape-me")
    with TestClient(create_app(ctx)) as client:
        denied = client.get("/metrics")
        assert denied.status_code == 401 and denied.headers["content-type"] == "application/problem+json"
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200
    monkeypatch.setenv("COVERNOTE_METRICS", "off")
    with TestClient(create_app(ctx)) as client:
        assert client.get("/metrics").status_code == 404


def test_issue13_item23_daily_jobs_are_counted_and_timed(ctx: AppContext) -> None:
    def sample(job: str, outcome: str) -> float:
        return REGISTRY.get_sample_value("covernote_job_runs_total", {"job": job, "outcome": outcome}) or 0.0

    def boom(_ctx: AppContext, _day: Any) -> dict[str, Any]:
        raise RuntimeError("Carol's row")

    before_ok, before_failed = sample("mid_send", "ok"), sample("issue13_boom", "failed")
    count = REGISTRY.get_sample_value("covernote_job_duration_seconds_count", {"job": "mid_send"}) or 0.0
    from covernote.jobs.daily import DAILY_JOBS

    run_daily(ctx, jobs=(*[j for j in DAILY_JOBS if j[0] == "mid_send"], ("issue13_boom", boom)))
    assert sample("mid_send", "ok") == before_ok + 1 and sample("issue13_boom", "failed") == before_failed + 1
    assert REGISTRY.get_sample_value("covernote_job_duration_seconds_count", {"job": "mid_send"}) == count + 1


def test_issue13_item23_formatter_keeps_only_named_fields_and_no_exception_message() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    log = logging.getLogger("covernote.test")
    try:
        raise ValueError("Carol Customer, 12 Lantern Walk")
    except ValueError:
        log.exception("failed", extra={"request_id": "r1", "customer_name": "Carol Customer", "email": "c@example.org"})
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "r1" and line["error"] == "ValueError" and line["level"] == "error"
    assert "Carol" not in stream.getvalue() and "example.org" not in stream.getvalue()
    assert line["time"].endswith("+00:00")


def test_issue13_item23_serve_turns_uvicorn_access_log_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker or several, uvicorn writes no access log of its own (the app's is the one), and several
    workers share a multiprocess metrics folder under the data directory, unset again afterwards."""
    import os

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kw: calls.append({**kw, "multiproc": os.environ.get(
        "PROMETHEUS_MULTIPROC_DIR")}))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    for workers in ("1", "3"):
        result = CliRunner().invoke(cli_app, ["serve", "--port", "8766", "--workers", workers], env=env)
        assert result.exit_code == 0, result.output
    assert [c["access_log"] for c in calls] == [False, False]
    assert calls[0]["multiproc"] is None and calls[1]["multiproc"] == str(tmp_path / "var" / "metrics")
    assert calls[1]["factory"] is True
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_issue13_item23_each_worker_process_logs_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With several workers uvicorn imports the app in fresh processes: the worker factory sets up the
    JSON logging there, so every worker writes the access log."""
    from covernote.api import workers
    from covernote.platform import observability

    monkeypatch.setenv("COVERNOTE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COVERNOTE_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    root = logging.getLogger()
    for h in [h for h in root.handlers if isinstance(h, observability._JsonLinesHandler)]:
        root.removeHandler(h)
    workers.create_worker_app()
    assert any(isinstance(h, observability._JsonLinesHandler) for h in root.handlers)
    assert logging.getLogger("covernote.access").isEnabledFor(logging.INFO)

"""Settings from the environment and the app's handler threads (issue 12): SQLite runs handlers on the
event loop, PostgreSQL on four worker threads; either way a synchronous handler and the check of
its answer cross into a worker thread at most once (FastAPI alone would cross twice)."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from covernote.settings import Settings


def _settings(monkeypatch: pytest.MonkeyPatch, url: str, threads: str | None) -> Settings:
    monkeypatch.setenv("COVERNOTE_DATABASE_URL", url)
    if threads is None:
        monkeypatch.delenv("COVERNOTE_WORKER_THREADS", raising=False)
    else:
        monkeypatch.setenv("COVERNOTE_WORKER_THREADS", threads)
    return Settings.from_env()


def test_issue12_sqlite_runs_request_handlers_on_the_loop_postgresql_on_four_threads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings(monkeypatch, "sqlite:///x.db", None).threads_for_requests() == 0
    assert _settings(monkeypatch, "postgresql://h/db", None).threads_for_requests() == 4
    assert _settings(monkeypatch, "sqlite:///x.db", "4").threads_for_requests() == 4
    assert _settings(monkeypatch, "postgresql://h/db", "8").threads_for_requests() == 8


@pytest.mark.parametrize("raw", ["-1", "two", "1.5"])
def test_issue12_a_bad_thread_count_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    with pytest.raises(ValueError, match="COVERNOTE_WORKER_THREADS"):
        _settings(monkeypatch, "sqlite:///x.db", raw)


def test_issue12_the_app_sets_the_thread_limit_when_it_starts(ctx) -> None:  # type: ignore[no-untyped-def]
    from covernote.api.app import create_app

    app = create_app(ctx, worker_threads=3)
    seen: list[float] = []

    @app.get("/_threads")
    async def threads() -> dict[str, float]:
        seen.append(anyio.to_thread.current_default_thread_limiter().total_tokens)
        return {}

    with TestClient(app) as client:
        assert client.get("/_threads").status_code == 200
    assert seen == [3]


def _thread_names(ctx, worker_threads: int | None) -> tuple[set[str], int]:  # type: ignore[no-untyped-def]
    """Which threads ran a synchronous handler, and how many times a request crossed into a worker thread."""
    import threading

    from fastapi import APIRouter

    from covernote.api.app import create_app
    from covernote.platform.api.routes import OneHopRoute

    seen: set[str] = set()
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/_where")
    def where() -> dict[str, str]:
        seen.add(threading.current_thread().name)
        return {"thread": threading.current_thread().name}

    app = create_app(ctx, worker_threads=worker_threads)
    app.include_router(router)
    crossings = 0
    real = anyio.to_thread.run_sync

    async def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal crossings
        crossings += 1
        return await real(*args, **kwargs)

    anyio.to_thread.run_sync = counting  # type: ignore[assignment]
    try:
        with TestClient(app) as client:
            for _ in range(3):
                assert client.get("/_where").status_code == 200
    finally:
        anyio.to_thread.run_sync = real  # type: ignore[assignment]
    return seen, crossings


def test_issue12_a_synchronous_handler_crosses_into_a_worker_thread_once_per_request(ctx) -> None:  # type: ignore[no-untyped-def]
    seen, crossings = _thread_names(ctx, None)
    assert crossings == 3  # one per request: the handler; its answer is checked on the loop
    assert all(name != "MainThread" for name in seen)


def test_issue12_with_no_worker_threads_handlers_run_on_the_event_loop(ctx) -> None:  # type: ignore[no-untyped-def]
    seen, crossings = _thread_names(ctx, 0)
    assert crossings == 0
    assert len(seen) == 1  # the event loop's thread, every time


def test_issue12_the_api_answers_the_same_on_the_event_loop(ctx) -> None:  # type: ignore[no-untyped-def]
    """A quote, a bind, a read and a refused request (its problem document) through the app with no worker
    threads, as `covernote serve` runs it on SQLite."""
    from covernote.api.app import create_app
    from covernote.identity import usecases as access
    from tests.e2e.conftest import quote_body
    from tests.support import new_customer

    cid = new_customer(ctx)
    _, token = access.create_user(ctx, "staff", "staff", None)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ctx, worker_threads=0)) as client:
        quote = client.post("/quotes", headers=auth, json=quote_body(cid, ctx.today().isoformat()))
        assert quote.status_code == 201, quote.text
        bound = client.post("/policies", headers={**auth, "Idempotency-Key": "k-loop-1"},
                            json={"quote_id": quote.json()["id"], "payment": {"token": "tok_visa"}})
        assert bound.status_code == 201, bound.text
        read = client.get(f"/policies/{bound.json()['id']}", headers=auth)
        assert read.status_code == 200 and read.json()["number"] == bound.json()["number"]
        missing = client.get("/policies/pol_nope", headers=auth)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


def test_issue12_the_renewal_batch_runs_in_two_processes_on_postgresql_and_always_one_on_sqlite(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """COVERNOTE_BATCH_WORKERS: the renewal-invitation batch's worker processes (default 2 on PostgreSQL);
    SQLite takes one writer at a time, so it never runs the batch in more than one."""
    monkeypatch.delenv("COVERNOTE_BATCH_WORKERS", raising=False)
    assert _settings(monkeypatch, "postgresql://h/db", None).workers_for_batches() == 2
    assert _settings(monkeypatch, "sqlite:///x.db", None).workers_for_batches() == 1
    monkeypatch.setenv("COVERNOTE_BATCH_WORKERS", "3")
    assert _settings(monkeypatch, "postgresql://h/db", None).workers_for_batches() == 3
    assert _settings(monkeypatch, "sqlite:///x.db", None).workers_for_batches() == 1
    for raw in ("0", "two"):
        monkeypatch.setenv("COVERNOTE_BATCH_WORKERS", raw)
        with pytest.raises(ValueError, match="COVERNOTE_BATCH_WORKERS"):
            _settings(monkeypatch, "postgresql://h/db", None)

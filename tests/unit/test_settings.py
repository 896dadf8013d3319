"""Settings from the environment: the request-handler threads (issue 12)."""

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


def test_issue12_sqlite_runs_request_handlers_on_one_thread_postgresql_on_the_servers_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings(monkeypatch, "sqlite:///x.db", None).threads_for_requests() == 1
    assert _settings(monkeypatch, "postgresql://h/db", None).threads_for_requests() is None
    assert _settings(monkeypatch, "sqlite:///x.db", "4").threads_for_requests() == 4
    assert _settings(monkeypatch, "postgresql://h/db", "8").threads_for_requests() == 8


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5"])
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

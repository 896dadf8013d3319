"""Issue 13, item 25: the security middleware alone, over a tiny ASGI app, on a clock the test moves."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from covernote.api.security import FailedAuthentications, SecurityMiddleware


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _client(clock: Clock) -> TestClient:
    async def html(_: Request) -> Response:
        return HTMLResponse("<p>letter</p>")

    async def secret(request: Request) -> Response:
        ok = request.headers.get("authorization") == "Bearer good"
        return JSONResponse({"ok": ok}, status_code=200 if ok else 401)

    app = Starlette(routes=[Route("/letter", html), Route("/secret", secret)])
    return TestClient(SecurityMiddleware(app, failures=3, window_seconds=60, clock=clock))


def test_issue13_item25_html_answers_get_a_strict_content_security_policy() -> None:
    r = _client(Clock()).get("/letter")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"


def test_issue13_item25_the_limit_lifts_when_the_oldest_failure_is_a_window_old() -> None:
    clock = Clock()
    client = _client(clock)
    bad = {"Authorization": "Bearer bad"}
    assert client.get("/secret").status_code == 401  # no token sent: not a failed authentication
    for _ in range(3):
        assert client.get("/secret", headers=bad).status_code == 401
        clock.now += 10
    r = client.get("/secret", headers={"Authorization": "Bearer good"})
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    clock.now += 30
    assert client.get("/secret", headers={"Authorization": "Bearer good"}).status_code == 200


def test_issue13_item25_the_memory_of_failures_is_bounded() -> None:
    clock = Clock()
    failed = FailedAuthentications(failures=2, window_seconds=60, max_clients=100, clock=clock)
    for i in range(1000):
        failed.record(f"10.0.{i // 256}.{i % 256}")
        failed.record(f"10.0.{i // 256}.{i % 256}")
    assert len(failed.recent) <= 100
    assert failed.retry_after("10.0.3.231") == 60  # the latest are kept
    assert failed.retry_after("10.0.0.0") is None


def test_issue13_item25_the_limit_is_configurable_and_0_turns_it_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from covernote.settings import Settings

    assert Settings.from_env().auth_failures_per_minute == 10
    monkeypatch.setenv("COVERNOTE_AUTH_FAILURES_PER_MINUTE", "0")
    assert Settings.from_env().auth_failures_per_minute == 0

    async def secret(_: Request) -> Response:
        return JSONResponse({}, status_code=401)

    client = TestClient(SecurityMiddleware(Starlette(routes=[Route("/secret", secret)])))
    assert all(client.get("/secret", headers={"Authorization": "Bearer x"}).status_code == 401 for _ in range(20))

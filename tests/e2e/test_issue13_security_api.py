"""Issue 13's security items over HTTP: the body limit (item 8), security headers and the limit on
failed authentications (item 25), token expiry and revocation (item 9)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from covernote.api.app import create_app
from covernote.settings import Settings

MIB = 1024 * 1024


def test_issue13_item8_a_body_over_the_limit_is_413_before_authentication(api: Any) -> None:
    """Issue 13, item 8: a body one byte over 1 MiB (the default) without a token is refused 413 with a problem
    document, not read and then answered 401."""
    assert Settings.from_env().max_body_bytes == MIB
    big = b'{"x": "' + b"a" * MIB + b'"}'
    r = api.client.post("/quotes", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == [{"field": "body", "reason": f"larger than {MIB} bytes"}]
    # Within the limit, the request goes on to authentication.
    assert api.client.post("/quotes", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 401


def test_issue13_item8_a_chunked_body_is_counted_and_stopped_at_the_limit(api: Any) -> None:
    """Issue 13, item 8: without a Content-Length (chunked), the bytes are counted as they arrive."""
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    r = api.client.post("/quotes", content=chunks(), headers={"Authorization": f"Bearer {api.staff}",
                                                               "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["type"] == "/problems/body-too-large"


def test_issue13_item8_the_limit_is_configurable(ctx, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    monkeypatch.setenv("COVERNOTE_MAX_BODY_BYTES", "100")
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        r = client.post("/quotes", content=b"{" + b" " * 100 + b"}", headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "at most 100 bytes" in r.json()["detail"]


def test_issue13_item8_a_declared_100_mb_body_is_refused_at_once_over_a_real_socket(ctx) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, item 8: the server answers 413 from the headers alone; the 100 MB are never sent nor read."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"POST /quotes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 104857600\r\n\r\n" + b"{" * 1000)
            answer = conn.recv(65536).decode()
        assert answer.startswith("HTTP/1.1 413"), answer
        assert "application/problem+json" in answer and "connection: close" in answer.lower()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_issue13_item25_security_headers_on_every_answer(api: Any) -> None:
    """Issue 13, item 25: nosniff and no framing everywhere; no-store on every API answer (personal data), not on
    the API's own documentation; a content security policy on HTML (the docs load Swagger UI from this server only,
issue 14 item 5)."""
    for r in (api.get("/customers"), api.client.get("/customers"), api.get("/no-such-path"),
              api.client.post("/quotes", content=b"x" * (MIB + 1))):
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["cache-control"] == "no-store", r.url
        assert "content-security-policy" not in r.headers  # JSON
    openapi = api.client.get("/openapi.json")
    assert openapi.status_code == 200 and "cache-control" not in openapi.headers
    docs = api.client.get("/docs")
    assert "script-src 'self' 'unsafe-inline'" in docs.headers["content-security-policy"]
    assert "https:" not in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_issue13_item25_ten_failed_authentications_a_minute_get_429_with_retry_after(api: Any) -> None:
    """Issue 13, item 25: the eleventh attempt from an address after ten refused tokens within a minute is 429,
    a problem document with Retry-After, even with a good token; health checks still answer."""
    for i in range(10):
        assert api.get("/customers", token=f"cn_guess_{i}").status_code == 401
    r = api.get("/customers", token="cn_guess_11")
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert r.json()["errors"][0]["field"] == "Authorization"
    assert api.get("/customers", token=api.staff).status_code == 429
    assert api.client.get("/health").status_code == 200


def test_issue13_item9_sec1_tokens_expire_with_a_clear_401(api: Any) -> None:
    """Issue 13, item 9 (SEC-1): a token works until its expiry (the configured lifetime), then 401 saying so."""
    from dataclasses import replace
    from datetime import timedelta

    from covernote.identity.usecases import create_user

    user, token = create_user(replace(api.ctx, token_lifetime_days=2), "Short", "staff")
    assert user.token_expires_at == api.ctx.clock.now() + timedelta(days=2)
    assert api.get("/customers", token=token).status_code == 200
    api.ctx.clock.advance(timedelta(days=2))
    r = api.get("/customers", token=token)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert "this token expired on" in r.json()["detail"] and r.json()["errors"][0]["field"] == "Authorization"


def test_issue13_item9_sec1_an_administrator_lists_revokes_and_reissues_tokens(api: Any) -> None:
    """Issue 13, item 9 (SEC-1): GET /users (admin only) says who holds which token by its first characters,
    never the token or its hash; DELETE /users/{id}/token revokes it (401 at once); POST issues a new one."""
    created = api.post("/users", {"name": "Sam Staff", "role": "staff"}, token=api.admin).json()
    token = created["token"]
    assert created["token_prefix"] == token[:8] and created["expires_at"]
    assert api.get("/users", token=api.staff).status_code == 403
    listing = api.get("/users", token=api.admin)
    assert listing.status_code == 200
    sam = next(u for u in listing.json() if u["user_id"] == created["id"])
    assert sam["token_prefix"] == token[:8] and sam["status"] == "active" and sam["name"] == "Sam Staff"
    assert token not in listing.text and "token_hash" not in listing.text
    assert api.get("/customers", token=token).status_code == 200  # now remembered by the token cache
    revoked = api.client.delete(f"/users/{created['id']}/token", headers=api.headers(api.admin))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    r = api.get("/customers", token=token)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    fresh = api.post(f"/users/{created['id']}/token", token=api.admin)
    assert fresh.status_code == 201
    assert api.get("/customers", token=fresh.json()["token"]).status_code == 200
    assert api.get("/customers", token=token).status_code == 401
    missing = api.client.delete("/users/usr_nobody/token", headers=api.headers(api.admin))
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "user_id"

"""The access log, the request id and the metrics of every request, as one pure ASGI middleware
(issue 13 item 23, UX-5), and `/metrics` for Prometheus.

Per request it reads the clock twice, adds one header, counts and times the request under its route
template (`/policies/{policy_id}`, never the path with ids in it), and logs one JSON line on the
`covernote.access` logger: request id, user id (the token's user, never a name), method, route
template, status, duration in milliseconds. No SQL, no body, no query string. The app writes the
access log itself, so it is the same with one server worker or many (`covernote serve` turns
uvicorn's own access log off).

The request id is the caller's `X-Request-ID` when it is sane (1 to 64 of letters, digits and
`._:-`), otherwise a new one; it is echoed in the answer's `X-Request-ID`.

`/metrics` (`COVERNOTE_METRICS=off` turns it off) answers the Prometheus text format; when
`COVERNOTE_METRICS_TOKEN` is set it asks for `Authorization: Bearer <that token>` (401 otherwise).
The breached-clocks gauge is computed when scraped, with one indexed query (clocks.usecases.breached_now).
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

import anyio.to_thread

from covernote.api.security import NO_FRAMES, NO_STORE, NOSNIFF
from covernote.clocks.usecases import breached_now
from covernote.platform.observability import (
    HTTP_LATENCY,
    HTTP_REQUESTS,
    USER_KEY,
    CallbackGauge,
    metrics_text,
)

access_log = logging.getLogger("covernote.access")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

Scope = dict[str, Any]
Message = dict[str, Any]


@functools.cache
def _counter(route: str, method: str, status: int) -> Any:
    """The request counter's child for these labels, looked up once (`labels()` locks and validates on every
    call). Bounded: routes are the app's templates (or `unmatched`), methods and statuses a few."""
    return HTTP_REQUESTS.labels(route, method, str(status))


@functools.cache
def _timer(route: str, method: str) -> Any:
    return HTTP_LATENCY.labels(route, method)


def request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _SANE_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def _problem(status: int, title: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({"type": "about:blank", "title": title, "status": status}).encode()
    return status, [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())], body


class Observability:
    """Pure ASGI middleware: request id, access log, request metrics, and `/metrics`."""

    def __init__(self, app: Any, metrics_path: str = "/metrics") -> None:
        self.app = app
        self.metrics_path = metrics_path
        self.metrics_on = os.environ.get("COVERNOTE_METRICS", "on").strip().lower() not in ("off", "0", "false", "no")
        self.metrics_token = os.environ.get("COVERNOTE_METRICS_TOKEN", "").strip() or None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.metrics_on and scope["path"] == self.metrics_path and scope["method"] in ("GET", "HEAD"):
            await self._metrics(scope, send)
            return
        start = time.perf_counter()
        rid = request_id(scope)
        header = (b"x-request-id", rid.encode())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            _counter(route, method, status).inc()
            _timer(route, method).observe(seconds)
            if access_log.isEnabledFor(logging.INFO):  # the line is built only when it is written
                access_log.info("%s %s %d", method, route, status, extra={
                    "request_id": rid, "user_id": scope.get(USER_KEY), "method": method, "route": route,
                    "status": status, "duration_ms": round(seconds * 1000, 2)})

    async def _metrics(self, scope: Scope, send: Any) -> None:
        if self.metrics_token is not None and not self._authorised(scope):
            status, headers, body = _problem(401, "a metrics token is required")
            headers.append((b"www-authenticate", b"Bearer"))
        else:
            app = scope.get("app")
            ctx = getattr(getattr(app, "state", None), "ctx", None)

            def breached() -> Mapping[tuple[str, ...], float]:
                return {} if ctx is None else {k: float(v) for k, v in breached_now(ctx).items()}

            gauge = CallbackGauge("covernote_clocks_breached", "Open deadlines overdue now, by clock rule and team",
                                  ("rule", "team"), breached)
            body = await anyio.to_thread.run_sync(metrics_text, gauge)
            status = 200
            headers = [(b"content-type", b"text/plain; version=0.0.4; charset=utf-8"),
                       (b"content-length", str(len(body)).encode()), NO_STORE, NOSNIFF, NO_FRAMES]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def _authorised(self, scope: Scope) -> bool:
        assert self.metrics_token is not None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(),
                                                                          self.metrics_token.encode())
        return False

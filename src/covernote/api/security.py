"""Security headers on every answer and a limit on failed authentications per client address (issue 13,
item 25). A pure ASGI middleware, cheap per request: it adds a few headers to the response's start and
looks the client's address up in a small dict only while some address has failed recently.

Headers: `X-Content-Type-Options: nosniff` and `X-Frame-Options: DENY` on every answer;
`Cache-Control: no-store` on every answer except the API's own documentation (`/docs`, `/redoc`,
`/openapi.json` and their files under `/docs/static/`), since nearly every answer carries personal data; a
`Content-Security-Policy` on HTML answers: the letters, statements and access packages may use their own
inline styles and nothing else, the documentation pages may load Swagger UI and ReDoc from this server
only (`api/docs.py`: they work offline), and the portal's and the back office's pages (`/portal`,
`/backoffice`, issue 14) their own stylesheet and forms posting to the service itself.

Failed authentications: each 401 answered to a request that sent a token (an `Authorization` header) is
counted against its client address; an address with
`failures` of them within `window_seconds` (COVERNOTE_AUTH_FAILURES_PER_MINUTE, default 10 a minute; 0:
no limit) is answered 429 with `Retry-After`
(a problem document) on every request but `/health` until the oldest of those failures is a window old.
In memory, per server process, bounded: at most `max_clients` addresses are remembered, the stalest
forgotten first. Behind a reverse proxy, the client address is the one uvicorn takes from
X-Forwarded-For when the proxy is trusted (`--forwarded-allow-ips`)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from covernote.api.problems import problem
from covernote.identity.domain import retry_after

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_FRAMES = (b"x-frame-options", b"DENY")
NO_STORE = (b"cache-control", b"no-store")
HTML_CSP = (b"content-security-policy",
            b"default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
            b"base-uri 'none'; form-action 'none'")
# Issue 14: the portal's pages load their one stylesheet and post their forms to the service itself; no script.
PORTAL_CSP = (b"content-security-policy",
              b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
              b"frame-ancestors 'none'; base-uri 'none'")
PORTAL_PREFIX = ("/portal", "/backoffice")  # the customer portal and the staff back office
DOCS_STATIC = "/docs/static/"  # Swagger UI's and ReDoc's files (api/docs.py)
DOCS_CSP = (b"content-security-policy",
            b"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            b"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; worker-src blob:; "
            b"frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class FailedAuthentications:
    """Recent failed authentications per client address: at most `failures` remembered per address, at
    most `max_clients` addresses."""

    def __init__(self, failures: int = 10, window_seconds: float = 60.0, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.window = window_seconds
        self.max_clients = max_clients
        self.clock = clock
        self.recent: dict[str, deque[float]] = {}

    def record(self, address: str) -> None:
        now = self.clock()
        times = self.recent.pop(address, None)  # re-inserted last: the dict's order is staleness
        if times is None:
            if len(self.recent) >= self.max_clients:
                self._forget(now)
            times = deque(maxlen=self.failures)
        times.append(now)
        self.recent[address] = times

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None if it may now."""
        times = self.recent.get(address)
        if times is None:
            return None
        return retry_after(times, self.failures, self.window, self.clock())

    def _forget(self, now: float) -> None:
        for address in [a for a, t in self.recent.items() if t[-1] + self.window <= now]:
            del self.recent[address]
        while len(self.recent) >= self.max_clients:
            del self.recent[next(iter(self.recent))]


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, failures: int | None = None, window_seconds: float = 60.0,
                 max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        """`failures`: None for COVERNOTE_AUTH_FAILURES_PER_MINUTE (default 10); 0 for no limit."""
        if failures is None:
            from covernote.settings import Settings

            failures = Settings.from_env().auth_failures_per_minute
        self.app = app
        self.limited = failures > 0
        self.failed = FailedAuthentications(max(failures, 1), window_seconds, max_clients, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        path: str = scope["path"]
        docs = path in DOCS_PATHS or path.startswith(DOCS_STATIC)

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                html = False
                cached = False
                for name, value in headers:
                    if name == b"content-type":
                        html = value.startswith(b"text/html")
                    elif name == b"cache-control":
                        cached = True
                headers.append(NOSNIFF)
                headers.append(NO_FRAMES)
                if not docs and not cached:
                    headers.append(NO_STORE)
                if html:
                    headers.append(DOCS_CSP if docs else PORTAL_CSP if path.startswith(PORTAL_PREFIX) else HTML_CSP)
                message = {**message, "headers": headers}
                if (message["status"] == 401 and self.limited
                        and any(n == b"authorization" for n, _ in scope["headers"])):
                    self.failed.record(address)  # a token was sent and refused
            await send(message)

        if self.failed.recent and path != "/health":
            wait = self.failed.retry_after(address)
            if wait is not None:
                answer = problem(429, "too-many-failed-authentications",
                                 f"too many failed authentications from this address; try again in {wait} seconds",
                                 [{"field": "Authorization", "reason": f"{self.failed.failures} failed "
                                   f"authentications within {self.failed.window:g} seconds"}],
                                 {"Retry-After": str(wait)})
                await answer(scope, receive, guarded_send)
                return
        await self.app(scope, receive, guarded_send)

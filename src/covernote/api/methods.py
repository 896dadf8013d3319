"""The methods each path really has (issue 13 item 17): `OPTIONS` on a path answers 204 with an `Allow`
header listing them, and a 405 for a method the path does not have names them in `Allow` too.

The table is read once, lazily, from the application's own OpenAPI document (every operation is in it)
and the documentation pages; it costs nothing on any other request: the middleware looks only at the
method of the request."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

# The pages FastAPI serves beside the operations: read-only.
_PAGES = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


class PathMethods:
    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._table: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def _build(self) -> list[tuple[re.Pattern[str], frozenset[str]]]:
        paths: dict[str, set[str]] = {page: {"GET"} for page in _PAGES}
        for path, operations in self._app.openapi().get("paths", {}).items():
            paths.setdefault(path, set()).update(m.upper() for m in operations)
        table = []
        for path, methods in paths.items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
            table.append((re.compile(f"^{pattern}$"), frozenset({*methods, "OPTIONS"})))
        return table

    def allowed(self, path: str) -> list[str] | None:
        """The methods `path` answers, in a fixed order; None for a path the service does not have."""
        if self._table is None:
            self._table = self._build()
        found: set[str] = set()
        for pattern, methods in self._table:
            if pattern.match(path):
                found |= methods
        return sorted(found) if found else None

    def allow_header(self, path: str) -> str | None:
        methods = self.allowed(path)
        return None if methods is None else ", ".join(methods)


class OptionsMiddleware:
    """Pure ASGI: answers `OPTIONS` on a known path with 204 and `Allow`; everything else passes through."""

    def __init__(self, app: ASGIApp, methods: PathMethods) -> None:
        self.app = app
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            allow = self.methods.allow_header(scope["path"])
            if allow is not None:
                await send({"type": "http.response.start", "status": 204,
                            "headers": [(b"allow", allow.encode()), (b"cache-control", b"no-store")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> PathMethods:
    methods = PathMethods(app)
    app.state.path_methods = methods
    app.add_middleware(OptionsMiddleware, methods=methods)
    return methods


def allow_header(app: Any, path: str) -> str | None:
    methods: PathMethods | None = getattr(app.state, "path_methods", None)
    return None if methods is None else methods.allow_header(path)

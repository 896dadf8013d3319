"""Errors as RFC 9457 problem documents: a type, a title, the status, a detail, and `errors` naming
each field and the reason. Bad input is never a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from covernote.identity.usecases import Unauthenticated
from covernote.kernel.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PaymentRequired,
    ServiceUnavailable,
    ValidationFailed,
)
from covernote.platform.requests import field_path

log = logging.getLogger("covernote.api")
MEDIA_TYPE = "application/problem+json"
STATUS = {ValidationFailed: 422, NotFound: 404, Conflict: 409, Forbidden: 403, PaymentRequired: 402,
          ServiceUnavailable: 503}
TITLES = {400: "Bad request", 401: "Not authenticated", 402: "Payment declined", 403: "Forbidden",
          404: "Not found", 405: "Method not allowed", 409: "Conflict", 413: "Content too large",
          422: "Unprocessable request", 429: "Too many requests",
          500: "Internal error", 503: "Service unavailable"}


class FieldProblem(BaseModel):
    field: str
    reason: str


class ProblemDocument(BaseModel):
    """An error answer (RFC 9457): `errors` names each field at fault and the reason."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


def _documented(status: int, what: str) -> dict[str, Any]:
    return {"model": ProblemDocument, "description": what, "content": {MEDIA_TYPE: {}}}


# The error answers every operation may give, documented on each in the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented(401, "No API token, or one not known (problem document naming `Authorization`)"),
    403: _documented(403, "The caller's role may not do this, or the record is not the caller's"),
    404: _documented(404, "Nothing by that id that the caller can see (problem document naming the path parameter)"),
    409: _documented(409, "A conflict: changed by another request, an idempotency key reused with another request, "
                          "or a state that does not allow it"),
    422: _documented(422, "Invalid input: each field named with the reason"),
    503: _documented(503, "An outside system or the database did not answer; nothing was changed, retry"),
}
# Operations that take or return money through the payment provider may also answer 402.
PAYMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES, 402: _documented(402, "The payment provider declined; nothing was changed")}


def problem(status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": TITLES.get(status, "Error"), "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")] or list(loc)
    return field_path(tuple(parts)) or "body"


class AnswerBugsInPlace:
    """A pure ASGI middleware: an unhandled error becomes the 500 problem document here, and is not raised
    on to the server (issue 13, item 7). Starlette's last-resort handler answers and then re-raises, and
    uvicorn then drops the keep-alive connection without saying so: the client's next request on it failed.
    Per request it costs one wrapped `send`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if started:  # too late to answer: the server closes the connection
                raise
            log.exception("unhandled error")
            await problem(500, "internal-error", "an unexpected error occurred; it has been logged")(scope, receive, send)


def _json_syntax(error: Any, document: Any) -> str:
    """Where the JSON went wrong, by line and column (issue 13, item 21), and the parser's reason."""
    loc = error.get("loc", ())
    pos = loc[-1] if loc and isinstance(loc[-1], int) else None
    why = str((error.get("ctx") or {}).get("error", "invalid JSON"))
    if pos is None or not isinstance(document, str | bytes):
        return f"not valid JSON: {why}"
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"not valid JSON at line {line}, column {column}: {why}"


def install(app: FastAPI) -> None:
    app.add_middleware(AnswerBugsInPlace)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 422)
        errors = [{"field": i.field, "reason": i.reason} for i in exc.issues]
        if not errors and isinstance(exc, NotFound):
            # Nothing named: the resource in the path was not found (or is not the caller's to see).
            errors = [{"field": name, "reason": f"no {name.removesuffix('_id')} {value} that you can see"}
                      for name, value in request.path_params.items()]
        return problem(status, exc.code, exc.message, errors)

    @app.exception_handler(Unauthenticated)
    async def _unauth(_: Request, exc: Unauthenticated) -> JSONResponse:
        return problem(401, "unauthenticated", str(exc), [{"field": "Authorization", "reason": "send 'Bearer <token>'"}],
                       {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": "body", "reason": _json_syntax(e, exc.body)} if e.get("type") == "json_invalid" else
                  {"field": _field(tuple(e.get("loc", ()))),
                   "reason": str(e.get("msg", "invalid")).removeprefix("Value error, ")} for e in exc.errors()]
        return problem(422, "validation-failed", "the request does not have the expected shape", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "http-" + str(exc.status_code), str(exc.detail),
                       headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "internal-error", "an unexpected error occurred; it has been logged")

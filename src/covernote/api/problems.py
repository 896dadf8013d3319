"""Errors as RFC 9457 problem documents: a type, a title, the status, a detail, and `errors` naming
each field and the reason. Bad input is never a 500."""

from __future__ import annotations

import logging
from typing import Any, get_args

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from covernote.api import methods
from covernote.identity.api import get_principal
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
from covernote.platform.api.contract import MEDIA_TYPE, ProblemDocument, documented
from covernote.platform.requests import field_path

__all__ = ["MEDIA_TYPE", "ProblemDocument", "document_errors", "install", "problem", "serve_problems_as_documented"]

log = logging.getLogger("covernote.api")
STATUS = {ValidationFailed: 422, NotFound: 404, Conflict: 409, Forbidden: 403, PaymentRequired: 402,
          ServiceUnavailable: 503}
TITLES = {400: "Bad request", 401: "Not authenticated", 402: "Payment declined", 403: "Forbidden",
          404: "Not found", 405: "Method not allowed", 409: "Conflict", 413: "Content too large",
          422: "Unprocessable request", 429: "Too many requests",
          500: "Internal error", 503: "Service unavailable"}


# The error answers an operation may give, each documented only where it applies (document_errors).
ANSWERS: dict[int, str] = {
    400: "The body cannot be read as text (not UTF-8)",
    401: "No API token, or one not known (problem document naming `Authorization`)",
    402: "The payment provider declined; nothing was changed",
    403: "The caller's role may not do this, or the record is not the caller's",
    404: "Nothing by that id that the caller can see (problem document naming the identifier)",
    409: "A conflict: changed by another request, an idempotency key reused with another request, "
         "or a state that does not allow it",
    413: "The body is larger than the service accepts",
    422: "Invalid input: each field named with the reason",
    429: "Too many refused tokens from this address within a minute; retry after `Retry-After` seconds",
    503: "An outside system or the database did not answer; nothing was changed, retry",
}


def _depends_on(dependant: Dependant, call: Any) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def _names_an_id(dependant: Dependant) -> bool:
    """Whether a query parameter or a body field names a record by its id (or a product by its code)."""
    names = [p.alias for p in dependant.query_params]
    for param in dependant.body_params:
        for kind in (param.field_info.annotation, *get_args(param.field_info.annotation)):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                names += list(kind.model_fields)
    return any(n.endswith("_id") or n in ("product", "product_code") for n in names) or any(
        _names_an_id(d) for d in dependant.dependencies)


def inferred_errors(route: APIRoute) -> set[int]:
    """The error answers an operation can give, from what it takes: a token (401, 403, 429 after too many
    refused tokens from one address, and 503 for the database behind the token), an identifier in the path, the query or the body (404), input (422), a
    body (400, 413), a change (409). What this cannot see an operation declares itself (its `responses=`)."""
    codes: set[int] = set()
    if _depends_on(route.dependant, get_principal):
        codes |= {401, 403, 429, 503}
    if route.dependant.path_params or _names_an_id(route.dependant):
        codes.add(404)
    # Every operation can answer 422: an unknown query parameter is refused (issue 13 item 13), and what it
    # takes may be invalid.
    codes.add(422)
    if route.body_field is not None:
        codes |= {400, 413}
    if (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
        codes.add(409)
    return codes


def document_errors(router: APIRouter) -> APIRouter:
    """Document on each operation of `router` the error answers it can give (before it is included)."""
    for route in router.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            declared = {int(code) for code in route.responses if str(code).isdigit() and int(code) >= 400}
            for code in sorted(inferred_errors(route) - declared):
                route.responses[code] = documented(ANSWERS[code])
    return router


def serve_problems_as_documented(app: FastAPI) -> None:
    """In the OpenAPI document every error answer is a problem document served as
    `application/problem+json` only, as `problem()` sends it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for operations in build().get("paths", {}).values():
                for operation in operations.values():
                    for code, answer in operation.get("responses", {}).items():
                        if code.isdigit() and int(code) >= 400:
                            # Error answers are problem documents, served as application/problem+json only.
                            answer["content"] = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


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
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            # Every method the path has, not only those of the first route that matched (item 17).
            allow = methods.allow_header(request.app, request.url.path)
            if allow is not None:
                headers["Allow"] = allow
        return problem(exc.status_code, "http-" + str(exc.status_code), str(exc.detail), headers=headers or None)

    @app.exception_handler(sa_exc.OperationalError)
    @app.exception_handler(sa_exc.TimeoutError)
    async def _database(_: Request, exc: Exception) -> JSONResponse:
        # The database did not answer (down, locked, the pool exhausted): nothing was committed, retry.
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem(503, "service-unavailable", "the database did not answer; nothing was changed, retry")

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "internal-error", "an unexpected error occurred; it has been logged")

"""How a route's synchronous handler runs: once, off or on the event loop (issue 12).

FastAPI hands a synchronous handler to a worker thread, and then hands the validation of its answer to a
worker thread again: two crossings per request, each a hand-off of the interpreter lock. Every router
of Covernote uses `OneHopRoute`, which presents the handler to FastAPI as a coroutine that runs it in one
crossing (the answer is then validated on the event loop), or on the event loop itself when the app was
started with no worker threads (`covernote.api.app.create_app(ctx, worker_threads=0)`: the SQLite
default, whose one writer at a time gains nothing from threads)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Path, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from covernote.kernel.errors import FieldIssue
from covernote.platform.requests import RequestBody, salvage

# The event loops whose app runs handlers on the loop itself (set when the app starts).
_INLINE_LOOPS: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def run_handlers_on_this_loop() -> None:
    """Called from the app's lifespan: this loop's app has no worker threads."""
    _INLINE_LOOPS.add(asyncio.get_running_loop())


def one_hop(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)  # FastAPI reads the parameters and their annotations through __wrapped__
    async def run(*args: Any, **kwargs: Any) -> Any:
        if asyncio.get_running_loop() in _INLINE_LOOPS:
            return handler(*args, **kwargs)
        return await anyio.to_thread.run_sync(functools.partial(handler, *args, **kwargs))

    return run


def _query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameters an operation declares, its dependencies' included, by the name sent."""
    names = {f.alias for f in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


def refuse_unknown_query(handler: Callable[[Request], Awaitable[Response]],
                         declared: frozenset[str]) -> Callable[[Request], Awaitable[Response]]:
    """Issue 13, item 13: a query parameter the operation does not declare is a 422 naming it, never
    silently ignored (`/policies?registration=...` answered every policy). One set lookup per parameter
    sent; nothing when the query string is empty."""
    takes = ", ".join(sorted(declared)) if declared else "none"

    async def checked(request: Request) -> Response:
        if request.scope.get("query_string"):
            unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in declared]
            if unknown:
                raise RequestValidationError([
                    {"type": "extra_forbidden", "loc": ("query", name),
                     "msg": f"is not a query parameter of this operation (it takes: {takes})",
                     "input": request.query_params.get(name)} for name in unknown])
        return await handler(request)

    return checked


# Issue 13, item 21: an operation whose body's shape is faulty may still have the product's rules judged on
# the rest, so one 422 names both. `rules_despite_shape(model, stand_ins, rules)` marks the endpoint: on a
# shape error in the body, each refused field takes its stand-in (`covernote.platform.requests.salvage`) and
# `rules(request, body)` names what the rules find of the rest (run in a worker thread: it may read the
# catalogue or the clock; never writes). The 422 then carries both.
ShapeRules = Callable[[Request, Sequence[Any], Any], list[dict[str, Any]]]


def rules_despite_shape(model: type[RequestBody], stand_ins: dict[str, Any],
                        rules: Callable[[Request, Any], list[FieldIssue]]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def check(request: Request, errors: Sequence[Any], raw: Any) -> list[dict[str, Any]]:
        bad = [tuple(e.get("loc", ()))[1:] for e in errors if tuple(e.get("loc", ()))[:1] == ("body",)]
        if len(bad) != len(errors):
            return []  # a fault outside the body (a header, a query parameter): answer the shape alone
        body, replaced = salvage(model, raw, bad, stand_ins)
        if body is None:
            return []
        return [{"type": "rule", "loc": ("body", i.field), "msg": i.reason}
                for i in rules(request, body) if i.field not in replaced]

    def mark(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__dict__["rules_despite_shape"] = check
        return endpoint

    return mark


def judge_rules_too(handler: Callable[[Request], Awaitable[Response]],
                    check: ShapeRules) -> Callable[[Request], Awaitable[Response]]:
    async def judged(request: Request) -> Response:
        try:
            return await handler(request)
        except RequestValidationError as exc:
            more = await anyio.to_thread.run_sync(check, request, exc.errors(), exc.body)
            if not more:
                raise
            raise RequestValidationError([*exc.errors(), *more], body=exc.body) from None

    return judged


# What an identifier in a path may be (issue 13 item 16: the schema says so, and a request that breaks it is
# a 422 naming the parameter): an id (`pol_0cz1k6w3t5m8a9h2x4`), a policy number (`CN000000018`), a driver's
# reference; letters, digits, `_` and `-`.
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
PathId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64,
                             description="An identifier: letters, digits, `_` and `-`, at most 64")]


def _ids_constrained(path: str, run: Callable[..., Any], handler: Callable[..., Any]) -> None:
    """Give each identifier in the path (`{..._id}`, `{person_ref}`) declared as plain text the id pattern,
    through the signature FastAPI reads (the handler itself is untouched)."""
    names = {n for n in re.findall(r"{(\w+)}", path) if n.endswith("_id") or n == "person_ref"}
    signature = inspect.signature(handler)
    params = [p.replace(annotation=PathId) if p.name in names and p.annotation in ("str", str) else p
              for p in signature.parameters.values()]
    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]


class OneHopRoute(APIRoute):
    """Every Covernote route: synchronous handlers run in one hop (above), and unknown query parameters are
    refused (`refuse_unknown_query`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.isfunction(endpoint) and not inspect.iscoroutinefunction(endpoint):
            handler = endpoint
            endpoint = one_hop(endpoint)
            _ids_constrained(path, endpoint, handler)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler: Callable[[Request], Awaitable[Response]] = super().get_route_handler()
        check = getattr(self.endpoint, "rules_despite_shape", None)
        if check is not None:
            handler = judge_rules_too(handler, check)
        return refuse_unknown_query(handler, _query_names(self.dependant))  # type: ignore[return-value]

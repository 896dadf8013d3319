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
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Path
from fastapi.routing import APIRoute

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
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.isfunction(endpoint) and not inspect.iscoroutinefunction(endpoint):
            handler = endpoint
            endpoint = one_hop(endpoint)
            _ids_constrained(path, endpoint, handler)
        super().__init__(path, endpoint, **kwargs)

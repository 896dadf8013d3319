"""Request dependencies: the application context and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from covernote.identity.usecases import Principal, Unauthenticated, authenticate
from covernote.platform.context import AppContext

_bearer = HTTPBearer(auto_error=False, description="An API token from `covernote users create`")


async def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


async def get_principal(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """Async so it runs on the event loop, not a worker thread: a known token is answered from the
    in-process cache; an unknown one costs one indexed lookup."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("an API token is required")
    return authenticate(request.app.state.ctx, credentials.credentials)


Ctx = Annotated[AppContext, Depends(get_ctx)]
Caller = Annotated[Principal, Depends(get_principal)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Unique per intended change; a retry with the same key returns the first answer")]

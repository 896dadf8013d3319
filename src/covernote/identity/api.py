"""Request dependencies: the application context and the caller; and the REST resource for API users."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from covernote.identity import usecases as access
from covernote.identity.results import UserCreated
from covernote.identity.usecases import Principal, Unauthenticated, authenticate
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.context import AppContext
from covernote.platform.observability import USER_KEY
from covernote.platform.requests import RequestBody, Text

_bearer = HTTPBearer(auto_error=False, description="An API token from `covernote users create`")


async def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


async def get_principal(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """Async so it runs on the event loop, not a worker thread: a known token is answered from the
    in-process cache; an unknown one costs one indexed lookup."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("an API token is required")
    principal = authenticate(request.app.state.ctx, credentials.credentials)
    request.scope[USER_KEY] = principal.user_id  # for the access log (api/observability.py)
    return principal


Ctx = Annotated[AppContext, Depends(get_ctx)]
Caller = Annotated[Principal, Depends(get_principal)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Unique per intended change; a retry with the same key returns the first answer")]

router = APIRouter(route_class=OneHopRoute)



class UserIn(RequestBody):
    name: Text
    role: Literal["admin", "staff", "customer"]
    customer_id: str | None = None


@router.post("/users", status_code=201, tags=["users"])
def create_user(ctx: Ctx, who: Caller, body: UserIn) -> UserCreated:
    """Admin only. The token is shown once; only its hash is kept."""
    access.require_admin(who, "create users")
    user, token = access.create_user(ctx, body.name, body.role, body.customer_id)
    return {"id": user.user_id, "name": user.name, "role": user.role, "customer_id": user.customer_id, "token": token}

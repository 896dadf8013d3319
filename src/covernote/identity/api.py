"""Request dependencies: the application context and the caller; and the REST resource for API users."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from covernote.identity import usecases as access
from covernote.identity.results import TokenHolder, TokenIssued, UserCreated
from covernote.identity.usecases import Principal, Unauthenticated, authenticate
from covernote.platform.api.paging import Limit, Offset
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
    """Admin only. The token is shown once; only its hash is kept. It works until `expires_at`
    (COVERNOTE_TOKEN_LIFETIME_DAYS after it is issued)."""
    access.require_admin(who, "create users")
    user, token = access.create_user(ctx, body.name, body.role, body.customer_id)
    assert user.token_prefix is not None and user.token_expires_at is not None
    return {"id": user.user_id, "name": user.name, "role": user.role, "customer_id": user.customer_id, "token": token,
            "token_prefix": user.token_prefix, "expires_at": user.token_expires_at.isoformat()}


@router.get("/users", tags=["users"])
def list_users(ctx: Ctx, who: Caller, limit: Limit = 100,
               offset: Offset = 0) -> list[TokenHolder]:
    """Admin only: who holds which token (its first characters, never the token), issued, expiry, revoked."""
    return access.list_tokens(ctx, who, limit, offset)


@router.post("/users/{user_id}/token", status_code=201, tags=["users"])
def new_token(ctx: Ctx, who: Caller, user_id: str) -> TokenIssued:
    """Admin only: a new token for the user, shown once; the old one stops working."""
    return access.issue_token(ctx, who, user_id)


@router.delete("/users/{user_id}/token", tags=["users"])
def revoke_token(ctx: Ctx, who: Caller, user_id: str) -> TokenHolder:
    """Admin only: revoke the user's token; it is answered 401 from now on (other server processes within
    30 seconds)."""
    return access.revoke_token(ctx, who, user_id)

"""The assembly's own resource: liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from typing_extensions import TypedDict

from covernote.identity.api import Ctx
from covernote.kernel.errors import ServiceUnavailable
from covernote.platform.api.contract import documented
from covernote.platform.api.routes import OneHopRoute

router = APIRouter(route_class=OneHopRoute)


class Health(TypedDict):
    """The service is ready: the database answered and these products are loaded."""

    status: str
    products: list[str]
    time: str  # the service's clock, ISO 8601 UTC


@router.get("/health", tags=["health"], responses={503: documented("The database does not answer")})
def health(ctx: Ctx) -> Health:
    """Liveness and readiness: the database answers and the products are loaded (503 if not)."""
    try:
        with ctx.uow(read_only=True) as uow:
            uow.customers.page(1, 0)
    except Exception as exc:  # any database failure makes the service unready, not broken
        raise ServiceUnavailable(f"the database does not answer: {type(exc).__name__}") from exc
    return {"status": "ok", "products": ctx.catalogue.codes(), "time": ctx.clock.now().isoformat()}

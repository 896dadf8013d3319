"""The assembly's own resource: liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from covernote.identity.api import Ctx
from covernote.kernel.errors import ServiceUnavailable

router = APIRouter()
Json = dict[str, Any]


@router.get("/health", tags=["health"])
def health(ctx: Ctx) -> Json:
    """Liveness and readiness: the database answers and the products are loaded (503 if not)."""
    try:
        with ctx.uow(read_only=True) as uow:
            uow.customers.page(1, 0)
    except Exception as exc:  # any database failure makes the service unready, not broken
        raise ServiceUnavailable(f"the database does not answer: {type(exc).__name__}") from exc
    return {"status": "ok", "products": ctx.catalogue.codes(), "time": ctx.clock.now().isoformat()}

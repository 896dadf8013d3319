"""The FastAPI application. `create_app(ctx)` for a built context; `create_app_from_env()` as a
uvicorn factory for `covernote serve`."""

from __future__ import annotations

from fastapi import FastAPI

from covernote import __version__
from covernote.api import privacy_registers, privacy_requests, privacy_retention, privacy_sensitive, problems
from covernote.api.carbon import router as carbon_router
from covernote.api.claims import router as claims_router
from covernote.api.clocks import router as clocks_router
from covernote.api.complaints import router as complaints_router
from covernote.api.extras import router as extras_router
from covernote.api.ncd import router as ncd_router
from covernote.api.regulatory import router as regulatory_router
from covernote.api.routes import router
from covernote.app.context import AppContext


def create_app(ctx: AppContext) -> FastAPI:
    app = FastAPI(
        title="Covernote",
        version=__version__,
        description="Policy administration for UK motor insurance: products, explainable rating, quote to "
                    "cancellation, and a double-entry ledger. Authenticate with `Authorization: Bearer <token>`. "
                    "Errors are RFC 9457 problem documents whose `errors` name each field and the reason.",
    )
    app.state.ctx = ctx
    problems.install(app)
    app.include_router(router)
    for area in (privacy_requests, privacy_registers, privacy_sensitive, privacy_retention):
        app.include_router(area.router)
    app.include_router(carbon_router)  # ECO-1
    app.include_router(extras_router)  # ADD-1, PAY-7: the fair-value report
    app.include_router(ncd_router)  # NCD-1: proofs, decisions, the NCD proof letter
    app.include_router(clocks_router)  # the clock engine: deadlines due soon, overdue, team figures
    app.include_router(complaints_router)  # CMP-1..5, DOC-2: complaints, their clocks and letters
    app.include_router(claims_router)  # CLM-1..4: first notification of loss and claim handling
    app.include_router(regulatory_router)  # REG-1..3: MID updates, CUE reports, fraud referrals
    return app


def create_app_from_env() -> FastAPI:
    from covernote.bootstrap import build

    return create_app(build())

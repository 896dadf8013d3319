"""The FastAPI application. `create_app(ctx)` for a built context; `create_app_from_env()` as a
uvicorn factory for `covernote serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from covernote import __version__
from covernote.api import docs, health, methods, problems
from covernote.api.body_limit import BodyLimit
from covernote.api.observability import Observability
from covernote.api.security import SecurityMiddleware
from covernote.billing.api import arrears as billing_arrears
from covernote.billing.api import commission as billing_commission
from covernote.billing.api import direct_debit as billing_direct_debit
from covernote.billing.api import notices as billing_notices
from covernote.billing.api import plans as billing_plans
from covernote.carbon.api import router as carbon_router
from covernote.claims.api import router as claims_router
from covernote.clocks.api import router as clocks_router
from covernote.complaints.api import router as complaints_router
from covernote.documents.api import router as documents_router
from covernote.extras.api import router as extras_router
from covernote.identity.api import router as identity_router
from covernote.ledger.api import router as ledger_router
from covernote.lifecycle.api import router as lifecycle_router
from covernote.ncd.api import router as ncd_router
from covernote.platform.api.routes import run_handlers_on_this_loop
from covernote.platform.context import AppContext
from covernote.policy.api import router as policy_router
from covernote.privacy.api import consent as privacy_consent
from covernote.privacy.api import registers as privacy_registers
from covernote.privacy.api import requests as privacy_requests
from covernote.privacy.api import retention as privacy_retention
from covernote.privacy.api import sensitive as privacy_sensitive
from covernote.products.api import router as products_router
from covernote.regulatory.api import router as regulatory_router
from covernote.telematics.api import devices as telematics_devices
from covernote.telematics.api import rerating as telematics_rerating
from covernote.telematics.api import scores as telematics_scores
from covernote.web.routes import router as portal_router


def create_app(ctx: AppContext, worker_threads: int | None = None) -> FastAPI:
    """`worker_threads`: how many threads run the synchronous handlers (None: the server's default; 0: none,
    they run on the event loop, platform/api/routes.py)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Both belong to the running event loop: set them there.
        if worker_threads == 0:
            run_handlers_on_this_loop()
        elif worker_threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = worker_threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served from the package by docs.install, not from a CDN (issue 14 item 5)
        title="Covernote",
        version=__version__,
        description="Policy administration for UK motor insurance: products, explainable rating, quote to "
                    "cancellation, and a double-entry ledger. Authenticate with `Authorization: Bearer <token>`. "
                    "Errors are RFC 9457 problem documents whose `errors` name each field and the reason.",
    )
    app.state.ctx = ctx
    problems.install(app)
    app.add_middleware(BodyLimit)  # issue 13, item 8: 413 for a body over COVERNOTE_MAX_BODY_BYTES, before reading it
    app.add_middleware(SecurityMiddleware)  # issue 13, item 25: security headers, 429 after 10 failed sign-ins a minute
    app.add_middleware(Observability)  # request id, access log, metrics, /metrics (issue 13 item 23); outermost, so
    # the 413s and 429s above are logged and counted too (it puts the security headers on /metrics itself)
    app.include_router(problems.document_errors(health.router))  # the assembly's own: liveness and readiness
    app.include_router(problems.document_errors(products_router))  # PRD-1: the products on sale
    app.include_router(problems.document_errors(policy_router))  # customers
    app.include_router(problems.document_errors(lifecycle_router))  # quotes, policies, their transactions, renewal jobs
    app.include_router(problems.document_errors(identity_router))  # SEC-1: API users
    app.include_router(problems.document_errors(ledger_router))  # PAY-5: reconciliation, reversals
    app.include_router(problems.document_errors(billing_plans.router))  # PAY-1, PAY-7: payment plans, premium finance
    app.include_router(problems.document_errors(billing_direct_debit.router))  # PAY-6: direct debit through Bacs
    app.include_router(problems.document_errors(billing_notices.router))  # PAY-3: the continuous payment authority
    for area in (privacy_consent, privacy_requests, privacy_registers, privacy_sensitive, privacy_retention):
        app.include_router(problems.document_errors(area.router))
    app.include_router(problems.document_errors(billing_arrears.router))  # PAY-2, FEE-2: returned direct debits' arrears
    app.include_router(problems.document_errors(carbon_router))  # ECO-1
    app.include_router(problems.document_errors(extras_router))  # ADD-1, PAY-7: the fair-value report
    app.include_router(problems.document_errors(billing_commission.router))  # PAY-7: commission disclosure, report
    app.include_router(problems.document_errors(ncd_router))  # NCD-1: proofs, decisions, the NCD proof letter
    app.include_router(problems.document_errors(clocks_router))  # the clock engine: deadlines due soon, overdue, team figures
    app.include_router(problems.document_errors(complaints_router))  # CMP-1..5, DOC-2: complaints, their clocks and letters
    app.include_router(problems.document_errors(claims_router))  # CLM-1..4: first notification of loss and claim handling
    app.include_router(problems.document_errors(regulatory_router))  # REG-1..3: MID updates, CUE reports, fraud referrals
    app.include_router(problems.document_errors(documents_router))  # DOC-1, CMP-4: policy documents, paper copies
    app.include_router(problems.document_errors(telematics_devices.router))  # TEL-1, TEL-2: the Smartbox, ingestion
    app.include_router(problems.document_errors(telematics_rerating.router))  # TEL-4: the 90-day premium review
    app.include_router(problems.document_errors(telematics_scores.router))  # TEL-3, TEL-10: driving scores
    docs.install(app)  # /docs and /redoc with their scripts from the installed package: they work offline
    app.include_router(portal_router)  # issue 14, UX-2: the customer portal's pages under /portal (not in the OpenAPI)
    problems.serve_problems_as_documented(app)  # each operation's error answers (issue 13 item 16)
    methods.install(app)  # OPTIONS and 405 name the methods each path has (issue 13 item 17)
    return app


def create_app_from_env() -> FastAPI:
    from covernote.bootstrap import build
    from covernote.settings import Settings

    settings = Settings.from_env()
    return create_app(build(settings), settings.threads_for_requests())

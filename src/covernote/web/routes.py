"""The portal's routes in order, for the app to include (issue 14): each area's pages, then the portal's own
404 page for any other address under /portal."""

from __future__ import annotations

from fastapi import APIRouter

from covernote.web import (
    adjustments,
    arrears,
    backoffice,
    backoffice_actions,
    backoffice_print,
    claims,
    commission,
    complaints,
    documents,
    pages,
    privacy,
    quotes,
)

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(quotes.router)
for area in (adjustments, claims, complaints, privacy, documents, commission, arrears):  # issue 14: self-service, documents; issue 15: commission, arrears
    router.include_router(area.router)
router.add_api_route(f"{pages.PREFIX}/{{rest:path}}", pages.unknown, methods=["GET", "POST"])
# Issue 14 part 3: the staff back office under /backoffice, then its own 404 page.
router.include_router(backoffice.router)
router.include_router(backoffice_actions.router)
router.include_router(backoffice_print.router)  # the print queue (issue 14)
router.add_api_route(f"{backoffice.PREFIX}/{{rest:path}}", backoffice.unknown, methods=["GET", "POST"])

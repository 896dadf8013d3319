"""Commission (PAY-7): the disclosure a customer may ask for (their own, or staff for any customer), as an
answer, a printable letter or a stored PDF, and the staff's commission report as CSV."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from covernote.billing.results import CommissionDisclosure, CommissionReport
from covernote.billing.usecases import commission
from covernote.documents.usecases import documents
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day

router = APIRouter(route_class=OneHopRoute)


@router.get("/customers/{customer_id}/commission-disclosure", tags=["billing"], response_model=CommissionDisclosure)
def customer_disclosure(ctx: Ctx, who: Caller, customer_id: str) -> CommissionDisclosure:
    """PAY-7: the commission earned on each of the customer's policies: on the core premium (the insurer's
    percentage), on each optional extra (percentage and any per-sale fee) and from the finance provider
    for an instalment payer. The customer themselves, or staff."""
    return commission.commission_disclosure(ctx, who, customer_id)


@router.get("/policies/{policy_id}/commission-disclosure", tags=["billing"], response_model=CommissionDisclosure,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}},
                                         "text/plain": {"schema": {"type": "string"}},
                                         "application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The disclosure; as a PDF, the bytes of the letter issued (stored once "
                                            "with the policy's documents; `ETag` and `Digest` give their SHA-256)"}})
def policy_disclosure(ctx: Ctx, who: Caller, policy_id: str,
                      format: Literal["json", "html", "text", "pdf"] = "json") -> CommissionDisclosure | Response:
    """The disclosure of every policy of the customer whose policy this is (the portal's "commission we
    earn" link). `format=html` or `text` for the letter; `format=pdf` issues it as one of this policy's
    documents (kind `commission_disclosure`, listed by `GET /policies/{id}/documents`), stored once: the
    same letter asked for again (same day, same figures) answers the same bytes."""
    if format == "pdf":
        issued = commission.disclosure_letter(ctx, who, policy_id)
        f = documents.get_document(ctx, who, issued["id"], "pdf")
        return Response(f.content, media_type=f.media_type, headers={
            "ETag": f'"{f.sha256}"', "Digest": f"sha-256={f.sha256}", "X-Document-Id": f.document_id,
            "Content-Disposition": f'attachment; filename="{f.filename}"', "Cache-Control": "private, no-store"})
    data = commission.policy_disclosure(ctx, who, policy_id)
    if format in ("html", "text"):
        brand, fscs = commission.letterhead_of(ctx, who, policy_id)
        if format == "html":
            return Response(commission.letter_html(data, brand, fscs), media_type="text/html")
        return Response(commission.letter_text(data, brand, fscs), media_type="text/plain")
    return data


@router.get("/reports/commission", tags=["reports"], response_model=CommissionReport, responses=also_as("text/csv"))
def report(ctx: Ctx, who: Caller,
           start: Day = Query(alias="from", description="First day of the period"),
           end: Day = Query(alias="to", description="The day after the period (half-open: [from, to))"),
           format: Literal["json", "csv"] = "json") -> CommissionReport | Response:
    """Staff: per policy and transaction, the premium written and the commission booked (core premium,
    extras, finance introduction) on the days [from, to). `format=csv` for a spreadsheet."""
    data = commission.commission_report(ctx, who, start, end)
    if format == "csv":
        return Response(commission.commission_csv(data), media_type="text/csv")
    return data


@router.get("/reports/commission.csv", tags=["reports"], response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "The commission report as CSV"}})
def report_csv(ctx: Ctx, who: Caller,
               start: Day = Query(alias="from", description="First day of the period"),
               end: Day = Query(alias="to", description="The day after the period (half-open: [from, to))")) -> Response:
    """Staff: the commission report (as `GET /reports/commission?format=csv`), one row per policy
    transaction: premium, commission on the core premium and on the extras, finance commission."""
    return Response(commission.commission_csv(commission.commission_report(ctx, who, start, end)),
                    media_type="text/csv")

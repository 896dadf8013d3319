"""REST resources: policy documents (DOC-1, CMP-4): a policy's documents, a document's bytes as PDF, HTML or
plain text (large print too), and the print queue of paper copies asked for."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import Field, StrictBool

from covernote.documents.results import DocumentList, PrintQueue, PrintRequestView
from covernote.documents.usecases import documents, printing
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import conflicts
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import RequestBody

router = APIRouter(tags=["documents"], route_class=OneHopRoute)
FormatName = Literal["pdf", "html", "txt"]
# What an Accept header names, to the format it asks for (the first one known wins).
_ACCEPTED: dict[str, FormatName] = {"application/pdf": "pdf", "text/html": "html", "text/plain": "txt"}


def _from_accept(accept: str | None) -> FormatName:
    for part in (accept or "").split(","):
        found = _ACCEPTED.get(part.split(";")[0].strip().lower())
        if found is not None:
            return found
    return "pdf"


class PaperCopyIn(RequestBody):
    large_print: StrictBool = Field(default=False, description="Print it in large print (CMP-4)")


class PrintStatusIn(RequestBody):
    status: Literal["printed", "posted", "cancelled"] = Field(
        description="printed, or posted (a copy posted was printed too), or cancelled (one not yet posted)")


@router.get("/policies/{policy_id}/documents")
def list_documents(ctx: Ctx, who: Caller, policy_id: str) -> DocumentList:
    """The policy's documents, oldest first: certificates of motor insurance, schedules, change and
    cancellation letters and renewal notices, each with the template and product versions that made it and
    the SHA-256 of each format. Documents the policy's history calls for are issued on the first listing
    (or by the daily job), once. A customer sees only their own policy's."""
    return documents.list_documents(ctx, who, policy_id)


@router.get("/documents/{document_id}", response_class=Response, responses={200: {"content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}},
    "description": "The document's bytes exactly as issued; the `ETag` and `Digest` headers give their SHA-256"},
    **conflicts("The document's content was erased (its policy was anonymised or its customer erased)")})
def get_document(ctx: Ctx, who: Caller, document_id: str,
                 format: FormatName | None = Query(None, description="pdf, html or txt; default from the Accept "
                                                                     "header, else pdf"),
                 large_print: bool = Query(False, description="The large-print PDF or HTML (CMP-4)"),
                 accept: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    """A document's bytes as issued: the same bytes on every download. A customer gets only their own
    documents (another's answers 404 as an unknown id)."""
    fmt = format or _from_accept(accept)
    f = documents.get_document(ctx, who, document_id, fmt, large_print)
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(f.content, media_type=f.media_type, headers={
        "ETag": f'"{f.sha256}"', "Digest": f"sha-256={f.sha256}",
        "Content-Disposition": f'{disposition}; filename="{f.filename}"', "Cache-Control": "private, no-store"})


@router.post("/documents/{document_id}/paper-copies", status_code=201)
def request_paper_copy(ctx: Ctx, who: Caller, document_id: str, body: PaperCopyIn) -> PrintRequestView:
    """Ask for a paper copy of the document, posted to the policyholder (DOC-1), in large print if asked
    (CMP-4). A copy of the same document and print size still waiting is answered instead of a second."""
    return printing.request_paper_copy(ctx, who, document_id, body.large_print)


@router.get("/print-queue")
def print_queue(ctx: Ctx, who: Caller,
                status: Literal["requested", "printed", "posted", "cancelled"] = Query(
                    "requested", description="requested (to print), printed (to post), posted or cancelled"),
                limit: Limit = 50, offset: Offset = 0) -> PrintQueue:
    """Staff: the paper copies asked for, oldest first, with the addressee of each."""
    return printing.print_queue(ctx, who, status, limit, offset)


@router.post("/print-queue/{request_id}")
def mark_print_request(ctx: Ctx, who: Caller, request_id: str, body: PrintStatusIn) -> PrintRequestView:
    """Staff: mark a paper copy printed, or posted, or cancel one not yet posted."""
    return printing.mark_print_request(ctx, who, request_id, body.status)

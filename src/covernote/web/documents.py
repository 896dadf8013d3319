"""The portal's document pages (issue 14; DOC-1, UX-2, CMP-4): a policy's documents (what each is, when it was
issued and the transaction it documents) with downloads as PDF, HTML, plain text and large print; a form asking
for a paper copy, in large print if wanted; and the paper copies asked for, with how far each has got.

Every page and download goes through the documents use cases the REST routes call (`list_documents`,
`get_document`, `request_paper_copy`, `policy_paper_copies`) with the signed-in user's Principal: a customer
sees only their own documents, and another customer's document id answers the portal's 404 page exactly like an
unknown one. A download answers the stored bytes as issued (never rendered again), as an attachment.

The policy page lists the documents already issued (`issued_documents`, no rendering); this page's listing issues
the due ones first (renders their PDFs, the better part of a second for a new policy), which must never be in the
path of a policy read or of the purchase that lands on the policy page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from covernote.documents.usecases import documents, printing
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.web.common import DOWNLOADS, documented
from covernote.web.pages import PREFIX, ctx_of, form_page, page, run, signed_in_page, to
from covernote.web.session import check_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)

STATUSES = {"requested": "Waiting to be printed", "printed": "Printed, to be posted", "posted": "Posted"}
_YES = {"1", "true", "yes", "on"}
_NO = {"", "0", "false", "no", "off"}


def _documents_page(request: Request, who: SignedIn, listing: Any, copies: Any,
                    message: str | None = None) -> Response:
    for_doc = {d["id"]: documented(d) for d in listing["documents"]}
    return page(request, "documents.html", 200, who, title=f"Documents: policy {listing['number']}",
                listing=listing, for_doc=for_doc, downloads=DOWNLOADS, copies=copies["items"], statuses=STATUSES,
                message=message)


@router.get("/policies/{policy_id}/documents")
async def policy_documents(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        ctx = ctx_of(request)
        listing = await run(documents.list_documents, ctx, who.principal, policy_id)
        copies = await run(printing.policy_paper_copies, ctx, who.principal, policy_id)
        asked = request.query_params.get("asked")
        message = {"1": "Your paper copy is asked for: we post it to the address we have for you.",
                   "large": "Your large-print paper copy is asked for: we post it to the address we have for you."
                   }.get(asked or "")
        return _documents_page(request, who, listing, copies, message)

    return await signed_in_page(request, render)


def _large_print(value: str | None) -> bool:
    """`large_print` as the download links send it; anything else is named, never guessed."""
    text = (value or "").strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise ValidationFailed("large print is yes or no", [FieldIssue("large_print", "use 1 (large print) or 0")])


@router.get("/documents/{document_id}")
async def download(request: Request, document_id: str) -> Response:
    """The document's stored bytes, byte for byte as issued, as an attachment named for what it is."""
    async def render(who: SignedIn) -> Response:
        fmt = request.query_params.get("format", "pdf")
        large = _large_print(request.query_params.get("large_print"))
        f = await run(documents.get_document, ctx_of(request), who.principal, document_id, fmt, large)
        return Response(f.content, media_type=f.media_type, headers={
            "Content-Disposition": f'attachment; filename="{f.filename}"', "ETag": f'"{f.sha256}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})

    return await signed_in_page(request, render)


@router.post("/documents/paper-copies")
async def paper_copy(request: Request) -> Response:
    """Ask for a paper copy of one of your documents (the form on the documents page), in large print if
    ticked; a copy of the same document and size still waiting is not asked for twice (the use case's rule)."""
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        document_id = form.get("document_id", "").strip()
        if not document_id:
            raise ValidationFailed("choose the document to post", [FieldIssue("document_id", "choose a document")])
        large = _large_print(form.get("large_print"))
        done = await run(printing.request_paper_copy, ctx_of(request), who.principal, document_id, large)
        asked = "large" if large else "1"
        if done["owner_kind"] == "complaint":  # back to the page the letter is on (issue 14)
            return to(f"{PREFIX}/complaints/{done['owner_id']}?asked={asked}#paper-copy")
        if done["owner_kind"] == "data_request":
            return to(f"{PREFIX}/privacy/requests/{done['owner_id']}?asked={asked}#paper-copy")
        return to(f"{PREFIX}/policies/{done['policy_id']}/documents?asked={asked}#paper-copies")

    return await form_page(request, render)

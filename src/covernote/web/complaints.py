"""The portal's complaint pages (issue 14, UX-2; CMP-1..4): make a complaint and follow it: where it stands,
the dates we must answer by, and the letters we sent (read on the page, in the format asked for).

The form is judged by the REST request's own model (`ComplaintIn`) and recorded by the use case the REST route
calls (`complaints.record`) with the signed-in user's Principal, which records a customer's complaint as their
own, received through the web now. Another customer's complaint answers 404 like an unknown one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from covernote.complaints.api import ComplaintIn
from covernote.complaints.domain import FORMATS, KIND_NAMES
from covernote.complaints.usecases import complaints
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import ValidationFailed
from covernote.lifecycle.usecases import policies
from covernote.policy.usecases import customers
from covernote.web.pages import (
    POLICY_LIMIT,
    PREFIX,
    ctx_of,
    field_errors,
    form_page,
    page,
    run,
    signed_in_page,
    to,
)
from covernote.web.session import check_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)

COMPLAINT_LIMIT = 100
FIELDS = ("kind", "description", "name", "address", "postcode", "phone", "email", "policy_number",
          "alternative_format")


def complaint_body(form: dict[str, str]) -> dict[str, Any]:
    """The REST request the form stands for (fields left empty are left out; the web is how it came)."""
    return {"received_via": "web"} | {k: v for k in FIELDS if (v := form.get(k, "").strip())}


async def _form(request: Request, who: SignedIn, status: int = 200, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, problem: str | None = None) -> Response:
    mine = await run(policies.list_policies, ctx_of(request), who.principal, POLICY_LIMIT, 0)
    if values is None:  # a customer's own form starts with where we write to them now
        values = {}
        if who.principal.customer_id is not None:
            me = await run(customers.get_customer, ctx_of(request), who.principal, who.principal.customer_id)
            values = {k: str(me[k]) for k in ("name", "address", "postcode", "email", "phone")
                      if me.get(k)}
    return page(request, "complaint_new.html", status, who, title="Make a complaint", kinds=KIND_NAMES,
                formats=FORMATS, policies=mine, values=values, errors=errors or {}, problem=problem)


# A letter's downloads (issue 14): (label, format, large print).
LETTER_DOWNLOADS = (("PDF", "pdf", False), ("Large-print PDF", "pdf", True), ("Plain text", "txt", False))


@router.get("/complaints")
async def my_complaints(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        found = await run(complaints.list_complaints, ctx_of(request), who.principal, None, None, COMPLAINT_LIMIT, 0)
        return page(request, "complaints.html", 200, who, title="Your complaints" if not who.principal.is_staff
                    else "Complaints", complaints=found["complaints"], kinds=KIND_NAMES, limit=COMPLAINT_LIMIT)

    return await signed_in_page(request, render)


@router.get("/complaints/new")
async def complaint_page(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        return await _form(request, who)

    return await signed_in_page(request, render)


@router.post("/complaints/new")
async def make_complaint(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        try:  # the REST request's own model
            body = ComplaintIn.model_validate(complaint_body(form))
        except ValidationError as e:
            return await _form(request, who, 422, form, field_errors(e))
        try:
            made = await run(complaints.record, ctx_of(request), who.principal, body.to_app())
        except ValidationFailed as e:
            return await _form(request, who, 422, form, {i.field: i.reason for i in e.issues}, e.message)
        return to(f"{PREFIX}/complaints/{made['id']}")

    return await form_page(request, render)


@router.get("/complaints/{complaint_id}")
async def complaint(request: Request, complaint_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(complaints.get, ctx_of(request), who.principal, complaint_id)
        asked = {"1": "Your paper copy is asked for: we post it to the address we have for you.",
                 "large": "Your large-print paper copy is asked for: we post it to the address we have for you."
                 }.get(request.query_params.get("asked") or "")
        return page(request, "complaint.html", 200, who, title=f"Complaint {view['id']}", complaint=view,
                    formats=FORMATS, downloads=LETTER_DOWNLOADS, message=asked)

    return await signed_in_page(request, render)


@router.get("/complaints/{complaint_id}/letters/{letter_id}/document")
async def letter_document(request: Request, complaint_id: str, letter_id: str) -> Response:
    """A letter as an issued document (issue 14): issued first if it is not yet (a letter sent before letters
    were stored as documents), then the download asked for (`format`, `large_print`) of its stored bytes."""
    async def render(who: SignedIn) -> Response:
        fmt = request.query_params.get("format", "pdf")
        large = request.query_params.get("large_print", "0")
        if fmt not in ("pdf", "html", "txt") or large not in ("0", "1"):
            return page(request, "error.html", 422, who, title="Not possible", message="Choose a format.",
                        issues=["format: use pdf, html or txt", "large_print: use 1 or 0"])
        doc = await run(complaints.letter_document, ctx_of(request), who.principal, complaint_id, letter_id)
        return to(f"{PREFIX}/documents/{doc['id']}?format={fmt}" + ("&large_print=1" if large == "1" else ""))

    return await signed_in_page(request, render)


@router.get("/complaints/{complaint_id}/letters/{letter_id}")
async def letter(request: Request, complaint_id: str, letter_id: str) -> Response:
    """A letter as it was sent, its text on a portal page (the REST route's `format=text`)."""
    async def render(who: SignedIn) -> Response:
        view = await run(complaints.get, ctx_of(request), who.principal, complaint_id)
        found = await run(complaints.letter, ctx_of(request), who.principal, complaint_id, letter_id)
        sent = next((x for x in view["letters"] if x["id"] == letter_id), None)
        return page(request, "complaint_letter.html", 200, who, title=sent["title"] if sent else "Letter",
                    complaint=view, letter=sent, body=found.body)

    return await signed_in_page(request, render)

"""The portal's privacy pages (issue 14, UX-2; PRV-2, PRV-3, PRV-4): your contact consents, each purpose and
channel with its state, given or withdrawn with one button; and your data requests: start an access,
portability or erasure request, see where it stands, and download the access package (HTML or JSON, as the
REST API serves it) or the portability export (JSON or CSV) once it is ready.

Every form is judged by the REST request's own model (`ConsentIn`, `RequestIn`) and carried out by the use
cases the REST routes call with the signed-in user's Principal (`consent.record_decision`, `requests.start`,
`subject_access.access_package`): a customer acts only on their own data, and another customer's request
answers 404 like an unknown one. The words a consent was given or withdrawn with are the words this page shows
(recorded with the decision, PRV-2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import Forbidden, NotFound, ValidationFailed
from covernote.policy.schemas import ConsentIn
from covernote.privacy.api.requests import RequestIn
from covernote.privacy.usecases import consent, requests, subject_access
from covernote.web.pages import PREFIX, ctx_of, field_errors, form_page, page, run, signed_in_page, to
from covernote.web.session import check_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PRIVACY = f"{PREFIX}/privacy"
# How the page names each channel and purpose; a decision's recorded wording is made of these words.
CHANNELS = {"mail": "post", "email": "e-mail", "phone": "telephone", "sms": "text message"}
PURPOSES = {"marketing": "news and offers about our insurance",
            "partner_offers": "offers from our group companies and partners",
            "feedback": "surveys about our service"}
KINDS = {"access": "A copy of the personal data we hold about you (an access request)",
         "portability": "The data you gave us, in a form another company can use (portability)",
         "erasure": "Erase your personal data (we keep what the law makes us keep, and say why)"}
REQUEST_LIMIT = 100


def wording(channel: str, purpose: str, granted: bool) -> str:
    """The words the consents page shows for the decision, recorded with it."""
    how, what = CHANNELS.get(channel, channel), PURPOSES.get(purpose, purpose)
    return (f"Yes, you may contact me by {how} with {what}." if granted
            else f"No, do not contact me by {how} with {what}.")


def _customer(who: SignedIn) -> str:
    """These pages are a customer's own: anyone else (staff, in the back office) has no such page here."""
    if who.principal.customer_id is None:
        raise NotFound("these pages are a customer's own")
    return who.principal.customer_id


async def _page(request: Request, who: SignedIn, status: int = 200, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, problem: str | None = None, message: str | None = None,
                ) -> Response:
    customer_id = _customer(who)
    held = await run(consent.consents, ctx_of(request), who.principal, customer_id)
    cases = await run(requests.list_requests, ctx_of(request), who.principal, None, False, False, REQUEST_LIMIT, 0)
    return page(request, "privacy.html", status, who, title="Your privacy", consents=held["current"],
                channels=CHANNELS, purposes=PURPOSES, kinds=KINDS, requests=cases["requests"], values=values or {},
                errors=errors or {}, problem=problem, message=message, wording=wording)


@router.get("/privacy")
async def privacy(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        changed = request.query_params.get("changed")
        return await _page(request, who, message="Your choice is recorded." if changed == "1" else None)

    return await signed_in_page(request, render)


@router.post("/privacy/consents")
async def record_consent(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        customer_id = _customer(who)
        channel, purpose = form.get("channel", ""), form.get("purpose", "")
        granted = {"yes": True, "no": False}.get(form.get("granted", ""), form.get("granted"))
        try:  # the REST request's own model
            body = ConsentIn.model_validate({"channel": channel, "purpose": purpose, "granted": granted,
                                             "wording": wording(channel, purpose, granted is True), "source": "web"})
        except ValidationError as e:
            return await _page(request, who, 422, errors=field_errors(e), problem="the choice was not recorded")
        try:
            await run(lambda: consent.record_decision(ctx_of(request), who.principal, customer_id,
                                                      **body.model_dump()))
        except ValidationFailed as e:
            return await _page(request, who, 422, errors={i.field: i.reason for i in e.issues}, problem=e.message)
        return to(f"{PRIVACY}?changed=1")

    return await form_page(request, render)


@router.post("/privacy/requests")
async def start_request(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        customer_id = _customer(who)
        values = {"kind": form.get("kind", "")}
        try:  # the REST request's own model
            body = RequestIn.model_validate({"kind": values["kind"]})
        except ValidationError as e:
            return await _page(request, who, 422, values, field_errors(e))
        if not body.kind:
            return await _page(request, who, 422, values, {"kind": "choose what you are asking for"})
        try:
            case = await run(lambda: requests.start(ctx_of(request), who.principal, customer_id, **body.model_dump()))
        except (ValidationFailed, Forbidden) as e:  # a kind a customer does not start: said on the form
            return await _page(request, who, 422, values, {i.field: i.reason for i in e.issues} or
                               {"kind": e.message}, e.message)
        return to(f"{PRIVACY}/requests/{case['id']}")

    return await form_page(request, render)


@router.get("/privacy/requests/{request_id}")
async def data_request(request: Request, request_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        case = await run(requests.get, ctx_of(request), who.principal, request_id)
        issued = await run(subject_access.request_documents, ctx_of(request), who.principal, request_id)
        asked = {"1": "Your paper copy is asked for: we post it to the address we have for you.",
                 "large": "Your large-print paper copy is asked for: we post it to the address we have for you."
                 }.get(request.query_params.get("asked") or "")
        return page(request, "privacy_request.html", 200, who, title=f"Your request {case['id']}", case=case,
                    kinds=KINDS, package=next((d for d in issued if d["kind"] == subject_access.PACKAGE_KIND), None),
                    message=asked)

    return await signed_in_page(request, render)


def _download(body: str | bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/privacy/requests/{request_id}/package")
async def access_package(request: Request, request_id: str) -> Response:
    """The access package as the REST route serves it (`format=html` or `json`), as a download; producing it
    answers the request (the use case completes the case)."""
    async def render(who: SignedIn) -> Response:
        fmt = request.query_params.get("format", "html")
        if fmt not in ("html", "json"):
            return page(request, "error.html", 422, who, title="Not possible", message="Choose HTML or JSON.",
                        issues=["format: use html or json"])
        package: Any = await run(subject_access.access_package, ctx_of(request), who.principal, request_id)
        if fmt == "html":
            return _download(subject_access.package_html(package), "text/html; charset=utf-8",
                             f"personal-data-{request_id}.html")
        answer = JSONResponse(jsonable_encoder(package))
        answer.headers["Content-Disposition"] = f'attachment; filename="personal-data-{request_id}.json"'
        return answer

    return await signed_in_page(request, render)


@router.get("/privacy/requests/{request_id}/package/document")
async def package_document(request: Request, request_id: str) -> Response:
    """The access package as an issued document (issue 14): made and stored the first time (which answers the
    request), then the download asked for (`format`, `large_print`) of its stored bytes, the same every time."""
    async def render(who: SignedIn) -> Response:
        fmt = request.query_params.get("format", "pdf")
        large = request.query_params.get("large_print", "0")
        if fmt not in ("pdf", "html", "txt") or large not in ("0", "1"):
            return page(request, "error.html", 422, who, title="Not possible", message="Choose a format.",
                        issues=["format: use pdf, html or txt", "large_print: use 1 or 0"])
        doc = await run(subject_access.package_document, ctx_of(request), who.principal, request_id)
        return to(f"{PREFIX}/documents/{doc['id']}?format={fmt}" + ("&large_print=1" if large == "1" else ""))

    return await signed_in_page(request, render)


@router.get("/privacy/requests/{request_id}/export")
async def portability_export(request: Request, request_id: str) -> Response:
    """The portability export as the REST route serves it (`format=json` or `csv`), as a download."""
    async def render(who: SignedIn) -> Response:
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "csv"):
            return page(request, "error.html", 422, who, title="Not possible", message="Choose JSON or CSV.",
                        issues=["format: use json or csv"])
        text = await run(subject_access.portability_export, ctx_of(request), who.principal, request_id, fmt)
        return _download(text, "text/csv" if fmt == "csv" else "application/json",
                         f"your-data-{request_id}.{fmt}")

    return await signed_in_page(request, render)

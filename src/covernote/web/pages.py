"""The portal's pages (issue 14, UX-2): sign-in and sign-out, the signed-in customer's policies, a policy and
its statement. Each page reads through the use cases the REST routers call (lifecycle/api.py,
ledger's statement) with the signed-in user's Principal: a customer only ever sees their own records, and
another customer's policy answers 404 like an unknown one. No rule of the business is made here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from covernote.billing.usecases import arrears
from covernote.billing.usecases import notices as payment_notices
from covernote.documents.domain import letterhead
from covernote.documents.usecases import documents
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import cancellations, policies
from covernote.lifecycle.usecases.cancellations import CancelInput
from covernote.platform.requests import field_path
from covernote.policy.schemas import CancellationIn
from covernote.web import common
from covernote.web.common import DOWNLOADS, documented
from covernote.web.session import (
    CSRF_FIELD,
    SIGN_IN_COOKIE,
    FormRefused,
    check_token,
    new_token,
    read_form,
    set_cookie,
)

PREFIX = "/portal"
HOME = f"{PREFIX}/policies"
SIGN_IN = f"{PREFIX}/sign-in"
POLICY_LIMIT = 100

router = APIRouter(prefix=PREFIX, include_in_schema=False)
_templates = common.templates
_STYLESHEET = (Path(__file__).parent / "static" / "portal.css").read_bytes()
ctx_of, run, to = common.ctx_of, common.run, common.to
_who = common.signed_in


def page(request: Request, template: str, status: int = 200, who: SignedIn | None = None,
          headers: dict[str, str] | None = None, **values: Any) -> HTMLResponse:
    html = _templates.get_template(template).render(
        who=who, csrf_field=CSRF_FIELD, csrf_token=who.csrf_token if who else "", prefix=PREFIX, **values)
    return HTMLResponse(html, status_code=status, headers=headers)


def _not_found(request: Request, who: SignedIn | None) -> HTMLResponse:
    return page(request, "error.html", 404, who, title="Page not found",
                 message="There is no such page, or it is not yours to see.")


def _refused(request: Request, who: SignedIn | None, why: str) -> HTMLResponse:
    return page(request, "error.html", 403, who, title="Form not accepted",
                 message=f"This form was not accepted: {why}. Go back, reload the page and try again.")


async def signed_in_page(request: Request, render: Callable[[SignedIn], Any]) -> Response:
    """A page for a signed-in user: the sign-in page for anyone else; 404 for what the use cases do not let
    the user see (NotFound, Forbidden) or do not have."""
    who = await _who(request)
    if who is None:
        return to(SIGN_IN)
    try:
        return await render(who)  # type: ignore[no-any-return]
    except (NotFound, Forbidden):
        return _not_found(request, who)
    except DomainError as e:  # a refusal a use case explains: shown, never a 500
        return page(request, "error.html", 409 if isinstance(e, Conflict) else 422, who, title="Not possible",
                     message=e.message[:1].upper() + e.message[1:] + ".",
                     issues=[f"{i.field}: {i.reason}" for i in e.issues])


@router.get("")
async def portal(request: Request) -> Response:
    return to(HOME if await _who(request) else SIGN_IN)


@router.get("/portal.css")
async def stylesheet() -> Response:
    return Response(_STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    if await _who(request) is not None:
        return to(HOME)
    signed_out = request.query_params.get("signed_out") == "1"
    return _sign_in_form(request, 200, message="You have signed out." if signed_out else None)


def _sign_in_form(request: Request, status: int, error: str | None = None, message: str | None = None,
                  login: str = "", headers: dict[str, str] | None = None) -> HTMLResponse:
    token = new_token()
    answer = page(request, "sign_in.html", status, None, headers, title="Sign in", error=error, message=message,
                  login=login, sign_in_token=token)
    set_cookie(request, answer, SIGN_IN_COOKIE, token)
    return answer


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    return await common.sign_in(request, HOME, _sign_in_form, _refused)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    return await common.sign_out(request, SIGN_IN, _refused)


@router.get("/policies")
async def my_policies(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        found = await run(policies.list_policies, ctx_of(request), who.principal, POLICY_LIMIT, 0)
        return page(request, "policies.html", 200, who, title="Your policies" if not who.principal.is_staff
                     else "Policies", policies=found, limit=POLICY_LIMIT)

    return await signed_in_page(request, render)


async def policy_page(request: Request, who: SignedIn, policy_id: str, status: int = 200,
                      **values: Any) -> Response:
    """The policy's page, with "payment overdue: pay now" and the card payment form while a returned direct debit
    is unpaid (PAY-2); `values`: the payment form's values, errors and message."""
    view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
    term = view.get("current_term") or {}
    versions = term.get("versions") or []
    # The documents already issued, listed inline; nothing is rendered here (docs/portal.md, "Documents").
    listing = await run(documents.issued_documents, ctx_of(request), who.principal, policy_id)
    payment = await run(payment_notices.policy_notices, ctx_of(request), who.principal, view["id"])  # PAY-3
    owing = await run(arrears.policy_arrears, ctx_of(request), who.principal, view["id"])  # PAY-2
    # REG-5: the product's FSCS statement, the same product data the policy documents print
    fscs = letterhead(ctx_of(request).catalogue.by_ref(term["product"]))["fscs"] if term.get("product") else None
    values = {"values": {}, "errors": {}, "problem": None, "paid": None,
              "idempotency_key": f"portal-{new_token()}"} | values
    return page(request, "policy.html", status, who, title=f"Policy {view['number']}", policy=view, term=term,
                latest=versions[-1] if versions else None, listing=listing, fscs=fscs, payment=payment,
                for_doc={d["id"]: documented(d) for d in listing["documents"]}, downloads=DOWNLOADS, arrears=owing,
                **values)


@router.get("/policies/{policy_id}")
async def policy(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        return await policy_page(request, who, policy_id)

    return await signed_in_page(request, render)


@router.get("/policies/{policy_id}/statement")
async def statement(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(ledger.policy_statement, ctx_of(request), who.principal, policy_id)
        return page(request, "statement.html", 200, who, title=f"Payments and statement: {view['number']}",
                     statement=view, policy_id=policy_id)

    return await signed_in_page(request, render)


# -- cancellation: quote, see the refund, then confirm (POL-5 through the REST routes' use cases) -------------


def _cancel_form(request: Request, who: SignedIn, view: Any, status: int = 200, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, problem: str | None = None) -> HTMLResponse:
    return page(request, "cancel.html", status, who, title=f"Cancel policy {view['number']}", policy=view,
                 values=values or {"effective_date": ctx_of(request).today().isoformat(), "reason": ""},
                 errors=errors or {}, problem=problem)


@router.get("/policies/{policy_id}/cancel")
async def cancel_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return _cancel_form(request, who, view)

    return await signed_in_page(request, render)


def field_errors(e: ValidationError) -> dict[str, str]:
    return {field_path(tuple(x.get("loc", ()))) or "form": str(x.get("msg", "invalid")).removeprefix("Value error, ")
            for x in e.errors()}


@router.post("/policies/{policy_id}/cancel")
async def quote_cancellation(request: Request, policy_id: str) -> Response:
    """The cancellation's terms, quoted and kept by the use case: the refund and its explanation, shown before
    anything is cancelled, with the form that confirms it."""
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        values = {"effective_date": form.get("effective_date", ""), "reason": form.get("reason", "")}
        try:  # the REST request's own model: the same rules for a date and a text as the API
            body = CancellationIn.model_validate(values)
        except ValidationError as e:
            return _cancel_form(request, who, view, 422, values, field_errors(e))
        try:
            quote = await run(cancellations.quote_cancellation, ctx_of(request), who.principal, policy_id,
                               CancelInput(body.effective_date, body.reason, "customer", None))
        except ValidationFailed as e:
            return _cancel_form(request, who, view, 422, values, {i.field: i.reason for i in e.issues}, e.message)
        # The confirmation carries its own idempotency key: a form posted twice cancels once.
        return page(request, "cancel_quote.html", 200, who, title=f"Your refund if you cancel {view['number']}",
                     policy=view, quote=quote, idempotency_key=f"portal-{new_token()}")

    return await form_page(request, render)


@router.post("/policies/{policy_id}/cancellations/{quote_id}/confirm")
async def confirm_cancellation(request: Request, policy_id: str, quote_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        done = await run(cancellations.confirm_cancellation, ctx_of(request), who.principal, policy_id, quote_id,
                          form.get("idempotency_key"))
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return page(request, "cancelled.html", 200, who, title=f"Policy {view['number']} cancelled", policy=view,
                     done=done)

    return await form_page(request, render)


async def form_page(request: Request, render: Callable[[SignedIn], Any]) -> Response:
    """A signed-in page answering a form post: refused (403, nothing done) without the session's CSRF token."""
    async def guarded(who: SignedIn) -> Response:
        try:
            return await render(who)  # type: ignore[no-any-return]
        except FormRefused as e:
            return _refused(request, who, str(e))

    return await signed_in_page(request, guarded)


async def unknown(request: Request, rest: str) -> Response:
    """Any other address under /portal: the portal's own 404 page."""
    return _not_found(request, await _who(request))

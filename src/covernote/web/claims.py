"""The portal's claim pages (issue 14, UX-2; CLM-1, CLM-3): notify a claim on one of your policies (first
notification of loss) and follow it: its status, its history, the documents asked for, the correspondence and
what was paid.

The form is judged by the REST request's own model (`NotificationIn`) and recorded by the use case the REST
route calls (`claims.notify`) with the signed-in user's Principal, with an idempotency key made with the form
so a form posted twice notifies once; every rule (a crime reference for theft, cover on the day of the loss)
is the use case's. Another customer's claim answers 404 like an unknown one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from covernote.claims import usecases as claims
from covernote.claims.api import NotificationIn
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import ValidationFailed
from covernote.lifecycle.usecases import policies
from covernote.products.domain.claim_types import CLAIM_TYPES
from covernote.web.pages import PREFIX, ctx_of, field_errors, form_page, page, run, signed_in_page, to
from covernote.web.session import check_token, new_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)

CLAIM_LIMIT = 100
TEXTS = ("claim_type", "occurred_at", "location", "loss_description", "circumstances", "injury_details",
         "crime_reference", "police_incident_number")
_YES_NO = {"yes": True, "no": False}


def notification_body(form: dict[str, str]) -> dict[str, Any]:
    """The REST request the form stands for: fields left empty are left out (the use case names those it
    needs); yes and no as true and false, anything else as sent, for the model to name."""
    body: dict[str, Any] = {k: v for k in TEXTS if (v := form.get(k, "").strip())}
    injured = form.get("anyone_injured", "")
    if injured:
        body["anyone_injured"] = _YES_NO.get(injured, injured)
    body["total_loss"] = form.get("total_loss") == "yes"
    return body


def _form(request: Request, who: SignedIn, view: Any, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, problem: str | None = None) -> Response:
    return page(request, "claim_new.html", status, who, title=f"Notify a claim on {view['number']}", policy=view,
                claim_types=CLAIM_TYPES, values=values or {}, errors=errors or {}, problem=problem,
                idempotency_key=(values or {}).get("idempotency_key") or f"portal-{new_token()}")


@router.get("/claims")
async def my_claims(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        found = await run(claims.list_claims, ctx_of(request), who.principal, None, None, CLAIM_LIMIT, 0)
        return page(request, "claims.html", 200, who, title="Your claims" if not who.principal.is_staff
                    else "Claims", claims=found, claim_types=CLAIM_TYPES, limit=CLAIM_LIMIT)

    return await signed_in_page(request, render)


@router.get("/policies/{policy_id}/claim")
async def claim_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return _form(request, who, view)

    return await signed_in_page(request, render)


@router.post("/policies/{policy_id}/claim")
async def notify(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        try:  # the REST request's own model
            body = NotificationIn.model_validate(notification_body(form))
        except ValidationError as e:
            return _form(request, who, view, 422, form, field_errors(e))
        try:
            claim = await run(claims.notify, ctx_of(request), who.principal, policy_id, body.to_domain(),
                              form.get("idempotency_key") or None)
        except ValidationFailed as e:
            return _form(request, who, view, 422, form, {i.field: i.reason for i in e.issues}, e.message)
        return to(f"{PREFIX}/claims/{claim['id']}")

    return await form_page(request, render)


@router.get("/claims/{claim_id}")
async def claim(request: Request, claim_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(claims.get_claim, ctx_of(request), who.principal, claim_id)
        return page(request, "claim.html", 200, who, title=f"Claim {view['id']}", claim=view)

    return await signed_in_page(request, render)

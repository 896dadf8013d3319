"""The staff back office's actions (issue 14 part 3, UX-2): a complaint's letters (acknowledgement, progress
update, final response), a claim's status, a mid-term adjustment and a cancellation each quoted then
confirmed, and an erasure planned then applied. Each is a form posted with the session's CSRF token, judged
by the REST request's own model for its shape and then by the use case the REST route calls, with the
signed-in staff member's Principal, so the roles are the use cases' own. A refusal naming fields is shown
beside them on the form (422); the money or the plan is shown before anything is confirmed, and a
confirmation carries an idempotency key made with the page, so a double post acts once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from covernote.claims import usecases as claims
from covernote.claims.api import StatusIn
from covernote.claims.domain import CLOSE_REASONS
from covernote.complaints.api import FinalIn, ProgressIn
from covernote.complaints.usecases import complaints
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.kernel.money import Money
from covernote.lifecycle.usecases import adjustments, cancellations, policies
from covernote.lifecycle.usecases.adjustments import AdjustmentRequest
from covernote.lifecycle.usecases.cancellations import CancelInput
from covernote.platform.requests import field_path
from covernote.policy.schemas import AdjustmentIn, CancellationIn
from covernote.policy.usecases import customers
from covernote.privacy.usecases import erasure, requests
from covernote.products import usecases as products
from covernote.web.backoffice import PREFIX, ctx_of, form_of, page, run, staff_page, to
from covernote.web.session import new_token

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def field_errors(e: ValidationError) -> dict[str, str]:
    """A request model's refusals by field, as the REST API's problem document names them."""
    return {field_path(tuple(x.get("loc", ()))) or "form": str(x.get("msg", "invalid")).removeprefix("Value error, ")
            for x in e.errors()}


def issue_errors(e: ValidationFailed) -> dict[str, str]:
    return {i.field: i.reason for i in e.issues} or {"form": e.message}


def _given(form: dict[str, str], *names: str) -> dict[str, str | None]:
    """The form's fields as a request body: an empty field is a field not given (None)."""
    return {n: (form.get(n) or "").strip() or None for n in names}


def _judge(model: type[BaseModel], values: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None}), {}
    except ValidationError as e:
        return None, field_errors(e)


# -- complaints: acknowledge, progress update, final response (CMP-2, CMP-3) -----------------------------------


async def _complaint_page(request: Request, who: SignedIn, complaint_id: str, status: int = 200,
                          errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                          form: str | None = None, done: str | None = None) -> HTMLResponse:
    view = await run(complaints.get, ctx_of(request), who.principal, complaint_id)
    return page(request, "complaint.html", status, who, title=f"Complaint {view['id']}", complaint=view,
                codes=complaints.codes(), errors=errors or {}, values=values or {}, form=form, done=done)


@router.get("/complaints/{complaint_id}")
async def complaint(request: Request, complaint_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        return await _complaint_page(request, who, complaint_id, done=request.query_params.get("done"))

    return await staff_page(request, render)


@router.post("/complaints/{complaint_id}/acknowledge")
async def acknowledge(request: Request, complaint_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        await form_of(request, who)
        await run(complaints.acknowledge, ctx_of(request), who.principal, complaint_id)
        return to(f"{PREFIX}/complaints/{complaint_id}?done=acknowledgement")

    return await staff_page(request, render)


@router.post("/complaints/{complaint_id}/progress")
async def progress(request: Request, complaint_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        values: dict[str, Any] = {**_given(form, "note"), "send_letter": form.get("send_letter") == "yes"}
        body, errors = _judge(ProgressIn, values)
        if errors:
            return await _complaint_page(request, who, complaint_id, 422, errors, values, "progress")
        try:
            await run(complaints.progress, ctx_of(request), who.principal, complaint_id, body.note, body.send_letter)
        except ValidationFailed as e:
            return await _complaint_page(request, who, complaint_id, 422, issue_errors(e), values, "progress")
        return to(f"{PREFIX}/complaints/{complaint_id}?done=progress")

    return await staff_page(request, render)


@router.post("/complaints/{complaint_id}/final-response")
async def final_response(request: Request, complaint_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        values = _given(form, "outcome", "explanation", "root_cause", "root_cause_note", "redress")
        body, errors = _judge(FinalIn, values)
        if errors:
            return await _complaint_page(request, who, complaint_id, 422, errors, values, "final")
        try:
            await run(complaints.final_response, ctx_of(request), who.principal, complaint_id, body.outcome,
                      body.explanation, body.root_cause, body.redress, body.root_cause_note)
        except ValidationFailed as e:
            return await _complaint_page(request, who, complaint_id, 422, issue_errors(e), values, "final")
        return to(f"{PREFIX}/complaints/{complaint_id}?done=final_response")

    return await staff_page(request, render)


@router.get("/complaints/{complaint_id}/letters/{letter_id}")
async def complaint_letter(request: Request, complaint_id: str, letter_id: str) -> Response:
    """A letter as it was sent, in its text form (the REST API gives it as HTML too)."""
    async def render(who: SignedIn) -> Response:
        found = await run(complaints.letter, ctx_of(request), who.principal, complaint_id, letter_id)
        view = complaints.letter_view(found)
        return page(request, "letter.html", 200, who, title=view["title"], letter=view, body=found.body,
                    complaint_id=complaint_id)

    return await staff_page(request, render)


# -- claims: the status (CLM-2) -----------------------------------------------------------------------------


async def _claim_page(request: Request, who: SignedIn, claim_id: str, status: int = 200,
                      errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                      done: str | None = None) -> HTMLResponse:
    view = await run(claims.get_claim, ctx_of(request), who.principal, claim_id)
    return page(request, "claim.html", status, who, title=f"Claim {view['id']}", claim=view, errors=errors or {},
                values=values or {}, close_reasons=CLOSE_REASONS, done=done)


@router.get("/claims/{claim_id}")
async def claim(request: Request, claim_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        return await _claim_page(request, who, claim_id, done=request.query_params.get("done"))

    return await staff_page(request, render)


@router.post("/claims/{claim_id}/status")
async def claim_status(request: Request, claim_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        values: dict[str, Any] = _given(form, "status", "amount", "reason", "note", "expected_version")
        body, errors = _judge(StatusIn, {**values, "expected_version": _whole(values["expected_version"])})
        if errors:
            return await _claim_page(request, who, claim_id, 422, errors, values)
        try:
            await run(claims.change_status, ctx_of(request), who.principal, claim_id, body.status, note=body.note,
                      amount=Money.of(body.amount) if body.amount is not None else None, reason=body.reason,
                      expected_version=body.expected_version)
        except ValidationFailed as e:
            return await _claim_page(request, who, claim_id, 422, issue_errors(e), values)
        return to(f"{PREFIX}/claims/{claim_id}?done=status")

    return await staff_page(request, render)


def _whole(text: str | None) -> int | str | None:
    """A hidden version field as the whole number the request model takes (anything else as sent, refused)."""
    return int(text) if text is not None and text.isdigit() and len(text) < 10 else text


# -- cancellations: quote, see the refund, confirm (POL-5) --------------------------------------------------------


async def _cancel_form(request: Request, who: SignedIn, policy_id: str, status: int = 200,
                       values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                       problem: str | None = None) -> HTMLResponse:
    view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
    today = ctx_of(request).today().isoformat()
    return page(request, "cancel.html", status, who, title=f"Cancel policy {view['number']}", policy=view,
                values=values or {"effective_date": today, "reason": "", "by": "customer", "requested_on": today},
                errors=errors or {}, problem=problem)


@router.get("/policies/{policy_id}/cancel")
async def cancel_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        return await _cancel_form(request, who, policy_id)

    return await staff_page(request, render)


@router.post("/policies/{policy_id}/cancel")
async def quote_cancellation(request: Request, policy_id: str) -> Response:
    """The cancellation's terms, quoted and kept by the use case, shown with the form that confirms them."""
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        values = _given(form, "effective_date", "reason", "by", "requested_on")
        body, errors = _judge(CancellationIn, values)
        if errors:
            return await _cancel_form(request, who, policy_id, 422, values, errors)
        try:
            quote = await run(cancellations.quote_cancellation, ctx_of(request), who.principal, policy_id,
                              CancelInput(body.effective_date, body.reason, body.by, body.requested_on))
        except ValidationFailed as e:
            return await _cancel_form(request, who, policy_id, 422, values, issue_errors(e), e.message)
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return page(request, "cancel_quote.html", 200, who, title=f"Cancellation quote: {view['number']}",
                    policy=view, quote=quote, idempotency_key=f"backoffice-{new_token()}")

    return await staff_page(request, render)


@router.post("/policies/{policy_id}/cancellations/{quote_id}/confirm")
async def confirm_cancellation(request: Request, policy_id: str, quote_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        done = await run(cancellations.confirm_cancellation, ctx_of(request), who.principal, policy_id, quote_id,
                         form.get("idempotency_key"))
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return page(request, "cancelled.html", 200, who, title=f"Policy {view['number']} cancelled", policy=view,
                    done=done)

    return await staff_page(request, render)


# -- mid-term adjustments: quote, see the price, confirm (POL-2) ------------------------------------------------

_ADJUSTMENT_FIELDS = ("effective_date", "until", "reason", "postcode", "question", "answer")


def _adjustment_body(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The REST request's body from the form: a change of postcode and a new answer to one of the product's
    questions, each given or not; with the form field each change came from, to name it on a refusal."""
    changes: list[dict[str, Any]] = []
    made_by: list[str] = []
    if values.get("postcode"):
        changes.append({"op": "set_postcode", "postcode": values["postcode"]})
        made_by.append("postcode")
    if values.get("question") or values.get("answer"):
        answer = values.get("answer")
        changes.append({"op": "set_answer", "question": values.get("question"),
                        "value": int(answer) if answer and answer.isdigit() and len(answer) < 10 else answer})
        made_by.append("answer")
    body = {"effective_date": values.get("effective_date"), "until": values.get("until"),
            "reason": values.get("reason") or "", "changes": changes}
    return body, made_by


def _form_field(field: str, made_by: list[str]) -> str:
    """A refused field as the form names it: `changes[1].value` or `changes.postcode` -> the form field that
    made that change; `changes` (none given) -> the first change's field; others as they are."""
    _, dot, leaf = field.partition(".")
    if field.startswith("changes") and leaf in ("question", "postcode"):
        return leaf
    for i, name in enumerate(made_by):
        if field == f"changes[{i}]" or field.startswith(f"changes[{i}]."):
            return name
    if field.startswith("changes") and (leaf == "value" or not dot):
        return "answer" if leaf == "value" else "postcode"
    return field


async def _adjust_form(request: Request, who: SignedIn, policy_id: str, status: int = 200,
                       values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                       problem: str | None = None) -> HTMLResponse:
    view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
    product = await run(products.get_product, ctx_of(request), view["product_code"])
    return page(request, "adjust.html", status, who, title=f"Change policy {view['number']}", policy=view,
                questions=product["questions"], errors=errors or {}, problem=problem,
                values=values or {"effective_date": ctx_of(request).today().isoformat()})


@router.get("/policies/{policy_id}/adjust")
async def adjust_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        return await _adjust_form(request, who, policy_id)

    return await staff_page(request, render)


@router.post("/policies/{policy_id}/adjust")
async def quote_adjustment(request: Request, policy_id: str) -> Response:
    """The adjustment priced and kept by the use case (additional or return premium, IPT, fees, explained),
    shown with the form that confirms it."""
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        values = _given(form, *_ADJUSTMENT_FIELDS)
        raw, made_by = _adjustment_body(values)
        body, errors = _judge(AdjustmentIn, raw)
        if errors:
            return await _adjust_form(request, who, policy_id, 422, values,
                                      {_form_field(k, made_by): v for k, v in errors.items()})
        wanted = AdjustmentRequest(body.effective_date, tuple(c.to_domain() for c in body.changes), body.until,
                                   body.smartbox, body.reason)
        try:
            quote = await run(adjustments.quote_adjustment, ctx_of(request), who.principal, policy_id, wanted)
        except ValidationFailed as e:
            return await _adjust_form(request, who, policy_id, 422, values,
                                      {_form_field(i.field, made_by): i.reason for i in e.issues}, e.message)
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return page(request, "adjust_quote.html", 200, who, title=f"Adjustment quote: {view['number']}",
                    policy=view, quote=quote, idempotency_key=f"backoffice-{new_token()}")

    return await staff_page(request, render)


@router.post("/policies/{policy_id}/adjustments/{quote_id}/confirm")
async def confirm_adjustment(request: Request, policy_id: str, quote_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        done = await run(adjustments.confirm_adjustment, ctx_of(request), who.principal, policy_id, quote_id,
                         form.get("idempotency_key"))
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return page(request, "adjusted.html", 200, who, title=f"Policy {view['number']} changed", policy=view,
                    done=done)

    return await staff_page(request, render)


# -- data subject requests: a case, and an erasure planned then applied (PRV-3, PRV-4) ----------------------------


@router.get("/requests/{request_id}")
async def subject_request(request: Request, request_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(requests.get, ctx_of(request), who.principal, request_id)
        person = await run(customers.get_customer, ctx_of(request), who.principal, view["customer_id"])
        return page(request, "request.html", 200, who, title=f"Request {view['id']}", case=view, person=person)

    return await staff_page(request, render)


@router.post("/requests/{request_id}/erasure-plan")
async def erasure_plan(request: Request, request_id: str) -> Response:
    """The dry run: what erasure would erase and keep, and why; nothing is erased until it is applied."""
    async def render(who: SignedIn) -> Response:
        await form_of(request, who)
        plan = await run(erasure.plan, ctx_of(request), who.principal, request_id)
        return page(request, "erasure_plan.html", 200, who, title=f"Erasure plan: request {request_id}", plan=plan,
                    request_id=request_id)

    return await staff_page(request, render)


@router.post("/requests/{request_id}/erasure")
async def apply_erasure(request: Request, request_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        fingerprint = form.get("fingerprint", "")
        if not fingerprint or len(fingerprint) > 64:
            raise ValidationFailed("the plan to apply is not named",
                                   [FieldIssue("fingerprint", "the fingerprint of the plan shown")])
        done = await run(erasure.apply, ctx_of(request), who.principal, request_id, fingerprint)
        return page(request, "erased.html", 200, who, title=f"Erasure applied: request {request_id}", done=done,
                    request_id=request_id)

    return await staff_page(request, render)

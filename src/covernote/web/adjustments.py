"""The portal's mid-term adjustment pages (issue 14, UX-2; POL-2): a new address, a new car, a driver added or
taken off; the price and its explanation, quoted and kept by the use case, shown before anything changes; then
the confirmation, which carries an idempotency key made with the quote so a form posted twice changes once.

The form is judged by the REST request's own model (`AdjustmentIn`) and priced by the use cases the REST
routes call (`adjustments.quote_adjustment`, `confirm_adjustment`), with the signed-in user's Principal: every
rule (no back-dating online, the term's dates, the product's rules on the changed risk) is theirs."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import PaymentRequired, ValidationFailed
from covernote.lifecycle.usecases import adjustments, policies
from covernote.lifecycle.usecases.adjustments import AdjustmentRequest
from covernote.policy.schemas import AdjustmentIn
from covernote.web.pages import PREFIX, ctx_of, field_errors, form_page, page, run, signed_in_page
from covernote.web.quotes import VEHICLE, WHOLE_NUMBERS, number_or_text
from covernote.web.session import check_token, new_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)

DRIVER = ("name", "date_of_birth", "licence_held_since")
# The form's sections, each one change of the REST request when any of its fields is filled in.
SECTIONS = ("address", "vehicle", "driver", "remove")


def adjustment_body(form: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The REST request the form stands for, and the form section each of its changes came from (so a field
    the model or the rules name, `changes[1].vehicle.year`, is shown on the form's `vehicle.year`)."""
    changes: list[dict[str, Any]] = []
    sources: list[str] = []
    if postcode := form.get("address.postcode", "").strip():
        changes.append({"op": "set_postcode", "postcode": postcode})
        sources.append("address")
    vehicle = {k: number_or_text(v) if k in WHOLE_NUMBERS else v
               for k in VEHICLE if (v := form.get(f"vehicle.{k}", "").strip())}
    if vehicle:
        changes.append({"op": "replace_vehicle", "vehicle": vehicle})
        sources.append("vehicle")
    driver: dict[str, Any] = {k: v for k in DRIVER if (v := form.get(f"driver.{k}", "").strip())}
    if driver:
        changes.append({"op": "add_driver", "driver": {**driver, "relationship": form.get("driver.relationship")
                                                        or "other"}})
        sources.append("driver")
    if remove := form.get("remove.driver_id", "").strip():
        changes.append({"op": "remove_driver", "driver_id": remove})
        sources.append("remove")
    body: dict[str, Any] = {"effective_date": form.get("effective_date", ""), "changes": changes,
                            "reason": form.get("reason", "")}
    if smartbox := form.get("smartbox", "").strip():
        body["smartbox"] = smartbox
    return body, sources


_CHANGE_FIELD = re.compile(r"^changes(?:\[(\d+)\])?\.?(.*)$")
_RISK_FIELD = re.compile(r"^changes\.(vehicle\.|postcode$|drivers\[\d+\]\.|drivers$)(.*)$")


def form_field(field: str, sources: list[str]) -> str:
    """A field the model (`changes[1].vehicle.year`) or the product's rules on the changed risk
    (`changes.vehicle.year`, `changes.drivers[2].date_of_birth`) name, as the form names it."""
    risk = _RISK_FIELD.match(field)
    if risk:
        part, rest = risk.groups()
        if part == "vehicle." and "vehicle" in sources:
            return f"vehicle.{rest}"
        if part == "postcode" and "address" in sources:
            return "address.postcode"
        if part.startswith("drivers[") and "driver" in sources:  # the driver added is the one the rules judge anew
            return f"driver.{rest}"
        if part == "drivers" and "remove" in sources:
            return "remove.driver_id"
        return field
    m = _CHANGE_FIELD.match(field)
    if not m or m.group(1) is None or int(m.group(1)) >= len(sources):
        return field
    section, rest = sources[int(m.group(1))], m.group(2)
    if section == "address":
        return "address.postcode"
    if section == "remove":
        return "remove.driver_id"
    rest = rest.removeprefix("vehicle.").removeprefix("driver.")
    return f"{section}.{rest}" if rest else section


def _drivers(view: Any) -> list[dict[str, Any]]:
    versions = (view.get("current_term") or {}).get("versions") or []
    return list((versions[-1]["risk"].get("drivers") or []) if versions else [])


def _form(request: Request, who: SignedIn, view: Any, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, problem: str | None = None) -> Response:
    defaults = {"effective_date": ctx_of(request).today().isoformat()}
    return page(request, "adjust.html", status, who, title=f"Change policy {view['number']}", policy=view,
                drivers=_drivers(view), values=defaults | (values or {}), errors=errors or {}, problem=problem)


@router.get("/policies/{policy_id}/adjust")
async def adjust_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return _form(request, who, view)

    return await signed_in_page(request, render)


@router.post("/policies/{policy_id}/adjust")
async def quote_adjustment(request: Request, policy_id: str) -> Response:
    """The adjustment's price, quoted and kept by the use case, shown with its explanation and the form that
    confirms it; nothing changes before that."""
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        body, sources = adjustment_body(form)
        try:  # the REST request's own model: the same rules for dates, texts, cars and drivers as the API
            model = AdjustmentIn.model_validate(body)
        except ValidationError as e:
            return _form(request, who, view, 422, form,
                         {form_field(k, sources): v for k, v in field_errors(e).items()})
        req = AdjustmentRequest(model.effective_date, tuple(c.to_domain() for c in model.changes), model.until,
                                model.smartbox, model.reason, (), ())
        try:
            quote = await run(adjustments.quote_adjustment, ctx_of(request), who.principal, policy_id, req)
        except ValidationFailed as e:
            return _form(request, who, view, 422, form, {form_field(i.field, sources): i.reason for i in e.issues},
                         e.message)
        return page(request, "adjust_quote.html", 200, who, title=f"The price of your change to {view['number']}",
                    policy=view, quote=quote, idempotency_key=f"portal-{new_token()}")

    return await form_page(request, render)


@router.post("/policies/{policy_id}/adjustments/{quote_id}/confirm")
async def confirm_adjustment(request: Request, policy_id: str, quote_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        try:
            done = await run(adjustments.confirm_adjustment, ctx_of(request), who.principal, policy_id, quote_id,
                             form.get("idempotency_key"))
        except PaymentRequired as e:  # the additional premium's payment was declined: nothing changed
            return page(request, "error.html", 402, who, title="Payment declined",
                        message=e.message[:1].upper() + e.message[1:] + ". Your policy has not been changed.",
                        issues=[f"{i.field}: {i.reason}" for i in e.issues])
        view = await run(policies.get_policy, ctx_of(request), who.principal, policy_id)
        return page(request, "adjusted.html", 200, who, title=f"Policy {view['number']} is changed", policy=view,
                    done=done)

    return await form_page(request, render)

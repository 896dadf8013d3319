"""The portal's quote and buy pages (issue 14, UX-2): choose a product, describe the car and the driver,
see the price, and buy it. The form is judged by the REST request's own model (`QuoteIn`, `PaymentIn`) and
the quote is made and bound by the use cases the REST routes call, so every rule is theirs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from covernote.billing.usecases.settle import FinanceRefused, monthly_choice
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import PaymentRequired, ValidationFailed
from covernote.lifecycle.usecases import quotes
from covernote.policy.schemas import PaymentIn, QuoteIn
from covernote.products import usecases as products
from covernote.products.results import ProductView
from covernote.web.pages import PREFIX, ctx_of, field_errors, form_page, page, run, signed_in_page, to
from covernote.web.session import check_token, new_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)

VEHICLE = ("registration", "make", "model", "year", "value", "abi_group", "fuel", "co2_gkm")
WHOLE_NUMBERS = frozenset({"year", "abi_group", "co2_gkm"})
DRIVER = ("name", "date_of_birth", "licence_held_since")
_INTEGER = re.compile(r"^-?[0-9]{1,9}$")


def number_or_text(value: str) -> int | str:
    """A whole number typed as one is sent as one; anything else as typed, for the model to name."""
    return int(value) if _INTEGER.match(value) else value


def quote_body(form: dict[str, str], product: ProductView) -> dict[str, Any]:
    """The REST request a quote form stands for (fields left empty are left out)."""
    vehicle = {k: number_or_text(v) if k in WHOLE_NUMBERS else v
               for k in VEHICLE if (v := form.get(f"risk.vehicle.{k}", "").strip())}
    driver: dict[str, Any] = {k: form.get(f"risk.drivers[0].{k}", "") for k in DRIVER}
    driver["relationship"] = "proposer"
    answers = {q["name"]: number_or_text(v) if q["kind"] == "integer" else v
               for q in product["questions"] if (v := form.get(f"risk.answers.{q['name']}", "").strip())}
    return {"product_code": product["code"], "start_date": form.get("start_date", ""),
            "risk": {"vehicle": vehicle, "drivers": [driver], "postcode": form.get("risk.postcode", ""),
                     "answers": answers}}


def _form(request: Request, who: SignedIn, on_sale: list[ProductView], product: ProductView | None,
          status: int = 200, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          problem: str | None = None) -> Response:
    defaults = {"start_date": ctx_of(request).today().isoformat()}
    if product is not None:
        defaults |= {f"risk.answers.{q['name']}": q["default"] or "" for q in product["questions"]}
    return page(request, "quote.html", status, who, title="Get a quote", products=on_sale, product=product,
                values=defaults | (values or {}), errors=errors or {}, problem=problem)


@router.get("/quote")
async def quote_page(request: Request) -> Response:
    """Without `?product=`: the products on sale to choose from; with it, that product's form."""
    async def render(who: SignedIn) -> Response:
        on_sale: list[ProductView] = await run(products.list_products, ctx_of(request), None)
        code = request.query_params.get("product", "")
        product = next((p for p in on_sale if p["code"] == code), None)
        return _form(request, who, on_sale, product, 200 if product or not code else 404)

    return await signed_in_page(request, render)


@router.post("/quote")
async def make_quote(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        on_sale: list[ProductView] = await run(products.list_products, ctx_of(request), None)
        product = next((p for p in on_sale if p["code"] == form.get("product_code")), None)
        if product is None:
            return _form(request, who, on_sale, None, 422, errors={"product_code": "choose a product on sale"})
        try:
            body = QuoteIn.model_validate(quote_body(form, product))
        except ValidationError as e:
            return _form(request, who, on_sale, product, 422, form, field_errors(e))
        try:
            quote = await run(quotes.create_quote, ctx_of(request), who.principal, quotes.QuoteRequest(
                body.product_code, body.start_date, body.risk.to_domain(), None, None, ()))
        except ValidationFailed as e:
            return _form(request, who, on_sale, product, 422, form, {i.field: i.reason for i in e.issues}, e.message)
        return to(f"{PREFIX}/quotes/{quote['id']}")

    return await form_page(request, render)


@router.get("/quotes/{quote_id}")
async def quote(request: Request, quote_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        return await _quote(request, who, quote_id)

    return await signed_in_page(request, render)


async def _quote(request: Request, who: SignedIn, quote_id: str, status: int = 200,
                 form: Mapping[str, str] | None = None, errors: dict[str, str] | None = None,
                 problem: str | None = None) -> Response:
    view = await run(quotes.get_quote, ctx_of(request), who.principal, quote_id)
    # What was typed comes back on an error, except the account number (typed again, never echoed).
    values = {k: v for k, v in (form or {}).items() if k in ("payment_token", "plan", "monthly.collection_day",
                                                             "monthly.bank.account_holder", "monthly.bank.sort_code")}
    # The purchase carries an idempotency key made with the page: a form posted twice buys once.
    return page(request, "quote_view.html", status, who, title="Your quote", quote=view, values=values,
                errors=errors or {}, problem=problem, idempotency_key=f"portal-{new_token()}")


BANK_FIELDS = ("account_holder", "sort_code", "account_number")


@router.post("/quotes/{quote_id}/buy")
async def buy(request: Request, quote_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        token = form.get("payment_token", "").strip()
        try:
            payment = PaymentIn.model_validate({"token": token})
        except ValidationError as e:
            return await _quote(request, who, quote_id, 422, form,
                                {"payment_token": "; ".join(field_errors(e).values())})
        monthly = None
        if form.get("plan") == "monthly":  # PAY-1: the deposit from the card, the rest by direct debit
            day = form.get("monthly.collection_day", "").strip()
            try:
                monthly = monthly_choice({k: form.get(f"monthly.bank.{k}", "") for k in BANK_FIELDS},
                                         int(day) if day.isdigit() else 0)
            except ValidationFailed as e:
                return await _quote(request, who, quote_id, 422, form, {i.field: i.reason for i in e.issues}, e.message)
        try:
            policy = await run(lambda: quotes.bind_quote(ctx_of(request), who.principal, quote_id,
                                                         payment_token=payment.token,
                                                         idempotency_key=form.get("idempotency_key"),
                                                         monthly=monthly))
        except (ValidationFailed, PaymentRequired) as e:  # a token the provider refuses; a card declined
            return await _quote(request, who, quote_id, 422 if isinstance(e, ValidationFailed) else 402, form,
                                {"payment_token": "; ".join(i.reason for i in e.issues) or e.message}, e.message)
        except FinanceRefused as e:  # PAY-1: referred or declined: nothing bought; paying annually is still open
            return await _quote(request, who, quote_id, 409, form, {"plan": e.issues[0].reason}, e.message)
        return to(f"{PREFIX}/policies/{policy['id']}")

    return await form_page(request, render)

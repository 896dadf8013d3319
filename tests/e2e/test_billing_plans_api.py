"""Payment plans and premium finance through REST and the command line, on SQLite and PostgreSQL (PAY-1,
PAY-7): GET /policies/{id}/payment-plan shows an annual-card policy, POST moves it to monthly payment and
answers the agreement (credit, interest, total payable, APR, commission) with its instalments and documents;
a replay answers the same; declined and referred applicants; bad input names the field; a customer sees only
their own; `covernote billing plan show|open` do the same from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.platform.context import AppContext
from tests.e2e.conftest import Api, field_names, quote_body
from tests.support import new_customer

BANK = {"account_holder": "Carol Customer", "sort_code": "12-34-56", "account_number": "87654321"}


@pytest.fixture
def api(db_ctx: AppContext) -> Iterator[Api]:
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        yield Api(client, db_ctx)


def _policy(api: Api, key: str, customer_id: str | None = None) -> dict[str, Any]:
    q = api.post("/quotes", quote_body(customer_id or api.customer_id))
    assert q.status_code == 201, q.text
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert p.status_code == 201, p.text
    return dict(p.json())


def test_pay1_move_a_policy_to_monthly_and_read_the_agreement(api: Api) -> None:
    """PAY-1, PAY-7: 201 with the plan active, the agreement's figures consistent to the penny, ten-or-so
    instalments on the chosen day, the card refunded the credit; GET answers the same plan; a replay with the
    same key answers the same with idempotent_replay; the customer reads their own plan."""
    policy = _policy(api, "plan-api-bind-1")
    before = api.get(f"/policies/{policy['id']}/payment-plan")
    assert before.status_code == 200 and before.json()["kind"] == "annual_card"
    r = api.post(f"/policies/{policy['id']}/payment-plan", {"bank": BANK, "collection_day": 12}, key="plan-api-1")
    assert r.status_code == 201, r.text
    out = r.json()
    plan, a = out["plan"], out["plan"]["agreement"]
    assert plan["status"] == "active" and plan["kind"] == "monthly_direct_debit" and plan["account_ending"] == "4321"
    assert Decimal(a["deposit"]) + Decimal(a["credit"]) == Decimal(a["cash_price"]) == Decimal(policy["payment"]["amount"])
    assert Decimal(a["total_payable"]) == Decimal(a["cash_price"]) + Decimal(a["interest"])
    assert sum(Decimal(i["amount"]) for i in plan["instalments"]) == Decimal(a["credit"]) + Decimal(a["interest"])
    assert len(plan["instalments"]) == a["instalment_count"] == 11  # the eco product's terms
    assert all(i["due_on"].endswith("-12") for i in plan["instalments"])
    assert Decimal(a["apr_percent"]) > 0 and a["commission_percent"] == "3.5"
    assert out["payment"]["kind"] == "refund" and out["payment"]["amount"] == a["credit"]
    assert a["pre_contract_document_id"] and a["agreement_document_id"]
    docs = api.get(f"/documents/{a['agreement_document_id']}")
    assert docs.status_code == 200, docs.text
    again = api.post(f"/policies/{policy['id']}/payment-plan", {"bank": BANK, "collection_day": 12}, key="plan-api-1")
    assert again.status_code == 201 and again.json()["idempotent_replay"] is True
    assert again.json()["plan"]["plan_id"] == plan["plan_id"]
    shown = api.get(f"/policies/{policy['id']}/payment-plan", token=api.customer)
    assert shown.status_code == 200 and shown.json()["plan_id"] == plan["plan_id"]
    assert "87654321" not in shown.text and "12-34-56" not in shown.text and "123456" not in shown.text
    conflict = api.post(f"/policies/{policy['id']}/payment-plan", {"bank": BANK, "collection_day": 12}, key="plan-api-2")
    assert conflict.status_code == 409, conflict.text


def test_pay1_declined_and_referred_applicants(api: Api) -> None:
    """PAY-1: the provider's decision is the plan's status; a referred one is followed up by staff (409 while
    there is nothing to follow up)."""
    declined = _policy(api, "plan-api-bind-2", new_customer(api.ctx, "Dan Declined"))
    r = api.post(f"/policies/{declined['id']}/payment-plan", {"bank": BANK, "collection_day": 3}, key="plan-api-3")
    assert r.status_code == 201 and r.json()["plan"]["status"] == "declined"
    assert r.json()["plan"]["agreement"]["decision_reason"]
    referred = _policy(api, "plan-api-bind-3", new_customer(api.ctx, "Rae Referred"))
    r = api.post(f"/policies/{referred['id']}/payment-plan", {"bank": BANK, "collection_day": 3}, key="plan-api-4")
    assert r.status_code == 201 and r.json()["plan"]["status"] == "referred"
    follow = api.post(f"/policies/{referred['id']}/payment-plan/referral")
    assert follow.status_code == 200 and follow.json()["status"] == "referred"
    api.ctx.finance.underwrite(r.json()["plan"]["agreement"]["reference"], accept=False, reason="affordability")
    follow = api.post(f"/policies/{referred['id']}/payment-plan/referral")
    assert follow.status_code == 200 and follow.json()["status"] == "declined"
    assert follow.json()["agreement"]["decision_reason"] == "affordability"
    again = api.post(f"/policies/{referred['id']}/payment-plan/referral")
    assert again.status_code == 409
    assert api.post(f"/policies/{referred['id']}/payment-plan/referral", token=api.customer).status_code == 403


def test_pay1_bad_requests_name_the_field(api: Api) -> None:
    """PAY-1: 422 naming the field: the sort code, the account number, the collection day (a string or 29),
    a missing idempotency key; 404 for another customer's policy; a timeout is a 503 and changes nothing."""
    policy = _policy(api, "plan-api-bind-4")
    url = f"/policies/{policy['id']}/payment-plan"
    r = api.post(url, {"bank": {**BANK, "sort_code": "12"}, "collection_day": 3}, key="plan-api-5")
    assert r.status_code == 422 and field_names(r) == {"bank.sort_code"}, r.text
    r = api.post(url, {"bank": {**BANK, "account_number": "12ab"}, "collection_day": 3}, key="plan-api-6")
    assert r.status_code == 422 and field_names(r) == {"bank.account_number"}, r.text
    r = api.post(url, {"bank": BANK, "collection_day": "3"}, key="plan-api-7")
    assert r.status_code == 422 and field_names(r) == {"collection_day"}, r.text
    r = api.post(url, {"bank": BANK, "collection_day": 29}, key="plan-api-8")
    assert r.status_code == 422 and field_names(r) == {"collection_day"}, r.text
    r = api.post(url, {"bank": BANK, "collection_day": 3})
    assert r.status_code == 422 and field_names(r) == {"Idempotency-Key"}, r.text
    other = _policy(api, "plan-api-bind-5", new_customer(api.ctx, "Otto Other"))
    assert api.get(f"/policies/{other['id']}/payment-plan", token=api.customer).status_code == 404
    late = _policy(api, "plan-api-bind-6", new_customer(api.ctx, "Tia Timeout"))
    r = api.post(f"/policies/{late['id']}/payment-plan", {"bank": BANK, "collection_day": 3}, key="plan-api-9")
    assert r.status_code == 503, r.text
    assert api.get(f"/policies/{late['id']}/payment-plan").json()["kind"] == "annual_card"


Cli = Callable[..., str]


def test_pay1_billing_plan_commands(cli: Cli, tmp_path: Path) -> None:
    """PAY-1 from the command line: `billing plan show` for an annual policy, `billing plan open` moves it to
    monthly (text and JSON), a bad sort code names its option and exits 2."""
    customer = json.loads(cli("customers", "create", "--name", "Dee Monthly", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": "LS19ABC", "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
                    "abi_group": 12, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": 110},
        "drivers": [{"name": "Dee Monthly", "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key",
                            "cli-plan-bind-1", "--json"))
    assert "paid annually by card" in cli("billing", "plan", "show", policy["number"])
    bad = cli("billing", "plan", "open", policy["number"], "--account-holder", "Dee Monthly", "--sort-code", "12",
              "--account-number", "12345678", "--collection-day", "9", code=2)
    assert "bank.sort_code" in bad
    out = cli("billing", "plan", "open", policy["number"], "--account-holder", "Dee Monthly", "--sort-code",
              "12-34-56", "--account-number", "12345678", "--collection-day", "9", "--idempotency-key", "cli-plan-1")
    assert "monthly by direct debit (active)" in out and "account ending 5678" in out and "APR" in out
    data = json.loads(cli("billing", "plan", "show", policy["id"], "--json"))
    assert data["status"] == "active" and len(data["instalments"]) == 11
    assert all(i["due_on"].endswith("-09") for i in data["instalments"])

"""Buying a policy paid monthly (PAY-1) and changing it afterwards (PAY-1, PAY-3, PAY-6), over REST on SQLite and
PostgreSQL: the bind asks the finance provider, takes only the deposit from the card and answers the plan; a
declined applicant buys nothing and the credit search is kept in the disclosure register; bad bank details name
their field; an adjustment re-plans the instalments instead of notifying a card payment; a cancellation ends the
plan and any refund goes to the card after its notice; the ledger reconciles throughout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.ledger.usecases import reconcile
from covernote.platform.context import AppContext
from tests.e2e.conftest import Api, field_names, quote_body
from tests.support import new_customer

BANK = {"account_holder": "Carol Customer", "sort_code": "12-34-56", "account_number": "87654321"}
MILES = {"effective_date": "2026-12-02", "reason": "more miles",
         "changes": [{"op": "set_answer", "question": "annual_mileage", "value": 16000}]}


@pytest.fixture
def api(db_ctx: AppContext) -> Iterator[Api]:
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        yield Api(client, db_ctx)


def _buy_monthly(api: Api, key: str, customer_id: str | None = None, **monthly: Any) -> Any:
    q = api.post("/quotes", quote_body(customer_id or api.customer_id))
    assert q.status_code == 201, q.text
    body = {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"},
            "monthly": {"bank": BANK, "collection_day": 12} | monthly}
    return q.json(), api.post("/policies", body, key=key)


def test_pay1_buy_monthly_takes_the_deposit_and_answers_the_plan(api: Api) -> None:
    """PAY-1: 201; the payment taken is the deposit only; the plan's instalments repay credit + interest to the
    penny; the policy's account is settled (the provider advanced the credit); the agreement's documents are
    issued; a replay answers the same; the ledger reconciles."""
    quote, r = _buy_monthly(api, "bind-monthly-1")
    assert r.status_code == 201, r.text
    pay = r.json()["payment"]
    plan, a = pay["plan"], pay["plan"]["agreement"]
    assert plan["status"] == "active" and plan["account_ending"] == "4321"
    assert pay["kind"] == "charge" and pay["amount"] == a["deposit"]
    assert Decimal(a["deposit"]) + Decimal(a["credit"]) == Decimal(a["cash_price"])
    assert sum(Decimal(i["amount"]) for i in plan["instalments"]) == Decimal(a["credit"]) + Decimal(a["interest"])
    pid = r.json()["id"]
    shown = api.get(f"/policies/{pid}/payment-plan").json()
    assert shown["agreement"]["agreement_document_id"] and shown["agreement"]["pre_contract_document_id"]
    assert Decimal(api.get(f"/policies/{pid}/statement").json()["balance"]) == 0
    again = api.post("/policies", {"quote_id": quote["id"], "payment": {"token": "tok_visa"},
                                   "monthly": {"bank": BANK, "collection_day": 12}}, key="bind-monthly-1")
    assert again.status_code == 201 and again.json()["idempotent_replay"] is True
    assert reconcile(api.ctx)["ok"], reconcile(api.ctx)["problems"]


def test_pay1_a_declined_applicant_buys_nothing_and_the_search_is_kept(api: Api) -> None:
    """PAY-1, PRV-6: 409 naming payment.plan; no policy; the credit search is in the disclosure register (S3:
    the agency keeps it whether or not the credit proceeds)."""
    carol = new_customer(api.ctx, "Dan Declined")
    _, r = _buy_monthly(api, "bind-monthly-2", carol)
    assert r.status_code == 409, r.text
    assert "payment.plan" in field_names(r)
    assert api.get("/policies").json() == []
    with api.ctx.uow(read_only=True) as uow:
        kept = uow.disclosures.for_customer(carol)
    assert [d.recipient_kind for d in kept].count("finance_provider") == 1


def test_pay1_bad_bank_details_and_collection_day_name_their_fields(api: Api) -> None:
    """PAY-1: 422 naming monthly.bank.sort_code and monthly.collection_day; nothing bought."""
    _, r = _buy_monthly(api, "bind-monthly-3", bank=BANK | {"sort_code": "12-34"}, collection_day=31)
    assert r.status_code == 422, r.text
    assert {"monthly.bank.sort_code", "monthly.collection_day"} <= set(field_names(r))
    assert api.get("/policies").json() == []


def test_pay1_an_adjustment_replans_the_instalments_and_a_cancellation_ends_the_plan(api: Api, clock) -> None:  # type: ignore[no-untyped-def]
    """PAY-1, PAY-6: a direct-debit payer's additional premium is spread over the instalments still to collect
    (no card notice); a cancellation ends the plan, the instalments not collected are cancelled, and what was
    paid beyond the earned premium is a refund notified to the card (PAY-3); the ledger reconciles."""
    _, r = _buy_monthly(api, "bind-monthly-4")
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    before = api.get(f"/policies/{pid}/payment-plan").json()
    clock.advance(timedelta(days=10))
    quote = api.post(f"/policies/{pid}/adjustments", MILES).json()
    done = api.post(f"/policies/{pid}/adjustments/{quote['id']}/confirm", key="bind-monthly-mta")
    assert done.status_code == 200, done.text
    pay = done.json()["payment"]
    assert "notice" not in pay and pay["replan"]["cause"] == "adjustment"
    after = api.get(f"/policies/{pid}/payment-plan").json()
    extra = Decimal(after["agreement"]["current_cash_price"]) - Decimal(before["agreement"]["current_cash_price"])
    assert extra > 0
    open_before = sum(Decimal(i["amount"]) for i in before["instalments"] if i["status"] == "scheduled")
    open_after = sum(Decimal(i["amount"]) for i in after["instalments"] if i["status"] == "scheduled")
    added_interest = Decimal(after["agreement"]["current_interest"]) - Decimal(before["agreement"]["current_interest"])
    assert open_after - open_before == extra + added_interest
    assert api.get(f"/policies/{pid}/payment-notices").json()["notices"] == []
    assert reconcile(api.ctx)["ok"], reconcile(api.ctx)["problems"]
    cq = api.post(f"/policies/{pid}/cancellations", {"effective_date": "2026-12-10", "reason": "sold the car"})
    assert cq.status_code == 201, cq.text
    cd = api.post(f"/policies/{pid}/cancellations/{cq.json()['id']}/confirm", key="bind-monthly-cxl")
    assert cd.status_code == 200, cd.text
    ended = api.get(f"/policies/{pid}/payment-plan").json()
    assert all(i["status"] != "scheduled" for i in ended["instalments"])
    assert reconcile(api.ctx)["ok"], reconcile(api.ctx)["problems"]


def _cli_quote(cli, tmp_path, name: str) -> str:  # type: ignore[no-untyped-def]
    import json
    customer = json.loads(cli("customers", "create", "--name", name, "--email", "m@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    vehicle = {"registration": "LS19ABC", "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
               "abi_group": 12, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": 110}
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({"vehicle": vehicle, "drivers": [{"name": name, "date_of_birth": "1980-01-01",
                                                                 "licence_held_since": "2000-01-01"}],
                                "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    return str(quote["id"])


def test_pay1_buy_monthly_from_the_command_line(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """PAY-1: `covernote policy bind --monthly ...` prints the deposit taken and the agreement's figures; bad
    bank details exit non-zero naming the field; bank details without --monthly are refused."""
    quote = _cli_quote(cli, tmp_path, "Mona Monthly")
    bad = cli("policy", "bind", quote, "--token", "tok_visa", "--idempotency-key", "cli-monthly-0", "--monthly",
              "--account-holder", "Mona Monthly", "--sort-code", "12-34", "--account-number", "87654321",
              "--collection-day", "12", code=2)
    assert "monthly.bank.sort_code" in bad
    stray = cli("policy", "bind", quote, "--token", "tok_visa", "--idempotency-key", "cli-monthly-1",
                "--sort-code", "12-34-56", code=2)
    assert "monthly" in stray
    out = cli("policy", "bind", quote, "--token", "tok_visa", "--idempotency-key", "cli-monthly-2", "--monthly",
              "--account-holder", "Mona Monthly", "--sort-code", "12-34-56", "--account-number", "87654321",
              "--collection-day", "12")
    assert "monthly by direct debit from the account ending 4321" in out and "APR" in out
    assert "87654321" not in out


def test_pay1_the_portal_shows_the_monthly_figures_and_buys_monthly(api: Api) -> None:
    """PAY-1, UX-2: the quote page shows the deposit, credit, interest, total payable and representative APR
    before the customer chooses; a bad sort code is answered on the page naming it (422, nothing bought, the
    account number not echoed); a good one buys monthly and the policy's plan is active."""
    import re

    from covernote.identity.usecases import SYSTEM, create_user
    from covernote.identity.usecases import web as portal

    customer = new_customer(api.ctx, "Mo Monthly")
    user, _ = create_user(api.ctx, "Mo Monthly", "customer", customer)
    portal.set_password(api.ctx, SYSTEM, user.user_id, "mo@example.org", "correct horse battery")
    session = portal.sign_in(api.ctx, "mo@example.org", "correct horse battery")
    api.client.cookies.set("covernote_session", session["session_id"])
    q = api.post("/quotes", quote_body(customer))
    assert q.status_code == 201, q.text
    quote = q.json()
    shown = api.get(f"/quotes/{quote['id']}").json()["monthly"]
    page = api.client.get(f"/portal/quotes/{quote['id']}")
    assert page.status_code == 200, page.text
    assert "Representative APR" in page.text and f"{shown['apr_percent']}%" in page.text
    form = {"csrf_token": session["csrf_token"], "idempotency_key": "portal-monthly-1", "payment_token": "tok_visa",
            "plan": "monthly", "monthly.bank.account_holder": "Mo Monthly", "monthly.bank.sort_code": "12-34",
            "monthly.bank.account_number": "87654321", "monthly.collection_day": "12"}
    bad = api.client.post(f"/portal/quotes/{quote['id']}/buy", data=form, follow_redirects=False)
    assert bad.status_code == 422 and "Sort code" in bad.text and "87654321" not in bad.text
    assert re.search(r'id="monthly-bank-sort-code"[^>]*aria-invalid="true"', bad.text)
    good = api.client.post(f"/portal/quotes/{quote['id']}/buy", data=form | {"monthly.bank.sort_code": "12-34-56",
                                                                           "idempotency_key": "portal-monthly-2"},
                           follow_redirects=False)
    assert good.status_code == 303, good.text
    pid = good.headers["location"].rsplit("/", 1)[-1]
    plan = api.get(f"/policies/{pid}/payment-plan").json()
    a = plan["agreement"]
    assert plan["status"] == "active"  # the figures shown are the ones agreed; the APR moves with the collection day
    assert [a[k] for k in ("deposit", "credit", "interest", "total_payable")] == [
        shown[k] for k in ("deposit", "credit", "interest", "total_payable")]

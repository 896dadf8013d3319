# ruff: noqa: F811  (the fixtures imported from test_portal_selfservice are used by name)
"""PAY-7 through the REST API, the portal and the command line, on SQLite and PostgreSQL: the disclosure for
the customer themselves and staff (JSON, the letter as text and HTML, the stored PDF), another customer's
answered as unknown, the commission report as CSV for staff only, the portal's "commission we earn" page
linked from the policy page, and `covernote billing commission disclose` / `covernote billing report
commission`. REG-5: every product's documents and its portal policy page show its own FSCS statement."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM
from covernote.kernel.ids import new_id
from covernote.lifecycle.usecases import quotes
from covernote.policy.domain.risk import make_answers
from tests.e2e.test_portal_selfservice import Customer, api, me  # noqa: F401  (fixtures, used by name)
from tests.support import bind, motor_risk, new_customer, young_risk

Cli = Callable[..., str]


def _buy(ctx, customer_id: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("YOUNG_DRIVER", ctx.today(), young_risk(), customer_id,
                                                             None, ("legal_expenses",)))
    return quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))


def _rate(premium: str) -> str:
    return str((Decimal(premium) * Decimal("0.125")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_pay7_customer_and_staff_get_the_disclosure_and_others_do_not(api):  # type: ignore[no-untyped-def]
    p = _buy(api.ctx, api.customer_id)
    stranger = _buy(api.ctx, new_customer(api.ctx, "Someone Else"))
    mine = api.get(f"/customers/{api.customer_id}/commission-disclosure", api.customer)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    (policy,) = body["policies"]
    assert policy["number"] == p["number"] and policy["core_percent"] == "12.5"
    assert policy["core_earned"] == _rate(p["current_term"]["premium_charged"])
    assert {x["code"]: x["earned"] for x in policy["extras"]}["legal_expenses"] == "10.00"
    assert api.get(f"/customers/{api.customer_id}/commission-disclosure").json() == body  # staff
    assert api.get(f"/policies/{p['number']}/commission-disclosure", api.customer).json() == body
    assert api.get(f"/customers/{stranger['customer_id']}/commission-disclosure", api.customer).status_code == 404
    assert api.get(f"/policies/{stranger['id']}/commission-disclosure", api.customer).status_code == 404
    assert api.get("/customers/cus_nobody/commission-disclosure").status_code == 404


def test_pay7_the_disclosure_letter_as_text_html_and_a_stored_pdf(api):  # type: ignore[no-untyped-def]
    p = _buy(api.ctx, api.customer_id)
    text = api.get(f"/policies/{p['id']}/commission-disclosure?format=text", api.customer)
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert "COMMISSION WE EARN" in text.text and "Co-op Young Driver Insurance" in text.text
    html = api.get(f"/policies/{p['id']}/commission-disclosure?format=html", api.customer)
    assert html.headers["content-type"].startswith("text/html") and "<h1>Commission we earn</h1>" in html.text
    pdf = api.get(f"/policies/{p['id']}/commission-disclosure?format=pdf", api.customer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = api.get(f"/policies/{p['id']}/commission-disclosure?format=pdf", api.customer)
    assert again.headers["X-Document-Id"] == pdf.headers["X-Document-Id"] and again.content == pdf.content
    listed = api.get(f"/policies/{p['id']}/documents", api.customer).json()
    assert pdf.headers["X-Document-Id"] in {d["id"] for d in listed["documents"]}


def test_pay7_commission_report_csv_for_staff_only(api):  # type: ignore[no-untyped-def]
    p = _buy(api.ctx, api.customer_id)
    day = api.ctx.today()
    url = f"/reports/commission.csv?from={day}&to={day.replace(year=day.year + 1)}"
    r = api.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    (row,) = [x for x in rows if x["policy_number"] == p["number"]]
    assert row["transaction_kind"] == "new_business" and row["premium"] == p["current_term"]["premium_charged"]
    assert row["core_commission"] == _rate(row["premium"]) and row["extras_commission"] == "10.00"
    assert Decimal(row["total_commission"]) == Decimal(row["core_commission"]) + Decimal("10.00")
    assert api.get(url, api.customer).status_code == 403
    assert api.get(f"/reports/commission?from={day}&to={day}").status_code == 422
    as_json = api.get(f"/reports/commission?from={day}&to={day.replace(year=day.year + 1)}").json()
    assert as_json["totals"]["total_commission"] == row["total_commission"]


def _young_policy(cli: Cli, tmp_path: Path) -> dict[str, str]:
    customer = json.loads(cli("customers", "create", "--name", "Sam Young", "--email", "sam@example.org",
                              "--address", "1 Road, Manchester", "--postcode", "M1 1AE", "--json"))
    vehicle = {"registration": "YD19ABC", "make": "Toyota", "model": "Yaris", "year": 2019, "value": "6000",
               "abi_group": 8, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": 110}
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({"vehicle": vehicle, "postcode": "M1 1AE",
                                "drivers": [{"name": "Sam Young", "date_of_birth": "2006-05-01",
                                             "licence_held_since": "2024-06-01"}],
                                "answers": {"annual_mileage": 6000, "ncd_years": 0}}))
    quote = json.loads(cli("quote", "create", "--product", "YOUNG_DRIVER", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key",
                            "cli-commission-1", "--json"))
    return {"id": policy["id"], "number": policy["number"], "customer": customer["id"],
            "premium": policy["current_term"]["premium_charged"]}


def test_pay7_disclose_and_report_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _young_policy(cli, tmp_path)
    out = cli("billing", "commission", "disclose", "--customer", p["customer"])
    assert p["number"] in out and f"12.5% of {p['premium']} = {_rate(p['premium'])}" in out
    data = json.loads(cli("billing", "commission", "disclose", "--policy", p["number"], "--json"))
    assert data["policies"][0]["core_earned"] == _rate(p["premium"])
    assert "COMMISSION WE EARN" in cli("billing", "commission", "disclose", "--policy", p["id"], "--format", "text")
    issued = json.loads(cli("billing", "commission", "disclose", "--policy", p["id"], "--letter", "--json"))
    assert issued["kind"] == "commission_disclosure"
    assert "issued " + issued["id"] in cli("billing", "commission", "disclose", "--policy", p["id"], "--letter")
    assert "--policy" in cli("billing", "commission", "disclose", "--customer", p["customer"], "--letter", code=2)
    assert "--customer" in cli("billing", "commission", "disclose", code=2)
    report = cli("billing", "report", "commission", "--from", "2020-01-01", "--to", "2100-01-01")
    rows = list(csv.DictReader(io.StringIO(report)))
    assert [r["policy_number"] for r in rows] == [p["number"]] and rows[0]["core_commission"] == _rate(p["premium"])
    target = tmp_path / "commission.csv"
    assert "wrote" in cli("billing", "report", "commission", "--from", "2020-01-01", "--to", "2100-01-01",
                          "--output", str(target))
    assert target.read_text() == report
    assert "to: must be after from" in cli("billing", "report", "commission", "--from", "2026-01-02", "--to",
                                           "2026-01-01", code=2)


def _words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_pay7_the_portal_policy_page_links_to_commission_we_earn(me: Customer) -> None:
    pid = me.policy["id"]
    young = _buy(me.ctx, me.customer_id)
    assert f'href="/portal/policies/{pid}/commission"' in me.get(f"/portal/policies/{pid}").text
    r = me.get(f"/portal/policies/{pid}/commission")
    assert r.status_code == 200, r.text
    said = _words(r.text)
    assert me.policy["number"] in said and young["number"] in said  # every policy of the customer
    assert f"12.5% of the premium £{_rate(young['current_term']['premium_charged'])}" in said
    assert "insurer sells it direct" in said  # the eco product pays no core commission
    letter = me.get(f"/portal/policies/{pid}/commission/letter")
    assert letter.status_code == 303
    download = me.get(letter.headers["location"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    other = bind(me.ctx, "ECO")
    assert me.get(f"/portal/policies/{other['id']}/commission").status_code == 404


def test_reg5_each_products_documents_and_portal_policy_page_show_its_fscs_statement(me: Customer) -> None:
    """REG-5 (S3): compulsory cover protected 100%, other cover 90%, as each product's own wording."""
    catalogue = me.ctx.catalogue
    for code in ("ECO", "YOUNG_DRIVER", "FULLCOVER", "WARRANTY"):
        risk = replace(motor_risk(), answers=make_answers({"annual_mileage": 8000})) if code == "FULLCOVER" else None
        p = me.policy if code == "ECO" else bind(me.ctx, code, risk, customer_id=me.customer_id)
        product = catalogue.by_ref(p["current_term"]["product"])
        assert product.contacts is not None and product.contacts.fscs, code
        wording = " ".join(product.contacts.fscs.split())
        assert "100% of a claim" in wording and "90% of a claim" in wording
        listing = documents.list_documents(me.ctx, SYSTEM, p["id"])
        assert listing["documents"], code
        for doc in listing["documents"]:
            for fmt in ("txt", "html"):
                content = documents.get_document(me.ctx, SYSTEM, doc["id"], fmt).content.decode()
                assert wording in _words(content), (code, doc["kind"], fmt)
        assert wording in _words(me.get(f"/portal/policies/{p['id']}").text), code
        letter = me.get(f"/portal/policies/{p['id']}/commission/letter")
        (doc_id,) = re.findall(r"/portal/documents/([^?]+)", letter.headers["location"])
        assert wording in _words(documents.get_document(me.ctx, SYSTEM, doc_id, "txt").content.decode()), code

"""ECO-1 through the REST API on SQLite and PostgreSQL: the quote and the policy show the estimated annual
CO2 and the offset; GET /policies/{id}/carbon lists the purchase and changes; the statement comes as JSON
and as a printable page, for the customer's own token or staff; the portfolio is staff's, as JSON or CSV;
bad input names the field."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.kernel.clock import FixedClock
from covernote.platform.context import AppContext
from tests.e2e.conftest import Api, quote_body


@pytest.fixture
def api(db_ctx: AppContext) -> Iterator[Api]:
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        yield Api(client, db_ctx)


def _bind(api: Api, key: str, token: str | None = None, **risk: object) -> dict[str, object]:
    body = quote_body(api.customer_id, **risk)  # type: ignore[arg-type]
    q = api.post("/quotes", body, token=token)
    assert q.status_code == 201, q.text
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, token=token, key=key)
    assert p.status_code == 201, p.text
    return {"quote": q.json(), "policy": p.json()}


def test_eco1_quote_and_policy_show_the_estimated_annual_co2_and_offset(api: Api) -> None:
    made = _bind(api, "carbon-api-1", mileage=8000)
    q, p = made["quote"], made["policy"]
    # the shared test car: 120 g/km x 8,000 x 1.609344 / 1e6 = 1.54497024 -> 1.545 t
    for view in (q["carbon"], p["carbon"]):  # type: ignore[index]
        assert view["estimated_annual_co2_tonnes"] == "1.545" and view["estimated"] is False
        assert view["gkm"] == 120 and view["annual_mileage"] == 8000 and view["annual_offset_tonnes"] == "1.545"
    assert api.get(f"/quotes/{q['id']}").json()["carbon"]["policy_year_offset_tonnes"] == "1.545"  # type: ignore[index]
    assert api.get(f"/policies/{p['id']}").json()["carbon"]["policy_year_offset_tonnes"] == "1.545"  # type: ignore[index]


def test_eco1_offsets_statement_and_portfolio_over_http(api: Api, clock: FixedClock) -> None:
    pid = _bind(api, "carbon-api-2", token=api.customer, mileage=8000)["policy"]["id"]  # type: ignore[index]
    clock.advance(timedelta(days=100))
    today = api.ctx.today().isoformat()
    c = api.post(f"/policies/{pid}/cancellations", {"effective_date": today, "reason": "sold the car"},
                 token=api.customer)
    assert c.status_code == 201, c.text
    done = api.post(f"/policies/{pid}/cancellations/{c.json()['id']}/confirm", token=api.customer, key="carbon-api-c")
    assert done.status_code == 200, done.text

    mine = api.get(f"/policies/{pid}/carbon", token=api.customer)
    assert mine.status_code == 200
    records = mine.json()["years"][0]["records"]
    # 1.545 t bought; 100 of 365 days on cover: 1.545 x 100/365 = 0.42328... -> 0.423 t, a reduction of 1.122
    assert [(r["kind"], r["tonnes"], r["year_tonnes_after"]) for r in records] == [
        ("purchase", "1.545", "1.545"), ("reduction", "-1.122", "0.423")]

    s = api.get(f"/policies/{pid}/carbon/statement?year=1", token=api.customer)
    assert s.status_code == 200
    body = s.json()
    assert body["offset_tonnes"] == "0.423" and body["estimated"] is False and body["check"]["agree"] is True
    assert sum(Decimal(p["tonnes"]) for p in body["projects"]) == Decimal("0.423")
    page = api.get(f"/policies/{pid}/carbon/statement?format=html", token=api.customer)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Your carbon offset statement" in page.text and "Sierra Leone" in page.text and "0.423" in page.text

    report = api.get("/carbon/portfolio?from=2026-11-01&to=2027-12-01")
    assert report.status_code == 200
    assert report.json()["totals"] == {"tonnes": "0.423", "cost": "4.23", "policies": 1, "policy_years": 1,
                                       "estimated_policy_years": 0}
    as_csv = api.get("/carbon/portfolio?from=2026-11-01&to=2027-12-01&format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["project_code"] for r in rows] == ["SL_FOREST", "KE_WATER", "IN_STOVES", "KE_STOVES", "TOTAL"]
    assert rows[-1]["tonnes"] == "0.423" and rows[-1]["cost"] == "4.23"


def test_eco1_api_refuses_what_it_should_naming_the_field(api: Api) -> None:
    pid = _bind(api, "carbon-api-3")["policy"]["id"]  # type: ignore[index]
    assert api.get("/carbon/portfolio?from=2026-01-01&to=2027-01-01", token=api.customer).status_code == 403
    bad = api.get("/carbon/portfolio?from=2027-01-01&to=2026-01-01")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    assert api.get("/carbon/portfolio?from=soon&to=2027-01-01").status_code == 422
    year = api.get(f"/policies/{pid}/carbon/statement?year=5")
    assert year.status_code == 422 and year.json()["errors"][0]["field"] == "year"
    assert api.get(f"/policies/{pid}/carbon/statement?format=pdf").status_code == 422
    assert api.get("/policies/pol_nope/carbon").status_code == 404
    # another customer's policy does not exist for this customer
    from covernote.identity.usecases import create_user
    from tests.support import new_customer

    _, other = create_user(api.ctx, "Other", "customer", new_customer(api.ctx, "Other Person"))
    assert api.get(f"/policies/{pid}/carbon", token=other).status_code == 404
    assert api.get(f"/policies/{pid}/carbon/statement", token=other).status_code == 404


def test_eco1_a_product_without_offsetting_has_no_carbon_resource(api: Api) -> None:
    body = quote_body(api.customer_id, product="YOUNG_DRIVER")
    body["risk"]["drivers"][0]["date_of_birth"] = "2006-05-01"
    body["risk"]["drivers"][0]["licence_held_since"] = "2024-06-01"
    q = api.post("/quotes", body)
    assert q.status_code == 201, q.text
    assert "carbon" not in q.json()
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key="carbon-api-yd")
    assert p.status_code == 201 and "carbon" not in p.json()
    missing = api.get(f"/policies/{p.json()['id']}/carbon")
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "policy_id"

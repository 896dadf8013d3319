"""Optional extras and NCD protection through the REST API and the command line (ADD-1, PAY-7, NCD-3,
NCD-4): the S1 worked example, protection lost after three claims in three years, an extra added by MTA
and refunded on cancellation to the penny, and the fair-value report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from covernote.api.app import create_app
from covernote.cli.main import app as cli_app
from covernote.products.store.files import load_catalogue
from tests.conftest import PRODUCTS, START, make_ctx
from tests.e2e.conftest import Api, quote_body
from tests.support import run_notices_after

# A product whose standard premium is exactly GBP 1,000 (no rating factors) and GBP 1,100 from the
# version in force at the first renewal, with S1's scale (5 years = 70%) and S1's NCD protection rule,
# so the S1 worked example (NCD-4) can be driven through the API. Test data only.
S1_EXAMPLE = """
include: [_s1_privacy.yaml, _s1_contacts.yaml]
code: S1_EXAMPLE
name: S1 worked NCD example (test product)
version: "2026.1"
effective_from: 2026-01-01
effective_to: 2027-11-01
line: motor
source: S1
insurer: Illustrative Insurer plc
ipt: standard
quote_validity_days: 30
max_start_days_ahead: 60
terms: [{unit: months, length: 12}]
covers: [{code: comprehensive, name: Comprehensive cover, description: "Loss of or damage to your car."}]
extras:
  - code: ncd_protection
    name: No-claims discount protection
    provider: Illustrative Insurer plc
    insurer: Illustrative Insurer plc
    annual_price: "45.00"
    ipt: standard
    commission_percent: "20"
    ncd_protection: {min_years: 5, max_claims: 2, window_years: 3, claims_question: claims_last_3_years}
fees: []
questions:
  - {name: cover_type, kind: choice, choices: [comprehensive], default: comprehensive}
  - {name: annual_mileage, kind: integer, minimum: 1000, maximum: 40000}
  - {name: ncd_years, kind: integer, minimum: 0, maximum: 30, default: "0"}
  - {name: claims_last_3_years, kind: integer, minimum: 0, maximum: 20, default: "0"}
cancellation: {cooling_off_days: 14, insurer_notice_days: 7, no_refund_if: [claim, incident]}
renewal: {invitation_days_before: 28, auto_renew_default: true}
rating:
  table_version: s1-example-2026.1
  base_variable: cover_type
  base_rates: {comprehensive: "1000.00"}
  minimum_premium: "0.00"
  ncd:
    discount_percent_by_years: {0: "0", 1: "30", 2: "40", 3: "50", 4: "60", 5: "70"}
    step_back_one_claim: {5: 3, 4: 2, 3: 1, 2: 0, 1: 0, 0: 0}
    step_back_two_claims: {5: 1, 4: 0, 3: 0, 2: 0, 1: 0, 0: 0}
"""
S1_EXAMPLE_NEXT = """
extends: s1-example-2026.yaml
version: "2027.11"
effective_from: 2027-11-01
effective_to: null
rating:
  table_version: s1-example-2027.11
  base_rates: {comprehensive: "1100.00"}
"""


@pytest.fixture
def s1(sqlite_url: str, clock, tmp_path: Path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    folder = tmp_path / "products"
    shutil.copytree(PRODUCTS, folder)
    (folder / "s1-example-2026.yaml").write_text(S1_EXAMPLE)
    (folder / "s1-example-2027.yaml").write_text(S1_EXAMPLE_NEXT)
    ctx = make_ctx(sqlite_url, load_catalogue(folder), clock)
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        yield Api(client, ctx)
    ctx.uow.engine.dispose()  # type: ignore[attr-defined]


def example_quote(api: Api, extras: list[str], ncd: int = 5, claims: int = 0) -> dict[str, Any]:
    body = quote_body(api.customer_id, product="S1_EXAMPLE", ncd=ncd)
    body["risk"]["answers"]["claims_last_3_years"] = claims
    body["extras"] = extras
    r = api.post("/quotes", body)
    assert r.status_code == 201, r.json()
    return r.json()  # type: ignore[no-any-return]


def bind(api: Api, quote: dict[str, Any], key: str) -> dict[str, Any]:
    r = api.post("/policies", {"quote_id": quote["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 201, r.json()
    return r.json()  # type: ignore[no-any-return]


def claim(api: Api, clock, policy_id: str, on: date, claim_type: str = "accident") -> None:  # type: ignore[no-untyped-def]
    clock.set_date(on)
    r = api.post(f"/policies/{policy_id}/incidents", {"kind": "claim", "occurred_on": on.isoformat(),
                                                      "claim_type": claim_type})
    assert r.status_code == 201, r.json()


def renew(api: Api, clock, policy_id: str, invite_on: date, key: str) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    clock.set_date(invite_on)
    inv = api.post(f"/policies/{policy_id}/renewals")
    assert inv.status_code == 201, inv.json()
    done = api.post(f"/policies/{policy_id}/renewals/{inv.json()['id']}/confirm", key=key)
    assert done.status_code == 200, done.json()
    return inv.json(), done.json()


def test_ncd4_s1_worked_example_protection_keeps_the_discount_not_the_price(s1, clock):
    """NCD-4 (S1): 5 years = 70%: standard premium 1,000 -> 300. After a claim with protection: still 5
    years and 70%. At renewal the standard premium is 1,100 -> 330."""
    q = example_quote(s1, ["ncd_protection"])
    assert (q["rating"]["standard_premium"], q["rating"]["ncd_years"], q["rating"]["ncd_discount_percent"],
            q["premium"]) == ("1000.00", 5, "70", "300.00")
    assert q["ncd_protection"]["selected"] and q["ncd_protection"]["eligible"]
    [protection] = q["extras"]
    assert protection["premium"] == "45.00"  # its own line: no NCD on extras
    policy = bind(s1, q, "s1-example-bind")
    assert policy["ncd_protection"] == {"offered": True, "protected": True}

    claim(s1, clock, policy["id"], date(2027, 3, 1))
    inv, renewed = renew(s1, clock, policy["id"], date(2027, 11, 1), "s1-example-renew")
    ncd = inv["ncd_protection"]
    assert (ncd["years_before"], ncd["years_after"]) == (5, 5)
    assert (ncd["discount_percent_before"], ncd["discount_percent_after"]) == ("70", "70")
    assert ncd["protected"] is True and ncd["protection_lost"] is False
    assert "NCD-4" in ncd["protection"]["reason"]
    assert any("protected" in line for line in inv["explanation"])
    assert (inv["rating"]["standard_premium"], inv["premium"]) == ("1100.00", "330.00")
    assert [x["code"] for x in inv["extras"]] == ["ncd_protection"]  # still eligible: 5 years, 1 claim
    assert renewed["current_term"]["premium_charged"] == "330.00"
    assert renewed["ncd_protection"]["protected"] is True

    # Without protection the same claim steps the NCD back 5 -> 3 years (NCD-5): 50% of 1,100 = 550.
    clock.set(START)
    plain = bind(s1, example_quote(s1, [], ncd=5), "s1-example-bind-2")
    claim(s1, clock, plain["id"], date(2027, 3, 1))
    inv, _ = renew(s1, clock, plain["id"], date(2027, 11, 1), "s1-example-renew-2")
    assert (inv["ncd_protection"]["years_after"], inv["ncd_protection"]["discount_percent_after"]) == (3, "50")
    assert inv["ncd_protection"]["protected"] is False and inv["premium"] == "550.00"


def test_ncd3_three_claims_in_three_years_lose_protection_and_the_ncd_steps_back(s1, clock):
    """NCD-3: protection holds after one and two claims in three years; the third claim within three years
    loses it: the NCD steps back on the scale (NCD-5) and protection is not offered again."""
    policy = bind(s1, example_quote(s1, ["ncd_protection"]), "three-bind")
    claim(s1, clock, policy["id"], date(2027, 3, 1))
    inv, _ = renew(s1, clock, policy["id"], date(2027, 11, 1), "three-renew-1")
    assert inv["ncd_protection"]["protected"] and inv["ncd_protection"]["years_after"] == 5

    claim(s1, clock, policy["id"], date(2028, 3, 1))
    inv, _ = renew(s1, clock, policy["id"], date(2028, 11, 1), "three-renew-2")
    assert inv["ncd_protection"]["protection"]["claims_in_window"] == 2
    assert inv["ncd_protection"]["protected"] and inv["ncd_protection"]["years_after"] == 5
    assert [x["code"] for x in inv["extras"]] == ["ncd_protection"]  # two claims: still eligible

    claim(s1, clock, policy["id"], date(2029, 3, 1))
    inv, renewed = renew(s1, clock, policy["id"], date(2029, 11, 1), "three-renew-3")
    ncd = inv["ncd_protection"]
    assert ncd["protection"]["claims_in_window"] == 3
    assert ncd["protected"] is False and ncd["protection_lost"] is True
    assert "Protection lost" in ncd["protection"]["reason"]
    assert (ncd["years_before"], ncd["years_after"], ncd["discount_percent_after"]) == (5, 3, "50")
    assert inv["premium"] == "550.00"
    assert inv["extras"] == []  # not carried forward: no longer eligible
    [offer] = [x for x in inv["extras_available"] if x["code"] == "ncd_protection"]
    assert offer["available"] is False and len(offer["reasons"]) == 2
    assert any("not carried forward" in line for line in inv["explanation"])
    assert renewed["extras"] == [] and renewed["ncd_protection"]["protected"] is False


def test_ncd3_protection_refused_at_sale_when_not_eligible_naming_the_field(s1):
    body = quote_body(s1.customer_id, product="S1_EXAMPLE", ncd=4)
    body["extras"] = ["ncd_protection"]
    r = s1.post("/quotes", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "extras" and "5 or more years" in r.json()["errors"][0]["reason"]


def test_add1_extra_added_by_mta_then_refunded_on_cancellation_through_the_api(api, clock):
    """ADD-1 through HTTP: 19.99 key cover added 100 days into a 365-day term is 14.51 (19.99 x 265 / 365
    = 14.513, half-up) with 1.74 IPT; cancelled 50 days later, 2.74 (19.99 x 50 / 365 = 2.738) is earned
    and 11.77 plus 1.41 IPT comes back."""
    body = quote_body(api.customer_id)
    body["extras"] = ["breakdown"]
    q = api.post("/quotes", body).json()
    assert [x["code"] for x in q["extras"]] == ["breakdown"] and q["extras"][0]["provider"] == "RAC"
    policy = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="xbind-0001").json()
    clock.advance(timedelta(days=100))
    day = clock.now().date().isoformat()
    refused = api.post(f"/policies/{policy['id']}/adjustments", {"effective_date": day, "reason": "protect",
                                                                "add_extras": ["ncd_protection"]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "add_extras"
    empty = api.post(f"/policies/{policy['id']}/adjustments", {"effective_date": day, "reason": "nothing"})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "changes"
    mq = api.post(f"/policies/{policy['id']}/adjustments", {"effective_date": day, "reason": "keys",
                                                           "add_extras": ["key_cover"]})
    assert mq.status_code == 201, mq.json()
    [key] = mq.json()["extras"]
    assert (Decimal("19.99") * 265 / 365).quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("14.51")
    assert (key["premium"], key["ipt"], mq.json()["total"]) == ("14.51", "1.74", "31.25")
    done = api.post(f"/policies/{policy['id']}/adjustments/{mq.json()['id']}/confirm", key="xmta-0001")
    assert done.status_code == 200 and done.json()["payment"]["amount"] == "31.25"
    assert run_notices_after(api.ctx, days=14)["taken"] == 1  # PAY-3: taken 14 days after its letter

    clock.advance(timedelta(days=50))
    cq = api.post(f"/policies/{policy['id']}/cancellations", {"effective_date": clock.now().date().isoformat(),
                                                              "reason": "sold"}).json()
    lines = {x["code"]: x for x in cq["extras"]}
    earned = (Decimal("19.99") * 50 / 365).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert earned == Decimal("2.74")
    assert (lines["key_cover"]["premium"], lines["key_cover"]["ipt"]) == (f"-{Decimal('14.51') - earned}", "-1.41")
    assert (lines["breakdown"]["premium"], lines["breakdown"]["ipt"]) == ("-47.12", "-5.66")
    confirmed = api.post(f"/policies/{policy['id']}/cancellations/{cq['id']}/confirm", key="xcancel-0001")
    assert confirmed.status_code == 200 and confirmed.json()["payment"]["amount"] == cq["refund_total"]
    assert confirmed.json()["payment"]["status"] == "notified"  # PAY-3: paid 14 days after its letter
    assert run_notices_after(api.ctx, days=14)["paid"] == 1
    statement = api.get(f"/policies/{policy['id']}/statement").json()
    assert statement["accounts"]["extras:key_cover:premium"] == "-2.74"
    assert statement["balance"] == "0.00"


def test_consumer_duty_fair_value_report_over_rest_json_and_csv(api):
    body = quote_body(api.customer_id)
    body["extras"] = ["legal_expenses"]
    q = api.post("/quotes", body).json()
    api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="fv-bind-0001")
    r = api.get("/reports/extras/fair-value?from=2026-11-01&to=2026-12-01&product=ECO")
    assert r.status_code == 200, r.json()
    rows = {x["extra_code"]: x for x in r.json()["rows"]}
    assert (rows["legal_expenses"]["premium_written"], rows["legal_expenses"]["commission"]) == ("29.99", "9.00")
    assert rows["legal_expenses"]["claims_paid"] == "0.00"
    csv = api.get("/reports/extras/fair-value?from=2026-11-01&to=2026-12-01&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and "legal_expenses" in csv.text
    assert api.get("/reports/extras/fair-value?from=2026-11-01&to=2026-12-01", token=api.customer).status_code == 403
    bad = api.get("/reports/extras/fair-value?from=2026-12-01&to=2026-11-01")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    assert api.get("/reports/extras/fair-value?from=2026-11-01").status_code == 422


def test_add1_extras_from_the_command_line(tmp_path: Path):
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def cli(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli_app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    cli("db", "upgrade")
    assert "provided by RAC" in cli("extras", "list", "ECO")
    customer = json.loads(cli("customers", "create", "--name", "Dee", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": "LS19ABC", "make": "Ford", "model": "Ka", "year": 2019, "value": "5000", "abi_group": 6},
        "drivers": [{"name": "Dee", "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 7000, "ncd_years": 3}}))
    out = cli("quote", "create", "--product", "ECO", "--customer", customer["id"], "--risk-file", str(risk),
              "--extra", "breakdown")
    assert "extra Breakdown cover (RAC" in out
    out = cli("quote", "create", "--product", "ECO", "--customer", customer["id"], "--risk-file", str(risk),
              "--extra", "ncd_protection", code=2)
    assert "extras:" in out and "5 or more years" in out
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"], "--risk-file",
                           str(risk), "--extra", "breakdown", "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key", "cli-x-bind",
                            "--json"))
    pending = json.loads(cli("policy", "adjust", policy["id"], "--effective", date.today().isoformat(),
                             "--reason", "keys", "--add-extra", "key_cover", "--json"))
    assert [x["code"] for x in pending["extras"]] == ["key_cover"]
    cli("policy", "confirm-adjustment", policy["id"], pending["id"], "--idempotency-key", "cli-x-mta")
    assert "extra Keycare cover" in cli("policy", "show", policy["number"])
    today = date.today()
    out = cli("extras", "fair-value", "--from", today.isoformat(), "--to", (today + timedelta(days=1)).isoformat(),
              "--product", "ECO", "--format", "csv")
    assert out.splitlines()[0].startswith("from,to,product_code") and ",breakdown," in out
    assert "key_cover" in cli("extras", "fair-value", "--from", today.isoformat(), "--to",
                              (today + timedelta(days=1)).isoformat())
    assert "problems: 0" in cli("ledger", "reconcile")
    assert "to:" in cli("extras", "fair-value", "--from", "2026-01-02", "--to", "2026-01-01", code=2)

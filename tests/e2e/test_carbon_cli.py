"""ECO-1 from the command line, on SQLite and PostgreSQL: `covernote carbon policy|statement|portfolio`
print the offsets, the customer's statement (text, JSON or a printable HTML file) and the insurer's
portfolio (text, JSON or CSV); bad input names the option and exits 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

Cli = Callable[..., str]



def _policy(cli: Cli, tmp_path: Path, co2: int | None = 92) -> dict[str, str]:
    customer = json.loads(cli("customers", "create", "--name", "Dee", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    vehicle = {"registration": "LS19ABC", "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
               "abi_group": 12, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": co2}
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({"vehicle": vehicle,
                                "drivers": [{"name": "Dee", "date_of_birth": "1980-01-01",
                                             "licence_held_since": "2000-01-01"}],
                                "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    assert quote["carbon"]["estimated"] is (co2 is None)
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key",
                            f"cli-carbon-{co2}", "--json"))
    return {"id": policy["id"], "number": policy["number"], "start": quote["start_date"]}


def test_eco1_policy_offsets_and_statement_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    out = cli("carbon", "policy", p["number"])
    # 92 g/km x 8,000 miles x 1.609344 / 1e6 = 1.184477184 -> 1.184 t
    assert "92 g/km x 8,000 miles a year = 1.184 t CO2 a year" in out and "purchase" in out
    data = json.loads(cli("carbon", "policy", p["id"], "--json"))
    assert data["years"][0]["offset_tonnes"] == "1.184" and data["years"][0]["cost"] == "11.84"
    text = cli("carbon", "statement", p["number"])
    assert "policy year 1" in text and "SL_FOREST" in text and "0.473 t" in text
    statement = json.loads(cli("carbon", "statement", p["number"], "--format", "json"))
    assert statement["offset_tonnes"] == "1.184" and statement["check"]["agree"] is True
    page = tmp_path / "statement.html"
    assert "wrote" in cli("carbon", "statement", p["number"], "--year", "1", "--format", "html", "--output", str(page))
    assert "Your carbon offset statement" in page.read_text() and "Sierra Leone" in page.read_text()


def test_eco1_estimated_car_is_flagged_in_the_statement(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path, co2=None)
    text = cli("carbon", "statement", p["id"])
    # table row petrol 1400-1999 cc: 180 g/km -> 2.317 t, estimated
    assert "2.317 t CO2" in text and "(estimated)" in text and "estimate:" in text


def test_eco1_portfolio_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    start = date.fromisoformat(p["start"])
    period = ("--from", (start - timedelta(days=2)).isoformat(), "--to", (start + timedelta(days=2)).isoformat())
    assert "1.184 t, cost 11.84 GBP; 1 policies" in cli("carbon", "portfolio", *period)
    report = json.loads(cli("carbon", "portfolio", *period, "--json"))
    assert report["totals"]["tonnes"] == "1.184" and report["totals"]["policies"] == 1
    target = tmp_path / "portfolio.csv"
    cli("carbon", "portfolio", *period, "--format", "csv", "--output", str(target))
    lines = target.read_text().splitlines()
    assert lines[0].startswith("from,to,project_code") and ",TOTAL,all projects,,1.184,11.84,GBP,1,1,0" in lines[-1]


def test_eco1_bad_input_names_the_option_and_exits_2(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    assert "year: policy" in cli("carbon", "statement", p["id"], "--year", "3", code=2)
    assert "--format: use text, json or html" in cli("carbon", "statement", p["id"], "--format", "pdf", code=2)
    assert "--from: use YYYY-MM-DD" in cli("carbon", "portfolio", "--from", "soon", "--to", "2027-01-01", code=2)
    assert "to: must be after from" in cli("carbon", "portfolio", "--from", "2027-01-01", "--to", "2027-01-01", code=2)
    assert "no such policy" in cli("carbon", "policy", "CN404", code=2)

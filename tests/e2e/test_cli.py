"""The covernote command (UX-3): set-up, products check, demo, quote to policy, errors that name the
field and exit non-zero."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covernote.cli.main import app
from tests.conftest import PRODUCTS


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_ux3_products_check_passes_and_names_problems(cli, tmp_path):
    out = cli("products", "check", str(PRODUCTS))
    assert "ECO@2026.7" in out and "YOUNG_DRIVER@2025.1" in out
    broken = tmp_path / "products"
    shutil.copytree(PRODUCTS, broken)
    text = (broken / "warranty-2025.yaml").read_text().replace('base_rates: {bronze: "189.00"', 'base_rates: {bronze: "lots"')
    (broken / "warranty-2025.yaml").write_text(text)
    out = cli("products", "check", str(broken), code=2)
    assert "warranty-2025.yaml: rating.base_rates.bronze" in out


def test_ux3_demo_then_reconcile_and_list(cli):
    cli("db", "upgrade")
    out = cli("demo")
    assert "cn_demo_staff_token" in out
    policies = json.loads(cli("policy", "list", "--json"))
    assert {p["status"] for p in policies} >= {"live", "cancelled", "void", "expired"}
    assert "problems: 0" in cli("ledger", "reconcile")
    assert "already loaded" in cli("demo")  # a second load changes nothing (issue 13, item 9)


def test_ux3_quote_bind_cancel_from_the_command_line(cli, tmp_path):
    cli("db", "upgrade")
    customer = json.loads(cli("customers", "create", "--name", "Dee", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": "LS19ABC", "make": "Ford", "model": "Ka", "year": 2019, "value": "5000", "abi_group": 6},
        "drivers": [{"name": "Dee", "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 7000, "ncd_years": 3}}))
    out = cli("quote", "create", "--product", "eco", "--customer", customer["id"], "--risk-file", str(risk))
    assert "no-claims discount" in out and "total payable" in out
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"], "--risk-file", str(risk), "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key", "cli-bind-1", "--json"))
    assert policy["payment"]["amount"] == quote["total_payable"]
    pending = json.loads(cli("policy", "cancel", policy["number"], "--effective", date.today().isoformat(),
                             "--reason", "test", "--json"))
    out = cli("policy", "confirm-cancellation", policy["id"], pending["id"], "--idempotency-key", "cli-cancel-1")
    assert "refund" in out
    assert "problems: 0" in cli("ledger", "reconcile")
    statement = json.loads(cli("policy", "statement", policy["number"], "--json"))
    assert statement["balance"] == "0.00"


def test_ux3_bad_input_exits_non_zero_with_field(cli, tmp_path):
    cli("db", "upgrade")
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({"vehicle": {"registration": "AB12CDE"}, "postcode": "LS1 1AA"}))
    out = cli("quote", "create", "--product", "ECO", "--customer", "cus_x", "--risk-file", str(risk), code=2)
    assert "risk.vehicle.make" in out
    out = cli("quote", "create", "--product", "ECO", "--customer", "cus_x", "--risk-file", str(tmp_path / "none.json"), code=2)
    assert "file not found" in out
    out = cli("users", "create", "--name", "x", "--role", "wizard", code=2)
    assert "role" in out
    out = cli("policy", "show", "CN404", code=2)
    assert "no such policy" in out


def test_prv1_data_map_export_from_the_command_line(cli, tmp_path):
    target = tmp_path / "map.csv"
    assert "wrote" in cli("privacy", "data-map", "--format", "csv", "--output", str(target))
    assert "customers.name,yes,customer,identity" in target.read_text()
    data = json.loads(cli("privacy", "data-map"))
    assert data["counts"]["personal"] > 50
    assert "use json or csv" in cli("privacy", "data-map", "--format", "xml", code=2)


def test_issue13_item5_pol1_cli_auto_renew_is_a_transaction_and_idempotent(cli, tmp_path):
    """Issue 13 item 5, POL-1: `covernote policy auto-renew` records an `auto_renew` transaction with who
    and why; the same Idempotency-Key again records nothing more."""
    cli("db", "upgrade")
    cli("demo")
    live = next(p for p in json.loads(cli("policy", "list", "--json")) if p["status"] == "live" and p["product_code"] == "ECO")
    was = json.loads(cli("policy", "show", live["number"], "--json"))["auto_renew"]
    args = ("policy", "auto-renew", live["number"], "--on" if not was else "--off", "--reason",
            "customer asked by phone", "--idempotency-key", "cli-auto-renew-1", "--json")
    first = json.loads(cli(*args))
    assert first["auto_renew"] is (not was) and first["transaction_id"]
    again = json.loads(cli(*args))
    assert again["version"] == first["version"]
    history = json.loads(cli("policy", "history", live["number"], "--json"))["transactions"]
    switches = [t for t in history if t["kind"] == "auto_renew"]
    assert [(t["id"], t["reason"], t["details"]) for t in switches] == [
        (first["transaction_id"], "customer asked by phone", {"auto_renew": not was, "was": was})]
    assert "idempotency-key" in cli("policy", "auto-renew", live["number"], "--on", code=2).lower()  # required


def test_issue13_item2_item4_products_check_reports_missing_contacts_and_notice(cli, tmp_path):
    """Issue 13 items 2 and 4: `covernote products check` names the file, field and reason of a product file
    without its contacts or privacy notice."""
    broken = tmp_path / "products"
    shutil.copytree(PRODUCTS, broken)
    text = (broken / "warranty-2025.yaml").read_text()
    (broken / "warranty-2025.yaml").write_text(text[:text.index("\ncontacts:")] + "\n")
    out = cli("products", "check", str(broken), code=2)
    assert "warranty-2025.yaml: contacts: missing" in out
    assert "warranty-2025.yaml: privacy_notice: missing" in out

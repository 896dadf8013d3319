"""PAY-2, FEE-2 from the command line, on SQLite and PostgreSQL: `covernote billing arrears list|pay|run` show a
returned direct debit's case, take the card payment that stops the ladder, and run the daily step; bad input
names the option and exits 2, a declined card exits non-zero and changes nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from covernote import bootstrap
from covernote.billing.usecases.returns import take_step
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.settings import Settings
from tests.integration.test_arrears import Returned

Cli = Callable[..., str]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    yield {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": url}


@pytest.fixture
def cli(env: dict[str, str]) -> Cli:
    from typer.testing import CliRunner

    from covernote.cli.main import app

    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("db", "upgrade")
    return run


def _returned(env: dict[str, str], policy_id: str) -> None:
    """The Bacs side hands over a return (as its collection run will), on the same database."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        ctx = bootstrap.build(Settings.from_env())
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with ctx.uow() as uow:
        take_step(ctx, uow, Returned(new_id("ret"), policy_id, "ins_7", Money.of("48.10"), "B", False, ctx.today()))
        uow.commit()


def _policy(cli: Cli, tmp_path: Path) -> dict[str, str]:
    customer = json.loads(cli("customers", "create", "--name", "Dee", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    vehicle = {"registration": "LS19ABC", "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
               "abi_group": 12, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": 99}
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({"vehicle": vehicle,
                                "drivers": [{"name": "Dee", "date_of_birth": "1980-01-01",
                                             "licence_held_since": "2000-01-01"}],
                                "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key",
                            new_id("cli"), "--json"))
    return {"id": policy["id"], "number": policy["number"]}


def test_pay2_arrears_from_the_command_line(cli: Cli, env: dict[str, str], tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    assert "nothing overdue" in cli("billing", "arrears", "list", "--policy", p["number"])
    _returned(env, p["id"])
    out = cli("billing", "arrears", "list", "--policy", p["number"])
    assert "payment overdue, 68.10 owed" in out and "card_payment" in out and "pay by card by" in out
    listed = json.loads(cli("billing", "arrears", "list", "--json"))
    assert listed["total"] == 1 and listed["cases"][0]["fee"] == "20.00"
    run = cli("billing", "arrears", "run")
    assert "1 letter(s) issued" in run
    report = tmp_path / "arrears.csv"
    cli("billing", "arrears", "list", "--stage", "all", "--format", "csv", "--output", str(report))
    lines = report.read_text().splitlines()
    assert lines[0].startswith("case_id,policy_number") and p["number"] in lines[1] and ",68.10," in lines[1]
    cli("billing", "arrears", "list", "--format", "xml", code=2)
    declined = cli("billing", "arrears", "pay", p["number"], "--token", "tok_insufficient_funds", code=2)
    assert "declined" in declined
    paid = cli("billing", "arrears", "pay", p["number"], "--token", "tok_mastercard", "--idempotency-key", "cli-pay-1")
    assert "Paid 68.10 by card" in paid and "1 case(s) closed" in paid
    assert "nothing overdue" in cli("billing", "arrears", "list", "--policy", p["id"])


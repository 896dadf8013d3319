"""API fixtures: an app over the test context, with staff, admin and customer tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.identity.usecases import create_user
from tests.support import new_customer


class Api:
    def __init__(self, client: TestClient, ctx: Any) -> None:
        self.client = client
        self.ctx = ctx
        _, self.admin = create_user(ctx, "Admin", "admin")
        _, self.staff = create_user(ctx, "Staff", "staff")
        self.customer_id = new_customer(ctx, "Carol Customer")
        _, self.customer = create_user(ctx, "Carol", "customer", self.customer_id)

    def headers(self, token: str | None = None, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {token or self.staff}"}
        if key:
            h["Idempotency-Key"] = key
        return h

    def post(self, path: str, body: Any = None, token: str | None = None, key: str | None = None) -> Any:
        return self.client.post(path, json=body, headers=self.headers(token, key))

    def get(self, path: str, token: str | None = None) -> Any:
        return self.client.get(path, headers=self.headers(token))


@pytest.fixture
def api(ctx) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        yield Api(client, ctx)


def risk_body(reg: str = "AB12 CDE", mileage: int = 8000, ncd: int = 5) -> dict[str, Any]:
    return {"vehicle": {"registration": reg, "make": "Ford", "model": "Focus", "year": 2020, "value": "12000",
                        "abi_group": 18, "co2_gkm": 120},
            "drivers": [{"driver_id": "d1", "name": "Carol Customer", "date_of_birth": "1984-03-04",
                         "licence_held_since": "2003-06-01"}],
            "postcode": "LS1 5HD", "answers": {"annual_mileage": mileage, "ncd_years": ncd}}


def quote_body(customer_id: str | None, start: str = "2026-11-22", product: str = "ECO", **risk: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"product_code": product, "start_date": start, "risk": risk_body(**risk)}
    if customer_id:
        body["customer_id"] = customer_id
    return body


def field_names(r: Any) -> set[str]:
    """The fields a problem document names."""
    return {e["field"] for e in r.json().get("errors", [])}


def proof_body(api: Any, **changes: Any) -> dict[str, Any]:
    """A proof of NCD (NCD-1) that passes every condition, with `changes` applied. A renewal notice comes
    before the renewal date: changing only the issue date moves the end date with it."""
    today = api.ctx.today()
    body = {"kind": "renewal_notice", "insurer": "Previous Insurer plc", "ncd_years": 4,
            "ended_on": (today - timedelta(days=2)).isoformat(), "registration": "AB12 CDE", "country": "UK",
            "issued_on": (today - timedelta(days=40)).isoformat(), "previous_policy_number": "OLD-77"}
    if changes.get("issued_on") and "ended_on" not in changes:
        changes["ended_on"] = (date.fromisoformat(changes["issued_on"]) + timedelta(days=27)).isoformat()
    body.update(changes)
    return body


Cli = Callable[..., str]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Cli:
    """The command line on a fresh database (SQLite, and PostgreSQL where configured), as a user runs it:
    `cli("policy", "list")` gives the output; `code=` the exit status expected."""
    from typer.testing import CliRunner

    from covernote.cli.main import app

    url = f"sqlite:///{tmp_path / 'cli.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": url}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("db", "upgrade")
    return run

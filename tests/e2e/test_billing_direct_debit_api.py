"""Direct debit through REST and the command line (PAY-6): staff run the day's jobs (lodge, notices, collect,
reports), read the collections and returns (JSON and CSV), a customer reads their own policy's direct debit and
may not run the jobs; `covernote billing dd ...` does the same from the command line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from covernote.billing.adapters.bureau import SimulatedBacsBureau
from covernote.billing.cli import direct_debit as dd_cli
from covernote.cli.main import app
from covernote.identity.usecases import create_user
from covernote.kernel.clock import FixedClock
from covernote.platform.context import AppContext
from tests.e2e.conftest import Api
from tests.integration.test_billing_direct_debit import MON, day, dd_plan


@pytest.fixture
def dd_api(api: Api) -> Api:
    api.ctx.bacs = SimulatedBacsBureau(today=api.ctx.today)
    return api


def test_pay6_staff_run_the_jobs_and_read_the_reports_over_rest(dd_api: Api, clock: FixedClock) -> None:
    ctx = dd_api.ctx
    plan = dd_plan(ctx, "12340000", [(date(2026, 12, 1), 4567), (date(2027, 1, 1), 4500)])
    day(clock, MON)
    r = dd_api.post("/direct-debit/lodgements", {})
    assert r.status_code == 200 and r.json()["lodged"] == 1 and r.json()["status"] == "submitted"
    r = dd_api.post("/direct-debit/notices", {"as_of": MON.isoformat()})
    assert r.status_code == 200 and r.json()["notices"] == 2 and r.json()["notice_working_days"] == 10
    day(clock, date(2026, 12, 3))
    r = dd_api.post("/direct-debit/collections")
    assert r.status_code == 200 and (r.json()["collected"], r.json()["total"]) == (1, "45.67")
    day(clock, date(2026, 12, 8))
    r = dd_api.post("/direct-debit/reports", {})
    assert r.status_code == 200 and r.json()["returns"] == 1

    r = dd_api.get("/direct-debit/collections?from=2026-12-01&to=2026-12-31")
    assert r.status_code == 200 and [c["status"] for c in r.json()] == ["returned"]
    r = dd_api.get("/direct-debit/collections?from=2026-12-01&to=2026-12-31&format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(r.text)))
    assert (row["amount"], row["transaction_code"], row["entry_on"]) == ("45.67", "01", "2026-12-07")
    r = dd_api.get("/direct-debit/returns?status=handled")
    assert [(x["reason_code"], x["reason"], x["re_presentable"]) for x in r.json()] == [("0", "refer to payer", True)]
    assert dd_api.get("/direct-debit/returns?status=lost").status_code == 422
    assert dd_api.get("/direct-debit/collections?from=2026-12-31&to=2026-12-01").status_code == 422

    view = dd_api.get(f"/policies/{plan['policy']['id']}/direct-debit").json()
    assert view["mandates"][0]["reference"].endswith("/01") and len(view["notices"]) == 2
    assert view["collections"][0]["reversal_entry_id"] and view["returns"][0]["kind"] == "ARUDD"


def test_pay6_customers_read_their_own_and_run_nothing(dd_api: Api, clock: FixedClock) -> None:
    ctx = dd_api.ctx
    plan = dd_plan(ctx, "12345678", [(date(2026, 12, 10), 1000)])
    owner = plan["customer_id"]
    _, token = create_user(ctx, "Owner", "customer", owner)
    assert dd_api.get(f"/policies/{plan['policy']['id']}/direct-debit", token).status_code == 200
    assert dd_api.get(f"/policies/{plan['policy']['id']}/direct-debit", dd_api.customer).status_code == 404
    for path in ("/direct-debit/lodgements", "/direct-debit/notices", "/direct-debit/collections",
                 "/direct-debit/reports"):
        r = dd_api.post(path, {}, token)
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert dd_api.post("/direct-debit/lodgements", {"as_of": "2026-13-01"}).status_code == 422
    assert dd_api.post("/direct-debit/lodgements", {"unknown": 1}).status_code == 422


def test_pay6_no_bureau_configured_is_a_503(dd_api: Api) -> None:
    dd_api.ctx.bacs = None
    r = dd_api.post("/direct-debit/reports", {})
    assert r.status_code == 503 and "Bacs bureau" in r.json()["detail"]


Cli = Callable[..., str]


@pytest.fixture
def cli(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    ctx.bacs = SimulatedBacsBureau(today=ctx.today)
    monkeypatch.setattr(dd_cli, "context", lambda migrate=False: ctx)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout if "--json" in args else result.output

    yield run


def test_pay6_the_day_from_the_command_line(cli: Cli, ctx: AppContext, clock: FixedClock, tmp_path: Any) -> None:
    dd_plan(ctx, "12340000", [(date(2026, 12, 1), 4567)])
    day(clock, MON)
    assert "1 mandates made, 1 lodged" in cli("billing", "dd", "lodge")
    notices = json.loads(cli("billing", "dd", "notices", "--json"))
    assert notices["notices"] == 1 and notices["letters"] == 1
    out = cli("billing", "dd", "collect", "--as-of", "2026-12-03")
    assert "1 collections, 45.67 GBP, entry day 2026-12-07; submitted" in out
    assert "not_a_working_day" in cli("billing", "dd", "collect", "--as-of", "2026-12-05")
    day(clock, date(2026, 12, 8))
    assert "1 returns" in cli("billing", "dd", "returns")
    target = tmp_path / "returns.csv"
    cli("billing", "dd", "report", "returns", "--format", "csv", "--output", str(target))
    assert target.read_text().splitlines()[1].split(",")[1:5] == ["ARUDD", dd_reference(ctx), "0", "refer to payer"]
    assert "needs a period" in cli("billing", "dd", "report", "collections", code=2)
    assert "unknown report" in cli("billing", "dd", "report", "nothing", code=2)
    assert "2026-12-07" in cli("billing", "dd", "report", "collections", "--from", "2026-12-01", "--to", "2026-12-31")


def dd_reference(ctx: AppContext) -> str:
    with ctx.uow(read_only=True) as uow:
        return uow.direct_debit.mandates()[0].reference


def test_pay6_the_json_lists_are_paged(dd_api: Api, clock: FixedClock) -> None:
    ctx = dd_api.ctx
    for n in range(3):
        dd_plan(ctx, f"{n}2340000", [(date(2026, 12, 1), 1000 + n)])  # accounts ending 0000: each returned
    day(clock, MON)
    dd_api.post("/direct-debit/lodgements", {})
    dd_api.post("/direct-debit/notices", {})
    day(clock, date(2026, 12, 3))
    assert dd_api.post("/direct-debit/collections").json()["collected"] == 3
    page = dd_api.get("/direct-debit/collections?from=2026-12-01&to=2026-12-31&limit=2").json()
    rest = dd_api.get("/direct-debit/collections?from=2026-12-01&to=2026-12-31&limit=2&offset=2").json()
    assert len(page) == 2 and len(rest) == 1 and {c["id"] for c in page}.isdisjoint(c["id"] for c in rest)
    day(clock, date(2026, 12, 8))
    dd_api.post("/direct-debit/reports", {})
    assert len(dd_api.get("/direct-debit/returns?limit=1&offset=1").json()) == 1
    assert len(dd_api.get("/direct-debit/returns?format=csv&limit=1").text.splitlines()) == 4  # CSV: all
    assert dd_api.get("/direct-debit/returns?limit=0").status_code == 422

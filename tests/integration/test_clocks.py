"""The clock engine through its use cases and the REST API, on SQLite and PostgreSQL (issue 5 part 1):
deadlines started in a unit of work, the due-soon and overdue report, team figures, pause and resume,
one deadline with its working; staff only; problems name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.clocks import usecases as clocks
from covernote.identity.usecases import Principal, create_user
from covernote.kernel.calendar import Nation
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import Forbidden, ValidationFailed
from tests.support import new_customer

STAFF = Principal("usr_staff", "staff")


def _start(ctx: Any, rule: str, subject: str, at: datetime, team: str | None = None,
           nation: Nation = Nation.ENGLAND_AND_WALES, customer_id: str | None = None) -> str:
    with ctx.uow() as uow:
        d = clocks.start(uow, rule, "test", subject, at, team=team, nation=nation, customer_id=customer_id)
        uow.commit()
    return d.deadline_id


def test_cmp2_clm2_report_lists_overdue_and_due_soon_and_figures_count_per_team(db_ctx, clock):
    """CMP-2, CLM-2: the report shows what is overdue now and due within the window, soonest first; the
    figures count met on time, breached and open per team."""
    now = db_ctx.clock.now()
    cust = new_customer(db_ctx)
    late = _start(db_ctx, "complaint.acknowledgement", "c1", now - timedelta(days=10), team="complaints_claims",
                  customer_id=cust)
    soon = _start(db_ctx, "claim.settlement_payment", "k1", now - timedelta(hours=20))
    later = _start(db_ctx, "complaint.final_response", "c1", now, team="complaints_claims")
    on_time = _start(db_ctx, "claim.correspondence_reply", "k2", now - timedelta(days=1))
    with db_ctx.uow() as uow:
        clocks.meet(uow, "test", "k2", "claim.correspondence_reply", now)
        uow.commit()
    r = clocks.report(db_ctx, STAFF, within_hours=48)
    assert [d["id"] for d in r["overdue"]] == [late] and r["overdue"][0]["breached"]
    assert [d["id"] for d in r["due_soon"]] == [soon]
    assert later not in {d["id"] for d in r["overdue"] + r["due_soon"]}
    teams = {t["team"]: t for t in clocks.figures(db_ctx, STAFF)["teams"]}
    assert (teams["complaints_claims"]["breached"], teams["complaints_claims"]["open"]) == (1, 1)
    assert (teams["claims"]["met_on_time"], teams["claims"]["open"], teams["claims"]["due_soon"]) == (1, 1, 1)
    assert clocks.report(db_ctx, STAFF, team="claims")["overdue"] == []
    with pytest.raises(ValidationFailed) as exc:
        clocks.report(db_ctx, STAFF, team="nobody")
    assert exc.value.issues[0].field == "team"
    with pytest.raises(Forbidden):
        clocks.report(db_ctx, Principal("usr_c", "customer", cust))
    assert on_time


def test_a_pause_moves_the_due_date_and_the_stored_row_keeps_up(db_ctx, clock):
    """CLM-2: the 24-hour payment clock stands still while paused (bank details wrong, say) and is due that much
    later, as stored and as reported; a regulator's clock cannot be paused at all."""
    start = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    clock.set(start)
    dl = _start(db_ctx, "claim.settlement_payment", "k9", start)
    assert clocks.get(db_ctx, STAFF, dl)["due_at"] == (start + timedelta(hours=24)).astimezone(UTC).isoformat()
    clock.set(start + timedelta(hours=2))
    paused = clocks.pause(db_ctx, STAFF, dl, "the payee's bank details were refused")
    assert paused["state"] == "paused"
    clock.set(start + timedelta(hours=5))
    resumed = clocks.resume(db_ctx, STAFF, dl)
    assert resumed["due_at"] == (start + timedelta(hours=27)).astimezone(UTC).isoformat()
    with db_ctx.uow(read_only=True) as uow:
        assert uow.deadlines.open_due_by(start + timedelta(hours=26, minutes=59), None, 10) == []
    with pytest.raises(ValidationFailed) as exc:
        clocks.resume(db_ctx, STAFF, dl)
    assert exc.value.issues[0].field == "resumed_at"
    ack = _start(db_ctx, "complaint.acknowledgement", "c9", start)
    with pytest.raises(ValidationFailed) as exc:
        clocks.pause(db_ctx, STAFF, ack, "waiting for the complainant's details")
    assert exc.value.issues[0].field == "deadline_id"


def test_the_clock_api_and_its_problems(ctx, clock):
    """The REST resources: rules, report, figures, one deadline, pause and resume; 404 and 422 name fields."""
    _, staff = create_user(ctx, "Staff", "staff")
    client = TestClient(create_app(ctx))
    h = {"Authorization": f"Bearer {staff}"}
    dl = _start(ctx, "complaint.acknowledgement", "c5", ctx.clock.now() - timedelta(days=8))
    assert {r["code"] for r in client.get("/clocks/rules", headers=h).json()} >= {"complaint.final_response",
                                                                                   "claim.settlement_payment"}
    report = client.get("/clocks/report?within_hours=24", headers=h).json()
    assert [d["id"] for d in report["overdue"]] == [dl]
    assert client.get("/clocks/figures?team=complaints_sales_service", headers=h).json()["teams"][0]["breached"] == 1
    one = client.get(f"/clocks/{dl}", headers=h).json()
    assert one["state"] == "overdue" and one["explanation"][0].startswith("Started")
    bad = client.post(f"/clocks/{dl}/pause", json={"reason": ""}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason"
    refused = client.post(f"/clocks/{dl}/pause", json={"reason": "waiting"}, headers=h)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "deadline_id"
    missing = client.get("/clocks/dl_nope", headers=h)
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "deadline_id"
    window = client.get("/clocks/report?within_hours=-1", headers=h)
    assert window.status_code == 422 and window.json()["errors"][0]["field"] == "within_hours"
    figures = client.get("/clocks/figures?from=2026-12-10&to=2026-12-01", headers=h)
    assert figures.status_code == 422 and figures.json()["errors"][0]["field"] == "to"


def test_the_clock_cli_reports_and_fails_naming_the_option(ctx, monkeypatch):
    """`covernote clocks report|figures|show|pause|resume|rules`; bad input exits non-zero naming it."""
    from typer.testing import CliRunner

    from covernote.cli.main import app
    from covernote.clocks import cli as clocks_cli

    monkeypatch.setattr(clocks_cli, "context", lambda migrate=False: ctx)
    runner = CliRunner()
    dl = _start(ctx, "complaint.acknowledgement", "c7", ctx.clock.now() - timedelta(days=9))
    out = runner.invoke(app, ["clocks", "report"])
    assert out.exit_code == 0 and "OVERDUE" in out.stdout and dl in out.stdout
    figures = runner.invoke(app, ["clocks", "figures"])
    assert figures.exit_code == 0 and "complaints_sales_service" in figures.stdout
    shown = runner.invoke(app, ["clocks", "show", dl])
    assert shown.exit_code == 0 and "5 working days" in shown.stdout
    assert "complaint.final_response" in runner.invoke(app, ["clocks", "rules"]).stdout
    bad = runner.invoke(app, ["clocks", "figures", "--from", "someday"])
    assert bad.exit_code != 0 and "--from" in bad.output
    unknown = runner.invoke(app, ["clocks", "show", "dl_nope"])
    assert unknown.exit_code != 0 and "deadline_id" in unknown.output

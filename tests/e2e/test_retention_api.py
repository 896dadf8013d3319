"""PRV-1, PRV-5, UX-1, UX-3: retention and the record of processing over HTTP and from the command line:
the sweep (DPO or administrator), its runs, dealership settings, the record of processing as JSON and CSV,
and reading people and policies after the sweep anonymised them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covernote.cli.main import app
from covernote.identity.usecases import create_user
from covernote.kernel.clock import FixedClock
from tests.e2e.conftest import Api, quote_body


@pytest.fixture
def dpo(api: Api) -> str:
    return create_user(api.ctx, "Dee Pio", "dpo")[1]


def put(api: Api, path: str, body: Any, token: str) -> Any:
    return api.client.put(path, json=body, headers=api.headers(token))


def errors(response: Any) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [e["field"] for e in response.json().get("errors", [])]


def old_policy(api: Api, clock: FixedClock) -> dict[str, Any]:
    """An ECO policy sold on 2025-03-01 (ended 2026-03-01), with the clock then moved to 2033-06-01."""
    clock.set(datetime(2025, 3, 1, 10, tzinfo=UTC))
    q = api.post("/quotes", quote_body(api.customer_id, start="2025-03-01"))
    assert q.status_code == 201, q.text
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key="bind-old-0001")
    assert p.status_code == 201, p.text
    clock.set(datetime(2033, 6, 1, 10, tzinfo=UTC))
    return p.json()  # type: ignore[no-any-return]


def test_prv5_sweep_over_http_by_the_dpo_then_runs(api: Api, dpo: str, clock: FixedClock) -> None:
    policy = old_policy(api, clock)
    dry = api.post("/privacy/retention/sweep", {"dry_run": True}, token=dpo)
    assert dry.status_code == 200, dry.text
    assert dry.json()["status"] == "dry_run" and dry.json()["report"]["totals"]["done"]["policy:anonymise"] == 1
    assert api.get("/privacy/retention/runs").json() == []
    done = api.post("/privacy/retention/sweep", {"batch_size": 10}, token=dpo)
    assert done.status_code == 200, done.text
    run = done.json()
    assert run["report"]["totals"]["done"]["policy:anonymise"] == 1
    listed = api.get("/privacy/retention/runs")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [run["id"]]
    assert api.get(f"/privacy/retention/runs/{run['id']}").json()["report"] == run["report"]
    assert api.get("/privacy/retention/runs/ret_nope").status_code == 404
    again = api.post("/privacy/retention/sweep", None, token=api.admin)  # no body: today, a real run
    assert again.status_code == 200 and set(again.json()["report"]["totals"]["done"].values()) == {0}
    # the anonymised person reads back without error, and says nothing about them
    customer = api.get(f"/customers/{policy['customer_id']}")
    assert customer.status_code == 200, customer.text
    assert customer.json()["name"].startswith("h:") and customer.json()["date_of_birth"] is None


def test_prv5_an_anonymised_policy_reads_back_without_error(api: Api, dpo: str, clock: FixedClock) -> None:
    policy = old_policy(api, clock)
    assert api.post("/privacy/retention/sweep", {}, token=dpo).status_code == 200
    for path in (f"/policies/{policy['id']}", "/policies", f"/policies/{policy['id']}/history"):
        assert api.get(path).status_code == 200, path
    assert api.get(f"/policies/{policy['id']}").json()["status"] == "anonymised"
    # nothing more can be done with it: a change is a 409 naming the policy, not a 500
    r = api.post(f"/policies/{policy['id']}/cancellations", {"effective_date": api.ctx.today().isoformat(),
                                                             "reason": "test"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "policy_id", r.json()


def test_prv5_sweep_refusals_name_the_field(api: Api, dpo: str) -> None:
    tomorrow = (api.ctx.today() + timedelta(days=1)).isoformat()
    r = api.post("/privacy/retention/sweep", {"as_of": tomorrow}, token=dpo)
    assert r.status_code == 422 and errors(r) == ["as_of"]
    r = api.post("/privacy/retention/sweep", {"batch_size": 0}, token=dpo)
    assert r.status_code == 422 and errors(r) == ["batch_size"]
    r = api.post("/privacy/retention/sweep", {"dry_run": "perhaps"}, token=dpo)
    assert r.status_code == 422 and errors(r) == ["dry_run"]
    r = api.post("/privacy/retention/sweep", {"colour": "blue"}, token=dpo)
    assert r.status_code == 422 and errors(r) == ["colour"]
    assert api.post("/privacy/retention/sweep", {}, token=api.staff).status_code == 403
    assert api.post("/privacy/retention/sweep", {}, token=api.customer).status_code == 403
    assert api.get("/privacy/retention/runs", token=api.customer).status_code == 403
    assert api.client.post("/privacy/retention/sweep", json={}).status_code == 401


def test_prv5_dealership_settings_over_http(api: Api, dpo: str) -> None:
    r = put(api, "/privacy/retention-settings/dealer-leeds/FullCycle", {"years": 3}, dpo)
    assert r.status_code == 200, r.text
    assert r.json()["rule"] == "3 years + current year after last contact, then delete"
    r = put(api, "/privacy/retention-settings/dealer-leeds/FullCycle", {"years": 8}, dpo)
    assert r.status_code == 422 and errors(r) == ["years"]
    assert "8 years is outside 1 to 7 years" in r.json()["errors"][0]["reason"]
    r = put(api, "/privacy/retention-settings/dealer-leeds/FullCycle", {"years": "three"}, dpo)
    assert r.status_code == 422 and errors(r) == ["years"]
    r = put(api, "/privacy/retention-settings/dealer-leeds/FullCover", {"years": 3}, dpo)
    assert r.status_code == 404 and errors(r) == ["category"]
    assert put(api, "/privacy/retention-settings/dealer-leeds/FullCycle", {"years": 3}, api.staff).status_code == 403
    listed = api.get("/privacy/retention-settings")
    assert listed.status_code == 200
    assert [(s["dealership_id"], s["category"], s["years"]) for s in listed.json()["settings"]] == [
        ("dealer-leeds", "FullCycle", 3)]
    assert {c["category"] for c in listed.json()["categories"]} == {"FullCycle", "FullAuction", "FullAppraisal"}


def test_prv1_record_of_processing_over_http(api: Api) -> None:
    r = api.get("/privacy/record-of-processing?product=FULLCOVER")
    assert r.status_code == 200, r.text
    table = r.json()["products"][0]["retention_table"]
    assert (table[0]["product"], table[0]["retention_period"]) == ("FullCover", "7 Years + current year")
    r = api.get("/privacy/record-of-processing?product=WARRANTY&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {(x["item"], x["period"]) for x in rows if x["section"] == "retention"} >= {
        ("billing", "10 years after policy ended, then anonymise"), ("cookies", "13 months after cookie set, then delete")}
    everything = api.get("/privacy/record-of-processing").json()
    assert [p["product"]["code"] for p in everything["products"]] == ["ECO", "FULLCOVER", "WARRANTY", "YOUNG_DRIVER"]
    r = api.get("/privacy/record-of-processing?product=NOPE")
    assert r.status_code == 404 and errors(r) == ["product"]
    r = api.get("/privacy/record-of-processing?format=xml")
    assert r.status_code == 422 and errors(r) == ["format"]
    assert api.get("/privacy/record-of-processing", token=api.customer).status_code == 403


def test_ux1_retention_endpoints_are_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert {"/privacy/retention/sweep", "/privacy/retention/runs", "/privacy/retention/runs/{run_id}",
            "/privacy/retention-settings", "/privacy/retention-settings/{dealership_id}/{category}",
            "/privacy/record-of-processing"} <= set(paths)


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("db", "upgrade")
    return run


def test_ux3_sweep_from_the_command_line_with_a_report_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("demo")
    dry = json.loads(cli("privacy", "sweep", "--dry-run", "--json"))
    assert dry["status"] == "dry_run" and dry["report"]["dry_run"] is True
    assert "no retention runs yet" in cli("privacy", "retention", "runs")
    report = tmp_path / "sweep.json"
    out = cli("privacy", "sweep", "--batch", "50", "--report", str(report))
    assert "retention run ret_" in out and "no records of this category are held" in out
    saved = json.loads(report.read_text())
    assert saved["status"] == "finished" and saved["report"]["batch_size"] == 50
    runs = json.loads(cli("privacy", "retention", "runs", "--json"))
    assert [r["id"] for r in runs] == [saved["id"]]
    assert saved["id"] in cli("privacy", "retention", "show", saved["id"])
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "as_of" in cli("privacy", "sweep", "--as-of", tomorrow, code=2)
    assert "as_of" in cli("privacy", "sweep", "--as-of", "someday", code=2)
    assert "batch_size" in cli("privacy", "sweep", "--batch", "0", code=2)


def test_ux3_dealership_settings_and_record_of_processing_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("privacy", "retention", "set", "dealer-york", "FullAuction", "--years", "2")
    assert "2 years + current year" in out
    assert "years" in cli("privacy", "retention", "set", "dealer-york", "FullAuction", "--years", "9", code=2)
    settings = json.loads(cli("privacy", "retention", "settings", "--json"))
    assert settings["settings"][0]["years"] == 2
    target = tmp_path / "ropa.csv"
    assert "wrote" in cli("privacy", "record-of-processing", "--product", "FULLCOVER", "--format", "csv",
                          "--output", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert ("FullCompliance", "6 Years + current year") in {(r["item"], r["period"]) for r in rows}
    assert ("dealer-york/FullAuction", "2 years") in {(r["item"], r["detail"]) for r in rows}
    data = json.loads(cli("privacy", "record-of-processing", "--product", "ECO"))
    assert data["products"][0]["product"]["code"] == "ECO"
    assert "format" in cli("privacy", "record-of-processing", "--format", "xml", code=2)


def test_ux3_jobs_daily_runs_every_daily_job_once(cli) -> None:  # type: ignore[no-untyped-def]
    result = json.loads(cli("jobs", "daily", "--json"))
    assert result["ok"] and list(result["jobs"]) == ["renewal_invitations", "auto_renewals", "telematics_devices", "telematics_scoring", "telematics_reviews", "documents_issue", "payment_notices", "dd_lodge", "dd_notices", "dd_collect", "dd_reports", "arrears", "complaints_eight_week", "fraud_recheck", "mid_send", "cue_send",
        "retention_sweep"]
    assert "retention_sweep" in cli("jobs", "daily")
    assert len(json.loads(cli("privacy", "retention", "runs", "--json"))) == 2
    assert "as_of" in cli("jobs", "daily", "--as-of", "2999-01-01", code=2)

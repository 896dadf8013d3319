"""`covernote complaints ...` and `covernote jobs complaints-eight-week` (CMP-1..5, DOC-2), on SQLite and
PostgreSQL: each prints a summary (--json for the record); bad input names the option and exits non-zero.
The commands run against the test context, so its fixed clock can be moved past the deadlines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import covernote.complaints.cli as complaints_cli
from covernote.cli.main import app
from covernote.kernel.clock import LONDON


@pytest.fixture
def cli(db_ctx, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(complaints_cli, "context", lambda migrate=False: db_ctx)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout if "--json" in args else result.output

    return run


ADD = ("complaints", "add", "--kind", "sales_service", "--description", "The renewal price was not explained",
       "--name", "Dee Example", "--address", "4 Lane, Glasgow", "--postcode", "G1 1AA", "--phone", "0141 496 0000")


def test_cmp1_cmp2_add_acknowledge_and_print_the_letter_from_the_command_line(cli, db_ctx, tmp_path: Path):
    out = cli(*ADD)
    assert "RECEIVED" in out and "complaints_sales_service" in out and "complaint.acknowledgement" in out
    c = json.loads(cli(*ADD, "--received-at", "2026-11-20T09:30", "--json"))
    assert c["received_at"] == "2026-11-20T09:30:00+00:00" and c["nation"] == "SCT"
    done = json.loads(cli("complaints", "acknowledge", c["id"], "--json"))
    assert done["status"] == "acknowledged" and done["letters"][0]["kind"] == "acknowledgement"
    letter_id = done["letters"][0]["id"]
    assert "Dear Dee Example," in cli("complaints", "letter", c["id"], letter_id)
    page = tmp_path / "ack.html"
    assert "wrote" in cli("complaints", "letter", c["id"], letter_id, "--format", "html", "--output", str(page))
    assert "<h1>Acknowledgement of your complaint</h1>" in page.read_text()
    assert letter_id in cli("complaints", "letters", c["id"])
    assert c["id"] in cli("complaints", "list", "--status", "acknowledged")
    shown = cli("complaints", "show", c["id"])
    assert "met_on_time" in shown and "complaint.final_response" in shown


def test_cmp1_bad_input_names_the_option_and_exits_non_zero(cli):
    out = cli("complaints", "add", "--kind", "pricing", "--description", "x", "--name", "", "--address", "a",
              code=2)
    assert "kind:" in out and "name:" in out
    assert "--received-at" in cli(*ADD, "--received-at", "last week", code=2)
    assert "complaint_id:" in cli("complaints", "show", "cmp_nope", code=2)
    assert "--format" in cli("complaints", "report", "--format", "pdf", code=2)
    assert "--from" in cli("complaints", "report", "--from", "yesterday", code=2)
    c = json.loads(cli(*ADD, "--json"))
    assert "outcome:" in cli("complaints", "final-response", c["id"], "--outcome", "won", "--explanation", "x",
                             "--root-cause", "communication", code=2)
    assert "format:" in cli("complaints", "format", c["id"], "vinyl", code=2)


def test_cmp3_cmp4_resolve_final_response_format_withdraw_and_report_from_the_command_line(cli, tmp_path: Path):
    quick = json.loads(cli(*ADD, "--json"))
    assert "resolved" in json.loads(cli("complaints", "resolve", quick["id"], "--resolution", "Explained it",
                                        "--root-cause", "communication", "--json"))["status"]
    full = json.loads(cli(*ADD, "--alternative-format", "large_print", "--json"))
    assert json.loads(cli("complaints", "format", full["id"], "braille", "--json"))["alternative_format"] == "braille"
    out = json.loads(cli("complaints", "final-response", full["id"], "--outcome", "not_upheld", "--explanation",
                         "The price follows your risk", "--root-cause", "premium_or_price", "--json"))
    assert out["letters"][0]["format"] == "braille" and out["letters"][0]["production"] == "provider"
    gone = json.loads(cli(*ADD, "--json"))
    assert json.loads(cli("complaints", "withdraw", gone["id"], "--reason", "sorted", "--json"))["status"] == \
        "withdrawn"
    text = cli("complaints", "report")
    assert "Complaints received ever to now" in text and "by root_cause:" in text
    data = json.loads(cli("complaints", "report", "--format", "json"))
    assert data["total"]["complaints"] == 3 and data["total"]["summary_resolutions"] == 1
    csv_file = tmp_path / "report.csv"
    cli("complaints", "report", "--format", "csv", "--output", str(csv_file))
    assert csv_file.read_text().splitlines()[-1].startswith("total,all,3,0,3,1,1,1,0,0.00")
    assert "premium_or_price" in {r["code"] for r in json.loads(cli("complaints", "codes", "--json"))["root_causes"]}


def test_cmp3_the_eight_week_job_from_the_command_line_sends_once(cli, db_ctx):
    db_ctx.clock.set(datetime(2026, 10, 1, 10, tzinfo=LONDON).astimezone(UTC))
    c = json.loads(cli(*ADD, "--json"))
    db_ctx.clock.set(datetime.combine(date(2026, 11, 27), datetime.min.time(), tzinfo=LONDON).astimezone(UTC))
    first = json.loads(cli("jobs", "complaints-eight-week", "--json"))
    assert [s["complaint_id"] for s in first["sent"]] == [c["id"]]
    assert "0 sent" in cli("jobs", "complaints-eight-week")


def test_issue14_doc2_a_complaints_letters_are_listed_as_documents_and_their_pdf_written(
        cli, db_ctx, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import covernote.documents.cli as documents_cli

    monkeypatch.setattr(documents_cli, "context", lambda migrate=False: db_ctx)
    c = json.loads(cli(*ADD, "--json"))
    letter_id = json.loads(cli("complaints", "acknowledge", c["id"], "--json"))["letters"][0]["id"]
    listed = json.loads(cli("complaints", "documents", c["id"], "--json"))
    assert [(d["kind"], d["subject"]) for d in listed["documents"]] == [("complaint_letter", letter_id)]
    assert letter_id in cli("complaints", "documents", c["id"])
    pdf = tmp_path / "ack.pdf"
    out = cli("documents", "get", listed["documents"][0]["id"], "--format", "pdf", "--out", str(pdf))
    assert "sha256" in out and pdf.read_bytes().startswith(b"%PDF")
    assert "no complaint" in cli("complaints", "documents", "cmp_nosuch", code=2).lower()

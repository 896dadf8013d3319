"""`covernote ncd proof|status|reviews|letter` and `covernote policy incident` (NCD-1, NCD-2, issue 4 part
4): each prints a summary (--json for the record), and bad input names the option and exits 2. The
commands run against the test context (fixed clock) so a policy can be taken past its end."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

import covernote.documents.cli as documents_cli
import covernote.lifecycle.cli as lifecycle_cli
import covernote.ncd.cli as ncd_cli
from covernote.cli.main import app
from tests.support import bind


@pytest.fixture
def cli(ctx, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ncd_cli, "context", lambda migrate=False: ctx)
    monkeypatch.setattr(lifecycle_cli, "context", lambda migrate=False: ctx)
    monkeypatch.setattr(documents_cli, "context", lambda migrate=False: ctx)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout if "--json" in args else result.output  # JSON alone, without messages on stderr

    return run


def _proof_args(ctx, **over: str) -> list[str]:  # type: ignore[no-untyped-def]
    today = ctx.today()
    args = {"--kind": "insurer_letter", "--insurer": "Previous Insurer plc", "--years": "3",
            "--ended-on": (today - timedelta(days=5)).isoformat(), "--registration": "AB12CDE", "--country": "UK",
            "--issued-on": (today - timedelta(days=10)).isoformat()}
    args.update(over)
    return [x for kv in args.items() for x in kv]


def test_ncd1_proof_add_show_decide_and_status_from_the_command_line(ctx, cli):
    pol = bind(ctx)
    out = cli("ncd", "proof", "add", "--policy", pol["number"], *_proof_args(ctx))
    assert "ACCEPTED" in out and "ok   issued_on" in out
    proof = json.loads(cli("ncd", "proof", "add", "--policy", pol["id"], *_proof_args(ctx, **{"--country": "Malta"}),
                           "--json", code=1))  # recorded, and rejected: exit 1
    assert proof["status"] == "rejected" and proof["errors"][0]["field"] == "country"
    assert "FAIL country: earned in Malta" in cli("ncd", "proof", "show", proof["id"])
    assert "REJECTED" in cli("ncd", "proof", "list", "--status", "rejected")
    decided = cli("ncd", "proof", "decide", proof["id"], "--reject", "--note", "Maltese NCD")
    assert "decided by cli:" in decided and "Maltese NCD" in decided
    status = cli("ncd", "status", "--policy", pol["id"])
    assert status.startswith("NCD 5 years (70% discount): proven  NEEDS REVIEW")
    assert pol["number"] in cli("ncd", "reviews")
    assert "--quote/--policy: give exactly one" in cli("ncd", "proof", "add", *_proof_args(ctx), code=2)
    assert "--ended-on: use YYYY-MM-DD" in cli("ncd", "proof", "add", "--policy", pol["id"],
                                               *_proof_args(ctx, **{"--ended-on": "last week"}), code=2)
    assert "kind: must be one of" in cli("ncd", "proof", "add", "--policy", pol["id"],
                                         *_proof_args(ctx, **{"--kind": "email"}), code=2)


def test_ncd2_policy_incident_records_the_claim_type(ctx, cli):
    pol = bind(ctx)
    day = ctx.today().isoformat()
    out = cli("policy", "incident", pol["id"], "--occurred-on", day, "--claim-type", "windscreen_or_glass")
    assert out.startswith(f"claim recorded: windscreen_or_glass on {day}")
    assert "claim_type: must be one of" in cli("policy", "incident", pol["id"], "--occurred-on", day,
                                               "--claim-type", "meteor", code=2)


def test_ncd_letter_from_the_command_line(ctx, cli, clock, tmp_path: Path):
    pol = bind(ctx)
    assert "policy_id: ask from" in cli("ncd", "letter", pol["id"], code=2)
    clock.set_date(date.fromisoformat(pol["current_term"]["end_date"]) + timedelta(days=1))
    text = cli("ncd", "letter", pol["number"])
    assert "PROOF OF NO-CLAIMS DISCOUNT" in text and "No-claims discount: 6 years" in text
    assert json.loads(cli("ncd", "letter", pol["id"], "--format", "json"))["ncd_years"] == 6
    page = tmp_path / "letter.html"
    assert "wrote" in cli("ncd", "letter", pol["id"], "--format", "html", "--output", str(page))
    assert pol["number"] in page.read_text(encoding="utf-8")
    # Issue 14: pdf is now a format (tested below); another is refused naming --format.
    assert "--format: use text, json, html or pdf" in cli("ncd", "letter", pol["id"], "--format", "docx", code=2)


def test_issue14_doc1_ncd_letter_as_pdf_from_the_command_line(ctx, cli, clock, tmp_path: Path):
    """Issue 14, DOC-1: `covernote ncd letter POLICY --format pdf --output FILE` writes the letter's PDF, issued
    as one of the policy's documents (listed by `documents list`); without --output it is refused."""
    pol = bind(ctx)
    clock.set_date(date.fromisoformat(pol["current_term"]["end_date"]) + timedelta(days=1))
    assert "--output: give the file to write" in cli("ncd", "letter", pol["id"], "--format", "pdf", code=2)
    out = tmp_path / "ncd.pdf"
    said = cli("ncd", "letter", pol["number"], "--format", "pdf", "--output", str(out))
    assert "wrote" in said and "sha256" in said
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "Proof of no-claims discount" in text and pol["number"] in text and "6 years" in text
    listed = json.loads(cli("documents", "list", pol["id"], "--json"))
    assert [d["kind"] for d in listed["documents"]].count("ncd_letter") == 1

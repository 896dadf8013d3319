"""`covernote privacy holds|fraud-markers|disclosures|breaches` (issue 3 parts 5-7; PRV-4, PRV-6, PRV-8, UX-3):
every command prints a record (--json for all of it), and bad input names the option and exits 2."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covernote.cli.main import app


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


def _customer(cli) -> str:  # type: ignore[no-untyped-def]
    return json.loads(cli("customers", "create", "--name", "Dee", "--email", "dee@example.org",
                          "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))["id"]


def test_prv4_holds_from_the_command_line(cli):
    cid = _customer(cli)
    review = (date.today() + timedelta(days=30)).isoformat()
    hold = json.loads(cli("privacy", "holds", "set", "--scope", "customer", "--id", cid, "--reason", "Smith v Us",
                          "--review-on", review, "--json"))
    assert hold["customer_id"] == cid and hold["active"]
    assert hold["id"] in cli("privacy", "holds", "list")
    out = cli("privacy", "holds", "set", "--scope", "policy", "--id", "CN404", "--reason", "x", "--review-on", review,
              code=2)
    assert "scope_id: no policy CN404" in out
    out = cli("privacy", "holds", "set", "--scope", "customer", "--id", cid, "--reason", "x",
              "--review-on", date.today().isoformat(), code=2)
    assert "review_on: must be after today" in out
    assert "--review-on: use YYYY-MM-DD" in cli("privacy", "holds", "set", "--scope", "customer", "--id", cid,
                                                "--reason", "x", "--review-on", "soon", code=2)
    released = json.loads(cli("privacy", "holds", "release", hold["id"], "--reason", "settled", "--json"))
    assert not released["active"] and released["release_reason"] == "settled"
    assert "already released" in cli("privacy", "holds", "release", hold["id"], "--reason", "again", code=2)
    assert json.loads(cli("privacy", "holds", "list", "--json"))["holds"] == []
    assert len(json.loads(cli("privacy", "holds", "list", "--all", "--json"))["holds"]) == 1


def test_s1_section10_and_prv6_markers_and_disclosures_from_the_command_line(cli):
    cid = _customer(cli)
    marker = json.loads(cli("privacy", "fraud-markers", "add", cid, "--reason", "Fake address", "--source",
                            "fraud_check", "--json"))
    assert marker["id"] in cli("privacy", "fraud-markers", "list", cid)
    assert "source: must be one of" in cli("privacy", "fraud-markers", "add", cid, "--reason", "x", "--source",
                                           "rumour", code=2)
    removed = json.loads(cli("privacy", "fraud-markers", "remove", cid, marker["id"], "--reason", "cleared", "--json"))
    assert removed["active"] is False
    d = json.loads(cli("privacy", "disclosures", "record", cid, "--recipient", "Reinsurer plc", "--kind", "reinsurer",
                       "--purpose", "policy_administration", "--category", "contract", "--category", "identity",
                       "--reference", "BDX-1", "--json"))
    assert d["categories"] == ["contract", "identity"] and d["lawful_basis"] == "contract"
    out = cli("privacy", "disclosures", "list", cid)
    assert "Reinsurer plc (reinsurer)" in out and "who must be told" in out
    out = cli("privacy", "disclosures", "record", cid, "--recipient", "x", "--kind", "aunt", "--purpose", "claims",
              "--category", "identity", code=2)
    assert "recipient_kind: must be one of" in out


def test_prv8_breaches_from_the_command_line(cli):
    cid = _customer(cli)
    aware = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    breach = json.loads(cli("privacy", "breaches", "record", "--title", "Misdirected e-mail",
                            "--description", "Renewal list sent to a supplier", "--aware-at", aware.isoformat(),
                            "--category", "contact", "--customer", cid, "--json"))
    assert [a["customer_id"] for a in breach["affected"]] == [cid]
    assert breach["ico_due_at"] == (aware + timedelta(hours=72)).isoformat()
    bid = breach["id"]
    assert "still to tell 0" in cli("privacy", "breaches", "list")
    out = cli("privacy", "breaches", "record", "--title", "x", "--description", "y", "--aware-at", "yesterday",
              "--category", "contact", code=2)
    assert "--aware-at: use ISO 8601" in out
    out = cli("privacy", "breaches", "record", "--title", "x", "--description", "y", "--aware-at", aware.isoformat(),
              "--category", "gossip", "--product", "NOPE", code=2)
    assert "categories[0]" in out and "scope.product_codes[0]" in out
    assert "reason: is required" in cli("privacy", "breaches", "assess", bid, "--risk", "unlikely", code=2)
    cli("privacy", "breaches", "assess", bid, "--risk", "unlikely", "--reason", "Supplier deleted it")
    assert "unlikely" in cli("privacy", "breaches", "report-ico", bid, "--reference", "ICO-1", code=2)
    cli("privacy", "breaches", "assess", bid, "--risk", "high", "--reason", "Supplier published it")
    assert "reported" in cli("privacy", "breaches", "report-ico", bid, "--reference", "ICO-2")
    out = cli("privacy", "breaches", "notify", bid, "--channel", "email")
    assert "1 newly told, 0 already told" in out and "still to tell 0" in out
    shown = json.loads(cli("privacy", "breaches", "show", bid, "--json"))
    assert shown["notified_count"] == 1 and shown["ico_reference"] == "ICO-2"
    # a time without a zone is UK time: 12:00 on a winter day is 12:00 UTC
    local = json.loads(cli("privacy", "breaches", "record", "--title", "t", "--description", "d",
                           "--aware-at", "2026-01-15T12:00", "--category", "identity", "--json"))
    assert local["aware_at"] == "2026-01-15T12:00:00+00:00"


def test_s1_section10_and_prv6_removal_reason_and_withheld_disclosures_from_the_command_line(cli):
    """S1 section 10, PRV-6 (DPA 2018 Sch. 2 para 2): the removal reason is kept and shown; a disclosure is
    withheld with --withhold and --withheld-reason, and bad combinations name the option's field."""
    cid = _customer(cli)
    marker = json.loads(cli("privacy", "fraud-markers", "add", cid, "--reason", "Fake address", "--json"))
    assert "reason: is required" in cli("privacy", "fraud-markers", "remove", cid, marker["id"], "--reason", " ",
                                        code=2)
    out = cli("privacy", "fraud-markers", "remove", cid, marker["id"], "--reason", "Address verified in person")
    assert "(Address verified in person)" in out
    listed = json.loads(cli("privacy", "fraud-markers", "list", cid, "--all", "--json"))
    assert listed["markers"][0]["removal_reason"] == "Address verified in person"

    police = ("privacy", "disclosures", "record", cid, "--recipient", "Humber Police", "--kind", "police",
              "--purpose", "fraud_prevention", "--category", "identity")
    assert "withheld_reason: is required" in cli(*police, "--withhold", code=2)
    assert "withheld_reason: give a reason only when" in cli(*police, "--withheld-reason", "Op Heron", code=2)
    out = cli("privacy", "disclosures", "record", cid, "--recipient", "Reinsurer plc", "--kind", "reinsurer",
              "--purpose", "policy_administration", "--category", "contract", "--withhold", "--withheld-reason", "x",
              code=2)
    assert "withhold: only a disclosure to police, law_enforcement, fraud_agency, regulator" in out
    d = json.loads(cli(*police, "--withhold", "--withheld-reason", "Op Heron: suspect not to be alerted", "--json"))
    assert d["withheld_from_subject"] is True and d["withheld_reason"] == "Op Heron: suspect not to be alerted"
    out = cli("privacy", "disclosures", "list", cid)
    assert "Humber Police (police)" in out and "WITHHELD FROM THE PERSON: Op Heron" in out


def test_prv8_closing_a_breach_from_the_command_line(cli):
    """PRV-8: `breaches close` refuses while something is outstanding (exit 2, naming it), closes with a
    summary, and a closed breach refuses changes; `list --open/--closed` filters."""
    cid = _customer(cli)
    aware = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    bid = json.loads(cli("privacy", "breaches", "record", "--title", "Misdirected letter", "--description",
                         "A renewal letter went to a neighbour", "--aware-at", aware.isoformat(), "--category",
                         "contact", "--customer", cid, "--json"))["id"]
    assert "risk: unassessed" in cli("privacy", "breaches", "close", bid, "--note", "done", code=2)
    cli("privacy", "breaches", "assess", bid, "--risk", "high", "--reason", "Bank details on the letter")
    out = cli("privacy", "breaches", "close", bid, "--note", "done", code=2)
    assert "ico_reported_at:" in out and "still_to_tell: 1 of the 1 people" in out
    cli("privacy", "breaches", "report-ico", bid, "--reference", "ICO-9")
    cli("privacy", "breaches", "notify", bid, "--channel", "post")
    assert "note: is required" in cli("privacy", "breaches", "close", bid, "--note", " ", code=2)
    out = cli("privacy", "breaches", "close", bid, "--note", "Letter retrieved; customer told by post")
    assert "CLOSED" in out and "Letter retrieved; customer told by post" in out
    assert "breach is closed" in cli("privacy", "breaches", "assess", bid, "--risk", "risk", code=2)
    assert "already closed" in cli("privacy", "breaches", "close", bid, "--note", "again", code=2)
    other = json.loads(cli("privacy", "breaches", "record", "--title", "Open one", "--description", "d",
                           "--aware-at", aware.isoformat(), "--category", "identity", "--json"))["id"]
    open_ids = [b["id"] for b in json.loads(cli("privacy", "breaches", "list", "--open", "--json"))["breaches"]]
    closed_ids = [b["id"] for b in json.loads(cli("privacy", "breaches", "list", "--closed", "--json"))["breaches"]]
    assert (open_ids, closed_ids) == ([other], [bid])
    assert "2 breach(es), 1 open" in cli("privacy", "breaches", "list")
    assert "--open/--closed" in cli("privacy", "breaches", "list", "--open", "--closed", code=2)


def test_issue13_item3_withhold_a_disclosure_case_by_case_from_the_command_line(cli):
    """Issue 13 item 3: `privacy disclosures withhold ID --reason` withholds one disclosure with its reason;
    without a reason it exits 2 naming withheld_reason; `--release` shows it to the person again."""
    cid = _customer(cli)
    police = json.loads(cli("privacy", "disclosures", "record", cid, "--recipient", "Humber Police", "--kind",
                            "police", "--purpose", "fraud_prevention", "--category", "identity", "--json"))
    assert "withheld_reason: is required" in cli("privacy", "disclosures", "withhold", police["id"], code=2)
    d = json.loads(cli("privacy", "disclosures", "withhold", police["id"], "--reason", "Op Finch", "--json"))
    assert d["withheld_from_subject"] is True and d["withheld_reason"] == "Op Finch"
    assert "WITHHELD FROM THE PERSON: Op Finch" in cli("privacy", "disclosures", "list", cid)
    d = json.loads(cli("privacy", "disclosures", "withhold", police["id"], "--release", "--json"))
    assert d["withheld_from_subject"] is False and d["withheld_reason"] is None

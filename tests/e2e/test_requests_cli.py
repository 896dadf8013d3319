"""`covernote privacy requests ...`, `privacy access-package`, `privacy erasure-plan` and `privacy erase`
through typer's CliRunner (PRV-3, PRV-4, UX-3): each error exits 2 naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covernote.cli.main import app

Cli = Callable[..., str]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("db", "upgrade")
    return run


def _customer(cli: Cli, name: str, email: str) -> str:
    return str(json.loads(cli("customers", "create", "--name", name, "--email", email, "--address", "4 Lane, Leeds",
                              "--postcode", "LS2 7HX", "--json"))["id"])


def test_prv3_requests_start_list_show_from_the_command_line(cli: Cli) -> None:
    """PRV-3, UX-3: staff record a postal request (awaiting identity) and one with identity checked, list
    the open queue and show a case; bad input exits 2 naming the field."""
    cid = _customer(cli, "Dee Postal", "dee@example.org")
    out = cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "post")
    assert "access" in out and "awaiting_identity" in out and cid in out
    case = json.loads(cli("privacy", "requests", "start", cid, "--kind", "objection", "--channel", "phone",
                          "--identity-method", "security questions", "--details", '{"to": ["marketing"]}',
                          "--received-on", "2020-01-01", "--json"))
    assert case["status"] == "in_progress" and case["details"] == {"to": ["marketing"]}
    assert case["timing"]["received_on"] == "2020-01-01" and case["timing"]["overdue"] is True
    listed = json.loads(cli("privacy", "requests", "list", "--json"))["requests"]
    assert len(listed) == 2 and listed[0]["id"] == case["id"]  # oldest first
    assert case["id"] in cli("privacy", "requests", "list", "--overdue")
    assert "OVERDUE" in cli("privacy", "requests", "list", "--open", "--customer", cid)
    shown = json.loads(cli("privacy", "requests", "show", case["id"], "--json"))
    assert shown["id"] == case["id"] and [e["kind"] for e in shown["events"]] == ["received"]
    assert case["id"] in cli("privacy", "requests", "show", case["id"])
    assert "no requests" in cli("privacy", "requests", "list", "--customer", "cus_nobody")

    out = cli("privacy", "requests", "start", cid, "--kind", "teleport", "--channel", "post", code=2)
    assert "error:" in out and "kind:" in out
    out = cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "post", "--details", "{bad",
              code=2)
    assert "--details" in out
    out = cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "post", "--details", "[1]",
              code=2)
    assert "--details" in out
    out = cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "post",
              "--received-on", "2026-13-01", code=2)
    assert "--received-on" in out
    out = cli("privacy", "requests", "start", cid, "--kind", "restriction", "--channel", "post", "--details",
              '{"ground": "bored"}', code=2)
    assert "details.ground" in out
    assert "customer_id" in cli("privacy", "requests", "start", "cus_nobody", "--kind", "access", "--channel",
                                "post", code=2)
    assert "no such request" in cli("privacy", "requests", "show", "dsr_nobody", code=2)


def test_prv3_access_package_html_written_escaped_and_request_checked_first(cli: Cli, tmp_path: Path) -> None:
    """PRV-3: the package of one customer written as HTML (escaped) or JSON; with --request it answers
    that access request, and a request of another customer is refused before anything is released."""
    cid = _customer(cli, "<script>alert(1)</script> Eve", "eve@example.org")
    other = _customer(cli, "Fay Other", "fay@example.org")
    target = tmp_path / "package.html"
    assert "wrote" in cli("privacy", "access-package", cid, "--format", "html", "--output", str(target))
    page = target.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Eve" in page and "<script>" not in page
    assert "Fay Other" not in page
    package = json.loads(cli("privacy", "access-package", cid))
    assert package["records"]["customers"][0]["id"] == cid and other not in json.dumps(package)
    assert "--format" in cli("privacy", "access-package", cid, "--format", "xml", code=2)
    assert "customer_id" in cli("privacy", "access-package", "cus_nobody", code=2)

    theirs = json.loads(cli("privacy", "requests", "start", other, "--kind", "access", "--channel", "email",
                            "--identity-method", "known e-mail", "--json"))
    out = cli("privacy", "access-package", cid, "--request", theirs["id"], code=2)
    assert "--request" in out
    still = json.loads(cli("privacy", "requests", "show", theirs["id"], "--json"))
    assert still["status"] == "in_progress"  # nothing was released or answered
    mine = json.loads(cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "email",
                          "--identity-method", "known e-mail", "--json"))
    answered = json.loads(cli("privacy", "access-package", cid, "--request", mine["id"]))
    assert answered["request"]["status"] == "completed"
    assert json.loads(cli("privacy", "requests", "show", mine["id"], "--json"))["status"] == "completed"


def test_prv4_erasure_plan_then_erase_with_the_fingerprint(cli: Cli) -> None:
    """PRV-4: erasure-plan shows what would go and its fingerprint; erase needs that fingerprint (a wrong
    one exits 2 naming --fingerprint's field) and closes the case; a second erase is refused."""
    cid = _customer(cli, "Gus Gone", "gus@example.org")
    keep = _customer(cli, "Hal Here", "hal@example.org")
    case = json.loads(cli("privacy", "requests", "start", cid, "--kind", "erasure", "--channel", "email",
                          "--identity-method", "known e-mail", "--json"))
    text = cli("privacy", "erasure-plan", case["id"])
    assert text.startswith("plan ") and "erase customers.name (keyed_hash) x1" in text
    plan = json.loads(cli("privacy", "erasure-plan", case["id"], "--json"))
    assert plan["dry_run"] is True and plan["fingerprint"] in text
    out = cli("privacy", "erase", case["id"], "--fingerprint", "0123456789abcdef", code=2)
    assert "error:" in out and "fingerprint:" in out
    done = json.loads(cli("privacy", "erase", case["id"], "--fingerprint", plan["fingerprint"], "--json"))
    assert done["dry_run"] is False and done["request"]["status"] == "completed"
    customers = {c["id"]: c for c in json.loads(cli("customers", "list", "--json"))}
    assert customers[cid]["name"].startswith("h:") and customers[keep]["name"] == "Hal Here"
    assert "completed" in cli("privacy", "erase", case["id"], "--fingerprint", plan["fingerprint"], code=2)
    access = json.loads(cli("privacy", "requests", "start", keep, "--kind", "access", "--channel", "post", "--json"))
    assert "not erasure" in cli("privacy", "erasure-plan", access["id"], code=2)


def test_issue13_item22_erase_with_nothing_to_erase_says_so_exits_2_and_leaves_the_case_open(cli: Cli) -> None:
    """Issue 13 item 22, PRV-4: under a legal hold the plan keeps everything; the plan says nothing would
    be erased, and `privacy erase` neither says "erased" nor completes the request: it exits 2 saying
    nothing was erased, and the case is still in progress."""
    from datetime import date, timedelta

    cid = _customer(cli, "Hal Held", "hal@example.org")
    cli("privacy", "holds", "set", "--scope", "customer", "--id", cid, "--reason", "Litigation 2026/117",
        "--review-on", (date.today() + timedelta(days=90)).isoformat())
    case = json.loads(cli("privacy", "requests", "start", cid, "--kind", "erasure", "--channel", "email",
                          "--identity-method", "known e-mail", "--json"))
    plan_text = cli("privacy", "erasure-plan", case["id"])
    assert "nothing would be erased" in plan_text
    plan = json.loads(cli("privacy", "erasure-plan", case["id"], "--json"))
    out = cli("privacy", "erase", case["id"], "--fingerprint", plan["fingerprint"], code=2)
    assert "nothing was erased" in out and "erased " + plan["fingerprint"] not in out
    assert "fingerprint: the plan erases nothing" in out
    assert json.loads(cli("privacy", "requests", "show", case["id"], "--json"))["status"] == "in_progress"


def test_issue14_prv3_the_access_package_as_a_document_issued_once_from_the_command_line(
        cli: Cli, tmp_path: Path) -> None:
    """PRV-3, DOC-1: `privacy package-document` issues the package once (answering the request) and names the
    same document again; its PDF is written by `documents get`; a postal request not yet verified exits 2."""
    cid = _customer(cli, "Gil Printer", "gil@example.org")
    case = json.loads(cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "email",
                          "--identity-method", "known e-mail", "--json"))
    doc = json.loads(cli("privacy", "package-document", case["id"], "--json"))
    assert (doc["kind"], doc["owner_kind"], doc["owner_id"]) == ("access_package", "data_request", case["id"])
    assert doc["id"] in cli("privacy", "package-document", case["id"])  # the same document, not a new one
    assert json.loads(cli("privacy", "requests", "show", case["id"], "--json"))["status"] == "completed"
    pdf = tmp_path / "package.pdf"
    assert "wrote" in cli("documents", "get", doc["id"], "--format", "pdf", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    postal = json.loads(cli("privacy", "requests", "start", cid, "--kind", "access", "--channel", "post", "--json"))
    assert "error:" in cli("privacy", "package-document", postal["id"], code=2)

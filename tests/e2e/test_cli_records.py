"""Issue 13 item 22: what the command line tells a new user. A quoted cancellation says it only quoted and
prints the exact command that confirms it; every command that prints a record takes --json (UX-3)."""

from __future__ import annotations

import json
import shlex
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
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


def _policy(cli: Any, tmp_path: Path) -> dict[str, Any]:
    customer = json.loads(cli("customers", "create", "--name", "Dee", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": "LS19ABC", "make": "Ford", "model": "Ka", "year": 2019, "value": "5000",
                    "abi_group": 6},
        "drivers": [{"name": "Dee", "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 7000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"], "--risk-file",
                           str(risk), "--json"))
    return dict(json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key", "bind-0001",
                               "--json")))


def test_issue13_item22_policy_cancel_says_it_only_quoted_and_prints_the_confirm_command(cli, tmp_path):
    """Issue 13 item 22 (POL-5): `policy cancel` only quotes; it says so, and the command it prints
    confirms the cancellation exactly as printed (twice: once)."""
    policy = _policy(cli, tmp_path)
    out = cli("policy", "cancel", policy["number"], "--effective", date.today().isoformat(), "--reason", "sold it")
    assert "This only quotes the cancellation: nothing has changed yet" in out
    assert json.loads(cli("policy", "show", policy["number"], "--json"))["status"] == "live"
    command = out.strip().splitlines()[-1].strip()
    args = shlex.split(command)
    assert args[:3] == ["covernote", "policy", "confirm-cancellation"] and "--idempotency-key" in args
    done = cli(*args[1:])
    assert "cancelled from" in done
    assert cli(*args[1:]) == done  # the same key: confirmed once
    assert json.loads(cli("policy", "show", policy["number"], "--json"))["status"] == "cancelled"


# Commands that print no record: they run a server or a loop, or set up the database.
# Commands that print no record: a server, loaders, and `documents get`, which writes a document's own bytes
# (PDF, HTML or text, exactly as issued) and, with --out, one line naming the file and its SHA-256.
NO_RECORD = {"serve", "demo", "jobs scheduler", "db upgrade", "documents get"}


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    subs = getattr(cmd, "commands", None)
    if subs:
        return [c for name, sub in sorted(subs.items()) for c in _commands(sub, (*path, name))]
    return [(" ".join(path), cmd)]


def test_issue13_item22_every_record_command_accepts_json():
    """Issue 13 item 22 (UX-3): walks the whole Typer app; every command that prints a record accepts
    --json (the README promises it), through the one option shared from covernote.interfaces.cli."""
    commands = _commands(get_command(app))
    assert len(commands) > 100
    missing = [name for name, cmd in commands if name not in NO_RECORD
               and "--json" not in {o for p in cmd.params for o in getattr(p, "opts", ())}]
    assert missing == []
    assert {name for name, _ in commands} >= NO_RECORD  # the exemptions are real commands


def test_issue13_item22_json_on_commands_that_had_none(cli, tmp_path):
    """Issue 13 item 22 (UX-3): the commands that lacked --json print their record as JSON with it, and a
    short text without; --json is short for --format json, and disagreeing with --format exits 2."""
    assert json.loads(cli("db", "current", "--json"))["revision"]
    assert json.loads(cli("products", "check", "--json"))[0]["ref"]
    assert cli("products", "check").startswith("ok  ")
    user = json.loads(cli("users", "create", "--name", "Jo Staff", "--role", "staff", "--json"))
    assert user["role"] == "staff" and user["token"]
    codes = cli("complaints", "codes")
    assert codes.startswith("kinds: claim (about a claim)")
    assert json.loads(cli("complaints", "codes", "--json"))["kinds"][0]["code"] == "claim"
    assert json.loads(cli("jobs", "renewal-invitations", "--json"))["invited"] == 0
    assert "renewal invitations as of" in cli("jobs", "renewal-invitations")
    assert json.loads(cli("jobs", "auto-renewals", "--json"))["renewed"] == 0
    assert json.loads(cli("privacy", "data-map", "--json"))["counts"]
    report = json.loads(cli("complaints", "report", "--json"))
    assert isinstance(report, dict)
    out = cli("complaints", "report", "--json", "--format", "csv", code=2)
    assert "--format" in out and "--json" in out

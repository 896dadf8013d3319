"""Issue 14 (UX-2, SEC-1): portal sign-ins from the command line: `covernote users set-password` and the
demonstration sign-ins `covernote demo` prints."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from covernote.cli.main import app


def _runner(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
        result = runner.invoke(app, list(args), env=env, input=stdin)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_issue14_users_set_password_from_stdin_and_bad_input_names_the_field(tmp_path: Path) -> None:
    run = _runner(tmp_path)
    user = json.loads(run("users", "create", "--name", "Sam Staff", "--role", "staff", "--json"))
    out = run("users", "set-password", user["id"], "--login", "Sam.Staff", "--password-stdin",
              stdin="a long enough password\n")
    assert f"user {user['id']} signs in to the portal as sam.staff" in out
    short = run("users", "set-password", user["id"], "--login", "sam.staff", "--password-stdin", stdin="short\n",
                code=2)
    assert "password" in short and "at least 12 characters" in short
    missing = run("users", "set-password", "usr_nobody", "--login", "x.y", "--password-stdin",
                  stdin="a long enough password\n", code=2)
    assert "user_id" in missing


def test_issue14_demo_prints_the_portal_sign_ins_beside_the_tokens(tmp_path: Path) -> None:
    run = _runner(tmp_path)
    out = run("demo")
    assert "Demonstration API tokens" in out
    assert "customer    user name ann@example.org  password ann-demo-password  (set)" in out
    assert "staff       user name demo.staff  password staff-demo-password  (set)" in out
    again = run("demo")  # a second load changes nothing and says the sign-ins are there
    assert "customer    user name ann@example.org  password ann-demo-password  (set)" in again

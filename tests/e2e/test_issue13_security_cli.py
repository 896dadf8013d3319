"""Issue 13's security items at the command line: database URLs that cannot be used (item 19), the SQLite
file's and keyring's permissions (item 15), the demonstration data and tokens (item 9)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covernote.cli.main import app

BAD_URLS = {
    "postgresql://covernote:s3cret@127.0.0.1:1/covernote": ("postgresql://covernote:***@127.0.0.1:1/covernote",
                                                             "Connection refused"),
    "mysql://covernote:s3cret@db.example/covernote": ("mysql://covernote:***@db.example/covernote",
                                                       "mysql is not supported"),
    "no database here": ("no database here", "not a database URL"),
}


def _run(tmp_path: Path, url: str, *args: str) -> tuple[int, str, BaseException | None]:
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": url}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output, result.exception


@pytest.mark.parametrize("url", list(BAD_URLS))
@pytest.mark.parametrize("command", [("db", "upgrade"), ("db", "current"), ("serve", "--port", "1"),
                                     ("customers", "list"), ("demo",)])
def test_issue13_item19_an_unusable_database_url_is_one_line_naming_it_without_its_password(
        tmp_path: Path, url: str, command: tuple[str, ...]) -> None:
    """Issue 13, item 19: unreachable or unsupported, any command: one line naming the URL with the password
    hidden and the reason, a non-zero exit, no traceback."""
    code, output, exc = _run(tmp_path, url, *command)
    shown, reason = BAD_URLS[url]
    assert code != 0 and isinstance(exc, SystemExit), (output, exc)
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"error: cannot use the database {shown}: ") and reason in lines[0], output
    assert "s3cret" not in output


def test_issue13_item19_the_real_command_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "COVERNOTE_DATA_DIR": str(tmp_path / "var"),
           "COVERNOTE_DATABASE_URL": "postgresql://covernote:s3cret@127.0.0.1:1/covernote"}
    done = subprocess.run([sys.executable, "-m", "covernote.cli.main", "db", "upgrade"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "error: cannot use the database postgresql://covernote:***@127.0.0.1:1/covernote: connection failed: "
        + done.stderr.split("connection failed: ", 1)[1].strip()], done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr


def test_issue13_item15_the_sqlite_file_and_its_wal_and_shm_are_created_0600(tmp_path: Path) -> None:
    """Issue 13, item 15: the database holds personal data; it and its -wal and -shm are its owner's only."""
    import sqlalchemy as sa

    from covernote.store.db import make_engine, upgrade
    from covernote.uow import prepare_engine

    db = tmp_path / "var" / "covernote.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    engine = prepare_engine(make_engine(url))
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE probe (x INTEGER)"))
        conn.commit()
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert path.exists(), path
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))
    engine.dispose()


def test_issue13_item15_the_simulators_state_files_are_created_0600(tmp_path: Path) -> None:
    """Issue 13, item 15: the payment, MID and CUE simulators keep card tokens, registrations and names in
    their own SQLite files under the data directory: each is its owner's only, with its -wal and -shm."""
    from covernote.ledger.adapters.payments import SimulatedCardProvider
    from covernote.regulatory.adapters.cue import SimulatedCue
    from covernote.regulatory.adapters.mid import SimulatedMid

    files = {"payments": tmp_path / "var" / "payment-simulator.sqlite", "mid": tmp_path / "var" / "mid.sqlite",
             "cue": tmp_path / "var" / "cue.sqlite"}
    made = [SimulatedCardProvider(files["payments"]), SimulatedMid(files["mid"]), SimulatedCue(files["cue"])]
    for name, db in files.items():
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            if path.exists():
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, (name, path, oct(path.stat().st_mode))
        assert db.exists(), name
    assert made


def test_issue13_item15_the_keyring_is_created_0600_and_refused_when_others_can_read_it(tmp_path: Path) -> None:
    """Issue 13, item 15: a keyring group or others can read is refused, naming the path and the fix."""
    from covernote.privacy.adapters.keyring import FileKeyring, KeyringUnsafe

    path = tmp_path / "secrets" / "keyring.json"
    FileKeyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    with pytest.raises(KeyringUnsafe, match=f"chmod 600 {path}"):
        FileKeyring(path)
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
           "COVERNOTE_KEYRING": str(path)}
    result = CliRunner().invoke(app, ["customers", "list"], env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip().splitlines() == [
        f"error: the keyring {path} can be read or changed by others than its owner (mode 0644); it holds the master "
        f"keys of every sensitive field: make it private with 'chmod 600 {path}'"]
    path.chmod(0o600)
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0


def test_issue13_item9_demo_refuses_a_database_with_users_and_a_second_load_renews_its_tokens(tmp_path: Path) -> None:
    """Issue 13, item 9: `covernote demo` (and `serve --demo`) refuses a database with users of its own (the demo
    tokens are public); on its own earlier load it changes nothing but the tokens' expiry; the administrator
    lists who holds which token (never the token) and revokes one."""
    real = tmp_path / "real.db"

    def run(db: Path, *args: str) -> tuple[int, str]:
        env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{db}"}
        result = CliRunner().invoke(app, list(args), env=env)
        return result.exit_code, result.output

    assert run(real, "users", "create", "--name", "Real Admin", "--role", "admin")[0] == 0
    code, out = run(real, "demo")
    assert code == 2 and "already has 1 user(s) of its own" in out, out
    code, out = run(real, "serve", "--demo", "--port", "1")
    assert code == 2 and "already has 1 user(s)" in out, out
    assert "cn_demo" not in run(real, "users", "tokens")[1]

    demo = tmp_path / "demo.db"
    code, out = run(demo, "demo")
    assert code == 0 and "Demonstration data loaded" in out and "cn_demo_staff_token  (works until" in out, out
    code, out = run(demo, "demo")
    assert code == 0 and "already loaded" in out, out
    code, out = run(demo, "users", "tokens", "--json")
    holders = json.loads(out)
    assert {h["role"] for h in holders} == {"admin", "staff", "customer", "dpo", "underwriter"}
    assert all(h["token_prefix"] == "cn_demo_" and h["status"] == "active" and h["expires_at"] for h in holders)
    assert "cn_demo_staff_token" not in out
    staff = next(h for h in holders if h["role"] == "staff")
    code, out = run(demo, "users", "revoke", staff["user_id"])
    assert code == 0 and "revoked" in out, out
    code, out = run(demo, "demo")
    assert code == 0 and "cn_demo_staff_token  (revoked)" in out, out

"""Issue 13, items 6 and 13 on the command line: date options take ISO days between 1900-01-01 and
2100-12-31 (one clear message naming the option, exit 2), and text is held to the same rule as over HTTP."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import covernote.lifecycle.cli as lifecycle_cli
import covernote.ncd.cli as ncd_cli
from covernote.cli.main import app
from tests.integration.test_ncd_cli import _proof_args
from tests.support import bind


@pytest.fixture
def cli(ctx, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ncd_cli, "context", lambda migrate=False: ctx)
    monkeypatch.setattr(lifecycle_cli, "context", lambda migrate=False: ctx)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    return run


@pytest.mark.parametrize("value", ["9999-12-31", "9998-01-01", "0001-01-01", "0"])
def test_issue13_item6_ncd_proof_option_dates_out_of_range_exit_2_naming_the_option(ctx, cli, value: str):
    """NCD-1: `--issued-on 9999-12-31` was an OverflowError; now one message naming the option."""
    pol = bind(ctx)
    out = cli("ncd", "proof", "add", "--policy", pol["id"], *_proof_args(ctx, **{"--issued-on": value}), code=2)
    assert "--issued-on: use YYYY-MM-DD" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("name", ["Ann\x00Other", "Ann\u202eOther", "Ann\u200bOther", "Ann\nOther"])
def test_issue13_item13_text_rule_is_the_same_on_sqlite_and_postgresql(db_ctx, name: str):
    """NUL was stored on SQLite and refused by PostgreSQL (a 500 there); both now refuse it, and the other
    hidden characters, before anything is written, naming the field."""
    from covernote.identity.usecases import SYSTEM
    from covernote.kernel.errors import ValidationFailed
    from covernote.policy.usecases import customers

    with pytest.raises(ValidationFailed) as refused:
        customers.create_customer(db_ctx, SYSTEM, name=name, email="ann@example.org", address="1 High Street",
                                  postcode="LS1 5HD")
    assert [i.field for i in refused.value.issues] == ["name"]
    assert customers.list_customers(db_ctx, SYSTEM) == []
    made = customers.create_customer(db_ctx, SYSTEM, name="Ana\u0308 Other", email="ann@example.org",
                                     address="1 High Street", postcode="LS1 5HD")
    assert made["name"] == "An\u00e4 Other"  # NFC

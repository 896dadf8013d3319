"""Withdrawing a quote (issue 4 review follow-ups; NCD-1, PRV-5) from the command line and in the
retention sweep, and the quote and policy text the CLI prints (NCD and CO2 lines, ECO-1).

- `covernote quote withdraw QUOTE_ID [--reason]` prints the withdrawn quote; a bound or withdrawn quote
  names `quote_id` and exits 2.
- `covernote ncd proof add` exits 1 when the proof is rejected, naming each failed condition on stderr.
- The retention sweep treats a withdrawn quote exactly as an open one never taken up (PRV-5): deleted
  when due, and it keeps its person from being erased until then."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import covernote.cli.main as main_cli
import covernote.lifecycle.cli as policy_cli
import covernote.ncd.cli as ncd_cli
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict
from covernote.lifecycle.usecases import quotes
from covernote.ncd import usecases as ncd
from covernote.platform.context import AppContext
from covernote.policy.ports import QuoteWithdrawal
from covernote.privacy.usecases import retention
from covernote.store.tables import quotes as quotes_table
from covernote.store.tables import retention_actions
from tests.support import bind, motor_risk, new_customer, vehicle

Cli = Callable[..., str]


@pytest.fixture
def cli(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setattr(main_cli, "context", lambda migrate=False: ctx)
    monkeypatch.setattr(ncd_cli, "context", lambda migrate=False: ctx)
    monkeypatch.setattr(policy_cli, "context", lambda migrate=False: ctx)  # quote and policy commands
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main_cli.app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    return run


def _quote(ctx: AppContext, customer_id: str | None = None, reg: str = "AB12CDE") -> str:
    risk = replace(motor_risk(), vehicle=replace(vehicle(), registration=reg))
    return str(quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest(
        "ECO", ctx.today(), risk, customer_id or new_customer(ctx)))["id"])


def _proof_args(ctx: AppContext, **over: str) -> list[str]:
    today = ctx.today()
    args = {"--kind": "insurer_letter", "--insurer": "Previous Insurer plc", "--years": "5",
            "--ended-on": (today - timedelta(days=5)).isoformat(), "--registration": "AB12CDE", "--country": "UK",
            "--issued-on": (today - timedelta(days=10)).isoformat()}
    args.update(over)
    return [x for kv in args.items() for x in kv]


# -- the command line ------------------------------------------------------------------------------------


def test_ncd1_quote_withdraw_from_the_command_line(ctx: AppContext, cli: Cli) -> None:
    """NCD-1: `covernote quote withdraw` marks an open quote withdrawn, with the reason; the NCD proven on
    it is free for another car; a second withdrawal and an unknown quote name quote_id and exit 2."""
    cid = new_customer(ctx)
    a, b = _quote(ctx, cid), _quote(ctx, cid, reg="XY12ABC")
    assert "ACCEPTED" in cli("ncd", "proof", "add", "--quote", a, *_proof_args(ctx))
    assert "proof rejected: proof:" in cli("ncd", "proof", "add", "--quote", b, *_proof_args(ctx), code=1)

    out = cli("quote", "withdraw", a, "--reason", "sold the car")
    assert out.startswith(f"quote {a}  ECO@") and "  withdrawn\n" in out.splitlines(keepends=True)[0]
    assert "withdrawn 2026-11-22" in out and "by cli:" in out and ": sold the car" in out
    assert "ACCEPTED" in cli("ncd", "proof", "add", "--quote", b, *_proof_args(ctx))

    assert "quote_id: already withdrawn" in cli("quote", "withdraw", a, code=2)
    assert "quote_id: no quote quo_nope" in cli("quote", "withdraw", "quo_nope", code=2)
    assert "reason: at most 500 characters" in cli("quote", "withdraw", b, "--reason", "x" * 501, code=2)
    data = json.loads(cli("quote", "withdraw", b, "--json"))
    assert data["status"] == "withdrawn" and data["withdrawal"]["reason"] is None


def test_ncd1_a_bound_quote_is_not_withdrawn_and_a_withdrawn_one_is_not_bound(ctx: AppContext, cli: Cli) -> None:
    """NCD-1: bound quotes cannot be withdrawn (exit 2 naming quote_id); withdrawn quotes cannot be bound."""
    quote_id = _quote(ctx)
    quotes.bind_quote(ctx, SYSTEM, quote_id, payment_token="tok_visa", idempotency_key="bound-then-withdrawn")
    assert "quote_id: already bound" in cli("quote", "withdraw", quote_id, code=2)
    with ctx.uow() as uow:  # race-safe: the store changes a quote only while it is open
        assert not uow.quotes.withdraw(QuoteWithdrawal(quote_id, ctx.clock.now(), "usr_late", "too late"))
        uow.commit()
    with ctx.uow(read_only=True) as uow:
        assert uow.quotes.withdrawal(quote_id) is None and uow.quotes.get(quote_id).status == "bound"  # type: ignore[union-attr]
    withdrawn = _quote(ctx)
    quotes.withdraw_quote(ctx, SYSTEM, withdrawn)
    with pytest.raises(Conflict, match="the quote was withdrawn") as refused:
        quotes.bind_quote(ctx, SYSTEM, withdrawn, payment_token="tok_visa", idempotency_key="withdrawn-bind")
    assert [i.field for i in refused.value.issues] == ["quote_id"]
    out = cli("policy", "bind", withdrawn, "--token", "tok_visa", "--idempotency-key", "withdrawn-bind-cli", code=2)
    assert "the quote was withdrawn" in out and "quote_id: withdrawn" in out


def test_ncd1_proof_add_exits_1_naming_the_failed_conditions_when_rejected(ctx: AppContext, cli: Cli) -> None:
    """NCD-1: a rejected proof is recorded and printed, and the command exits 1 with each failed condition
    on stderr; an accepted one exits 0."""
    q = _quote(ctx)
    out = cli("ncd", "proof", "add", "--quote", q, *_proof_args(ctx, **{"--country": "Malta"}), code=1)
    assert "REJECTED" in out and "FAIL country: earned in Malta" in out
    assert "proof rejected: country: earned in Malta" in out
    data = cli("ncd", "proof", "add", "--quote", q, *_proof_args(ctx, **{"--country": "France"}), "--json", code=1)
    record = json.loads(data[:data.index("proof rejected")])
    assert record["status"] == "rejected" and record["errors"][0]["field"] == "country"
    assert "ACCEPTED" in cli("ncd", "proof", "add", "--quote", q, *_proof_args(ctx))


def test_ncd1_eco1_quote_and_policy_text_show_ncd_and_co2(ctx: AppContext, cli: Cli, tmp_path: Path) -> None:
    """NCD-1, NCD-3, ECO-1: the text of `quote show` and `policy show` has the NCD years, discount, status
    and protection, and the eco product's estimated CO2 and offset, as their JSON has them."""
    q = _quote(ctx)
    out = cli("quote", "show", q)
    view = json.loads(cli("quote", "show", q, "--json"))
    n, c = view["ncd"], view["carbon"]
    assert (f"  NCD {n['ncd_years']} years, {n['discount_percent']}% discount: declared_unproven  NEEDS REVIEW"
            in out)
    assert "  NCD protection: " in out
    assert (f"  CO2 {c['estimated_annual_co2_tonnes']} t a year ({c['gkm']} g/km from the vehicle record, "
            f"{c['annual_mileage']} miles); offset {c['offset_percent']}%: {c['policy_year_offset_tonnes']} t "
            "for the policy year") in out
    cli("ncd", "proof", "add", "--quote", q, *_proof_args(ctx, **{"--years": "4"}))
    assert "  NCD 4 years, 60% discount: proven" in cli("quote", "show", q)

    pol = bind(ctx)
    out = cli("policy", "show", pol["number"])
    view = json.loads(cli("policy", "show", pol["number"], "--json"))
    assert f"  NCD {view['ncd']['ncd_years']} years, {view['ncd']['discount_percent']}% discount: " in out
    assert view["ncd_protection"]["offered"] and "  NCD protection: not protected" in out
    assert f"  CO2 {view['carbon']['estimated_annual_co2_tonnes']} t a year" in out

    # No CO2 on the vehicle record: the estimate is said so; 3 years is too few for NCD protection (NCD-3).
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": "LS19ABC", "make": "Ford", "model": "Ka", "year": 2019, "value": "5000",
                    "abi_group": 6, "engine_cc": 1200},
        "drivers": [{"name": "Dee", "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 7000, "ncd_years": 3}}))
    out = cli("quote", "create", "--product", "ECO", "--customer", pol["customer_id"], "--risk-file", str(risk))
    assert "  NCD 3 years, 50% discount: declared_unproven  NEEDS REVIEW" in out
    assert "  NCD protection: not selected; not eligible: needs 5 or more years" in out
    assert "g/km by the product's table, 7000 miles); offset 100%" in out


# -- the retention sweep (PRV-5) ----------------------------------------------------------------------------

SOLD = datetime(2025, 3, 1, 10, tzinfo=UTC)
RECENT = datetime(2034, 1, 10, 10, tzinfo=UTC)
SWEEP = datetime(2034, 6, 1, 10, tzinfo=UTC)
DPO = Principal("usr_dpo", "dpo")


def _quote_row(ctx: AppContext, quote_id: str) -> dict[str, object] | None:
    with ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        r = conn.execute(quotes_table.select().where(quotes_table.c.id == quote_id)).mappings().first()
    return None if r is None else dict(r)


def test_prv5_ncd1_a_withdrawn_quote_is_swept_like_an_open_one(db_ctx: AppContext, clock: FixedClock) -> None:
    """PRV-5: a quote withdrawn (NCD-1) is a quote never taken up: deleted when its no_contract rule is due,
    exactly as an open one, and until then it keeps its person from being erased; a recent one stays."""
    clock.set(SOLD)
    withdrawn_person, open_person = new_customer(db_ctx, "Wendy Withdrawn"), new_customer(db_ctx, "Olive Open")
    withdrawn, still_open = _quote(db_ctx, withdrawn_person), _quote(db_ctx, open_person)
    quotes.withdraw_quote(db_ctx, SYSTEM, withdrawn, "found a cheaper quote")
    clock.set(RECENT)
    recent_person = new_customer(db_ctx, "Rita Recent")
    recent = _quote(db_ctx, recent_person)
    quotes.withdraw_quote(db_ctx, SYSTEM, recent)
    clock.set(SWEEP)

    row = _quote_row(db_ctx, withdrawn)
    assert row is not None and row["status"] == "withdrawn" and row["withdrawal_reason"] == "found a cheaper quote"
    assert row["withdrawn_by"] == SYSTEM.user_id and row["withdrawn_at"] == SOLD
    with db_ctx.uow(read_only=True) as uow:
        found = {q.quote_id for q in uow.retention.open_quotes(SWEEP, None, 100)}
        settled = set(uow.retention.settled_customers(SWEEP, []))
    assert {withdrawn, still_open, recent} <= found
    # Like an open quote, a withdrawn one not yet deleted keeps its person (the quotes stage deletes it first).
    assert not settled & {withdrawn_person, open_person, recent_person}

    report = retention.sweep(db_ctx, DPO, batch_size=1)["report"]
    assert report["totals"]["done"]["quote:delete"] == 2
    assert _quote_row(db_ctx, withdrawn) is None and _quote_row(db_ctx, still_open) is None
    assert _quote_row(db_ctx, recent) is not None
    with db_ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        actions = {(r.record_kind, r.record_id, r.action) for r in conn.execute(sa.select(retention_actions))}
    assert {("quote", withdrawn, "delete"), ("quote", still_open, "delete"),
            ("customer", withdrawn_person, "anonymise"), ("customer", open_person, "anonymise")} <= actions
    assert not {a for a in actions if recent_person in a or recent in a}
    assert "Wendy" not in json.dumps(report) and "cheaper" not in json.dumps(report)


def test_ncd1_withdrawn_quote_no_longer_holds_the_ncd_at_the_use_case(ctx: AppContext) -> None:
    """NCD-1 at the use case: after A is withdrawn, a proof of the same NCD on B is accepted; A's own
    proof stays recorded (accepted) but A is no longer in use."""
    cid = new_customer(ctx)
    a, b = _quote(ctx, cid), _quote(ctx, cid, reg="XY12ABC")
    inp = ncd.ProofInput("insurer_letter", "Previous Insurer plc", 5, date(2026, 11, 17), "AB12CDE", "UK",
                         date(2026, 11, 12))
    first = ncd.add_quote_proof(ctx, SYSTEM, a, inp)
    assert first["status"] == "accepted"
    assert ncd.add_quote_proof(ctx, SYSTEM, b, inp)["status"] == "rejected"
    quotes.withdraw_quote(ctx, Principal("usr_staff", "staff"), a, "customer phoned")
    assert ncd.add_quote_proof(ctx, SYSTEM, b, inp)["status"] == "accepted"
    assert ncd.get_proof(ctx, SYSTEM, first["id"])["status"] == "accepted"

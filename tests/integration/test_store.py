"""The store on SQLite and PostgreSQL: append-only history (POL-1), idempotency, aware UTC datetimes,
reversing entries (PAY-5), optimistic concurrency between two MTAs, and migrations from empty."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from covernote.identity.usecases import SYSTEM
from covernote.kernel.errors import Conflict
from covernote.kernel.ids import new_id
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import adjustments, policies, quotes
from covernote.policy.domain.risk import Change
from covernote.store.db import alembic_config, current_revision, make_engine, upgrade
from covernote.store.tables import customers, metadata, policy_transactions
from tests.support import adjust, bind, cancel, driver, motor_risk, new_customer, run_notices_after


def _engine(ctx) -> sa.Engine:  # type: ignore[no-untyped-def]
    return ctx.uow.engine


def _txn_rows(ctx, policy_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with _engine(ctx).connect() as conn:
        rows = conn.execute(sa.select(policy_transactions).where(policy_transactions.c.policy_id == policy_id)
                            .order_by(policy_transactions.c.sequence)).mappings().all()
    return [dict(r) for r in rows]


# -- POL-1: history is only ever added to --------------------------------------------------------------

def test_pol1_history_is_append_only_in_sequence(db_ctx, clock):
    """POL-1: each transaction is a new row in sequence; earlier rows are never edited."""
    pol = bind(db_ctx)
    before = _txn_rows(db_ctx, pol["id"])
    assert [(r["sequence"], r["kind"]) for r in before] == [(1, "new_business")]
    clock.advance(timedelta(days=20))
    adjust(db_ctx, pol["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Second Driver")))
    clock.advance(timedelta(days=20))
    adjust(db_ctx, pol["id"], db_ctx.today(), Change("remove_driver", driver_id="d2"))
    clock.advance(timedelta(days=5))
    cancel(db_ctx, pol["id"], db_ctx.today())
    after = _txn_rows(db_ctx, pol["id"])
    assert [(r["sequence"], r["kind"]) for r in after] == [
        (1, "new_business"), (2, "mta"), (3, "mta"), (4, "cancellation")]
    assert after[0] == before[0]  # the first row is byte-for-byte as it was written
    hist = policies.policy_history(db_ctx, SYSTEM, pol["id"])
    assert [t["sequence"] for t in hist["transactions"]] == [1, 2, 3, 4]
    assert policies.get_policy(db_ctx, SYSTEM, pol["id"])["version"] == 4
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"], report["problems"]


def test_pol1_second_bind_of_a_quote_is_a_conflict_and_keys_replay(db_ctx):
    """POL-1: the same idempotency key returns the same response (idempotent_replay True); a second bind
    of the quote under a new key is a Conflict; a different request under a used key is a Conflict."""
    cid = new_customer(db_ctx)
    q = quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("ECO", db_ctx.today(), motor_risk(), cid))
    key = new_id("key")
    first = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=key)
    assert first["idempotent_replay"] is False
    again = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=key)
    assert again["idempotent_replay"] is True
    assert {k: v for k, v in again.items() if k != "idempotent_replay"} == \
        {k: v for k, v in first.items() if k != "idempotent_replay"}
    with pytest.raises(Conflict):
        quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    with pytest.raises(Conflict) as err:
        quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_mastercard", idempotency_key=key)
    assert "Idempotency-Key" in [i.field for i in err.value.issues]
    assert len(policies.list_policies(db_ctx, SYSTEM)) == 1
    statement = ledger.policy_statement(db_ctx, SYSTEM, first["id"])
    assert statement["accounts"]["cash:payment-provider"] == first["payment"]["amount"]  # charged once
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


# -- UtcDateTime -----------------------------------------------------------------------------------

def test_utc_datetime_refuses_naive_and_returns_aware_utc(db_ctx):
    """Stored datetimes are aware UTC on every database; a naive datetime is refused."""
    engine = _engine(db_ctx)
    row = dict(id="cus_naive", name="N", email="n@example.org", address="a", postcode="LS1 4AB",
               created_at=datetime(2026, 11, 22, 10, 0))
    with pytest.raises(sa.exc.StatementError) as err, engine.begin() as conn:
        conn.execute(customers.insert().values(**row))
    assert "naive" in str(err.value)
    moment = datetime(2026, 6, 1, 9, 30, 15, tzinfo=timezone(timedelta(hours=5)))
    with engine.begin() as conn:
        conn.execute(customers.insert().values(**{**row, "id": "cus_aware", "created_at": moment}))
    with engine.connect() as conn:
        got = conn.execute(sa.select(customers.c.created_at).where(customers.c.id == "cus_aware")).scalar_one()
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert got == moment and got.hour == 4 and got.minute == 30
    assert got.astimezone(UTC) == datetime(2026, 6, 1, 4, 30, 15, tzinfo=UTC)


# -- PAY-5: corrections are reversing entries ----------------------------------------------------------

def test_pay5_reverse_entry_posts_exact_negation_once(db_ctx):
    """PAY-5: a reversal posts every posting negated, leaves the original unchanged, and cannot be repeated
    (nor can a reversal itself be reversed)."""
    pol = bind(db_ctx)
    statement = ledger.policy_statement(db_ctx, SYSTEM, pol["id"])
    charge = next(e for e in statement["entries"] if e["transaction_id"] == pol["transaction_id"]
                  and any(x["account"] == "premium:written" for x in e["postings"]))
    rev = ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "posted in error")
    assert rev["reverses"] == charge["id"]
    assert sorted((x["account"], Decimal(x["amount"])) for x in rev["postings"]) == \
        sorted((x["account"], -Decimal(x["amount"])) for x in charge["postings"])
    assert sum(Decimal(x["amount"]) for x in rev["postings"]) == 0
    after = ledger.policy_statement(db_ctx, SYSTEM, pol["id"])
    original = next(e for e in after["entries"] if e["id"] == charge["id"])
    assert original == charge
    with pytest.raises(Conflict):
        ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "again")
    with pytest.raises(Conflict):
        ledger.reverse_entry(db_ctx, SYSTEM, rev["id"], "undo the undo")
    # the premium account no longer matches the transactions until the correction is posted: the
    # reconciliation lists the reversal as awaiting it, and passes (issue 13 item 12)
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["entries_unbalanced"] == 0
    assert report["ok"] and [w["entry_id"] for w in report["awaiting_correction"]] == [charge["id"]]


# -- two concurrent MTAs ------------------------------------------------------------------------------

def test_pol2_two_concurrent_mtas_on_one_version_only_one_wins(db_ctx, clock):
    """POL-1/POL-2: two MTAs quoted on the same policy version and confirmed at the same moment from two
    threads: exactly one succeeds, the other is a Conflict; one MTA transaction; the ledger reconciles."""
    pol = bind(db_ctx)
    clock.advance(timedelta(days=30))
    today = db_ctx.today()
    reqs = [
        adjustments.AdjustmentRequest(today, (Change("add_driver", driver=driver("d2", date(1999, 1, 1),
                                                                                 date(2018, 1, 1), "Two")),),
                                      reason="add driver"),
        adjustments.AdjustmentRequest(today, (Change("set_answer", question="annual_mileage", value="12000"),),
                                      reason="more miles"),
    ]
    pending = [adjustments.quote_adjustment(db_ctx, SYSTEM, pol["id"], r) for r in reqs]
    assert pending[0]["policy_version"] == pending[1]["policy_version"] == 1
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def confirm(i: int) -> None:
        barrier.wait()
        try:
            results[i] = adjustments.confirm_adjustment(db_ctx, SYSTEM, pol["id"], pending[i]["id"], new_id("key"))
        except Exception as exc:  # the test sorts them out below
            results[i] = exc

    threads = [threading.Thread(target=confirm, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert len(losses) == 1 and isinstance(losses[0], Conflict), results
    kinds = [r["kind"] for r in _txn_rows(db_ctx, pol["id"])]
    assert kinds == ["new_business", "mta"]
    assert policies.get_policy(db_ctx, SYSTEM, pol["id"])["version"] == 2
    assert run_notices_after(db_ctx, days=14)["taken"] == 1  # PAY-3: the winner's charge, once, on its day
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"], report["problems"]
    assert report["outstanding_balances"] == []
    statement = ledger.policy_statement(db_ctx, SYSTEM, pol["id"])
    charged = Decimal(pol["payment"]["amount"]) + Decimal(wins[0]["payment"]["amount"])
    assert Decimal(statement["accounts"]["cash:payment-provider"]) == charged


# -- migrations ---------------------------------------------------------------------------------------

def test_migrations_run_from_empty_to_head(tmp_path):
    """The Alembic migrations build the whole schema on an empty SQLite file and stamp head."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert head is not None and current_revision(engine) == head
        names = set(sa.inspect(engine).get_table_names())
        assert {t.name for t in metadata.sorted_tables} <= names
        upgrade(url)  # running again is a no-op
        assert current_revision(engine) == head
    finally:
        engine.dispose()


def test_issue13_item3_migration_0016_shows_routine_fraud_checks_and_keeps_case_by_case_withholding(tmp_path):
    """Issue 13 item 3: migration 0016 shows the disclosures every fraud check was once withheld with (one
    blanket reason) and leaves a disclosure withheld case by case as it was."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0015")
    engine = make_engine(url)
    blanket = ("fraud prevention check: disclosures to fraud prevention agencies are withheld alike, so that none "
               "reveals what the agency answered (DPA 2018 Sch. 2 para 2)")
    row = {"customer_id": "cus_1", "policy_id": None, "recipient": "Agency", "recipient_kind": "fraud_agency",
           "purpose": "fraud_prevention", "basis": "legitimate_interests", "categories": ["identity"],
           "disclosed_at": datetime(2026, 11, 1, tzinfo=UTC), "reference": None, "recorded_by": "system",
           "withheld_from_subject": True}
    try:
        with engine.begin() as conn:
            conn.execute(metadata.tables["disclosures"].insert(), [
                {**row, "id": "dis_routine", "via": "fraud_check", "withheld_reason": blanket},
                {**row, "id": "dis_case", "via": "manual", "withheld_reason": "Op Wren"}])
        upgrade(url, "0016", engine=engine)
        with engine.connect() as conn:
            got = {r.id: (r.withheld_from_subject, r.withheld_reason)
                   for r in conn.execute(sa.select(metadata.tables["disclosures"]))}
        assert got == {"dis_routine": (False, None), "dis_case": (True, "Op Wren")}
    finally:
        engine.dispose()

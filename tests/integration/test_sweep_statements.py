"""Issue 12: the retention sweep's statements per batch do not grow with the records in it, and the
set-based writes leave every row exactly as the row-by-row writes do (SQLite and PostgreSQL).

Statements are counted at the driver (`before_cursor_execute`, as in test_statement_counts.py): an
executemany counts once, so the SQLite writes (one statement text sent with executemany) and the
PostgreSQL writes (one UPDATE joined to a JSON recordset per table and set of columns) both count one
per table per batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.declarations import Erasure, PersonalInside, declared_trie, visit_declared
from covernote.lifecycle.usecases import quotes
from covernote.platform.context import AppContext
from covernote.privacy.ports import RetentionAction, RetentionRun
from covernote.privacy.store import retention as store
from covernote.privacy.usecases import retention
from covernote.store import anonymise, bulk
from covernote.store.tables import metadata
from tests.integration.test_statement_counts import counting
from tests.integration.test_sweep import DPO, SOLD, SWEEP, book, comparable, raw, restore, snapshot
from tests.support import bind, motor_risk, new_customer

__all__ = ["book"]  # the seeded book of test_sweep.py, used here as a fixture


def _due(ctx: AppContext, clock: FixedClock, n: int) -> None:
    """n people whose ECO policy ended long before the sweep (policy, then person, due) and n people with
    only a quote never taken up (quote, then person, due); every bind stores its answer (retry cache)."""
    clock.set(SOLD)
    for i in range(n):
        bind(ctx, "ECO", customer_id=new_customer(ctx, f"Due Person {i}"))
        ctx_quote(ctx, new_customer(ctx, f"Quote Person {i}"))
    clock.set(SWEEP)


def ctx_quote(ctx: AppContext, customer_id: str) -> None:
    quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), customer_id))


@contextmanager
def _rows_sent(ctx: AppContext) -> Iterator[list[int]]:
    """Statements as PostgreSQL executes them: an executemany is one statement per set of parameters
    (psycopg pipelines them, and the server runs each)."""
    engine = ctx.uow.engine  # type: ignore[attr-defined]
    sent: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        sent.append(len(parameters) if many else 1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _sweep_counted(ctx: AppContext) -> tuple[int, dict[str, int]]:
    """Statements a real sweep runs: on SQLite counted as test_statement_counts.py counts them (an
    executemany once); on PostgreSQL as the server runs them (an executemany once per row)."""
    postgresql = ctx.uow.engine.dialect.name == "postgresql"  # type: ignore[attr-defined]
    with counting(ctx) as seen, _rows_sent(ctx) as sent:
        done = retention.sweep(ctx, DPO, batch_size=500)["report"]["totals"]["done"]
    return (sum(sent) if postgresql else len(seen)), done


def test_issue12_sweep_statements_do_not_grow_with_the_records_due(db_ctx: AppContext, clock: FixedClock) -> None:
    """3 people due, then 30 more: each sweep runs the same number of statements (one batch a stage)."""
    _due(db_ctx, clock, 3)
    few, done_few = _sweep_counted(db_ctx)
    _due(db_ctx, clock, 30)
    many, done_many = _sweep_counted(db_ctx)
    # The work was really done, ten times as much the second time...
    assert done_few["policy:anonymise"] == 3 and done_many["policy:anonymise"] == 30
    assert done_few["quote:delete"] == 3 and done_many["quote:delete"] == 30
    assert done_few["customer:anonymise"] == 6 and done_many["customer:anonymise"] == 60
    assert done_few["retry_cache:delete"] >= 3 and done_many["retry_cache:delete"] >= 30
    # ...with the same statements.
    assert many == few, f"3 due: {few} statements, 30 due: {many}"


def _row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writes as they were before issue 12 on every database: one statement per row, sent with
    executemany (the path SQLite still takes), and every value inside a document erased through
    `visit_declared`'s callback."""
    monkeypatch.setattr(anonymise, "_update_as_recordset", lambda *a, **k: False)

    def erase_by_visits(doc: Any, trie: Any, hasher: Any) -> int:
        """Each declared value through `visit_declared`, as erasure on request does (the sweep walks the
        trie itself, with the erasure inline)."""
        changed = 0

        def visit(container: Any, key: Any, _pattern: str, decl: Any, _concrete: Any) -> None:
            nonlocal changed
            if not anonymise.is_erased(container[key]):
                keyed = decl.erasure is Erasure.KEYED_HASH
                container[key] = anonymise.hashed(container[key], hasher, None) if keyed else None
                changed += 1

        visit_declared(doc, paths_of[id(trie)], visit, with_paths=False)
        return changed

    paths_of = {id(declared_trie(d.paths)): d.paths for t in metadata.tables.values() for c in t.columns
                if isinstance(d := c.info.get("privacy"), PersonalInside)}
    monkeypatch.setattr(anonymise, "_erase_inside", erase_by_visits)

    def delete_each(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
        match = sa.and_(*(c == sa.bindparam(f"pk_{c.name}") for c in table.primary_key.columns))
        conn.execute(table.delete().where(match), rows)

    monkeypatch.setattr(anonymise, "_delete_by_arrays", delete_each)
    monkeypatch.setattr(bulk, "insert_rows", lambda conn, table, rows: conn.execute(table.insert(), list(rows)))
    monkeypatch.setattr(store, "insert_rows", lambda conn, table, rows: conn.execute(table.insert(), list(rows)))


def _report(answer: dict[str, Any]) -> dict[str, Any]:
    report = dict(answer["report"])
    return json.loads(json.dumps(report, sort_keys=True))


def test_issue12_set_based_writes_end_exactly_as_row_by_row_writes(db_ctx: AppContext, clock: FixedClock,
                                                                   book: dict[str, str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeded book of test_sweep.py plus people due, swept twice from the same database: with the
    batch writes, then row by row. Every row (keyed hashes, nulls, deletions, actions) and the report
    are the same."""
    _due(db_ctx, clock, 4)
    start = raw(db_ctx)
    fast = _report(retention.sweep(db_ctx, DPO, batch_size=3))
    fast_rows = comparable(snapshot(db_ctx))
    restore(db_ctx, start)
    with monkeypatch.context() as patch:
        _row_by_row(patch)
        slow = _report(retention.sweep(db_ctx, DPO, batch_size=3))
    slow_rows = comparable(snapshot(db_ctx))
    assert fast["totals"]["done"]["policy:anonymise"] >= 8 and fast["errors"] == []
    assert fast == slow
    assert fast_rows == slow_rows
    hashed = [r for r in fast_rows["customers"] if str(r["name"]).startswith(anonymise.HASH_PREFIX)]
    assert len(hashed) >= 8  # the comparison is of anonymised rows, not of untouched ones


def test_issue12_bulk_insert_keeps_aware_times_and_dates(db_ctx: AppContext) -> None:
    """store/bulk.insert_rows stores exactly what an INSERT with executemany stores (retention actions)."""
    at = datetime(2034, 6, 1, 10, 30, 15, 123456, tzinfo=UTC)
    with db_ctx.uow() as uow:
        uow.retention.add_run(RetentionRun("ret_x", at.date(), at, "usr_dpo", "running", {}))
        uow.retention.record_actions([RetentionAction(f"rta_{i}", "ret_x", "house:no_contract", "customer",
                                                      f"cus_{i}", "anonymise", at.date(), at) for i in range(3)])
        uow.commit()
    rows = raw(db_ctx)["retention_actions"]
    assert [(r["id"], r["record_id"], r["due_on"], r["done_at"]) for r in rows] == \
        [(f"rta_{i}", f"cus_{i}", at.date(), at) for i in range(3)]


def test_issue12_pipelined_batches_run_the_statements_of_one_after_another(db_ctx: AppContext, clock: FixedClock,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL the sweep pipelines the batches of its policy and customer stages, and the erasure reads
    a batch's every table before writing any: that moves statements, it adds none. 12 people due in
    batches of 2, pipelined then one after another from the same database: the same statements, as many
    of each text (on SQLite both runs are one after another)."""
    _due(db_ctx, clock, 6)
    start = raw(db_ctx)
    with counting(db_ctx) as pipelined:
        done = retention.sweep(db_ctx, DPO, batch_size=2)["report"]["totals"]["done"]
    restore(db_ctx, start)
    monkeypatch.setattr(db_ctx.uow, "concurrent_writes", False, raising=False)
    with counting(db_ctx) as alone:
        retention.sweep(db_ctx, DPO, batch_size=2)
    assert done["policy:anonymise"] == 6 and done["customer:anonymise"] == 12
    assert len(pipelined) == len(alone)
    assert sorted(pipelined) == sorted(alone)


def test_issue12_any_of_sends_the_keys_exactly(db_ctx: AppContext) -> None:
    """store/bulk.any_of sends a batch's keys as one array's text on PostgreSQL: every key comes back as it
    was, whatever its characters, and finds exactly its rows (SQLite: an IN list)."""
    awkward = ['plain', 'with "quotes"', 'back\\slash', 'comma,brace}{', ' spaced ', '', 'NULL', 'é ü ✓', "o'brien"]
    engine = db_ctx.uow.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            back = conn.execute(sa.select(sa.cast(sa.literal(bulk.array_text(awkward), sa.Text),
                                                  sa.dialects.postgresql.ARRAY(sa.String())))).scalar_one()
            assert back == awkward
            numbers = conn.execute(sa.select(sa.cast(sa.literal(bulk.array_text([1, 2**40, -3]), sa.Text),
                                                     sa.dialects.postgresql.ARRAY(sa.BigInteger())))).scalar_one()
            assert numbers == [1, 2**40, -3]
        keys = sa.union_all(*(sa.select(sa.literal(k, sa.String).label("v")) for k in [*awkward, "other"])).subquery()
        found = conn.execute(sa.select(keys.c.v).where(bulk.any_of(conn, keys.c.v, awkward))).scalars().all()
        assert sorted(found) == sorted(awkward)

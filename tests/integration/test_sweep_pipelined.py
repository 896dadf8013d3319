"""Issue 12, PRV-5: on PostgreSQL the retention sweep pipelines the batches of its policy and customer stages
(while one batch writes and commits, the next reads and works out its new values in a second thread). These
tests hold it to what one batch after another does: the same rows and the same report, batches committed in
order, and a run stopped part-way leaving its first batches done and the rest untouched, which a second run
finishes exactly as one clean run would.

They run where units of work may write at the same time (PostgreSQL); SQLite runs the batches one after
another, which every other sweep test covers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from covernote.kernel.clock import FixedClock
from covernote.platform.context import AppContext
from covernote.privacy.store import retention as store_retention
from covernote.privacy.usecases import retention
from tests.integration.test_sweep import DPO, comparable, raw, restore, snapshot
from tests.integration.test_sweep_statements import _due, _report

PIPELINE_THREAD = "retention-sweep"


@pytest.fixture
def pipelined(db_ctx: AppContext) -> AppContext:
    if not getattr(db_ctx.uow, "concurrent_writes", False):
        pytest.skip("SQLite takes one writer at a time: the sweep runs its batches one after another there")
    return db_ctx


def one_after_another(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctx.uow, "concurrent_writes", False, raising=False)


@contextmanager
def threads_seen(ctx: AppContext) -> Iterator[set[str]]:
    """The names of the threads that ran statements (a pipelined batch runs in a `retention-sweep` thread)."""
    engine = ctx.uow.engine  # type: ignore[attr-defined]
    names: set[str] = set()

    def seen(*_args: Any) -> None:
        names.add(threading.current_thread().name.split("_")[0])

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield names
    finally:
        event.remove(engine, "before_cursor_execute", seen)


class Killed(BaseException):
    """Stands for the process being killed: not an Exception, so nothing inside the sweep catches it."""


def test_issue12_pipelined_batches_end_exactly_as_one_after_another(pipelined: AppContext, clock: FixedClock,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """6 people due (policy, then person) and 6 with only a quote, in batches of 2: pipelined, then one
    after another from the same database. Every row and the report are the same."""
    _due(pipelined, clock, 6)
    start = raw(pipelined)
    with threads_seen(pipelined) as threads:
        fast = _report(retention.sweep(pipelined, DPO, batch_size=2))
    fast_rows = comparable(snapshot(pipelined))
    assert PIPELINE_THREAD in threads  # the batches did run in the pipeline's threads
    restore(pipelined, start)
    with monkeypatch.context() as patch:
        one_after_another(pipelined, patch)
        slow = _report(retention.sweep(pipelined, DPO, batch_size=2))
    assert fast["totals"]["done"]["policy:anonymise"] == 6 and fast["totals"]["done"]["customer:anonymise"] == 12
    assert fast["errors"] == [] and fast["batches"] == slow["batches"]
    assert fast == slow
    assert comparable(snapshot(pipelined)) == fast_rows


@pytest.mark.parametrize(("where", "dies_on", "policies_done"), [
    # killed while batch 2 writes: batch 1 stays done, batch 2 rolls back, batch 3 writes nothing
    ("record_actions", 2, 2),
    # killed while batch 3 reads (batch 2 may be writing then): batches 1 and 2 commit, as one after another
    ("ended_policy_facts", 3, 4),
])
def test_issue12_pipelined_sweep_stopped_part_way_leaves_its_first_batches_done(
        pipelined: AppContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, where: str, dies_on: int,
        policies_done: int) -> None:
    """PRV-5: a run stopped in the middle of the pipelined policy stage leaves exactly its first batches
    done (their actions recorded with their changes) and the rest untouched; run again, it ends where one
    clean run ends."""
    _due(pipelined, clock, 6)
    start = raw(pipelined)
    clean = retention.sweep(pipelined, DPO, batch_size=2)
    clean_end = snapshot(pipelined)
    restore(pipelined, start)

    real = getattr(store_retention.RetentionRepo, where)
    calls = {"n": 0}
    lock = threading.Lock()

    def dies(self: Any, *args: Any) -> Any:
        is_policy = where != "record_actions" or args[0][0].record_kind == "policy"
        with lock:
            calls["n"] += is_policy
            now = calls["n"]
        if is_policy and now == dies_on:
            raise Killed()
        return real(self, *args)

    monkeypatch.setattr(store_retention.RetentionRepo, where, dies)
    with pytest.raises(Killed):
        retention.sweep(pipelined, DPO, batch_size=2)
    half = raw(pipelined)
    kinds = [a["record_kind"] for a in half["retention_actions"]]
    assert kinds.count("quote") == 6  # the quotes stage, before, is done
    assert kinds.count("policy") == policies_done and "customer" not in kinds
    anonymised = [p for p in half["policies"] if str(p["number"]).startswith("h:")]
    assert sorted(p["id"] for p in anonymised) == sorted(
        a["record_id"] for a in half["retention_actions"] if a["record_kind"] == "policy")
    monkeypatch.setattr(store_retention.RetentionRepo, where, real)
    rerun = retention.sweep(pipelined, DPO, batch_size=2)
    assert comparable(snapshot(pipelined)) == comparable(clean_end)
    # the stopped run never reached the people or the stored answers: the rerun does all of that
    done = rerun["report"]["totals"]["done"]
    assert sum(done.values()) == sum(clean["report"]["totals"]["done"].values()) - 6 - policies_done


def test_issue12_a_failing_pipelined_batch_is_reported_in_order_and_the_rest_still_runs(
        pipelined: AppContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """PRV-5: the second of three pipelined policy batches fails: it is rolled back and reported once, the
    batches around it commit, and the report counts exactly what was committed."""
    _due(pipelined, clock, 6)
    real = store_retention.RetentionRepo.anonymise_policies
    lock = threading.Lock()
    calls = {"n": 0}

    def fails_in_batch_two(self: Any, *args: Any) -> Any:
        with lock:
            calls["n"] += 1
            n = calls["n"]
        result = real(self, *args)
        if n == 2:
            raise RuntimeError("disk full")
        return result

    monkeypatch.setattr(store_retention.RetentionRepo, "anonymise_policies", fails_in_batch_two)
    first = retention.sweep(pipelined, DPO, batch_size=2)["report"]
    assert first["errors"] == [{"stage": "policies:ECO", "error": "RuntimeError", "message": None}]
    assert first["totals"]["done"]["policy:anonymise"] == 4
    actions = raw(pipelined)["retention_actions"]
    assert sum(1 for a in actions if a["record_kind"] == "policy") == 4
    done = first["totals"]["done"]
    assert sum(n for k, n in done.items() if k != "retry_cache:delete") == len(actions)
    monkeypatch.setattr(store_retention.RetentionRepo, "anonymise_policies", real)
    again = retention.sweep(pipelined, DPO, batch_size=2)["report"]
    assert again["totals"]["done"]["policy:anonymise"] == 2 and again["errors"] == []

"""SQL statements per hot request, counted without timing anything (issue 12 part 3): a quote, a bind, a
policy read, an adjustment quote and the renewal invitation of one policy each run at most the number
of statements recorded here, on SQLite and on PostgreSQL. A change that makes one of them run more
fails here; a change that makes them run fewer lowers the ceiling in the same commit.

Statements are counted at the driver (SQLAlchemy's `before_cursor_execute`), so BEGIN/COMMIT issued by
the driver itself are not counted; everything Covernote asks the database is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.ids import new_id
from covernote.lifecycle.usecases import adjustments, policies, quotes, renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change
from tests.support import motor_risk, new_customer

# Ceilings per backend, as measured on the commit that introduced this test. Lower them when a change
# makes a request cheaper; never raise one without saying why in the commit.
CEILINGS: dict[str, dict[str, int]] = {
    # Lowered when the quote stopped reading the customer twice and asking for a new quote's NCD proofs, the
    # bind read its quote's proofs once and skipped a new policy's carbon history, and the balance became
    # one SUM instead of every entry and its postings; a bind writes its charge and payment entries together.
    # The renewal batch stopped asking for a chunk after its last (issue 12: its reads and writes are per chunk,
    # the same for 1 policy as for 40: tests/integration/test_renewal_batch.py).
    "sqlite": {"quote": 6, "bind": 16, "policy_read": 6, "adjustment_quote": 8, "renewal_invitation": 11},
    "postgresql": {"quote": 5, "bind": 15, "policy_read": 5, "adjustment_quote": 7, "renewal_invitation": 9},
}


@contextmanager
def counting(ctx: AppContext) -> Iterator[list[str]]:
    engine = ctx.uow.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _measure(ctx: AppContext, fn: Callable[[], Any]) -> int:
    with counting(ctx) as seen:
        fn()
    return len(seen)


def measure_all(ctx: AppContext) -> dict[str, int]:
    cid = new_customer(ctx)
    request = quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid)
    quotes.create_quote(ctx, SYSTEM, request)  # warm: the first quote of a process reads what later ones reuse
    counts: dict[str, int] = {}
    q: dict[str, Any] = {}
    counts["quote"] = _measure(ctx, lambda: q.update(quotes.create_quote(ctx, SYSTEM, request)))
    bound: dict[str, Any] = {}
    counts["bind"] = _measure(ctx, lambda: bound.update(quotes.bind_quote(
        ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))))
    counts["policy_read"] = _measure(ctx, lambda: policies.get_policy(ctx, SYSTEM, bound["id"]))
    change = adjustments.AdjustmentRequest(ctx.today() + timedelta(days=30),
                                           (Change("set_answer", question="annual_mileage", value="12000"),),
                                           reason="more miles")
    counts["adjustment_quote"] = _measure(ctx, lambda: adjustments.quote_adjustment(ctx, SYSTEM, bound["id"], change))
    # The renewal window opens 28 days before the end: run the invitations for this one policy then.
    later = replace(ctx, clock=FixedClock(ctx.clock.now() + timedelta(days=340)))
    run: dict[str, Any] = {}
    counts["renewal_invitation"] = _measure(later, lambda: run.update(renewals.run_renewal_invitations(later,
                                                                                                     later.today())))
    assert run["invited"] == 1, run  # the one policy was invited: the count is of real work
    return counts


def test_hot_requests_run_no_more_statements_than_their_ceiling(db_ctx: AppContext) -> None:
    backend = db_ctx.uow.engine.dialect.name  # type: ignore[attr-defined]
    counts = measure_all(db_ctx)
    ceilings = CEILINGS[backend]
    over = {k: (v, ceilings[k]) for k, v in counts.items() if v > ceilings[k]}
    assert not over, f"{backend}: statements per request grew (measured, ceiling): {over}; all: {counts}"

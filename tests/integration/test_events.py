"""Domain events (issue 11 part 3): what one context must do when another changes runs in the same
transaction, through handlers registered in one place (covernote.bootstrap.EVENT_HANDLERS)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from covernote.billing.domain.events import PolicyCancellationDue
from covernote.bootstrap import EVENT_HANDLERS
from covernote.claims.domain import ClaimNotified
from covernote.identity.usecases import SYSTEM
from covernote.kernel.events import Event
from covernote.lifecycle.usecases import quotes
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.model import Customer
from covernote.uow import SqlUnitOfWork
from tests.support import bind, motor_risk, new_customer


@dataclass(frozen=True)
class Noticed(Event):
    customer_id: str


def _customer(customer_id: str) -> Customer:
    return Customer(customer_id, "Eve Event", "eve@example.org", None, None, "1 High St, Leeds", "LS1 4AB",
                    datetime(2026, 1, 1, tzinfo=UTC))


def test_handlers_run_in_the_committing_transaction_with_the_context_that_opened_it(db_ctx):
    seen = []

    def handler(ctx, uow, event):  # writes in the same unit of work, sees the writer's uncommitted row
        seen.append((ctx.clock.now(), uow.customers.get(event.customer_id) is not None))
        uow.customers.add(_customer(event.customer_id + "_followed"))

    ctx = replace(db_ctx, handlers={Noticed: [handler]})
    with ctx.uow() as uow:
        uow.customers.add(_customer("cus_evt1"))
        uow.publish(Noticed("cus_evt1"))
        assert seen == []  # nothing runs before the commit
        uow.commit()
    assert seen == [(ctx.clock.now(), True)]
    with ctx.uow(read_only=True) as uow:
        assert uow.customers.get("cus_evt1_followed") is not None


def test_a_failing_handler_rolls_back_the_change_that_announced_it(db_ctx):
    def handler(ctx, uow, event):
        raise RuntimeError("subscriber failed")

    ctx = replace(db_ctx, handlers={Noticed: [handler]})
    with pytest.raises(RuntimeError, match="subscriber failed"), ctx.uow() as uow:
        uow.customers.add(_customer("cus_evt2"))
        uow.publish(Noticed("cus_evt2"))
        uow.commit()
    with ctx.uow(read_only=True) as uow:
        assert uow.customers.get("cus_evt2") is None


def test_rolled_back_events_are_forgotten(db_ctx):
    handled = []
    ctx = replace(db_ctx, handlers={Noticed: [lambda c, u, e: handled.append(e.customer_id)]})
    with ctx.uow() as uow:
        uow.publish(Noticed("cus_gone"))
        uow.rollback()
        uow.publish(Noticed("cus_kept"))
        uow.commit()
    assert handled == ["cus_kept"]


def test_events_on_a_unit_of_work_opened_outside_a_context_are_refused(db_ctx):
    raw = db_ctx.uow.inner  # the bare SQL factory: no handlers wired
    with raw() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        uow.publish(Noticed("cus_x"))
        with pytest.raises(RuntimeError, match="no handlers"):
            uow.commit()


def test_reg1_a_bind_and_its_mid_update_are_stored_together_or_not_at_all(db_ctx):
    """REG-1: the MID update is written in the bind's transaction: a failing subscriber leaves no policy
    and the quote still open."""
    def failing(ctx, uow, event):
        raise RuntimeError("MID outbox unavailable")

    ctx = replace(db_ctx, handlers={PolicyTransactionRecorded: [failing]})
    cid = new_customer(ctx)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))
    with pytest.raises(RuntimeError, match="MID outbox unavailable"):
        quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="evt-bind-1")
    with ctx.uow(read_only=True) as uow:
        assert uow.policies.page(cid, 10, 0) == []
        assert uow.quotes.get(q["id"]).status == "open"

    bound = bind(db_ctx, customer_id=cid)  # with the registered handlers: the MID update is there
    with db_ctx.uow(read_only=True) as uow:
        assert [u.policy_id for u in uow.mid_updates.for_policy(bound["id"])] == [bound["id"]]


def test_the_registry_names_every_subscriber_once():
    """One place registers who acts on which event; each handler appears once per event."""
    assert set(EVENT_HANDLERS) == {PolicyTransactionRecorded, ClaimNotified, PolicyCancellationDue}
    for handlers in EVENT_HANDLERS.values():
        assert len(handlers) == len(set(handlers))

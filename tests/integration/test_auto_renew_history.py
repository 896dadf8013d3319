"""Issue 13 item 5, POL-1: switching automatic renewal is a transaction in the policy's history, on SQLite
and PostgreSQL: who, when, why; idempotent under its key; a renewal offered before it needs a new one."""

from __future__ import annotations

import pytest

from covernote.identity.usecases import SYSTEM
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.lifecycle.usecases import policies
from tests.support import bind


def test_issue13_item5_pol1_auto_renew_switch_is_recorded_once_with_who_when_why(db_ctx):
    """Issue 13 item 5, POL-1: the switch appends one `auto_renew` transaction (actor, time, reason, before
    and after) and bumps the version; the same key replays it; a different request under it is refused."""
    pol = bind(db_ctx)
    view = policies.set_auto_renew(db_ctx, SYSTEM, pol["id"], False, pol["version"], reason="moving abroad",
                                   idempotency_key="auto-renew-int-1")
    assert view["auto_renew"] is False and view["version"] == pol["version"] + 1
    replay = policies.set_auto_renew(db_ctx, SYSTEM, pol["id"], False, pol["version"], reason="moving abroad",
                                     idempotency_key="auto-renew-int-1")
    assert replay["version"] == view["version"] and replay["transaction_id"] == view["transaction_id"]
    with pytest.raises(Conflict):
        policies.set_auto_renew(db_ctx, SYSTEM, pol["id"], True, idempotency_key="auto-renew-int-1")
    with pytest.raises(ValidationFailed):
        policies.set_auto_renew(db_ctx, SYSTEM, pol["id"], True, idempotency_key=None)
    txns = policies.policy_history(db_ctx, SYSTEM, pol["id"])["transactions"]
    switches = [t for t in txns if t["kind"] == "auto_renew"]
    assert len(switches) == 1
    (t,) = switches
    assert (t["id"], t["reason"], t["by"]["user_id"], t["details"]) == (
        view["transaction_id"], "moving abroad", SYSTEM.user_id, {"auto_renew": False, "was": True})
    assert t["effective_date"] == db_ctx.today().isoformat() and t["premium"] == "0.00"
    assert t["recorded_at"].startswith(db_ctx.today().isoformat()[:4])
    with pytest.raises(Conflict):  # a stale version is refused, nothing recorded
        policies.set_auto_renew(db_ctx, SYSTEM, pol["id"], True, pol["version"], idempotency_key="auto-renew-int-2")
    assert len(policies.policy_history(db_ctx, SYSTEM, pol["id"])["transactions"]) == len(txns)

"""Quote-then-confirm: an MTA, cancellation or renewal is priced first and stored as a pending quote
against the policy's version; confirming it applies exactly that, or refuses if the policy changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from covernote.kernel.errors import Conflict, FieldIssue, NotFound
from covernote.kernel.ids import new_id
from covernote.lifecycle.results import PendingBase
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy
from covernote.policy.ports import PendingQuote


def store_pending(ctx: AppContext, uow: UnitOfWork, policy: Policy, kind: str, request: dict[str, Any],
                  result: dict[str, Any], created_by: str, expires_at: datetime | None = None) -> PendingBase:
    now = ctx.clock.now()
    pending = PendingQuote(new_id(kind[:3]), policy.policy_id, kind, policy.version, request, result, now,  # type: ignore[arg-type]
                           expires_at or now + timedelta(days=ctx.pending_quote_days), created_by)
    uow.pending.add(pending)
    return pending_view(pending)


def pending_view(p: PendingQuote) -> PendingBase:
    """The stored quote; its priced result follows the keys every kind shares (stored JSON: cast, no copy)."""
    return cast(PendingBase, {"id": p.pending_id, "policy_id": p.policy_id, "kind": p.kind, "status": p.status,
                              "policy_version": p.policy_version, "created_at": p.created_at.isoformat(),
                              "expires_at": p.expires_at.isoformat(), "request": p.request, **p.result})


def open_pending(ctx: AppContext, uow: UnitOfWork, policy: Policy, pending_id: str, kind: str) -> PendingQuote:
    """The pending quote, if it can still be confirmed against the policy as it now stands."""
    pending = uow.pending.get(pending_id)
    if pending is None or pending.policy_id != policy.policy_id or pending.kind != kind:
        raise NotFound(f"no such {kind} quote on this policy")
    if pending.status != "open":
        raise Conflict(f"this {kind} quote is {pending.status}", [FieldIssue("id", pending.status)])
    if ctx.clock.now() >= pending.expires_at:
        raise Conflict(f"this {kind} quote has expired; ask for a new one", [FieldIssue("id", "expired")])
    if pending.policy_version != policy.version:
        raise Conflict(
            f"the policy has changed since this quote (version {pending.policy_version} -> {policy.version}); "
            "ask for a new quote", [FieldIssue("id", "quoted on an earlier version of the policy")])
    return pending

"""What carbon offsetting does when a policy changes (kernel/events.py); registered in
covernote.bootstrap."""

from __future__ import annotations

from covernote.carbon.usecases.offsets import record_offset
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.events import PolicyTransactionRecorded

# The transactions that buy, top up, reduce or pro-rate a policy year's offset (ECO-1).
OFFSET_KINDS = frozenset({"new_business", "mta", "renewal", "cancellation"})


def record_year_offset(ctx: AppContext, uow: UnitOfWork, event: PolicyTransactionRecorded) -> None:
    """ECO-1: the policy year's carbon offset after the transaction, for a product that offsets."""
    if event.txn.kind in OFFSET_KINDS:
        record_offset(ctx, uow, event.policy, event.txn)

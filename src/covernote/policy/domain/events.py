"""The policy's domain events: what other contexts act on when a policy changes (kernel/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from covernote.kernel.events import Event
from covernote.policy.domain.model import Policy, PolicyTransaction


@dataclass(frozen=True, eq=False)
class PolicyTransactionRecorded(Event):
    """A transaction was added to a policy: new business, a mid-term adjustment, a renewal, a
    cancellation, a voidance or an incident. `policy.transactions` already includes `txn`.

    Subscribers (covernote.bootstrap): carbon records the policy year's offset (ECO-1), the Motor
    Insurance Database gets its update (REG-1), the claims exchange its incident report (REG-2)."""

    policy: Policy
    txn: PolicyTransaction

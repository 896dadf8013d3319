"""Billing's domain events: what another context acts on when billing decides something (kernel/events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from covernote.kernel.events import Event

CancellationCause = Literal["non_payment", "payment_authority_withdrawn"]


@dataclass(frozen=True, eq=False)
class PolicyCancellationDue(Event):
    """Billing has given the customer notice and the notice has run out unanswered: the policy must now be
    cancelled, effective `effective_on`, as the insurer, for `cause` (PAY-2: a returned direct debit and a failed
    re-presentation not paid by card; arrears; PAY-3: the continuous payment authority withdrawn and no other
    way to pay). `notice_document_id` is the stored notice letter that warned of it.

    Billing sits below the lifecycle and cannot call its cancellation; the lifecycle subscribes
    (`lifecycle/usecases/handlers.py`, registered in `bootstrap.EVENT_HANDLERS`) and cancels through its
    ordinary cancellation machinery, with the product's fees and refund rules."""

    policy_id: str
    cause: CancellationCause
    effective_on: date
    notice_document_id: str | None = None

"""Consent and marketing preferences (PRV-2): record a decision, read the current state and history,
and the one check every marketing path must make before contacting anyone."""

from __future__ import annotations

from covernote.identity.usecases import Principal, check_customer
from covernote.kernel.errors import FieldIssue, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.privacy.domain.consent import (
    Channel,
    ConsentDecision,
    ConsentPurpose,
    Source,
    current,
    may_contact,
    validate_decision,
)
from covernote.privacy.usecases.requests import marketing_blocked
from covernote.privacy.usecases.results import ConsentDecisionView, Consents


def _view(d: ConsentDecision) -> ConsentDecisionView:
    return {"id": d.decision_id, "channel": d.channel.value, "purpose": d.purpose.value, "granted": d.granted,
            "wording": d.wording, "source": d.source.value, "recorded_at": d.recorded_at.isoformat(),
            "recorded_by": d.recorded_by}


def record_decision(ctx: AppContext, principal: Principal, customer_id: str, *, channel: str, purpose: str,
                    granted: bool, wording: str, source: str) -> ConsentDecisionView:
    """Record a grant or a withdrawal. A customer records their own; staff record what a customer told
    them (by phone, on paper). It takes effect at once."""
    check_customer(principal, customer_id, "customer")
    if principal.role == "customer" and source not in ("web", "app", "api"):
        raise ValidationFailed("online decisions come from the web, the app or the API",
                               [FieldIssue("source", "use web, app or api")])
    now = ctx.clock.now()
    validate_decision(channel, purpose, source, wording, now)
    decision = ConsentDecision(customer_id, Channel(channel), ConsentPurpose(purpose), granted, wording.strip(),
                               Source(source), now, principal.user_id, new_id("con"))
    with ctx.uow() as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer")
        uow.consents.add(decision)
        uow.commit()
    return _view(decision)


def consents(ctx: AppContext, principal: Principal, customer_id: str) -> Consents:
    """The decision in force for every channel and purpose (none recorded: not granted), and the history."""
    check_customer(principal, customer_id, "customer")
    with ctx.uow(read_only=True) as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer")
        history = uow.consents.for_customer(customer_id)
    now = ctx.clock.now()
    in_force = current(history, now)
    answer: Consents = {
        "customer_id": customer_id,
        "current": [{"channel": c.value, "purpose": p.value, "granted": may_contact(history, c, p, now),
                     "decision": _view(in_force[(c, p)]) if (c, p) in in_force else None}
                    for c in Channel for p in ConsentPurpose],
        "history": [_view(d) for d in history],
    }
    return answer


def marketing_permitted(ctx: AppContext, customer_id: str, channel: Channel,
                        purpose: ConsentPurpose = ConsentPurpose.MARKETING) -> bool:
    """The check every marketing path makes, at the moment it would contact the person."""
    with ctx.uow(read_only=True) as uow:
        if marketing_blocked(uow, customer_id):  # an objection or a restriction overrides any consent
            return False
        history = uow.consents.for_customer(customer_id)
    return may_contact(history, channel, purpose, ctx.clock.now())

"""Data subject requests as cases (PRV-3): receive, verify identity, pause for clarification, extend,
refuse, withdraw, and fulfil each kind. The restriction and objection flags they set are obeyed by
marketing, quoting and renewal (`processing_allowed`, `marketing_blocked`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, cast

from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel.calendar import Nation
from covernote.kernel.errors import Conflict, FieldIssue, Forbidden, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.usecases.customers import validate_customer_fields
from covernote.privacy.domain.consent import Channel as ConsentChannel
from covernote.privacy.domain.consent import ConsentDecision, ConsentPurpose, Source
from covernote.privacy.domain.requests import CUSTOMER_KINDS, RequestKind, RequestStatus, SubjectRequest
from covernote.privacy.usecases.disclosures import recipients_to_tell
from covernote.privacy.usecases.results import (
    ProcessingFlags,
    RequestEvent,
    RequestList,
    RequestPause,
    RequestTiming,
    RequestView,
)

RESTRICTED = "restriction"
MARKETING_OBJECTION = "marketing_objection"
PROFILING_OBJECTION = "profiling_objection"


def request_view(q: SubjectRequest, today: date, events: list[RequestEvent] | None = None) -> RequestView:
    view: RequestView = {
        "id": q.request_id, "customer_id": q.customer_id, "kind": q.kind.value, "status": q.status.value,
        "channel": q.channel.value, "nation": q.nation.value, "details": q.details,
        "identity": {"verified": q.identity_verified_at is not None,
                     "verified_at": q.identity_verified_at.isoformat() if q.identity_verified_at else None,
                     "method": q.identity_method},
        "pauses": cast(list[RequestPause], [p.as_dict() for p in q.pauses]),  # the domain builds pauses and timing
        "extension": ({"notified_on": q.extension_notified_on.isoformat(), "reason": q.extension_reason}
                      if q.extension_notified_on else None),
        "timing": cast(RequestTiming, q.timing(today)),
        "outcome": q.outcome,
        "created_at": q.created_at.isoformat(), "created_by": q.created_by,
        "completed_at": q.completed_at.isoformat() if q.completed_at else None,
        "version": q.version,
    }
    if events is not None:
        view["events"] = events
    return view


def load_request(uow: UnitOfWork, principal: Principal, request_id: str) -> SubjectRequest:
    q = uow.requests.get(request_id)
    if q is None:
        raise NotFound("no such request")
    check_customer(principal, q.customer_id, "request")
    return q


def start(ctx: AppContext, principal: Principal, customer_id: str, *, kind: str, details: dict[str, Any] | None = None,
          channel: str | None = None, received_on: date | None = None, nation: str = "ENG",
          identity_method: str | None = None) -> RequestView:
    """Receive a request. A customer starts an access, portability or erasure request through their own
    login (identity verified by it, received today); staff record any kind received by post, phone, e-mail
    or in person, with the day it was received and, if already done, how identity was checked."""
    check_customer(principal, customer_id, "customer")
    today = ctx.today()
    if principal.role == "customer":
        if kind not in {k.value for k in CUSTOMER_KINDS}:
            raise Forbidden(f"customers start {', '.join(sorted(k.value for k in CUSTOMER_KINDS))} requests "
                            "themselves; for others contact us and we will record it",
                            [FieldIssue("kind", f"{kind!r} is recorded by staff on your behalf")])
        channel, received_on, identity_method = "api", today, None
    else:
        require_staff(principal, "record requests for a customer")
        if channel is None:
            raise ValidationFailed("say how the request arrived",
                                   [FieldIssue("channel", "one of email, post, phone, in_person, api")])
    try:
        nation_value = Nation.parse(nation)
    except (ValueError, KeyError):
        raise ValidationFailed("unknown nation", [FieldIssue("nation", "use ENG, WLS, SCT or NIR")]) from None
    now = ctx.clock.now()
    q = SubjectRequest.receive(new_id("dsr"), customer_id, kind, channel, received_on or today, nation_value,
                               details or {}, now, principal.user_id, today, identity_method)
    if q.kind is RequestKind.RECTIFICATION:  # the corrections must be valid values before the case opens
        try:
            validate_customer_fields(today, q.details["corrections"])
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, [FieldIssue(f"details.corrections.{i.field}", i.reason)
                                                 for i in exc.issues]) from None
    with ctx.uow() as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        uow.requests.add(q, principal.user_id, now)
        uow.commit()
    return request_view(q, today)


def get(ctx: AppContext, principal: Principal, request_id: str) -> RequestView:
    with ctx.uow(read_only=True) as uow:
        q = load_request(uow, principal, request_id)
        events = cast(list[RequestEvent], uow.requests.events(request_id))  # the store builds them
    return request_view(q, ctx.today(), events)


def list_requests(ctx: AppContext, principal: Principal, customer_id: str | None = None, open_only: bool = False,
                  overdue_only: bool = False, limit: int = 50, offset: int = 0) -> RequestList:
    """Cases, oldest first, with their due dates: the DPO's work queue (open_only, overdue_only)."""
    check_listing(limit, offset)
    if principal.role == "customer":
        customer_id = principal.customer_id
    else:
        require_staff(principal, "list requests")
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        if overdue_only:  # overdue is computed from each case's clock: filter every open case, then page
            found = [q for q in uow.requests.page(customer_id, True, 1_000_000, 0) if q.timing(today)["overdue"]]
            found = found[offset:offset + limit]
        else:
            found = uow.requests.page(customer_id, open_only, limit, offset)
    views = [request_view(q, today) for q in found]
    return {"requests": views, "today": today.isoformat()}


def _change(ctx: AppContext, principal: Principal, request_id: str, staff_action: str | None, change: Any) -> RequestView:
    if staff_action is not None:
        require_staff(principal, staff_action)
    now, today = ctx.clock.now(), ctx.today()
    with ctx.uow() as uow:
        q = load_request(uow, principal, request_id)
        changed = change(q, now, today)
        changed = replace(changed, version=uow.requests.save(changed, principal.user_id, now))
        uow.commit()
    return request_view(changed, today)


def verify_identity(ctx: AppContext, principal: Principal, request_id: str, method: str) -> RequestView:
    """Record how identity was checked (never the evidence itself); the clock starts again."""
    return _change(ctx, principal, request_id, "verify identity",
                   lambda q, now, today: q.verify_identity(method, now, today))


def ask_clarification(ctx: AppContext, principal: Principal, request_id: str, question: str) -> RequestView:
    return _change(ctx, principal, request_id, "ask for clarification",
                   lambda q, now, today: q.ask_clarification(question, today))


def clarification_received(ctx: AppContext, principal: Principal, request_id: str) -> RequestView:
    return _change(ctx, principal, request_id, "record a clarification",
                   lambda q, now, today: q.clarification_received(today))


def extend(ctx: AppContext, principal: Principal, request_id: str, notified_on: date, reason: str) -> RequestView:
    return _change(ctx, principal, request_id, "extend requests",
                   lambda q, now, today: q.extend(notified_on, reason, today))


def refuse(ctx: AppContext, principal: Principal, request_id: str, reason: str) -> RequestView:
    return _change(ctx, principal, request_id, "refuse requests",
                   lambda q, now, today: q.refuse(reason, now, today))


def withdraw(ctx: AppContext, principal: Principal, request_id: str) -> RequestView:
    """The person (or staff on their word) withdraws the request."""
    return _change(ctx, principal, request_id, None, lambda q, now, today: q.withdraw(now, today))


# -- processing flags: restriction and objection ---------------------------------------------------------


def processing_allowed(uow: UnitOfWork, customer_id: str, what: str) -> None:
    """Raise when the person has restricted processing (UK GDPR art. 18): their data may be stored but
    not used, so no new quote, change or renewal is made for them until the restriction is lifted."""
    if RESTRICTED in uow.requests.flags(customer_id):
        raise Conflict(f"the customer has restricted the processing of their data, so we cannot {what} until "
                       "the restriction is lifted", [FieldIssue("customer_id", "processing is restricted")])


def marketing_blocked(uow: UnitOfWork, customer_id: str) -> bool:
    """An objection to marketing (absolute, art. 21(3)) or a restriction stops all marketing at once."""
    return bool(uow.requests.flags(customer_id) & {RESTRICTED, MARKETING_OBJECTION})


def flags(ctx: AppContext, principal: Principal, customer_id: str) -> ProcessingFlags:
    check_customer(principal, customer_id, "customer")
    with ctx.uow(read_only=True) as uow:
        return {"customer_id": customer_id, "in_force": sorted(uow.requests.flags(customer_id))}


def lift_flag(ctx: AppContext, principal: Principal, customer_id: str, flag: str) -> ProcessingFlags:
    """Lift a restriction or objection: the person asked, or the ground for it no longer holds (staff)."""
    check_customer(principal, customer_id, "customer")
    if flag not in (RESTRICTED, MARKETING_OBJECTION, PROFILING_OBJECTION):
        raise ValidationFailed("unknown flag", [FieldIssue("flag", f"use {RESTRICTED}, {MARKETING_OBJECTION} or "
                                                                   f"{PROFILING_OBJECTION}")])
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if flag not in uow.requests.flags(customer_id):
            raise Conflict(f"{flag} is not in force", [FieldIssue("flag", "not in force")])
        uow.requests.set_flag(customer_id, flag, False, now, principal.user_id, None)
        uow.commit()
    return flags(ctx, principal, customer_id)


def _live_policies(uow: UnitOfWork, customer_id: str, today: date) -> list[Any]:
    return [p for p in uow.policies.page(customer_id, 10_000, 0) if p.status(today) in ("live", "pending")]


def restriction_effects(uow: UnitOfWork, customer_id: str, today: date) -> list[str]:
    """What a restriction does to the person's live cover (PRV-4: told before it is done)."""
    return [f"policy {p.number} is live: while processing is restricted we cannot change or renew it, so its "
            f"cover ends on {p.term().cover_end.isoformat()} unless the restriction is lifted first"
            for p in _live_policies(uow, customer_id, today)]


# -- fulfilment of the kinds that are not access, portability or erasure ------------------------------------


def fulfil(ctx: AppContext, principal: Principal, request_id: str, *,
           acknowledge_cover_effects: bool = False) -> RequestView:
    """Carry out a rectification, restriction, objection, consent withdrawal or death directive, and
    close the case. Access, portability and erasure have their own steps (package, export, plan/apply)."""
    require_staff(principal, "fulfil requests")
    now, today = ctx.clock.now(), ctx.today()
    with ctx.uow() as uow:
        q = load_request(uow, principal, request_id)
        if q.status is not RequestStatus.IN_PROGRESS:
            raise Conflict(f"the request is {q.status.value}: only a request in progress can be fulfilled")
        outcome: dict[str, Any]
        if q.kind is RequestKind.RECTIFICATION:
            values = validate_customer_fields(today, q.details["corrections"])
            uow.subject_data.correct_customer(q.customer_id, values)
            outcome = {"corrected": sorted(values), "recipients_to_tell": recipients_to_tell(uow, q.customer_id),
                       "note": "details on a policy's risk (vehicle, drivers, postcode) change by adjustment"}
        elif q.kind is RequestKind.RESTRICTION:
            effects = restriction_effects(uow, q.customer_id, today)
            if effects and not acknowledge_cover_effects:
                raise Conflict("restricting processing affects live cover: tell the person, then confirm with "
                               "acknowledge_cover_effects", [FieldIssue("acknowledge_cover_effects", e) for e in effects])
            uow.requests.set_flag(q.customer_id, RESTRICTED, True, now, principal.user_id, q.request_id)
            outcome = {"flags_set": [RESTRICTED], "cover_effects": effects,
                       "recipients_to_tell": recipients_to_tell(uow, q.customer_id)}
        elif q.kind is RequestKind.OBJECTION:
            set_flags = [MARKETING_OBJECTION if g == "marketing" else PROFILING_OBJECTION for g in q.details["to"]]
            for f in set_flags:
                uow.requests.set_flag(q.customer_id, f, True, now, principal.user_id, q.request_id)
            outcome = {"flags_set": set_flags,
                       "note": "marketing stops at once. Rating the person's own quotes and renewals is needed "
                               "for the contract and continues; no other profiling is done"}
        elif q.kind is RequestKind.CONSENT_WITHDRAWAL:
            for channel in q.details["channels"]:
                for purpose in ConsentPurpose:
                    uow.consents.add(ConsentDecision(
                        q.customer_id, ConsentChannel(channel), purpose, False,
                        f"withdrawn through data protection request {q.request_id}", Source.API if
                        q.channel.value == "api" else Source.PHONE if q.channel.value == "phone" else Source.PAPER,
                        now, principal.user_id, new_id("con")))
            outcome = {"consents_withdrawn": q.details["channels"]}
        elif q.kind is RequestKind.DEATH_DIRECTIVE:
            outcome = {"directive_recorded": q.details["directive"],
                       "note": "kept with the person's record and followed when we are told of their death"}
        else:
            raise Conflict(f"a {q.kind.value} request is answered with its own step",
                           [FieldIssue("kind", "access: GET .../package; portability: GET .../export; erasure: "
                                               "GET .../erasure-plan then POST .../erasure")])
        done = q.complete(outcome, now)
        done = replace(done, version=uow.requests.save(done, principal.user_id, now))
        uow.commit()
    return request_view(done, today)


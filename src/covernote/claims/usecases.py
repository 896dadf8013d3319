"""Claims use cases (issue 5 parts 2 and 3): first notification of loss (CLM-1, CLM-3) and claim handling
(CLM-2, CLM-4). The rules are claims/domain.py's; this module runs them in one unit of work each.

* FNOL records the claim, the other people in it (each a data subject of their own) and, in the same unit of
  work, the policy's incident transaction (kind "incident", `details.event` with the claim type, the day of
  loss, total loss and the claim id as reference): NCD (NCD-2, NCD-5), NCD protection (NCD-3) and
  cancellation refunds (FEE-1) read that transaction, unchanged. `_after_notification` is where the fraud
  check (REG-3) and the Claims and Underwriting Exchange report (REG-2) hook in.
* Each inbound letter or e-mail starts a five-working-day reply clock (`claim.correspondence_reply`, team
  claims, the bank holidays of the policyholder's nation); an outbound reply names the items it answers and
  meets their clocks at its `sent_at`.
* A settlement agreed with every required document in starts the 24-hour payment clock
  (`claim.settlement_payment`); the payment meets it. Closing a claim stops its open clocks.
* Reserves and payments are balanced ledger entries on the claim accounts (claims/domain.py), posted with
  the claim's policy and its incident transaction; `covernote ledger reconcile` checks them.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Any, cast

from covernote.claims import domain as dc
from covernote.claims.domain import (
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimNotified,
    ClaimPayment,
    ClaimStatus,
    Correspondence,
)
from covernote.claims.results import (
    ClaimDocumentView,
    ClaimEventView,
    ClaimPartyView,
    ClaimPaymentView,
    ClaimSummary,
    ClaimView,
    CorrespondenceTime,
    CorrespondenceView,
    InjuryDetails,
    NotifiedClaim,
    PaidClaim,
    RecordedCorrespondence,
)
from covernote.clocks import usecases as clocks
from covernote.extras import domain as dx
from covernote.identity.usecases import Principal, require_sensitive_reader, require_staff
from covernote.kernel.calendar import Nation, nation_for_postcode
from covernote.kernel.clock import london_date
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    IssueCollector,
    NotFound,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.kernel.journal import JournalEntry, Posting
from covernote.kernel.money import Money
from covernote.platform.context import AppContext
from covernote.platform.idempotency import check_key, idempotent_change, replay_or_run
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.claims import affects_ncd
from covernote.policy.domain.codec import event_to_dict
from covernote.policy.domain.model import Actor, PolicyTransaction
from covernote.policy.usecases.lookup import customers_policy_id, load_policy
from covernote.privacy.usecases import sensitive
from covernote.products.domain.claim_types import CLAIM_TYPES

REPLY_RULE = "claim.correspondence_reply"
PAYMENT_RULE = "claim.settlement_payment"
CLAIM_SUBJECT = "claim"  # the settlement payment clock's subject
LETTER_SUBJECT = "claim_correspondence"  # each inbound letter or e-mail's reply clock
TEAM = "claims"


# -- views -------------------------------------------------------------------------------------------------


def _money(m: Money | None) -> str | None:
    return None if m is None else m.to_str()


def _iso(d: datetime | None) -> str | None:
    return None if d is None else d.isoformat()


def _party_view(p: dc.Party) -> ClaimPartyView:
    return {"id": p.party_id, "role": p.role, "name": p.name, "address": p.address, "phone": p.phone,
            "vehicle_registration": p.vehicle_registration, "insurer": p.insurer, "policy_number": p.policy_number}


def _item_view(item: Correspondence) -> CorrespondenceView:
    at = item.at.isoformat()
    when: CorrespondenceTime = {"received_at": at} if item.direction == "in" else {"sent_at": at}
    return {"id": item.item_id, "direction": item.direction, "channel": item.channel, "summary": item.summary,
            **when, "answers": list(item.answers), "needs_reply": item.needs_reply,
            "recorded_at": item.recorded_at.isoformat(), "recorded_by": item.recorded_by}


def _document_view(d: ClaimDocument) -> ClaimDocumentView:
    return {"name": d.name, "requested_at": d.requested_at.isoformat(), "requested_by": d.requested_by,
            "received": d.received_at is not None, "received_at": _iso(d.received_at)}


def _event_view(e: ClaimEvent, staff: bool) -> ClaimEventView:
    out: ClaimEventView = {"at": e.at.isoformat(), "kind": e.kind, "by": e.actor_id, "role": e.actor_role,
                           "from_status": e.from_status, "to_status": e.to_status}
    if staff:
        out.update({"amount": _money(e.amount), "journal_entry_id": e.journal_entry_id, "note": e.note})
    elif e.kind == "payment":
        out["amount"] = _money(e.amount)
    return out


def _payment_view(p: ClaimPayment) -> ClaimPaymentView:
    return {"id": p.payment_id, "amount": p.amount.to_str(), "payee": p.payee, "reference": p.reference,
            "paid_at": p.paid_at.isoformat(), "recorded_by": p.recorded_by, "journal_entry_id": p.journal_entry_id}


def _summary(c: Claim, staff: bool) -> ClaimSummary:
    out: ClaimSummary = {
        "id": c.claim_id, "status": c.status.value, "policy_id": c.policy_id, "policy_number": c.policy_number,
        "customer_id": c.customer_id, "claim_type": c.claim_type, "total_loss": c.total_loss,
        "occurred_at": c.occurred_at.isoformat(), "occurred_on": c.occurred_on.isoformat(),
        "notified_at": c.notified_at.isoformat(), "paid": c.paid.to_str(),
        "settlement_amount": _money(c.settlement_amount), "version": c.version,
    }
    if staff:
        out["reserve"] = c.reserve.to_str()
    return out


def claim_view(ctx: AppContext, uow: UnitOfWork, principal: Principal, c: Claim) -> ClaimView:
    """The whole claim: every FNOL field, the other people, status and history, documents, correspondence,
    money and clocks. Customers see their own claims without the reserve (the insurer's estimate) or staff's
    notes."""
    staff = principal.is_staff
    letters = uow.claims.correspondence(c.claim_id)
    deadlines = clocks.for_subject(ctx, uow, CLAIM_SUBJECT, c.claim_id)
    for item in letters:
        if item.needs_reply:
            deadlines += clocks.for_subject(ctx, uow, LETTER_SUBJECT, item.item_id)
    return {
        **_summary(c, staff),
        "claim_type_label": CLAIM_TYPES.get(c.claim_type, c.claim_type),
        "affects_ncd": affects_ncd(c.incident_event()),
        "term_no": c.term_no, "incident_transaction_id": c.incident_transaction_id,
        "policyholder": {"name": c.policyholder_name, "address": c.policyholder_address,
                         "postcode": c.policyholder_postcode},
        "loss_description": c.loss_description, "circumstances": c.circumstances, "location": c.location,
        "anyone_injured": c.anyone_injured,
        "injury_details": None if c.injury_details is None else {
            "held": True, "encrypted": True, "read_with": f"GET /claims/{c.claim_id}/injury-details"},
        "crime_reference": c.crime_reference, "police_incident_number": c.police_incident_number,
        "parties": [_party_view(p) for p in uow.claims.parties(c.claim_id)],
        "nation": c.nation, "notified_by": c.notified_by,
        "settlement_agreed_at": _iso(c.settlement_agreed_at), "settled_at": _iso(c.settled_at),
        "closed_at": _iso(c.closed_at), "close_reason": c.close_reason,
        "next_statuses": sorted(s.value for s in dc.TRANSITIONS[c.status]),
        "documents": [_document_view(d) for d in uow.claims.documents(c.claim_id)],
        "correspondence": [_item_view(i) for i in letters],
        "payments": [_payment_view(p) for p in uow.claims.payments(c.claim_id)] if staff else
                    [{"amount": p.amount.to_str(), "paid_at": p.paid_at.isoformat()}
                     for p in uow.claims.payments(c.claim_id)],
        "events": [_event_view(e, staff) for e in uow.claims.events(c.claim_id)],
        "clocks": deadlines,
    }


# -- shared steps --------------------------------------------------------------------------------------------


def _load(uow: UnitOfWork, principal: Principal, claim_id: str) -> Claim:
    c = uow.claims.get(claim_id)
    if c is None or (principal.role == "customer" and principal.customer_id != c.customer_id):
        raise NotFound("no such claim", [FieldIssue("claim_id", f"no claim {claim_id} that you can see")])
    return c


def _check_version(c: Claim, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != c.version:
        raise Conflict(f"the claim is at version {c.version}, not {expected_version}: reload it",
                       [FieldIssue("expected_version", f"the claim is at version {c.version}")])


def _event(uow: UnitOfWork, c: Claim, principal: Principal, at: datetime, kind: str, *, from_status: str | None = None,
           to_status: str | None = None, amount: Money | None = None, entry: JournalEntry | None = None,
           note: str = "") -> None:
    uow.claims.add_event(c.customer_id, ClaimEvent(
        new_id("cev"), c.claim_id, at, principal.user_id, principal.role, kind, from_status, to_status, amount,
        entry.entry_id if entry else None, note))


def _post(uow: UnitOfWork, c: Claim, at: datetime, lines: list[Posting], what: str) -> JournalEntry:
    """A balanced entry for the claim, on its policy and its incident transaction (reconciliation finds it)."""
    entry = JournalEntry(new_id("jnl"), at, f"Claim {c.claim_id} on policy {c.policy_number}: {what}", c.policy_id,
                         c.incident_transaction_id, tuple(lines))
    uow.ledger.add(entry)
    return entry


def _release_reserve(uow: UnitOfWork, c: Claim, principal: Principal, at: datetime, why: str) -> Claim:
    """A settled or closed claim expects nothing more: what is left of its reserve is released."""
    if c.reserve.is_zero():
        return c
    entry = _post(uow, c, at, dc.reserve_postings(-c.reserve, c.claim_id), f"reserve released ({why})")
    _event(uow, c, principal, at, "reserve", amount=Money.zero(), entry=entry,
           note=f"reserve of {c.reserve.to_str()} released: the claim is {why}")
    return replace(c, reserve=Money.zero())


def _sync_settlement_clock(uow: UnitOfWork, c: Claim) -> None:
    """Start the 24-hour payment clock once the settlement is agreed and every document is in (CLM-2), unless
    it already started for this agreement."""
    started = dc.settlement_clock_start(c, uow.claims.documents(c.claim_id))
    if started is None or c.settlement_agreed_at is None:
        return
    if any(d.rule_code == PAYMENT_RULE and d.started_at >= c.settlement_agreed_at
           for d in uow.deadlines.for_subject(CLAIM_SUBJECT, c.claim_id)):
        return
    clocks.start(uow, PAYMENT_RULE, CLAIM_SUBJECT, c.claim_id, started, customer_id=c.customer_id,
                 nation=Nation(c.nation), team=TEAM,
                 note=f"pay the settlement of {_money(c.settlement_amount)} agreed on claim {c.claim_id}")


def _stop_clocks(uow: UnitOfWork, c: Claim, at: datetime, reason: str) -> None:
    clocks.stop_open(uow, CLAIM_SUBJECT, c.claim_id, at, reason)
    for item in uow.claims.correspondence(c.claim_id):
        if item.needs_reply:
            clocks.stop_open(uow, LETTER_SUBJECT, item.item_id, at, reason)


def _after_notification(ctx: AppContext, uow: UnitOfWork, claim: Claim) -> None:
    """Runs in the notification's unit of work, after the claim and its incident transaction are written:
    announces the claim, so that what every new claim must go through (the claims exchange report, REG-2,
    and the fraud check at claim, REG-3) runs before the unit of work commits (regulatory/usecases/handlers.py)."""
    uow.publish(ClaimNotified(claim))


def injury_details(ctx: AppContext, principal: Principal, claim_id: str,
                   purpose: str = "claims") -> InjuryDetails:
    """The claim's injury details (health data, PRV-7), decrypted for the policyholder or a claims handler,
    each read logged with its purpose (PRV-11, SEC-2). Other roles, administrators among them, are refused,
    naming the role (identity's one rule for sensitive reads)."""
    require_sensitive_reader(principal, "injury_details")
    issues = IssueCollector()
    why = issues.text("purpose", purpose, 200)
    issues.raise_if_any("say why the injury details are read")
    assert why is not None
    with ctx.uow() as uow:
        claim = _load(uow, principal, claim_id)
        value = None if claim.injury_details is None else sensitive.unseal(
            ctx, uow, principal, claim.customer_id, claim.injury_details, f"claim:{claim.claim_id}", "injury_details",
            why)
        uow.commit()
    return {"claim_id": claim.claim_id, "anyone_injured": claim.anyone_injured, "injury_details": value,
            "read_by": principal.user_id, "purpose": why, "logged": value is not None}


# -- first notification of loss (CLM-1, CLM-3) -----------------------------------------------------------------


def notify(ctx: AppContext, principal: Principal, policy_id: str, n: dc.Notification,
           idempotency_key: str | None = None) -> NotifiedClaim:
    """Record a first notification of loss on a policy (staff, or the customer on their own policy). Refused,
    naming each field, when a detail is missing or wrong (crime reference for theft, malicious damage and
    vandalism; police incident number for theft), when the policy was not on cover at the date of loss, or
    when the type is assistance under an optional extra the policy did not have on cover then."""
    now = ctx.clock.now()
    n = dc.check_notification(n, now)
    assert n.occurred_at is not None and n.loss_description is not None and n.circumstances is not None
    assert n.anyone_injured is not None

    def run(uow: UnitOfWork) -> ClaimView:
        policy = load_policy(uow, principal, policy_id)
        assert n.occurred_at is not None
        day = london_date(n.occurred_at)
        term = dc.term_on_cover(policy, day)
        # NCD-2, FEE-1, ADD-1: assistance under an optional extra needs that extra on cover that day.
        covers = {code: cover.removed_from(term.cover_end)
                  for code, cover in dx.term_extras(policy.transactions, term.term_no).items()}
        why = dx.claim_not_covered(n.claim_type, day, policy.number, ctx.catalogue.by_ref(term.product_ref), covers)
        if why is not None:
            raise ValidationFailed("the claim cannot be notified", [FieldIssue("claim_type", why)])
        customer = uow.customers.get(policy.customer_id)
        if customer is None:  # pragma: no cover - a policy always has its customer
            raise NotFound("the policy's customer is missing")
        claim = Claim(
            new_id("clm"), policy.policy_id, policy.number, policy.customer_id, term.term_no, new_id("txn"),
            n.claim_type, n.total_loss, n.occurred_at, n.loss_description or "", n.circumstances or "", n.location,
            bool(n.anyone_injured),
            # Health data (PRV-7, PRV-11): sealed with the policyholder's data key; read through injury_details().
            None if n.injury_details is None else sensitive.seal(ctx, uow, policy.customer_id, n.injury_details),
            n.crime_reference, n.police_incident_number, customer.name,
            customer.address, customer.postcode, nation_for_postcode(customer.postcode).value, now,
            principal.user_id)
        # The policy's own record of the claim: what NCD, NCD protection and cancellation refunds read.
        txn = PolicyTransaction(claim.incident_transaction_id, policy.policy_id, policy.next_sequence(), term.term_no,
                                "incident", day, now, Actor(principal.user_id, principal.role),
                                f"claim {claim.claim_id} notified", Money.zero(), Money.zero(), (), (),
                                {"event": event_to_dict(claim.incident_event())})
        uow.policies.append(policy, [txn], policy.version)
        uow.claims.add(claim, [replace(p, party_id=new_id("cpt")) for p in n.parties], principal.user_id)
        _event(uow, claim, principal, now, "notified", to_status=claim.status.value,
               note=f"{CLAIM_TYPES[claim.claim_type]} claim notified")
        _after_notification(ctx, uow, claim)
        return claim_view(ctx, uow, principal, claim)

    if idempotency_key is None:
        with ctx.uow() as uow:
            out = run(uow)
            uow.commit()
        return {**out}  # without a key, no `idempotent_replay`
    key = check_key(idempotency_key)
    request = {"policy_id": policy_id, "notification": asdict(n)}
    with ctx.uow() as uow:
        # The idempotency store keeps the answer as free-form JSON; what it gives back is the claim view
        # that was stored.
        stored, replayed = replay_or_run(uow, key, f"claim_notify:{principal.user_id}", request,
                                         lambda: {**run(uow)})
        uow.commit()
    return cast(NotifiedClaim, {**stored, "idempotent_replay": replayed})


def get_claim(ctx: AppContext, principal: Principal, claim_id: str) -> ClaimView:
    with ctx.uow(read_only=True) as uow:
        return claim_view(ctx, uow, principal, _load(uow, principal, claim_id))


def list_claims(ctx: AppContext, principal: Principal, status: str | None = None, policy_id: str | None = None,
                limit: int = 50, offset: int = 0) -> list[ClaimSummary]:
    """Staff: every claim, newest first, optionally by status and policy (id or number). Customers: their own."""
    check_listing(limit, offset, status=status, statuses=[s.value for s in ClaimStatus])
    customer = principal.customer_id if principal.role == "customer" else None
    if principal.role == "customer" and customer is None:  # pragma: no cover - a customer login has its customer
        return []
    with ctx.uow(read_only=True) as uow:
        pid = None
        if policy_id is not None:
            if customer is not None:
                pid = customers_policy_id(uow, customer, policy_id)
            else:
                policy = uow.policies.get(policy_id) or uow.policies.by_number(policy_id)
                if policy is None:
                    raise NotFound("no such policy", [FieldIssue("policy_id", f"no policy {policy_id}")])
                pid = policy.policy_id
        rows = uow.claims.page(customer, pid, status, limit, offset)
    return [_summary(c, principal.is_staff) for c in rows]


# -- handling (CLM-2, CLM-4) -------------------------------------------------------------------------------


def change_status(ctx: AppContext, principal: Principal, claim_id: str, status: str, *, note: str | None = None,
                  amount: Money | None = None, reason: str | None = None,
                  expected_version: int | None = None) -> ClaimView:
    """Staff move the claim on (TRANSITIONS). `settlement_agreed` takes the amount; with every required
    document in, it starts the 24-hour payment clock. `closed` takes a reason and stops the claim's open clocks.
    Settling or closing releases what is left of the reserve."""
    require_staff(principal, "handle claims")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        claim = _load(uow, principal, claim_id)
        _check_version(claim, expected_version)
        after, text = dc.change_status(claim, status, now, amount=amount, reason=reason, note=note)
        _event(uow, claim, principal, now, "status", from_status=claim.status.value, to_status=after.status.value,
               amount=after.settlement_amount if after.status is ClaimStatus.SETTLEMENT_AGREED else None, note=text)
        if claim.status is ClaimStatus.SETTLEMENT_AGREED and after.status is ClaimStatus.UNDER_ASSESSMENT:
            clocks.stop_open(uow, CLAIM_SUBJECT, claim_id, now, "the settlement was withdrawn", PAYMENT_RULE)
        if after.status is ClaimStatus.SETTLED:  # the agreed settlement was already paid in full
            clocks.meet(uow, CLAIM_SUBJECT, claim_id, PAYMENT_RULE, now)
        if after.status is ClaimStatus.CLOSED:
            _stop_clocks(uow, after, now, f"claim closed: {dc.CLOSE_REASONS[after.close_reason or '']}")
        if not after.status.is_open:
            after = _release_reserve(uow, after, principal, now, after.status.value)
        saved = uow.claims.save(after)
        _sync_settlement_clock(uow, saved)
        out = claim_view(ctx, uow, principal, saved)
        uow.commit()
    return out


def set_reserve(ctx: AppContext, principal: Principal, claim_id: str, amount: Money | None,
                note: str | None = None) -> ClaimView:
    """Staff set the claim's outstanding reserve; the change is posted (CLM-4)."""
    require_staff(principal, "set claim reserves")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        claim = _load(uow, principal, claim_id)
        after, change, text = dc.set_reserve(claim, amount, note)
        entry = _post(uow, claim, now, dc.reserve_postings(change, claim_id),
                      f"reserve {claim.reserve.to_str()} -> {after.reserve.to_str()}")
        _event(uow, claim, principal, now, "reserve", amount=after.reserve, entry=entry,
               note=text or f"reserve {claim.reserve.to_str()} -> {after.reserve.to_str()}")
        saved = uow.claims.save(after)
        out = claim_view(ctx, uow, principal, saved)
        uow.commit()
    return out


def record_payment(ctx: AppContext, principal: Principal, claim_id: str, amount: Money | None, payee: str | None,
                   *, reference: str | None = None, note: str | None = None,
                   idempotency_key: str | None = None) -> PaidClaim:
    """Staff record a claim payment (made from the insurer's bank): posted against the bank, taken off the
    reserve, and meeting the 24-hour settlement payment clock (CLM-2). A payment that completes the agreed
    settlement settles the claim. The same Idempotency-Key answers a retry without paying twice."""
    require_staff(principal, "pay claims")
    request = {"claim_id": claim_id, "amount": _money(amount), "payee": payee, "reference": reference, "note": note}

    def run(uow: UnitOfWork, _key: str) -> dict[str, Any]:  # the idempotency store keeps free-form JSON
        now = ctx.clock.now()
        claim = _load(uow, principal, claim_id)
        after, who, ref, text = dc.pay(claim, amount, payee, reference, note, now)
        paid = after.paid - claim.paid
        entry = _post(uow, claim, now, dc.payment_postings(paid, claim_id), f"payment {paid.to_str()}")
        uow.claims.add_payment(claim.customer_id, ClaimPayment(new_id("cpy"), claim_id, paid, who, ref, now,
                                                               principal.user_id, entry.entry_id))
        _event(uow, claim, principal, now, "payment", amount=paid, entry=entry,
               note=text or f"{paid.to_str()} paid to {who}")
        if after.status is ClaimStatus.SETTLED:  # CLM-2: met once the agreed settlement is paid in full
            clocks.meet(uow, CLAIM_SUBJECT, claim_id, PAYMENT_RULE, now)
            _event(uow, claim, principal, now, "status", from_status=claim.status.value,
                   to_status=after.status.value, note="the agreed settlement is paid")
            after = _release_reserve(uow, after, principal, now, "settled")
        saved = uow.claims.save(after)
        return {**claim_view(ctx, uow, principal, saved)}

    # What comes back is the claim view as first answered, with `idempotent_replay`.
    answer = idempotent_change(ctx.uow, principal.user_id, "claim_payment", idempotency_key, request, run)
    return cast(PaidClaim, answer)


def request_documents(ctx: AppContext, principal: Principal, claim_id: str, names: list[str]) -> ClaimView:
    """Staff add documents the claim needs before a settlement can be paid (the checklist)."""
    require_staff(principal, "handle claims")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        claim = _load(uow, principal, claim_id)
        if not claim.status.is_open:
            raise Conflict(f"the claim is {claim.status.value}: no more documents are needed",
                           [FieldIssue("status", f"is {claim.status.value}, which is final")])
        if clocks.open_on(uow, CLAIM_SUBJECT, claim_id, PAYMENT_RULE):
            raise Conflict("the settlement is agreed and every document is in: the 24-hour payment clock is running",
                           [FieldIssue("names", "pay the settlement, or withdraw it (status under_assessment) first")])
        existing = uow.claims.documents(claim_id)
        added = [ClaimDocument(new_id("cdc"), claim_id, name, now, principal.user_id)
                 for name in dc.check_document_names(names, existing)]
        uow.claims.add_documents(claim.customer_id, added)
        _event(uow, claim, principal, now, "documents_requested", note=", ".join(d.name for d in added))
        out = claim_view(ctx, uow, principal, claim)
        uow.commit()
    return out


def receive_document(ctx: AppContext, principal: Principal, claim_id: str, name: str,
                     received_at: datetime | None = None) -> ClaimView:
    """Staff record a document on the checklist as received; with the settlement agreed and every document in,
    the 24-hour payment clock starts (CLM-2)."""
    require_staff(principal, "handle claims")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        claim = _load(uow, principal, claim_id)
        doc = dc.find_document(uow.claims.documents(claim_id), name)
        at = dc.uk_time(received_at) if received_at is not None else now
        dc.check_received(claim, doc, at, now)
        uow.claims.mark_received(replace(doc, received_at=at, received_recorded_by=principal.user_id))
        _event(uow, claim, principal, now, "document_received", note=f"{doc.name} received {at.isoformat()}")
        _sync_settlement_clock(uow, claim)
        out = claim_view(ctx, uow, principal, claim)
        uow.commit()
    return out


def add_correspondence(ctx: AppContext, principal: Principal, claim_id: str, *, direction: str, channel: str,
                       summary: str | None, received_at: datetime | None = None, sent_at: datetime | None = None,
                       answers: list[str] | None = None) -> RecordedCorrespondence:
    """Staff record a letter, e-mail or call about the claim. Each inbound letter or e-mail starts a
    five-working-day reply clock (CLM-2); an outbound reply names the inbound items it answers and meets their
    clocks at its `sent_at`."""
    require_staff(principal, "record claim correspondence")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        claim = _load(uow, principal, claim_id)
        items = uow.claims.correspondence(claim_id)
        inbound = {i.item_id: i for i in items if i.direction == "in"}
        at, text, answered = dc.check_correspondence(claim, direction, channel, summary, received_at, sent_at,
                                                     answers or [], inbound, now)
        item = Correspondence(new_id("ccr"), claim_id, direction, channel, text, at, answered, now, principal.user_id)
        uow.claims.add_correspondence(claim.customer_id, item)
        if item.needs_reply:
            clocks.start(uow, REPLY_RULE, LETTER_SUBJECT, item.item_id, at, customer_id=claim.customer_id,
                         nation=Nation(claim.nation), team=TEAM,
                         note=f"reply to the {channel} received on claim {claim_id}")
        for item_id in answered:
            clocks.meet(uow, LETTER_SUBJECT, item_id, REPLY_RULE, at)
        out: RecordedCorrespondence = {**_item_view(item), "claim_id": claim_id,
                                       "clocks": [d for i in (item.item_id, *answered)
                                                  for d in clocks.for_subject(ctx, uow, LETTER_SUBJECT, i)]}
        uow.commit()
    return out

"""Which documents a policy's history calls for, and the facts each one prints (DOC-1). Pure: the policy,
its customer and its product come in, plain values for the templates go out; nothing here renders, stores
or reads the clock.

A document documents one thing (its `subject`): a policy transaction (new business, renewal, adjustment,
cancellation) or a renewal invitation. Each (policy, kind, subject) is issued once and kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from covernote.kernel.clock import LONDON
from covernote.kernel.money import Money
from covernote.policy.domain.model import Customer, Policy, PolicyTransaction, is_anonymised
from covernote.policy.domain.risk import Risk
from covernote.policy.domain.term import TermState, risk_timeline
from covernote.products.domain.model import Product

Kind = Literal["certificate", "schedule", "statement_of_fact", "ipid", "mta_letter", "cancellation_letter",
               "renewal_notice"]
Format = Literal["pdf", "html", "txt"]
FORMATS: tuple[Format, ...] = ("pdf", "html", "txt")
MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                               "txt": "text/plain; charset=utf-8"}

# The kinds, in the order a policy's list shows them for one subject, with their titles.
TITLES: dict[Kind, str] = {
    "certificate": "Certificate of motor insurance",
    "schedule": "Policy schedule",
    "statement_of_fact": "Statement of fact",
    "ipid": "Insurance product information document",
    "mta_letter": "Confirmation of your change",
    "cancellation_letter": "Cancellation and refund",
    "renewal_notice": "Renewal notice",
}
KINDS: tuple[Kind, ...] = tuple(TITLES)


# What a document belongs to and is listed under (issue 14): a policy (its certificates, schedules and letters), a
# complaint (its letters, DOC-2) or a data subject request (its access package, PRV-3).
OwnerKind = Literal["policy", "complaint", "data_request"]
OWNER_KINDS: tuple[OwnerKind, ...] = ("policy", "complaint", "data_request")


@dataclass(frozen=True)
class Owner:
    """The record a document belongs to: its kind and id, the customer it concerns (none for a complaint from
    someone who is not a customer) and the policy (a policy's documents only)."""

    kind: OwnerKind
    id: str
    customer_id: str | None
    policy_id: str | None = None


@dataclass(frozen=True)
class Letter:
    """A letter another context wrote from its own templates (issue 14: the NCD proof letter, a complaint letter,
    an access package), to be issued as a document of its owner (a policy, a complaint, a data subject request):
    stored once with its PDF and hashes, listed with the owner's documents.
    `subject` says which letter it is (two letters of the same kind and subject are the same letter)."""

    kind: str
    subject: str
    title: str
    template: str
    template_version: str
    product_ref: str | None
    term_no: int | None
    html: str
    txt: str


@dataclass(frozen=True)
class Invitation:
    """A renewal invitation as stored (a renewal quote waiting for the customer): its id, when it was made,
    until when it holds and its offer (the renewal quote's result, last year's premium included)."""

    invitation_id: str
    created_at: datetime
    expires_at: datetime
    offer: dict[str, Any]


@dataclass(frozen=True)
class Due:
    """A document the policy's history calls for: its kind and what it documents."""

    kind: Kind
    subject: str  # a transaction id, or a renewal invitation id
    term_no: int
    transaction: PolicyTransaction | None = None
    invitation: Invitation | None = None


def _certificate_still_true(policy: Policy, txn: PolicyTransaction, today: date) -> bool:
    """A certificate not yet issued is issued late only while it still states the cover: its term is not
    void, its cover has not ended, and no later transaction of the term changed what a certificate says."""
    term = policy.term(txn.term_no)
    if term.voided or today >= term.cover_end:
        return False
    later = [t for t in policy.transactions
             if t.term_no == txn.term_no and t.sequence > txn.sequence and t.kind in ("mta", "cancellation")]
    return not later


def due_documents(policy: Policy, motor: bool, invitations: list[Invitation], today: date,
                  issued: set[tuple[str, str]], ipid: bool = False) -> list[Due]:
    """The documents the policy's history calls for that are not yet issued (`issued` holds (kind, subject)
    pairs). A certificate (motor products only) comes with new business, a renewal and each adjustment; a
    schedule and a statement of fact with new business and a renewal, and the product information document
    too where the product file gives its wording (`ipid`); a letter with each adjustment and cancellation; a renewal
    notice with each renewal invitation. An anonymised policy (PRV-5) gets nothing more."""
    if is_anonymised(policy) or not policy.transactions:
        return []
    out: list[Due] = []

    def want(kind: Kind, txn: PolicyTransaction) -> None:
        if (kind, txn.transaction_id) not in issued:
            out.append(Due(kind, txn.transaction_id, txn.term_no, transaction=txn))

    for txn in sorted(policy.transactions, key=lambda t: t.sequence):
        if txn.kind in ("new_business", "renewal", "mta"):
            if motor and ("certificate", txn.transaction_id) not in issued and _certificate_still_true(policy, txn, today):
                want("certificate", txn)
            if txn.kind == "mta":
                want("mta_letter", txn)
            else:
                want("schedule", txn)
                want("statement_of_fact", txn)
                if ipid:
                    want("ipid", txn)
        elif txn.kind == "cancellation":
            want("cancellation_letter", txn)
    for inv in invitations:
        if ("renewal_notice", inv.invitation_id) not in issued:
            out.append(Due("renewal_notice", inv.invitation_id, policy.term().term_no, invitation=inv))
    return out


# -- the facts each document prints --------------------------------------------------------------------------


def long_date(day: date) -> str:
    """7 December 2026: the way every document writes a date."""
    return f"{day.day} {day:%B %Y}"


def money(amount: Money | str) -> str:
    """£1,234.56 (a negative amount keeps its sign)."""
    value = amount.amount if isinstance(amount, Money) else Money.of(amount).amount
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def as_of(policy: Policy, txn: PolicyTransaction) -> Policy:
    """The policy as it stood when `txn` was recorded: what a document of that transaction states."""
    return replace(policy, transactions=[t for t in policy.transactions if t.sequence <= txn.sequence])


def risk_on(term: TermState, day: date) -> Risk:
    """The risk in force on `day` of the term (the last stretch for a day past its end)."""
    stretches = risk_timeline(term.base_risk, term.period, term.adjustments)
    for period, risk in stretches:
        if period.start <= day < period.end:
            return risk
    return stretches[-1][1] if stretches else term.base_risk


def letterhead(product: Product) -> dict[str, Any]:
    """The brand, its address and telephone line, and the FSCS statement (REG-5): product data."""
    contacts = product.contacts
    if contacts is None:
        return {"brand": product.name, "address": [], "phone": None, "fscs": None}
    point = contacts.point("complaints")
    return {"brand": contacts.brand, "address": list(point.address), "phone": point.phone_line(),
            "email": point.email, "fscs": contacts.fscs}


def _start_moment(day: date, recorded_at: datetime) -> str:
    """When cover under a certificate starts: the moment the transaction was recorded when that is on its
    effective day (cover bought today starts now), else the start of the effective day."""
    recorded = recorded_at.astimezone(LONDON)
    if recorded.date() == day:
        return f"{recorded:%H:%M} on {long_date(day)}"
    return f"00:00 on {long_date(day)}"


def _common(policy: Policy, customer: Customer, product: Product, issued_on: date) -> dict[str, Any]:
    return {
        "letterhead": letterhead(product),
        "policy_number": policy.number,
        "product_name": product.name,
        "product_ref": product.ref,
        "insurer": product.insurer,
        "customer": {"name": customer.name, "address": [line.strip() for line in customer.address.split(",")
                                                        if line.strip()],
                     "postcode": customer.postcode},
        "issued_on": long_date(issued_on),
    }


def _vehicle(risk: Risk) -> dict[str, Any]:
    v = risk.vehicle
    return {"registration": v.registration, "make": v.make, "model": v.model, "year": v.year}


def certificate_facts(policy: Policy, txn: PolicyTransaction, customer: Customer, product: Product,
                      issued_on: date) -> dict[str, Any]:
    """What the Road Traffic Act 1988 (s.147) and the Motor Vehicles (Third Party Risks) Regulations require
    a certificate to state: the vehicle's registration, the policyholder, the persons or classes entitled to
    drive, the limitations as to use, the date and time cover starts and when it expires, and the
    authorised insurer's certification."""
    then = as_of(policy, txn)
    term = then.term(txn.term_no)
    effective = txn.effective_date if txn.kind == "mta" else term.period.start
    risk = risk_on(term, effective)
    until = term.period.end
    if txn.kind == "mta":
        adjustment = next((a for a in term.adjustments if a.transaction_id == txn.transaction_id), None)
        if adjustment is not None and adjustment.until is not None:
            until = min(until, adjustment.until)
    return {
        **_common(policy, customer, product, issued_on),
        "certificate_number": f"{policy.number}-{txn.sequence}",
        "vehicle": _vehicle(risk),
        "policyholder": customer.name,
        "drivers": [d.name for d in risk.drivers],
        "use": risk.answer("use") or "sdp",
        "starts": _start_moment(effective, txn.recorded_at),
        "expires": f"23:59 on {long_date(until - timedelta(days=1))}",
        "replaces_earlier": txn.kind == "mta",
    }


def schedule_facts(policy: Policy, txn: PolicyTransaction, customer: Customer, product: Product,
                   issued_on: date) -> dict[str, Any]:
    """The policy schedule of a new business or renewal: the period, the car and drivers, the cover, the
    answers the price rests on, and the premium, tax and fees charged on the term."""
    then = as_of(policy, txn)
    term = then.term(txn.term_no)
    risk = term.base_risk
    charge = then.charged_on_term(txn.term_no)
    fees = [{"name": f.name, "amount": money(f.amount)} for f in then.fee_lines(txn.term_no)]
    total = charge.premium + charge.ipt
    for f in then.fee_lines(txn.term_no):
        total = total + f.amount
    return {
        **_common(policy, customer, product, issued_on),
        "renewal": txn.kind == "renewal",
        "period": {"start": long_date(term.period.start), "end": long_date(term.period.end - timedelta(days=1))},
        "vehicle": {**_vehicle(risk), "value": money(risk.vehicle.value)},
        "drivers": [{"name": d.name, "relationship": d.relationship} for d in risk.drivers],
        "postcode": risk.postcode,
        "covers": [{"name": c.name, "description": c.description} for c in product.covers],
        "answers": [{"question": k, "value": v} for k, v in risk.answers],
        "premium": money(charge.premium), "ipt": money(charge.ipt), "ipt_rate": f"{term.ipt_rate * 100:.0f}%",
        "fees": fees, "total": money(total),
    }


def statement_of_fact_facts(policy: Policy, txn: PolicyTransaction, customer: Customer, product: Product,
                            issued_on: date) -> dict[str, Any]:
    """The statement of fact of a new business or renewal: everything the customer told us that the cover
    and the price rest on (the proposer, the car, the drivers, the answers), for them to check."""
    term = as_of(policy, txn).term(txn.term_no)
    risk = term.base_risk
    v = risk.vehicle
    return {
        **_common(policy, customer, product, issued_on),
        "renewal": txn.kind == "renewal",
        "period": {"start": long_date(term.period.start), "end": long_date(term.period.end - timedelta(days=1))},
        "proposer_born": long_date(customer.date_of_birth) if customer.date_of_birth else None,
        "vehicle": {**_vehicle(risk), "value": money(v.value), "fuel": v.fuel, "engine_cc": v.engine_cc},
        "postcode": risk.postcode,
        "drivers": [{"name": d.name, "relationship": d.relationship, "born": long_date(d.date_of_birth),
                     "licensed": long_date(d.licence_held_since)} for d in risk.drivers],
        "answers": [{"question": k, "value": val} for k, val in risk.answers],
    }


def ipid_facts(policy: Policy, txn: PolicyTransaction, customer: Customer, product: Product,
               issued_on: date) -> dict[str, Any]:
    """The insurance product information document (the IDD's standard form) of the product version the term
    was sold on: its own wording from the product file's `ipid:` section, and what is insured, when cover
    starts and ends and how to cancel from the rest of the product."""
    info = product.ipid
    assert info is not None, "due only for a product whose file gives the IPID's wording"
    term = as_of(policy, txn).term(txn.term_no)
    lengths = [f"{t.length} {t.unit if t.length != 1 else t.unit.rstrip('s')}" for t in product.terms]
    cancel_fees = [{"name": f.name, "amount": money(f.amount)} for f in product.fees
                   if f.charged_on.startswith("cancellation")]
    return {
        **_common(policy, customer, product, issued_on),
        "summary": info.summary, "not_insured": list(info.not_insured), "restrictions": list(info.restrictions),
        "where": list(info.where), "obligations": list(info.obligations), "payment": info.payment,
        "covers": [{"name": c.name, "description": c.description} for c in product.covers],
        "extras": [{"name": e.name, "provider": e.provider, "price": money(e.annual_price)} for e in product.extras],
        "term_lengths": lengths,
        "period": {"start": long_date(term.period.start), "end": long_date(term.period.end - timedelta(days=1))},
        "cooling_off_days": product.cancellation.cooling_off_days,
        "insurer_notice_days": product.cancellation.insurer_notice_days,
        "cancel_fees": cancel_fees,
    }


def mta_facts(policy: Policy, txn: PolicyTransaction, customer: Customer, product: Product,
              issued_on: date) -> dict[str, Any]:
    """The letter confirming a mid-term adjustment: what changed from when, and what it costs or returns."""
    adj = txn.details.get("adjustment", {})
    changed = txn.premium + txn.ipt
    fees = [{"name": f.name, "amount": money(f.amount)} for f in txn.fees_charged]
    total = changed
    for f in txn.fees_charged:
        total = total + f.amount
    then = as_of(policy, txn)
    term = then.term(txn.term_no)
    changes = [a for a in term.adjustments if a.transaction_id == txn.transaction_id]
    return {
        **_common(policy, customer, product, issued_on),
        "effective": long_date(txn.effective_date),
        "until": long_date(date.fromisoformat(adj["until"])) if adj.get("until") else None,
        "changes": [{"question": c.question, "value": c.value} if c.op == "set_answer" else {"text": c.describe()}
                    for a in changes for c in a.changes],
        "premium": money(txn.premium), "ipt": money(txn.ipt), "fees": fees,
        "additional": total.amount > 0, "amount": money(abs(total.amount).__str__()),
        "explanation": list(txn.details.get("explanation", [])),
    }


def cancellation_facts(policy: Policy, txn: PolicyTransaction, customer: Customer, product: Product,
                       issued_on: date) -> dict[str, Any]:
    """The cancellation and refund letter: when cover ends, who cancelled, and the refund worked out (FEE-6)."""
    result = txn.details.get("result", {})
    return {
        **_common(policy, customer, product, issued_on),
        "cover_ends": long_date(txn.effective_date),
        "cancelled_by": txn.details.get("cancelled_by", "customer"),
        "within_cooling_off": bool(result.get("within_cooling_off")),
        "refund_total": money(result.get("refund_total", "0")),
        "due_from_customer": money(result.get("amount_due_from_customer", "0")),
        "owes": Money.of(result.get("amount_due_from_customer", "0")).amount > 0,
        "cancellation_fees": [{"name": f["name"], "amount": money(f["amount"])}
                              for f in result.get("cancellation_fees", [])],
        "explanation": list(result.get("explanation", [])),
    }


def renewal_facts(policy: Policy, invitation: Invitation, customer: Customer, product: Product,
                  issued_on: date) -> dict[str, Any]:
    """The renewal notice: next year's price beside last year's (ICOBS 6B.2), the fees, whether the
    policy renews by itself, and until when the offer holds, from the stored invitation's offer."""
    offer = invitation.offer
    term = offer.get("term", {})
    start, end = date.fromisoformat(term["start"]), date.fromisoformat(term["end"])
    return {
        **_common(policy, customer, product, issued_on),
        "period": {"start": long_date(start), "end": long_date(end - timedelta(days=1))},
        "premium": money(offer["premium"]), "ipt": money(offer["ipt"]),
        "fees": [{"name": f.get("name", f.get("code", "fee")), "amount": money(f["amount"])}
                 for f in offer.get("fees", [])],
        "total": money(offer["total"]),
        "last_year_premium": money(offer["last_year_premium"]),
        "last_year_ipt": money(offer["last_year_ipt"]),
        "last_year_total": money(offer["last_year_total"]),
        "auto_renew": bool(offer.get("auto_renew")),
        # POL-3 (FCA pricing practices): said only where the offer records the equivalent new-business price
        "not_above_new_business": "equivalent_new_business_premium" in offer and
                                  Money.of(offer["premium"]) <= Money.of(offer["equivalent_new_business_premium"]),
        "respond_by": long_date(invitation.expires_at.astimezone(LONDON).date()),
        "renews_on": long_date(start),
    }

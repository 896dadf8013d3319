"""The disclosure register (PRV-6, REG-4): the ONE gateway every transfer of a person's data to a third
party goes through, so the register is complete by construction.

Adapters for outside systems (the payment provider today; the Motor Insurance Database, the claims
database, fraud and licence checks later) call `record_disclosure` with the unit of work of the business
transaction that made the transfer: the record is committed with that transaction, or not at all.
`recipients_to_tell` lists who received a person's data, for erasure and rectification (UK GDPR art. 19).

A disclosure to the police, another law enforcement or tax authority, a fraud prevention agency or a
regulator may be withheld from the person (DPA 2018 Sch. 2 para 2: telling them would be likely to
prejudice the prevention or detection of crime). A withheld disclosure is left out of everything the
person is shown (their listing, the access package, `recipients_to_tell` in their request outcomes);
staff see it, flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel.declarations import PURPOSES, Category
from covernote.kernel.errors import FieldIssue, IssueCollector, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.usecases.lookup import customers_policy_id
from covernote.privacy.ports import Disclosure
from covernote.privacy.usecases.results import RecipientToTell
from covernote.privacy.usecases.results_registers import DisclosureList, DisclosureView

RECIPIENT_KINDS: tuple[str, ...] = (
    "broker", "underwriter", "licence_check", "identity_check", "credit_check", "valuation", "finance_provider",
    "auction_counterparty", "fraud_agency", "motor_insurance_database", "claims_database", "reinsurer",
    "payment_provider", "police", "law_enforcement", "regulator", "other",
)
# Recipient kinds for which a disclosure may be withheld from the person (DPA 2018 Sch. 2 para 2: the prevention
# or detection of crime, the apprehension or prosecution of offenders, the assessment or collection of tax).
# `law_enforcement`: authorities other than the police, e.g. the National Crime Agency or HMRC.
WITHHOLDABLE_KINDS: tuple[str, ...] = ("police", "law_enforcement", "fraud_agency", "regulator")
REASON_LIMIT = 2000
_CATEGORIES = frozenset(x.value for x in Category)

# What every card payment or refund sends to the provider: the amount and description about a contract,
# the card token it issued (financial) and the cardholder's identity it holds against that token.
PAYMENT_PROVIDER = "card payment provider"
PAYMENT_CATEGORIES: tuple[str, ...] = (Category.FINANCIAL.value, Category.IDENTITY.value, Category.CONTRACT.value)
PAYMENT_VIA = "payments"


def view(d: Disclosure, for_staff: bool = True) -> DisclosureView:
    """A disclosure as staff see it, or (`for_staff=False`) as the person sees it: without the withholding
    fields, which are always false and empty for what the person is shown."""
    purpose = PURPOSES.get(d.purpose)
    out: DisclosureView = {
        "id": d.disclosure_id, "customer_id": d.customer_id, "policy_id": d.policy_id, "recipient": d.recipient,
        "recipient_kind": d.recipient_kind, "purpose": d.purpose,
        "purpose_description": purpose.description if purpose else None, "lawful_basis": d.basis,
        "categories": list(d.categories), "disclosed_at": d.disclosed_at.isoformat(), "reference": d.reference,
        "via": d.via, "recorded_by": d.recorded_by}
    if for_staff:
        out["withheld_from_subject"] = d.withheld_from_subject
        out["withheld_reason"] = d.withheld_reason
    return out


def _text(issues: IssueCollector, name: str, value: str | None, limit: int, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            issues.add(name, "is required")
        return None
    if len(text) > limit:
        issues.add(name, f"at most {limit} characters")
    elif not text.isprintable():
        issues.add(name, "must not contain control characters")
    return text


def record_disclosure(uow: UnitOfWork, *, customer_id: str, policy_id: str | None, recipient: str,
                      recipient_kind: str, purpose: str, categories: Iterable[str], reference: str | None, via: str,
                      recorded_by: str, at: datetime, withhold: bool = False,
                      withheld_reason: str | None = None) -> Disclosure:
    """Record one transfer of `customer_id`'s data to `recipient`, in the caller's unit of work (the same
    one as the business change that made it). The lawful basis is the purpose's, from the data map's
    purposes. `withhold` keeps it from the person (DPA 2018 Sch. 2 para 2): only for a recipient kind of
    WITHHOLDABLE_KINDS, and `withheld_reason` (1-2000 characters) is then required. Raises
    ValidationFailed naming each bad field; writes nothing then."""
    disclosure = disclosure_to_record(
        customer_id=customer_id, policy_id=policy_id, recipient=recipient, recipient_kind=recipient_kind,
        purpose=purpose, categories=categories, reference=reference, via=via, recorded_by=recorded_by, at=at,
        withhold=withhold, withheld_reason=withheld_reason)
    uow.disclosures.add(disclosure)
    return disclosure


def disclosure_to_record(*, customer_id: str, policy_id: str | None, recipient: str, recipient_kind: str,
                         purpose: str, categories: Iterable[str], reference: str | None, via: str, recorded_by: str,
                         at: datetime, withhold: bool = False, withheld_reason: str | None = None) -> Disclosure:
    """The disclosure `record_disclosure` records, checked the same way, for a caller that records many in
    one insert (`uow.disclosures.add_many`, in the same unit of work as the change that made them)."""
    issues = IssueCollector()
    name = _text(issues, "recipient", recipient, 100)
    if recipient_kind not in RECIPIENT_KINDS:
        issues.add("recipient_kind", f"must be one of {', '.join(RECIPIENT_KINDS)}")
    if purpose not in PURPOSES:
        issues.add("purpose", f"must be one of {', '.join(PURPOSES)}")
    cats: list[str] = []
    for i, c in enumerate(categories):
        if c not in _CATEGORIES:
            issues.add(f"categories[{i}]", f"must be one of {', '.join(x.value for x in Category)}")
        elif c not in cats:
            cats.append(c)
    if not cats and not any(i.field.startswith("categories[") for i in issues.issues):
        issues.add("categories", "name at least one category of data sent")
    ref = _text(issues, "reference", reference, 200, required=False)
    channel = _text(issues, "via", via, 40)
    why = _text(issues, "withheld_reason", withheld_reason, REASON_LIMIT, required=withhold)
    if withhold and recipient_kind in RECIPIENT_KINDS and recipient_kind not in WITHHOLDABLE_KINDS:
        issues.add("withhold", f"only a disclosure to {', '.join(WITHHOLDABLE_KINDS)} may be withheld from the "
                               "person (DPA 2018 Sch. 2 para 2, crime prevention)")
    if not withhold and why is not None:
        issues.add("withheld_reason", "give a reason only when the disclosure is withheld (withhold: true)")
    if not customer_id:
        issues.add("customer_id", "is required")
    if at.tzinfo is None or at.utcoffset() is None:
        issues.add("disclosed_at", "must carry a time zone")
    issues.raise_if_any("the disclosure cannot be recorded")
    assert name is not None and channel is not None
    return Disclosure(new_id("dis"), customer_id, policy_id, name, recipient_kind, purpose,
                      PURPOSES[purpose].basis.value, tuple(cats), at, ref, channel, recorded_by,
                      withhold, why if withhold else None)


def record_payment_disclosure(uow: UnitOfWork, *, customer_id: str, policy_id: str, receipt_reference: str,
                              recorded_by: str, at: datetime) -> Disclosure:
    """What the payment port sent to the card provider for one charge or refund (PRV-6)."""
    return record_disclosure(uow, customer_id=customer_id, policy_id=policy_id, recipient=PAYMENT_PROVIDER,
                             recipient_kind="payment_provider", purpose="payments", categories=PAYMENT_CATEGORIES,
                             reference=receipt_reference, via=PAYMENT_VIA, recorded_by=recorded_by, at=at)


def recipients_to_tell(uow: UnitOfWork, customer_id: str, *, include_withheld: bool = False) -> list[RecipientToTell]:
    """The distinct recipients that received the person's data (name and kind), with when they last did,
    how many times, and which categories and purposes: who must be told of a rectification or an erasure
    (UK GDPR art. 19). Ordered by the last disclosure, most recent first. Disclosures withheld from the
    person are left out, as this list is shown to them in their request's outcome; staff views ask for
    them (`include_withheld`), and each entry then also says how many of its disclosures are withheld."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for d in uow.disclosures.for_customer(customer_id, include_withheld=include_withheld):
        entry = seen.setdefault((d.recipient, d.recipient_kind), {
            "recipient": d.recipient, "recipient_kind": d.recipient_kind, "last_disclosed_at": d.disclosed_at,
            "disclosures": 0, "categories": set(), "purposes": set()})
        if include_withheld:
            entry["withheld"] = entry.get("withheld", 0) + int(d.withheld_from_subject)
        entry["disclosures"] += 1
        entry["categories"].update(d.categories)
        entry["purposes"].add(d.purpose)
        entry["last_disclosed_at"] = max(entry["last_disclosed_at"], d.disclosed_at)
    out: list[RecipientToTell] = []
    for e in seen.values():
        entry_view: RecipientToTell = {
            "recipient": e["recipient"], "recipient_kind": e["recipient_kind"],
            "last_disclosed_at": e["last_disclosed_at"].isoformat(), "disclosures": e["disclosures"],
            "categories": sorted(e["categories"]), "purposes": sorted(e["purposes"])}
        if "withheld" in e:
            entry_view["withheld"] = e["withheld"]
        out.append(entry_view)
    out.sort(key=lambda e: (e["recipient"], e["recipient_kind"]))
    out.sort(key=lambda e: e["last_disclosed_at"], reverse=True)
    return out


# -- use cases for people -----------------------------------------------------------------------------


def record_manual_disclosure(ctx: AppContext, principal: Principal, customer_id: str, *, recipient: str,
                             recipient_kind: str, purpose: str, categories: list[str], reference: str | None = None,
                             policy_id: str | None = None, disclosed_at: datetime | None = None,
                             withhold: bool = False, withheld_reason: str | None = None) -> DisclosureView:
    """Staff record a transfer made outside an integration: a police request answered, a reinsurer's
    bordereau, a file sent to a broker. `disclosed_at` defaults to now and cannot be in the future.
    `withhold` (with `withheld_reason`) keeps a disclosure to the police, another law enforcement
    authority, a fraud agency or a regulator from the person (see `record_disclosure`)."""
    require_staff(principal, "record disclosures")
    now = ctx.clock.now()
    at = disclosed_at or now
    if at.tzinfo is not None and at.utcoffset() is not None and at > now:
        raise ValidationFailed("the disclosure cannot be recorded", [FieldIssue("disclosed_at", "cannot be in the future")])
    with ctx.uow() as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        policy_id = customers_policy_id(uow, customer_id, policy_id)
        d = record_disclosure(uow, customer_id=customer_id, policy_id=policy_id, recipient=recipient,
                              recipient_kind=recipient_kind, purpose=purpose, categories=categories,
                              reference=reference, via="manual", recorded_by=principal.user_id, at=at,
                              withhold=withhold, withheld_reason=withheld_reason)
        uow.commit()
    return view(d)


def set_withheld(ctx: AppContext, principal: Principal, disclosure_id: str, *, withhold: bool,
                 reason: str | None = None) -> DisclosureView:
    """Case by case (issue 13, S1 section 10): staff or the DPO withhold one disclosure from the person where
    telling them would be likely to prejudice the prevention or detection of crime (DPA 2018 Sch. 2 para 2),
    with the reason recorded; or show it again once that no longer holds (no reason). Only a disclosure to
    a recipient of WITHHOLDABLE_KINDS may be withheld. Raises ValidationFailed naming `withheld_reason` or
    `withhold`, NotFound naming `disclosure_id`."""
    require_staff(principal, "withhold disclosures")
    issues = IssueCollector()
    why = _text(issues, "withheld_reason", reason, REASON_LIMIT, required=withhold)
    if not withhold and why is not None:
        issues.add("withheld_reason", "give a reason only when the disclosure is withheld (withhold: true)")
    with ctx.uow() as uow:
        found = uow.disclosures.get(disclosure_id)
        if found is None:
            raise NotFound("no such disclosure", [FieldIssue("disclosure_id", f"no disclosure {disclosure_id}")])
        if withhold and found.recipient_kind not in WITHHOLDABLE_KINDS:
            issues.add("withhold", f"only a disclosure to {', '.join(WITHHOLDABLE_KINDS)} may be withheld from the "
                                   f"person; this one went to a {found.recipient_kind}")
        issues.raise_if_any("the disclosure cannot be changed")
        uow.disclosures.set_withheld(disclosure_id, withhold, why if withhold else None)
        uow.commit()
    return view(replace(found, withheld_from_subject=withhold, withheld_reason=why if withhold else None))


def list_disclosures(ctx: AppContext, principal: Principal, customer_id: str) -> DisclosureList:
    """The register for one person: staff and the DPO see anyone's, a customer their own (PRV-3, PRV-6).
    Staff see every disclosure, those withheld from the person flagged; the person sees the others only,
    and nothing in their answer depends on whether any is withheld."""
    check_customer(principal, customer_id, "customer")
    staff = principal.is_staff
    with ctx.uow(read_only=True) as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer")
        found = uow.disclosures.for_customer(customer_id, include_withheld=staff)
        recipients = recipients_to_tell(uow, customer_id, include_withheld=staff)
    return {"customer_id": customer_id, "disclosures": [view(d, for_staff=staff) for d in found],
            "recipients": recipients}

"""Complaints (CMP-1..5) and their letters (DOC-2), issue 5 parts 4 and 7.

A complaint is recorded with S3's fields, routed by kind to the claims-complaints or the sales/service team,
and starts three clocks on receipt, in the same unit of work (the clock engine, rules `complaint.*`, in
the working days of the complainant's nation):

* `complaint.acknowledgement`, 5 working days (CMP-2): met by the acknowledgement letter, or by a summary
  resolution communication or a final response sent first (each is a written response);
* `complaint.summary_resolution`, 3 working days (DISP 1.5): the window in which a complaint resolved may be
  closed by a summary resolution communication. Met by that letter; stopped (neither met nor breached: it is
  an opportunity, not a promise) when a final response is sent or once the window has closed;
* `complaint.final_response`, 56 calendar days (CMP-3): met by the final response, or by a summary
  resolution communication.

Every letter is recorded with the time it was sent (`complaint_letters`), in the format the complainant
asked for (CMP-4), and the clock it meets is met at that time. Withdrawal stops the clocks.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from covernote.clocks import usecases as clocks
from covernote.clocks.domain import TEAMS, Deadline, State
from covernote.complaints import domain as rules
from covernote.complaints.domain import ACK_RULE, FINAL_RULE, SUMMARY_RULE, Complaint, NewComplaint, Status
from covernote.complaints.ports import ComplaintLetter
from covernote.complaints.results import (
    ComplaintCodes,
    ComplaintDocuments,
    ComplaintHistoryEntry,
    ComplaintLetters,
    ComplaintLetterView,
    ComplaintList,
    ComplaintListItem,
    ComplaintsReport,
    ComplaintView,
    EightWeekFailure,
    EightWeekLetters,
    EightWeekLetterSent,
    RecordedComplaint,
)
from covernote.complaints.usecases import letter_documents
from covernote.complaints.usecases.letters import compose, production_note
from covernote.documents.results import DocumentView
from covernote.documents.usecases import documents
from covernote.documents.usecases.documents import document_view
from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel import csv_cells
from covernote.kernel.calendar import nation_for_postcode
from covernote.kernel.clock import LONDON, london_date
from covernote.kernel.errors import (
    Conflict,
    DomainError,
    FieldIssue,
    IssueCollector,
    NotFound,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money, MoneyError
from covernote.kernel.retention import COMPLAINT_RECORDS, RetentionRule
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import ANONYMISED_MARK

SUBJECT = "complaint"  # the clock engine's subject kind
JOB_BATCH = 200


# -- reading ---------------------------------------------------------------------------------------------


def _load(uow: UnitOfWork, principal: Principal, complaint_id: str) -> Complaint:
    c = uow.complaints.get(complaint_id)
    if c is None:
        raise NotFound("no such complaint", [FieldIssue("complaint_id", f"no complaint {complaint_id}")])
    if principal.role == "customer":
        if c.customer_id is None:
            raise NotFound("no such complaint", [FieldIssue("complaint_id", f"no complaint {complaint_id}")])
        check_customer(principal, c.customer_id, "complaint")
    return c


def _for_work(uow: UnitOfWork, principal: Principal, complaint_id: str, action: str) -> Complaint:
    require_staff(principal, action)
    c = _load(uow, principal, complaint_id)
    if is_anonymised(c):
        raise Conflict("the complaint's records were anonymised under the retention schedule",
                       [FieldIssue("complaint_id", "anonymised")])
    return c


def is_anonymised(c: Complaint) -> bool:
    return c.name.startswith(ANONYMISED_MARK)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def letter_view(letter: ComplaintLetter, with_body: bool = False,
                document: DocumentView | None = None) -> ComplaintLetterView:
    """A letter's record; `document` is its issued document (issue 14: id and download links), if issued yet."""
    out: ComplaintLetterView = {
        "id": letter.letter_id, "complaint_id": letter.complaint_id, "kind": letter.kind,
        "title": rules.LETTER_KINDS.get(letter.kind, letter.kind).capitalize(), "format": letter.format,
        "production": letter.production,
        "production_note": production_note(letter.format, letter.sent_at) if letter.production == "provider" else None,
        "channel": letter.channel, "sent_at": letter.sent_at.isoformat(), "sent_by": letter.sent_by,
        "document": {"id": document["id"], "links": document["links"]} if document is not None else None,
    }
    if with_body:
        out["body"] = letter.body
    return out


def complaint_view(ctx: AppContext, c: Complaint, deadlines: list[Deadline], letters: list[ComplaintLetter],
                   principal: Principal, docs: Mapping[str, DocumentView] | None = None) -> ComplaintView:
    now = ctx.clock.now()
    responded = c.final_response_at or c.resolved_at
    out: ComplaintView = {
        "id": c.complaint_id, "kind": c.kind, "kind_name": rules.KIND_NAMES.get(c.kind, c.kind), "team": c.team,
        "team_name": TEAMS.get(c.team, c.team), "status": c.status.value, "description": c.description,
        "complainant": {"name": c.name, "address": c.address, "postcode": c.postcode, "phone": c.phone,
                        "email": c.email},
        "policy_number": c.policy_number, "policy_id": c.policy_id, "customer_id": c.customer_id,
        "product_code": c.product_code, "received_via": c.received_via, "received_at": c.received_at.isoformat(),
        "nation": c.nation.value, "alternative_format": c.alternative_format, "letter_format": c.letter_format,
        "acknowledged_at": _iso(c.acknowledged_at), "resolved_at": _iso(c.resolved_at),
        "final_response_at": _iso(c.final_response_at), "outcome": c.outcome,
        "redress": c.redress.to_str() if c.redress is not None else None,
        "root_cause": c.root_cause, "root_cause_name": rules.ROOT_CAUSES.get(c.root_cause or ""),
        "resolution": c.resolution, "eight_week_letter_at": _iso(c.eight_week_letter_at),
        "withdrawn_at": _iso(c.withdrawn_at), "withdrawal_reason": c.withdrawal_reason, "closed_at": _iso(c.closed_at),
        # S3: the right to refer to the Financial Ombudsman Service within six months of our response.
        "fos_refer_by": rules.fos_refer_by(london_date(responded)).isoformat() if responded else None,
        "fos_referral_open": bool(responded or c.eight_week_letter_at),
        "clocks": [clocks.deadline_view(d, now) for d in deadlines],
        "letters": [letter_view(x, document=(docs or {}).get(x.letter_id)) for x in letters],
        "anonymised": is_anonymised(c), "recorded_at": c.recorded_at.isoformat(), "recorded_by": c.recorded_by,
        "version": c.version,
    }
    if principal.is_staff:
        out["root_cause_note"] = c.root_cause_note
        out["history"] = [_history_view(e) for e in c.history]
    return out


def _history_view(e: rules.Event) -> ComplaintHistoryEntry:
    """A step in the history as staff see it (the same keys as the stored `Event.as_dict`)."""
    return {"at": e.at.isoformat(), "by": e.by, "kind": e.kind, "note": e.note}


def _view(ctx: AppContext, uow: UnitOfWork, c: Complaint, principal: Principal) -> ComplaintView:
    return complaint_view(ctx, c, uow.deadlines.for_subject(SUBJECT, c.complaint_id),
                          uow.complaints.letters(c.complaint_id), principal, _letter_documents(uow, c))


def _letter_documents(uow: UnitOfWork, c: Complaint) -> dict[str, DocumentView]:
    """The complaint's letters' issued documents, by letter id."""
    return {d.subject: document_view(d) for d in uow.documents.for_owner("complaint", c.complaint_id)
            if d.kind == letter_documents.KIND}


def _issue_letter_documents(ctx: AppContext, principal: Principal, c: Complaint) -> None:
    """Issue the documents of the complaint's letters that have none (after the letter's own commit)."""
    with ctx.uow(read_only=True) as uow:
        letters = uow.complaints.letters(c.complaint_id)
        issued = set(_letter_documents(uow, c))
    if any(x.letter_id not in issued for x in letters):
        letter_documents.issue_missing(ctx, principal, c, letters, issued)


def get(ctx: AppContext, principal: Principal, complaint_id: str) -> ComplaintView:
    """A complaint with its clocks and letters: staff, or the customer it is linked to."""
    with ctx.uow(read_only=True) as uow:
        c = _load(uow, principal, complaint_id)
        return _view(ctx, uow, c, principal)


def list_complaints(ctx: AppContext, principal: Principal, status: str | None = None, team: str | None = None,
                    limit: int = 50, offset: int = 0, customer_id: str | None = None) -> ComplaintList:
    """Complaints, oldest received first, by status and team; a customer sees only their own; staff every one,
    or one customer's (`customer_id`, the back office's customer page)."""
    issues = IssueCollector()
    if team is not None and team not in rules.KINDS.values():
        issues.add("team", f"one of {', '.join(rules.KINDS.values())}")
    check_listing(limit, offset, status=status, statuses=[s.value for s in Status],
                  issues=issues)
    customer = principal.customer_id if principal.role == "customer" else customer_id
    if principal.role == "customer" and customer is None:
        return {"complaints": []}
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        rows = uow.complaints.page(status, team, customer, limit, offset)
        due = uow.complaints.deadlines_for([c.complaint_id for c in rows])
    out: list[ComplaintListItem] = []
    for c in rows:
        states = {d.rule_code: d.state(now).value for d in due.get(c.complaint_id, [])}
        out.append({"id": c.complaint_id, "kind": c.kind, "team": c.team, "status": c.status.value,
                    "name": c.name, "policy_number": c.policy_number, "received_at": c.received_at.isoformat(),
                    "alternative_format": c.alternative_format, "clocks": states})
    return {"complaints": out, "next_offset": offset + len(rows) if len(rows) == limit else None}


# -- recording a complaint (CMP-1) -----------------------------------------------------------------------


def record(ctx: AppContext, principal: Principal, inp: NewComplaint) -> RecordedComplaint:
    """Record a complaint as received, route it by kind (CMP-1) and start its clocks. Staff record any
    complaint (from anyone: a policy number is optional); a customer records their own, through the web,
    received now. A policy number that is one of ours links the complaint to the policy and its customer; one
    that is not is kept as given, with a warning."""
    now = ctx.clock.now()
    if principal.role == "customer":
        inp = replace(inp, customer_id=principal.customer_id, received_via="web", received_at=None)
    elif not principal.is_staff:
        require_staff(principal, "record complaints")
    inp = inp.validated(now)
    warnings: list[str] = []
    with ctx.uow() as uow:
        customer = None
        if inp.customer_id is not None:
            customer = uow.customers.get(inp.customer_id)
            if customer is None:
                raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {inp.customer_id}")])
        policy = None
        if inp.policy_number is not None:
            policy = uow.policies.get(inp.policy_number) or uow.policies.by_number(inp.policy_number.upper())
            if policy is not None and customer is not None and policy.customer_id != customer.customer_id:
                if principal.role == "customer":
                    policy = None  # another's policy does not exist to them: kept as given, unlinked
                else:
                    raise ValidationFailed("the policy is not the customer's",
                                           [FieldIssue("policy_number", f"policy {inp.policy_number} belongs to "
                                                                        "another customer")])
            if policy is None:
                warnings.append(f"no policy {inp.policy_number} found: the complaint is recorded with the number as "
                                "given, not linked to a policy")
        product_code = _product_code(ctx, inp, policy.product_code if policy is not None else None)
        customer_id = customer.customer_id if customer is not None else policy.customer_id if policy else None
        if customer is None and customer_id is not None:
            customer = uow.customers.get(customer_id)
        postcode = inp.postcode or (customer.postcode if customer is not None and not
                                    customer.postcode.startswith(ANONYMISED_MARK) else None)
        nation = nation_for_postcode(postcode)
        c = rules.new_complaint(new_id("cmp"), inp, policy_id=policy.policy_id if policy else None,
                                customer_id=customer_id, product_code=product_code,
                                nation=nation, now=now, by=principal.user_id)
        uow.complaints.add(c)
        start_clocks(uow, c)
        uow.commit()
    with ctx.uow(read_only=True) as uow:
        view = _view(ctx, uow, c, principal)
    return {**view, "warnings": warnings}


def _product_code(ctx: AppContext, inp: NewComplaint, policy_product: str | None) -> str | None:
    """The product whose brand writes the letters (DOC-2): the linked policy's, else the one given."""
    given = inp.product_code
    if given is not None and given not in ctx.catalogue.codes():
        raise ValidationFailed("the complaint cannot be recorded", [FieldIssue(
            "product_code", f"unknown product {given!r}: use one of {', '.join(ctx.catalogue.codes())}")])
    if given is not None and policy_product is not None and given != policy_product:
        raise ValidationFailed("the complaint cannot be recorded", [FieldIssue(
            "product_code", f"the policy is a {policy_product} policy, not {given}")])
    return policy_product or given


def start_clocks(uow: UnitOfWork, c: Complaint) -> None:
    """Start the complaint's three clocks from its receipt, owned by its team, in its nation's working days."""
    for rule, note in ((ACK_RULE, "written acknowledgement"), (SUMMARY_RULE, "summary resolution window"),
                       (FINAL_RULE, "final response")):
        clocks.start(uow, rule, SUBJECT, c.complaint_id, c.received_at, customer_id=c.customer_id, nation=c.nation,
                     team=c.team, note=f"complaint {c.complaint_id}: {note}")


def summary_window_closes_at(uow: UnitOfWork, c: Complaint, now: datetime) -> datetime | None:
    """When the summary resolution window closes (its clock's due instant, after any pause), or None when
    that clock is no longer running."""
    running = clocks.open_on(uow, SUBJECT, c.complaint_id, SUMMARY_RULE)
    return running[0].due(now).due_at if running else None


def _close_expired_window(uow: UnitOfWork, c: Complaint, now: datetime) -> bool:
    """Stop the summary resolution clock once its window has closed: the complaint goes on to a final
    response; a window that closed is not a breach."""
    closed = False
    for d in clocks.open_on(uow, SUBJECT, c.complaint_id, SUMMARY_RULE):
        if d.state(now) is State.LAPSED:
            clocks.stop_open(uow, SUBJECT, c.complaint_id, now, "the summary resolution window (three business days) "
                             "closed without a summary resolution: the complaint goes on to a final response",
                             SUMMARY_RULE)
            closed = True
    return closed


# -- letters ---------------------------------------------------------------------------------------------


def _final_due(uow: UnitOfWork, c: Complaint, now: datetime) -> date | None:
    for d in uow.deadlines.for_subject(SUBJECT, c.complaint_id):
        if d.rule_code == FINAL_RULE:
            return d.due(now).due_on
    return None


def _policy_number(uow: UnitOfWork, c: Complaint) -> str | None:
    if c.policy_id is None:
        return c.policy_number
    policy = uow.policies.get(c.policy_id)
    return policy.number if policy is not None and not policy.number.startswith(ANONYMISED_MARK) else c.policy_number


def _default_channel(c: Complaint, fmt: str) -> str:
    """E-mail when the complaint came by e-mail or the web and the complainant gave an address (and the
    format can be e-mailed); post otherwise."""
    if c.email and c.received_via in ("email", "web") and fmt not in rules.PROVIDER_FORMATS:
        return "email"
    return "post"


def _send(ctx: AppContext, uow: UnitOfWork, c: Complaint, kind: str, fmt: str | None, channel: str | None,
          now: datetime, by: str, note: str = "") -> ComplaintLetter:
    """Produce the letter in the complainant's format (CMP-4; another is refused) and record it as sent now
    (DOC-2). The caller meets the clock at the letter's `sent_at`."""
    chosen = rules.letter_format(c, fmt)
    how = channel or _default_channel(c, chosen)
    rules.check_channel(c, how, chosen)
    # DOC-2: written from the complaint's product's brand and contact points (product data).
    contacts = ctx.catalogue.contacts_for(c.product_code, london_date(now))
    letter = compose(kind, c, contacts=contacts, fmt=chosen, sent_at=now, final_due=_final_due(uow, c, now),
                     policy_number=_policy_number(uow, c), note=note)
    record = ComplaintLetter(new_id("cml"), c.complaint_id, c.customer_id, kind, chosen,
                             "provider" if chosen in rules.PROVIDER_FORMATS else "covernote", how, letter.text,
                             letter.html, now, by)
    uow.complaints.add_letter(record)
    return record


def _act(ctx: AppContext, principal: Principal, complaint_id: str, action: str, change: Any) -> ComplaintView:
    """Load the complaint for work, apply `change(uow, complaint, now)` (which saves it and sends any letter),
    commit, and return the complaint as it now stands."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        c = _for_work(uow, principal, complaint_id, action)
        c = change(uow, c, now)
        uow.commit()
    _issue_letter_documents(ctx, principal, c)  # issue 14: outside the letter's transaction; never fails it
    with ctx.uow(read_only=True) as uow:
        return _view(ctx, uow, c, principal)


def acknowledge(ctx: AppContext, principal: Principal, complaint_id: str, channel: str | None = None,
                fmt: str | None = None) -> ComplaintView:
    """Send the written acknowledgement (CMP-2): it meets the acknowledgement clock when sent."""
    def change(uow: UnitOfWork, c: Complaint, now: datetime) -> Complaint:
        c = uow.complaints.save(c.acknowledged(now, principal.user_id))
        letter = _send(ctx, uow, c, "acknowledgement", fmt, channel, now, principal.user_id)
        clocks.meet(uow, SUBJECT, c.complaint_id, ACK_RULE, letter.sent_at)
        _close_expired_window(uow, c, now)
        return c

    return _act(ctx, principal, complaint_id, "acknowledge complaints", change)


def progress(ctx: AppContext, principal: Principal, complaint_id: str, note: str, send_letter: bool = False,
             channel: str | None = None, fmt: str | None = None) -> ComplaintView:
    """Record a progress update (CMP-2: "keep you informed on our progress"); with `send_letter`, write to
    the complainant with it. It meets no clock."""
    def change(uow: UnitOfWork, c: Complaint, now: datetime) -> Complaint:
        c = uow.complaints.save(c.progressed(now, principal.user_id, note))
        if send_letter:
            _send(ctx, uow, c, "progress_update", fmt, channel, now, principal.user_id, note=note)
        _close_expired_window(uow, c, now)
        return c

    return _act(ctx, principal, complaint_id, "update complaints", change)


def resolve_summary(ctx: AppContext, principal: Principal, complaint_id: str, resolution: str, root_cause: str,
                    root_cause_note: str | None = None, channel: str | None = None,
                    fmt: str | None = None) -> ComplaintView:
    """Close a complaint resolved by the end of the third business day after receipt with a summary
    resolution communication (DISP 1.5, CMP-3): it tells the complainant the complaint is resolved and that
    they may refer it to the Financial Ombudsman Service if they later become dissatisfied. Refused (422
    naming `complaint_id`) once the window has closed. It meets the summary, final-response and (if still
    open) acknowledgement clocks."""
    def change(uow: UnitOfWork, c: Complaint, now: datetime) -> Complaint:
        closes = summary_window_closes_at(uow, c, now)
        c = uow.complaints.save(c.resolved_by_summary(now, principal.user_id, root_cause, root_cause_note,
                                                      resolution, closes))
        letter = _send(ctx, uow, c, "summary_resolution", fmt, channel, now, principal.user_id)
        for rule in (SUMMARY_RULE, FINAL_RULE, ACK_RULE):
            clocks.meet(uow, SUBJECT, c.complaint_id, rule, letter.sent_at)
        return c

    return _act(ctx, principal, complaint_id, "resolve complaints", change)


def parse_redress(value: str | None) -> Money | None:
    if value is None or not str(value).strip():
        return None
    try:
        return Money.of(str(value).strip())
    except MoneyError as exc:
        raise ValidationFailed("the redress is not an amount",
                               [FieldIssue("redress", f"{value!r} is not an amount of money (e.g. 150.00)")]) from exc


def final_response(ctx: AppContext, principal: Principal, complaint_id: str, outcome: str, explanation: str,
                   root_cause: str, redress: str | None = None, root_cause_note: str | None = None,
                   channel: str | None = None, fmt: str | None = None) -> ComplaintView:
    """Send the final response (CMP-3): the outcome (upheld, partly upheld, not upheld), the explanation, any
    redress, the root cause and the right to refer the complaint to the Financial Ombudsman Service within
    six months, with its details. It meets the final-response clock (and the acknowledgement clock if still
    open); the summary resolution window's clock is stopped."""
    amount = parse_redress(redress)

    def change(uow: UnitOfWork, c: Complaint, now: datetime) -> Complaint:
        c = uow.complaints.save(c.responded(now, principal.user_id, outcome, amount, explanation, root_cause,
                                            root_cause_note))
        letter = _send(ctx, uow, c, "final_response", fmt, channel, now, principal.user_id)
        clocks.meet(uow, SUBJECT, c.complaint_id, FINAL_RULE, letter.sent_at)
        clocks.meet(uow, SUBJECT, c.complaint_id, ACK_RULE, letter.sent_at)
        if not _close_expired_window(uow, c, now):
            clocks.stop_open(uow, SUBJECT, c.complaint_id, now, "closed by a final response", SUMMARY_RULE)
        return c

    return _act(ctx, principal, complaint_id, "send final responses", change)


def withdraw(ctx: AppContext, principal: Principal, complaint_id: str, reason: str) -> ComplaintView:
    """The complainant withdrew the complaint: it closes and every clock on it stops."""
    def change(uow: UnitOfWork, c: Complaint, now: datetime) -> Complaint:
        c = uow.complaints.save(c.withdrawn(now, principal.user_id, reason))
        clocks.stop_open(uow, SUBJECT, c.complaint_id, now, "the complainant withdrew the complaint")
        return c

    return _act(ctx, principal, complaint_id, "withdraw complaints", change)


def set_format(ctx: AppContext, principal: Principal, complaint_id: str, fmt: str) -> ComplaintView:
    """Record the format the complainant asked responses in (CMP-4): large_print, audio, braille, or
    standard. Every later letter is produced in it."""
    def change(uow: UnitOfWork, c: Complaint, now: datetime) -> Complaint:
        return uow.complaints.save(c.with_format(now, principal.user_id, fmt))

    return _act(ctx, principal, complaint_id, "record a complainant's format", change)


def letters(ctx: AppContext, principal: Principal, complaint_id: str) -> ComplaintLetters:
    with ctx.uow(read_only=True) as uow:
        c = _load(uow, principal, complaint_id)
        rows = uow.complaints.letters(c.complaint_id)
        docs = _letter_documents(uow, c)
    return {"complaint_id": c.complaint_id, "letters": [letter_view(x, document=docs.get(x.letter_id)) for x in rows]}


def documents_of(ctx: AppContext, principal: Principal, complaint_id: str) -> ComplaintDocuments:
    """The complaint's letters as issued documents (issue 14; DOC-1, DOC-2), oldest first, issuing first any
    letter's that is not issued yet: staff, or the customer the complaint is linked to (another's answers as an
    unknown complaint)."""
    with ctx.uow(read_only=True) as uow:
        c = _load(uow, principal, complaint_id)
    _issue_letter_documents(ctx, principal, c)
    return {"complaint_id": c.complaint_id,
            "documents": documents.owned_documents(ctx, principal, letter_documents.owner(c))}


def letter_document(ctx: AppContext, principal: Principal, complaint_id: str, letter_id: str) -> DocumentView:
    """One letter's issued document, issuing it first if it is not yet: staff, or the complaint's customer."""
    found = letter(ctx, principal, complaint_id, letter_id)
    with ctx.uow(read_only=True) as uow:
        c = _load(uow, principal, complaint_id)
        docs = _letter_documents(uow, c)
    if found.letter_id not in docs:
        issued = letter_documents.issue_missing(ctx, principal, c, [found], set(docs))
        if not issued:
            raise Conflict("the letter has no document: its text was erased or anonymised, or it cannot be "
                           "rendered now (try again)", [FieldIssue("letter_id", letter_id)])
        return issued[0]
    return docs[found.letter_id]


def letter(ctx: AppContext, principal: Principal, complaint_id: str, letter_id: str) -> ComplaintLetter:
    """One letter as it was sent: staff, or the customer the complaint is linked to."""
    with ctx.uow(read_only=True) as uow:
        c = _load(uow, principal, complaint_id)
        found = uow.complaints.letter(c.complaint_id, letter_id)
    if found is None:
        raise NotFound("no such letter", [FieldIssue("letter_id", f"no letter {letter_id} on complaint {complaint_id}")])
    return found


# -- the eight-week job (CMP-3) ------------------------------------------------------------------------------


def send_eight_week_letters(ctx: AppContext, principal: Principal) -> EightWeekLetters:
    """Tell each complainant whose complaint reaches the last day of its eight weeks (the final-response due
    date) without a final response that they may refer it to the Financial Ombudsman Service, once
    (CMP-3, S3). Also stops the summary resolution clocks whose window has closed. Safe to rerun: a
    complaint that has had the letter is never found again; each complaint is its own unit of work, so a
    failure is reported and the rest still go."""
    require_staff(principal, "send eight-week letters")
    now = ctx.clock.now()
    received_before = rules.eight_week_candidates_received_before(now)
    sent: list[EightWeekLetterSent] = []
    errors: list[EightWeekFailure] = []
    seen: set[str] = set()
    with ctx.uow(read_only=True) as uow:
        candidates = [c.complaint_id for c in uow.complaints.eight_week_candidates(received_before, 100_000)]
    for complaint_id in candidates:
        if complaint_id in seen:
            continue
        seen.add(complaint_id)
        try:
            with ctx.uow() as uow:
                c = uow.complaints.get(complaint_id)
                if c is None or is_anonymised(c):
                    continue
                final = next((d for d in uow.deadlines.for_subject(SUBJECT, complaint_id)
                              if d.rule_code == FINAL_RULE), None)
                if not rules.eight_week_letter_due(c, final, now):
                    continue
                c = uow.complaints.save(c.eight_week_letter_sent(now, principal.user_id))
                letter = _send(ctx, uow, c, "eight_week", None, None, now, principal.user_id)
                _close_expired_window(uow, c, now)
                uow.commit()
            _issue_letter_documents(ctx, principal, c)  # issue 14: the letter's document, after its commit
            sent.append({"complaint_id": complaint_id, "letter_id": letter.letter_id, "format": letter.format,
                         "channel": letter.channel})
        except DomainError as exc:
            errors.append({"complaint_id": complaint_id, "error": type(exc).__name__, "message": exc.message})
    windows = _close_expired_windows(ctx, now)
    result: EightWeekLetters = {"as_at": now.isoformat(), "sent": sent, "summary_windows_closed": windows,
                                "errors": errors}
    return result


def _close_expired_windows(ctx: AppContext, now: datetime) -> int:
    closed = 0
    with ctx.uow() as uow:
        for d in uow.complaints.open_windows_due_by(now, 100_000):
            if d.state(now) is State.LAPSED:
                clocks.stop_open(uow, SUBJECT, d.subject_id, now, "the summary resolution window (three business "
                                 "days) closed without a summary resolution: the complaint goes on to a final response",
                                 SUMMARY_RULE)
                closed += 1
        uow.commit()
    return closed


# -- the report --------------------------------------------------------------------------------------------


def report(ctx: AppContext, principal: Principal, start: date | None = None,
           end: date | None = None) -> ComplaintsReport:
    """Staff: the complaints received in [start, end) (UK dates; open-ended when left out) per product, kind,
    root cause and outcome, each with how many acknowledgements and final responses were met on time or
    breached, and the totals."""
    require_staff(principal, "see the complaints report")
    if start is not None and end is not None and end <= start:
        raise ValidationFailed("the period is not valid", [FieldIssue("to", "must be after from")])
    now = ctx.clock.now()

    def at(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(0), tzinfo=LONDON)

    with ctx.uow(read_only=True) as uow:
        rows = uow.complaints.received_between(at(start), at(end))
        due = uow.complaints.deadlines_for([c.complaint_id for c in rows])
    figures = rules.report_figures(((c, due.get(c.complaint_id, [])) for c in rows), now)
    # The domain's `report_figures` counts: the total and a list per dimension (ComplaintFigures, and rows of
    # them named by the dimension's value), built as plain dicts in complaints/domain.py.
    return {"as_at": now.isoformat(), "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None, "total": figures["total"], "by_product": figures["by_product"],
            "by_kind": figures["by_kind"], "by_root_cause": figures["by_root_cause"],
            "by_outcome": figures["by_outcome"]}


CSV_COLUMNS = ("dimension", "value", "complaints", "open", "closed", "withdrawn", "summary_resolutions",
               "final_responses", "eight_week_letters", "redress_total", "acknowledgement_met_on_time",
               "acknowledgement_breached", "acknowledgement_open", "acknowledgement_stopped",
               "final_response_met_on_time", "final_response_breached", "final_response_open",
               "final_response_stopped")


def report_csv(data: Mapping[str, Any]) -> str:
    """The report as CSV: one row per product, kind, root cause and outcome, then the total."""
    buf = io.StringIO()
    out = csv_cells.writer(buf)
    out.writerow(CSV_COLUMNS)

    def row(dimension: str, value: str, f: Mapping[str, Any]) -> None:
        out.writerow([dimension, value, f["complaints"], f["open"], f["closed"], f["withdrawn"],
                      f["summary_resolutions"], f["final_responses"], f["eight_week_letters"], f["redress_total"],
                      f["acknowledgement"]["met_on_time"], f["acknowledgement"]["breached"],
                      f["acknowledgement"]["open"], f["acknowledgement"]["stopped"], f["final_response"]["met_on_time"],
                      f["final_response"]["breached"], f["final_response"]["open"], f["final_response"]["stopped"]])

    for dimension in rules.DIMENSIONS:
        for f in data[f"by_{dimension}"]:
            row(dimension, f[dimension], f)
    row("total", "all", data["total"])
    return buf.getvalue()


def codes() -> ComplaintCodes:
    """The codes a complaint uses: kinds and their teams, channels, formats, outcomes, root causes."""
    return {"kinds": [{"code": k, "name": rules.KIND_NAMES[k], "team": t} for k, t in rules.KINDS.items()],
            "received_via": list(rules.CHANNELS), "letter_channels": list(rules.LETTER_CHANNELS),
            "formats": [{"code": k, "name": v, "produced_by": "provider" if k in rules.PROVIDER_FORMATS else "covernote"}
                        for k, v in rules.FORMATS.items()],
            "outcomes": [{"code": k, "name": v} for k, v in rules.OUTCOMES.items()],
            "root_causes": [{"code": k, "name": v} for k, v in rules.ROOT_CAUSES.items()],
            "statuses": [s.value for s in Status]}


# -- privacy: the rule complaint records are kept under (PRV-5; CMP-3: three years); erasure's reason to
# keep one is privacy's (privacy/domain/erasure.py complaint_keep_reason) --------------------------------------


def retention_rule() -> RetentionRule:
    """The rule complaint records are kept under: three years after the complaint closed (DISP 1.9)."""
    return COMPLAINT_RECORDS

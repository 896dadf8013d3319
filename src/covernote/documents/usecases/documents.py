"""Issuing, listing and downloading policy documents (DOC-1, CMP-4).

When documents are issued: lazily, never in the path of a quote, bind, adjustment, cancellation or the
renewal batch. A policy transaction (or renewal invitation) calls for its documents (documents/domain.py
`due_documents`); they are rendered and stored the first time anyone lists the policy's documents, or by
the daily `documents_issue` job (`issue_due`), whichever comes first. Rendering happens outside the
database transaction; the documents are then stored in one unit of work, once: a second issuer racing the
first loses on the unique (policy, kind, subject) and reads the first one's documents instead.

Once stored, a document is never rendered again: a download answers the stored bytes, byte for byte. The
large-print variant (CMP-4) is made from the stored HTML on its first request and stored in its turn."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from covernote.documents.domain import (
    FORMATS,
    MEDIA_TYPES,
    OWNER_KINDS,
    TITLES,
    Due,
    Letter,
    Owner,
    cancellation_facts,
    certificate_facts,
    due_documents,
    ipid_facts,
    mta_facts,
    renewal_facts,
    schedule_facts,
    statement_of_fact_facts,
)
from covernote.documents.ports import IssuedDocument, Rendition
from covernote.documents.results import DocumentFile, DocumentList, DocumentView, IssueRun
from covernote.documents.usecases import render
from covernote.identity.usecases import SYSTEM, Principal, check_customer
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Customer, Policy, PolicyTransaction, is_anonymised
from covernote.policy.usecases.lookup import find_policy
from covernote.products.domain.model import Product

log = logging.getLogger("covernote.documents")
LARGE = {"pdf": "pdf_large", "html": "html_large"}


def document_view(doc: IssuedDocument, transactions: dict[str, PolicyTransaction] | None = None) -> DocumentView:
    """The document's view; `transactions` (the policy's, by id) name the one it documents, if any."""
    txn = (transactions or {}).get(doc.subject)
    at = f"/documents/{doc.document_id}?format="
    return {
        "id": doc.document_id, "owner_kind": doc.owner_kind, "owner_id": doc.owner_id, "policy_id": doc.policy_id,
        "kind": doc.kind, "title": doc.title,
        "subject": doc.subject, "transaction": {"id": txn.transaction_id, "kind": txn.kind,
                                                "effective_date": txn.effective_date.isoformat()} if txn else None,
        "term": doc.term_no, "template": doc.template,
        "template_version": doc.template_version, "product": doc.product_ref,
        "created_at": doc.created_at.isoformat(),
        "formats": [{"format": r.format, "media_type": r.media_type, "sha256": r.sha256,
                     "created_at": r.created_at.isoformat()} for r in doc.renditions],
        "links": {"pdf": at + "pdf", "html": at + "html", "txt": at + "txt", "pdf_large": at + "pdf&large_print=true",
                  "html_large": at + "html&large_print=true"},
    }


def _product(ctx: AppContext, policy: Policy, due: Due) -> Product:
    if due.invitation is not None:
        return ctx.catalogue.by_ref(str(due.invitation.offer.get("product") or policy.term().product_ref))
    return ctx.catalogue.by_ref(policy.term(due.term_no).product_ref)


def _render(ctx: AppContext, principal: Principal, policy: Policy, customer: Customer, due: Due) -> IssuedDocument:
    product = _product(ctx, policy, due)
    today = ctx.today()
    if due.kind == "renewal_notice":
        assert due.invitation is not None
        facts = renewal_facts(policy, due.invitation, customer, product, today)
    else:
        assert due.transaction is not None
        make = {"certificate": certificate_facts, "schedule": schedule_facts,
                "statement_of_fact": statement_of_fact_facts, "ipid": ipid_facts, "mta_letter": mta_facts,
                "cancellation_letter": cancellation_facts}[due.kind]
        facts = make(policy, due.transaction, customer, product, today)
    title = TITLES[due.kind]
    out = render.render(due.kind, facts, title)
    now = ctx.clock.now()
    version = render.template_version(due.kind)
    renditions = tuple(Rendition(fmt, MEDIA_TYPES[fmt], render.sha256(content), content, now, version)
                       for fmt, content in (("html", out.html), ("pdf", out.pdf), ("txt", out.txt)))
    return IssuedDocument(new_id("doc"), policy.policy_id, policy.customer_id, due.kind, due.subject, due.term_no,
                          title, due.kind, version, product.ref, now, principal.user_id, renditions,
                          "policy", policy.policy_id)


def _due(ctx: AppContext, uow: UnitOfWork, policy: Policy, issued: Sequence[IssuedDocument]) -> list[Due]:
    if is_anonymised(policy) or not policy.transactions:  # PRV-5: nothing more is issued, nor can be
        return []
    product = ctx.catalogue.by_ref(policy.term().product_ref)
    return due_documents(policy, product.line == "motor", uow.documents.renewal_invitations(policy.policy_id),
                         ctx.today(), {(d.kind, d.subject) for d in issued}, ipid=product.ipid is not None)


def _issue(ctx: AppContext, principal: Principal, policy: Policy, customer: Customer, due: list[Due],
           failures: list[str] | None = None) -> int:
    """Render and store the due documents; 0 if another issuer stored them first. A document that cannot be
    rendered is left due (logged, and named in `failures`): the others are issued, the listing still
    answers, and the next run tries it again."""
    docs = []
    for d in due:
        try:
            docs.append(_render(ctx, principal, policy, customer, d))
        except Exception as exc:  # a record the template cannot state: never a failed listing
            log.exception("the %s of policy %s for %s cannot be rendered", d.kind, policy.policy_id, d.subject)
            if failures is not None:
                failures.append(f"{d.kind} for {d.subject}: {type(exc).__name__}: {exc}")
    if not docs:
        return 0
    try:
        with ctx.uow() as uow:
            for doc in docs:
                uow.documents.add(doc)
            uow.commit()
    except Conflict:
        log.info("documents of policy %s were issued meanwhile by another request", policy.policy_id)
        return 0
    return len(docs)


def list_documents(ctx: AppContext, principal: Principal, policy_id: str) -> DocumentList:
    """The policy's documents, oldest first, issuing first any its history calls for that are not issued
    yet. A customer sees only their own policy's (another's answers as an unknown policy)."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        issued = uow.documents.for_policy(policy.policy_id)
        due = _due(ctx, uow, policy, issued)
        customer = uow.customers.get(policy.customer_id) if due else None
    issued_now = 0
    if due and customer is not None:
        issued_now = _issue(ctx, principal, policy, customer, due)
        with ctx.uow(read_only=True) as uow:
            issued = uow.documents.for_policy(policy.policy_id)
    return _listing(policy, issued, issued_now, len(_still_due(due, issued)))


def _still_due(due: list[Due], issued: Sequence[IssuedDocument]) -> list[Due]:
    have = {(d.kind, d.subject) for d in issued}
    return [d for d in due if (d.kind, d.subject) not in have]


def _listing(policy: Policy, issued: Sequence[IssuedDocument], issued_now: int, due: int) -> DocumentList:
    transactions = {t.transaction_id: t for t in policy.transactions}
    return {"policy_id": policy.policy_id, "number": policy.number,
            "documents": [document_view(d, transactions) for d in issued],
            "issued_now": issued_now, "due": due}


def issued_documents(ctx: AppContext, principal: Principal, policy_id: str) -> DocumentList:
    """The policy's documents already issued, oldest first, and how many more its history calls for (`due`),
    issuing nothing: a read fast enough for the portal's policy page (no PDF is rendered in its path; the
    documents page, the REST listing and the daily job issue the due ones). A customer sees only their own."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        issued = uow.documents.for_policy(policy.policy_id)
        due = _due(ctx, uow, policy, issued)
    return _listing(policy, issued, 0, len(due))


def _unknown(document_id: str) -> NotFound:
    return NotFound("no such document", [FieldIssue("document_id", f"no document {document_id} that you can see")])


def visible_document(uow: UnitOfWork, principal: Principal, document_id: str, fmt: str | None) -> IssuedDocument:
    """The document as the caller may see it: a customer only their own (find_policy's rule: another
    customer's document answers exactly as an unknown id)."""
    doc = uow.documents.get(document_id, fmt)
    if doc is not None:
        try:
            if principal.role == "customer" and doc.customer_id is None:  # a complainant who is not a customer
                raise NotFound("no such document")
            check_customer(principal, doc.customer_id or "", "document")
        except NotFound:
            doc = None
    if doc is None:
        raise _unknown(document_id)
    return doc


def _file(doc: IssuedDocument, rendition: Rendition) -> DocumentFile:
    assert rendition.content is not None
    ext = rendition.format.replace("_large", "")
    suffix = "-large-print" if rendition.format.endswith("_large") else ""
    return DocumentFile(doc.document_id, rendition.format, rendition.media_type,
                        f"{doc.kind}-{doc.document_id}{suffix}.{ext}", rendition.sha256, rendition.content)


def check_format(fmt: str, large_print: bool) -> None:
    if fmt not in FORMATS:
        raise ValidationFailed("unknown format", [FieldIssue("format", f"use one of {', '.join(FORMATS)}")])
    if large_print and fmt not in LARGE:
        raise ValidationFailed("plain text has no print size",
                               [FieldIssue("large_print", "large print is a PDF or HTML variant; plain text is for "
                                                          "reading aloud or your own software at any size")])


def get_document(ctx: AppContext, principal: Principal, document_id: str, fmt: str,
                 large_print: bool = False) -> DocumentFile:
    """A document's bytes in `fmt` (pdf, html or txt), exactly as stored when it was issued; the large-print
    PDF or HTML (CMP-4) is made from the stored HTML on its first request and stored, then answered as
    stored. 404 naming `document_id` for an unknown document or another customer's; 409 once the content
    was erased (PRV-4) or anonymised (PRV-5)."""
    check_format(fmt, large_print)
    key = LARGE[fmt] if large_print else fmt
    with ctx.uow(read_only=True) as uow:
        doc = visible_document(uow, principal, document_id, key)
        wanted = doc.rendition(key)
        html: Rendition | None = None
        if wanted is None:  # the large-print variant, asked for the first time: made from the stored HTML
            with_html = uow.documents.get(document_id, "html")
            html = with_html.rendition("html") if with_html is not None else None
    if wanted is not None:
        if wanted.content is None:
            raise _erased(document_id)
        return _file(doc, wanted)
    return _first_large_print(ctx, doc, key, html)


def _erased(document_id: str) -> Conflict:
    return Conflict("the document's content was erased (an erasure request or the retention schedule): only "
                    "its record and digests remain", [FieldIssue("document_id", "content erased")])


def _first_large_print(ctx: AppContext, doc: IssuedDocument, key: str, html: Rendition | None) -> DocumentFile:
    if html is None or html.content is None:
        raise _erased(doc.document_id)
    large_html = render.large_print_html(html.content.decode("utf-8"))
    content = large_html.encode("utf-8") if key == "html_large" else render.html_to_pdf(html.content.decode("utf-8"),
                                                                                          large_print=True)
    # A letter another context wrote (not one of this context's kinds) records its own template version.
    version = (render.large_print_version(doc.kind) if doc.kind in TITLES
               else render.large_print_version_of(doc.template_version))
    rendition = Rendition(key, MEDIA_TYPES[key.replace("_large", "")], render.sha256(content), content,
                          ctx.clock.now(), version)
    try:
        with ctx.uow() as uow:
            uow.documents.add_rendition(doc, rendition)
            uow.commit()
    except Conflict:  # made meanwhile by another request: answer the stored one
        with ctx.uow(read_only=True) as uow:
            stored = uow.documents.get(doc.document_id, key)
        found = stored.rendition(key) if stored is not None else None
        if found is None or found.content is None:
            raise
        return _file(doc, found)
    return _file(replace(doc, renditions=(*doc.renditions, rendition)), rendition)


def issue_letter(ctx: AppContext, principal: Principal, policy_id: str, letter: Letter) -> DocumentView:
    """Issue a letter another context rendered from its own templates (issue 14: the NCD proof letter) as one of
    the policy's documents: its HTML and text as given, and its PDF made here (WeasyPrint), stored once with their
    SHA-256. The same letter (kind and subject) asked for again answers the document already stored, never a new
    rendering. A customer reaches only their own policy's (another's answers as an unknown policy)."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
    return issue_owned_letter(ctx, principal, Owner("policy", policy.policy_id, policy.customer_id, policy.policy_id),
                              letter)


def _check_owner(principal: Principal, owner: Owner) -> None:
    """A customer reaches only what concerns them; a complainant who is not a customer has no customer sign-in."""
    if principal.role == "customer" and (owner.customer_id is None or owner.customer_id != principal.customer_id):
        raise _unknown_owner(owner)


def _unknown_owner(owner: Owner) -> NotFound:
    field = {"policy": "policy_id", "complaint": "complaint_id", "data_request": "request_id"}[owner.kind]
    return NotFound(f"no such {owner.kind.replace('_', ' ')}", [FieldIssue(field, f"no {owner.kind.replace('_', ' ')} "
                                                                                    f"{owner.id} that you can see")])


def issue_owned_letter(ctx: AppContext, principal: Principal, owner: Owner, letter: Letter) -> DocumentView:
    """Issue a letter another context rendered from its own templates as a document of `owner` (a complaint's
    letter, DOC-2; a data subject request's access package, PRV-3; a policy's letter): its HTML and text as
    given, its PDF made here from the HTML, the three stored once with their SHA-256. The same letter (owner, kind
    and subject) asked for again answers the document already stored, never a new rendering; two issuers racing
    store one. The calling context has checked that the caller may see the owner; here a customer is still held
    to what concerns them (anything else answers as unknown)."""
    if owner.kind not in OWNER_KINDS:
        raise ValidationFailed("unknown owner", [FieldIssue("owner_kind", f"use one of {', '.join(OWNER_KINDS)}")])
    _check_owner(principal, owner)
    with ctx.uow(read_only=True) as uow:
        stored = _stored_letter(uow, owner, letter)
    if stored is not None:
        return document_view(stored)
    now = ctx.clock.now()
    renditions = tuple(Rendition(fmt, MEDIA_TYPES[fmt], render.sha256(content), content, now, letter.template_version)
                       for fmt, content in (("html", letter.html.encode("utf-8")),
                                            ("pdf", render.html_to_pdf(letter.html)),
                                            ("txt", letter.txt.encode("utf-8"))))
    doc = IssuedDocument(new_id("doc"), owner.policy_id, owner.customer_id, letter.kind, letter.subject,
                         letter.term_no, letter.title, letter.template, letter.template_version, letter.product_ref,
                         now, principal.user_id, renditions, owner.kind, owner.id)
    try:
        with ctx.uow() as uow:
            uow.documents.add(doc)
            uow.commit()
    except Conflict:  # the same letter, issued meanwhile by another request: answer that one
        with ctx.uow(read_only=True) as uow:
            stored = _stored_letter(uow, owner, letter)
        if stored is None:
            raise
        return document_view(stored)
    return document_view(doc)


def owned_documents(ctx: AppContext, principal: Principal, owner: Owner) -> list[DocumentView]:
    """The documents of a complaint or a data subject request (or a policy) as issued, oldest first, issuing
    nothing. The calling context has checked that the caller may see the owner; a customer is still held to what
    concerns them."""
    _check_owner(principal, owner)
    with ctx.uow(read_only=True) as uow:
        return [document_view(d) for d in uow.documents.for_owner(owner.kind, owner.id)]


def _stored_letter(uow: UnitOfWork, owner: Owner, letter: Letter) -> IssuedDocument | None:
    return next((d for d in uow.documents.for_owner(owner.kind, owner.id)
                 if d.kind == letter.kind and d.subject == letter.subject), None)


ISSUE_TASK = "policies whose documents were issued"


def issue_due(ctx: AppContext, principal: Principal = SYSTEM, batch: int = 200,
              progress: Progress = no_progress) -> IssueRun:
    """The daily job: issue every document that policy transactions and renewal invitations call for and
    nobody has listed yet. A policy that fails is reported and the next still runs (rerun safely).
    `progress` hears the policies done (the total is not known ahead: they are found a batch at a time)."""
    done, issued, failed = 0, 0, {}
    after: str | None = None
    progress(ISSUE_TASK, 0, None)
    while True:
        with ctx.uow(read_only=True) as uow:
            ids = uow.documents.policies_missing_documents(after, batch)
        if not ids:
            break
        for pid in ids:
            progress(ISSUE_TASK, done, None)
            done += 1
            failures: list[str] = []
            try:
                issued += _issue_policy(ctx, principal, pid, failures)
            except Exception as exc:  # reported, never stops the run: the next run tries again
                log.exception("issuing the documents of policy %s failed", pid)
                failures.append(f"{type(exc).__name__}: {exc}")
            if failures:
                failed[pid] = "; ".join(failures)
        after = ids[-1]
    progress(ISSUE_TASK, done, done)
    return {"policies": done, "issued": issued, "failed": failed}


def _issue_policy(ctx: AppContext, principal: Principal, policy_id: str, failures: list[str]) -> int:
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(policy_id)
        if policy is None:
            return 0
        due = _due(ctx, uow, policy, uow.documents.for_policy(policy_id))
        customer = uow.customers.get(policy.customer_id) if due else None
    if not due or customer is None:
        return 0
    return _issue(ctx, principal, policy, customer, due, failures)

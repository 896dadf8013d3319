"""Paper copies on request (DOC-1: "we can also send paper copies through the post, on request"), in large
print where asked (CMP-4): a customer or staff asks for a copy of an issued document; staff work the queue,
marking each copy printed, then posted (or cancelling one not yet posted). The copy printed is the stored
document, never a new rendering. Any issued document may be asked for: a policy's, a complaint's letter, an
access package; it goes to the customer it concerns, at their address on record."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from covernote.documents.ports import IssuedDocument, PrintRequest
from covernote.documents.results import PaperCopies, PrintQueue, PrintRequestView
from covernote.documents.usecases.documents import visible_document
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.errors import Conflict, FieldIssue, NotFound
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.policy.domain.model import Customer
from covernote.policy.usecases.lookup import find_policy

STATUSES = ("requested", "printed", "posted", "cancelled")
MarkStatus = Literal["printed", "posted", "cancelled"]
# What may follow what: a copy is printed, then posted (a copy posted straight away was printed too); one not yet
# posted may be cancelled (asked for by mistake, or the address is wrong), and nothing follows a cancelled one.
NEXT: dict[str, tuple[str, ...]] = {"requested": ("printed", "posted", "cancelled"), "printed": ("posted", "cancelled"),
                                    "posted": (), "cancelled": ()}


def _view(r: PrintRequest, doc: IssuedDocument | None, customer: Customer | None) -> PrintRequestView:
    return {
        "id": r.request_id, "document_id": r.document_id, "document_title": doc.title if doc else "",
        "document_kind": doc.kind if doc else "", "owner_kind": r.owner_kind, "owner_id": r.owner_id,
        "policy_id": r.policy_id, "customer_id": r.customer_id, "large_print": r.large_print, "status": r.status,
        "requested_at": r.requested_at.isoformat(), "requested_by": r.requested_by,
        "printed_at": r.printed_at.isoformat() if r.printed_at else None,
        "posted_at": r.posted_at.isoformat() if r.posted_at else None,
        "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
        "addressee": {"name": customer.name, "address": customer.address, "postcode": customer.postcode}
        if customer is not None else None,
    }


def request_paper_copy(ctx: AppContext, principal: Principal, document_id: str,
                       large_print: bool = False) -> PrintRequestView:
    """Ask for a paper copy of an issued document, posted to the policyholder's address on record. A copy
    of the same document in the same print size still waiting to be printed is answered instead of a
    second one. A customer may ask only for their own documents (another's answers as unknown)."""
    with ctx.uow() as uow:
        doc = visible_document(uow, principal, document_id, None)
        if doc.customer_id is None:  # a letter to a complainant who is not a customer: no address on record here
            raise Conflict("the document concerns no customer, so there is no address on record to post it to",
                           [FieldIssue("document_id", "post the complaint's letters to the address on the complaint")])
        waiting = [r for r in uow.documents.print_requests("requested", None, 1000, 0, document_id=doc.document_id)
                   if r.large_print == large_print]
        if waiting:
            request = waiting[0]
        else:
            request = PrintRequest(new_id("prt"), doc.document_id, doc.policy_id, doc.customer_id, large_print,
                                   "requested", ctx.clock.now(), principal.user_id, owner_kind=doc.owner_kind,
                                   owner_id=doc.owner_id)
            uow.documents.add_print_request(request)
            uow.commit()
        customer = uow.customers.get(doc.customer_id)
    return _view(request, doc, customer)


def policy_paper_copies(ctx: AppContext, principal: Principal, policy_id: str, limit: int = 100) -> PaperCopies:
    """The paper copies asked for of the policy's documents in every status, oldest first (the portal shows a
    customer the requests they made). A customer sees only their own policy's (another's answers as an
    unknown policy)."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        items = uow.documents.print_requests(None, policy.policy_id, limit, 0)
        docs = uow.documents.documents_by_id(sorted({r.document_id for r in items})) if items else {}
        customer = uow.customers.get(policy.customer_id) if items else None
    return {"policy_id": policy.policy_id, "items": [_view(r, docs.get(r.document_id), customer) for r in items]}


def print_queue(ctx: AppContext, principal: Principal, status: str | None = "requested", limit: int = 50,
                offset: int = 0) -> PrintQueue:
    """Staff: the paper copies asked for (default those still to print), oldest first, with where each goes."""
    require_staff(principal, "work the print queue")
    check_listing(limit, offset, status=status, statuses=STATUSES)
    with ctx.uow(read_only=True) as uow:
        items = uow.documents.print_requests(status, None, limit, offset)
        docs = uow.documents.documents_by_id(sorted({r.document_id for r in items}))
        customers = uow.customers.get_many(sorted({r.customer_id for r in items}))
    return {"items": [_view(r, docs.get(r.document_id), customers.get(r.customer_id)) for r in items],
            "limit": limit, "offset": offset}


def mark_print_request(ctx: AppContext, principal: Principal, request_id: str,
                       status: MarkStatus) -> PrintRequestView:
    """Staff: a copy was printed, or posted, or (not yet posted) is cancelled. 409 naming `status` for a step back,
    a repeat or anything after a cancellation."""
    require_staff(principal, "work the print queue")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        request = uow.documents.get_print_request(request_id)
        if request is None:
            raise NotFound("no such print request", [FieldIssue("request_id", f"no print request {request_id}")])
        if status not in NEXT[request.status]:
            raise Conflict(f"the copy is already {request.status}",
                           [FieldIssue("status", f"a {request.status} copy can be marked "
                                                 f"{' or '.join(NEXT[request.status]) or 'nothing more'}")])
        if status == "cancelled":
            changed = replace(request, status=status, cancelled_at=now, cancelled_by=principal.user_id)
        else:
            changed = replace(request, status=status, printed_at=request.printed_at or now,
                              printed_by=request.printed_by or principal.user_id,
                              posted_at=now if status == "posted" else None,
                              posted_by=principal.user_id if status == "posted" else None)
        if not uow.documents.save_print_request(changed, request.status):
            raise Conflict("the print request was changed by someone else at the same time; reload it and retry")
        uow.commit()
        docs = uow.documents.documents_by_id([request.document_id])
        customer = uow.customers.get(request.customer_id)
    return _view(changed, docs.get(request.document_id), customer)

"""Issue 14 (DOC-1, DOC-2, CMP-4, PRV-3, PRV-4, PRV-5) through the use cases, on SQLite and PostgreSQL: a
complaint's letters and an access request's package are issued documents like a policy's: stored once with their
PDF and SHA-256, downloaded byte for byte the same every time (PDF, HTML, plain text, large print), reached only by
the customer they concern and by staff, re-printable through the print queue, and erased or anonymised with what
they belong to."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa

from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.documents.usecases import documents, printing
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, NotFound
from covernote.platform.context import AppContext
from covernote.privacy.usecases import requests, subject_access
from covernote.store import tables
from tests.support import bind, cancel, new_customer

STAFF = Principal("usr_staff", "staff")


def _customer(customer_id: str) -> Principal:
    return Principal(f"usr_{customer_id}", "customer", customer_id)


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _rows(ctx: AppContext, owner_kind: str) -> int:
    with ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        d = tables.documents
        return int(conn.execute(sa.select(sa.func.count()).select_from(d).where(d.c.owner_kind == owner_kind))
                   .scalar_one())


def _complaint(ctx: AppContext, principal: Principal = STAFF, **over: object) -> Any:
    values: dict[str, object] = dict(kind="sales_service", description="I was charged a fee I was not told about",
                                     name="Ann Example", address="1 High Street, Leeds", received_via="letter",
                                     postcode="LS1 4AB")
    values.update(over)
    return complaints.record(ctx, principal, NewComplaint(**values))  # type: ignore[arg-type]


def test_doc2_a_complaint_letter_is_issued_once_with_its_pdf_and_downloads_byte_identical(db_ctx: AppContext) -> None:
    """DOC-1, DOC-2: the acknowledgement is stored as a document right after it is sent: the HTML and text
    exactly as the letter was sent, a PDF made from it whose text holds the letter's wording; every download the
    same bytes; listing again issues nothing more."""
    cid = new_customer(db_ctx)
    me = _customer(cid)
    c = _complaint(db_ctx, me)
    view = complaints.acknowledge(db_ctx, STAFF, c["id"])
    letter = view["letters"][0]
    assert letter["document"] is not None, "issued right after the letter was sent"
    doc_id = letter["document"]["id"]
    assert letter["document"]["links"]["pdf"] == f"/documents/{doc_id}?format=pdf"

    listed = complaints.documents_of(db_ctx, me, c["id"])["documents"]
    assert [d["id"] for d in listed] == [doc_id]
    doc = listed[0]
    assert (doc["kind"], doc["owner_kind"], doc["owner_id"], doc["subject"]) == (
        "complaint_letter", "complaint", c["id"], letter["id"])
    assert doc["policy_id"] is None and doc["term"] is None and len(doc["template_version"]) == 64
    assert doc["title"] == "Acknowledgement of your complaint"

    sent = complaints.letter(db_ctx, STAFF, c["id"], letter["id"])
    digests = {f["format"]: f["sha256"] for f in doc["formats"]}
    html = documents.get_document(db_ctx, me, doc_id, "html")
    assert html.content == sent.body_html.encode("utf-8")  # the letter as it was sent, not composed again
    assert documents.get_document(db_ctx, me, doc_id, "txt").content == sent.body.encode("utf-8")
    pdf = documents.get_document(db_ctx, me, doc_id, "pdf")
    assert pdf.content.startswith(b"%PDF") and hashlib.sha256(pdf.content).hexdigest() == digests["pdf"]
    text = _pdf_text(pdf.content)
    for wording in ("Acknowledgement of your complaint", "Dear Ann Example", c["id"], "Financial Ombudsman"):
        assert wording in text, wording
    assert documents.get_document(db_ctx, STAFF, doc_id, "pdf").content == pdf.content  # byte-identical again
    large = documents.get_document(db_ctx, me, doc_id, "pdf", large_print=True)
    assert large.content.startswith(b"%PDF") and large.content != pdf.content
    assert documents.get_document(db_ctx, me, doc_id, "pdf", large_print=True).content == large.content

    again = complaints.documents_of(db_ctx, me, c["id"])["documents"]
    assert [d["id"] for d in again] == [doc_id] and _rows(db_ctx, "complaint") == 1
    assert complaints.letter_document(db_ctx, me, c["id"], letter["id"])["id"] == doc_id
    assert complaints.get(db_ctx, me, c["id"])["letters"][0]["document"]["id"] == doc_id  # type: ignore[index]


def test_doc2_a_final_responses_pdf_states_the_outcome_redress_and_the_ombudsman(db_ctx: AppContext) -> None:
    c = _complaint(db_ctx)
    complaints.acknowledge(db_ctx, STAFF, c["id"])
    view = complaints.final_response(db_ctx, STAFF, c["id"], "upheld", "We should have told you about the fee.",
                                     "claim_delay", redress="50.00")
    final = next(x for x in view["letters"] if x["kind"] == "final_response")
    assert final["document"] is not None
    text = _pdf_text(documents.get_document(db_ctx, STAFF, final["document"]["id"], "pdf").content)
    for wording in ("upheld", "£50.00", "We should have told you about the fee", "Financial Ombudsman Service"):
        assert wording in text, wording
    assert len(complaints.documents_of(db_ctx, STAFF, c["id"])["documents"]) == 2


def test_sec1_another_customer_reaches_neither_the_complaints_documents_nor_the_letter(db_ctx: AppContext) -> None:
    mine = _customer(new_customer(db_ctx))
    other = _customer(new_customer(db_ctx))
    c = _complaint(db_ctx, mine)
    doc_id = complaints.acknowledge(db_ctx, STAFF, c["id"])["letters"][0]["document"]["id"]  # type: ignore[index]
    with pytest.raises(NotFound):
        complaints.documents_of(db_ctx, other, c["id"])
    with pytest.raises(NotFound):
        documents.get_document(db_ctx, other, doc_id, "pdf")
    with pytest.raises(NotFound):
        printing.request_paper_copy(db_ctx, other, doc_id)


def test_doc2_a_letter_to_a_complainant_who_is_no_customer_is_staffs_only_and_not_queued_for_post(
        db_ctx: AppContext) -> None:
    c = _complaint(db_ctx)  # no customer: someone who wrote in
    doc_id = complaints.acknowledge(db_ctx, STAFF, c["id"])["letters"][0]["document"]["id"]  # type: ignore[index]
    assert documents.get_document(db_ctx, STAFF, doc_id, "pdf").content.startswith(b"%PDF")
    with pytest.raises(NotFound):
        documents.get_document(db_ctx, _customer(new_customer(db_ctx)), doc_id, "pdf")
    with pytest.raises(Conflict) as refused:
        printing.request_paper_copy(db_ctx, STAFF, doc_id)
    assert [i.field for i in refused.value.issues] == ["document_id"]


def test_doc1_a_complaint_letters_paper_copy_goes_through_the_print_queue_and_may_be_cancelled(
        db_ctx: AppContext) -> None:
    cid = new_customer(db_ctx)
    me = _customer(cid)
    c = _complaint(db_ctx, me)
    doc_id = complaints.acknowledge(db_ctx, STAFF, c["id"])["letters"][0]["document"]["id"]  # type: ignore[index]
    asked = printing.request_paper_copy(db_ctx, me, doc_id, large_print=True)
    assert (asked["owner_kind"], asked["owner_id"], asked["policy_id"]) == ("complaint", c["id"], None)
    assert asked["document_kind"] == "complaint_letter" and asked["addressee"] is not None
    assert printing.request_paper_copy(db_ctx, me, doc_id, large_print=True)["id"] == asked["id"]  # not twice
    queue = printing.print_queue(db_ctx, STAFF)["items"]
    assert [r["id"] for r in queue] == [asked["id"]]
    done = printing.mark_print_request(db_ctx, STAFF, asked["id"], "cancelled")
    assert done["status"] == "cancelled" and done["cancelled_at"] is not None
    assert printing.print_queue(db_ctx, STAFF)["items"] == []
    assert [r["id"] for r in printing.print_queue(db_ctx, STAFF, "cancelled")["items"]] == [asked["id"]]
    with pytest.raises(Conflict):
        printing.mark_print_request(db_ctx, STAFF, asked["id"], "posted")  # nothing follows a cancellation


def test_prv5_anonymising_a_complaint_erases_its_letters_documents_bytes(db_ctx: AppContext) -> None:
    c = _complaint(db_ctx, _customer(new_customer(db_ctx)))
    doc_id = complaints.acknowledge(db_ctx, STAFF, c["id"])["letters"][0]["document"]["id"]  # type: ignore[index]
    with db_ctx.uow() as uow:
        uow.complaints.anonymise([c["id"]], lambda value: "h:" + hashlib.sha256(value.encode()).hexdigest())
        uow.commit()
    with pytest.raises(Conflict):
        documents.get_document(db_ctx, STAFF, doc_id, "pdf")
    assert len(complaints.documents_of(db_ctx, STAFF, c["id"])["documents"]) == 1  # the record and digests stay


def test_prv3_the_access_package_is_issued_once_as_a_document_with_its_pdf(db_ctx: AppContext) -> None:
    """PRV-3, DOC-1: the package is stored the first time as HTML, PDF and its JSON as plain text; afterwards the
    same document byte for byte; only the person it concerns (and staff) reach it."""
    p = bind(db_ctx)
    me = _customer(p["customer_id"])
    case = requests.start(db_ctx, me, p["customer_id"], kind="access", details={"description": "all of it"})
    doc = subject_access.package_document(db_ctx, me, case["id"])
    assert (doc["kind"], doc["owner_kind"], doc["owner_id"], doc["policy_id"]) == (
        "access_package", "data_request", case["id"], None)
    assert requests.get(db_ctx, me, case["id"])["status"] == "completed"  # producing it answered the request
    pdf = documents.get_document(db_ctx, me, doc["id"], "pdf")
    text = _pdf_text(pdf.content)
    for wording in ("Your personal data", p["customer_id"], "The records we hold", "Your rights"):
        assert wording in text, wording
    package = json.loads(documents.get_document(db_ctx, me, doc["id"], "txt").content)
    assert package["subject"] == {"customer_id": p["customer_id"]} and package["records"]["policies"]

    again = subject_access.package_document(db_ctx, me, case["id"])
    assert again["id"] == doc["id"] and again["formats"] == doc["formats"]
    assert documents.get_document(db_ctx, STAFF, doc["id"], "pdf").content == pdf.content
    assert [d["id"] for d in subject_access.request_documents(db_ctx, me, case["id"])] == [doc["id"]]
    assert _rows(db_ctx, "data_request") == 1

    other = _customer(new_customer(db_ctx))
    for attempt in (lambda: subject_access.package_document(db_ctx, other, case["id"]),
                    lambda: subject_access.request_documents(db_ctx, other, case["id"]),
                    lambda: documents.get_document(db_ctx, other, doc["id"], "pdf")):
        with pytest.raises(NotFound):
            attempt()


def test_prv3_a_later_package_lists_an_earlier_one_without_repeating_its_bytes(db_ctx: AppContext) -> None:
    p = bind(db_ctx)
    me = _customer(p["customer_id"])
    documents.list_documents(db_ctx, me, p["id"])  # the policy's documents, whose bytes the package carries
    first = requests.start(db_ctx, me, p["customer_id"], kind="access", details={"description": "all of it"})
    earlier = subject_access.package_document(db_ctx, me, first["id"])
    second = requests.start(db_ctx, me, p["customer_id"], kind="access", details={"description": "again"})
    package = subject_access.access_package(db_ctx, me, second["id"])
    rows = package["records"]["document_renditions"]
    assert {r["content"] for r in rows if r["document_id"] == earlier["id"]} == {None}
    policy_html = next(r for r in rows if r["owner_kind"] == "policy" and r["format"] == "html")
    assert b"<html" in base64.b64decode(policy_html["content"]).lower()  # the policy's documents still carried
    assert subject_access.EARLIER_PACKAGES in package["not_included"]
    # The package as a document describes each document's bytes in words, never the base64.
    page = documents.get_document(db_ctx, me, subject_access.package_document(db_ctx, me, second["id"])["id"],
                                  "html").content.decode("utf-8")
    assert policy_html["content"][:40] not in page and "the document itself" in page


def test_prv4_an_erasure_erases_the_access_packages_bytes(db_ctx: AppContext, clock: FixedClock) -> None:
    from covernote.privacy.usecases import erasure

    p = bind(db_ctx)
    me = _customer(p["customer_id"])
    case = requests.start(db_ctx, me, p["customer_id"], kind="access", details={"description": "all of it"})
    doc = subject_access.package_document(db_ctx, me, case["id"])
    clock.advance(timedelta(days=10))
    cancel(db_ctx, p["id"], db_ctx.today())
    clock.advance(timedelta(days=365 * 8 + 2))  # past the seven years S1 keeps an ended policy
    erase = requests.start(db_ctx, me, p["customer_id"], kind="erasure", details={"description": "Erase me"})
    plan = erasure.plan(db_ctx, SYSTEM, erase["id"])
    assert ("document_renditions", "content") in {(e["table"], e["field"]) for e in plan["erased"]}
    erasure.apply(db_ctx, SYSTEM, erase["id"], plan["fingerprint"])
    with pytest.raises(Conflict):
        documents.get_document(db_ctx, STAFF, doc["id"], "pdf")


def test_prv4_an_erasure_keeps_an_open_complaints_letters_and_erases_them_three_years_after_it_closed(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """PRV-4, CMP-3: a complaint letter's document is kept with its complaint (open, or closed less than three
    years ago, DISP 1.9), as the letter itself is, and erased with it after that."""
    from covernote.privacy.usecases import erasure

    cid = new_customer(db_ctx)
    me = _customer(cid)
    c = _complaint(db_ctx, me)
    doc_id = complaints.acknowledge(db_ctx, STAFF, c["id"])["letters"][0]["document"]["id"]  # type: ignore[index]
    case = requests.start(db_ctx, me, cid, kind="erasure", details={"description": "Erase me"})
    plan = erasure.plan(db_ctx, SYSTEM, case["id"])
    kept = {(k["table"], k["field"]): k["reason"] for k in plan["kept"]}
    assert c["id"] in kept[("document_renditions", "content")]  # kept: the complaint is still being handled
    assert ("document_renditions", "content") not in {(e["table"], e["field"]) for e in plan["erased"]}
    erasure.apply(db_ctx, SYSTEM, case["id"], plan["fingerprint"])
    assert documents.get_document(db_ctx, STAFF, doc_id, "pdf").content.startswith(b"%PDF")

    complaints.final_response(db_ctx, STAFF, c["id"], "not_upheld", "The fee was in the terms.", "claim_delay")
    clock.advance(timedelta(days=365 * 3 + 10))  # past the three years after it closed
    later = requests.start(db_ctx, SYSTEM, cid, kind="erasure", channel="post", identity_method="passport seen",
                           details={"description": "Erase me"})
    plan = erasure.plan(db_ctx, SYSTEM, later["id"])
    assert ("document_renditions", "content") in {(e["table"], e["field"]) for e in plan["erased"]}
    erasure.apply(db_ctx, SYSTEM, later["id"], plan["fingerprint"])
    with pytest.raises(Conflict):
        documents.get_document(db_ctx, STAFF, doc_id, "pdf")

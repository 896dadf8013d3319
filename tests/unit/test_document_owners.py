"""Issue 14 (DOC-1, DOC-2, PRV-3, SEC-1), pure parts: who may reach a document of a complaint or a data request,
what may follow what on the print queue (cancelled included), a complaint letter as the document it becomes, and
the access package as printed (each document's bytes described, never repeated)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from covernote.complaints.ports import ComplaintLetter
from covernote.complaints.usecases import letter_documents
from covernote.documents.domain import Owner
from covernote.documents.usecases.documents import _check_owner
from covernote.documents.usecases.printing import NEXT, STATUSES
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import NotFound
from covernote.privacy.usecases.subject_access import _printable

ANN = Principal("usr_ann", "customer", "cus_ann")
STAFF = Principal("usr_staff", "staff")


def test_sec1_a_customer_reaches_only_documents_that_concern_them() -> None:
    _check_owner(ANN, Owner("complaint", "cmp_1", "cus_ann"))
    for staff in (STAFF, SYSTEM):
        _check_owner(staff, Owner("complaint", "cmp_1", None))  # staff reach a non-customer complainant's letters
    for owner in (Owner("complaint", "cmp_2", "cus_bob"), Owner("complaint", "cmp_3", None),
                  Owner("data_request", "dsr_1", "cus_bob")):
        with pytest.raises(NotFound) as refused:
            _check_owner(ANN, owner)
        assert [i.field for i in refused.value.issues] == [
            "complaint_id" if owner.kind == "complaint" else "request_id"]


def test_doc1_a_paper_copy_is_printed_then_posted_or_cancelled_before_it_is_posted() -> None:
    assert STATUSES == ("requested", "printed", "posted", "cancelled")
    assert "cancelled" in NEXT["requested"] and "cancelled" in NEXT["printed"]
    assert NEXT["posted"] == () and NEXT["cancelled"] == ()  # nothing after posting or a cancellation
    assert "requested" not in {s for after in NEXT.values() for s in after}  # never back to the queue


def test_doc2_a_complaint_letter_becomes_the_document_of_its_complaint_as_sent() -> None:
    sent = ComplaintLetter("cml_1", "cmp_1", "cus_ann", "final_response", "large_print", "covernote", "post",
                           "Dear Ann,\nWe upheld your complaint.\n", "<html><body>Dear Ann</body></html>",
                           datetime(2026, 12, 7, 10, tzinfo=UTC), "usr_staff")
    letter = letter_documents.as_letter(sent)
    assert (letter.kind, letter.subject, letter.title) == ("complaint_letter", "cml_1", "Final response to your complaint")
    assert (letter.html, letter.txt) == (sent.body_html, sent.body)  # exactly as sent, never composed again
    assert letter.product_ref is None and letter.term_no is None
    assert len(letter.template_version) == 64 and letter.template_version == letter_documents.template_version()


def test_prv3_the_printed_package_describes_each_documents_bytes_instead_of_repeating_them() -> None:
    package: dict = {"records": {"document_renditions": [  # type: ignore[type-arg]
        {"document_id": "doc_1", "format": "pdf", "size": 1234, "sha256": "ab" * 32, "content": "JVBERi0xLjcK"},
        {"document_id": "doc_2", "format": "pdf", "size": 99, "sha256": "cd" * 32, "content": None}],
        "customers": [{"id": "cus_ann"}]}}
    shown = _printable(package)  # type: ignore[arg-type]
    rows = shown["records"]["document_renditions"]
    assert rows[0]["content"] == f"1234 bytes with SHA-256 {'ab' * 32}: the document itself, which you can " \
                                 "download on its own"
    assert rows[1]["content"] is None  # an earlier package's bytes, left out already
    assert shown["records"]["customers"] == [{"id": "cus_ann"}]
    assert package["records"]["document_renditions"][0]["content"] == "JVBERi0xLjcK"  # the JSON keeps them

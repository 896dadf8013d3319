# ruff: noqa: F811  (the fixtures imported from test_portal_selfservice are used by name)
"""Issue 14 (DOC-1, UX-2, CMP-4, SEC-1): the portal's document pages through the app (TestClient, on SQLite and
PostgreSQL; the browser test is test_portal_browser_documents.py): a policy's documents listed with what each
documents; downloads as PDF, HTML, plain text and large print, answered with the stored bytes as attachments;
a paper copy asked for with a CSRF-protected form and listed; another customer's document or documents page
answering the portal's 404 page exactly like an unknown id; bad input named, never a 500."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from covernote.documents.usecases import documents, printing
from covernote.identity.usecases import SYSTEM
from covernote.identity.usecases import web as portal
from tests.e2e.test_portal_selfservice import PASSWORD, Customer, api, me  # noqa: F401  (fixtures, used by name)
from tests.support import bind


def _listing(me: Customer) -> Any:
    return documents.list_documents(me.ctx, SYSTEM, me.policy["id"])


def test_issue14_doc1_the_documents_page_lists_each_document_with_what_it_documents(me: Customer) -> None:
    pid = me.policy["id"]
    policy_page = me.get(f"/portal/policies/{pid}")
    assert f'href="/portal/policies/{pid}/documents"' in policy_page.text
    r = me.get(f"/portal/policies/{pid}/documents")
    assert r.status_code == 200, r.text
    for title in ("Certificate of motor insurance", "Policy schedule", "Statement of fact"):
        assert title in r.text
    assert f"New policy from {me.policy['current_term']['start_date']}" in r.text
    cert = next(d for d in _listing(me)["documents"] if d["kind"] == "certificate")  # what the page says it from
    assert cert["transaction"] == {"id": me.policy["transaction_id"], "kind": "new_business",
                                   "effective_date": me.policy["current_term"]["start_date"]}
    for doc in _listing(me)["documents"]:  # every document has its five downloads
        for query in ("format=pdf", "format=html", "format=txt", "format=pdf&amp;large_print=1",
                      "format=html&amp;large_print=1"):
            assert f'href="/portal/documents/{doc["id"]}?{query}"' in r.text
    assert "You have not asked for any paper copies" in r.text


def test_issue14_doc1_cmp4_downloads_are_the_stored_bytes_as_attachments(me: Customer) -> None:
    listing = _listing(me)
    cert = next(d for d in listing["documents"] if d["kind"] == "certificate")
    digests = {f["format"]: f["sha256"] for f in cert["formats"]}
    for fmt, media in (("pdf", "application/pdf"), ("html", "text/html"), ("txt", "text/plain")):
        r = me.get(f"/portal/documents/{cert['id']}?format={fmt}")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
        assert r.headers["content-disposition"] == f'attachment; filename="certificate-{cert["id"]}.{fmt}"'
        assert hashlib.sha256(r.content).hexdigest() == digests[fmt]  # the bytes stored when it was issued
        assert me.get(f"/portal/documents/{cert['id']}?format={fmt}").content == r.content
    large = me.get(f"/portal/documents/{cert['id']}?format=pdf&large_print=1")
    assert large.status_code == 200 and large.content.startswith(b"%PDF")
    assert large.headers["content-disposition"].endswith(f'certificate-{cert["id"]}-large-print.pdf"')
    assert me.get(f"/portal/documents/{cert['id']}?format=pdf&large_print=1").content == large.content
    large_html = me.get(f"/portal/documents/{cert['id']}?format=html&large_print=1")
    assert large_html.status_code == 200 and large_html.headers["content-type"].startswith("text/html")


def test_issue14_sec1_another_customers_documents_answer_404_like_unknown_ones(me: Customer) -> None:
    other = bind(me.ctx)
    theirs = documents.list_documents(me.ctx, SYSTEM, other["id"])["documents"][0]["id"]
    pairs = [(f"/portal/documents/{theirs}?format=pdf", "/portal/documents/doc_nosuch0000?format=pdf"),
             (f"/portal/documents/{theirs}?format=txt", "/portal/documents/doc_nosuch0000?format=txt"),
             (f"/portal/policies/{other['id']}/documents", "/portal/policies/pol_nosuch0000/documents")]
    for not_mine, unknown in pairs:
        a, b = me.get(not_mine), me.get(unknown)
        assert a.status_code == b.status_code == 404, not_mine
        assert a.text == b.text  # the same page: nothing says the document exists
        assert theirs not in a.text and other["number"] not in a.text
    # A paper copy of another's document is not asked for: the same 404, and nothing queued.
    posted = me.post("/portal/documents/paper-copies", {"document_id": theirs})
    assert posted.status_code == 404
    assert printing.policy_paper_copies(me.ctx, SYSTEM, other["id"])["items"] == []


def test_issue14_doc1_cmp4_a_paper_copy_is_asked_for_with_the_csrf_token_and_listed(me: Customer) -> None:
    pid = me.policy["id"]
    cert = next(d for d in _listing(me)["documents"] if d["kind"] == "certificate")
    refused = me.post("/portal/documents/paper-copies", {"document_id": cert["id"], "large_print": "yes"}, csrf=False)
    assert refused.status_code == 403 and "Form not accepted" in refused.text
    assert printing.policy_paper_copies(me.ctx, SYSTEM, pid)["items"] == []  # nothing asked for

    done = me.post("/portal/documents/paper-copies", {"document_id": cert["id"], "large_print": "yes"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/portal/policies/{pid}/documents?asked=large#paper-copies"
    shown = me.get(done.headers["location"].split("#")[0])
    assert "Your large-print paper copy is asked for" in shown.text
    table = shown.text.split('id="paper-copies"', 1)[1]
    assert "Certificate of motor insurance" in table and "Large print" in table and "Waiting to be printed" in table
    # Asked again while the first still waits: one copy (the use case's rule), still listed once.
    me.post("/portal/documents/paper-copies", {"document_id": cert["id"], "large_print": "yes"})
    [copy] = printing.policy_paper_copies(me.ctx, SYSTEM, pid)["items"]
    assert copy["large_print"] is True and copy["document_id"] == cert["id"]
    # Staff post it: the customer sees how far it got.
    printing.mark_print_request(me.ctx, SYSTEM, copy["id"], "posted")
    assert re.search(r"Posted on \d{4}-\d{2}-\d{2}", me.get(f"/portal/policies/{pid}/documents").text)


def test_issue14_doc1_bad_download_or_form_input_is_named_never_a_500(me: Customer) -> None:
    cert = next(d for d in _listing(me)["documents"] if d["kind"] == "certificate")
    for query, named in (("format=docx", "format"), ("format=txt&large_print=1", "large_print"),
                         ("format=pdf&large_print=maybe", "large_print")):
        r = me.get(f"/portal/documents/{cert['id']}?{query}")
        assert r.status_code == 422, query
        assert f"{named}:" in r.text, query
    empty = me.post("/portal/documents/paper-copies", {"document_id": ""})
    assert empty.status_code == 422 and "document_id: choose a document" in empty.text


def test_issue14_sec1_downloads_need_a_signed_in_customer(me: Customer) -> None:
    cert = _listing(me)["documents"][0]
    me.client.cookies.clear()
    r = me.get(f"/portal/documents/{cert['id']}?format=pdf")
    assert r.status_code == 303 and r.headers["location"] == "/portal/sign-in"


def test_issue14_prv4_an_erased_documents_download_says_so_never_a_500(me: Customer) -> None:
    """A document whose bytes were erased (an erasure request or the retention schedule: PRV-4, PRV-5) keeps its
    row on the page; its download answers a 409 page saying the content was erased."""
    import sqlalchemy as sa

    from covernote.store import tables

    cert = next(d for d in _listing(me)["documents"] if d["kind"] == "certificate")
    with me.ctx.uow.engine.begin() as conn:
        conn.execute(sa.update(tables.document_renditions).where(
            tables.document_renditions.c.document_id == cert["id"]).values(content=None))
    r = me.get(f"/portal/documents/{cert['id']}?format=pdf")
    assert r.status_code == 409 and "content was erased" in r.text
    assert me.get(f"/portal/policies/{me.policy['id']}/documents").status_code == 200


def test_issue14_doc1_a_letter_another_context_issued_is_listed_saying_what_it_is(me: Customer) -> None:
    """The NCD proof letter (NCD-1), issued as one of the policy's documents by the NCD context, documents no
    transaction: the page says what it is, with its downloads like any document."""
    from datetime import date, timedelta

    from covernote.ncd import usecases as ncd

    me.ctx.clock.set_date(date.fromisoformat(me.policy["current_term"]["end_date"]) + timedelta(days=3))
    letter = ncd.letter_pdf(me.ctx, SYSTEM, me.policy["id"])
    session = portal.sign_in(me.ctx, "dana@example.org", PASSWORD)  # a year on: the old session has ended
    me.client.cookies.set("covernote_session", session["session_id"])
    r = me.get(f"/portal/policies/{me.policy['id']}/documents")
    assert r.status_code == 200
    assert "Proof of your no claims discount, asked for" in r.text
    assert f'href="/portal/documents/{letter.document_id}?format=pdf"' in r.text
    assert me.get(f"/portal/documents/{letter.document_id}?format=pdf").content == letter.content


def test_issue14_doc1_the_policy_page_lists_the_issued_documents_inline_and_issues_none(me: Customer) -> None:
    """DOC-1, UX-2: the policy page lists the policy's documents with their downloads and the paper-copy form, but
    issues nothing itself (no PDF in a policy read): before the first listing or the daily job it says how many
    are being prepared and links to the documents page, which issues them."""
    pid = me.policy["id"]
    before = me.get(f"/portal/policies/{pid}")
    assert before.status_code == 200, before.text
    assert "4 more documents are" in before.text and f'href="/portal/policies/{pid}/documents"' in before.text
    assert 'name="document_id"' not in before.text  # nothing issued to download or post yet
    assert documents.issued_documents(me.ctx, SYSTEM, pid) == {**documents.issued_documents(me.ctx, SYSTEM, pid),
                                                               "documents": [], "due": 4}  # still none issued

    issued = _listing(me)["documents"]  # the documents page's listing (or the daily job) issues them
    after = me.get(f"/portal/policies/{pid}")
    assert "being prepared" not in after.text
    for doc in issued:
        assert doc["title"] in after.text
        for query in ("format=pdf", "format=html", "format=txt", "format=pdf&amp;large_print=1"):
            assert f'href="/portal/documents/{doc["id"]}?{query}"' in after.text
        assert f'<option value="{doc["id"]}">' in after.text  # the paper-copy form offers each
    assert 'action="/portal/documents/paper-copies"' in after.text
    assert re.search(r'<h3 id="paper-copy">', after.text)

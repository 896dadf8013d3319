# ruff: noqa: F811  (the fixtures imported from test_portal_selfservice are used by name)
"""Issue 14 (DOC-1, DOC-2, PRV-3, CMP-4, SEC-1) through the app (TestClient, on SQLite and PostgreSQL): a
complaint's letters and an access request's package as issued documents, through REST (the letters' document
links, `GET /complaints/{id}/documents`, `GET /privacy/requests/{id}/package/document`) and through the portal (the
complaint page's letter downloads and paper-copy form; the data request page's PDF); another customer's letter or
package answering 404 exactly as an unknown one."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pypdf

from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.documents.usecases import printing
from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.privacy.usecases import requests
from tests.e2e.conftest import Api
from tests.e2e.test_portal_selfservice import Customer, _others, api, me  # noqa: F401  (fixtures, used by name)

STAFF = Principal("usr_staff", "staff")


def _complaint(me: Customer) -> dict[str, Any]:
    made = complaints.record(me.ctx, SYSTEM, NewComplaint(
        "sales_service", "I was charged a fee I was not told about", "Dana Driver", "3 Mill Lane, Leeds", "letter",
        postcode="LS1 4AB", customer_id=me.customer_id))
    return dict(complaints.acknowledge(me.ctx, STAFF, made["id"]))


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_issue14_doc2_rest_a_complaints_letters_carry_their_documents_links(api: Api) -> None:
    from tests.support import new_customer

    cid = new_customer(api.ctx)
    made = complaints.record(api.ctx, SYSTEM, NewComplaint(
        "sales_service", "Slow answer", "Ann Example", "1 High Street, Leeds", "letter", postcode="LS1 4AB",
        customer_id=cid))
    r = api.client.post(f"/complaints/{made['id']}/acknowledge", headers=api.headers())
    assert r.status_code == 200, r.text
    letter = r.json()["letters"][0]
    doc_id = letter["document"]["id"]
    assert letter["document"]["links"]["pdf"] == f"/documents/{doc_id}?format=pdf"
    listed = api.client.get(f"/complaints/{made['id']}/documents", headers=api.headers())
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["documents"]] == [doc_id]
    one = api.client.get(f"/complaints/{made['id']}/letters/{letter['id']}/document", headers=api.headers())
    assert one.status_code == 200 and one.json()["id"] == doc_id
    pdf = api.client.get(letter["document"]["links"]["pdf"], headers=api.headers())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["etag"] == f'"{hashlib.sha256(pdf.content).hexdigest()}"'
    assert "Acknowledgement of your complaint" in _pdf_text(pdf.content)
    assert api.client.get(letter["document"]["links"]["pdf"], headers=api.headers()).content == pdf.content
    unknown = api.client.get(f"/complaints/{made['id']}/letters/cml_nosuch/document", headers=api.headers())
    assert unknown.status_code == 404


def test_issue14_doc2_portal_the_complaint_page_links_each_letters_pdf_and_takes_a_paper_copy(me: Customer) -> None:
    view = _complaint(me)
    letter = view["letters"][0]
    page = me.get(f"/portal/complaints/{view['id']}")
    assert page.status_code == 200, page.text
    base = f"/portal/complaints/{view['id']}/letters/{letter['id']}/document"
    for query in ("format=pdf&amp;large_print=0", "format=pdf&amp;large_print=1", "format=txt&amp;large_print=0"):
        assert f'href="{base}?{query}"' in page.text
    assert f'<option value="{letter["document"]["id"]}">' in page.text

    got = me.get(f"{base}?format=pdf&large_print=0")
    assert got.status_code == 303 and got.headers["location"] == f"/portal/documents/{letter['document']['id']}?format=pdf"
    pdf = me.get(got.headers["location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith('attachment; filename="complaint_letter-')
    assert "Dear Dana Driver" in _pdf_text(pdf.content)
    assert me.get(got.headers["location"]).content == pdf.content  # the stored bytes again

    refused = me.post("/portal/documents/paper-copies", {"document_id": letter["document"]["id"]}, csrf=False)
    assert refused.status_code == 403
    done = me.post("/portal/documents/paper-copies", {"document_id": letter["document"]["id"], "large_print": "yes"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/portal/complaints/{view['id']}?asked=large#paper-copy"
    assert "large-print paper copy is asked for" in me.get(done.headers["location"].split("#")[0]).text
    queued = printing.print_queue(me.ctx, SYSTEM)["items"]
    assert [(q["document_id"], q["owner_kind"], q["large_print"]) for q in queued] == [
        (letter["document"]["id"], "complaint", True)]


def test_issue14_prv3_portal_the_data_request_page_gives_the_package_as_a_pdf_issued_once(me: Customer) -> None:
    case = requests.start(me.ctx, Principal(me.user_id, "customer", me.customer_id), me.customer_id, kind="access",
                          details={"description": "all of it"})
    page = me.get(f"/portal/privacy/requests/{case['id']}")
    assert page.status_code == 200
    link = f"/portal/privacy/requests/{case['id']}/package/document?format=pdf&amp;large_print=0"
    assert f'href="{link}"' in page.text and "Ask for a paper copy" not in page.text  # not issued yet
    got = me.get(link.replace("&amp;", "&"))
    assert got.status_code == 303
    pdf = me.get(got.headers["location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Your personal data" in _pdf_text(pdf.content)
    again = me.get(link.replace("&amp;", "&"))
    assert again.headers["location"] == got.headers["location"]  # the same document
    assert me.get(again.headers["location"]).content == pdf.content
    large = me.get(f"/portal/privacy/requests/{case['id']}/package/document?format=pdf&large_print=1")
    assert large.headers["location"].endswith("&large_print=1")
    after = me.get(f"/portal/privacy/requests/{case['id']}")
    assert "Ask for a paper copy" in after.text  # now issued: it can be posted


def test_issue14_sec1_another_customers_letters_and_package_answer_404_like_unknown_ones(me: Customer) -> None:
    theirs = _others(me)
    other_letter = complaints.acknowledge(me.ctx, STAFF, theirs["complaint"])["letters"][0]
    pairs = [(f"/portal/complaints/{theirs['complaint']}/letters/{other_letter['id']}/document?format=pdf",
              "/portal/complaints/cmp_nosuch0000/letters/cml_nosuch0000/document?format=pdf"),
             (f"/portal/documents/{other_letter['document']['id']}?format=pdf",  # type: ignore[index]
              "/portal/documents/doc_nosuch0000?format=pdf"),
             (f"/portal/privacy/requests/{theirs['request']}/package/document?format=pdf",
              "/portal/privacy/requests/dsr_nosuch0000/package/document?format=pdf")]
    for not_mine, unknown in pairs:
        a, b = me.get(not_mine), me.get(unknown)
        assert a.status_code == b.status_code == 404, not_mine
        assert a.text == b.text
    posted = me.post("/portal/documents/paper-copies", {"document_id": other_letter["document"]["id"]})  # type: ignore[index]
    assert posted.status_code == 404 and printing.print_queue(me.ctx, SYSTEM)["items"] == []


def test_issue14_sec1_rest_a_customer_cannot_reach_another_customers_letter_or_package(api: Api) -> None:
    from tests.support import new_customer

    cid = new_customer(api.ctx)
    made = complaints.record(api.ctx, SYSTEM, NewComplaint(
        "sales_service", "Slow answer", "Ann Example", "1 High Street, Leeds", "letter", postcode="LS1 4AB",
        customer_id=cid))
    letter = complaints.acknowledge(api.ctx, STAFF, made["id"])["letters"][0]
    case = requests.start(api.ctx, SYSTEM, cid, kind="access", channel="post", identity_method="passport seen")
    _, token = create_user(api.ctx, "Stranger", "customer", new_customer(api.ctx))
    stranger = api.headers(token)
    for path in (f"/complaints/{made['id']}/documents", f"/complaints/{made['id']}/letters/{letter['id']}/document",
                 f"/documents/{letter['document']['id']}?format=pdf",  # type: ignore[index]
                 f"/privacy/requests/{case['id']}/package/document", f"/privacy/requests/{case['id']}/documents"):
        assert api.client.get(path, headers=stranger).status_code == 404, path

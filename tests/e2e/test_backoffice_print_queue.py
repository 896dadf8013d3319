# ruff: noqa: F811  (the office fixture imported from test_backoffice_pages is used by name)
"""Issue 14 (DOC-1, CMP-4, UX-2): the back office's print queue through FastAPI's TestClient, on the demonstration
data: staff see the paper copies asked for (customer, document, print size, address, when), open the document as
stored, and mark each printed, posted or cancelled with the session's CSRF token, through the REST print queue's
use cases; a step back or a repeat answers 409, a made-up status 422 naming it, a customer 403."""

from __future__ import annotations

import re
from typing import Any

from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.demo import DEMO_SIGN_INS
from covernote.documents.usecases import documents, printing
from covernote.identity.usecases import SYSTEM, Principal
from covernote.lifecycle.usecases import policies
from tests.e2e.test_backoffice_pages import Office, csrf_of, office, signed_in, staff  # noqa: F401  (fixtures)


def _asked(office: Office) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A large-print copy of a demo policy's certificate, a copy of its schedule, and of a complaint's letter."""
    for item in printing.print_queue(office.ctx, SYSTEM, "requested", 1000, 0)["items"]:  # a clean queue
        printing.mark_print_request(office.ctx, SYSTEM, item["id"], "cancelled")
    policy = policies.list_policies(office.ctx, SYSTEM, 1, 0)[0]
    listed = documents.list_documents(office.ctx, SYSTEM, policy["id"])["documents"]
    cert = next(d for d in listed if d["kind"] == "certificate")
    schedule = next(d for d in listed if d["kind"] == "schedule")
    made = complaints.record(office.ctx, SYSTEM, NewComplaint(
        "sales_service", "A fee I was not told about", "Pat Example", "4 Kiln Road, York", "letter",
        postcode="YO1 7HH", customer_id=policy["customer_id"]))
    letter = complaints.acknowledge(office.ctx, Principal("usr_staff", "staff"), made["id"])["letters"][0]
    return (printing.request_paper_copy(office.ctx, SYSTEM, cert["id"], large_print=True),
            printing.request_paper_copy(office.ctx, SYSTEM, schedule["id"]),
            printing.request_paper_copy(office.ctx, SYSTEM, letter["document"]["id"]))  # type: ignore[index]


def _row(html: str, request_id: str) -> str:
    found = re.search(rf'<tr id="copy-{request_id}">.*?</tr>', html, re.S)
    assert found, html
    return found.group(0)


def test_issue14_doc1_staff_see_the_paper_copies_to_print_with_customer_document_address_and_when(
        office: Office) -> None:
    cert, schedule, letter = _asked(office)
    staff(office)
    search = office.client.get("/backoffice/search")
    assert 'href="/backoffice/print-queue"' in search.text  # in the back office's navigation
    page = office.client.get("/backoffice/print-queue")
    assert page.status_code == 200, page.text
    assert '<a href="/backoffice/print-queue?status=requested" aria-current="page">To print</a>' in page.text
    row = _row(page.text, cert["id"])
    addressee = cert["addressee"]
    for shown in (addressee["name"], addressee["postcode"], "Large print", cert["document_title"],
                  f'/backoffice/customers/{cert["customer_id"]}', cert["requested_at"][:10]):
        assert shown in row, shown
    assert f'href="/portal/documents/{cert["document_id"]}?format=pdf&amp;large_print=1"' in row  # as asked
    assert "Standard" in _row(page.text, schedule["id"])
    assert f'/backoffice/complaints/{letter["owner_id"]}' in _row(page.text, letter["id"])  # a complaint's letter
    opened = office.client.get(f'/portal/documents/{cert["document_id"]}?format=pdf&large_print=1')
    assert opened.status_code == 200 and opened.content.startswith(b"%PDF")  # staff open the stored document


def test_issue14_doc1_staff_mark_a_copy_printed_then_posted_and_cancel_another(office: Office) -> None:
    cert, schedule, letter = _asked(office)
    token = staff(office)
    refused = office.client.post(f"/backoffice/print-queue/{cert['id']}", data={"status": "printed"},
                                 follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token: nothing marked
    assert printing.print_queue(office.ctx, SYSTEM, "printed")["items"] == []

    printed = office.client.post(f"/backoffice/print-queue/{cert['id']}", follow_redirects=False,
                                 data={"csrf_token": token, "status": "printed", "from": "requested"})
    assert printed.status_code == 303
    assert printed.headers["location"] == f"/backoffice/print-queue?status=requested&done={cert['id']}&did=printed"
    after = office.client.get(printed.headers["location"])
    assert f"Paper copy {cert['id']} marked printed." in after.text and f'id="copy-{cert["id"]}"' not in after.text
    to_post = office.client.get("/backoffice/print-queue?status=printed")
    row = _row(to_post.text, cert["id"])
    assert 'name="status" value="posted"' in row and 'name="status" value="printed"' not in row  # what may follow
    posted = office.client.post(f"/backoffice/print-queue/{cert['id']}", follow_redirects=False,
                                data={"csrf_token": token, "status": "posted", "from": "printed"})
    assert posted.status_code == 303
    done = office.client.get("/backoffice/print-queue?status=posted")
    assert "Posted " in _row(done.text, cert["id"]) and "<form" not in _row(done.text, cert["id"])

    again = office.client.post(f"/backoffice/print-queue/{cert['id']}", follow_redirects=False,
                               data={"csrf_token": token, "status": "printed"})
    assert again.status_code == 409 and "already posted" in again.text  # a step back, refused by the use case
    bogus = office.client.post(f"/backoffice/print-queue/{schedule['id']}", follow_redirects=False,
                               data={"csrf_token": token, "status": "shredded"})
    assert bogus.status_code == 422 and "status" in bogus.text

    cancelled = office.client.post(f"/backoffice/print-queue/{letter['id']}", follow_redirects=False,
                                   data={"csrf_token": token, "status": "cancelled", "from": "requested"})
    assert cancelled.status_code == 303
    assert [r["id"] for r in printing.print_queue(office.ctx, SYSTEM, "cancelled", 1000, 0)["items"]][-1] == letter["id"]
    assert "Cancelled " in _row(office.client.get("/backoffice/print-queue?status=cancelled").text, letter["id"])
    unknown = office.client.post("/backoffice/print-queue/prt_nosuch", follow_redirects=False,
                                 data={"csrf_token": token, "status": "printed"})
    assert unknown.status_code == 404
    assert office.client.get("/backoffice/print-queue?status=lost").status_code == 422


def test_issue14_ux2_a_customer_gets_no_print_queue(office: Office) -> None:
    cert, _, _ = _asked(office)
    token = signed_in(office, *DEMO_SIGN_INS["customer"])
    assert office.client.get("/backoffice/print-queue").status_code == 403
    r = office.client.post(f"/backoffice/print-queue/{cert['id']}", data={"csrf_token": token, "status": "printed"},
                           follow_redirects=False)
    assert r.status_code == 403
    assert cert["id"] in {x["id"] for x in printing.print_queue(office.ctx, SYSTEM)["items"]}  # nothing marked


def test_issue14_doc2_the_back_offices_complaint_page_links_each_letters_pdf(office: Office) -> None:
    _, _, letter = _asked(office)
    staff(office)
    page = office.client.get(f"/backoffice/complaints/{letter['owner_id']}")
    assert page.status_code == 200
    link = re.search(r'href="(/portal/complaints/[^"]+/document\?format=pdf&amp;large_print=0)"', page.text)
    assert link, page.text
    assert f"(document {letter['document_id']})" in page.text
    got = office.client.get(link.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"] == f"/portal/documents/{letter['document_id']}?format=pdf"
    assert office.client.get(got.headers["location"]).content.startswith(b"%PDF")

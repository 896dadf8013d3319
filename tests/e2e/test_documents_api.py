"""Issue 14 (DOC-1, CMP-4) over REST: `GET /policies/{id}/documents` lists a policy's documents (issuing
them the first time), `GET /documents/{id}` answers the stored bytes as PDF, HTML or plain text (chosen by
`format` or the Accept header), the same bytes every time; a customer reaches only their own (another's
document answers 404 like an unknown id); paper copies go through `/print-queue`, staff only."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.identity.usecases import create_user
from tests.e2e.conftest import Api, field_names, quote_body
from tests.support import new_customer


@pytest.fixture
def api(db_ctx) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        yield Api(client, db_ctx)


def _bind(api: Api, key: str, token: str | None = None, customer_id: str | None = None) -> dict[str, Any]:
    q = api.post("/quotes", quote_body(customer_id or api.customer_id), token=token)
    assert q.status_code == 201, q.text
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, token=token, key=key)
    assert p.status_code == 201, p.text
    return dict(p.json())


def test_doc1_customer_lists_and_downloads_their_certificate_byte_identical(api: Api) -> None:
    p = _bind(api, "docs-api-1", token=api.customer)
    listed = api.get(f"/policies/{p['id']}/documents", token=api.customer)
    assert listed.status_code == 200, listed.text
    docs = listed.json()["documents"]
    assert [d["kind"] for d in docs] == ["certificate", "schedule", "statement_of_fact", "ipid"]
    assert listed.json()["issued_now"] == 4
    cert = docs[0]
    sha = {f["format"]: f["sha256"] for f in cert["formats"]}
    one = api.get(f"/documents/{cert['id']}?format=pdf", token=api.customer)
    two = api.get(f"/documents/{cert['id']}", token=api.customer)  # pdf by default
    assert one.status_code == two.status_code == 200
    assert one.headers["content-type"] == "application/pdf" and one.content == two.content
    assert hashlib.sha256(one.content).hexdigest() == sha["pdf"] and one.headers["etag"] == f'"{sha["pdf"]}"'
    assert "attachment" in one.headers["content-disposition"]
    text = " ".join(" ".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(one.content)).pages).split())
    for field in ("Registration mark of vehicle AB12CDE", "Name of policyholder Carol Customer",
                  "entitled to drive", "Limitations as to use", "commencement of insurance",
                  "expiry of insurance", "Authorised Insurers"):
        assert field in text, field
    # the Accept header chooses the format when no `format` is given
    html = api.client.get(f"/documents/{cert['id']}", headers={**api.headers(api.customer), "Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and b"<h1>Certificate of motor insurance</h1>" in html.content
    txt = api.client.get(f"/documents/{cert['id']}", headers={**api.headers(api.customer), "Accept": "text/plain"})
    assert txt.headers["content-type"].startswith("text/plain") and hashlib.sha256(txt.content).hexdigest() == sha["txt"]


def test_doc1_another_customers_document_answers_like_an_unknown_id(api: Api) -> None:
    p = _bind(api, "docs-api-2")
    other_id = new_customer(api.ctx, "Olive Other")
    _, olive = create_user(api.ctx, "Olive", "customer", other_id)
    cert = api.get(f"/policies/{p['id']}/documents").json()["documents"][0]  # staff list Carol's
    foreign = api.get(f"/documents/{cert['id']}", token=olive)
    unknown = api.get("/documents/doc_nonesuch", token=olive)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["detail"] == unknown.json()["detail"] and field_names(foreign) == {"document_id"}
    assert api.get(f"/policies/{p['id']}/documents", token=olive).status_code == 404
    assert api.post(f"/documents/{cert['id']}/paper-copies", {}, token=olive).status_code == 404
    assert api.get(f"/documents/{cert['id']}", token=api.customer).status_code == 200  # Carol's own
    assert api.client.get(f"/documents/{cert['id']}").status_code == 401


def test_doc1_bad_format_or_large_plain_text_is_a_422_naming_the_field(api: Api) -> None:
    p = _bind(api, "docs-api-3")
    cert = api.get(f"/policies/{p['id']}/documents").json()["documents"][0]
    r = api.get(f"/documents/{cert['id']}?format=docx")
    assert r.status_code == 422 and field_names(r) == {"format"}
    r = api.get(f"/documents/{cert['id']}?format=txt&large_print=true")
    assert r.status_code == 422 and field_names(r) == {"large_print"}
    large = api.get(f"/documents/{cert['id']}?format=pdf&large_print=true")
    assert large.status_code == 200 and large.content == api.get(f"/documents/{cert['id']}?format=pdf&large_print=true").content


def test_cmp4_paper_copy_in_large_print_through_the_print_queue(api: Api) -> None:
    p = _bind(api, "docs-api-4", token=api.customer)
    cert = api.get(f"/policies/{p['id']}/documents", token=api.customer).json()["documents"][0]
    asked = api.post(f"/documents/{cert['id']}/paper-copies", {"large_print": True}, token=api.customer)
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "requested" and asked.json()["large_print"] is True
    assert api.get("/print-queue", token=api.customer).status_code == 403
    queue = api.get("/print-queue")
    assert queue.status_code == 200 and [r["id"] for r in queue.json()["items"]] == [asked.json()["id"]]
    assert queue.json()["items"][0]["addressee"]["name"] == "Carol Customer"
    rid = asked.json()["id"]
    assert api.post(f"/print-queue/{rid}", {"status": "posted"}, token=api.customer).status_code == 403
    assert api.post(f"/print-queue/{rid}", {"status": "printed"}).json()["status"] == "printed"
    assert api.post(f"/print-queue/{rid}", {"status": "posted"}).json()["status"] == "posted"
    again = api.post(f"/print-queue/{rid}", {"status": "printed"})
    assert again.status_code == 409 and field_names(again) == {"status"}
    bad = api.post(f"/print-queue/{rid}", {"status": "shredded"})
    assert bad.status_code == 422 and field_names(bad) == {"status"}
    assert api.get("/print-queue?status=lost").status_code == 422

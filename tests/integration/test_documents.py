"""Issue 14 (DOC-1, CMP-4) through the use cases, on SQLite and PostgreSQL: a policy's documents are issued
once (on the first listing or by the daily job), never in the bind; a download answers the stored bytes,
byte for byte, every time; a customer reaches only their own documents; the certificate's PDF states what
the Road Traffic Act requires; the print queue takes paper copies from request to posting."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import timedelta

import pypdf
import pytest
import sqlalchemy as sa

from covernote.documents.usecases import documents, printing
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.lifecycle.usecases import renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change
from covernote.store import tables
from tests.support import adjust, bind, cancel, new_customer

STAFF = Principal("usr_staff", "staff")


def _customer(customer_id: str) -> Principal:
    return Principal(f"usr_{customer_id}", "customer", customer_id)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _count_documents(ctx: AppContext) -> int:
    with ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(sa.select(sa.func.count()).select_from(tables.documents)).scalar_one())


def test_doc1_a_bind_issues_nothing_and_the_first_listing_issues_each_document_once(db_ctx: AppContext) -> None:
    p = bind(db_ctx)
    assert _count_documents(db_ctx) == 0  # nothing rendered in the bind's path
    first = documents.list_documents(db_ctx, SYSTEM, p["id"])
    assert first["issued_now"] == 4
    assert [d["kind"] for d in first["documents"]] == ["certificate", "schedule", "statement_of_fact", "ipid"]
    again = documents.list_documents(db_ctx, SYSTEM, p["number"])
    assert again["issued_now"] == 0 and again["documents"] == first["documents"]
    cert = first["documents"][0]
    assert cert["product"] == "ECO@2026.7" and len(cert["template_version"]) == 64
    assert {f["format"] for f in cert["formats"]} == {"pdf", "html", "txt"}


def test_doc1_a_download_is_the_stored_bytes_byte_identical_every_time(db_ctx: AppContext, clock: FixedClock) -> None:
    p = bind(db_ctx)
    cert = documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"][0]
    listed = {f["format"]: f["sha256"] for f in cert["formats"]}
    for fmt in ("pdf", "html", "txt"):
        one = documents.get_document(db_ctx, SYSTEM, cert["id"], fmt)
        clock.advance(timedelta(days=3))  # later, with the clock moved on: still the bytes issued
        two = documents.get_document(db_ctx, SYSTEM, cert["id"], fmt)
        assert one.content == two.content and hashlib.sha256(one.content).hexdigest() == listed[fmt] == two.sha256


def test_doc1_the_certificate_pdf_states_the_legally_required_fields(db_ctx: AppContext) -> None:
    p = bind(db_ctx)
    cert = documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"][0]
    f = documents.get_document(db_ctx, SYSTEM, cert["id"], "pdf")
    assert f.content.startswith(b"%PDF-") and f.media_type == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(f.content)).pages) == 1  # one sheet, FSCS statement included
    text = " ".join(_pdf_text(f.content).split())
    assert "Certificate of motor insurance" in text
    assert "Registration mark of vehicle AB12CDE" in text
    assert "Name of policyholder Ann Example" in text
    assert "Persons or classes of persons entitled to drive" in text and "Ann Example" in text
    assert "Limitations as to use" in text and "social, domestic and pleasure" in text
    assert "commencement of insurance 10:00 on 22 November 2026" in text
    assert "expiry of insurance 23:59 on 21 November 2027" in text
    assert "I hereby certify that the policy to which this certificate relates satisfies the requirements" in text
    assert "Illustrative Insurer plc, Authorised Insurers" in text
    assert "Financial Services Compensation Scheme" in text and "100% of a claim" in text  # REG-5


def test_doc1_a_customer_reaches_only_their_own_documents_and_anothers_answer_as_unknown(db_ctx: AppContext) -> None:
    mine = bind(db_ctx)
    other = bind(db_ctx, customer_id=new_customer(db_ctx, "Olive Other"))
    me = _customer(mine["customer_id"])
    cert = documents.list_documents(db_ctx, me, mine["id"])["documents"][0]
    assert documents.get_document(db_ctx, me, cert["id"], "txt").content.startswith(b"Co-op Ecoinsurance")
    theirs = documents.list_documents(db_ctx, SYSTEM, other["id"])["documents"][0]
    with pytest.raises(NotFound) as unknown:
        documents.get_document(db_ctx, me, "doc_nonesuch", "pdf")
    with pytest.raises(NotFound) as foreign:
        documents.get_document(db_ctx, me, theirs["id"], "pdf")
    assert foreign.value.message == unknown.value.message == "no such document"
    assert [i.field for i in foreign.value.issues] == ["document_id"]
    with pytest.raises(NotFound):
        documents.list_documents(db_ctx, me, other["id"])
    with pytest.raises(NotFound):
        printing.request_paper_copy(db_ctx, me, theirs["id"])
    # staff see any
    assert documents.get_document(db_ctx, STAFF, theirs["id"], "pdf").content.startswith(b"%PDF-")


def test_doc1_adjustment_cancellation_and_renewal_invitation_each_bring_their_documents(
        db_ctx: AppContext, clock: FixedClock) -> None:
    p = bind(db_ctx)
    documents.list_documents(db_ctx, SYSTEM, p["id"])
    clock.advance(timedelta(days=20))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("set_answer", question="annual_mileage", value="12000"))
    later = replace(db_ctx, clock=FixedClock(db_ctx.clock.now() + timedelta(days=320)))  # the renewal window
    assert renewals.run_renewal_invitations(later, later.today())["invited"] == 1
    run = documents.issue_due(later)  # the daily job: no listing needed
    assert run == {"policies": 1, "issued": 3, "failed": {}}
    assert documents.issue_due(later)["issued"] == 0  # rerun: nothing more
    listed = documents.list_documents(later, SYSTEM, p["id"])
    kinds = [d["kind"] for d in listed["documents"]]
    # PAY-3: the change's payment notice was issued with it, when it was made
    assert kinds == ["certificate", "schedule", "statement_of_fact", "ipid", "payment_notice", "certificate",
                     "mta_letter", "renewal_notice"]
    notice = next(d for d in listed["documents"] if d["kind"] == "renewal_notice")
    with later.uow(read_only=True) as uow:
        [offer] = [i.offer for i in uow.documents.renewal_invitations(p["id"])]
    text = documents.get_document(later, SYSTEM, notice["id"], "txt").content.decode()
    # ICOBS 6B: last year's premium beside this year's, from the stored invitation's offer
    assert f"£{offer['last_year_premium']}" in text and f"£{offer['premium']}" in text and "Last year" in text
    letter = next(d for d in listed["documents"] if d["kind"] == "mta_letter")
    assert "- Annual mileage: 12000" in documents.get_document(later, SYSTEM, letter["id"], "txt").content.decode()
    cancel(later, p["id"], later.today())
    done = documents.list_documents(later, SYSTEM, p["id"])
    assert done["issued_now"] == 1 and done["documents"][-1]["kind"] == "cancellation_letter"
    text = documents.get_document(later, SYSTEM, done["documents"][-1]["id"], "txt").content.decode()
    assert "Your policy has been cancelled as you asked" in text and "Refund to you: £" in text


def test_cmp4_large_print_is_made_once_from_the_stored_html_and_then_answered_as_stored(db_ctx: AppContext) -> None:
    p = bind(db_ctx)
    cert = documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"][0]
    first = documents.get_document(db_ctx, SYSTEM, cert["id"], "pdf", large_print=True)
    second = documents.get_document(db_ctx, SYSTEM, cert["id"], "pdf", large_print=True)
    assert first.content == second.content and first.format == "pdf_large" and first.filename.endswith("-large-print.pdf")
    assert first.content != documents.get_document(db_ctx, SYSTEM, cert["id"], "pdf").content
    html = documents.get_document(db_ctx, SYSTEM, cert["id"], "html", large_print=True).content.decode()
    assert "18pt !important" in html
    formats = documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"][0]["formats"]
    assert {f["format"] for f in formats} == {"pdf", "html", "txt", "pdf_large", "html_large"}
    with pytest.raises(ValidationFailed) as bad:
        documents.get_document(db_ctx, SYSTEM, cert["id"], "txt", large_print=True)
    assert [i.field for i in bad.value.issues] == ["large_print"]
    with pytest.raises(ValidationFailed) as bad:
        documents.get_document(db_ctx, SYSTEM, cert["id"], "docx")
    assert [i.field for i in bad.value.issues] == ["format"]


def test_doc1_paper_copies_go_through_the_print_queue_from_request_to_posting(db_ctx: AppContext) -> None:
    p = bind(db_ctx)
    me = _customer(p["customer_id"])
    cert = documents.list_documents(db_ctx, me, p["id"])["documents"][0]
    asked = printing.request_paper_copy(db_ctx, me, cert["id"], large_print=True)
    assert asked["status"] == "requested" and asked["large_print"] is True
    assert printing.request_paper_copy(db_ctx, me, cert["id"], large_print=True)["id"] == asked["id"]  # no duplicate
    with pytest.raises(Forbidden):
        printing.print_queue(db_ctx, me)
    queue = printing.print_queue(db_ctx, STAFF)
    assert [r["id"] for r in queue["items"]] == [asked["id"]]
    assert queue["items"][0]["addressee"] == {"name": "Ann Example", "address": "1 High Street, Leeds",
                                              "postcode": "LS1 4AB"}
    assert queue["items"][0]["document_title"] == "Certificate of motor insurance"
    printed = printing.mark_print_request(db_ctx, STAFF, asked["id"], "printed")
    assert printed["status"] == "printed" and printed["printed_at"] is not None
    assert printing.print_queue(db_ctx, STAFF)["items"] == []
    posted = printing.mark_print_request(db_ctx, STAFF, asked["id"], "posted")
    assert posted["status"] == "posted" and posted["posted_at"] is not None
    with pytest.raises(Conflict) as again:
        printing.mark_print_request(db_ctx, STAFF, asked["id"], "posted")
    assert [i.field for i in again.value.issues] == ["status"]
    with pytest.raises(Forbidden):
        printing.mark_print_request(db_ctx, me, asked["id"], "posted")
    with pytest.raises(NotFound):
        printing.mark_print_request(db_ctx, STAFF, "prt_nonesuch", "printed")
    assert [r["id"] for r in printing.print_queue(db_ctx, STAFF, "posted")["items"]] == [asked["id"]]


def test_prv5_the_sweep_anonymising_an_ended_policy_erases_its_documents_bytes_but_not_their_record(
        db_ctx: AppContext, clock: FixedClock) -> None:
    from datetime import UTC, datetime

    from covernote.jobs.daily import run_daily

    clock.set(datetime(2025, 3, 1, 10, tzinfo=UTC))
    p = bind(db_ctx, "ECO")
    issued = documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"]
    clock.set(datetime(2033, 3, 2, 3, tzinfo=UTC))  # S1: seven years after the policy ended
    run = run_daily(db_ctx)
    assert run["ok"], run
    assert run["jobs"]["retention_sweep"]["result"]["report"]["totals"]["done"]["policy:anonymise"] == 1
    after = documents.list_documents(db_ctx, SYSTEM, p["id"])
    assert after["issued_now"] == 0 and [d["id"] for d in after["documents"]] == [d["id"] for d in issued]
    assert after["documents"][0]["formats"] == issued[0]["formats"]  # the digests stay
    with pytest.raises(Conflict) as erased:
        documents.get_document(db_ctx, SYSTEM, issued[0]["id"], "pdf")
    assert [i.field for i in erased.value.issues] == ["document_id"]


def test_prv3_the_access_package_holds_the_persons_documents(db_ctx: AppContext) -> None:
    p = bind(db_ctx)
    cert = documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"][0]
    with db_ctx.uow(read_only=True) as uow:
        rows = uow.subject_data.rows(p["customer_id"], ["documents", "document_renditions"])
    assert [r["id"] for r in rows["documents"]] == [d["id"] for d in documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"]]
    import base64
    html = next(r for r in rows["document_renditions"] if r["document_id"] == cert["id"] and r["format"] == "html")
    assert b"Ann Example" in base64.b64decode(html["content"])


def test_prv4_an_erasure_past_retention_erases_the_documents_bytes_and_a_download_says_so(
        db_ctx: AppContext, clock: FixedClock) -> None:
    from covernote.privacy.usecases import erasure, requests

    p = bind(db_ctx)
    me = _customer(p["customer_id"])
    cert = documents.list_documents(db_ctx, me, p["id"])["documents"][0]
    printing.request_paper_copy(db_ctx, me, cert["id"], large_print=True)
    clock.advance(timedelta(days=10))
    cancel(db_ctx, p["id"], db_ctx.today())
    clock.advance(timedelta(days=365 * 8 + 2))  # past the seven years S1 keeps an ended policy
    case = requests.start(db_ctx, me, p["customer_id"], kind="erasure", details={"description": "Erase me"})
    plan = erasure.plan(db_ctx, SYSTEM, case["id"])
    erased = {(e["table"], e["field"]) for e in plan["erased"]}
    assert {("document_renditions", "content"), ("print_requests", "large_print")} <= erased
    erasure.apply(db_ctx, SYSTEM, case["id"], plan["fingerprint"])
    with pytest.raises(Conflict):
        documents.get_document(db_ctx, STAFF, cert["id"], "pdf")
    assert documents.list_documents(db_ctx, STAFF, p["id"])["documents"][0]["formats"] == cert["formats"]


def test_doc1_two_issuers_racing_store_one_set_and_the_loser_answers_the_winners(db_ctx: AppContext) -> None:
    """Issue 14: a listing and the daily job computing the same due documents at once: the second to store
    loses on the unique (policy, kind, subject) and nothing of it is kept; the winner's bytes are the ones
    every download then answers."""
    from covernote.documents.usecases.documents import _due, _issue

    p = bind(db_ctx)
    with db_ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(p["id"])
        assert policy is not None
        due = _due(db_ctx, uow, policy, [])
        customer = uow.customers.get(policy.customer_id)
    assert customer is not None and len(due) == 4
    assert _issue(db_ctx, SYSTEM, policy, customer, due) == 4
    assert _issue(db_ctx, STAFF, policy, customer, due) == 0  # the loser: a Conflict on the unique key, caught
    listed = documents.list_documents(db_ctx, SYSTEM, p["id"])
    assert listed["issued_now"] == 0 and len(listed["documents"]) == 4
    assert _count_documents(db_ctx) == 4


def test_doc1_a_document_that_cannot_be_rendered_is_reported_and_the_rest_are_issued(
        db_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: a record a template cannot state never fails the listing (no 500): the other documents are
    issued and listed, the job names the failure, and the document stays due until it can be rendered."""
    from covernote.documents.usecases import documents as module

    p = bind(db_ctx)

    def broken(*_: object) -> None:
        raise KeyError("vehicle")

    monkeypatch.setattr(module, "certificate_facts", broken)
    run = documents.issue_due(db_ctx)
    assert run["issued"] == 3 and list(run["failed"]) == [p["id"]] and "certificate" in run["failed"][p["id"]]
    assert [d["kind"] for d in documents.list_documents(db_ctx, SYSTEM, p["id"])["documents"]] == [
        "schedule", "statement_of_fact", "ipid"]
    monkeypatch.undo()
    again = documents.list_documents(db_ctx, SYSTEM, p["id"])
    assert again["issued_now"] == 1 and again["documents"][-1]["kind"] == "certificate"

"""REST resources: complaints (CMP-1..5) and their letters (DOC-2), issue 5 parts 4 and 7.

Bodies check shape only; the rules are the use cases', so the API and the CLI refuse the same things with
the same field names (422 problem documents naming each field)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field, StrictBool, StringConstraints

from covernote.complaints.domain import CHANNELS, FORMATS, KINDS, LETTER_CHANNELS, OUTCOMES, NewComplaint
from covernote.complaints.results import (
    ComplaintCodes,
    ComplaintDocuments,
    ComplaintLetters,
    ComplaintLetterView,
    ComplaintList,
    ComplaintsReport,
    ComplaintView,
    RecordedComplaint,
)
from covernote.complaints.usecases import complaints
from covernote.documents.results import DocumentView
from covernote.identity.api import Caller, Ctx
from covernote.kernel.clock import LONDON
from covernote.platform.api.contract import also_as, conflicts
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import AMOUNT_PATTERN, Day, Moment, MultiLine, RequestBody, one_of

router = APIRouter(tags=["complaints"], route_class=OneHopRoute)
Short = Annotated[str, StringConstraints(max_length=500)]
Text = Annotated[str, MultiLine, StringConstraints(max_length=10_000)]


class ComplaintIn(RequestBody):
    kind: Short = Field(json_schema_extra=one_of(KINDS), description="claim (about a claim) or sales_service (about sales, service or administration)")
    description: Text = Field(description="What the complainant says is wrong")
    name: Short = Field(description="The complainant's name")
    address: Short = Field(description="The complainant's address: responses are sent there")
    postcode: Short | None = Field(default=None, description="Gives the nation whose working days count (CMP-5)")
    phone: Short | None = Field(default=None, description="A daytime telephone number, where possible")
    email: Short | None = Field(default=None, description="For letters sent by e-mail")
    policy_number: Short | None = Field(default=None, description="The policy complained about, if any (a "
                                                                  "complaint may come from a non-customer)")
    customer_id: Short | None = Field(default=None, description="The customer, when known (staff)")
    received_via: Short = Field(default="letter", json_schema_extra=one_of(CHANNELS), description="letter, email, phone or web")
    received_at: Moment | None = Field(default=None, description="When it was received (default now; never in "
                                                                   "the future); a time without zone is UK time")
    alternative_format: Short | None = Field(default=None, json_schema_extra=one_of((*FORMATS, None)),
                                             description="large_print, audio or braille (CMP-4)")
    product_code: Short | None = Field(default=None, description=(
        "The product complained about when no policy is given (its brand writes the letters); a given "
        "policy's product is used otherwise"))

    def to_app(self) -> NewComplaint:
        at = self.received_at
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=LONDON)
        return NewComplaint(self.kind, self.description, self.name, self.address, self.received_via, at,
                            self.postcode, self.phone, self.email, self.policy_number, self.customer_id,
                            self.alternative_format, self.product_code)


class LetterOptions(RequestBody):
    channel: Short | None = Field(default=None, json_schema_extra=one_of((*LETTER_CHANNELS, None)),
                                  description="post or email (default: e-mail when the complaint "
                                                            "came by e-mail or the web with an address, else post)")
    format: Short | None = Field(default=None, json_schema_extra=one_of((*FORMATS, None)),
                                 description="The letter's format; default, and the only one "
                                                           "allowed, the one the complainant asked for (CMP-4)")


class ProgressIn(LetterOptions):
    note: Text = Field(description="What has happened, in words for the complainant")
    send_letter: StrictBool = Field(default=False, description="Also write to the complainant with the update")


class SummaryIn(LetterOptions):
    resolution: Text = Field(description="How the complaint was resolved, in words for the complainant")
    root_cause: Short = Field(description="A root-cause code (GET /complaints/codes)")
    root_cause_note: Text | None = None


class FinalIn(LetterOptions):
    outcome: Short = Field(json_schema_extra=one_of(OUTCOMES), description="upheld, partly_upheld or not_upheld")
    explanation: Text = Field(description="The reasons for the decision, in words for the complainant")
    root_cause: Short = Field(description="A root-cause code (GET /complaints/codes)")
    root_cause_note: Text | None = None
    # Checked with the other fields of the response (all errors at once), so declared, not enforced, here.
    redress: Short | None = Field(default=None, json_schema_extra={"pattern": AMOUNT_PATTERN},
                                  description="Any payment to put things right, e.g. \"150.00\"")


class WithdrawIn(RequestBody):
    reason: Text = Field(description="What the complainant said")


class FormatIn(RequestBody):
    format: Short = Field(json_schema_extra=one_of(FORMATS), description="standard, large_print, audio or braille (CMP-4)")


@router.post("/complaints", status_code=201)
def record(ctx: Ctx, who: Caller, body: ComplaintIn) -> RecordedComplaint:
    """Record a complaint (CMP-1), route it by kind to the claims-complaints or sales/service team and start
    its clocks: acknowledgement (5 working days), summary resolution window (3), final response (8 weeks).
    Staff record any; a customer records their own (received through the web, now)."""
    return complaints.record(ctx, who, body.to_app())


@router.get("/complaints")
def list_complaints(ctx: Ctx, who: Caller, status: str | None = None, team: str | None = None,
                    limit: Limit = 50, offset: Offset = 0) -> ComplaintList:
    """Complaints by status and team, oldest received first, with each clock's state. A customer sees their own."""
    return complaints.list_complaints(ctx, who, status, team, limit, offset)


@router.get("/complaints/codes")
def codes(who: Caller) -> ComplaintCodes:
    """Kinds and their teams, channels, formats, outcomes and root causes."""
    return complaints.codes()


@router.get("/complaints/report", response_model=ComplaintsReport, responses=also_as("text/csv"))
def report(ctx: Ctx, who: Caller,
           start: Day | None = Query(None, alias="from", description="First UK day complaints were received"),
           end: Day | None = Query(None, alias="to", description="The day after the last"),
           format: Literal["json", "csv"] = "json") -> ComplaintsReport | Response:
    """Staff: complaints received in the period per product, kind, root cause and outcome, with the
    acknowledgement and final-response clocks met on time or breached. `format=csv` for a spreadsheet."""
    data = complaints.report(ctx, who, start, end)
    if format == "csv":
        return Response(complaints.report_csv(data), media_type="text/csv")
    return data


@router.get("/complaints/{complaint_id}")
def get(ctx: Ctx, who: Caller, complaint_id: str) -> ComplaintView:
    """One complaint with its clocks (each with its working) and its letters."""
    return complaints.get(ctx, who, complaint_id)


@router.post("/complaints/{complaint_id}/acknowledge")
def acknowledge(ctx: Ctx, who: Caller, complaint_id: str, body: LetterOptions | None = None) -> ComplaintView:
    """Send the written acknowledgement (CMP-2); the acknowledgement clock is met when it is sent."""
    opts = body or LetterOptions()
    return complaints.acknowledge(ctx, who, complaint_id, opts.channel, opts.format)


@router.post("/complaints/{complaint_id}/progress")
def progress(ctx: Ctx, who: Caller, complaint_id: str, body: ProgressIn) -> ComplaintView:
    """Record a progress update, and with `send_letter` write to the complainant (CMP-2)."""
    return complaints.progress(ctx, who, complaint_id, body.note, body.send_letter, body.channel, body.format)


@router.post("/complaints/{complaint_id}/summary-resolution")
def summary_resolution(ctx: Ctx, who: Caller, complaint_id: str, body: SummaryIn) -> ComplaintView:
    """Close a complaint resolved by the end of the third business day with a summary resolution
    communication (DISP 1.5): it mentions the Financial Ombudsman Service. 422 naming `complaint_id` once
    the window has closed."""
    return complaints.resolve_summary(ctx, who, complaint_id, body.resolution, body.root_cause,
                                      body.root_cause_note, body.channel, body.format)


@router.post("/complaints/{complaint_id}/final-response")
def final_response(ctx: Ctx, who: Caller, complaint_id: str, body: FinalIn) -> ComplaintView:
    """Send the final response (CMP-3): outcome, explanation, any redress, root cause and the right to refer
    the complaint to the Financial Ombudsman Service within six months."""
    return complaints.final_response(ctx, who, complaint_id, body.outcome, body.explanation, body.root_cause,
                                     body.redress, body.root_cause_note, body.channel, body.format)


@router.post("/complaints/{complaint_id}/withdraw")
def withdraw(ctx: Ctx, who: Caller, complaint_id: str, body: WithdrawIn) -> ComplaintView:
    """The complainant withdrew the complaint: it closes and its clocks stop."""
    return complaints.withdraw(ctx, who, complaint_id, body.reason)


@router.post("/complaints/{complaint_id}/format")
def set_format(ctx: Ctx, who: Caller, complaint_id: str, body: FormatIn) -> ComplaintView:
    """Record the format the complainant wants responses in (CMP-4); later letters are produced in it."""
    return complaints.set_format(ctx, who, complaint_id, body.format)


@router.get("/complaints/{complaint_id}/letters")
def letters(ctx: Ctx, who: Caller, complaint_id: str) -> ComplaintLetters:
    return complaints.letters(ctx, who, complaint_id)


@router.get("/complaints/{complaint_id}/documents")
def documents(ctx: Ctx, who: Caller, complaint_id: str) -> ComplaintDocuments:
    """The complaint's letters as issued documents (DOC-1, DOC-2), oldest first, each with its formats' SHA-256
    and download links (`GET /documents/{id}`: PDF, HTML, plain text, large print); a letter sent without one yet
    is issued first. Staff, or the customer the complaint is linked to."""
    return complaints.documents_of(ctx, who, complaint_id)


@router.get("/complaints/{complaint_id}/letters/{letter_id}/document",
            responses=conflicts("The letter's text was erased or anonymised, or it cannot be rendered now"))
def letter_document(ctx: Ctx, who: Caller, complaint_id: str, letter_id: str) -> DocumentView:
    """One letter's issued document (issued first if it is not yet): its id, formats and download links."""
    return complaints.letter_document(ctx, who, complaint_id, letter_id)


@router.get("/complaints/{complaint_id}/letters/{letter_id}", response_model=ComplaintLetterView,
            responses=also_as("text/html", "text/plain"))
def letter(ctx: Ctx, who: Caller, complaint_id: str, letter_id: str,
           format: Literal["json", "html", "text"] = "json") -> ComplaintLetterView | Response:
    """A letter as it was sent: `format=html` (printable; large print in a large font) or `text`; JSON gives
    its record with the text."""
    found = complaints.letter(ctx, who, complaint_id, letter_id)
    if format == "html":
        return Response(found.body_html, media_type="text/html")
    if format == "text":
        return Response(found.body, media_type="text/plain")
    return complaints.letter_view(found, with_body=True)

"""REST resources: proof of no-claims discount (NCD-1) for quotes and policies, staff decisions and the
review list, and the NCD proof letter for a customer who leaves (issue 4 parts 1 and 4).

Bodies check shape only; the rules are the use cases', so the API and the CLI refuse the same things
with the same field names. A proof that fails a condition is still recorded (201) with
`status: rejected` and `errors` naming each failed condition."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import Field, StrictInt, StringConstraints

from covernote.identity.api import Caller, Ctx
from covernote.ncd import usecases as ncd
from covernote.ncd.results import NcdLetter, NcdReviewList, PolicyNcdView, ProofList, ProofView, QuoteNcdView
from covernote.platform.api.contract import conflicts
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, MultiLine, RequestBody, one_of

router = APIRouter(tags=["ncd"], route_class=OneHopRoute)
Short = Annotated[str, StringConstraints(max_length=500)]


class ProofIn(RequestBody):
    kind: Short = Field(json_schema_extra=one_of(("insurer_letter", "broker_letter", "renewal_notice")),
                       description="insurer_letter, broker_letter or renewal_notice")
    insurer: Annotated[str, StringConstraints(max_length=200)] = Field(
        description="The insurer (or broker) that issued the document (at most 200 characters)")
    # Strict: a JSON true is not 1 year (422 naming ncd_years), nor is "4" or 4.0.
    ncd_years: StrictInt | None = Field(default=None,
                                        description="Years of NCD the document shows (a whole number); leave out if "
                                                    "it does not")
    ended_on: Day | None = Field(default=None, description="The date the previous policy ended or was due to renew")
    registration: Short | None = Field(default=None, description="The car's registration the document shows")
    country: Short | None = Field(default=None, description="Where the NCD was earned, e.g. UK")
    issued_on: Day | None = Field(default=None, description="The document's issue date")
    previous_policy_number: Short | None = Field(default=None, description="The previous policy's number, if shown")

    def to_app(self) -> ncd.ProofInput:
        return ncd.ProofInput(self.kind, self.insurer, self.ncd_years, self.ended_on, self.registration, self.country,
                              self.issued_on, self.previous_policy_number)


class DecisionIn(RequestBody):
    decision: Short = Field(json_schema_extra=one_of(("accept", "reject")), description="accept or reject")
    note: Annotated[str, MultiLine, StringConstraints(max_length=5000)] = Field(description="What was checked, and why")


@router.post("/quotes/{quote_id}/ncd-proofs", status_code=201)
def add_quote_proof(ctx: Ctx, who: Caller, quote_id: str, body: ProofIn) -> ProofView:
    """Record proof of NCD for an open quote (the customer's own, or staff). Every NCD-1 condition is
    checked; accepted proof re-rates the quote on the proven years (`effect` says how)."""
    return ncd.add_quote_proof(ctx, who, quote_id, body.to_app())


@router.get("/quotes/{quote_id}/ncd-proofs")
def quote_proofs(ctx: Ctx, who: Caller, quote_id: str) -> QuoteNcdView:
    """The quote's NCD status (years, discount, proven / rejected / declared_unproven) and its proofs."""
    return ncd.quote_ncd_view(ctx, who, quote_id)


@router.post("/policies/{policy_id}/ncd-proofs", status_code=201)
def add_policy_proof(ctx: Ctx, who: Caller, policy_id: str, body: ProofIn) -> ProofView:
    """Record proof of NCD for a policy pending or on cover. The policy is not re-priced; a difference
    from the years it is rated on flags it for staff, and its renewal starts from the proven years."""
    return ncd.add_policy_proof(ctx, who, policy_id, body.to_app())


@router.get("/policies/{policy_id}/ncd-proofs")
def policy_proofs(ctx: Ctx, who: Caller, policy_id: str) -> PolicyNcdView:
    """The policy's NCD status and the proofs given for it (or for the quote it was bound from)."""
    return ncd.policy_ncd_view(ctx, who, policy_id)


@router.get("/ncd-proofs")
def list_proofs(ctx: Ctx, who: Caller, status: Literal["accepted", "rejected"] | None = None,
                limit: Limit = 50, offset: Offset = 0) -> ProofList:
    """Staff: proofs of NCD, most recent first."""
    return ncd.list_proofs(ctx, who, status, limit, offset)


@router.get("/ncd-proofs/{proof_id}")
def get_proof(ctx: Ctx, who: Caller, proof_id: str) -> ProofView:
    return ncd.get_proof(ctx, who, proof_id)


@router.post("/ncd-proofs/{proof_id}/decision")
def decide(ctx: Ctx, who: Caller, proof_id: str, body: DecisionIn) -> ProofView:
    """Staff: accept or reject a proof after checking it by hand, with a note. A proof whose NCD is in
    use on another vehicle cannot be accepted (409)."""
    return ncd.decide_proof(ctx, who, proof_id, body.decision, body.note)


@router.get("/ncd/reviews")
def reviews(ctx: Ctx, who: Caller, limit: Limit = 100,
            offset: Offset = 0) -> NcdReviewList:
    """Staff: policies whose NCD needs a look (rated on NCD not proven or rejected, or proven at other
    years). Scans `limit` policies in force per call: follow `next_offset`."""
    return ncd.review_list(ctx, who, limit, offset)


@router.get("/policies/{policy_id}/ncd-letter", response_model=NcdLetter,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}},
                                         "text/plain": {"schema": {"type": "string"}},
                                         "application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The letter; as a PDF, the bytes of the document issued (stored once "
                                            "with the policy's documents; `ETag` and `Digest` give their SHA-256)"},
                       **conflicts("No letter for this policy: it was voided, or has not ended")})
def letter(ctx: Ctx, who: Caller, policy_id: str,
           format: Literal["json", "html", "text", "pdf"] = "json") -> NcdLetter | Response:
    """The NCD proof letter for a policy that has ended or been cancelled, or ends within the renewal
    invitation window: years earned, end date, registration, insurer, policy number, issue date and
    country. `format=html` (printable) or `text`; `format=pdf` issues it as one of the policy's documents
    (kind `ncd_letter`, listed by `GET /policies/{id}/documents`), stored once: the same letter asked for
    again answers the same bytes."""
    if format == "pdf":
        f = ncd.letter_pdf(ctx, who, policy_id)
        return Response(f.content, media_type=f.media_type, headers={
            "ETag": f'"{f.sha256}"', "Digest": f"sha-256={f.sha256}", "X-Document-Id": f.document_id,
            "Content-Disposition": f'attachment; filename="{f.filename}"', "Cache-Control": "private, no-store"})
    data = ncd.ncd_letter(ctx, who, policy_id)
    if format == "html":
        return Response(ncd.letter_html(data), media_type="text/html")
    if format == "text":
        return Response(ncd.letter_text(data), media_type="text/plain")
    return data

"""REST resources: data subject requests, access packages, portability, erasure, restriction and
objection (PRV-3, PRV-4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import Field

from covernote.documents.results import DocumentView
from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as, conflicts
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, MultiLine, RequestBody
from covernote.privacy.usecases import erasure, requests, subject_access
from covernote.privacy.usecases.results import (
    AccessPackageAnswer,
    ErasureDone,
    ErasurePlan,
    ProcessingFlags,
    RequestList,
    RequestView,
)

router = APIRouter(tags=["privacy requests"], route_class=OneHopRoute)



class RequestIn(RequestBody):
    kind: str = Field(description="access, rectification, erasure, restriction, objection, portability, "
                                  "consent_withdrawal or death_directive (customers: access, portability, erasure)")
    details: dict[str, Any] = Field(default_factory=dict, description="corrections, ground, to, directive...")
    channel: str | None = Field(None, description="staff: how it arrived (email, post, phone, in_person, api)")
    received_on: Day | None = Field(None, description="staff: the day it was received (default today)")
    nation: str = Field("ENG", description="ENG, WLS, SCT or NIR: whose bank holidays move the due date")
    identity_method: str | None = Field(None, max_length=60,
                                        description="staff: how identity was already checked, if it was")


class IdentityIn(RequestBody):
    method: str = Field(max_length=60, description="how identity was checked (never the evidence itself)")


class QuestionIn(RequestBody):
    question: Annotated[str, MultiLine] = Field(max_length=2000)


class ExtensionIn(RequestBody):
    notified_on: Day
    reason: Annotated[str, MultiLine] = Field(max_length=2000)


class ReasonIn(RequestBody):
    reason: Annotated[str, MultiLine] = Field(max_length=2000)


class FulfilIn(RequestBody):
    acknowledge_cover_effects: bool = False


class ErasureIn(RequestBody):
    fingerprint: str = Field(max_length=64, description="the fingerprint of the plan shown to the person")


@router.post("/customers/{customer_id}/requests", status_code=201)
def start_request(ctx: Ctx, who: Caller, customer_id: str, body: RequestIn) -> RequestView:
    """Start a data subject request. Customers start access, portability and erasure requests with their own
    token; staff record any kind received by post, phone, e-mail or in person."""
    return requests.start(ctx, who, customer_id, **body.model_dump())


@router.get("/privacy/requests")
def list_requests(ctx: Ctx, who: Caller, customer_id: str | None = None, open_only: bool = False,
                  overdue_only: bool = False, limit: Limit = 50,
                  offset: Offset = 0) -> RequestList:
    """The work queue, oldest first, with each due date (UK: one calendar month, extendable by two)."""
    return requests.list_requests(ctx, who, customer_id, open_only, overdue_only, limit, offset)


@router.get("/privacy/requests/{request_id}")
def get_request(ctx: Ctx, who: Caller, request_id: str) -> RequestView:
    return requests.get(ctx, who, request_id)


@router.post("/privacy/requests/{request_id}/identity")
def verify_identity(ctx: Ctx, who: Caller, request_id: str, body: IdentityIn) -> RequestView:
    return requests.verify_identity(ctx, who, request_id, body.method)


@router.post("/privacy/requests/{request_id}/clarification")
def ask_clarification(ctx: Ctx, who: Caller, request_id: str, body: QuestionIn) -> RequestView:
    """Ask the person to clarify: the clock stops until they answer."""
    return requests.ask_clarification(ctx, who, request_id, body.question)


@router.post("/privacy/requests/{request_id}/clarification-received")
def clarification_received(ctx: Ctx, who: Caller, request_id: str) -> RequestView:
    return requests.clarification_received(ctx, who, request_id)


@router.post("/privacy/requests/{request_id}/extension")
def extend(ctx: Ctx, who: Caller, request_id: str, body: ExtensionIn) -> RequestView:
    """Extend by two months: only if the person is told within the first month, with the reason."""
    return requests.extend(ctx, who, request_id, body.notified_on, body.reason)


@router.post("/privacy/requests/{request_id}/refusal")
def refuse(ctx: Ctx, who: Caller, request_id: str, body: ReasonIn) -> RequestView:
    return requests.refuse(ctx, who, request_id, body.reason)


@router.post("/privacy/requests/{request_id}/withdrawal")
def withdraw(ctx: Ctx, who: Caller, request_id: str) -> RequestView:
    return requests.withdraw(ctx, who, request_id)


@router.post("/privacy/requests/{request_id}/fulfilment")
def fulfil(ctx: Ctx, who: Caller, request_id: str, body: FulfilIn) -> RequestView:
    """Carry out a rectification, restriction, objection, consent withdrawal or death directive."""
    return requests.fulfil(ctx, who, request_id, acknowledge_cover_effects=body.acknowledge_cover_effects)


@router.get("/privacy/requests/{request_id}/package", response_model=AccessPackageAnswer,
            responses={**also_as("text/html"),
                       **conflicts("Not released yet (identity unverified, or something awaited from the person), "
                                   "or the request is not an access request")})
def access_package(ctx: Ctx, who: Caller, request_id: str,
                   format: Literal["json", "html"] = "json") -> AccessPackageAnswer | Response:
    """The access package: every record about the person, how it is used, recipients, retention, sources."""
    package = subject_access.access_package(ctx, who, request_id)
    if format == "html":
        return Response(subject_access.package_html(package), media_type="text/html")
    return package


@router.get("/privacy/requests/{request_id}/package/document",
             responses=conflicts("Not released yet (identity unverified, or something awaited from the person), "
                                 "or the request is not an access request"))
def package_document(ctx: Ctx, who: Caller, request_id: str) -> DocumentView:
    """The access package as an issued document (DOC-1, PRV-3): made and stored once, the first time (which
    answers the request), then the same document every time: its id, formats' SHA-256 and download links
    (`GET /documents/{id}`: PDF, HTML, the JSON as plain text, large print)."""
    return subject_access.package_document(ctx, who, request_id)


@router.get("/privacy/requests/{request_id}/documents")
def request_documents(ctx: Ctx, who: Caller, request_id: str) -> list[DocumentView]:
    """The documents issued for the request (its access package, once issued), oldest first."""
    return subject_access.request_documents(ctx, who, request_id)


@router.get("/privacy/requests/{request_id}/export", response_model=None,
            responses={**also_as("application/json", "text/csv"),
                       **conflicts("Not released yet, or the request is not a portability request")})
def portability_export(ctx: Ctx, who: Caller, request_id: str,
                       format: Literal["json", "csv"] = "json") -> Response:
    """The portability export: only what the person provided, as JSON or CSV."""
    text = subject_access.portability_export(ctx, who, request_id, format)
    return Response(text, media_type="text/csv" if format == "csv" else "application/json")


@router.get("/privacy/requests/{request_id}/erasure-plan", responses=conflicts("The request is not an erasure request, or not open"))
def erasure_plan(ctx: Ctx, who: Caller, request_id: str) -> ErasurePlan:
    """The dry run: what would be erased, what is kept and why, and any effect on live cover."""
    return erasure.plan(ctx, who, request_id)


@router.post("/privacy/requests/{request_id}/erasure")
def apply_erasure(ctx: Ctx, who: Caller, request_id: str, body: ErasureIn) -> ErasureDone:
    """Erase as the plan shown said (staff)."""
    return erasure.apply(ctx, who, request_id, body.fingerprint)


@router.get("/customers/{customer_id}/processing-flags")
def processing_flags(ctx: Ctx, who: Caller, customer_id: str) -> ProcessingFlags:
    """Restriction and objections in force."""
    return requests.flags(ctx, who, customer_id)


@router.post("/customers/{customer_id}/processing-flags/{flag}/lift")
def lift_flag(ctx: Ctx, who: Caller, customer_id: str, flag: str) -> ProcessingFlags:
    return requests.lift_flag(ctx, who, customer_id, flag)

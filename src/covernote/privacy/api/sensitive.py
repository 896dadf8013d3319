"""REST resources: Encrypted sensitive fields and key rotation (PRV-7, PRV-11, SEC-2).

The request bodies check shape and types (so a wrong type names its field, e.g. `convictions[1].points`);
the rules (licence number format, endorsement codes, dates not in the future...) are the use cases'.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, RequestBody
from covernote.privacy.usecases import sensitive
from covernote.privacy.usecases.results_sensitive import (
    KeyRotation,
    SensitiveReading,
    SensitiveReadsLog,
    SensitiveRecorded,
    SensitiveSummary,
)

router = APIRouter(tags=["privacy"], route_class=OneHopRoute)



class HealthConditionIn(RequestBody):
    condition: str = Field(description="The medical condition, as the person described it", max_length=200)
    notified_to_dvla: bool = Field(description="Whether the DVLA has been told of it")


class ConvictionIn(RequestBody):
    code: str = Field(description="DVLA endorsement code: 2 letters and 2 digits, e.g. SP30, DR10, CU80",
                      max_length=10)
    date: Day = Field(description="Date of the offence or conviction (not in the future)")
    points: int = Field(description="Penalty points, 0 to 11")


class BankDetailsIn(RequestBody):
    sort_code: str = Field(description="6 digits; 12-34-56 is accepted", max_length=12)
    account_number: str = Field(description="8 digits", max_length=12)
    account_name: str = Field(description="The name on the account", max_length=200)


class SensitiveIn(RequestBody):
    """Only the fields given are changed; an explicit null clears that field."""

    licence_number: str | None = Field(default=None, max_length=40,
                                       description="UK (DVLA) driving licence number, 16 characters")
    health: list[HealthConditionIn] | None = Field(
        default=None, description="Conditions notifiable to the DVLA; an empty list declares none")
    convictions: list[ConvictionIn] | None = Field(
        default=None, description="Motoring convictions and endorsements; an empty list declares none")
    bank_details: BankDetailsIn | None = Field(default=None, description="Account for refunds and direct debits")


class RotateIn(RequestBody):
    retire_old: bool = Field(default=False, description="Afterwards, remove master keys no data key uses")
    batch: int = Field(default=500, ge=1, le=10_000, description="Data keys re-wrapped per transaction")
    new_key: bool = Field(default=True, description="False: only finish re-wrapping under the current key")


Purpose = Annotated[str | None, Query(description="Why you read it (required for staff), e.g. underwriting")]


@router.put("/customers/{customer_id}/sensitive/{person_ref}")
def put_sensitive(ctx: Ctx, who: Caller, customer_id: str, person_ref: str, body: SensitiveIn) -> SensitiveRecorded:
    """Record the licence number, health, convictions or bank details of the policyholder
    (`person_ref` = `policyholder`) or of a named driver (their label). Encrypted at rest (PRV-11). The
    customer for themselves, or staff. The answer lists which fields are held, never the values."""
    fields = body.model_dump(mode="json", include=body.model_fields_set)
    return sensitive.record(ctx, who, customer_id, person_ref, **fields)


@router.get("/customers/{customer_id}/sensitive")
def get_sensitive(ctx: Ctx, who: Caller, customer_id: str, purpose: Purpose = None,
                  person_ref: Annotated[str | None, Query(description="Only this person")] = None) -> SensitiveReading:
    """The decrypted sensitive fields, for an underwriter, the data protection officer or the customer
    themselves; administrators and staff get 403 (PRV-7). Every read is logged with its purpose (SEC-2)."""
    return sensitive.read(ctx, who, customer_id, person_ref, purpose)


@router.get("/customers/{customer_id}/sensitive/summary")
def get_sensitive_summary(ctx: Ctx, who: Caller, customer_id: str) -> SensitiveSummary:
    """Which sensitive fields are held for each person, without values. Any staff role, or the customer."""
    return sensitive.summary(ctx, who, customer_id)


@router.get("/customers/{customer_id}/sensitive/{person_ref}")
def get_sensitive_person(ctx: Ctx, who: Caller, customer_id: str, person_ref: str, purpose: Purpose = None) -> SensitiveReading:
    """One person's decrypted sensitive fields (same rules and logging as the customer's whole set)."""
    return sensitive.read(ctx, who, customer_id, person_ref, purpose)


@router.get("/customers/{customer_id}/sensitive-reads")
def get_sensitive_reads(ctx: Ctx, who: Caller, customer_id: str,
                        limit: Limit = 1000,
                        offset: Offset = 0) -> SensitiveReadsLog:
    """Who read the customer's sensitive data, when, which fields and why (SEC-2). The data protection
    officer, an administrator, or the customer themselves."""
    return sensitive.reads_log(ctx, who, customer_id, limit, offset)


@router.post("/privacy/keys/rotate")
def rotate_keys(ctx: Ctx, who: Caller, body: RotateIn | None = None) -> KeyRotation:
    """Administrators: add a new master key and re-wrap every data key under it, in batches; rerun after
    an interruption to finish. With `retire_old`, unused old master keys are removed (PRV-11)."""
    options = body or RotateIn()
    return sensitive.rotate_keys(ctx, who, options.retire_old, options.batch, new_key=options.new_key)

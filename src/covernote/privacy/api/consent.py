"""REST resources: a customer's marketing and contact consents (PRV-2) and the data map (PRV-1)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.contract import also_as
from covernote.platform.api.routes import OneHopRoute
from covernote.policy.schemas import ConsentIn
from covernote.privacy.usecases import consent
from covernote.privacy.usecases import data_map as privacy
from covernote.privacy.usecases.results import ConsentDecisionView, Consents, DataMap

router = APIRouter(route_class=OneHopRoute)


@router.get("/customers/{customer_id}/consents", tags=["privacy"])
def get_consents(ctx: Ctx, who: Caller, customer_id: str) -> Consents:
    """Marketing and contact preferences in force per channel and purpose, and their full history (PRV-2)."""
    return consent.consents(ctx, who, customer_id)


@router.post("/customers/{customer_id}/consents", status_code=201, tags=["privacy"])
def record_consent(ctx: Ctx, who: Caller, customer_id: str, body: ConsentIn) -> ConsentDecisionView:
    """Grant or withdraw consent for a channel and purpose; a withdrawal takes effect at once."""
    return consent.record_decision(ctx, who, customer_id, **body.model_dump())


@router.get("/privacy/data-map", tags=["privacy"], response_model=DataMap, responses=also_as("text/csv"))
def data_map(ctx: Ctx, who: Caller, format: Literal["json", "csv"] = "json",
             include_not_personal: bool = False) -> DataMap | Response:
    """Staff: every stored field of personal data with its subject, category, purposes, lawful bases,
    source and erasure strategy, generated from the declarations in the code (PRV-1). `format=csv`."""
    if format == "csv":
        return Response(privacy.data_map_csv(ctx, who, include_not_personal), media_type="text/csv")
    return privacy.data_map(ctx, who, include_not_personal)

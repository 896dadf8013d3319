"""REST resources of the policy record: customers."""

from __future__ import annotations

from fastapi import APIRouter

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute
from covernote.policy.results import CustomerView
from covernote.policy.schemas import (
    CustomerIn,
)
from covernote.policy.usecases import customers

router = APIRouter(route_class=OneHopRoute)


@router.post("/customers", status_code=201, tags=["customers"])
def create_customer(ctx: Ctx, who: Caller, body: CustomerIn) -> CustomerView:
    return customers.create_customer(ctx, who, **body.model_dump())


@router.get("/customers", tags=["customers"])
def list_customers(ctx: Ctx, who: Caller, limit: Limit = 50, offset: Offset = 0) -> list[CustomerView]:
    return customers.list_customers(ctx, who, limit, offset)


@router.get("/customers/{customer_id}", tags=["customers"])
def get_customer(ctx: Ctx, who: Caller, customer_id: str) -> CustomerView:
    return customers.get_customer(ctx, who, customer_id)

"""REST resources of the policy record: customers, who the caller is (`/me`) and staff search."""

from __future__ import annotations

from fastapi import APIRouter, Query

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.routes import OneHopRoute
from covernote.policy.results import CustomerSearch, CustomerView, MeView, PolicySearch
from covernote.policy.schemas import (
    CustomerIn,
)
from covernote.policy.usecases import customers, search

router = APIRouter(route_class=OneHopRoute)


@router.post("/customers", status_code=201, tags=["customers"])
def create_customer(ctx: Ctx, who: Caller, body: CustomerIn) -> CustomerView:
    return customers.create_customer(ctx, who, **body.model_dump())


@router.get("/customers", tags=["customers"])
def list_customers(ctx: Ctx, who: Caller, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> list[CustomerView]:
    return customers.list_customers(ctx, who, limit, offset)


@router.get("/customers/{customer_id}", tags=["customers"])
def get_customer(ctx: Ctx, who: Caller, customer_id: str) -> CustomerView:
    return customers.get_customer(ctx, who, customer_id)


@router.get("/me", tags=["customers"])
def me(ctx: Ctx, who: Caller) -> MeView:
    """The caller: user id and role and, for a customer, their customer id and their policies' ids and
    numbers (issue 13 item 20)."""
    return search.me(ctx, who)


_Q = Query(description="Part of a name, a policy number, a registration or a postcode (2 to 100 characters; "
                       "case and spaces do not matter)", max_length=400)


@router.get("/search/customers", tags=["customers"])
def search_customers(ctx: Ctx, who: Caller, q: str = _Q, limit: int = Query(50, ge=1, le=500),
                     offset: int = Query(0, ge=0, le=1_000_000)) -> CustomerSearch:
    """Staff: customers by part of their name, their postcode, or a policy's number, registration or
    postcode; oldest first, paged (`next_offset`)."""
    return search.search_customers(ctx, who, q, limit, offset)


@router.get("/search/policies", tags=["policies"])
def search_policies(ctx: Ctx, who: Caller, q: str = _Q, limit: int = Query(50, ge=1, le=500),
                    offset: int = Query(0, ge=0, le=1_000_000)) -> PolicySearch:
    """Staff: policies by number, by a registration or postcode they ever insured, or by their customer's
    name or postcode; newest first, paged (`next_offset`)."""
    return search.search_policies(ctx, who, q, limit, offset)

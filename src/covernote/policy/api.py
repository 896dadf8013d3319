"""REST resources of the policy record: customers, who the caller is (`/me`) and staff search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from covernote.identity.api import Caller, Ctx
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.platform.api.paging import Limit, Offset
from covernote.platform.api.routes import OneHopRoute, rules_despite_shape
from covernote.policy.results import CustomerSearch, CustomerView, MeView, PolicySearch
from covernote.policy.schemas import (
    CustomerIn,
)
from covernote.policy.usecases import customers, search

router = APIRouter(route_class=OneHopRoute)


# Issue 13, item 21: stand-ins for a customer's fields whose shape is faulty, so the rules (an e-mail address,
# a UK postcode, a plausible date of birth) judge the rest in the same answer.
_CUSTOMER_STAND_INS: dict[str, Any] = {"name": "stand-in", "email": "stand-in@example.com", "address": "stand-in",
                                       "postcode": "LS1 5HD", "phone": None, "date_of_birth": None}


def _customer_rules(request: Request, body: CustomerIn) -> list[FieldIssue]:
    ctx = request.app.state.ctx
    try:
        customers.validate_customer_fields(ctx.today(), body.model_dump())
    except ValidationFailed as exc:
        return list(exc.issues)
    return []


@router.post("/customers", status_code=201, tags=["customers"])
@rules_despite_shape(CustomerIn, _CUSTOMER_STAND_INS, _customer_rules)
def create_customer(ctx: Ctx, who: Caller, body: CustomerIn) -> CustomerView:
    return customers.create_customer(ctx, who, **body.model_dump())


@router.get("/customers", tags=["customers"])
def list_customers(ctx: Ctx, who: Caller, limit: Limit = 50, offset: Offset = 0) -> list[CustomerView]:
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
def search_customers(ctx: Ctx, who: Caller, q: str = _Q, limit: Limit = 50,
                     offset: Offset = 0) -> CustomerSearch:
    """Staff: customers by part of their name, their postcode, or a policy's number, registration or
    postcode; oldest first, paged (`next_offset`)."""
    return search.search_customers(ctx, who, q, limit, offset)


@router.get("/search/policies", tags=["policies"])
def search_policies(ctx: Ctx, who: Caller, q: str = _Q, limit: Limit = 50,
                    offset: Offset = 0) -> PolicySearch:
    """Staff: policies by number, by a registration or postcode they ever insured, or by their customer's
    name or postcode; newest first, paged (`next_offset`)."""
    return search.search_policies(ctx, who, q, limit, offset)

"""Who the caller is (`GET /me`), and staff search for customers and policies by name, policy number,
registration and postcode (issue 13 item 20). A customer can find their own customer id and policies;
only staff search, and what was erased is neither matched nor shown."""

from __future__ import annotations

from datetime import date

from covernote.identity.usecases import Principal, require_staff
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.policy.domain.model import Customer, Policy, is_anonymised
from covernote.policy.domain.search import is_erased, search_terms
from covernote.policy.domain.term import risk_timeline
from covernote.policy.results import (
    CustomerMatch,
    CustomerSearch,
    MeView,
    MyPolicy,
    PolicyMatch,
    PolicySearch,
)

MY_POLICIES = 500  # more than any one customer holds; the list says which, GET /policies pages them


def me(ctx: AppContext, principal: Principal) -> MeView:
    """The authenticated caller: user id and role; for a customer, their customer id and their policies
    (newest first), which is how a customer finds the ids the other resources ask for."""
    policies: list[MyPolicy] = []
    if principal.role == "customer" and principal.customer_id is not None:
        today = ctx.today()
        with ctx.uow(read_only=True) as uow:
            found = uow.policies.page(principal.customer_id, MY_POLICIES, 0)
        policies = [{"id": p.policy_id, "number": p.number, "product_code": p.product_code,
                     "status": "anonymised" if is_anonymised(p) else p.status(today)} for p in found]
    return {"user_id": principal.user_id, "role": principal.role, "customer_id": principal.customer_id,
            "policies": policies}


def _customer_match(c: Customer) -> CustomerMatch:
    erased = is_erased(c.name)
    return {"id": c.customer_id, "name": None if erased else c.name,
            "postcode": None if is_erased(c.postcode) else c.postcode, "anonymised": erased,
            "created_at": c.created_at.isoformat()}


def search_customers(ctx: AppContext, principal: Principal, q: str, limit: int = 50,
                     offset: int = 0) -> CustomerSearch:
    """Customers by part of their name, their postcode, or a policy's number, registration or postcode
    (staff only; oldest first)."""
    require_staff(principal, "search customers")
    terms = search_terms(q)
    check_listing(limit, offset)
    with ctx.uow(read_only=True) as uow:
        found = uow.customers.search(terms, limit, offset)
    return {"q": terms.query, "customers": [_customer_match(c) for c in found],
            "next_offset": offset + len(found) if len(found) == limit else None}


def _policy_match(p: Policy, holder: Customer | None, today: date) -> PolicyMatch:
    term = p.term()
    registration = postcode = None
    if not is_anonymised(p):
        timeline = risk_timeline(term.base_risk, term.period, term.adjustments)
        risk = next((r for period, r in timeline if period.contains(today)), timeline[-1][1])
        registration, postcode = risk.vehicle.registration, risk.postcode
    name = holder.name if holder is not None and not is_erased(holder.name) else None
    return {"id": p.policy_id, "number": p.number, "customer_id": p.customer_id, "customer_name": name,
            "product_code": p.product_code, "status": "anonymised" if is_anonymised(p) else p.status(today),
            "registration": registration, "postcode": postcode,
            "start_date": term.period.start.isoformat(), "end_date": term.period.end.isoformat()}


def search_policies(ctx: AppContext, principal: Principal, q: str, limit: int = 50,
                    offset: int = 0) -> PolicySearch:
    """Policies by number, by a registration or postcode they ever insured, or by their customer's name
    or postcode (staff only; newest first)."""
    require_staff(principal, "search policies")
    terms = search_terms(q)
    check_listing(limit, offset)
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        found = uow.policies.search(terms, limit, offset)
        holders = uow.customers.get_many([p.customer_id for p in found])
    return {"q": terms.query, "policies": [_policy_match(p, holders.get(p.customer_id), today) for p in found],
            "next_offset": offset + len(found) if len(found) == limit else None}

"""Customers: the people policies are for."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from covernote.app.access import Principal, check_customer, require_staff
from covernote.app.context import AppContext
from covernote.app.views import customer_view
from covernote.domain.errors import IssueCollector, NotFound
from covernote.domain.policy.model import Customer
from covernote.domain.policy.risk import normalise_postcode, postcode_area
from covernote.kernel.ids import new_id

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_customer(ctx: AppContext, principal: Principal, *, name: str, email: str, address: str,
                    postcode: str, phone: str | None = None, date_of_birth: date | None = None) -> dict[str, Any]:
    require_staff(principal, "create customers")
    issues = IssueCollector()
    if not name.strip():
        issues.add("name", "is required")
    if not _EMAIL.match(email):
        issues.add("email", f"{email!r} is not an e-mail address")
    if not address.strip():
        issues.add("address", "is required")
    try:
        postcode = normalise_postcode(postcode)
        postcode_area(postcode)
    except ValueError:
        issues.add("postcode", f"{postcode!r} is not a UK postcode")
    if date_of_birth is not None and date_of_birth >= ctx.today():
        issues.add("date_of_birth", "must be in the past")
    issues.raise_if_any("the customer cannot be created")
    customer = Customer(new_id("cus"), name.strip(), email.strip(), phone, date_of_birth, address.strip(), postcode,
                        ctx.clock.now())
    with ctx.uow() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer_view(customer)


def get_customer(ctx: AppContext, principal: Principal, customer_id: str) -> dict[str, Any]:
    check_customer(principal, customer_id, "customer")
    with ctx.uow(read_only=True) as uow:
        c = uow.customers.get(customer_id)
    if c is None:
        raise NotFound("no such customer")
    return customer_view(c)


def list_customers(ctx: AppContext, principal: Principal, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    require_staff(principal, "list customers")
    with ctx.uow(read_only=True) as uow:
        return [customer_view(c) for c in uow.customers.page(limit, offset)]

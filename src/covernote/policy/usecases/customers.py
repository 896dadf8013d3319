"""Customers: the people policies are for."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel.days import MAX_AGE, MIN_AGE, age_on, parse_day
from covernote.kernel.errors import IssueCollector, NotFound
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.policy.domain.model import Customer
from covernote.policy.domain.risk import normalise_postcode, postcode_area
from covernote.policy.results import CustomerView
from covernote.policy.usecases.views import customer_view

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_customer_fields(today: date, values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise any of a customer's own details (at creation and on rectification, PRV-3).
    Raises ValidationFailed naming each bad field."""
    issues = IssueCollector()
    out: dict[str, Any] = {}
    for key, limit in (("name", 200), ("address", 500)):
        if key in values:
            if not isinstance(values[key], str) or not values[key].strip():
                issues.add(key, "is required")
            else:  # trimmed, NFC, nothing hidden (issue 13, item 13)
                out[key] = issues.text(key, values[key], limit)
    if "email" in values:
        email = values["email"]
        if not isinstance(email, str) or not _EMAIL.match(email):
            issues.add("email", f"{email!r} is not an e-mail address")
        else:
            out["email"] = email.strip()
    if "postcode" in values:
        postcode = values["postcode"]
        try:
            postcode = normalise_postcode(postcode)
            postcode_area(postcode)
            out["postcode"] = postcode
        except (ValueError, TypeError, AttributeError):
            issues.add("postcode", f"{postcode!r} is not a UK postcode")
    if "phone" in values:
        phone = values["phone"]
        if phone is not None and (not isinstance(phone, str) or len(phone) > 40):
            issues.add("phone", "must be a telephone number of at most 40 characters")
        else:
            out["phone"] = phone.strip() if isinstance(phone, str) and phone.strip() else None
    if "date_of_birth" in values:
        dob = values["date_of_birth"]
        if isinstance(dob, str):
            try:
                dob = parse_day(dob)
            except ValueError as exc:
                issues.add("date_of_birth", str(exc))
                dob = None
        if isinstance(dob, date) and dob >= today:
            issues.add("date_of_birth", "must be in the past")
        elif isinstance(dob, date) and not MIN_AGE <= age_on(dob, today) <= MAX_AGE:
            # Issue 13, item 6: a plausible person (a date of birth of 0001-01-01 is a typing slip).
            issues.add("date_of_birth", f"makes the customer {age_on(dob, today)} today; a customer is aged "
                                        f"{MIN_AGE} to {MAX_AGE}")
            dob = None
        elif dob is None or isinstance(dob, date):
            out["date_of_birth"] = dob
    issues.raise_if_any("the customer's details are not valid")
    return out


def create_customer(ctx: AppContext, principal: Principal, *, name: str, email: str, address: str,
                    postcode: str, phone: str | None = None, date_of_birth: date | None = None) -> CustomerView:
    require_staff(principal, "create customers")
    v = validate_customer_fields(ctx.today(), {"name": name, "email": email, "address": address,
                                               "postcode": postcode, "phone": phone, "date_of_birth": date_of_birth})
    customer = Customer(new_id("cus"), v["name"], v["email"], v["phone"], v["date_of_birth"], v["address"],
                        v["postcode"], ctx.clock.now())
    with ctx.uow() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer_view(customer)


def get_customer(ctx: AppContext, principal: Principal, customer_id: str) -> CustomerView:
    check_customer(principal, customer_id, "customer")
    with ctx.uow(read_only=True) as uow:
        c = uow.customers.get(customer_id)
    if c is None:
        raise NotFound("no such customer")
    return customer_view(c)


def list_customers(ctx: AppContext, principal: Principal, limit: int = 50, offset: int = 0) -> list[CustomerView]:
    check_listing(limit, offset)
    require_staff(principal, "list customers")
    with ctx.uow(read_only=True) as uow:
        return [customer_view(c) for c in uow.customers.page(limit, offset)]

"""Issue 14 part 3 (UX-2): the reads the back office's customer page adds to the use cases, on SQLite and
PostgreSQL: one customer's policies and complaints for staff (a customer still sees only their own), and the
customer's open deadlines, soonest first, for staff only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from covernote.clocks import usecases as clocks
from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Forbidden
from covernote.lifecycle.usecases import policies
from tests.support import bind, new_customer

STAFF = Principal("usr_staff", "staff")


def _complaint(ctx: Any, customer_id: str) -> str:
    return str(complaints.record(ctx, SYSTEM, NewComplaint(
        "sales_service", "The renewal letter was late", "Ann Example", "1 High Street, Leeds", "letter", None,
        customer_id=customer_id))["id"])


def test_issue14_ux2_staff_list_one_customers_policies_and_complaints_a_customer_only_their_own(db_ctx):
    ann, ben = new_customer(db_ctx, "Ann Example"), new_customer(db_ctx, "Ben Other")
    anns = bind(db_ctx, customer_id=ann)["id"]
    bens = bind(db_ctx, customer_id=ben)["id"]
    ann_complaint, ben_complaint = _complaint(db_ctx, ann), _complaint(db_ctx, ben)

    assert [p["id"] for p in policies.list_policies(db_ctx, STAFF, 50, 0, ann)] == [anns]
    assert {p["id"] for p in policies.list_policies(db_ctx, STAFF, 50, 0)} == {anns, bens}
    as_ann = Principal("usr_ann", "customer", ann)
    assert [p["id"] for p in policies.list_policies(db_ctx, as_ann, 50, 0, ben)] == [anns]  # never another's

    listed = complaints.list_complaints(db_ctx, STAFF, customer_id=ann)["complaints"]
    assert [c["id"] for c in listed] == [ann_complaint]
    every = {c["id"] for c in complaints.list_complaints(db_ctx, STAFF)["complaints"]}
    assert {ann_complaint, ben_complaint} <= every
    theirs = complaints.list_complaints(db_ctx, as_ann, customer_id=ben)["complaints"]
    assert [c["id"] for c in theirs] == [ann_complaint]


def test_issue14_ux2_the_customers_open_deadlines_soonest_first_for_staff_only(db_ctx, clock):
    ann, ben = new_customer(db_ctx, "Ann Example"), new_customer(db_ctx, "Ben Other")
    first = _complaint(db_ctx, ann)
    clock.advance(timedelta(days=1))
    second = _complaint(db_ctx, ann)
    _complaint(db_ctx, ben)
    complaints.acknowledge(db_ctx, STAFF, first)  # meets its acknowledgement clock: no longer open

    found = clocks.open_for_customer(db_ctx, STAFF, ann)
    assert {d["subject_id"] for d in found} == {first, second}
    assert "complaint.acknowledgement" not in {d["rule"] for d in found if d["subject_id"] == first}
    assert [d["due_at"] for d in found] == sorted(d["due_at"] for d in found)
    assert all(d["state"] not in ("met_on_time", "met_late", "stopped") for d in found)
    assert clocks.open_for_customer(db_ctx, STAFF, "cus_nobody") == []
    with pytest.raises(Forbidden):
        clocks.open_for_customer(db_ctx, Principal("usr_ann", "customer", ann), ann)

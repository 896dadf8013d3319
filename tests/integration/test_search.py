"""Issue 13 item 20: staff search for customers and policies by name, policy number, registration and
postcode, on SQLite and PostgreSQL (registrations and postcodes are found inside the transactions' JSON,
which each database renders as text its own way). Case and spaces do not matter; erased names are
neither matched nor shown; customers cannot search; results are paged."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Forbidden, ValidationFailed
from covernote.policy.domain.risk import Change
from covernote.policy.usecases import search
from covernote.store.tables import customers
from tests.support import adjust, bind, motor_risk, new_customer, vehicle

STAFF = Principal("usr_staff", "staff")


def _numbers(found: dict) -> list[str]:  # type: ignore[type-arg]
    return sorted(p["number"] for p in found["policies"])


def test_issue13_item20_staff_find_policies_and_customers_by_number_registration_postcode_and_name(db_ctx):
    """Issue 13 item 20: each way of finding a policy and its customer, with case and spaces ignored; a car
    replaced mid-term still finds the policy that insured it."""
    ann = new_customer(db_ctx, "Ann Searchable")
    bob = new_customer(db_ctx, "Bob Other")
    first = bind(db_ctx, customer_id=ann, risk=replace(motor_risk(postcode="LS1 5HD"), vehicle=vehicle("AB12CDE")))
    second = bind(db_ctx, customer_id=bob, risk=replace(motor_risk(postcode="M1 1AE"), vehicle=vehicle("XY34ZZZ")))
    adjust(db_ctx, second["id"], db_ctx.today() + timedelta(days=10),
           Change("replace_vehicle", vehicle=vehicle("CD56EFG")))

    assert _numbers(search.search_policies(db_ctx, STAFF, first["number"].lower())) == [first["number"]]
    assert _numbers(search.search_policies(db_ctx, STAFF, " ab12 cde ")) == [first["number"]]
    assert _numbers(search.search_policies(db_ctx, STAFF, "ls15hd")) == [first["number"]]
    assert _numbers(search.search_policies(db_ctx, STAFF, "m1 1ae")) == [second["number"]]
    assert _numbers(search.search_policies(db_ctx, STAFF, "cd56efg")) == [second["number"]]  # the new car
    assert _numbers(search.search_policies(db_ctx, STAFF, "XY34 ZZZ")) == [second["number"]]  # the old one
    assert _numbers(search.search_policies(db_ctx, STAFF, "SEARCHABLE")) == [first["number"]]
    found = search.search_policies(db_ctx, STAFF, "ab12cde")["policies"][0]
    assert found["customer_name"] == "Ann Searchable" and found["registration"] == "AB12CDE"
    assert found["postcode"] == "LS1 5HD" and found["status"] == "live"

    def ids(q: str) -> list[str]:
        return [c["id"] for c in search.search_customers(db_ctx, STAFF, q)["customers"]]

    assert ids("ann  SEARCH") == [ann]  # inner spaces collapsed, case-blind
    assert ids(first["number"]) == [ann]
    assert ids("ab12cde") == [ann]
    assert ids("cd56 efg") == [bob]
    assert ids("LS1 4AB") == [ann, bob]  # new_customer's own postcode
    assert ids("nobody at all") == []
    assert ids("100%") == []  # LIKE's wildcards are plain characters


def test_issue13_item20_erased_names_are_not_matched_nor_shown(db_ctx):
    """Issue 13 item 20, PRV-4: a name replaced by its keyed hash is neither found nor shown (null, with
    `anonymised`); the hash itself does not find it."""
    gone = new_customer(db_ctx, "Gus Gone")
    pol = bind(db_ctx, customer_id=gone, risk=replace(motor_risk(), vehicle=vehicle("GG12GON")))
    with db_ctx.uow.engine.begin() as conn:
        conn.execute(customers.update().where(customers.c.id == gone).values(name="h:0a1b2c3d", postcode="h:99ff"))
    assert search.search_customers(db_ctx, STAFF, "Gus Gone")["customers"] == []
    assert search.search_customers(db_ctx, STAFF, "h:0a1b")["customers"] == []
    [match] = search.search_customers(db_ctx, STAFF, "gg12gon")["customers"]
    assert match == {"id": gone, "name": None, "postcode": None, "anonymised": True,
                     "created_at": match["created_at"]}
    [policy] = search.search_policies(db_ctx, STAFF, pol["number"])["policies"]
    assert policy["customer_name"] is None


def test_issue13_item20_search_is_staff_only_paged_and_checks_its_query(db_ctx):
    """Issue 13 item 20: a customer is refused (403); a query too short or with control characters is
    refused naming `q`; limit and offset page the results with next_offset."""
    cid = new_customer(db_ctx, "Pat Paged")
    for reg in ("PA11GED", "PA12GED", "PA13GED"):
        bind(db_ctx, customer_id=cid, risk=replace(motor_risk(), vehicle=vehicle(reg)))
    with pytest.raises(Forbidden):
        search.search_policies(db_ctx, Principal("usr_c", "customer", cid), "pat")
    with pytest.raises(Forbidden):
        search.search_customers(db_ctx, Principal("usr_c", "customer", cid), "pat")
    for bad in ("p", " ", "pat\x00", "x" * 101):
        with pytest.raises(ValidationFailed) as exc:
            search.search_policies(db_ctx, STAFF, bad)
        assert [i.field for i in exc.value.issues] == ["q"]
    page1 = search.search_policies(db_ctx, STAFF, "pat paged", limit=2)
    assert len(page1["policies"]) == 2 and page1["next_offset"] == 2
    page2 = search.search_policies(db_ctx, STAFF, "pat paged", limit=2, offset=2)
    assert len(page2["policies"]) == 1 and page2["next_offset"] is None
    assert {p["id"] for p in page1["policies"] + page2["policies"]} == {
        p["id"] for p in search.search_policies(db_ctx, SYSTEM, "Pat Paged")["policies"]}

"""Issue 13, item 21 for the mid-term adjustment quote (POL-2): a body with a faulty shape (an impossible
effective date, a change's value of the wrong type) was answered with the shape errors alone, and the product's
rules on the changed risk (an annual mileage below the product's minimum) came only in a second round. One 422
names both now, as POST /quotes does; a well-shaped body is answered as before, and another customer's policy is
never judged for a customer."""

from __future__ import annotations

from typing import Any

from covernote.identity.usecases import create_user
from tests.e2e.conftest import field_names, quote_body
from tests.e2e.test_api import _bind
from tests.support import new_customer

MILEAGE = "changes.answers.annual_mileage"


def _reasons(r: Any) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in r.json().get("errors", [])}


def _policy(api: Any) -> str:
    _, p = _bind(api)
    assert p.status_code == 201, p.json()
    return str(p.json()["id"])


def _low_mileage(**body: Any) -> dict[str, Any]:
    return {"effective_date": "2026-12-02", "reason": "fewer miles",
            "changes": [{"op": "set_answer", "question": "annual_mileage", "value": 99}], **body}


def test_issue13_item21_adjustment_shape_errors_and_the_products_rules_in_one_answer(api: Any):
    """The customer's own policy: a day that is not a day of the calendar and a mileage below the product's
    minimum (1000) in one 422."""
    pid = _policy(api)
    r = api.post(f"/policies/{pid}/adjustments", _low_mileage(effective_date="2026-13-45"), token=api.customer)
    assert r.status_code == 422, r.json()
    assert field_names(r) == {"effective_date", MILEAGE}, r.json()
    assert "not a day of the calendar" in _reasons(r)["effective_date"]
    assert "at least 1000" in _reasons(r)[MILEAGE]

    # A change whose value has the wrong type is named, and the rules judge the other changes without it.
    for wrong in (True, [1], 1.5):
        body = _low_mileage(changes=[{"op": "set_answer", "question": "voluntary_excess", "value": wrong},
                                     {"op": "set_answer", "question": "annual_mileage", "value": 99}])
        r = api.post(f"/policies/{pid}/adjustments", body, token=api.customer)
        assert r.status_code == 422, r.json()
        names = field_names(r)
        assert MILEAGE in names and all(n == MILEAGE or n.startswith("changes[0].value") for n in names), r.json()
        assert not any("voluntary_excess" in n for n in names)

    # A new car of a faulty shape is left out; a driver too young for the product is still judged.
    body = _low_mileage(changes=[
        {"op": "replace_vehicle", "vehicle": {"registration": "AB12 CDE", "make": "Ford", "model": "Ka",
                                              "year": "new", "value": "9000", "abi_group": 10}},
        {"op": "add_driver", "driver": {"name": "Kid Customer", "date_of_birth": "2015-01-01",
                                        "licence_held_since": "2025-01-01", "relationship": "child"}}],
        smartbox="maybe")
    r = api.post(f"/policies/{pid}/adjustments", body)
    assert r.status_code == 422, r.json()
    names = field_names(r)
    assert {"changes[0].vehicle.year", "smartbox"} <= names, r.json()
    assert any(n.startswith("changes.drivers") for n in names), r.json()


def test_issue13_item21_adjustment_a_well_shaped_body_is_answered_as_before(api: Any):
    pid = _policy(api)
    r = api.post(f"/policies/{pid}/adjustments", _low_mileage(), token=api.customer)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": MILEAGE, "reason": "must be at least 1000; got 99"}], r.json()
    # The policy's own rules still come first for a well-shaped body, as they did.
    r = api.post(f"/policies/{pid}/adjustments", _low_mileage(effective_date="2028-01-01"), token=api.customer)
    assert r.status_code == 422 and field_names(r) == {"effective_date"}, r.json()
    ok = api.post(f"/policies/{pid}/adjustments", _low_mileage(
        changes=[{"op": "set_answer", "question": "annual_mileage", "value": 12000}]), token=api.customer)
    assert ok.status_code == 201, ok.json()
    # A shape error alone, with nothing the rules object to, is the shape error alone.
    r = api.post(f"/policies/{pid}/adjustments", _low_mileage(
        effective_date="2026-13-45", changes=[{"op": "set_answer", "question": "annual_mileage", "value": 12000}]))
    assert r.status_code == 422 and field_names(r) == {"effective_date"}, r.json()


def test_issue13_item21_adjustment_another_customers_policy_is_never_judged(api: Any):
    """A customer sending a faulty body for another customer's policy learns nothing of that policy: the shape
    errors alone, as for a policy that does not exist (the same body from staff names the rule too)."""
    other = new_customer(api.ctx, "Olive Other")
    q = api.post("/quotes", quote_body(other))
    assert q.status_code == 201, q.json()
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key="bind-other-01")
    assert p.status_code == 201, p.json()
    pid = p.json()["id"]
    faulty = _low_mileage(effective_date="2026-13-45")
    for target in (pid, p.json()["number"], "pol_doesnotexist"):
        r = api.post(f"/policies/{target}/adjustments", faulty, token=api.customer)
        assert r.status_code == 422 and field_names(r) == {"effective_date"}, r.json()
    assert api.post(f"/policies/{pid}/adjustments", _low_mileage(), token=api.customer).status_code == 404
    assert field_names(api.post(f"/policies/{pid}/adjustments", faulty)) == {"effective_date", MILEAGE}
    _, olive = create_user(api.ctx, "Olive", "customer", other)
    assert field_names(api.post(f"/policies/{pid}/adjustments", faulty, token=olive)) == {"effective_date", MILEAGE}
    # A bad token is a 401, never a judged policy.
    r = api.post(f"/policies/{pid}/adjustments", faulty, token="not-a-token")
    assert r.status_code == 401

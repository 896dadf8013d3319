"""Withdrawing a quote over HTTP (issue 4 review follow-ups; NCD-1): an open quote holds the customer's
proof of NCD ("in use on another vehicle") until it expires, so the customer or staff may withdraw it,
which frees the NCD for another car. A withdrawn quote cannot be bound or take proof; a bound or already
withdrawn one is a conflict naming `quote_id`; an unknown one is 404 naming it.

Also the strict whole numbers of request bodies: a JSON `true` is never read as 1 (422 naming the
field), and the insurer on a proof is limited to the 200 characters the use case accepts."""

from __future__ import annotations

from tests.e2e.conftest import field_names, proof_body, quote_body, risk_body

_errors = field_names
_proof = proof_body


def test_ncd1_withdrawing_a_quote_frees_the_ncd_it_held_for_another_car(api):
    """NCD-1: a proof accepted on quote A for car X holds the NCD; the same proof on quote B for car Y is
    rejected as in use on another vehicle; once the customer withdraws A, a new proof on B is accepted."""
    a = api.post("/quotes", quote_body(api.customer_id), token=api.customer).json()
    b = api.post("/quotes", quote_body(api.customer_id, reg="XY12 ABC"), token=api.customer).json()
    assert api.post(f"/quotes/{a['id']}/ncd-proofs", _proof(api), token=api.customer).json()["status"] == "accepted"
    held = api.post(f"/quotes/{b['id']}/ncd-proofs", _proof(api), token=api.customer)
    assert held.status_code == 201 and held.json()["status"] == "rejected" and _errors(held) == {"proof"}

    r = api.post(f"/quotes/{a['id']}/withdraw", {"reason": "  Bought the other car instead  "}, token=api.customer)
    assert r.status_code == 200, r.json()
    out = r.json()
    assert out["status"] == "withdrawn" and out["id"] == a["id"]
    assert out["withdrawal"]["reason"] == "Bought the other car instead"
    assert out["withdrawal"]["withdrawn_by"] and out["withdrawal"]["withdrawn_at"].startswith("2026-11-22")
    assert api.get(f"/quotes/{a['id']}", token=api.customer).json()["status"] == "withdrawn"

    freed = api.post(f"/quotes/{b['id']}/ncd-proofs", _proof(api), token=api.customer)
    assert freed.status_code == 201 and freed.json()["status"] == "accepted", freed.json()
    assert api.get(f"/quotes/{b['id']}", token=api.customer).json()["ncd"]["status"] == "proven"


def test_ncd1_a_withdrawn_quote_cannot_be_bound_nor_take_proof_nor_be_withdrawn_again(api):
    """NCD-1: staff withdraw a quote (no body needed); binding it, giving proof for it and withdrawing it
    again are all refused with 409 naming quote_id."""
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    r = api.post(f"/quotes/{q['id']}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and r.json()["withdrawal"]["reason"] is None

    bind = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="withdrawn-bind-1")
    assert bind.status_code == 409 and _errors(bind) == {"quote_id"}
    assert "the quote was withdrawn" in bind.json()["detail"]
    proof = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api))
    assert proof.status_code == 409 and _errors(proof) == {"quote_id"}
    again = api.post(f"/quotes/{q['id']}/withdraw", {"reason": "twice"}, token=api.customer)
    assert again.status_code == 409 and again.json()["errors"] == [{"field": "quote_id", "reason": "already withdrawn"}]


def test_ncd1_a_bound_quote_cannot_be_withdrawn_and_an_unknown_one_is_404(api):
    """NCD-1: withdrawing a bound quote is a conflict (cancel the policy instead); an unknown quote, or
    another customer's, answers 404 with an `errors` entry naming quote_id."""
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    bound = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="withdraw-bind-2")
    assert bound.status_code == 201, bound.json()
    r = api.post(f"/quotes/{q['id']}/withdraw", {"reason": "changed my mind"}, token=api.customer)
    assert r.status_code == 409 and r.json()["errors"] == [{"field": "quote_id", "reason": "already bound"}]
    assert "bound" in r.json()["detail"]

    unknown = api.post("/quotes/quo_nope/withdraw")
    assert unknown.status_code == 404 and _errors(unknown) == {"quote_id"}
    other = api.post("/customers", {"name": "Olga Other", "email": "olga@example.org", "address": "2 Road, York",
                                    "postcode": "YO1 7HH"}).json()
    theirs = api.post("/quotes", quote_body(other["id"])).json()
    hidden = api.post(f"/quotes/{theirs['id']}/withdraw", token=api.customer)
    assert hidden.status_code == 404 and _errors(hidden) == {"quote_id"}
    assert api.get(f"/quotes/{theirs['id']}").json()["status"] == "open"


def test_ncd1_withdrawal_body_is_checked_naming_the_field(api):
    """NCD-1 withdrawal: the reason is at most 500 characters; nothing else may be sent."""
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    long = api.post(f"/quotes/{q['id']}/withdraw", {"reason": "x" * 501})
    assert long.status_code == 422 and _errors(long) == {"reason"}
    extra = api.post(f"/quotes/{q['id']}/withdraw", {"why": "no"})
    assert extra.status_code == 422 and _errors(extra) == {"why"}
    assert api.get(f"/quotes/{q['id']}").json()["status"] == "open"
    assert api.post(f"/quotes/{q['id']}/withdraw", {"reason": "x" * 500}).status_code == 200


# -- strict whole numbers (issue 4 review follow-ups) ----------------------------------------------------


def test_ncd1_proof_years_true_is_refused_naming_ncd_years_and_insurer_at_most_200(api):
    """NCD-1: `ncd_years: true` is not 1 year; the insurer is at most 200 characters, as the use case says."""
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    for bad in (True, False, "4", 4.5):
        r = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api, ncd_years=bad))
        assert r.status_code == 422 and _errors(r) == {"ncd_years"}, bad
    long = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api, insurer="I" * 201))
    assert long.status_code == 422 and _errors(long) == {"insurer"}
    assert api.get(f"/quotes/{q['id']}/ncd-proofs").json()["proofs"] == []
    ok = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api, insurer="I" * 200, ncd_years=0))
    assert ok.status_code == 201 and ok.json()["ncd_years"] == 0


def test_eco1_vehicle_whole_numbers_and_answers_refuse_booleans_naming_the_field(api):
    """ECO-1 (CO2 g/km, engine size) and NCD-1 (the ncd_years answer): booleans are refused with 422."""
    cases = {"risk.vehicle.co2_gkm": {"co2_gkm": True}, "risk.vehicle.engine_cc": {"engine_cc": False},
             "risk.vehicle.abi_group": {"abi_group": True}, "risk.vehicle.mileage": {"mileage": True}}
    for field, change in cases.items():
        body = quote_body(api.customer_id)
        body["risk"]["vehicle"].update(change)
        r = api.post("/quotes", body)
        assert r.status_code == 422 and _errors(r) == {field}, (field, r.json())
    body = quote_body(api.customer_id)
    body["risk"]["answers"]["ncd_years"] = True
    r = api.post("/quotes", body)
    assert r.status_code == 422 and _errors(r) == {"risk.answers.ncd_years"}
    fine = quote_body(api.customer_id)
    fine["risk"] = {**risk_body(), "vehicle": {**risk_body()["vehicle"], "co2_gkm": 0, "engine_cc": 998}}
    assert api.post("/quotes", fine).status_code == 201

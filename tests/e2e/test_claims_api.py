"""Claims over HTTP (CLM-1..4): first notification of loss, the claim, staff's list, handling, correspondence,
documents and payments; bad input is a problem document naming each field, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from covernote.kernel.clock import FixedClock
from tests.e2e.conftest import field_names, quote_body

WHEN = "2026-11-24T18:45:00"  # UK time, two days after the policies start


def _policy(api: Any) -> dict[str, Any]:
    q = api.post("/quotes", quote_body(api.customer_id))
    assert q.status_code == 201, q.json()
    p = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}},
                 key=f"bind-{q.json()['id']}")
    assert p.status_code == 201, p.json()
    assert isinstance(api.ctx.clock, FixedClock)
    return p.json()  # type: ignore[no-any-return]


def _fnol(**changes: Any) -> dict[str, Any]:
    body = {"claim_type": "accident", "occurred_at": WHEN, "loss_description": "rear bumper and boot lid",
            "circumstances": "hit from behind while queueing at lights", "location": "A64, Leeds",
            "anyone_injured": True, "injury_details": "the policyholder has whiplash",
            "parties": [{"role": "third_party", "name": "Terry Tailgate", "address": "5 Close, Leeds",
                         "phone": "07700 900555", "vehicle_registration": "TT21 ABC", "insurer": "Road Insurance",
                         "policy_number": "RI-99"},
                        {"role": "witness", "name": "Wanda Walker", "phone": "07700 900556"}]}
    body.update(changes)
    return body


def _later(api: Any, delta: timedelta) -> None:
    api.ctx.clock.advance(delta)


def test_clm1_fnol_over_http_records_every_field_and_the_customer_sees_their_own(api: Any) -> None:
    pol = _policy(api)
    _later(api, timedelta(days=3))
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(), token=api.customer)
    assert r.status_code == 201, r.json()
    c = r.json()
    assert c["policyholder"]["name"] == "Carol Customer" and c["policy_number"] == pol["number"]
    assert c["occurred_at"] == "2026-11-24T18:45:00+00:00"  # GMT in November
    assert [p["role"] for p in c["parties"]] == ["third_party", "witness"]
    assert c["parties"][0]["vehicle_registration"] == "TT21 ABC" and c["injury_details"]["encrypted"]
    health = api.get(f"/claims/{c['id']}/injury-details?purpose=my%20own%20claim", token=api.customer).json()
    assert health["injury_details"] == "the policyholder has whiplash" and health["logged"]  # PRV-7, PRV-11
    assert api.get(f"/claims/{c['id']}", token=api.customer).json()["id"] == c["id"]
    assert [x["id"] for x in api.get("/claims", token=api.customer).json()] == [c["id"]]
    assert api.get(f"/claims?status=notified&policy_id={pol['number']}").json()[0]["id"] == c["id"]
    assert api.get("/claims/clm_someone_elses", token=api.customer).status_code == 404
    assert "reserve" not in api.get(f"/claims/{c['id']}", token=api.customer).json()
    assert api.post(f"/claims/{c['id']}/reserve", {"amount": "10.00"}, token=api.customer).status_code == 403


def test_clm1_clm3_theft_without_crime_reference_is_a_422_naming_the_fields(api: Any) -> None:
    pol = _policy(api)
    _later(api, timedelta(days=3))
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(claim_type="theft", total_loss=True))
    assert r.status_code == 422
    assert field_names(r) == {"crime_reference", "police_incident_number"}
    assert r.json()["type"] == "/problems/validation-failed"
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(claim_type="malicious_damage"))
    assert r.status_code == 422 and field_names(r) == {"crime_reference"}
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(claim_type="windscreen_or_glass", anyone_injured=False,
                                                        injury_details=None, parties=[]))
    assert r.status_code == 201


def test_clm1_fnol_outside_cover_and_bad_shapes_name_the_field(api: Any) -> None:
    pol = _policy(api)
    _later(api, timedelta(days=3))
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(occurred_at="2026-11-20T10:00:00"))
    assert r.status_code == 422 and field_names(r) == {"occurred_at"}
    assert "was not on cover on 2026-11-20" in r.json()["errors"][0]["reason"]
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(occurred_at="yesterday", surprise=1,
                                                        parties=[{"role": "witness", "name": "W", "age": 3}]))
    assert r.status_code == 422 and field_names(r) == {"occurred_at", "surprise", "parties[0].age"}
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(anyone_injured=None, parties=[{"role": "witness"}]))
    assert r.status_code == 422 and field_names(r) == {"anyone_injured", "parties[0].name"}
    assert api.post("/policies/pol_nope/claims", _fnol()).status_code == 404


def test_clm2_clm4_handling_over_http(api: Any) -> None:
    pol = _policy(api)
    _later(api, timedelta(days=3))
    cid = api.post(f"/policies/{pol['id']}/claims", _fnol()).json()["id"]
    letter = api.post(f"/claims/{cid}/correspondence", {"direction": "in", "channel": "email",
                                                        "summary": "when will I hear?"})
    assert letter.status_code == 201 and letter.json()["clocks"][0]["rule"] == "claim.correspondence_reply"
    bad = api.post(f"/claims/{cid}/correspondence", {"direction": "in", "channel": "email", "summary": "x",
                                                     "sent_at": "2026-11-25T10:00:00Z"})
    assert bad.status_code == 422 and field_names(bad) == {"sent_at"}
    reply = api.post(f"/claims/{cid}/correspondence", {"direction": "out", "channel": "email", "summary": "soon",
                                                       "answers": [letter.json()["id"]]})
    assert reply.json()["clocks"][0]["state"] == "met_on_time"
    assert api.post(f"/claims/{cid}/reserve", {"amount": "-5.00"}).status_code == 422
    assert api.post(f"/claims/{cid}/reserve", {"amount": "800.00"}).json()["reserve"] == "800.00"
    conflict = api.post(f"/claims/{cid}/status", {"status": "settled"})
    assert conflict.status_code == 409 and field_names(conflict) == {"status"}
    assert api.post(f"/claims/{cid}/status", {"status": "under_assessment"}).status_code == 200
    assert api.post(f"/claims/{cid}/documents", {"names": ["repair invoice"]}).status_code == 201
    agreed = api.post(f"/claims/{cid}/status", {"status": "settlement_agreed", "amount": "640.00"}).json()
    assert not [d for d in agreed["clocks"] if d["rule"] == "claim.settlement_payment"]
    missing = api.post(f"/claims/{cid}/documents/received", {"name": "invoice"})
    assert missing.status_code == 422 and field_names(missing) == {"name"}
    received = api.post(f"/claims/{cid}/documents/received", {"name": "Repair invoice"}).json()
    assert [d["state"] for d in received["clocks"] if d["rule"] == "claim.settlement_payment"] == ["due_soon"]
    no_key = api.post(f"/claims/{cid}/payments", {"amount": "640.00", "payee": "Carol Customer"})
    assert no_key.status_code == 422 and field_names(no_key) == {"Idempotency-Key"}
    paid = api.post(f"/claims/{cid}/payments", {"amount": "640.00", "payee": "Carol Customer"}, key="http-pay-0001")
    assert paid.status_code == 201 and paid.json()["status"] == "settled"
    assert api.get("/ledger/reconciliation").json()["ok"] is True


def test_issue13_item11_prv7_administrator_is_refused_injury_details_like_sensitive_fields(api: Any) -> None:
    """Issue 13, item 11 (PRV-7): administrators read no sensitive field, so `/claims/{id}/injury-details` refuses
    them as `/customers/{id}/sensitive` does (403 naming `role`), by the same rule; claims staff still read them."""
    pol = _policy(api)
    _later(api, timedelta(days=3))
    c = api.post(f"/policies/{pol['id']}/claims", _fnol(), token=api.customer).json()
    for path in (f"/claims/{c['id']}/injury-details?purpose=audit", f"/customers/{api.customer_id}/sensitive?purpose=audit"):
        r = api.get(path, token=api.admin)
        assert r.status_code == 403, (path, r.json())
        assert field_names(r) == {"role"} and "admin is not one of" in r.json()["errors"][0]["reason"]
    staff = api.get(f"/claims/{c['id']}/injury-details?purpose=assess", token=api.staff).json()
    assert staff["injury_details"] == "the policyholder has whiplash"

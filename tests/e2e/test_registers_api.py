"""Legal holds, fraud markers, disclosures and breaches through HTTP (issue 3 parts 5-7; PRV-4, PRV-6,
PRV-8, SEC-1, UX-1): problem documents naming the field for bad input, the right roles, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from covernote.app.access import create_user
from tests.e2e.conftest import quote_body


def _bind(api, key: str = "bind-key-registers-1"):  # type: ignore[no-untyped-def]
    q = api.post("/quotes", quote_body(api.customer_id))
    assert q.status_code == 201, q.json()
    r = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 201, r.json()
    return r.json()


def _errors(r) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["field"] for e in r.json().get("errors", [])}


def test_prv4_holds_over_http_set_list_release(api):
    _, dpo = create_user(api.ctx, "Dee Pio", "dpo")
    policy = _bind(api)
    tomorrow = (api.ctx.today() + timedelta(days=1)).isoformat()
    r = api.post("/privacy/holds", {"scope": "policy", "scope_id": policy["number"], "reason": "Claim in court",
                                    "review_on": tomorrow})
    assert r.status_code == 201, r.json()
    hold = r.json()
    assert hold["customer_id"] == api.customer_id and hold["scope_id"] == policy["id"]
    bad = api.post("/privacy/holds", {"scope": "customer", "scope_id": "cus_nobody", "reason": "x",
                                      "review_on": tomorrow})
    assert bad.status_code == 404 and _errors(bad) == {"scope_id"}
    past = api.post("/privacy/holds", {"scope": "customer", "scope_id": api.customer_id, "reason": "x",
                                       "review_on": api.ctx.today().isoformat()})
    assert past.status_code == 422 and _errors(past) == {"review_on"}
    shape = api.post("/privacy/holds", {"scope": "customer", "review_on": "2026-02-30"})
    assert shape.status_code == 422 and {"scope_id", "reason", "review_on"} <= _errors(shape)
    assert api.post("/privacy/holds", {"scope": "customer", "scope_id": api.customer_id, "reason": "x",
                                       "review_on": tomorrow}, token=api.customer).status_code == 403
    listed = api.get("/privacy/holds?active=true&due_for_review=false").json()
    assert [h["id"] for h in listed["holds"]] == [hold["id"]]
    assert api.get("/privacy/holds?due_for_review=true").json()["holds"] == []
    assert api.get(f"/privacy/holds/{hold['id']}").json()["reason"] == "Claim in court"
    assert api.get("/privacy/holds/hld_nope").status_code == 404
    assert api.post(f"/privacy/holds/{hold['id']}/release", {"reason": "done"}).status_code == 403  # staff
    no_reason = api.post(f"/privacy/holds/{hold['id']}/release", {"reason": ""}, token=dpo)
    assert no_reason.status_code == 422 and _errors(no_reason) == {"reason"}
    released = api.post(f"/privacy/holds/{hold['id']}/release", {"reason": "Judgment given"}, token=dpo)
    assert released.status_code == 200 and not released.json()["active"]
    assert api.post(f"/privacy/holds/{hold['id']}/release", {"reason": "again"}, token=api.admin).status_code == 409


def test_s1_section10_fraud_markers_over_http_are_hidden_from_customers(api):
    _, dpo = create_user(api.ctx, "Dee Pio", "dpo")
    path = f"/customers/{api.customer_id}/fraud-markers"
    r = api.post(path, {"reason": "Address does not exist", "source": "fraud_check", "reference": "FC-1"})
    assert r.status_code == 201, r.json()
    marker = r.json()
    assert api.get(path, token=api.customer).status_code == 403
    assert api.post(path, {"reason": "x"}, token=api.customer).status_code == 403
    assert api.get("/customers/cus_other/fraud-markers", token=api.customer).status_code == 403
    assert [m["id"] for m in api.get(path).json()["markers"]] == [marker["id"]]
    bad = api.post(path, {"reason": "x", "source": "rumour"})
    assert bad.status_code == 422 and _errors(bad) == {"source"}
    assert api.post(f"{path}/{marker['id']}/remove", {"reason": "unfounded"}).status_code == 403
    removed = api.post(f"{path}/{marker['id']}/remove", {"reason": "unfounded"}, token=dpo)
    assert removed.status_code == 200 and removed.json()["removal_reason"] == "unfounded"
    assert api.post(f"{path}/{marker['id']}/remove", {"reason": "again"}, token=dpo).status_code == 409
    assert api.get(f"{path}?active=false").json()["markers"][0]["active"] is False


def test_prv6_disclosures_over_http_customer_sees_own_register(api):
    policy = _bind(api)
    path = f"/customers/{api.customer_id}/disclosures"
    own = api.get(path, token=api.customer)
    assert own.status_code == 200
    [payment] = own.json()["disclosures"]
    assert payment["recipient_kind"] == "payment_provider" and payment["reference"] == policy["payment"]["reference"]
    r = api.post(path, {"recipient": "North Yorkshire Police", "recipient_kind": "police",
                        "purpose": "fraud_prevention", "categories": ["identity", "vehicle"],
                        "reference": "NYP/118/26", "policy_id": policy["id"]})
    assert r.status_code == 201 and r.json()["lawful_basis"] == "legitimate_interests"
    bad = api.post(path, {"recipient": "x", "recipient_kind": "neighbour", "purpose": "gossip",
                          "categories": ["shoe_size"]})
    assert bad.status_code == 422 and _errors(bad) == {"recipient_kind", "purpose", "categories[0]"}
    naive = api.post(path, {"recipient": "x", "recipient_kind": "police", "purpose": "claims",
                            "categories": ["identity"], "disclosed_at": "2026-11-01T10:00:00"})
    assert naive.status_code == 422 and _errors(naive) == {"disclosed_at"}
    assert api.post(path, {"recipient": "x", "recipient_kind": "police", "purpose": "claims",
                           "categories": ["identity"]}, token=api.customer).status_code == 403
    listed = api.get(path, token=api.customer).json()
    assert len(listed["disclosures"]) == 2 and len(listed["recipients"]) == 2
    assert api.get("/customers/cus_other/disclosures", token=api.customer).status_code == 404
    assert api.get("/customers/cus_other/disclosures").status_code == 404


def test_prv8_breach_register_over_http(api):
    _, dpo = create_user(api.ctx, "Dee Pio", "dpo")
    _bind(api)
    body = {"title": "Lost laptop", "description": "An unencrypted laptop with a contact export was lost",
            "occurred_at": "2026-11-19T18:00:00Z", "aware_at": "2026-11-20T09:00:00Z", "categories": ["contact"],
            "scope": {"product_codes": ["ECO"]}}
    assert api.post("/privacy/breaches", body, token=api.customer).status_code == 403
    r = api.post("/privacy/breaches", body)
    assert r.status_code == 201, r.json()
    breach = r.json()
    assert [a["customer_id"] for a in breach["affected"]] == [api.customer_id]
    assert breach["ico_due_at"] == "2026-11-23T09:00:00+00:00" and breach["hours_left"] == 23.0
    bad = api.post("/privacy/breaches", {**body, "aware_at": "2026-11-20T09:00:00", "categories": ["x"],
                                         "scope": {"product_codes": ["NOPE"], "customer_ids": []}})
    assert bad.status_code == 422 and {"aware_at"} <= _errors(bad)
    bad = api.post("/privacy/breaches", {**body, "categories": ["x"], "scope": {"product_codes": ["NOPE"]}})
    assert bad.status_code == 422 and _errors(bad) == {"categories[0]", "scope.product_codes[0]"}
    bid = breach["id"]
    assert api.get("/privacy/breaches", token=api.customer).status_code == 403
    assert api.get("/privacy/breaches").json()["breaches"][0]["id"] == bid
    assert api.post(f"/privacy/breaches/{bid}/assessment", {"risk": "high"}).status_code == 403
    unlikely = api.post(f"/privacy/breaches/{bid}/assessment", {"risk": "unlikely"}, token=dpo)
    assert unlikely.status_code == 422 and _errors(unlikely) == {"reason"}
    api.post(f"/privacy/breaches/{bid}/assessment", {"risk": "unlikely", "reason": "Laptop found sealed"}, token=dpo)
    refused = api.post(f"/privacy/breaches/{bid}/ico-report", {"reference": "ICO-1"}, token=dpo)
    assert refused.status_code == 409
    high = api.post(f"/privacy/breaches/{bid}/assessment", {"risk": "high", "reason": "It was opened"}, token=dpo)
    assert high.json()["still_to_tell"] == 1
    reported = api.post(f"/privacy/breaches/{bid}/ico-report", {"reference": "ICO-77"}, token=dpo)
    assert reported.status_code == 200 and reported.json()["ico_reference"] == "ICO-77"
    told = api.post(f"/privacy/breaches/{bid}/notifications", {"channel": "email"}, token=dpo)
    assert told.status_code == 200 and told.json()["newly_notified"] == 1
    detail = api.get(f"/privacy/breaches/{bid}").json()
    assert (detail["notified_count"], detail["still_to_tell"]) == (1, 0)
    assert detail["affected"][0]["notified_channel"] == "email"
    assert api.get("/privacy/breaches/brc_nope").status_code == 404
    spec = api.client.get("/openapi.json").json()["paths"]
    assert {"/privacy/holds", "/privacy/breaches/{breach_id}/notifications",
            "/customers/{customer_id}/fraud-markers/{marker_id}/remove"} <= set(spec)
    assert date.fromisoformat(detail["aware_at"][:10]) == date(2026, 11, 20)

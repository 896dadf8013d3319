"""Legal holds, fraud markers, disclosures and breaches through HTTP (issue 3 parts 5-7; PRV-4, PRV-6,
PRV-8, SEC-1, UX-1): problem documents naming the field for bad input, the right roles, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from covernote.identity.usecases import create_user
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
    [payment] = [d for d in own.json()["disclosures"] if d["recipient_kind"] != "fraud_agency"]
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
    assert len(listed["disclosures"]) == 3 and len(listed["recipients"]) == 3  # with the quote's fraud check
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


def test_s1_section10_marker_removal_reason_is_kept_over_http(api):
    """S1 section 10: the removal reason is required (422 naming `reason`), kept and shown with the marker."""
    _, dpo = create_user(api.ctx, "Dee Pio", "dpo")
    path = f"/customers/{api.customer_id}/fraud-markers"
    marker = api.post(path, {"reason": "Staged accident suspected", "source": "cue"}).json()
    for body in ({}, {"reason": "   "}, {"reason": "x" * 2001}, {"reason": "ok", "extra": 1}):
        bad = api.post(f"{path}/{marker['id']}/remove", body, token=dpo)
        assert bad.status_code == 422 and _errors(bad) <= {"reason", "extra"} and _errors(bad), body
    assert api.get(path).json()["markers"][0]["active"]
    removed = api.post(f"{path}/{marker['id']}/remove", {"reason": "CUE match was another vehicle"}, token=dpo)
    assert removed.status_code == 200 and removed.json()["removal_reason"] == "CUE match was another vehicle"
    [listed] = api.get(f"{path}?active=false").json()["markers"]
    assert listed["removal_reason"] == "CUE match was another vehicle" and listed["active"] is False


def test_prv6_withheld_disclosures_over_http_staff_see_them_the_customer_does_not(api):
    """PRV-6, PRV-3 (DPA 2018 Sch. 2 para 2): staff record a disclosure withheld from the person; the
    customer's own register (and its package) is unchanged by it; bad combinations are 422 naming the field."""
    _bind(api)
    path = f"/customers/{api.customer_id}/disclosures"
    before = api.get(path, token=api.customer).json()
    police = {"recipient": "Humber Police", "recipient_kind": "police", "purpose": "fraud_prevention",
              "categories": ["identity"], "reference": "HP/heron/31"}
    bad = api.post(path, {**police, "withhold": True})
    assert bad.status_code == 422 and _errors(bad) == {"withheld_reason"}
    bad = api.post(path, {**police, "recipient_kind": "broker", "withhold": True, "withheld_reason": "x"})
    assert bad.status_code == 422 and _errors(bad) == {"withhold"}
    bad = api.post(path, {**police, "withhold": "perhaps", "withheld_reason": "x"})
    assert bad.status_code == 422 and _errors(bad) == {"withhold"}
    assert api.post(path, {**police, "withhold": True, "withheld_reason": "x"}, token=api.customer).status_code == 403
    r = api.post(path, {**police, "withhold": True, "withheld_reason": "Operation Heron: suspect not to be alerted"})
    assert r.status_code == 201, r.json()
    assert r.json()["withheld_from_subject"] is True
    own = api.get(path, token=api.customer).json()
    assert own == before and "heron" not in str(own).lower()
    staff = api.get(path).json()
    assert [(d["recipient_kind"], d["withheld_from_subject"]) for d in staff["disclosures"]
            if d["recipient_kind"] != "fraud_agency"] == [  # and the quote's fraud check (REG-3), withheld
        ("payment_provider", False), ("police", True)]
    # the customer's access package leaves it out, and says that such disclosures may be left out
    case = api.post(f"/customers/{api.customer_id}/requests", {"kind": "access"}, token=api.customer)
    assert case.status_code == 201, case.json()
    package = api.get(f"/privacy/requests/{case.json()['id']}/package", token=api.customer)
    assert package.status_code == 200 and "heron" not in package.text.lower()
    assert {"disclosures"} <= {x["register"] for x in package.json()["not_included"]}


def test_prv8_closing_a_breach_over_http(api):
    """PRV-8: POST /privacy/breaches/{id}/close, DPO or admin only: 409 naming what is outstanding, 422 for
    a blank note, 200 when closed; afterwards every change is 409; the list filters open and closed."""
    _, dpo = create_user(api.ctx, "Dee Pio", "dpo")
    _bind(api)
    body = {"title": "Lost laptop", "description": "A laptop with a contact export was lost",
            "aware_at": "2026-11-20T09:00:00Z", "categories": ["contact"]}
    bid = api.post("/privacy/breaches", body).json()["id"]
    close = f"/privacy/breaches/{bid}/close"
    assert api.post(close, {"note": "done"}).status_code == 403  # staff
    assert api.post(close, {"note": "done"}, token=api.customer).status_code == 403
    blank = api.post(close, {"note": "  "}, token=dpo)
    assert blank.status_code == 422 and _errors(blank) == {"note"}
    missing = api.post(close, {}, token=dpo)
    assert missing.status_code == 422 and _errors(missing) == {"note"}
    early = api.post(close, {"note": "done"}, token=dpo)
    assert early.status_code == 409 and _errors(early) == {"risk"}
    api.post(f"/privacy/breaches/{bid}/assessment", {"risk": "high", "reason": "Unencrypted"}, token=dpo)
    early = api.post(close, {"note": "done"}, token=dpo)
    assert early.status_code == 409 and _errors(early) == {"ico_reported_at", "still_to_tell"}
    api.post(f"/privacy/breaches/{bid}/ico-report", {"reference": "ICO-8"}, token=dpo)
    api.post(f"/privacy/breaches/{bid}/notifications", {"channel": "email"}, token=dpo)
    done = api.post(close, {"note": "Laptop wiped remotely; all told"}, token=api.admin)
    assert done.status_code == 200, done.json()
    assert done.json()["closed"] and done.json()["closure_note"] == "Laptop wiped remotely; all told"
    assert api.post(close, {"note": "again"}, token=dpo).status_code == 409
    assert api.post(f"/privacy/breaches/{bid}/assessment", {"risk": "risk"}, token=dpo).status_code == 409
    assert api.post(f"/privacy/breaches/{bid}/notifications", {"channel": "post"}, token=dpo).status_code == 409
    assert api.post("/privacy/breaches/brc_nope/close", {"note": "x"}, token=dpo).status_code == 404
    other = api.post("/privacy/breaches", {**body, "title": "Still open"}).json()["id"]
    assert [b["id"] for b in api.get("/privacy/breaches?closed=true").json()["breaches"]] == [bid]
    assert [b["id"] for b in api.get("/privacy/breaches?closed=false").json()["breaches"]] == [other]
    assert api.get("/privacy/breaches").json()["open"] == 1
    assert api.get("/privacy/breaches?closed=maybe").status_code == 422
    assert "/privacy/breaches/{breach_id}/close" in api.client.get("/openapi.json").json()["paths"]


def test_issue13_item3_staff_withhold_a_fraud_check_disclosure_case_by_case_over_http(api):
    """Issue 13 item 3: the routine fraud check reaches the customer's register; staff withhold it case by
    case with a reason (PUT /disclosures/{id}/withholding), and show it again; a customer may not; no reason
    is a 422 naming withheld_reason."""
    _bind(api)
    path = f"/customers/{api.customer_id}/disclosures"
    [check] = [d for d in api.get(path, token=api.customer).json()["disclosures"] if d["recipient_kind"] == "fraud_agency"]
    url = f"/disclosures/{check['id']}/withholding"
    assert api.client.put(url, json={"withhold": True, "withheld_reason": "Op Lark"},
                          headers=api.headers(api.customer)).status_code == 403
    bad = api.client.put(url, json={"withhold": True}, headers=api.headers())
    assert bad.status_code == 422 and _errors(bad) == {"withheld_reason"}
    done = api.client.put(url, json={"withhold": True, "withheld_reason": "Op Lark: suspect not to be alerted"},
                          headers=api.headers())
    assert done.status_code == 200 and done.json()["withheld_from_subject"] is True
    assert check["id"] not in {d["id"] for d in api.get(path, token=api.customer).json()["disclosures"]}
    shown = api.client.put(url, json={"withhold": False}, headers=api.headers())
    assert shown.status_code == 200 and shown.json()["withheld_reason"] is None
    assert check["id"] in {d["id"] for d in api.get(path, token=api.customer).json()["disclosures"]}
    assert api.client.put("/disclosures/dsc_none/withholding", json={"withhold": False},
                          headers=api.headers()).status_code == 404

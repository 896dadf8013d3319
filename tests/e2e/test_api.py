"""The REST API end to end (UX-1, POL-1..6, PAY-5, SEC-1): through HTTP, with problem documents for
every bad input and never a 500."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import quote_body, risk_body


def _bind(api, key="bind-key-0001", token="tok_visa", **kw):  # type: ignore[no-untyped-def]
    q = api.post("/quotes", quote_body(api.customer_id, **kw))
    assert q.status_code == 201, q.json()
    r = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": token}}, key=key)
    return q.json(), r


def test_health_and_openapi(api):
    assert api.client.get("/health").json()["status"] == "ok"
    spec = api.client.get("/openapi.json").json()
    assert "/policies/{policy_id}/cancellations/{quote_id}/confirm" in spec["paths"]


def test_prd1_products_listed_with_versions_and_fees(api):
    products = api.get("/products").json()
    assert {p["code"] for p in products} == {"ECO", "YOUNG_DRIVER", "WARRANTY", "FULLCOVER"}
    eco = api.get("/products/ECO").json()
    assert eco["version"] == "2026.7"
    assert [v["version"] for v in eco["versions"]] == ["2024.1", "2026.7"]
    assert {f["code"]: f["amount"] for f in eco["fees"]} == {
        "cancellation_cooling_off": "35.00", "cancellation": "50.00", "mta_admin": "15.00", "returned_direct_debit": "20.00"}
    assert api.get("/products/ECO?on=2025-03-01").json()["version"] == "2024.1"
    assert api.get("/products/NOPE").status_code == 404


def test_prd6_quote_is_explained_and_records_versions(api):
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    assert q["product"] == "ECO@2026.7"
    assert q["rating"]["table_version"] == "eco-rates-2026.7"
    steps = [s["step"] for s in q["rating"]["trace"]]
    assert steps[0] == "base rate" and "no-claims discount" in steps
    assert q["rating"]["trace"][-1]["amount_after"] == q["premium"]
    # IPT at 12% on premium, rounded half-up to the penny (POL-6)
    from decimal import ROUND_HALF_UP, Decimal
    assert Decimal(q["ipt"]) == (Decimal(q["premium"]) * Decimal("0.12")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert q["total_payable"] == f"{Decimal(q['premium']) + Decimal(q['ipt']):.2f}"


def test_bad_input_names_field_and_reason(api):
    r = api.post("/quotes", {"product_code": "ECO", "start_date": "2026-02-30", "risk": {"postcode": "x"}})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"start_date", "risk.vehicle", "risk.postcode"} <= fields
    r = api.post("/quotes", quote_body(api.customer_id, reg="NOT A REG", mileage=50))
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"risk.vehicle.registration", "risk.answers.annual_mileage"}
    r = api.post("/quotes", quote_body(api.customer_id, start="2026-11-01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "start_date"
    r = api.client.post("/quotes", content=b"{not json", headers={**api.headers(), "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"
    assert api.client.get("/policies").status_code == 401
    assert api.get("/policies", token="cn_wrong").status_code == 401


def test_pol1_bind_is_idempotent_and_takes_payment(api):
    q, r = _bind(api)
    assert r.status_code == 201
    policy = r.json()
    assert policy["payment"]["amount"] == q["total_payable"]
    again = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-key-0001")
    assert again.status_code == 201 and again.json()["id"] == policy["id"] and again.json()["idempotent_replay"]
    other = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-key-0002")
    assert other.status_code == 409
    changed = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_mastercard"}}, key="bind-key-0001")
    assert changed.status_code == 409 and changed.json()["errors"][0]["field"] == "Idempotency-Key"
    missing = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "Idempotency-Key"


def test_declined_card_writes_nothing(api):
    q, r = _bind(api, token="tok_declined")
    assert r.status_code == 402
    assert api.get("/policies").json() == []
    assert api.get(f"/quotes/{q['id']}").json()["status"] == "open"
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_timeout"}}, key="bind-key-0003")
    assert r.status_code == 503
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-key-0004")
    assert r.status_code == 201


def test_pol2_adjustment_quote_then_confirm_and_stale_quote_conflicts(api, clock):
    _, r = _bind(api)
    pid = r.json()["id"]
    clock.advance(timedelta(days=10))
    body = {"effective_date": "2026-12-02", "reason": "more miles",
            "changes": [{"op": "set_answer", "question": "annual_mileage", "value": 16000}]}
    first = api.post(f"/policies/{pid}/adjustments", body).json()
    second = api.post(f"/policies/{pid}/adjustments", {**body, "reason": "other"}).json()
    assert first["fees"] == [{"code": "mta_admin", "name": "Administration fee for a change", "amount": "15.00"}]
    ok = api.post(f"/policies/{pid}/adjustments/{first['id']}/confirm", key="mta-key-0001")
    assert ok.status_code == 200, ok.json()
    stale = api.post(f"/policies/{pid}/adjustments/{second['id']}/confirm", key="mta-key-0002")
    assert stale.status_code == 409
    history = api.get(f"/policies/{pid}/history").json()
    assert [t["kind"] for t in history["transactions"]] == ["new_business", "mta"]
    assert len(history["terms"][0]["versions"]) == 2
    bad = api.post(f"/policies/{pid}/adjustments", {**body, "changes": [{"op": "remove_driver", "driver_id": "nobody"}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "changes"


def test_pol5_cancellation_shows_how_the_refund_was_made_and_statement_balances(api, clock):
    _q, r = _bind(api)
    pid = r.json()["id"]
    clock.advance(timedelta(days=5))
    quote = api.post(f"/policies/{pid}/cancellations", {"effective_date": "2026-11-27", "reason": "sold car"}).json()
    assert quote["within_cooling_off"] is True
    assert quote["cancellation_fees"][0]["amount"] == "35.00"
    done = api.post(f"/policies/{pid}/cancellations/{quote['id']}/confirm", key="cancel-key-0001")
    assert done.status_code == 200
    assert done.json()["payment"]["kind"] == "refund"
    assert done.json()["payment"]["amount"] == quote["refund_total"]
    statement = api.get(f"/policies/{pid}/statement").json()
    assert statement["balance"] == "0.00"
    assert statement["accounts"]["fees:cancellation_cooling_off"] == "-35.00"
    assert api.get("/ledger/reconciliation").json()["ok"] is True
    assert api.get(f"/policies/{pid}").json()["status"] == "cancelled"


def test_pol3_renewal_offer_never_above_new_business_and_auto_renew_switch(api, clock):
    _, r = _bind(api)
    pid = r.json()["id"]
    clock.advance(timedelta(days=340))
    offer = api.post(f"/policies/{pid}/renewals").json()
    assert offer["kind"] == "renewal"
    assert float(offer["premium"]) <= float(offer["equivalent_new_business_premium"])
    assert offer["last_year_premium"] == r.json()["current_term"]["premium_charged"]
    off = api.client.patch(f"/policies/{pid}", json={"auto_renew": False, "version": 1},
                           headers=api.headers(key="auto-renew-off-1"))
    assert off.status_code == 200 and off.json()["auto_renew"] is False
    stale = api.client.patch(f"/policies/{pid}", json={"auto_renew": True, "version": 1},
                             headers=api.headers(key="auto-renew-on-1"))
    assert stale.status_code == 409
    done = api.post(f"/policies/{pid}/renewals/{offer['id']}/confirm", key="renew-key-0001")
    assert done.status_code == 409  # the policy changed (auto-renew switched) since the offer
    offer = api.post(f"/policies/{pid}/renewals").json()
    done = api.post(f"/policies/{pid}/renewals/{offer['id']}/confirm", key="renew-key-0002")
    assert done.status_code == 200 and done.json()["terms"] == 2


def test_sec1_customer_sees_only_own_and_cannot_void(api):
    _, r = _bind(api)
    pid = r.json()["id"]
    other = api.post("/customers", {"name": "Other", "email": "o@example.org", "address": "2 Road", "postcode": "M1 1AE"}).json()
    q = api.post("/quotes", quote_body(other["id"])).json()
    api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-key-other")
    mine = api.get("/policies", token=api.customer).json()
    assert [p["id"] for p in mine] == [pid]
    assert api.get(f"/quotes/{q['id']}", token=api.customer).status_code == 404
    assert api.post(f"/policies/{pid}/voidance", {"reason": "fraud"}, token=api.customer, key="void-key-01").status_code == 403
    own_quote = api.post("/quotes", quote_body(None), token=api.customer)
    assert own_quote.status_code == 201 and own_quote.json()["customer_id"] == api.customer_id
    assert api.post("/customers", {"name": "x", "email": "x@example.org", "address": "y", "postcode": "M1 1AE"},
                    token=api.customer).status_code == 403


def test_pol4_voidance_keeps_premium(api):
    q, r = _bind(api)
    pid = r.json()["id"]
    v = api.post(f"/policies/{pid}/voidance", {"reason": "false claims history"}, key="void-key-0001")
    assert v.status_code == 200
    assert api.get(f"/policies/{pid}").json()["status"] == "void"
    statement = api.get(f"/policies/{pid}/statement").json()
    assert statement["accounts"]["premium:written"] == "-" + q["premium"]
    assert api.post(f"/policies/{pid}/cancellations", {"effective_date": "2026-11-30", "reason": "x"}).status_code == 422


def test_pay5_reversal_endpoint_is_admin_only_and_awaits_correction_in_reconciliation(api):
    _, r = _bind(api)
    pid = r.json()["id"]
    entry = api.get(f"/policies/{pid}/statement").json()["entries"][0]
    assert api.post(f"/ledger/entries/{entry['id']}/reversal", {"reason": "x"}).status_code == 403
    rev = api.post(f"/ledger/entries/{entry['id']}/reversal", {"reason": "posted in error"}, token=api.admin)
    assert rev.status_code == 201
    assert [p["amount"] for p in rev.json()["postings"]] == [
        str(-__import__("decimal").Decimal(p["amount"])) for p in entry["postings"]]
    assert api.post(f"/ledger/entries/{entry['id']}/reversal", {"reason": "again"}, token=api.admin).status_code == 409
    report = api.get("/ledger/reconciliation").json()
    assert report["ok"] is True and [w["entry_id"] for w in report["awaiting_correction"]] == [entry["id"]]


def test_risk_body_helper_is_valid():
    assert risk_body()["vehicle"]["registration"] == "AB12 CDE"


def test_health_is_503_when_the_database_is_not_ready(tmp_path, catalogue):
    """An empty, unmigrated database: the service is up but not ready."""
    from fastapi.testclient import TestClient

    from covernote.api.app import create_app
    from tests.conftest import make_ctx

    ctx = make_ctx(f"sqlite:///{tmp_path / 'unmigrated.db'}", catalogue)
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        r = client.get("/health")
    assert r.status_code == 503 and r.json()["type"] == "/problems/service-unavailable"


def test_prv1_data_map_is_exported_as_json_and_csv_to_staff_only(api):
    data = api.get("/privacy/data-map").json()
    assert data["counts"]["personal"] > 50
    assert {"customer", "named_driver", "user"} <= set(data["summary"])
    csv_text = api.client.get("/privacy/data-map?format=csv", headers=api.headers()).text
    assert csv_text.splitlines()[0].startswith("field,personal,subject,category")
    assert any(line.startswith("customers.email,yes,customer,contact") for line in csv_text.splitlines())
    assert api.get("/privacy/data-map", token=api.customer).status_code == 403
    assert api.get("/privacy/data-map?format=xml").status_code == 422


def test_prv2_consents_recorded_by_the_customer_take_effect_at_once_with_history(api, clock):
    from covernote.privacy.domain.consent import Channel
    from covernote.privacy.usecases.consent import marketing_permitted

    path = f"/customers/{api.customer_id}/consents"
    grant = {"channel": "email", "granted": True, "wording": "Yes, e-mail me offers from Covernote insurers."}
    assert api.post(path, grant, token=api.customer).status_code == 201
    assert marketing_permitted(api.ctx, api.customer_id, Channel.EMAIL)
    clock.advance(timedelta(minutes=5))
    withdraw = {**grant, "granted": False, "wording": "No more e-mail offers, please."}
    assert api.post(path, withdraw, token=api.customer).status_code == 201
    assert not marketing_permitted(api.ctx, api.customer_id, Channel.EMAIL)
    state = api.get(path, token=api.customer).json()
    assert [h["granted"] for h in state["history"]] == [True, False]
    email = next(c for c in state["current"] if c["channel"] == "email" and c["purpose"] == "marketing")
    assert email["granted"] is False and email["decision"]["wording"] == "No more e-mail offers, please."
    other = api.post("/customers", {"name": "Other", "email": "o@example.org", "address": "2 Road", "postcode": "M1 1AE"}).json()
    assert api.get(f"/customers/{other['id']}/consents", token=api.customer).status_code == 404
    assert api.post(path, {**grant, "source": "paper"}, token=api.customer).status_code == 422
    assert api.post(path, {**grant, "source": "phone"}).status_code == 201  # staff record what was said on the phone
    assert api.post(path, {**grant, "wording": "yes"}).status_code == 422


def test_issue13_item5_pol1_auto_renew_switch_is_a_transaction_in_the_history(api):
    """Issue 13 item 5, POL-1: switching automatic renewal off and on is a transaction in the policy's
    history (who, when, why), under an Idempotency-Key: a retry answers without recording it twice."""
    _, r = _bind(api)
    pid = r.json()["id"]
    no_key = api.client.patch(f"/policies/{pid}", json={"auto_renew": False}, headers=api.headers())
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.text
    body = {"auto_renew": False, "version": 1, "reason": "customer moving abroad"}
    off = api.client.patch(f"/policies/{pid}", json=body, headers=api.headers(key="auto-renew-off-77"))
    assert off.status_code == 200, off.text
    assert off.json()["auto_renew"] is False and off.json()["version"] == 2
    again = api.client.patch(f"/policies/{pid}", json=body, headers=api.headers(key="auto-renew-off-77"))
    assert again.status_code == 200 and again.json()["version"] == 2  # replayed, not recorded twice
    other = api.client.patch(f"/policies/{pid}", json={**body, "auto_renew": True},
                             headers=api.headers(key="auto-renew-off-77"))
    assert other.status_code == 409  # the same key for a different request
    history = api.get(f"/policies/{pid}/history").json()["transactions"]
    switches = [t for t in history if t["kind"] == "auto_renew"]
    assert len(switches) == 1
    (t,) = switches
    assert t["id"] == off.json()["transaction_id"]
    assert t["reason"] == "customer moving abroad" and t["by"]["role"] == "staff" and t["recorded_at"]
    assert t["details"] == {"auto_renew": False, "was": True}
    on = api.client.patch(f"/policies/{pid}", json={"auto_renew": True}, headers=api.headers(key="auto-renew-on-78"))
    assert on.status_code == 200 and on.json()["auto_renew"] is True
    kinds = [t["kind"] for t in api.get(f"/policies/{pid}/history").json()["transactions"]]
    assert kinds.count("auto_renew") == 2
    same = api.client.patch(f"/policies/{pid}", json={"auto_renew": True}, headers=api.headers(key="auto-renew-on-79"))
    assert same.status_code == 200 and "transaction_id" not in same.json()  # already on: nothing to record

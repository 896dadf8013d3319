"""Data subject requests through the REST API (PRV-3, PRV-4): customers start their own access,
portability and erasure requests; staff record the rest and move cases along; the package, the
export and the erasure plan; restriction, objection and rectification; problem documents naming the
field for every refusal, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from covernote.identity.usecases import create_user
from tests.e2e.conftest import quote_body


def _bind(api: Any, key: str = "req-bind-0001") -> dict[str, Any]:
    q = api.post("/quotes", quote_body(api.customer_id))
    assert q.status_code == 201, q.json()
    r = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 201, r.json()
    return dict(r.json())


def _other_customer(api: Any) -> tuple[str, str]:
    other = api.post("/customers", {"name": "Otto Other", "email": "otto@example.org", "address": "2 Road, Leeds",
                                    "postcode": "LS2 7HX"}).json()
    _, token = create_user(api.ctx, "Otto", "customer", other["id"])
    return other["id"], token


def _field(r: Any) -> str:
    return str(r.json()["errors"][0]["field"])


def _start(api: Any, body: dict[str, Any], token: str | None = None, customer: str | None = None) -> Any:
    return api.post(f"/customers/{customer or api.customer_id}/requests", body, token=token)


def test_prv3_customer_starts_own_requests_verified_and_due_in_a_calendar_month(api):
    """PRV-3: the customer's own token starts access, portability and erasure requests, identity verified
    by the login and due one calendar month after today; rectification is for staff (403 naming kind);
    another customer's case is a 404."""
    started = {}
    for kind in ("access", "portability", "erasure"):
        r = _start(api, {"kind": kind}, token=api.customer)
        assert r.status_code == 201, r.json()
        v = r.json()
        assert v["status"] == "in_progress" and v["identity"]["verified"] and v["channel"] == "api"
        assert v["timing"]["received_on"] == "2026-11-22" and v["timing"]["due_on"] == "2026-12-22"
        assert v["timing"]["days_left"] == 30 and v["timing"]["overdue"] is False
        started[kind] = v["id"]
    r = _start(api, {"kind": "rectification", "details": {"corrections": {"name": "Carol C"}}}, token=api.customer)
    assert r.status_code == 403 and _field(r) == "kind"
    r = api.get(f"/privacy/requests/{started['access']}", token=api.customer)
    assert r.status_code == 200 and [e["kind"] for e in r.json()["events"]] == ["received"]
    _, other_token = _other_customer(api)
    assert api.get(f"/privacy/requests/{started['access']}", token=other_token).status_code == 404
    assert _start(api, {"kind": "access"}, token=other_token).status_code == 404  # not their customer record
    assert api.get(f"/privacy/requests/{started['access']}/package", token=other_token).status_code == 404
    mine = api.get("/privacy/requests", token=api.customer).json()["requests"]
    assert {v["id"] for v in mine} == set(started.values())
    assert api.get(f"/privacy/requests?customer_id={api.customer_id}", token=other_token).json()["requests"] == []
    assert api.post(f"/privacy/requests/{started['access']}/refusal", {"reason": "no"},
                    token=api.customer).status_code == 403
    r = _start(api, {"kind": "access", "colour": "blue"}, token=api.customer)
    assert r.status_code == 422 and _field(r) == "colour"
    assert api.get("/privacy/requests/dsr_nope").status_code == 404


def test_prv3_staff_move_a_postal_case_through_identity_clarification_extension_and_refusal(api, clock):
    """PRV-3: a postal request waits for identity with the clock stopped; staff verify identity, ask for
    clarification (clock stopped again), extend within the first month only, and refuse with a reason."""
    r = _start(api, {"kind": "access", "channel": "post", "received_on": "2026-11-20",
                     "details": {"description": "all my data"}})
    assert r.status_code == 201, r.json()
    case = r.json()
    rid = case["id"]
    assert case["status"] == "awaiting_identity" and case["identity"]["verified"] is False
    assert case["pauses"][0]["end"] is None and case["timing"]["days_paused"] == 3  # 20, 21 and 22 November
    assert case["timing"]["due_on"] == "2026-12-23"
    r = api.post(f"/privacy/requests/{rid}/clarification", {"question": "Which policy?"})
    assert r.status_code == 409  # identity first
    clock.advance(timedelta(days=2))
    r = api.post(f"/privacy/requests/{rid}/identity", {"method": "utility bill and passport copy"})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert r.json()["timing"]["days_paused"] == 4 and r.json()["timing"]["due_on"] == "2026-12-24"
    r = api.post(f"/privacy/requests/{rid}/identity", {"method": "again"})
    assert r.status_code == 409
    r = api.post(f"/privacy/requests/{rid}/clarification", {"question": "Which policy do you mean?"})
    assert r.status_code == 200 and r.json()["status"] == "awaiting_clarification"
    clock.advance(timedelta(days=3))
    r = api.post(f"/privacy/requests/{rid}/clarification-received")
    assert r.status_code == 200 and r.json()["timing"]["days_paused"] == 7
    r = api.post(f"/privacy/requests/{rid}/extension", {"notified_on": "2026-11-27", "reason": ""})
    assert r.status_code == 422 and _field(r) == "reason"
    r = api.post(f"/privacy/requests/{rid}/extension", {"notified_on": "2026-11-27",
                                                         "reason": "ten years of records across three products"})
    assert r.status_code == 200
    ext = r.json()
    assert ext["extension"]["notified_on"] == "2026-11-27"
    # 20 February 2027 + 7 paused days = Saturday 27 February -> Monday 1 March
    assert ext["timing"]["extended_due_on"] == "2027-03-01" == ext["timing"]["effective_due_on"]
    r = api.post(f"/privacy/requests/{rid}/refusal", {"reason": "   "})
    assert r.status_code == 422 and _field(r) == "reason"
    r = api.post(f"/privacy/requests/{rid}/refusal", {"reason": "the same request was answered on 1 November"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert "ico.org.uk" in r.json()["outcome"]["right_to_complain"]
    assert api.post(f"/privacy/requests/{rid}/withdrawal").status_code == 409
    kinds = [e["kind"] for e in api.get(f"/privacy/requests/{rid}").json()["events"]]
    assert kinds == ["received", "identity_verified", "clarification_asked", "clarification_received", "extended",
                     "refused"]

    # an extension notified after the first month is refused, naming the date
    late = _start(api, {"kind": "access", "channel": "email", "identity_method": "known e-mail address"}).json()
    clock.advance(timedelta(days=40))
    r = api.post(f"/privacy/requests/{late['id']}/extension",
                 {"notified_on": clock.now().date().isoformat(), "reason": "complex"})
    assert r.status_code == 422 and _field(r) == "extension_notified_on"
    r = api.post(f"/privacy/requests/{late['id']}/extension", {"notified_on": "2099-01-01", "reason": "complex"})
    assert r.status_code == 422 and _field(r) == "notified_on"
    r = _start(api, {"kind": "access", "channel": "post", "received_on": "2030-01-01"})
    assert r.status_code == 422 and _field(r) == "received_on"
    r = _start(api, {"kind": "access", "channel": "post", "nation": "Atlantis"})
    assert r.status_code == 422 and _field(r) == "nation"
    r = _start(api, {"kind": "access"})
    assert r.status_code == 422 and _field(r) == "channel"


def test_prv3_overdue_queue_with_the_clock_past_the_due_date(api, clock):
    """PRV-3: GET /privacy/requests?overdue_only=true lists open cases past their due date; waiting for
    identity does not make a case overdue; completed cases leave the queue."""
    due = _start(api, {"kind": "access", "channel": "email", "identity_method": "known e-mail address"}).json()
    waiting = _start(api, {"kind": "access", "channel": "post"}).json()
    answered = _start(api, {"kind": "objection", "channel": "phone", "identity_method": "security questions",
                            "details": {"to": ["marketing"]}}).json()
    assert api.post(f"/privacy/requests/{answered['id']}/fulfilment", {}).status_code == 200
    assert api.get("/privacy/requests?overdue_only=true").json()["requests"] == []
    clock.advance(timedelta(days=30))  # 22 December: due today, not yet overdue
    assert api.get("/privacy/requests?overdue_only=true").json()["requests"] == []
    clock.advance(timedelta(days=1))
    queue = api.get("/privacy/requests?overdue_only=true").json()
    assert [v["id"] for v in queue["requests"]] == [due["id"]] and queue["today"] == "2026-12-23"
    assert queue["requests"][0]["timing"]["days_left"] < 0
    assert {v["id"] for v in api.get("/privacy/requests?open_only=true").json()["requests"]} == {
        due["id"], waiting["id"]}
    mine = api.get("/privacy/requests?overdue_only=true", token=api.customer).json()["requests"]
    assert [v["id"] for v in mine] == [due["id"]]  # the case is the customer's own
    _, other_token = _other_customer(api)
    assert api.get("/privacy/requests?overdue_only=true", token=other_token).json()["requests"] == []
    assert api.get("/privacy/requests?limit=0").status_code == 422


def test_prv3_restriction_needs_acknowledgement_then_blocks_quotes_until_lifted(api):
    """PRV-3: restriction with a live policy is a 409 naming acknowledge_cover_effects; once acknowledged
    new quotes are 409 and marketing stops; lifting restores them."""
    from covernote.privacy.domain.consent import Channel
    from covernote.privacy.usecases.consent import marketing_permitted

    policy = _bind(api)
    grant = {"channel": "email", "granted": True, "wording": "Yes, e-mail me offers from Covernote insurers."}
    assert api.post(f"/customers/{api.customer_id}/consents", grant, token=api.customer).status_code == 201
    case = _start(api, {"kind": "restriction", "channel": "phone", "identity_method": "security questions",
                        "details": {"ground": "accuracy_contested"}}).json()
    r = api.post(f"/privacy/requests/{case['id']}/fulfilment", {})
    assert r.status_code == 409 and _field(r) == "acknowledge_cover_effects"
    assert policy["number"] in r.json()["errors"][0]["reason"]
    assert api.post("/quotes", quote_body(api.customer_id)).status_code == 201  # not restricted yet
    r = api.post(f"/privacy/requests/{case['id']}/fulfilment", {"acknowledge_cover_effects": True})
    assert r.status_code == 200 and r.json()["outcome"]["flags_set"] == ["restriction"]
    flags = api.get(f"/customers/{api.customer_id}/processing-flags", token=api.customer).json()
    assert flags["in_force"] == ["restriction"]
    r = api.post("/quotes", quote_body(api.customer_id))
    assert r.status_code == 409 and _field(r) == "customer_id"
    assert not marketing_permitted(api.ctx, api.customer_id, Channel.EMAIL)
    assert api.post(f"/customers/{api.customer_id}/processing-flags/nonsense/lift").status_code == 422
    r = api.post(f"/customers/{api.customer_id}/processing-flags/restriction/lift")
    assert r.status_code == 200 and r.json()["in_force"] == []
    assert api.post("/quotes", quote_body(api.customer_id)).status_code == 201
    assert marketing_permitted(api.ctx, api.customer_id, Channel.EMAIL)
    assert api.post(f"/customers/{api.customer_id}/processing-flags/restriction/lift").status_code == 409


def test_prv3_objection_consent_withdrawal_and_rectification(api):
    """PRV-3: an objection to marketing blocks marketing; a consent withdrawal withdraws per channel; a
    rectification with a bad e-mail names `email` and changes nothing, a good one corrects the record and
    lists the recipients to tell."""
    from covernote.privacy.domain.consent import Channel
    from covernote.privacy.usecases.consent import marketing_permitted

    _bind(api)
    for channel in ("email", "sms"):
        grant = {"channel": channel, "granted": True, "wording": "Yes, send me offers from Covernote insurers."}
        assert api.post(f"/customers/{api.customer_id}/consents", grant, token=api.customer).status_code == 201
    staff = {"channel": "phone", "identity_method": "security questions"}
    objection = _start(api, {"kind": "objection", **staff, "details": {"to": ["marketing"]}}).json()
    assert api.post(f"/privacy/requests/{objection['id']}/fulfilment", {}).status_code == 200
    assert not marketing_permitted(api.ctx, api.customer_id, Channel.SMS)
    assert api.post(f"/customers/{api.customer_id}/processing-flags/marketing_objection/lift").status_code == 200
    assert marketing_permitted(api.ctx, api.customer_id, Channel.SMS)

    withdrawal = _start(api, {"kind": "consent_withdrawal", **staff, "details": {"channels": ["sms"]}}).json()
    r = api.post(f"/privacy/requests/{withdrawal['id']}/fulfilment", {})
    assert r.status_code == 200 and r.json()["outcome"] == {"consents_withdrawn": ["sms"]}
    assert not marketing_permitted(api.ctx, api.customer_id, Channel.SMS)
    assert marketing_permitted(api.ctx, api.customer_id, Channel.EMAIL)
    r = _start(api, {"kind": "consent_withdrawal", **staff, "details": {"channels": ["carrier pigeon"]}})
    assert r.status_code == 422 and _field(r) == "details.channels"

    bad = _start(api, {"kind": "rectification", **staff, "details": {"corrections": {"email": "carol at home"}}})
    assert bad.status_code == 422 and _field(bad) == "details.corrections.email"  # refused before a case opens
    assert api.get(f"/customers/{api.customer_id}").json()["email"] == "ann@example.org"
    good = _start(api, {"kind": "rectification", **staff,
                        "details": {"corrections": {"email": "carol@example.net", "name": "Carol Corrected"}}}).json()
    r = api.post(f"/privacy/requests/{good['id']}/fulfilment", {})
    assert r.status_code == 200, r.json()
    assert r.json()["outcome"]["corrected"] == ["email", "name"]
    assert sorted(x["recipient_kind"] for x in r.json()["outcome"]["recipients_to_tell"]) == [
        "fraud_agency", "payment_provider"]  # the quote's fraud check is shown (issue 13 item 3)
    customer = api.get(f"/customers/{api.customer_id}", token=api.customer).json()
    assert (customer["name"], customer["email"]) == ("Carol Corrected", "carol@example.net")
    r = _start(api, {"kind": "rectification", **staff, "details": {"corrections": {"policy_number": "X"}}})
    assert r.status_code == 422 and _field(r) == "details.corrections.policy_number"


def test_prv3_access_package_and_portability_export_for_the_customer(api):
    """PRV-3: the customer downloads their package (JSON or escaped HTML) and their portability export
    (JSON or CSV) for their own verified cases; a case awaiting identity releases nothing (409)."""
    _bind(api)
    access = _start(api, {"kind": "access"}, token=api.customer).json()
    r = api.get(f"/privacy/requests/{access['id']}/package", token=api.customer)
    assert r.status_code == 200
    package = r.json()
    assert package["request"]["status"] == "completed"
    assert package["records"]["customers"][0]["name"] == "Carol Customer"
    page = api.get(f"/privacy/requests/{access['id']}/package?format=html", token=api.customer)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Carol Customer" in page.text and "Your rights" in page.text
    assert api.get(f"/privacy/requests/{access['id']}/package?format=pdf", token=api.customer).status_code == 422
    port = _start(api, {"kind": "portability"}, token=api.customer).json()
    as_json = api.get(f"/privacy/requests/{port['id']}/export", token=api.customer)
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    as_csv = api.get(f"/privacy/requests/{port['id']}/export?format=csv", token=api.customer)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert len(as_csv.text.strip().splitlines()) == len(as_json.json()["provided_by_you"]) + 1
    r = api.get(f"/privacy/requests/{access['id']}/export", token=api.customer)
    assert r.status_code == 409 and _field(r) == "request_id"
    postal = _start(api, {"kind": "access", "channel": "post"}).json()
    assert api.get(f"/privacy/requests/{postal['id']}/package").status_code == 409


def test_prv4_erasure_plan_then_apply_through_the_api(api, clock):
    """PRV-4: the customer asks for erasure and sees the plan; applying is for staff (403 for the
    customer), needs the plan's fingerprint (409 naming fingerprint otherwise), and happens once."""
    case = _start(api, {"kind": "erasure"}, token=api.customer).json()
    plan = api.get(f"/privacy/requests/{case['id']}/erasure-plan", token=api.customer)
    assert plan.status_code == 200 and plan.json()["dry_run"] is True
    fingerprint = plan.json()["fingerprint"]
    assert {"table": "customers", "field": "name", "strategy": "keyed_hash", "values": 1} in plan.json()["erased"]
    r = api.post(f"/privacy/requests/{case['id']}/erasure", {"fingerprint": fingerprint}, token=api.customer)
    assert r.status_code == 403
    r = api.post(f"/privacy/requests/{case['id']}/erasure", {"fingerprint": "0" * 16})
    assert r.status_code == 409 and _field(r) == "fingerprint"
    assert api.get(f"/customers/{api.customer_id}").json()["name"] == "Carol Customer"
    r = api.post(f"/privacy/requests/{case['id']}/erasure", {"fingerprint": fingerprint})
    assert r.status_code == 200, r.json()
    assert r.json()["request"]["status"] == "completed" and r.json()["logins_closed"] == 1
    assert api.get(f"/customers/{api.customer_id}").json()["name"].startswith("h:")
    r = api.post(f"/privacy/requests/{case['id']}/erasure", {"fingerprint": fingerprint})
    assert r.status_code == 409
    clock.advance(timedelta(seconds=api.ctx.token_cache_seconds + 1))  # past the token cache
    assert api.get("/privacy/requests", token=api.customer).status_code == 401
    live = _start(api, {"kind": "erasure", "channel": "email", "identity_method": "known e-mail"}, customer=None)
    assert live.status_code == 201
    assert api.post(f"/privacy/requests/{live.json()['id']}/erasure", {"fingerprint": "x" * 65}).status_code == 422

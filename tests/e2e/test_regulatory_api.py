"""REG-1, REG-2, REG-3 over HTTP (UX-1, SEC-1): the policy's MID block, the MID list (status, overdue,
flagged), sending, the CUE reports, fraud referrals and reviews, a quote refused for fraud as a problem
document that names the field and not the watch list; staff only; never a 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from covernote.regulatory.adapters.fraud import SimulatedFraudAgency, load_watchlist
from covernote.regulatory.adapters.mid import SimulatedMid
from tests.e2e.conftest import quote_body


def _bind(api: Any, key: str, reg: str = "AB12 CDE") -> dict[str, Any]:
    q = api.post("/quotes", quote_body(api.customer_id, reg=reg))
    assert q.status_code == 201, q.json()
    r = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 201, r.json()
    return r.json()  # type: ignore[no-any-return]


def _fields(r: Any) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def test_reg1_mid_block_list_send_and_overdue_over_http(api):
    good = _bind(api, "reg-api-bind-1")
    wrong = _bind(api, "reg-api-bind-2", reg="ZZ12 ABC")
    block = api.get(f"/policies/{good['id']}").json()["mid"]
    assert block["status"] == "pending" and block["registrations"] == ["AB12CDE"] and block["mismatch"]
    assert [f["code"] for f in block["flags"]] == ["not_on_mid"]
    assert api.get(f"/policies/{good['id']}", token=api.customer).json()["mid"]["registrations"] == ["AB12CDE"]
    pending = api.get("/mid/updates?status=pending").json()["updates"]
    assert {u["policy_number"] for u in pending} == {good["number"], wrong["number"]}
    sent = api.post("/mid/send", {})
    assert sent.status_code == 200 and (sent.json()["sent"], sent.json()["rejected"]) == (1, 1)
    assert api.get(f"/policies/{good['id']}").json()["mid"]["in_step"] is True
    wrong_block = api.get(f"/policies/{wrong['id']}").json()["mid"]
    assert wrong_block["status"] == "rejected" and "rejected_by_mid" in {f["code"] for f in wrong_block["flags"]}
    [rejected] = api.get("/mid/updates?status=rejected").json()["updates"]
    assert rejected["reject_code"] == "invalid_registration" and rejected["what_to_do"]
    assert [u["id"] for u in api.get("/mid/updates?flagged=true").json()["updates"]] == [rejected["id"]]
    one = api.get(f"/mid/updates/{rejected['id']}")
    assert one.status_code == 200 and one.json()["deadlines"][0]["rule"] == "mid.update_private"
    # nothing is overdue yet; eight days on, the rejected one is, here and in the clock report
    assert api.get("/mid/updates?overdue=true").json()["updates"] == []
    api.ctx.clock.advance(timedelta(days=8))
    [late] = api.get("/mid/updates?overdue=true").json()["updates"]
    assert late["id"] == rejected["id"] and late["overdue"]
    report = api.get("/clocks/report?team=underwriting").json()
    assert [d["subject_id"] for d in report["overdue"]] == [rejected["id"]]
    correction = api.post(f"/mid/updates/{rejected['id']}/correction")
    assert correction.status_code == 201 and correction.json()["trigger"] == "correction"
    assert api.post(f"/mid/updates/{good['id']}/correction").status_code == 404


def test_reg1_mid_resources_refuse_customers_and_bad_input(api):
    _bind(api, "reg-api-bind-3")
    for path in ("/mid/updates", "/cue/reports", "/fraud/referrals", f"/customers/{api.customer_id}/fraud-checks"):
        r = api.get(path, token=api.customer)
        assert r.status_code == 403, (path, r.json())
    assert api.post("/mid/send", {}, token=api.customer).status_code == 403
    bad = api.get("/mid/updates?status=lost")
    assert bad.status_code == 422 and _fields(bad) == {"status"}
    assert api.get("/mid/updates?limit=0").status_code == 422
    assert api.post("/mid/send", {"limit": 0}).status_code == 422
    assert api.get("/mid/updates/mid_nope").status_code == 404
    assert api.get("/fraud/checks/frc_nope").status_code == 404
    assert api.get("/cue/reports/cue_nope").status_code == 404


def test_reg1_an_outage_answers_200_and_the_update_waits(api):
    _bind(api, "reg-api-bind-4")
    sim = api.ctx.mid
    assert isinstance(sim, SimulatedMid)
    sim.outage = True
    r = api.post("/mid/send")
    assert r.status_code == 200 and r.json()["retry_later"] == 1
    [u] = api.get("/mid/updates?status=pending").json()["updates"]
    assert u["attempts"] == 1 and u["last_error"] and u["next_attempt_at"]


def test_reg2_an_incident_is_reported_to_cue_over_http(api):
    policy = _bind(api, "reg-api-bind-5")
    r = api.post(f"/policies/{policy['id']}/incidents", {"kind": "claim", "occurred_on": api.ctx.today().isoformat(),
                                                          "reference": "CLM-API-1"})
    assert r.status_code == 201, r.json()
    [report] = api.get("/cue/reports?status=pending").json()["reports"]
    assert report["transaction_id"] == r.json()["id"] and report["payload"]["claim_reference"] == "CLM-API-1"
    sent = api.post("/cue/send", {"retry_now": True}).json()
    assert sent["sent"] == 1
    assert api.get(f"/cue/reports/{report['id']}").json()["status"] == "sent"


def test_reg3_a_quote_refused_for_fraud_is_a_409_naming_the_check_and_not_the_watch_list(api):
    body = quote_body(api.customer_id, reg="FR12 AUD")
    r = api.post("/quotes", body, token=api.customer)
    assert r.status_code == 409 and _fields(r) == {"fraud_check"}
    text = r.text
    assert "fraud prevention checks" in text
    for entry in load_watchlist():
        assert entry.reason not in text and "FR12AUD" not in text and "staged" not in text
    [ref] = api.get("/fraud/referrals").json()["referrals"]
    assert ref["result"] == "match" and ref["marker_id"]
    checks = api.get(f"/customers/{api.customer_id}/fraud-checks").json()["checks"]
    assert [c["id"] for c in checks] == [ref["id"]]
    bad = api.post(f"/fraud/checks/{ref['id']}/review", {"decision": "maybe", "note": "x"})
    assert bad.status_code == 422 and _fields(bad) == {"decision"}
    done = api.post(f"/fraud/checks/{ref['id']}/review", {"decision": "confirmed", "note": "known ring"})
    assert done.status_code == 200 and done.json()["review_status"] == "confirmed"
    assert api.post(f"/fraud/checks/{ref['id']}/review", {"decision": "cleared", "note": "x"}).status_code == 409
    # the customer's own register shows the check was made (issue 13 item 3, S1 section 10), not its answer
    own = api.get(f"/customers/{api.customer_id}/disclosures", token=api.customer).json()
    assert [d["recipient_kind"] for d in own["disclosures"]] == ["fraud_agency"]
    assert "match" not in json.dumps(own) and "known ring" not in json.dumps(own)
    staff = api.get(f"/customers/{api.customer_id}/disclosures").json()
    assert [(d["recipient_kind"], d["withheld_from_subject"]) for d in staff["disclosures"]] == [("fraud_agency", False)]


def test_reg3_an_agency_outage_lets_the_quote_through_and_staff_recheck_it(api):
    agency = api.ctx.fraud
    assert isinstance(agency, SimulatedFraudAgency)
    agency.outage = True
    q = api.post("/quotes", quote_body(api.customer_id), token=api.customer)
    assert q.status_code == 201, q.json()
    [ref] = api.get("/fraud/referrals").json()["referrals"]
    assert ref["result"] == "unavailable"
    assert api.post(f"/fraud/checks/{ref['id']}/recheck").json()["result"] == "unavailable"
    agency.outage = False
    [again] = api.get("/fraud/referrals").json()["referrals"]
    out = api.post(f"/fraud/checks/{again['id']}/recheck")
    assert out.status_code == 200 and out.json()["result"] == "clear"
    assert api.get("/fraud/referrals").json()["referrals"] == []
    assert len(api.get("/fraud/referrals?status=rechecked").json()["referrals"]) == 2
    assert api.get("/fraud/referrals?status=none").status_code == 422

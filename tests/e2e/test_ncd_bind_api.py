"""NCD-1, NCD-3 through the REST API: a quote whose accepted proof could not re-rate it is refused at bind
with a problem naming the quote; the quote and bind answers carry the NCD block."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import quote_body


def test_ncd1_ncd3_bind_is_refused_when_the_proof_could_not_re_rate_the_quote(api):
    body = quote_body(api.customer_id)
    body["extras"] = ["ncd_protection"]
    q = api.post("/quotes", body).json()
    assert q["ncd"]["ncd_years"] == 5 and q["ncd"]["status"] == "declared_unproven"
    today = api.ctx.today()
    proof = {"kind": "insurer_letter", "insurer": "Previous Insurer plc", "ncd_years": 3,
             "ended_on": (today - timedelta(days=1)).isoformat(), "registration": "AB12 CDE", "country": "UK",
             "issued_on": (today - timedelta(days=10)).isoformat()}
    p = api.post(f"/quotes/{q['id']}/ncd-proofs", proof).json()
    assert p["status"] == "accepted" and p["effect"]["rerated"] is False
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-ncd-stale-1")
    assert r.status_code == 409, r.json()
    problem = r.json()
    assert problem["errors"][0]["field"] == "quote_id" and "proven 3" in problem["errors"][0]["reason"]
    assert api.get(f"/quotes/{q['id']}").json()["status"] == "open"
    # A quote on the proven years binds, and the bind answer shows the NCD block.
    fresh = api.post("/quotes", quote_body(api.customer_id, ncd=3)).json()
    pol = api.post("/policies", {"quote_id": fresh["id"], "payment": {"token": "tok_visa"}}, key="bind-ncd-ok-1")
    assert pol.status_code == 201, pol.json()
    assert pol.json()["ncd"]["ncd_years"] == 3 and pol.json()["ncd"]["discount_percent"] == "50"


def test_a_404_names_the_resource_in_the_path_that_was_not_found(api):
    """Every problem names a field: a 404 without a named field names the path parameter (NCD-1 proofs here)."""
    r = api.get("/ncd-proofs/ncd_nope")
    assert r.status_code == 404
    assert r.json()["errors"] == [{"field": "proof_id", "reason": "no proof ncd_nope that you can see"}]

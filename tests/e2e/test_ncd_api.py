"""NCD over HTTP (issue 4 parts 1, 2 and 4; NCD-1, NCD-2, NCD-5): a customer's proof for their quote,
rejections naming each condition, staff decisions, claim types on incidents, and the NCD proof letter
in JSON, HTML and text. Problem documents name the field; never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from tests.e2e.conftest import field_names, proof_body, quote_body

_errors = field_names
_proof = proof_body


def test_ncd1_customer_gives_proof_for_their_quote_and_the_quote_shows_proven_ncd(api):
    q = api.post("/quotes", quote_body(api.customer_id), token=api.customer).json()
    r = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api), token=api.customer)
    assert r.status_code == 201, r.json()
    p = r.json()
    assert p["status"] == "accepted" and p["effect"]["ncd_years"] == 4 and "in_use_on" not in p
    shown = api.get(f"/quotes/{q['id']}", token=api.customer).json()
    assert shown["ncd"]["status"] == "proven" and shown["ncd"]["ncd_years"] == 4
    assert shown["ncd"]["discount_percent"] == "60" and shown["premium"] == p["effect"]["premium_after"]
    listed = api.get(f"/quotes/{q['id']}/ncd-proofs", token=api.customer).json()
    assert [x["id"] for x in listed["proofs"]] == [p["id"]]
    assert api.get(f"/ncd-proofs/{p['id']}", token=api.customer).json()["id"] == p["id"]
    # Staff only: decisions, the list and the review scan.
    assert api.post(f"/ncd-proofs/{p['id']}/decision", {"decision": "reject", "note": "x"},
                    token=api.customer).status_code == 403
    assert api.get("/ncd-proofs", token=api.customer).status_code == 403
    assert api.get("/ncd/reviews", token=api.customer).status_code == 403
    assert api.get("/ncd-proofs?status=accepted").json()["proofs"][0]["in_use_on"] == []


def test_ncd1_a_proof_exactly_two_years_old_is_recorded_rejected_with_each_failed_condition(api):
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    today = api.ctx.today()
    old = date(today.year - 2, today.month, today.day).isoformat()
    r = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api, issued_on=old, country="France", registration=None))
    assert r.status_code == 201
    assert r.json()["status"] == "rejected" and _errors(r) == {"issued_on", "country", "registration"}
    decided = api.post(f"/ncd-proofs/{r.json()['id']}/decision", {"decision": "accept", "note": ""})
    assert decided.status_code == 422 and _errors(decided) == {"note"}
    decided = api.post(f"/ncd-proofs/{r.json()['id']}/decision", {"decision": "reject", "note": "Foreign NCD"})
    assert decided.status_code == 200 and decided.json()["decision_note"] == "Foreign NCD"


def test_ncd1_bad_input_is_a_problem_naming_the_field(api):
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    bad = api.post(f"/quotes/{q['id']}/ncd-proofs", _proof(api, kind="postcard", ncd_years=99))
    assert bad.status_code == 422 and _errors(bad) == {"kind", "ncd_years"}
    shape = api.post(f"/quotes/{q['id']}/ncd-proofs", {"kind": "insurer_letter", "insurer": "X", "ended_on": "soon"})
    assert shape.status_code == 422 and "ended_on" in str(shape.json())
    assert api.post("/quotes/quo_nope/ncd-proofs", _proof(api)).status_code == 404
    assert api.get("/ncd-proofs/ncd_nope").status_code == 404


def test_ncd1_the_same_proof_on_two_vehicles_over_http(api):
    first = api.post("/quotes", quote_body(api.customer_id)).json()
    second = api.post("/quotes", quote_body(api.customer_id, reg="XY12 ABC")).json()
    assert api.post(f"/quotes/{first['id']}/ncd-proofs", _proof(api)).json()["status"] == "accepted"
    r = api.post(f"/quotes/{second['id']}/ncd-proofs", _proof(api))
    assert r.json()["status"] == "rejected" and _errors(r) == {"proof"}
    refused = api.post(f"/ncd-proofs/{r.json()['id']}/decision", {"decision": "accept", "note": "checked"})
    assert refused.status_code == 409 and _errors(refused) == {"proof"}


def test_ncd2_claim_types_on_incidents_and_the_renewal_explains_each(api):
    body = quote_body(api.customer_id)
    body["extras"] = ["key_cover"]  # the key cover claim below needs the extra on cover (NCD-2, ADD-1)
    q = api.post("/quotes", body).json()
    pol = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-ncd-api-1").json()
    assert api.get(f"/policies/{pol['id']}").json()["ncd"]["status"] == "declared_unproven"
    today = api.ctx.today().isoformat()
    r = api.post(f"/policies/{pol['id']}/incidents", {"kind": "claim", "occurred_on": today,
                                                     "claim_type": "key_cover"})
    assert r.status_code == 201 and r.json()["details"]["event"]["claim_type"] == "key_cover"
    bad = api.post(f"/policies/{pol['id']}/incidents", {"kind": "claim", "occurred_on": today, "claim_type": "hail"})
    assert bad.status_code == 422 and _errors(bad) == {"claim_type"}
    old_style = api.post(f"/policies/{pol['id']}/incidents", {"kind": "incident", "occurred_on": today})
    assert old_style.status_code == 201 and old_style.json()["details"]["event"]["claim_type"] == "other"
    api.ctx.clock.set_date(date.fromisoformat(pol["current_term"]["end_date"]) - timedelta(days=10))
    inv = api.post(f"/policies/{pol['id']}/renewals").json()
    assert inv["ncd"] == {"before": 5, "after": 6, "claims_in_term": 0}
    assert any("key cover assistance claim" in x and "does not affect NCD (NCD-2" in x
               for x in inv["explanation"])


def test_ncd_letter_over_http_as_json_html_and_text(api):
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    pol = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-ncd-api-2").json()
    early = api.get(f"/policies/{pol['id']}/ncd-letter", token=api.customer)
    assert early.status_code == 409 and _errors(early) == {"policy_id"}
    end = date.fromisoformat(pol["current_term"]["end_date"])
    api.ctx.clock.set_date(end + timedelta(days=1))
    letter = api.get(f"/policies/{pol['id']}/ncd-letter", token=api.customer)
    assert letter.status_code == 200
    body = letter.json()
    assert (body["ncd_years"], body["registration"], body["ended_on"], body["country"]) == (6, "AB12CDE",
                                                                                         end.isoformat(), "UK")
    page = api.get(f"/policies/{pol['id']}/ncd-letter?format=html", token=api.customer)
    assert page.headers["content-type"].startswith("text/html") and pol["number"] in page.text
    text = api.get(f"/policies/{pol['id']}/ncd-letter?format=text", token=api.customer)
    assert text.headers["content-type"].startswith("text/plain") and "No-claims discount: 6 years" in text.text
    # A new quote elsewhere in the system accepts it as proof.
    nq = api.post("/quotes", quote_body(api.customer_id, start=api.ctx.today().isoformat(), reg="CD34 EFG",
                                        ncd=0)).json()
    fed = api.post(f"/quotes/{nq['id']}/ncd-proofs", body["proof"], token=api.customer)
    assert fed.status_code == 201 and fed.json()["status"] == "accepted", fed.json()
    assert api.get("/policies/pol_nope/ncd-letter").status_code == 404


def test_issue14_doc1_ncd_letter_as_pdf_over_http(api):
    """Issue 14, DOC-1: `GET /policies/{id}/ncd-letter?format=pdf` answers the letter's PDF, issued once as one
    of the policy's documents: the same bytes and ETag when asked again, listed by `GET /policies/{id}/documents`
    and downloadable there byte for byte; an unknown policy is a 404 naming it, an unknown format a 422."""
    import io

    import pypdf

    q = api.post("/quotes", quote_body(api.customer_id)).json()
    pol = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="bind-ncd-pdf").json()
    api.ctx.clock.set_date(date.fromisoformat(pol["current_term"]["end_date"]) + timedelta(days=1))
    first = api.get(f"/policies/{pol['id']}/ncd-letter?format=pdf", token=api.customer)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(first.content)).pages)
    assert "Proof of no-claims discount" in text and pol["number"] in text and "AB12CDE" in text
    again = api.get(f"/policies/{pol['id']}/ncd-letter?format=pdf", token=api.customer)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    doc_id = first.headers["x-document-id"]
    listed = api.get(f"/policies/{pol['id']}/documents", token=api.customer).json()["documents"]
    assert [d["id"] for d in listed if d["kind"] == "ncd_letter"] == [doc_id]
    assert api.get(f"/documents/{doc_id}?format=pdf", token=api.customer).content == first.content
    missing = api.get("/policies/pol_nope/ncd-letter?format=pdf")
    assert missing.status_code == 404 and _errors(missing) == {"policy_id"}
    assert api.get(f"/policies/{pol['id']}/ncd-letter?format=docx", token=api.customer).status_code == 422

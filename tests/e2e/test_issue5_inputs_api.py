"""Issue 5 review follow-ups over HTTP: bad input to claims and complaints is refused naming the field (never
coerced: "yes" is not true, a number is not a date and time, "1e3" is not money, NUL is not text); the
complaints report CSV carries the stopped clocks; a letter carries the complainant's postcode; an unknown
policy is a 404 naming `policy_id` (CLM-1, CMP-1, CMP-3, DOC-2, REG-1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import field_names
from tests.e2e.test_claims_api import _fnol, _later, _policy
from tests.e2e.test_complaints_api import body


@pytest.mark.parametrize(("change", "field"), [
    ({"anyone_injured": "yes"}, "anyone_injured"),
    ({"anyone_injured": 1}, "anyone_injured"),
    ({"total_loss": "true"}, "total_loss"),
    ({"occurred_at": 1764583200}, "occurred_at"),
    ({"loss_description": "a dented\x00 wing"}, "loss_description"),
])
def test_clm1_fnol_refuses_coerced_or_nul_input_naming_the_field(api: Any, change: dict[str, Any], field: str):
    pol = _policy(api)
    _later(api, timedelta(days=3))
    r = api.post(f"/policies/{pol['id']}/claims", _fnol(**change))
    assert r.status_code == 422, r.json()
    assert field in field_names(r)
    assert api.get(f"/claims?policy_id={pol['id']}").json() == []  # nothing written


@pytest.mark.parametrize("amount", ["1e3", 100.1, True, "12.345"])
def test_clm4_claim_amounts_are_pounds_and_pence_as_written(api: Any, amount: Any):
    pol = _policy(api)
    _later(api, timedelta(days=3))
    claim = api.post(f"/policies/{pol['id']}/claims", _fnol()).json()
    r = api.post(f"/claims/{claim['id']}/reserve", {"amount": amount})
    assert r.status_code == 422 and "amount" in field_names(r)


def test_cmp1_cmp3_complaint_input_report_csv_and_letter_postcode(api: Any):
    assert "name" in field_names(api.post("/complaints", body(name="Carol\x00 Customer")))
    first = api.post("/complaints", body()).json()
    progress = api.post(f"/complaints/{first['id']}/progress", {"note": "looking into it", "send_letter": "yes"})
    assert progress.status_code == 422 and "send_letter" in field_names(progress)
    c = api.post("/complaints", body()).json()
    bad = api.post(f"/complaints/{c['id']}/final-response", {
        "outcome": "upheld", "explanation": "We got it wrong.", "root_cause": "administration_error",
        "redress": "1e2"})
    assert bad.status_code == 422 and "redress" in field_names(bad)
    ack = api.post(f"/complaints/{c['id']}/acknowledge", {}).json()
    letter = api.get(f"/complaints/{c['id']}/letters/{ack['letters'][0]['id']}?format=text")
    assert "LS2 7HX" in letter.text
    csv = api.get("/complaints/report?format=csv").text
    assert "acknowledgement_stopped" in csv.splitlines()[0] and "final_response_stopped" in csv.splitlines()[0]


def test_reg1_an_unknown_policy_in_a_query_is_a_404_naming_policy_id(api: Any):
    r = api.get("/mid/updates?policy_id=CN999")
    assert r.status_code == 404 and field_names(r) == {"policy_id"}

"""Issue 13, items 6, 7, 13 and 21 over HTTP: dates bounded to a plausible range (item 6), one paging rule
(item 7), text normalised and dangerous characters refused, ISO dates only in queries, unknown query
parameters refused (item 13), and validation answered in one round with messages that say what is wrong
(item 21). Every bad input is a 422 problem document naming the field; never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import field_names, proof_body, quote_body
from tests.e2e.test_api import _bind


def _reasons(r: Any) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in r.json().get("errors", [])}


# --- item 6: dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("issued_on", ["9999-12-31", "9998-01-01", "0001-01-01", "1899-12-31"])
def test_issue13_item6_ncd_proof_far_dates_are_422_naming_issued_on(api: Any, issued_on: str):
    """NCD-1: `issued_on` 9999-12-31 was an OverflowError and 9998-01-01 a PeriodError (500s), on the quote's
    and the policy's proof endpoints."""
    _, p = _bind(api)
    assert p.status_code == 201
    quote = api.post("/quotes", quote_body(api.customer_id)).json()
    for path in (f"/quotes/{quote['id']}/ncd-proofs", f"/policies/{p.json()['id']}/ncd-proofs"):
        r = api.post(path, proof_body(api, issued_on=issued_on, ended_on="2026-01-01"))
        assert r.status_code == 422, (path, r.json())
        assert "between 1900-01-01 and 2100-12-31" in _reasons(r)["issued_on"]
        r = api.post(path, proof_body(api, ended_on=issued_on))
        assert r.status_code == 422 and "ended_on" in field_names(r)


def test_issue13_item6_a_date_of_birth_of_year_one_is_not_rated_as_a_2025_year_old(api: Any):
    """POL-1: a driver born 0001-01-01 was accepted and rated; out of range now, and a driver aged over 120
    at the start of cover is refused by the product's rules, naming the field."""
    body = quote_body(api.customer_id)
    body["risk"]["drivers"][0]["date_of_birth"] = "0001-01-01"
    r = api.post("/quotes", body)
    assert r.status_code == 422 and "risk.drivers[0].date_of_birth" in field_names(r)
    body["risk"]["drivers"][0]["date_of_birth"] = "1901-01-01"
    r = api.post("/quotes", body)
    assert r.status_code == 422, r.json()
    assert "at most 120" in _reasons(r)["risk.drivers[0].date_of_birth"]


@pytest.mark.parametrize(("dob", "ok"), [("0001-01-01", False), ("1900-01-01", False), ("2020-01-01", False),
                                         ("1950-06-30", True)])
def test_issue13_item6_a_customers_date_of_birth_makes_an_age_of_16_to_120(api: Any, dob: str, ok: bool):
    r = api.post("/customers", {"name": "Dora Date", "email": "dora@example.com", "address": "1 High St",
                                "postcode": "LS1 5HD", "date_of_birth": dob})
    assert (r.status_code == 201) is ok, r.json()
    if not ok:
        assert r.status_code == 422 and field_names(r) == {"date_of_birth"}


def test_issue13_item6_received_on_of_year_one_is_422(api: Any):
    """PRV-1: a subject request received on 0001-01-01 is refused naming `received_on`."""
    r = api.post(f"/customers/{api.customer_id}/requests", {"kind": "access", "channel": "post",
                                                            "received_on": "0001-01-01"})
    assert r.status_code == 422 and "received_on" in field_names(r), r.json()


@pytest.mark.parametrize("value", ["0", "1764583200", "2026-W48-1", "20261122", "2026-11-22T00:00:00", "9999-12-31"])
def test_issue13_item6_item13_query_dates_are_iso_days_in_range(api: Any, value: str):
    """`from=0` was read as a Unix time (1970-01-01); only `YYYY-MM-DD` in range is a date."""
    r = api.get(f"/complaints/report?from={value}")
    assert r.status_code == 422 and field_names(r) == {"from"}, r.json()
    assert api.get("/complaints/report?from=2026-11-01").status_code == 200


# --- item 7: one paging rule ---------------------------------------------------------------------------

LISTS = ["/claims", "/mid/updates", "/cue/reports", "/fraud/referrals", "/customers/{cid}/fraud-checks",
         "/customers/{cid}/sensitive-reads", "/customers", "/quotes", "/policies", "/ncd-proofs", "/ncd/reviews",
         "/complaints", "/privacy/requests", "/privacy/holds", "/privacy/breaches", "/privacy/retention/runs"]


BAD_PAGES = [("offset=9223372036854775808", "offset"), ("offset=1000000001", "offset"), ("offset=-1", "offset"),
             ("limit=0", "limit"), ("limit=1001", "limit")]


@pytest.mark.parametrize("path", LISTS)
def test_issue13_item7_one_paging_rule_for_every_list(api: Any, path: str):
    """`offset=9223372036854775808` on /claims, /mid/updates, /cue/reports, /fraud/referrals and the
    customer's fraud checks and sensitive reads was a 500 on SQLite; every list now bounds offset to
    0..1,000,000,000 and limit to 1..1,000, answering 422 naming the parameter."""
    base = path.format(cid=api.customer_id)
    for query, field in BAD_PAGES:
        r = api.get(f"{base}?{query}", token=api.admin)
        assert r.status_code == 422, (base, query, r.status_code, r.text)
        assert field_names(r) == {field}
    ok = api.get(f"{base}?offset=1000000000&limit=1000", token=api.admin)
    assert ok.status_code in (200, 403), (path, ok.text)  # in bounds: answered (or refused to the role), never 500


# --- item 13: text, query dates, unknown query parameters ------------------------------------------------

HIDDEN = {"\u202e": "bidirectional", "\u2066": "bidirectional", "\u200b": "zero-width", "\ufeff": "zero-width",
          "\u2060": "zero-width", "\x00": "NUL", "\x07": "control", "\x85": "control", "\n": "line break"}


@pytest.mark.parametrize("char", list(HIDDEN))
def test_issue13_item13_hidden_and_control_characters_in_names_are_422_naming_the_field(api: Any, char: str):
    """A right-to-left override, a zero-width or a control character was stored in a name (and NUL was
    stored on SQLite but refused on PostgreSQL): refused alike, naming the field, and nothing is written."""
    before = len(api.get("/customers?limit=1000").json())
    r = api.post("/customers", {"name": f"Mallory{char}Evil", "email": "m@example.com", "address": "1 High St",
                                "postcode": "LS1 5HD"})
    assert r.status_code == 422, r.json()
    assert HIDDEN[char] in _reasons(r)["name"]
    assert len(api.get("/customers?limit=1000").json()) == before
    body = quote_body(api.customer_id)
    body["risk"]["drivers"][0]["name"] = f"Ca{char}rol"
    body["risk"]["vehicle"]["make"] = f"Fo{char}rd"
    r = api.post("/quotes", body)
    assert r.status_code == 422
    assert {"risk.drivers[0].name", "risk.vehicle.make"} <= field_names(r)


def test_issue13_item13_names_are_stored_in_nfc(api: Any):
    decomposed = "Jose\u0301 Ren\u0303"  # e + combining acute, n + combining tilde
    r = api.post("/customers", {"name": decomposed, "email": "jose@example.com", "address": "Cafe\u0301 Row",
                                "postcode": "LS1 5HD"})
    assert r.status_code == 201, r.json()
    got = api.get(f"/customers/{r.json()['id']}").json()
    assert got["name"] == "Jos\u00e9 Re\u00f1" and got["address"] == "Caf\u00e9 Row"


def test_issue13_item13_line_breaks_only_in_multi_line_fields(api: Any):
    """A complaint's description may run over lines; the complainant's name may not."""
    from tests.e2e.test_complaints_api import body as complaint

    ok = api.post("/complaints", complaint(description="First line.\nSecond line,\tindented."))
    assert ok.status_code == 201, ok.json()
    assert ok.json()["description"] == "First line.\nSecond line,\tindented."
    bad = api.post("/complaints", complaint(description="Looks fine\u202eenif skooL"))
    assert bad.status_code == 422 and "description" in field_names(bad)


@pytest.mark.parametrize(("path", "param"), [("/policies?registration=AB12CDE", "registration"),
                                              ("/claims?polcy_id=x", "polcy_id"),
                                              ("/customers?limit=5&name=Carol", "name"),
                                              ("/health?verbose=1", "verbose"),
                                              ("/products/ECO?on=2026-11-22&at=2026-11-22", "at")])
def test_issue13_item13_unknown_query_parameters_are_422_naming_them(api: Any, path: str, param: str):
    """`/policies?registration=...` answered every policy, as if the filter applied."""
    r = api.get(path)
    assert r.status_code == 422, r.text
    assert field_names(r) == {param}
    assert "is not a query parameter" in _reasons(r)[param]


def test_issue13_item13_declared_query_parameters_still_work(api: Any):
    assert api.get("/customers?limit=5&offset=0").status_code == 200
    assert api.get("/products/ECO?on=2026-11-22").status_code == 200
    assert api.get("/health").status_code == 200


# --- item 21: one round, messages that say what is wrong ------------------------------------------------

def test_issue13_item21_a_quote_with_a_bad_postcode_and_too_low_mileage_gets_both_in_one_answer(api: Any):
    """POL-1: shape errors first, then the product's rules, took two rounds; now one 422 names both."""
    body = quote_body(api.customer_id, mileage=10)
    body["risk"]["postcode"] = "X1"  # too short: a shape error
    body["risk"]["drivers"][0]["date_of_birth"] = "1984-02-30"  # not a day: a shape error
    r = api.post("/quotes", body)
    assert r.status_code == 422, r.json()
    reasons = _reasons(r)
    assert {"risk.postcode", "risk.drivers[0].date_of_birth", "risk.answers.annual_mileage"} <= set(reasons)
    assert "at least 1000" in reasons["risk.answers.annual_mileage"] or "1000" in reasons["risk.answers.annual_mileage"]
    assert len(r.json()["errors"]) == 3  # the stand-ins' own verdicts are not reported
    # The rules of the quote itself in one round too: a start date in the past, a term not offered, a young driver.
    body = quote_body(api.customer_id, start="2026-11-01", mileage=10)
    body["term"] = {"unit": "days", "length": 7}
    body["risk"]["drivers"][0]["date_of_birth"] = "2015-01-01"
    r = api.post("/quotes", body)
    assert r.status_code == 422
    assert {"start_date", "term", "risk.answers.annual_mileage", "risk.drivers[0].date_of_birth"} <= field_names(r)


def test_issue13_item21_an_unknown_product_names_product_code(api: Any):
    r = api.post("/quotes", quote_body(api.customer_id, product="NOPE"))
    assert r.status_code == 422, r.json()
    assert field_names(r) == {"product_code"} and "ECO" in _reasons(r)["product_code"]


def test_issue13_item21_a_json_syntax_error_gives_line_and_column(api: Any):
    r = api.client.post("/quotes", content=b'{\n  "product_code": "ECO",\n  "start_date": "2026-11-22\n}',
                        headers={**api.headers(), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert field_names(r) == {"body"}
    assert "line 3, column" in _reasons(r)["body"], r.json()


@pytest.mark.parametrize(("key", "says"), [(None, "is required"), ("short", "8 to 200 characters long; got 5"),
                                           ("x" * 201, "got 201")])
def test_issue13_item21_an_idempotency_key_is_judged_by_its_rule(api: Any, key: str | None, says: str):
    """A too-short Idempotency-Key was reported as "required"."""
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 422, r.json()
    assert says in _reasons(r)["Idempotency-Key"]
    if key is not None:
        assert "required" not in _reasons(r)["Idempotency-Key"]


def test_issue13_item21_a_cancellation_before_the_term_starts_says_so(api: Any):
    """It suggested switching automatic renewal off."""
    _, p = _bind(api, start="2026-12-01")
    assert p.status_code == 201, p.json()
    r = api.post(f"/policies/{p.json()['id']}/cancellations", {"effective_date": "2026-11-25", "reason": "changed mind"})
    assert r.status_code == 422, r.json()
    reason = _reasons(r)["effective_date"]
    assert "before the term starts on 2026-12-01" in reason and "automatic renewal" not in reason


def test_issue13_item21_a_customer_with_a_bad_phone_and_a_bad_email_gets_both_in_one_answer(api: Any):
    r = api.post("/customers", {"name": "Ann Other", "email": "not-an-address", "address": "1 High St",
                                "postcode": "ZZ", "phone": "call me"})
    assert r.status_code == 422, r.json()
    assert field_names(r) == {"email", "postcode", "phone"}, r.json()

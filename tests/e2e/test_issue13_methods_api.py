"""Issue 13 item 17: OPTIONS answers with the methods a path really has, a 405 names them in `Allow`,
and a replayed request answers with the status code and the body of the original (POL-1)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Api, quote_body


def test_issue13_item17_options_lists_the_methods_the_path_has(api: Api) -> None:
    cases = {"/quotes": "GET, OPTIONS, POST",
             "/policies/pol_any": "GET, OPTIONS, PATCH",
             "/quotes/quo_any/withdraw": "OPTIONS, POST",
             "/privacy/holds": "GET, OPTIONS, POST",
             "/health": "GET, OPTIONS"}
    for path, allow in cases.items():
        r = api.client.options(path)
        assert (r.status_code, r.headers.get("allow"), r.content) == (204, allow, b""), path
    assert api.client.options("/customers/cus_any/sensitive/p1").headers["allow"] == "GET, OPTIONS, PUT"
    assert api.client.options("/nowhere").status_code == 404


def test_issue13_item17_a_method_the_path_lacks_is_405_naming_those_it_has(api: Api) -> None:
    for method, path, allow in [("DELETE", "/quotes", "GET, OPTIONS, POST"),
                                ("PUT", "/policies/pol_any", "GET, OPTIONS, PATCH"),
                                ("GET", "/quotes/quo_any/withdraw", "OPTIONS, POST")]:
        r = api.client.request(method, path, headers=api.headers())
        assert r.status_code == 405, (method, path)
        assert r.headers["allow"] == allow, (method, path)
        assert r.headers["content-type"] == "application/problem+json"


def _same_answer(first: Any, again: Any) -> None:
    assert again.status_code == first.status_code
    assert again.json()["idempotent_replay"] is True and first.json()["idempotent_replay"] is False
    assert {**again.json(), "idempotent_replay": False} == first.json()


def test_issue13_item17_pol1_a_replayed_bind_answers_201_with_the_first_body(api: Api) -> None:
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    body = {"quote_id": q["id"], "payment": {"token": "tok_visa"}}
    first = api.post("/policies", body, key="replay-bind-0001")
    assert first.status_code == 201
    _same_answer(first, api.post("/policies", body, key="replay-bind-0001"))


def test_issue13_item17_pol1_a_replayed_confirmation_answers_as_the_first(api: Api) -> None:
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    policy = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="replay-bind-0002").json()
    mta = api.post(f"/policies/{policy['id']}/adjustments", {
        "effective_date": "2026-12-01", "reason": "more miles",
        "changes": [{"op": "set_answer", "question": "annual_mileage", "value": 16000}]})
    assert mta.status_code == 201, mta.json()
    path = f"/policies/{policy['id']}/adjustments/{mta.json()['id']}/confirm"
    first = api.post(path, key="replay-mta-0001")
    assert first.status_code == 200, first.json()
    _same_answer(first, api.post(path, key="replay-mta-0001"))


def test_issue13_item17_allow_names_only_methods_that_answer(api: Api) -> None:
    for method in api.client.options("/quotes").headers["allow"].split(", "):
        r = api.client.request(method, "/quotes", headers=api.headers())
        assert r.status_code != 405, method

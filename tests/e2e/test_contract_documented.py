"""Issue 13 item 16: each operation documents the error answers it can give, as problem documents served
as `application/problem+json`, and every problem answer carries that content type."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Api

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}


def _errors(spec: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(c) for c in spec["paths"][path][method]["responses"] if int(c) >= 400}


def test_issue13_item16_error_answers_are_problem_documents_only(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, answer in op["responses"].items():
                if int(code) >= 400:
                    assert answer["content"] == PROBLEM, (method, path, code)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_issue13_item16_each_operation_documents_the_errors_it_can_give(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    # Every operation refuses a query parameter it does not declare (item 13): 422 everywhere.
    assert _errors(spec, "get", "/health") == {422, 503}  # no token, no input; unready when the database is down
    # A token: 401, 403, 429 after too many refused tokens from one address (item 25), 503.
    assert _errors(spec, "get", "/quotes/{quote_id}") == {401, 403, 404, 422, 429, 503}  # no 402, no 409
    assert _errors(spec, "get", "/policies") == {401, 403, 422, 429, 503}
    assert _errors(spec, "post", "/policies") == {400, 401, 402, 403, 404, 409, 413, 422, 429, 503}  # takes payment
    assert 402 not in _errors(spec, "post", "/quotes")
    assert _errors(spec, "get", "/ledger/reconciliation") == {401, 403, 422, 429, 503}
    # A read the record's state can refuse says so; its other formats are documented.
    package = spec["paths"]["/privacy/requests/{request_id}/package"]["get"]["responses"]
    assert "409" in package and set(package["200"]["content"]) == {"application/json", "text/html"}


def test_issue13_item16_problem_answers_carry_the_problem_content_type(api: Api) -> None:
    unreadable = api.client.post("/customers", content=b"\xff\xfe{", headers={
        **api.headers(), "Content-Type": "application/json"})
    answers = [unreadable, api.client.get("/quotes"), api.get("/quotes/quo_nope"), api.client.get("/nowhere"),
               api.client.delete("/quotes", headers=api.headers()), api.post("/customers", {"name": 1})]
    assert [a.status_code for a in answers] == [400, 401, 404, 404, 405, 422]
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json", answer.status_code
        assert answer.json()["status"] == answer.status_code


def test_issue13_item16_format_parameters_are_enums(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    for path in ("/privacy/data-map", "/reports/extras/fair-value", "/privacy/record-of-processing"):
        (fmt,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "format"]
        assert fmt["schema"]["enum"] == ["json", "csv"], path


def test_issue13_item16_request_schemas_carry_the_real_constraints(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    amount = {"anyOf": [{"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$", "maxLength": 15},
                        {"type": "integer", "minimum": 0}]}
    assert {k: v for k, v in schemas["VehicleIn"]["properties"]["value"].items() if k == "anyOf"} == amount
    assert schemas["FinalIn"]["properties"]["redress"]["pattern"] == r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
    assert schemas["FinalIn"]["properties"]["outcome"]["enum"] == ["upheld", "partly_upheld", "not_upheld"]
    (policy_id,) = spec["paths"]["/policies/{policy_id}"]["get"]["parameters"]
    assert policy_id["schema"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"


def test_issue13_item16_a_malformed_id_or_amount_is_422_naming_it(api: Api) -> None:
    r = api.get("/policies/pol%20x%0A")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "policy_id"
    assert api.get("/policies/pol_nope").status_code == 404  # well-formed but unknown: still 404
    body = {"product_code": "ECO", "start_date": "2026-11-22", "customer_id": api.customer_id,
            "risk": {"vehicle": {"registration": "AB12 CDE", "make": "Ford", "model": "Focus", "year": 2020,
                                 "value": 12000.5, "abi_group": 18}, "postcode": "LS1 5HD"}}
    r = api.post("/quotes", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "risk.vehicle.value"


def test_issue13_item16_a_database_that_does_not_answer_is_the_documented_503(catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from covernote.api.app import create_app
    from tests.conftest import make_ctx

    app = create_app(make_ctx(f"sqlite:///{tmp_path}/no/such/dir/covernote.db", catalogue))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/policies", headers={"Authorization": "Bearer cn_some_token"})
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert "503" in app.openapi()["paths"]["/policies"]["get"]["responses"]

"""Issue 13 item 20 over HTTP and the command line: `GET /me` tells any caller who they are (a customer
finds their customer id and policies there); `GET /search/customers` and `GET /search/policies` are
staff-only, typed and paged; `covernote customers search` and `policy search` do the same."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from covernote.cli.main import app
from tests.e2e.conftest import field_names, quote_body


def _bind(api, customer_id: str, reg: str, key: str):  # type: ignore[no-untyped-def]
    q = api.post("/quotes", quote_body(customer_id, start=api.ctx.today().isoformat(), reg=reg)).json()
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 201, r.text
    return r.json()


def test_issue13_item20_me_gives_a_customer_their_customer_id_and_policies(api):
    """Issue 13 item 20: a customer, who cannot list customers, finds their own id and policies at /me;
    staff see their user and role; without a token it is 401."""
    policy = _bind(api, api.customer_id, "AB12 CDE", "bind-me-0001")
    assert api.get("/customers", token=api.customer).status_code == 403
    me = api.get("/me", token=api.customer)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["role"] == "customer" and body["customer_id"] == api.customer_id and body["user_id"]
    assert body["policies"] == [{"id": policy["id"], "number": policy["number"], "product_code": "ECO",
                                 "status": policy["status"]}]
    staff = api.get("/me").json()
    assert staff["role"] == "staff" and staff["customer_id"] is None and staff["policies"] == []
    assert api.client.get("/me").status_code == 401


def test_issue13_item20_staff_search_over_http_is_typed_paged_and_staff_only(api):
    """Issue 13 item 20: registration and postcode in any case and spacing; a customer is refused (403);
    a bad query is a 422 naming q; the operations document their response models."""
    policy = _bind(api, api.customer_id, "ab12 cde", "bind-search-01")
    r = api.get("/search/policies?q=AB12CDE")
    assert r.status_code == 200, r.text
    [found] = r.json()["policies"]
    assert found["number"] == policy["number"] and found["registration"] == "AB12CDE"
    assert found["customer_name"] == "Carol Customer" and r.json()["next_offset"] is None
    assert [p["number"] for p in api.get("/search/policies?q=ls1%205hd").json()["policies"]] == [policy["number"]]
    customers = api.get(f"/search/customers?q={policy['number'].lower()}").json()["customers"]
    assert [c["id"] for c in customers] == [api.customer_id]
    assert api.get("/search/customers?q=carol", token=api.customer).status_code == 403
    assert api.get("/search/policies?q=ab12cde", token=api.customer).status_code == 403
    bad = api.get("/search/policies?q=a")
    assert bad.status_code == 422 and field_names(bad) == {"q"}
    assert api.get("/search/customers?q=carol&limit=0").status_code == 422
    spec = api.client.get("/openapi.json").json()
    for path, model in (("/search/policies", "PolicySearch"), ("/search/customers", "CustomerSearch"),
                        ("/me", "MeView")):
        ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith(model)


def test_issue13_item20_customers_search_and_policy_search_commands(tmp_path: Path):
    """Issue 13 item 20: the same searches from the command line, with --json."""
    runner = CliRunner()
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}

    def cli(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    cli("db", "upgrade")
    cli("demo")
    found = json.loads(cli("policy", "search", "ls19 eco", "--json"))["policies"]
    assert [p["registration"] for p in found] == ["LS19ECO"] and found[0]["customer_name"] == "Ann Example"
    assert "LS19ECO" in cli("policy", "search", "LS19ECO")
    ann = json.loads(cli("customers", "search", "ann example", "--json"))["customers"]
    assert [c["name"] for c in ann] == ["Ann Example"]
    assert "more: --offset 1" in cli("customers", "search", "ls1 5hd", "--limit", "1")
    assert "q:" in cli("policy", "search", "x", code=2)

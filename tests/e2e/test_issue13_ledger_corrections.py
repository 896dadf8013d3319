"""Issue 13 item 12 (PAY-5): a reversed entry's correction is posted through REST and the command line,
with a reason, by an administrator; reconciliation passes after a reversal and after the correction."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Api, Cli, field_names, quote_body


def _bound(api: Api) -> tuple[str, dict[str, Any]]:
    q = api.post("/quotes", quote_body(api.customer_id)).json()
    pid = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, key="k-issue13-12").json()["id"]
    entry = next(e for e in api.get(f"/policies/{pid}/statement").json()["entries"]
                 if any(p["account"] == "premium:written" for p in e["postings"]))
    return pid, entry


def test_issue13_item12_pay5_correction_endpoint(api: Api) -> None:
    _, entry = _bound(api)
    url = f"/ledger/entries/{entry['id']}/correction"
    assert api.post(url, {"reason": "too early"}, token=api.admin).status_code == 409  # not reversed yet
    assert api.post(f"/ledger/entries/{entry['id']}/reversal", {"reason": "wrong"}, token=api.admin).status_code == 201
    assert api.get("/ledger/reconciliation").json()["ok"] is True
    assert api.post(url, {"reason": "staff"}).status_code == 403
    bad = api.post(url, {"reason": "x", "postings": [{"account": "premium:written", "amount": "1e2"},
                                                       {"account": "customer:receivable", "amount": "-1.00"}]},
                   token=api.admin)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert any("postings" in f and "amount" in f for f in field_names(bad))
    unbalanced = api.post(url, {"reason": "x", "postings": [{"account": "premium:written", "amount": "-1.00"},
                                                              {"account": "customer:receivable", "amount": "2.00"}]},
                          token=api.admin)
    assert unbalanced.status_code == 422 and field_names(unbalanced) == {"postings"}
    ok = api.post(url, {"reason": "reversed in error", "postings": entry["postings"]}, token=api.admin)
    assert ok.status_code == 201 and ok.json()["corrects"] == entry["id"]
    report = api.get("/ledger/reconciliation").json()
    assert report["ok"] is True and report["awaiting_correction"] == []
    assert api.post(url, {"reason": "again"}, token=api.admin).status_code == 409


def test_issue13_item12_pay5_cli_reverse_then_correct(cli: Cli) -> None:
    cli("demo")
    policies = json.loads(cli("policy", "list", "--json"))
    pid = policies[0]["id"]
    statement = json.loads(cli("policy", "statement", pid, "--json"))
    entry = next(e for e in statement["entries"] if any(p["account"] == "premium:written" for p in e["postings"]))
    cli("ledger", "reconcile")
    assert "Reversal of" in cli("ledger", "reverse", entry["id"], "--reason", "posted in error")
    out = cli("ledger", "reconcile")
    assert "awaiting correction: 1" in out and entry["id"] in out
    err = cli("ledger", "correct", entry["id"], "--reason", "r", "--posting", "premium:written=-1.00",
              "--posting", "customer:receivable=2.00", code=2)
    assert "postings" in err
    cli("ledger", "correct", entry["id"], "--reason", "r", "--posting", "nonsense", code=2)
    fixed = json.loads(cli("ledger", "correct", entry["id"], "--reason", "posted again", "--json"))
    assert fixed["corrects"] == entry["id"]
    assert "awaiting correction: 0" in cli("ledger", "reconcile")

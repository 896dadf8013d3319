"""PAY-2, FEE-2 over REST: a policy's arrears (the customer sees their own), the card payment that stops the ladder
(declined: 402, nothing changes; nothing overdue: 404), the staff list and CSV report, and the daily step by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from covernote.billing.usecases.returns import take_step
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from tests.e2e.conftest import quote_body
from tests.integration.test_arrears import Returned


def _policy(api: Any) -> str:
    q = api.post("/quotes", quote_body(api.customer_id), token=api.customer).json()
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, token=api.customer,
                 key=new_id("key"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _return(api: Any, policy_id: str, reason: str = "B", re_presentable: bool = False) -> None:
    ctx = api.ctx
    with ctx.uow() as uow:
        take_step(ctx, uow, Returned(new_id("ret"), policy_id, "ins_1", Money.of("55.00"), reason, re_presentable,
                                         ctx.today()))
        uow.commit()


def test_pay2_arrears_over_rest(api: Any) -> None:
    pid = _policy(api)
    none = api.get(f"/policies/{pid}/arrears", token=api.customer).json()
    assert none["overdue"] is False and none["cases"] == []
    assert api.post(f"/policies/{pid}/arrears/payment", {"payment_token": "tok_visa"}, token=api.customer,
                    key=new_id("key")).status_code == 404
    _return(api, pid)
    mine = api.get(f"/policies/{pid}/arrears", token=api.customer).json()
    assert (mine["overdue"], mine["owed"], mine["pay_by_card"]) == (True, "75.00", True)
    case = mine["cases"][0]
    assert case["stage"] == "card_payment"
    assert case["pay_by"] == (api.ctx.today() + timedelta(days=14)).isoformat()
    assert case["steps"][0]["kind"] == "card_payment_requested" and case["steps"][0]["deadline_id"]

    # the staff's list and report; a customer may not see them
    assert api.get("/arrears", token=api.customer).status_code == 403
    listed = api.get("/arrears?stage=card_payment").json()
    assert listed["total"] == 1 and listed["cases"][0]["id"] == case["id"]
    assert api.get("/arrears?stage=nonsense").status_code == 422
    report = api.client.get("/arrears?format=csv&stage=open", headers=api.headers())
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [(r["stage"], r["owed"], r["fee"]) for r in rows] == [("card_payment", "75.00", "20.00")]

    # the daily step by hand issues the letter; nothing else is due today
    run = api.post("/arrears/run").json()
    assert run["letters_issued"] == 1 and run["steps"] == {}
    assert api.post("/arrears/run", token=api.customer).status_code == 403
    docs = api.get(f"/policies/{pid}/documents", token=api.customer)
    assert docs.status_code == 200 and "arrears_pay_by_card" in docs.text

    declined = api.post(f"/policies/{pid}/arrears/payment", {"payment_token": "tok_declined"}, token=api.customer,
                        key=new_id("key"))
    assert declined.status_code == 402
    assert api.get(f"/policies/{pid}/arrears", token=api.customer).json()["overdue"] is True
    assert api.post(f"/policies/{pid}/arrears/payment", {}, token=api.customer, key=new_id("key")).status_code == 422
    key = new_id("key")
    paid = api.post(f"/policies/{pid}/arrears/payment", {"payment_token": "tok_mastercard"}, token=api.customer, key=key)
    assert paid.status_code == 200, paid.text
    assert paid.json()["paid"] == "75.00" and paid.json()["cases"][0]["stage"] == "paid"
    again = api.post(f"/policies/{pid}/arrears/payment", {"payment_token": "tok_mastercard"}, token=api.customer, key=key)
    assert again.json()["idempotent_replay"] is True
    assert api.get(f"/policies/{pid}/arrears", token=api.customer).json()["overdue"] is False
    assert api.get("/ledger/reconciliation", token=api.admin).json()["ok"] is True


def test_pay2_another_customer_cannot_see_or_pay(api: Any) -> None:
    from covernote.identity.usecases import create_user
    from tests.support import new_customer

    pid = _policy(api)
    _return(api, pid, "0", True)
    other = new_customer(api.ctx, "Olly Other")
    _, token = create_user(api.ctx, "Olly", "customer", other)
    assert api.get(f"/policies/{pid}/arrears", token=token).status_code == 404
    assert api.post(f"/policies/{pid}/arrears/payment", {"payment_token": "tok_visa"}, token=token,
                    key=new_id("key")).status_code == 404
    assert date.fromisoformat(api.get(f"/policies/{pid}/arrears").json()["cases"][0]["represent_on"]) > api.ctx.today()

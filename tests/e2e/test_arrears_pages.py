"""PAY-2 on the pages (TestClient): the customer portal's policy page says "payment overdue: pay now" with the card
payment form while a returned direct debit is unpaid; a declined card says so and changes nothing; a payment
posted twice pays once; another customer cannot pay. The back office's credit control queue lists the open
arrears cases beside their clocks."""

from __future__ import annotations

import re

from covernote.kernel.ids import new_id
from tests.e2e.test_arrears_api import _return
from tests.e2e.test_backoffice_pages import Office, office, staff  # noqa: F401  (the back office fixture)
from tests.e2e.test_portal_selfservice import Customer, api, me  # noqa: F401  (the portal fixtures)
from tests.support import bind


def _form_key(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_pay2_portal_policy_page_payment_overdue_pay_now(me: Customer) -> None:  # noqa: F811
    pid = me.policy["id"]
    calm = me.get(f"/portal/policies/{pid}")
    assert calm.status_code == 200 and "Payment overdue" not in calm.text
    _return(me.api, pid)  # not re-presentable: pay by card now
    page = me.get(f"/portal/policies/{pid}")
    assert page.status_code == 200
    assert "Payment overdue: pay now" in page.text and "stop your policy being cancelled" in page.text
    assert 'name="payment_token"' in page.text
    key = _form_key(page.text)
    empty = me.post(f"/portal/policies/{pid}/arrears/payment", {"payment_token": "", "idempotency_key": key})
    assert empty.status_code == 422 and "Enter the card" in empty.text
    declined = me.post(f"/portal/policies/{pid}/arrears/payment",
                       {"payment_token": "tok_declined", "idempotency_key": new_id("k")})
    assert declined.status_code == 402 and "Nothing was paid" in declined.text
    assert me.post(f"/portal/policies/{pid}/arrears/payment", {"payment_token": "tok_visa", "idempotency_key": key},
                   csrf=False).status_code in (400, 403)
    paid = me.post(f"/portal/policies/{pid}/arrears/payment", {"payment_token": "tok_visa", "idempotency_key": key})
    assert paid.status_code == 200 and "we have taken" in paid.text and "Payment overdue" not in paid.text
    again = me.post(f"/portal/policies/{pid}/arrears/payment", {"payment_token": "tok_visa", "idempotency_key": key})
    assert again.status_code == 200  # the same key: answered once, nothing taken twice
    cases = me.api.get(f"/policies/{pid}/arrears").json()["cases"]
    assert [c["stage"] for c in cases] == ["paid"] and sum(s["kind"] == "paid_by_card" for s in cases[0]["steps"]) == 1


def test_pay2_portal_another_customer_cannot_pay(me: Customer) -> None:  # noqa: F811
    other = bind(me.ctx)
    _return(me.api, other["id"])
    r = me.post(f"/portal/policies/{other['id']}/arrears/payment", {"payment_token": "tok_visa",
                                                                     "idempotency_key": new_id("k")})
    assert r.status_code == 404


def test_pay2_backoffice_credit_control_queue_lists_open_arrears(office: Office) -> None:  # noqa: F811
    staff(office)
    policy_id = next(p["id"] for p in office.api("/policies?limit=100")
                     if p["product_code"] in ("ECO", "YOUNG_DRIVER") and p["status"] == "live")

    class _Api:
        ctx = office.ctx

    _return(_Api(), policy_id)
    r = office.client.get("/backoffice/queues", params={"team": "credit_control", "hours": "720"})
    assert r.status_code == 200, r.text
    assert "Open arrears cases (1)" in r.text and f"/backoffice/policies/{policy_id}" in r.text
    assert "card payment" in r.text  # the stage, and its clock among the deadlines due
    assert "Customer to pay the arrears by card" in r.text

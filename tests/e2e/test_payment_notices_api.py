"""PAY-3 over REST: an adjustment answers the notice (amount, card's last four digits, day); the policy's notices
and authority; withdrawing the authority; paying a notice now with another card; staff's list by due day."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.test_api import _bind
from tests.support import run_notices_after

BODY = {"effective_date": "2026-12-02", "reason": "more miles",
        "changes": [{"op": "set_answer", "question": "annual_mileage", "value": 16000}]}


def _adjusted(api, clock):  # type: ignore[no-untyped-def]
    _, r = _bind(api)
    pid = r.json()["id"]
    clock.advance(timedelta(days=10))
    quote = api.post(f"/policies/{pid}/adjustments", BODY).json()
    done = api.post(f"/policies/{pid}/adjustments/{quote['id']}/confirm", key="mta-key-0001")
    assert done.status_code == 200, done.json()
    return pid, done.json()["payment"]


def test_pay3_an_adjustment_answers_its_notice_and_the_policy_lists_it(api, clock):
    """PAY-3: "we will take GBP X from your card ending 4242 on <date>", listed on the policy with its authority."""
    pid, pay = _adjusted(api, clock)
    assert pay["status"] == "notified" and pay["notice"]["card_last4"] == "4242"
    assert pay["notice"]["due_on"] == "2026-12-16" and "ending 4242 on 16 December 2026" in pay["summary"]
    listed = api.get(f"/policies/{pid}/payment-notices").json()
    assert listed["authority"]["in_force"] is True
    assert [n["id"] for n in listed["notices"]] == [pay["notice"]["id"]]
    assert listed["notices"][0]["document_id"]  # the letter, one of the policy's documents
    docs = api.get(f"/policies/{pid}/documents").json()
    assert any(d["kind"] == "payment_notice" for d in docs["documents"])
    staff = api.get("/payment-notices?due=2026-12-16").json()
    assert [n["id"] for n in staff] == [pay["notice"]["id"]]
    assert api.get("/payment-notices?due=2026-12-17").json() == []
    assert api.get("/payment-notices", token=api.customer).status_code == 403
    assert api.get("/payment-notices?status=nonsense").status_code == 422


def test_pay3_withdrawal_then_pay_now_with_another_card(api, clock):
    """PAY-3: withdrawn, the charge is owed and not taken on its day; paid now with a token it is settled; a
    declined card is 402 and changes nothing; a second withdrawal is 409."""
    pid, pay = _adjusted(api, clock)
    w = api.post(f"/policies/{pid}/payment-authority/withdrawal")
    assert w.status_code == 200 and w.json()["in_force"] is False and w.json()["owed"] == pay["amount"]
    assert api.post(f"/policies/{pid}/payment-authority/withdrawal").status_code == 409
    assert run_notices_after(api.ctx, days=14)["taken"] == 0
    nid = pay["notice"]["id"]
    declined = api.post(f"/policies/{pid}/payment-notices/{nid}/payment", {"token": "tok_declined"}, key="pay-key-0001")
    assert declined.status_code == 402
    assert api.post(f"/policies/{pid}/payment-notices/{nid}/payment", {"token": "tok_visa"}).status_code == 422
    paid = api.post(f"/policies/{pid}/payment-notices/{nid}/payment", {"token": "tok_mastercard"}, key="pay-key-0002")
    assert paid.status_code == 200 and paid.json()["status"] == "taken"
    assert api.get(f"/policies/{pid}/statement").json()["balance"] == "0.00"
    again = api.post(f"/policies/{pid}/payment-notices/{nid}/payment", {"token": "tok_mastercard"}, key="pay-key-0003")
    assert again.status_code == 409
    mine = api.get(f"/policies/{pid}/payment-notices", token=api.customer).json()  # the customer's own policy
    assert [n["status"] for n in mine["notices"]] == ["taken"] and mine["authority"]["answer_by"] is None


def test_pay3_the_operations_are_documented(api):
    spec = api.client.get("/openapi.json").json()["paths"]
    assert {"402", "409", "422"} <= set(spec["/policies/{policy_id}/payment-notices/{notice_id}/payment"]["post"]["responses"])
    assert "409" in spec["/policies/{policy_id}/payment-authority/withdrawal"]["post"]["responses"]
    assert "/payment-notices" in spec and "/policies/{policy_id}/payment-notices" in spec

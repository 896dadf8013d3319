"""The continuous payment authority's notices (PAY-3, S3 "Continuous Payment") through the use cases, on SQLite
and PostgreSQL: an adjustment, a renewal or a Smartbox return is posted at once and notified; the money moves 14
days after the letter, through the daily step, once; a decline leaves it owed and the notice failed; a withdrawn
authority stops the charges, offers another way to pay and, failing that, asks for the policy's cancellation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from covernote.billing.domain.events import PolicyCancellationDue
from covernote.billing.usecases import authority, notices
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, NotFound, PaymentRequired
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import cancellations
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change
from tests.support import adjust, bind, cancel, run_notices_after

MILES = Change("set_answer", question="annual_mileage", value="16000")
FEWER_MILES = Change("set_answer", question="annual_mileage", value="3000")


def _balance(ctx: AppContext, policy_id: str) -> str:
    return ledger.policy_statement(ctx, SYSTEM, policy_id)["balance"]


def _documents(ctx: AppContext, policy_id: str, kind: str) -> list[Any]:
    with ctx.uow(read_only=True) as uow:
        return [d for d in uow.documents.for_policy(policy_id) if d.kind == kind]


def test_pay3_an_adjustment_is_posted_now_notified_and_taken_14_days_after_its_letter(db_ctx, clock):
    """PAY-3: the charge is on the account at once; the notice names the amount, the card's last four digits and
    the day (14 calendar days after the letter); the daily step takes it on that day, not before, once."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    assert pol["payment"]["status"] == "settled"  # new business: the customer pays now
    clock.advance(timedelta(days=20))
    out = adjust(db_ctx, pol["id"], db_ctx.today(), MILES)
    pay = out["payment"]
    assert pay["status"] == "notified" and pay["kind"] == "charge"
    notice = pay["notice"]
    due = db_ctx.today() + timedelta(days=14)
    assert (notice["card_brand"], notice["card_last4"], notice["due_on"]) == ("Visa", "4242", due.isoformat())
    assert pay["summary"] == f"We will take GBP {pay['amount']} from your Visa card ending 4242 on " \
                             f"{due.day} {due:%B %Y}."
    assert _balance(db_ctx, pol["id"]) == pay["amount"]  # owed now, on the account
    # the letter was issued as one of the policy's documents, and the notice knows it
    listed = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert listed[0]["sent_on"] == db_ctx.today().isoformat() and listed[0]["document_id"]
    [letter] = _documents(db_ctx, pol["id"], "payment_notice")
    text = documents.get_document(db_ctx, SYSTEM, letter.document_id, "txt").content.decode()
    assert "ending 4242" in text and f"GBP {pay['amount']}" in text and f"{due.day} {due:%B %Y}" in text
    # the day before: nothing taken; on the day: taken; a rerun takes nothing more
    early = notices.run_notices(db_ctx, due - timedelta(days=1))
    assert early["taken"] == 0 and _balance(db_ctx, pol["id"]) == pay["amount"]
    on_day = replace(db_ctx, clock=FixedClock(clock.now() + timedelta(days=14)))
    run = notices.run_notices(on_day, due)
    assert run["taken"] == 1 and run["failed"] == []
    assert notices.run_notices(on_day, due)["taken"] == 0
    assert _balance(db_ctx, pol["id"]) == "0.00"
    [taken] = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert taken["status"] == "taken" and taken["receipt_reference"]
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_pay3_a_return_premium_is_a_refund_notice_and_charge_and_refund_are_never_netted(db_ctx, clock):
    """PAY-3: a charge and a later refund on the same policy are each their own notice, each moved on its day."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=30))
    up = adjust(db_ctx, pol["id"], db_ctx.today(), MILES)["payment"]
    clock.advance(timedelta(days=3))
    down = adjust(db_ctx, pol["id"], db_ctx.today(), FEWER_MILES)["payment"]
    assert (up["kind"], down["kind"]) == ("charge", "refund")
    listed = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert [(n["kind"], n["amount"], n["status"]) for n in listed] == [
        ("charge", up["amount"], "pending"), ("refund", down["amount"], "pending")]
    later = run_notices_after(db_ctx, days=14)
    assert (later["taken"], later["paid"]) == (1, 1)
    assert _balance(db_ctx, pol["id"]) == "0.00"
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_pay3_a_declined_charge_is_left_owing_and_the_notice_failed_with_the_reason(db_ctx, clock):
    """PAY-3: a decline on the day leaves the amount owed on the account and marks the notice failed (for arrears)."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=5))
    pay = adjust(db_ctx, pol["id"], db_ctx.today(), MILES)["payment"]
    _swap_token(db_ctx, pol["id"], "tok_insufficient_funds")
    run = run_notices_after(db_ctx, days=14)
    assert run["taken"] == 0 and [f["reason"] for f in run["failed"]] == ["insufficient funds"]
    [n] = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert n["status"] == "failed" and n["reason"] == "insufficient funds"
    assert _balance(db_ctx, pol["id"]) == pay["amount"]
    # the customer pays it another way: with another card
    paid = notices.pay_now(db_ctx, SYSTEM, pol["id"], n["id"], "tok_mastercard", new_id("key"))
    assert paid["status"] == "taken" and _balance(db_ctx, pol["id"]) == "0.00"


def _swap_token(ctx: AppContext, policy_id: str, token: str) -> None:
    """The card behind the stored token now declines (as a real card may, after the bind)."""
    from covernote.store.tables import policies

    with ctx.uow() as uow:
        uow._conn.execute(policies.update().where(policies.c.id == policy_id).values(payment_token=token))  # type: ignore[attr-defined]
        uow.commit()


def test_pay3_renewal_is_notified_not_charged(db_ctx, clock):
    """PAY-3 (S3: "we reserve the right to automatically collect renewal premiums"): notified, taken 14 days on."""
    from covernote.lifecycle.usecases import renewals

    pol = bind(db_ctx, "YOUNG_DRIVER")
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.advance(timedelta(days=(end - db_ctx.today()).days - 20))
    renewals.run_renewal_invitations(db_ctx)
    [invite] = renewals.renewal_view_for(db_ctx, SYSTEM, pol["id"])["invitations"]
    done = renewals.confirm_renewal(db_ctx, SYSTEM, pol["id"], invite["id"], new_id("key"))
    assert done["payment"]["status"] == "notified"
    assert _balance(db_ctx, pol["id"]) == done["payment"]["amount"]
    # the system's renewal (the auto-renewal batch) leaves its letter to the daily step, which sends it today
    assert notices.run_notices(db_ctx)["letters_sent"] == 1
    assert run_notices_after(db_ctx, days=13)["taken"] == 0
    assert run_notices_after(db_ctx, days=14)["taken"] == 1
    assert _balance(db_ctx, pol["id"]) == "0.00"


def test_pay3_a_cancellation_refund_in_the_first_cooling_off_is_paid_now_later_ones_are_notified(db_ctx, clock):
    """PAY-3: a refund of the payment the customer made themselves at bind, on cancelling within the cooling-off
    period, is not a payment under the authority (paid now); a cancellation refund after it is (S3: "any request
    for additional payment or refund"), 14 days after its notice."""
    early = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=3))
    out = cancel(db_ctx, early["id"], db_ctx.today())
    assert out["payment"]["status"] == "settled" and out["payment"]["kind"] == "refund"
    late = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=40))
    out = cancel(db_ctx, late["id"], db_ctx.today())
    assert out["payment"]["status"] == "notified" and out["payment"]["kind"] == "refund"
    assert run_notices_after(db_ctx, days=14)["paid"] == 1
    assert _balance(db_ctx, late["id"]) == "0.00"


def test_pay3_the_smartbox_return_refund_is_notified(db_ctx, clock):
    """PAY-3, FEE-5: the box-return fee refund follows the notice rule, not an immediate refund."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=40))
    cancel(db_ctx, pol["id"], db_ctx.today())
    clock.advance(timedelta(days=2))
    out = cancellations.record_box_return(db_ctx, SYSTEM, pol["id"], db_ctx.today(), new_id("key"))
    if out["in_time"] and out["payment"]["status"] != "nothing to pay":
        assert out["payment"]["status"] == "notified" and out["payment"]["kind"] == "refund"
    run_notices_after(db_ctx, days=14)
    assert _balance(db_ctx, pol["id"]) == "0.00"
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_pay3_withdrawing_the_authority_stops_charges_offers_another_way_then_asks_for_cancellation(db_ctx, clock):
    """PAY-3 (S3: "Should you not agree with the continuous payment authority ... your insurance may be
    cancelled"): pending charges are withdrawn and stay owed; a letter gives 14 days on the clock engine; unpaid
    by then, billing publishes PolicyCancellationDue(cause=payment_authority_withdrawn)."""
    seen: list[PolicyCancellationDue] = []
    ctx = replace(db_ctx, handlers={**db_ctx.handlers, PolicyCancellationDue: (lambda c, u, e: seen.append(e),)})
    pol = bind(ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=10))
    pay = adjust(ctx, pol["id"], ctx.today(), MILES)["payment"]
    state = authority.withdraw(ctx, SYSTEM, pol["id"])
    answer_by = ctx.today() + timedelta(days=14)
    assert not state["in_force"] and state["owed"] == pay["amount"] and state["answer_by"] == answer_by.isoformat()
    assert state["letter_document_id"] and _documents(ctx, pol["id"], "authority_withdrawal")
    with pytest.raises(Conflict):
        authority.withdraw(ctx, SYSTEM, pol["id"])
    [n] = notices.policy_notices(ctx, SYSTEM, pol["id"])["notices"]
    assert n["status"] == "withdrawn"
    # the clock runs for credit control
    with ctx.uow(read_only=True) as uow:
        [deadline] = uow.deadlines.for_subject("payment_authority", pol["id"])
    assert deadline.rule_code == "billing.payment_authority_answer" and deadline.team == "credit_control"
    # the due day passes: nothing is taken from the card
    assert run_notices_after(ctx, days=14)["taken"] == 0
    assert _balance(ctx, pol["id"]) == pay["amount"]
    # the answer date passes unpaid: the cancellation is asked for, once
    later = replace(ctx, clock=FixedClock(clock.now() + timedelta(days=15)))
    run = notices.run_notices(later, answer_by + timedelta(days=1))
    assert run["cancellations_due"] == [pol["id"]]
    assert [(e.policy_id, e.cause, e.effective_on) for e in seen] == [
        (pol["id"], "payment_authority_withdrawn", answer_by + timedelta(days=1))]
    assert seen[0].notice_document_id == state["letter_document_id"]
    assert notices.run_notices(later, answer_by + timedelta(days=2))["cancellations_due"] == []
    assert len(seen) == 1


def test_pay3_paying_another_way_meets_the_answer_date_and_nothing_is_cancelled(db_ctx, clock):
    """PAY-3: after withdrawing, the customer pays the amount now with a card they enter: the clock is met and
    no cancellation is asked for; a declined card changes nothing."""
    seen: list[PolicyCancellationDue] = []
    ctx = replace(db_ctx, handlers={**db_ctx.handlers, PolicyCancellationDue: (lambda c, u, e: seen.append(e),)})
    pol = bind(ctx, "YOUNG_DRIVER")
    customer = Principal("usr_cust", "customer", customer_id=pol["customer_id"])
    clock.advance(timedelta(days=10))
    adjust(ctx, pol["id"], ctx.today(), MILES)
    authority.withdraw(ctx, customer, pol["id"])
    [n] = notices.policy_notices(ctx, customer, pol["id"])["notices"]
    with pytest.raises(PaymentRequired):
        notices.pay_now(ctx, customer, pol["id"], n["id"], "tok_declined", new_id("key"))
    paid = notices.pay_now(ctx, customer, pol["id"], n["id"], "tok_mastercard", new_id("key"))
    assert paid["status"] == "taken" and _balance(ctx, pol["id"]) == "0.00"
    with pytest.raises(Conflict):
        notices.pay_now(ctx, customer, pol["id"], n["id"], "tok_mastercard", new_id("key"))
    with ctx.uow(read_only=True) as uow:
        [deadline] = uow.deadlines.for_subject("payment_authority", pol["id"])
    assert deadline.met_at is not None
    run = run_notices_after(ctx, days=30)
    assert run["cancellations_due"] == [] and seen == []
    other = Principal("usr_other", "customer", customer_id="cus_other")
    with pytest.raises(NotFound):
        notices.policy_notices(ctx, other, pol["id"])


def test_pay3_a_rerun_after_a_crash_between_the_provider_and_the_commit_never_takes_twice(db_ctx, clock):
    """PAY-3: the notice's own idempotency key: the provider answers a rerun with the first receipt."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=20))
    pay = adjust(db_ctx, pol["id"], db_ctx.today(), MILES)["payment"]
    with db_ctx.uow(read_only=True) as uow:
        [notice] = uow.payment_notices.for_policy(pol["id"])
    # the first run charged the card, then died before its commit: the provider holds the payment
    first = db_ctx.payments.charge("tok_visa", notice.amount, "crashed run", f"{notice.idempotency_key}:charge")
    run = run_notices_after(db_ctx, days=14)
    assert run["taken"] == 1
    [taken] = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert taken["receipt_reference"] == first.reference  # the same payment, not a second one
    assert _balance(db_ctx, pol["id"]) == "0.00" and pay["amount"] == notice.amount.to_str()


def test_pay3_a_cancellation_after_the_cooling_off_settles_the_pending_notices_with_its_own(db_ctx, clock):
    """PAY-3: a cancellation closes the account: a change's charge not yet taken is cancelled (saying so) and the
    cancellation's one notice moves the net amount, 14 days after its letter; the account ends at zero."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=40))
    change = adjust(db_ctx, pol["id"], db_ctx.today(), MILES)["payment"]
    clock.advance(timedelta(days=2))
    out = cancel(db_ctx, pol["id"], db_ctx.today())
    refund = Money.of(out["refund"]["refund_total"]) - Money.of(out["refund"]["amount_due_from_customer"])
    net = refund - Money.of(change["amount"])
    assert out["payment"]["status"] == "notified"
    assert out["payment"]["kind"] == ("refund" if net > Money.zero() else "charge")
    assert out["payment"]["amount"] == abs(net).to_str()
    listed = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert [n["status"] for n in listed] == ["cancelled", "pending"]
    assert "settled with the cancellation" in (listed[0]["reason"] or "")
    run_notices_after(db_ctx, days=14)
    assert _balance(db_ctx, pol["id"]) == "0.00" and ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_pay3_letters_that_could_not_be_issued_are_sent_by_the_daily_step(db_ctx, clock, monkeypatch):
    """PAY-3: the change is committed even when its letter cannot be made now; the payment is not taken before
    the letter exists, and the daily step issues it (the 14 days then count from that day)."""
    from covernote.billing.usecases import authority as authority_module

    real = documents.issue_letter

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the PDF renderer is away")

    monkeypatch.setattr(documents, "issue_letter", broken)
    pol = bind(db_ctx, "YOUNG_DRIVER")
    clock.advance(timedelta(days=20))
    adjust(db_ctx, pol["id"], db_ctx.today(), MILES)
    authority_module.withdraw(db_ctx, SYSTEM, pol["id"])
    [n] = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert n["document_id"] is None and n["sent_on"] is None
    assert notices.policy_notices(db_ctx, SYSTEM, pol["id"])["authority"]["letter_document_id"] is None
    monkeypatch.setattr(documents, "issue_letter", real)
    later = replace(db_ctx, clock=FixedClock(clock.now() + timedelta(days=2)))
    assert notices.run_notices(later)["letters_sent"] == 2  # the notice's and the withdrawal's
    [n] = notices.policy_notices(db_ctx, SYSTEM, pol["id"])["notices"]
    assert n["document_id"] and n["sent_on"] == later.today().isoformat()
    assert notices.policy_notices(db_ctx, SYSTEM, pol["id"])["authority"]["letter_document_id"]

"""A returned direct debit, arrears and lapse through the real use cases, on SQLite and PostgreSQL (PAY-2, FEE-2,
PAY-6): the returns come in as the Bacs side hands them over (`handle_return` with a returned collection), the
daily step moves each case along, and the lifecycle cancels for non-payment.

The policy is an ECO (S1) policy bound on 22 November 2026; its premium was taken by card at bind, and the
returned instalment is posted as the Bacs side posts a returned collection (the receivable owed again), so the
ledger's figures are those of a customer who owes one instalment. Dates (England and Wales bank holidays:
25 and 28 December 2026, 1 January 2027):
  return handled Tuesday 15 December 2026 -> new collection date 10 working days on: Thursday 31 December;
  paid unless returned by 3 working days later: Wednesday 6 January 2027;
  re-presentation returned Tuesday 5 January -> pay by card by 19 January (14 days);
  not paid: notice on 20 January, cancellation effective 27 January (the product's 7 days' notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain.events import PolicyCancellationDue
from covernote.billing.usecases import arrears
from covernote.billing.usecases.returns import take_step
from covernote.clocks import usecases as clocks
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import PaymentRequired
from covernote.kernel.ids import new_id
from covernote.kernel.journal import CASH, RECEIVABLE, Posting, balanced_entry
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.platform.context import AppContext
from tests.support import bind

INSTALMENT = Money.of("61.25")


@dataclass(frozen=True)
class Returned:
    """A returned collection as the Bacs side hands it over (billing/ports.py ReturnedCollection)."""

    return_id: str
    policy_id: str
    instalment_id: str
    amount: Money
    reason_code: str
    re_presentable: bool
    returned_on: date


def bacs_posts(ctx: AppContext, policy_id: str, amount: Money, what: str) -> None:
    """What the Bacs side posts for a collection returned (`amount` > 0: owed again) or collected (< 0)."""
    with ctx.uow() as uow:
        entry = balanced_entry(new_id("jnl"), ctx.clock.now(), what, policy_id, None, [Posting(CASH, -amount, what)],
                               RECEIVABLE, what)
        assert entry is not None
        uow.ledger.add(entry)
        uow.commit()


def returned(ctx: AppContext, clock: FixedClock, policy_id: str, day: date, *, reason: str = "0",
             re_presentable: bool = True, instalment: str = "ins_1", post: bool = True) -> dict[str, Any]:
    clock.set_date(day, 9)
    if post:
        bacs_posts(ctx, policy_id, INSTALMENT, "Direct debit returned unpaid")
    with ctx.uow() as uow:
        done = take_step(ctx, uow, Returned(new_id("ret"), policy_id, instalment, INSTALMENT, reason,
                                                re_presentable, day))
        uow.commit()
    arrears.issue_letters(ctx)
    return dict(done)


def run_on(ctx: AppContext, clock: FixedClock, day: date) -> dict[str, Any]:
    clock.set_date(day, 6)
    return dict(arrears.run_arrears(ctx))


def letters(ctx: AppContext, policy_id: str) -> list[str]:
    with ctx.uow(read_only=True) as uow:
        return [d.kind for d in sorted(uow.documents.for_policy(policy_id), key=lambda d: d.created_at)]


def receivable(ctx: AppContext, policy_id: str) -> Money:
    with ctx.uow(read_only=True) as uow:
        return uow.ledger.account_balance(policy_id, RECEIVABLE)


def only_case(ctx: AppContext, policy_id: str) -> dict[str, Any]:
    view = arrears.policy_arrears(ctx, SYSTEM, policy_id)
    assert len(view["cases"]) == 1
    return dict(view["cases"][0])


def policy_bound(db_ctx: AppContext) -> str:
    return str(bind(db_ctx, "ECO")["id"])


def test_pay2_returned_then_failed_representation_ends_in_cancellation(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2, FEE-2: returned, re-presented, returned again, not paid by card: the letters (new date and charge;
    pay by card; notice of cancellation), the GBP 20 charge, the dates, and the cancellation by the insurer with
    the product's cancellation fee, the ledger reconciling and nothing left owed either way."""
    ctx = db_ctx
    pid = policy_bound(ctx)
    first = returned(ctx, clock, pid, date(2026, 12, 15))
    assert first["step"] == "returned"
    case = only_case(ctx, pid)
    assert (case["stage"], case["represent_on"], case["paid_unless_returned_by"]) == \
        ("representation", "2026-12-31", "2027-01-06")
    assert (case["amount"], case["fee"], case["owed"]) == ("61.25", "20.00", "81.25")
    assert letters(ctx, pid)[-1] == "arrears_returned"
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(pid)
        assert policy is not None
        txn = next(t for t in policy.transactions if t.kind == "returned_dd")
        assert [(f.code, f.amount.to_str()) for f in txn.fees_charged] == [("returned_direct_debit", "20.00")]
    assert receivable(ctx, pid) == Money.of("81.25")

    assert run_on(ctx, clock, date(2026, 12, 31))["steps"] == {}
    again = returned(ctx, clock, pid, date(2027, 1, 5), post=False)  # the re-presentation (Bacs posts its own)
    assert again["step"] == "card_payment_requested"
    case = only_case(ctx, pid)
    assert (case["stage"], case["pay_by"], case["fee"]) == ("card_payment", "2027-01-19", "20.00")  # one charge
    assert run_on(ctx, clock, date(2027, 1, 19))["steps"] == {}
    out = run_on(ctx, clock, date(2027, 1, 20))
    assert out["steps"] == {"notice_of_cancellation": 1} and out["letters_issued"] == 1
    case = only_case(ctx, pid)
    assert (case["stage"], case["notice_on"], case["cancel_on"]) == ("notice", "2027-01-20", "2027-01-27")
    assert run_on(ctx, clock, date(2027, 1, 26))["steps"] == {}
    out = run_on(ctx, clock, date(2027, 1, 27))
    assert out["steps"] == {"cancellation_due": 1} and out["cancellations_due"] == 1 and not out["failed"]

    assert letters(ctx, pid)[-3:] == ["arrears_returned", "arrears_pay_by_card", "arrears_cancellation_notice"]
    case = only_case(ctx, pid)
    assert case["stage"] == "cancelled"
    assert [s["kind"] for s in case["steps"]] == ["returned", "card_payment_requested", "notice_of_cancellation",
                                                 "cancellation_due"]
    assert all(s["letter_document_id"] for s in case["steps"] if s["letter"])
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(pid)
        assert policy is not None
        cancellation = next(t for t in policy.transactions if t.kind == "cancellation")
        assert cancellation.effective_date == date(2027, 1, 27)
        assert cancellation.details["cancelled_by"] == "insurer"
        assert cancellation.details["cause"] == "non_payment"
        assert cancellation.details["requested_on"] == "2027-01-20"
        assert [(f.code, f.amount.to_str()) for f in cancellation.fees_charged] == [("cancellation", "50.00")]
        assert policy.term().cancelled_from == date(2027, 1, 27)
        deadlines = {d.rule_code: d for d in uow.deadlines.for_subject("arrears_case", case["id"])}
    rep = deadlines["arrears.representation"]
    assert rep.met_at is not None and rep.met_at <= rep.due(rep.met_at).due_at  # presented on its date: in time
    assert deadlines["arrears.card_payment"].stopped_at is not None
    assert deadlines["arrears.cancellation_notice"].met_at is not None
    # FEE-6 with the arrears: kept = earned premium + fees (20 + 50); the rest of what was paid, less the
    # instalment still owed, is refunded to the card under the continuous payment authority: noticed now, paid
    # on the notice's day (PAY-3), so the account holds exactly that refund until then.
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]
    with ctx.uow(read_only=True) as uow:
        refunds = [n for n in uow.payment_notices.for_policy(pid) if n.status == "pending"]
    assert [n.kind for n in refunds] == ["refund"] and refunds[0].due_on == date(2027, 1, 27) + timedelta(days=14)
    assert receivable(ctx, pid) == -refunds[0].amount and refunds[0].amount > Money.zero()
    statement = ledger.policy_statement(ctx, SYSTEM, pid)
    assert statement["accounts"]["fees:returned_direct_debit"] == "-20.00"
    assert statement["accounts"]["fees:cancellation"] == "-50.00"
    with ctx.uow(read_only=True) as uow:
        assert clocks.open_on(uow, "arrears_case", case["id"]) == []


def test_pay2_refer_to_payer_represented_and_paid(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2, PAY-6: a refer-to-payer return is presented again and not returned: the case closes paid, the charge
    was owed and is collected with the instalment, and nothing is cancelled."""
    ctx = db_ctx
    pid = policy_bound(ctx)
    returned(ctx, clock, pid, date(2026, 12, 15))
    with ctx.uow(read_only=True) as uow:
        due = arrears.representations_due(ctx, uow, date(2026, 12, 31))
    assert [(c.policy_id, c.owed) for c in due] == [(pid, Money.of("81.25"))]
    clock.set_date(date(2026, 12, 31), 8)
    bacs_posts(ctx, pid, -Money.of("81.25"), "Direct debit collected")  # the re-presentation, instalment and charge
    with ctx.uow() as uow:  # as the collection run records it on the case (direct_debit._present_charges)
        [case] = uow.arrears.for_policy(pid)
        uow.arrears.update(ladder.re_presented(case, case.fee))
        uow.commit()
    assert run_on(ctx, clock, date(2027, 1, 5))["steps"] == {}
    assert run_on(ctx, clock, date(2027, 1, 6))["steps"] == {"representation_paid": 1}
    case = only_case(ctx, pid)
    assert (case["stage"], case["closed_on"]) == ("paid", "2027-01-06")
    assert run_on(ctx, clock, date(2027, 3, 1))["steps"] == {}
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(pid)
        assert policy is not None
        assert not any(t.kind == "cancellation" for t in policy.transactions)
    assert letters(ctx, pid)[-1] == "arrears_returned"
    assert receivable(ctx, pid) == Money.zero()
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]
    assert arrears.policy_arrears(ctx, SYSTEM, pid)["overdue"] is False


def test_pay2_paying_by_card_in_time_stops_the_ladder(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2: a return that may not be re-presented (ARUDD B, account closed) goes straight to the request to pay
    by card; a declined card changes nothing; paying during the notice stops the cancellation."""
    ctx = db_ctx
    pid = policy_bound(ctx)
    first = returned(ctx, clock, pid, date(2026, 12, 15), reason="B", re_presentable=False)
    assert first["step"] == "card_payment_requested"
    assert only_case(ctx, pid)["pay_by"] == "2026-12-29"
    run_on(ctx, clock, date(2026, 12, 30))
    assert only_case(ctx, pid)["stage"] == "notice"
    clock.set_date(date(2027, 1, 4), 11)
    with pytest.raises(PaymentRequired):
        arrears.pay_arrears(ctx, SYSTEM, pid, "tok_insufficient_funds", new_id("key"))
    assert only_case(ctx, pid)["stage"] == "notice"
    key = new_id("key")
    paid = arrears.pay_arrears(ctx, SYSTEM, pid, "tok_mastercard", key)
    assert paid["paid"] == "81.25" and paid["payment"]["status"] == "settled"
    again = arrears.pay_arrears(ctx, SYSTEM, pid, "tok_mastercard", key)
    assert again["idempotent_replay"] is True
    case = only_case(ctx, pid)
    assert (case["stage"], case["closed_on"]) == ("paid", "2027-01-04")
    assert [s["kind"] for s in case["steps"]][-1] == "paid_by_card"
    assert run_on(ctx, clock, date(2027, 1, 6))["steps"] == {}
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(pid)
        assert policy is not None
        assert not any(t.kind == "cancellation" for t in policy.transactions)
        deadlines = uow.deadlines.for_subject("arrears_case", case["id"])
    assert all(d.met_at is not None or d.stopped_at is not None for d in deadlines)
    assert receivable(ctx, pid) == Money.zero()
    assert ledger.reconcile(ctx, SYSTEM)["ok"]


def test_pay2_returns_and_the_cancellation_handler_are_idempotent(db_ctx: AppContext, clock: FixedClock) -> None:
    """The same return handled twice takes one step; the cancellation asked for twice cancels once; a policy
    already cancelled is left alone."""
    ctx = db_ctx
    pid = policy_bound(ctx)
    clock.set_date(date(2026, 12, 15), 9)
    ret = Returned("ret_same", pid, "ins_1", INSTALMENT, "0", True, date(2026, 12, 15))
    for _ in range(2):
        with ctx.uow() as uow:
            take_step(ctx, uow, ret)
            uow.commit()
    case = only_case(ctx, pid)
    assert len(case["steps"]) == 1
    clock.set_date(date(2027, 1, 20), 9)
    for _ in range(2):
        with ctx.uow() as uow:
            uow.publish(PolicyCancellationDue(pid, "non_payment", date(2027, 1, 27), None))
            uow.commit()
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(pid)
        assert policy is not None
        assert [t.effective_date for t in policy.transactions if t.kind == "cancellation"] == [date(2027, 1, 27)]
    assert ledger.reconcile(ctx, SYSTEM)["ok"]
    # The open case closes on the next run: the policy is cancelled (otherwise than by its own ladder).
    out = run_on(ctx, clock, date(2027, 1, 28))
    assert out["steps"] == {"closed": 1}
    assert only_case(ctx, pid)["stage"] == "closed"


def test_pay2_pay1_a_monthly_financed_policy_cancelled_for_non_payment_settles_its_plan(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2 with PAY-1: a young-driver policy paid monthly through premium finance (S3 states no charge for a
    returned direct debit, so none is made) goes down the ladder to cancellation, settled as every cancellation is
    (billing's `settle`: for a direct-debit payer, once `settle.pays_by_direct_debit` answers from the plan, its
    re-plan), and the ledger reconciles."""
    from covernote.billing.usecases import plans
    from tests.integration.test_billing_plans import monthly

    ctx = db_ctx
    bind(ctx, "YOUNG_DRIVER")  # paid by the same card, so its token holds enough for any refund
    policy, _ = monthly(ctx)
    pid = policy["id"]
    first = returned(ctx, clock, pid, date(2026, 12, 15), reason="1", re_presentable=False, post=False)
    assert first["step"] == "card_payment_requested"
    case = only_case(ctx, pid)
    assert (case["fee"], case["owed"], case["pay_by"]) == ("0.00", "61.25", "2026-12-29")
    with ctx.uow(read_only=True) as uow:
        p = uow.policies.get(pid)
        assert p is not None
        assert [t.fees_charged for t in p.transactions if t.kind == "returned_dd"] == [()]
    run_on(ctx, clock, date(2026, 12, 30))
    assert only_case(ctx, pid)["cancel_on"] == "2027-01-06"
    out = run_on(ctx, clock, date(2027, 1, 6))
    assert out["cancellations_due"] == 1 and not out["failed"]
    assert plans.payment_plan(ctx, SYSTEM, pid)["policy_id"] == pid
    with ctx.uow(read_only=True) as uow:
        p = uow.policies.get(pid)
        assert p is not None and p.term().cancelled_from == date(2027, 1, 6)
        assert next(t for t in p.transactions if t.kind == "cancellation").details["cause"] == "non_payment"
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]


def test_pay2_pay1_a_returned_instalment_paid_by_card_counts_as_paid_on_the_agreement(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2 with PAY-1: the first instalment of a financed plan comes back (the Bacs side marks it returned) and
    the customer pays it by card: the agreement counts it as paid otherwise, so a re-plan never collects it again."""
    from covernote.billing.usecases import plans
    from tests.integration.test_billing_plans import monthly

    ctx = db_ctx
    policy, _ = monthly(ctx)
    pid = policy["id"]
    with ctx.uow() as uow:
        [plan] = uow.plans.plans_for(pid)
        first = uow.plans.instalments(plan.plan_id)[0]
        uow.plans.supersede(first.instalment_id, "returned", None)  # as the Bacs side marks it
        uow.commit()
    clock.set_date(date(2026, 12, 15), 9)
    with ctx.uow() as uow:
        take_step(ctx, uow, Returned(new_id("ret"), pid, first.instalment_id, first.amount, "B", False,
                                         date(2026, 12, 15)))
        uow.commit()
    # Returned, the instalment is still owed to the provider (the memorandum of the customer's debt holds it)
    before = ledger.reconcile(ctx, SYSTEM)
    assert before["ok"], before["problems"]
    assert plans.payment_plan(ctx, SYSTEM, pid)["agreement"]["returned"] == first.amount.to_str()  # type: ignore[index]
    paid = arrears.pay_arrears(ctx, SYSTEM, pid, "tok_visa", new_id("key"))
    assert paid["paid"] == first.amount.to_str()  # S3's product: no charge for the return
    with ctx.uow(read_only=True) as uow:
        agreement = uow.plans.agreement_for(plan.plan_id)
        row = uow.plans.instalments(plan.plan_id)[0]
    assert agreement is not None and agreement.paid_otherwise == first.amount
    assert row.status == "paid_otherwise"
    assert plans.payment_plan(ctx, SYSTEM, pid)["agreement"]["returned"] == "0.00"  # type: ignore[index]
    report = ledger.reconcile(ctx, SYSTEM)  # paid: held for the provider, the memorandum down by it
    assert report["ok"], report["problems"]


def test_pay2_through_bacs_a_returned_then_returned_re_presentation_ends_in_cancellation(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2, PAY-6, FEE-2 through the real direct debit use cases and the Bacs bureau simulator (whose account
    ...1111 returns every collection "refer to payer"): the collection of 7 December 2026 comes back on the 8th;
    the report processing hands it to handle_return: the charge, the letter and a re-presentation planned by Bacs'
    rules with the product's 10 working days; the run whose cycle reaches that day presents it again (code 18);
    it comes back too: pay by card within 14 days, then 7 days' notice, then the cancellation; the ledger
    reconciles."""
    from covernote.billing.usecases import direct_debit as dd
    from covernote.billing.usecases import direct_debit_views as dd_views
    from covernote.kernel.calendar import WorkingDayCalendar
    from tests.integration.test_billing_direct_debit import MON, day, dd_plan, with_bureau

    ctx = db_ctx
    with_bureau(ctx)
    a = dd_plan(ctx, "12341111", [(date(2026, 12, 1), 4567), (date(2027, 1, 1), 4500)])
    pid = a["policy"]["id"]
    day(clock, date(2026, 11, 19))
    dd.lodge_mandates(ctx, SYSTEM)
    day(clock, MON)
    dd.lodge_mandates(ctx, SYSTEM)
    dd.send_notices(ctx, SYSTEM)
    day(clock, date(2026, 11, 26))
    dd.process_reports(ctx, SYSTEM)
    day(clock, date(2026, 12, 3))
    assert dd.run_collections(ctx, SYSTEM)["collected"] == 1
    day(clock, date(2026, 12, 8))
    assert dd.process_reports(ctx, SYSTEM)["returns"] == 1
    case = only_case(ctx, pid)
    assert (case["stage"], case["amount"], case["fee"], case["reason_code"]) == ("representation", "45.67", "20.00",
                                                                                  "0")
    represent_on = date.fromisoformat(case["represent_on"])
    bacs_days = WorkingDayCalendar()
    assert bacs_days.is_working_day(represent_on) and bacs_days.working_days_between(date(2026, 12, 8),
                                                                                     represent_on) >= 10
    [collection] = [c for c in dd_views.policy_direct_debit(ctx, SYSTEM, pid)["collections"]]
    assert collection["status"] == "returned"
    arrears.issue_letters(ctx)
    assert letters(ctx, pid)[-1] == "arrears_returned"

    # the run whose cycle reaches the new date presents it again, for the same amount
    presented = None
    d = date(2026, 12, 9)
    while presented is None and d < represent_on:
        day(clock, d)
        run = dd.run_collections(ctx, SYSTEM)
        if run["collected"]:
            presented = run
        d += timedelta(days=1)
    assert presented is not None and presented["entry_on"] == represent_on.isoformat()
    rows = dd_views.policy_direct_debit(ctx, SYSTEM, pid)["collections"]
    # S1: "the new date that we will take the direct debit payment and the £20 charge": two items on one day
    assert [(c["transaction_code"], c["amount"], c["entry_on"]) for c in rows] == [
        ("01", "45.67", "2026-12-07"), ("18", "45.67", represent_on.isoformat()),
        ("17", "20.00", represent_on.isoformat())]
    assert only_case(ctx, pid)["owed"] == "0.00"  # both presented: collected unless they come back
    # ...1111 returns it again on the report day after its processing
    d = represent_on
    while only_case(ctx, pid)["stage"] == "representation":
        day(clock, d)
        dd.process_reports(ctx, SYSTEM)
        d += timedelta(days=1)
        assert d < represent_on + timedelta(days=10)
    case = only_case(ctx, pid)
    assert case["stage"] == "card_payment" and case["fee"] == "20.00"  # no second charge
    assert (case["owed"], case["amount_collected"], case["fee_collected"]) == ("65.67", "0.00", "0.00")
    pay_by = date.fromisoformat(case["pay_by"])
    out = run_on(ctx, clock, pay_by + timedelta(days=1))
    assert out["steps"] == {"notice_of_cancellation": 1}
    cancel_on = date.fromisoformat(only_case(ctx, pid)["cancel_on"])
    assert cancel_on == pay_by + timedelta(days=8)
    out = run_on(ctx, clock, cancel_on)
    assert out["cancellations_due"] == 1 and not out["failed"]
    assert letters(ctx, pid)[-3:] == ["arrears_returned", "arrears_pay_by_card", "arrears_cancellation_notice"]
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(pid)
        assert policy is not None and policy.term().cancelled_from == cancel_on
        cancellation = next(t for t in policy.transactions if t.kind == "cancellation")
        assert cancellation.details["cancelled_by"] == "insurer" and cancellation.details["cause"] == "non_payment"
    # The direct debit tests' plan is written straight into the tables (no agreement, no memorandum of the debt to
    # the provider, which the plans use case posts), so the reconciliation names that memorandum for the instalment
    # still scheduled; nothing else: the charge, the collections, the return and the cancellation all reconcile.
    report = ledger.reconcile(ctx, SYSTEM)
    assert {p.get("account") for p in report["problems"]} <= {"finance:customer-debt", "finance:customer-debt-contra"}
    statement = ledger.policy_statement(ctx, SYSTEM, pid)
    assert statement["accounts"]["fees:returned_direct_debit"] == "-20.00"


def _through_bacs_to_the_re_presentation(ctx: AppContext, clock: FixedClock) -> tuple[str, dict[str, Any], list[Any]]:
    """An eco policy paid monthly from an account the bureau simulator returns once ("refer to payer" on the first
    collection, the re-presentation and everything with it paid), days passing with the daily billing steps until
    the re-presentation and the charge are presented: the policy, its case, its collections."""
    from covernote.billing.usecases import plans
    from tests.integration.test_billing_direct_debit import with_bureau
    from tests.integration.test_billing_returns_property import collections, next_day

    with_bureau(ctx)
    pid = str(bind(ctx, "ECO")["id"])
    plans.switch_to_monthly(ctx, SYSTEM, pid, {"account_holder": "Ann Example", "sort_code": "20-00-00",
                                               "account_number": "12340000"}, 5, new_id("key"))
    for _ in range(60):
        next_day(ctx, clock)
        if any(c.attempt == 3 for c in collections(ctx, pid)):
            break
    return pid, only_case(ctx, pid), collections(ctx, pid)


def test_fee2_pay2_the_charge_is_collected_beside_the_re_presentation_and_only_what_comes_back_is_asked_by_card(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """FEE-2, PAY-2 (S1: "We will then write to you, to let you know the new date that we will take the direct debit
    payment and the £20 charge"): the first instalment comes back "refer to payer"; the letter names the new date,
    the instalment and the GBP 20 charge; on that date the run presents the instalment again (code 18, unchanged) and
    the charge as an item of its own (code 17). The bank pays the re-presentation but returns the charge: the
    customer is asked by card for the GBP 20 alone, pays it, and the case closes; the plan counts the instalment as
    collected and the ledger reconciles."""
    from covernote.billing.usecases import plans
    from covernote.documents.usecases import documents
    from tests.integration.test_billing_returns_property import collections, report_returning

    ctx = db_ctx
    pid, case, rows = _through_bacs_to_the_re_presentation(ctx, clock)
    first = next(c for c in rows if c.attempt == 1)
    amount = Money.from_pence(first.amount_pence)
    assert (case["stage"], case["fee"], case["owed"]) == ("representation", "20.00", "0.00")
    assert (case["amount_collected"], case["fee_collected"]) == (amount.to_str(), "20.00")
    again = [(c.transaction_code, c.amount_pence, c.entry_on.isoformat()) for c in rows if c.attempt > 1]
    assert again == [("18", first.amount_pence, case["represent_on"]), ("17", 2000, case["represent_on"])]
    with ctx.uow(read_only=True) as uow:
        returned_letter = next(d for d in uow.documents.for_policy(pid) if d.kind == "arrears_returned")
    text = documents.get_document(ctx, SYSTEM, returned_letter.document_id, "txt").content.decode()
    assert f"the GBP 20.00 charge as a separate direct debit on the same day: GBP {(amount + Money.of('20.00')).to_str()}" \
        in text

    [charge] = [c for c in collections(ctx, pid) if c.attempt == 3]
    report_returning(ctx, [charge], "0")
    case = only_case(ctx, pid)
    assert (case["stage"], case["owed"], case["amount_collected"], case["fee_collected"]) == (
        "card_payment", "20.00", amount.to_str(), "0.00")
    with ctx.uow(read_only=True) as uow:
        card_letter = [d for d in uow.documents.for_policy(pid) if d.kind == "arrears_pay_by_card"][-1]
    text = documents.get_document(ctx, SYSTEM, card_letter.document_id, "txt").content.decode()
    assert "You now owe GBP 20.00 (the GBP 20.00 charge for the returned direct debit)" in text
    paid = arrears.pay_arrears(ctx, SYSTEM, pid, "tok_visa", new_id("key"))
    assert paid["paid"] == "20.00" and only_case(ctx, pid)["stage"] == "paid"
    plan = plans.payment_plan(ctx, SYSTEM, pid)
    assert plan["instalments"][0]["status"] == "collected"
    assert plan["agreement"] is not None and plan["agreement"]["paid_otherwise"] == "0.00"
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]
    assert ledger.policy_statement(ctx, SYSTEM, pid)["accounts"]["fees:returned_direct_debit"] == "-20.00"


def test_pay2_a_returned_re_presentation_whose_charge_was_paid_is_asked_by_card_for_the_instalment_alone(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-2, PAY-1: the re-presentation comes back but the charge beside it is paid: the card request is for the
    instalment alone; paid by card, the instalment is `paid_otherwise` on the plan (never collected again) and the
    ledger reconciles."""
    from covernote.billing.usecases import plans
    from tests.integration.test_billing_returns_property import collections, report_returning

    ctx = db_ctx
    pid, _, rows = _through_bacs_to_the_re_presentation(ctx, clock)
    amount = Money.from_pence(next(c for c in rows if c.attempt == 1).amount_pence)
    [again] = [c for c in collections(ctx, pid) if c.attempt == 2]
    report_returning(ctx, [again], "0")
    case = only_case(ctx, pid)
    assert (case["stage"], case["owed"], case["fee_collected"]) == ("card_payment", amount.to_str(), "20.00")
    paid = arrears.pay_arrears(ctx, SYSTEM, pid, "tok_visa", new_id("key"))
    assert paid["paid"] == amount.to_str()
    plan = plans.payment_plan(ctx, SYSTEM, pid)
    assert plan["instalments"][0]["status"] == "paid_otherwise"
    assert plan["agreement"] is not None and plan["agreement"]["paid_otherwise"] == amount.to_str()
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]

"""PAY-1, PAY-2, PAY-5, PAY-6, FEE-2 (issue 15's property, through the production path): a policy paid monthly by
direct debit through premium finance lives through any sequence of adjustments, collections by the Bacs collection
run, returns read from ARUDD reports by the report processing (refer to payer, or an instruction cancelled), the
arrears ladder's re-presentations (with the charge collected beside them) and card payments, days passing with the
daily billing steps (so the ladder may itself cancel the policy), and a cancellation, perhaps with a collection
in flight that comes back after it. After every step:

- deposit + instalments collected + returned instalments paid by card + still to collect + returned and being
  recovered + arrears - refunds = the term's total + interest, to the penny (the agreement's figures);
- the ledger reconciles (the premium, fees, the provider's part, the memorandum of the customer's debt to the
  provider, commission);
- no instalment is presented twice for the same attempt, and a returned instalment is never spread over the
  others (an adjustment leaves its amount as it was).

The returns are the bureau's reports as the report processing reads them (`direct_debit._record_report`: every
return of a report undone, then the ladder's steps), for collections the simulator would have paid: the test
decides which come back."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.billing.domain import bacs
from covernote.billing.ports import BacsReportFile
from covernote.billing.usecases import arrears, notices, plans
from covernote.billing.usecases import direct_debit as dd
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change
from tests.conftest import START
from tests.integration.test_billing_direct_debit import with_bureau
from tests.support import adjust, bind, cancel, new_customer

BANK = {"account_holder": "Ann Example", "sort_code": "20-00-00", "account_number": "12345678"}  # the bureau pays it

STEP = st.one_of(
    st.tuples(st.just("mileage"), st.sampled_from(["2000", "6000", "9000", "12000", "17000"])),
    st.tuples(st.just("collect"), st.just("")),
    st.tuples(st.just("return"), st.sampled_from(["0", "0", "1"])),  # refer to payer; instruction cancelled
    st.tuples(st.just("wait"), st.sampled_from(["5", "12", "20"])),  # days pass: re-presentations, the ladder
    st.tuples(st.just("card"), st.just("")),
)
# Every sequence starts with a collection, so there is something to return.
STEPS = st.lists(st.one_of(STEP, st.tuples(st.just("return"), st.just("0")), st.tuples(st.just("collect"),
                                                                                       st.just(""))),
                 min_size=2, max_size=8).map(lambda steps: [("collect", ""), *steps])


def run_day(ctx: AppContext) -> None:
    """The daily job's billing steps, in its order (jobs/daily.py)."""
    notices.run_notices(ctx)
    dd.lodge_mandates(ctx, SYSTEM)
    dd.send_notices(ctx, SYSTEM)
    dd.run_collections(ctx, SYSTEM)
    dd.process_reports(ctx, SYSTEM)
    arrears.run_arrears(ctx)


def next_day(ctx: AppContext, clock: FixedClock) -> None:
    clock.set_date(ctx.today() + timedelta(days=1), 9)
    run_day(ctx)


def collections(ctx: AppContext, pid: str) -> list[Any]:
    with ctx.uow(read_only=True) as uow:
        return uow.direct_debit.collections(policy_id=pid)


def report_returning(ctx: AppContext, items: list[Any], reason: str) -> None:
    """The bureau's ARUDD report returning these collections for `reason`, read by the report processing
    (`direct_debit._record_report`, as `process_reports` reads a fetched file), then the ladder's letters issued."""
    with ctx.uow(read_only=True) as uow:
        mandates = {m.mandate_id: m for c in items for m in uow.direct_debit.mandates(policy_id=c.policy_id)}
    returns = tuple(bacs.ReturnedDebit(mandates[c.mandate_id].reference, c.transaction_code, reason, c.amount_pence,
                                       c.processing_on, "200000", "12345678", "ANN EXAMPLE") for c in items)
    report = bacs.BacsReport("ARUDD", "123456", new_id("adv"), ctx.today(), returns)
    digest = hashlib.sha256(repr(report).encode()).hexdigest()
    with ctx.uow() as uow:
        dd._record_report(ctx, uow, BacsReportFile(new_id("rep"), "ARUDD", ctx.today(), digest, report))
        uow.commit()
    arrears.issue_letters(ctx)


def return_report(ctx: AppContext, pid: str, reason: str) -> bool:
    """The policy's latest presented collection returned (and, as a bank returns a payer's items of one day
    together, every item presented with it)."""
    presented = [c for c in collections(ctx, pid) if c.status == "presented"]
    if not presented:
        return False
    last = max(presented, key=lambda c: (c.processing_on, c.attempt))
    report_returning(ctx, [c for c in presented if c.processing_on == last.processing_on], reason)
    return True


def check(ctx: AppContext, pid: str) -> None:
    a = plans.payment_plan(ctx, SYSTEM, pid)["agreement"]
    assert a is not None
    paid = Money.of(a["deposit"]) + Money.of(a["collected"]) + Money.of(a["paid_otherwise"]) - Money.of(a["refunded"])
    owed = Money.of(a["to_collect"]) + Money.of(a["returned"]) + Money.of(a["arrears"])
    assert (paid + owed).pence == (Money.of(a["current_cash_price"]) + Money.of(a["current_interest"])).pence, a
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]
    seen = [(c.instalment_id, c.attempt) for c in collections(ctx, pid) if c.status != "withdrawn"]
    assert len(seen) == len(set(seen)), "an instalment presented twice"


def returned_amounts(ctx: AppContext, pid: str) -> dict[int, str]:
    plan = plans.payment_plan(ctx, SYSTEM, pid)
    return {i["sequence"]: i["amount"] for i in plan["instalments"] if i["status"] == "returned"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS, cancel_after=st.booleans(), late_return=st.booleans())
def test_pay1_pay2_any_sequence_of_changes_collections_returns_and_recoveries_keeps_the_books(
        steps: list[tuple[str, str]], cancel_after: bool, late_return: bool) -> None:
    """PAY-1, PAY-2, PAY-5, PAY-6, FEE-2: the property of the module's docstring, on SQLite (each example on its own
    database); the ladder's end to end on PostgreSQL is tests/integration/test_arrears.py."""
    from tests.integration.test_state_machine import fresh_ctx

    clock = FixedClock(START)
    ctx, folder = fresh_ctx(clock)
    try:
        with_bureau(ctx)
        pid = bind(ctx, "ECO", customer_id=new_customer(ctx, "Ann Example"))["id"]
        opened = plans.switch_to_monthly(ctx, SYSTEM, pid, BANK, 5, f"plan-{pid}")
        assert opened["plan"]["status"] == "active"
        check(ctx, pid)
        for what, arg in steps:
            if what == "mileage":
                before = returned_amounts(ctx, pid)
                try:
                    adjust(ctx, pid, ctx.today(), Change("set_answer", question="annual_mileage", value=arg))
                except (ValidationFailed, Conflict):
                    continue  # the same mileage again, or the policy is no longer live
                after = returned_amounts(ctx, pid)
                assert after == before or not after, "a returned instalment was re-planned"
            elif what == "collect":
                count = len(collections(ctx, pid))
                for _ in range(45):
                    next_day(ctx, clock)
                    if len(collections(ctx, pid)) > count:
                        break
            elif what == "return":
                return_report(ctx, pid, arg)
            elif what == "wait":
                for _ in range(int(arg)):
                    next_day(ctx, clock)
            else:
                view = arrears.policy_arrears(ctx, SYSTEM, pid)
                if view["pay_by_card"]:  # what the cases asking for a card owe (not one awaiting its re-presentation)
                    payable = sum((Money.of(c["owed"]) for c in view["cases"]
                                   if c["stage"] in ("card_payment", "notice")), Money.zero())
                    paid = arrears.pay_arrears(ctx, SYSTEM, pid, "tok_visa", new_id("key"))
                    assert Money.of(paid["paid"]) == payable
            check(ctx, pid)
        if cancel_after:
            next_day(ctx, clock)
            with contextlib.suppress(ValidationFailed, Conflict):  # cancelled already (by the ladder)
                cancel(ctx, pid, ctx.today())
            run_day(ctx)
            check(ctx, pid)
            if late_return:  # a collection in flight at the cancellation comes back after it
                return_report(ctx, pid, "0")
                check(ctx, pid)
            plan = plans.payment_plan(ctx, SYSTEM, pid)
            with ctx.uow(read_only=True) as uow:
                record = uow.policies.get(pid)
                assert record is not None
            if record.term().cancelled_from is not None:  # settled: nothing left to collect or recover by Bacs
                assert not [i for i in plan["instalments"] if i["status"] in ("scheduled", "returned")]
                for case in arrears.policy_arrears(ctx, SYSTEM, pid)["cases"]:
                    # only a re-presentation already presented may still be waiting for its result
                    assert case["stage"] != "representation" or case["amount_collected"] == case["amount"], case
    finally:
        ctx.uow.engine.dispose()  # type: ignore[attr-defined]
        shutil.rmtree(folder, ignore_errors=True)

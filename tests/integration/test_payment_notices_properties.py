"""PAY-3 property tests on SQLite, each example on its own freshly migrated database: over any sequence of
adjustments (additional and return premiums) on a young driver's policy, each notified and taken or paid on its
own day by the daily step (never netted), once every notice is due and the step has run the account's balance is
zero, and the payments less the refunds equal the charges to the penny. And a pure one: a notice sent on any
day of a year is due exactly 14 calendar days later (S3's "14 days", weekends and bank holidays included)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from covernote.billing.domain.notices import due_on, how_to_settle
from covernote.billing.usecases import notices
from covernote.identity.usecases import SYSTEM
from covernote.kernel.journal import CASH, RECEIVABLE
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.policy.domain.risk import Change
from tests.integration.test_properties_lifecycle import FAST, _Db
from tests.support import adjust, bind, run_notices_after

MILEAGES = st.sampled_from([2000, 4000, 6000, 9000, 12000, 16000, 19000])


def _pence(text: str) -> int:
    return Money.of(text).pence


@FAST
@given(steps=st.lists(st.tuples(st.integers(0, 20), MILEAGES, st.integers(0, 16)), min_size=1, max_size=4))
def test_pay3_notices_taken_on_their_days_leave_the_account_at_zero_and_cash_equal_to_the_charges(steps):
    """PAY-3, PAY-5: each step waits some days, adjusts the mileage, and maybe runs the daily step some days on;
    at the end, with every notice due and the step run, the balance is 0.00 and payments - refunds = charges."""
    with _Db() as db:
        ctx, clock = db.ctx, db.clock
        pol = bind(ctx, "YOUNG_DRIVER")
        charged = _pence(pol["payment"]["amount"])  # the new business charge, taken at bind
        last_miles = 6000
        for wait, miles, run_after in steps:
            clock.advance(timedelta(days=wait + 1))
            if miles != last_miles:
                out = adjust(ctx, pol["id"], ctx.today(), Change("set_answer", question="annual_mileage",
                                                                  value=str(miles)))
                pay = out["payment"]
                assert pay["status"] in ("notified", "nothing to pay")
                if pay["status"] == "notified":
                    assert pay["notice"]["due_on"] == (ctx.today() + timedelta(days=14)).isoformat()
                    charged += _pence(pay["amount"]) * (1 if pay["kind"] == "charge" else -1)
                last_miles = miles
            if run_after:  # the daily step, as it would run some day in between: takes only what is due
                run = run_notices_after(ctx, days=run_after)
                assert run["failed"] == [] and run["unavailable"] == []
        final = run_notices_after(ctx, days=15)
        assert final["failed"] == []
        listed = notices.policy_notices(ctx, SYSTEM, pol["id"])["notices"]
        assert all(n["status"] in ("taken", "paid") for n in listed)
        statement = ledger.policy_statement(ctx, SYSTEM, pol["id"])
        assert statement["balance"] == "0.00"
        taken = sum(_pence(n["amount"]) for n in listed if n["kind"] == "charge")
        paid = sum(_pence(n["amount"]) for n in listed if n["kind"] == "refund")
        assert _pence(pol["payment"]["amount"]) + taken - paid == charged == _pence(statement["accounts"][CASH])
        assert RECEIVABLE in statement["accounts"] and ledger.reconcile(ctx, SYSTEM)["ok"]


@given(day=st.dates(date(2026, 1, 1), date(2028, 12, 31)), days=st.integers(1, 60))
def test_pay3_a_notice_sent_on_any_day_is_due_that_many_calendar_days_later(day, days):
    """PAY-3 (S3: "notified in writing 14 days prior"): calendar days, whatever the weekday or bank holiday."""
    assert due_on(day, days) - day == timedelta(days=days)
    assert (due_on(day, 14) - day).days == 14


def test_pay3_every_day_of_a_year_gets_its_14_days():
    """PAY-3: over every day of 2027 (its bank holidays included) the due day is 14 calendar days on."""
    start = date(2027, 1, 1)
    for n in range(365):
        sent = start + timedelta(days=n)
        assert due_on(sent, 14) == date.fromordinal(sent.toordinal() + 14)


@given(pence=st.integers(-10**7, 10**7), occasion=st.sampled_from(
    ["new_business", "adjustment", "renewal", "cancellation", "box_return", "rerating"]), cooling=st.booleans())
def test_pay3_only_new_business_and_a_first_cooling_off_refund_are_settled_at_once(pence, occasion, cooling):
    """PAY-3: how each occasion's money is settled; nothing to move is never notified."""
    amount = Money.from_pence(pence)
    how = how_to_settle(occasion, amount, within_first_cooling_off=cooling)  # type: ignore[arg-type]
    if pence == 0:
        assert how == "nothing"
    elif occasion == "new_business" or (occasion == "cancellation" and cooling and pence < 0):
        assert how == "collect_now"
    else:
        assert how == "notice"

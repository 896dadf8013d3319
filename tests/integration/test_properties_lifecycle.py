"""Property tests through the use cases on SQLite, each example on its own freshly migrated database.

- POL-2: an MTA and its reverse at the same effective date bring the term's premium back to exactly
  what it was, and their additional and return premiums (and IPT) cancel to the penny.
- FEE-6: for any cancellation date, refund + earned premium and IPT + fees kept == what was paid, with
  every figure computed here in pence.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import policies
from covernote.policy.domain.risk import Change
from tests.conftest import START
from tests.integration.test_state_machine import fresh_ctx
from tests.support import adjust, bind, cancel, driver, run_notices_after

IPT_RATE = Decimal("0.12")
FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _p(text: str) -> int:
    return int(Decimal(text) * 100)


def _rhu(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class _Db:
    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.ctx, self.folder = fresh_ctx(self.clock)

    def __enter__(self) -> _Db:
        return self

    def __exit__(self, *exc: object) -> None:
        self.ctx.uow.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


MILEAGES = st.sampled_from([2000, 6000, 9000, 12000, 17000, 19000])


@FAST
@given(product=st.sampled_from(["ECO", "YOUNG_DRIVER"]), today_day=st.integers(0, 300), back=st.integers(0, 60),
       miles=MILEAGES, via_driver=st.booleans())
def test_pol2_mta_then_reverse_mta_restores_term_premium_exactly(product, today_day, back, miles, via_driver):
    """POL-2: change then change back at the same effective date: premium and IPT return exactly."""
    with _Db() as db:
        ctx, clock = db.ctx, db.clock
        pol = bind(ctx, product)
        original = pol["current_term"]["premium_charged"], pol["current_term"]["ipt_charged"]
        start = date.fromisoformat(pol["current_term"]["start_date"])
        clock.advance(timedelta(days=today_day))
        effective = max(start, ctx.today() - timedelta(days=back))  # staff may back-date
        base_miles = "8000" if product == "ECO" else "6000"
        if via_driver:
            there = Change("add_driver", driver=driver("z9", date(1996, 7, 8), date(2015, 1, 1), "Zed"))
            again = Change("remove_driver", driver_id="z9")
        else:
            there = Change("set_answer", question="annual_mileage", value=str(miles))
            again = Change("set_answer", question="annual_mileage", value=base_miles)
        first = adjust(ctx, pol["id"], effective, there)
        second = adjust(ctx, pol["id"], effective, again)
        view = policies.get_policy(ctx, SYSTEM, pol["id"])
        assert (view["current_term"]["premium_charged"], view["current_term"]["ipt_charged"]) == original
        assert _p(first["transaction"]["premium"]) + _p(second["transaction"]["premium"]) == 0
        assert _p(first["transaction"]["ipt"]) + _p(second["transaction"]["ipt"]) == 0
        run_notices_after(ctx, days=14)  # PAY-3: each change's payment or refund, 14 days after its letter
        report = ledger.reconcile(ctx, SYSTEM)
        assert report["ok"], report["problems"]
        assert report["outstanding_balances"] == []


@FAST
@given(product=st.sampled_from(["ECO", "YOUNG_DRIVER"]), day=st.integers(0, 364), docs_after=st.integers(0, 5))
def test_fee6_refund_plus_earned_plus_kept_equals_paid_for_any_cancellation_date(product, day, docs_after):
    """FEE-6, FEE-1, FEE-4: pro-rata refund less the right fee for any day of cancellation."""
    with _Db() as db:
        ctx, clock = db.ctx, db.clock
        pol = bind(ctx, product, documents_on=ctx.today() + timedelta(days=docs_after))
        term = pol["current_term"]
        premium, tax = _p(term["premium_charged"]), _p(term["ipt_charged"])
        assert tax == _rhu(premium * IPT_RATE)
        start, end = date.fromisoformat(term["start_date"]), date.fromisoformat(term["end_date"])
        term_days = (end - start).days
        clock.advance(timedelta(days=day))
        within = day <= docs_after + 14
        out = cancel(ctx, pol["id"], ctx.today())
        earned = _rhu(Decimal(premium * day) / term_days)
        earned_ipt = _rhu(earned * IPT_RATE)
        if product == "ECO":
            paid_fees, kept = 0, (3500 if within else 5000)
        else:
            paid_fees, kept = 10000, 10000 + (0 if within else 5000)
        refund = premium + tax - earned - earned_ipt - (kept - paid_fees)
        r = out["refund"]
        assert r["within_cooling_off"] is within
        assert (_p(r["earned"]["premium"]), _p(r["earned"]["ipt"])) == (earned, earned_ipt)
        assert _p(r["refund_total"]) - _p(r["amount_due_from_customer"]) == refund
        assert refund + earned + earned_ipt + kept == premium + tax + paid_fees
        run_notices_after(ctx, days=14)  # PAY-3: a refund after the cooling-off is paid 14 days after its letter
        statement = ledger.policy_statement(ctx, SYSTEM, pol["id"])
        assert statement["balance"] == "0.00"
        assert _p(statement["accounts"]["cash:payment-provider"]) == premium + tax + paid_fees - refund
        report = ledger.reconcile(ctx, SYSTEM)
        assert report["ok"], report["problems"]

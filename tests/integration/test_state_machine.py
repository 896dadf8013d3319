"""A Hypothesis state machine over the policy lifecycle on SQLite: quote -> bind -> MTAs (add or remove a
driver, change mileage, a temporary change) -> move the clock -> renew -> cancel.

After every step (POL-1, POL-2, PAY-3, PAY-5, FEE-6): the ledger reconciles, every policy's account owes
exactly what its open payment notices will take or pay (PAY-3: a change is posted at once and its money moved
14 days after its letter, by the daily step each move of the clock runs; zero once they are all done), and for every policy the premium and IPT posted equal each term's charge
recomputed here from the policy history (each version's premium x its days on cover / days in term,
rounded half-up once; IPT 12% of that, rounded half-up).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from covernote.billing.usecases import notices
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.ids import new_id
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import adjustments, policies, renewals
from covernote.policy.domain.risk import Change
from covernote.products.store.files import load_catalogue
from covernote.store.db import upgrade
from tests.conftest import PRODUCTS, START, make_ctx
from tests.support import bind, cancel, driver

IPT_RATE = Decimal("0.12")


@functools.cache
def _template() -> Path:
    folder = tempfile.mkdtemp(prefix="cn_sm_template_")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@functools.cache
def _catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue(PRODUCTS)


def fresh_ctx(clock: FixedClock):  # type: ignore[no-untyped-def]
    """A context on a private copy of the migrated template; returns (ctx, directory to remove)."""
    folder = Path(tempfile.mkdtemp(prefix="cn_sm_"))
    shutil.copyfile(_template(), folder / "covernote.db")
    return make_ctx(f"sqlite:///{folder / 'covernote.db'}", _catalogue(), clock), folder


def _pence(text: str) -> int:
    return int(Decimal(text) * 100)


def _rhu(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def recomputed_term_charges(history: dict[str, Any]) -> dict[int, tuple[int, int]]:
    """{term_no: (premium, ipt)} from the history's versions, in pence, computed independently."""
    out = {}
    for term in history["terms"]:
        start, end = date.fromisoformat(term["start_date"]), date.fromisoformat(term["end_date"])
        cover_end = date.fromisoformat(term["cover_ends"])
        total = Decimal(0)
        for v in term["versions"]:
            lo = max(date.fromisoformat(v["from"]), start)
            hi = min(date.fromisoformat(v["to"]), cover_end)
            if hi > lo:
                total += Decimal(_pence(v["term_premium"])) * (hi - lo).days
        premium = _rhu(total / (end - start).days)
        out[term["term"]] = (premium, _rhu(Decimal(premium) * IPT_RATE))
    return out


class PolicyLifecycle(RuleBasedStateMachine):
    """POL-1, POL-2, POL-3, PAY-5, FEE-6 over random lifecycles."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(START)
        self.ctx, self.folder = fresh_ctx(self.clock)
        self.policy_ids: list[str] = []
        self.current: str | None = None
        self.term: tuple[date, date] | None = None
        self.extra_drivers: list[str] = []
        self.product = "ECO"
        self.counter = 0

    def teardown(self) -> None:
        self.ctx.uow.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- state helpers ----------------------------------------------------------------------
    def today(self) -> date:
        return self.ctx.today()

    def live(self) -> bool:
        return self.current is not None and self.term is not None and self.term[0] <= self.today() < self.term[1]

    def idle(self) -> bool:
        return not self.live() and not self.renewed_ahead()

    def renewed_ahead(self) -> bool:
        return self.current is not None and self.term is not None and self.today() < self.term[0]

    def _set_term(self, view: dict[str, Any]) -> None:
        term = view["current_term"]
        self.term = (date.fromisoformat(term["start_date"]), date.fromisoformat(term["end_date"]))

    def _adjust(self, *changes: Change, until: date | None = None) -> None:
        assert self.current is not None
        q = adjustments.quote_adjustment(self.ctx, SYSTEM, self.current, adjustments.AdjustmentRequest(
            self.today(), changes, until, None, "state machine change"))
        out = adjustments.confirm_adjustment(self.ctx, SYSTEM, self.current, q["id"], new_id("key"))
        # POL-2: an MTA charges exactly the difference between the term's charge after and before
        assert _pence(out["transaction"]["premium"]) == _pence(q["premium_after"]) - _pence(q["premium_before"])

    # -- rules ------------------------------------------------------------------------------
    @precondition(lambda self: self.idle())
    @rule(product=st.sampled_from(["ECO", "YOUNG_DRIVER"]))
    def bind_policy(self, product: str) -> None:
        view = bind(self.ctx, product)
        self.policy_ids.append(view["id"])
        self.current, self.product, self.extra_drivers = view["id"], product, []
        self._set_term(view)

    @precondition(lambda self: self.live() and len(self.extra_drivers) < 2)
    @rule()
    def add_driver(self) -> None:
        self.counter += 1
        driver_id = f"x{self.counter}"
        self._adjust(Change("add_driver", driver=driver(driver_id, date(1990, 2, 3), date(2010, 5, 6), f"Extra {driver_id}")))
        self.extra_drivers.append(driver_id)

    @precondition(lambda self: self.live() and bool(self.extra_drivers))
    @rule(data=st.data())
    def remove_driver(self, data: st.DataObject) -> None:
        driver_id = data.draw(st.sampled_from(self.extra_drivers))
        self._adjust(Change("remove_driver", driver_id=driver_id))
        self.extra_drivers.remove(driver_id)

    @precondition(lambda self: self.live())
    @rule(miles=st.sampled_from([3000, 8000, 12000, 18000]))
    def change_mileage(self, miles: int) -> None:
        self._adjust(Change("set_answer", question="annual_mileage", value=str(miles)))

    @precondition(lambda self: self.live() and self.term is not None and (self.term[1] - self.today()).days > 1)
    @rule(miles=st.sampled_from([4000, 16000]), days=st.integers(1, 60))
    def temporary_change(self, miles: int, days: int) -> None:
        assert self.term is not None
        until = min(self.today() + timedelta(days=days), self.term[1])
        self._adjust(Change("set_answer", question="annual_mileage", value=str(miles)), until=until)

    @rule(days=st.integers(1, 200))
    def move_clock(self, days: int) -> None:
        self.clock.advance(timedelta(days=days))
        run = notices.run_notices(self.ctx)  # the daily step, catching up: every notice due by today
        assert run["failed"] == [] and run["unavailable"] == []

    def open_notices(self, pid: str) -> int:
        """What the policy's open notices will still take (+) or pay (-), in pence (PAY-3)."""
        listed = notices.policy_notices(self.ctx, SYSTEM, pid)["notices"]
        return sum(_pence(n["amount"]) * (1 if n["kind"] == "charge" else -1) for n in listed
                   if n["status"] in ("pending", "failed", "withdrawn"))

    @precondition(lambda self: self.live())
    @rule()
    def renew(self) -> None:
        assert self.current is not None and self.term is not None
        # Renewal is offered inside the product's invitation window (28 days for ECO, POL-3).
        window_opens = self.term[1] - timedelta(days=28)
        if self.today() < window_opens:
            self.clock.set_date(window_opens + timedelta(days=1))
        inv = renewals.invite_renewal(self.ctx, SYSTEM, self.current)
        assert _pence(inv["premium"]) <= _pence(inv["equivalent_new_business_premium"])  # POL-3
        view = renewals.confirm_renewal(self.ctx, SYSTEM, self.current, inv["id"], new_id("key"))
        self._set_term(view)

    @precondition(lambda self: self.live())
    @rule()
    def cancel_policy(self) -> None:
        assert self.current is not None
        out = cancel(self.ctx, self.current, self.today())
        r = out["refund"]
        paid = _pence(r["paid"]["total"])
        kept = sum(_pence(f["amount"]) for f in r["fees_kept"]) + sum(_pence(f["amount"]) for f in r["cancellation_fees"])
        earned = _pence(r["earned"]["premium"]) + _pence(r["earned"]["ipt"])
        refund = _pence(r["refund_total"]) - _pence(r["amount_due_from_customer"])
        assert refund + earned + kept == paid  # FEE-6
        self.current, self.term = None, None

    # -- invariants -------------------------------------------------------------------------
    @invariant()
    def ledger_reconciles(self) -> None:
        report = ledger.reconcile(self.ctx, SYSTEM)
        assert report["ok"], report["problems"]
        owed = {pid: self.open_notices(pid) for pid in self.policy_ids}
        assert {b["policy_id"]: _pence(b["balance"]) for b in report["outstanding_balances"]} == {
            pid: pence for pid, pence in owed.items() if pence}

    @invariant()
    def accounts_settled_and_premium_matches_history(self) -> None:
        for pid in self.policy_ids:
            statement = ledger.policy_statement(self.ctx, SYSTEM, pid)
            assert _pence(statement["balance"]) == self.open_notices(pid)
            history = policies.policy_history(self.ctx, SYSTEM, pid)
            charges = recomputed_term_charges(history)
            by_term: dict[int, list[int]] = {}
            for t in history["transactions"]:
                acc = by_term.setdefault(t["term"], [0, 0])
                acc[0] += _pence(t["premium"])
                acc[1] += _pence(t["ipt"])
            assert {k: tuple(v) for k, v in by_term.items()} == charges
            assert -_pence(statement["accounts"].get("premium:written", "0")) == sum(c[0] for c in charges.values())
            assert -_pence(statement["accounts"].get("tax:ipt-payable", "0")) == sum(c[1] for c in charges.values())


PolicyLifecycle.TestCase.settings = settings(max_examples=15, stateful_step_count=8, deadline=None,
                                             suppress_health_check=[HealthCheck.too_slow])
TestPolicyLifecycleStateMachine = PolicyLifecycle.TestCase

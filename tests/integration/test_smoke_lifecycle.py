"""A first end-to-end run of the use cases on both databases (POL-1, PAY-5)."""

from datetime import timedelta

from covernote.identity.usecases import SYSTEM
from covernote.ledger import usecases as ledger
from covernote.policy.domain.risk import Change
from tests.support import adjust, bind, cancel, driver, run_notices_after


def test_pol1_quote_bind_adjust_cancel_reconciles(db_ctx, clock):
    p = bind(db_ctx)
    assert p["status"] == "live"
    clock.advance(timedelta(days=30))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Second Driver")))
    clock.advance(timedelta(days=10))
    cancel(db_ctx, p["id"], db_ctx.today())
    run_notices_after(db_ctx, days=14)  # PAY-3: the refund is paid 14 days after its letter
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"], report["problems"]
    assert report["outstanding_balances"] == []

"""Issue 12 (the renewal batch's cost) and POL-3: a renewal invitation shows last year's premium as recorded,
the sum of the changes in the term's charge that its transactions made (new business and every adjustment,
temporary and back-dated ones included), not by pricing last year's term again. The recorded sum is the
re-priced charge to the penny (policy/domain/term.py: each adjustment charges the difference in the term's
charge), which this checks on SQLite and PostgreSQL; and pricing the offer rates no term of last year."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from covernote.kernel.clock import FixedClock
from covernote.lifecycle.usecases import renewals
from covernote.policy.domain.risk import Change
from covernote.policy.domain.term import term_charge
from covernote.policy.usecases import pricing
from tests.support import adjust, bind, driver


def _invitable(db_ctx: Any) -> tuple[Any, str]:
    policy = bind(db_ctx)
    start = db_ctx.today()
    adjust(db_ctx, policy["id"], start + timedelta(days=40), Change("set_answer", question="annual_mileage", value="15000"))
    adjust(db_ctx, policy["id"], start + timedelta(days=100),  # a temporary extra driver for a month
           Change("add_driver", driver=driver("t1", date(1990, 5, 6), date(2010, 1, 1), "Tess Temporary")),
           until=start + timedelta(days=130))
    adjust(db_ctx, policy["id"], start + timedelta(days=20),  # back-dated under the later change
           Change("set_answer", question="annual_mileage", value="11000"))
    later = replace(db_ctx, clock=FixedClock(datetime.combine(start + timedelta(days=350), datetime.min.time(), UTC)))
    return later, policy["id"]


def test_issue12_pol3_last_years_premium_is_the_recorded_charge_to_the_penny(db_ctx: Any) -> None:
    ctx, policy_id = _invitable(db_ctx)
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(policy_id)
    assert policy is not None
    term = policy.term()
    recorded = policy.charged_on_term(term.term_no)
    repriced = term_charge(term, pricing.segments(ctx.catalogue, term))
    assert recorded == repriced
    assert len([t for t in policy.transactions if t.term_no == term.term_no]) == 4
    offer = renewals.price_renewal(ctx, policy, ctx.today())
    assert (offer["last_year_premium"], offer["last_year_ipt"], offer["last_year_total"]) == (
        str(repriced.premium.amount), str(repriced.ipt.amount), str(repriced.total.amount))
    assert f"Last year's premium was {offer['last_year_premium']}." in offer["explanation"]


def test_issue12_a_renewal_offer_rates_no_term_of_last_year(db_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The offer rates the next term (its renewal price and the new-business price it is capped at, once
    for both); last year's premium comes from the transactions. Fails if last year's term is priced again."""
    ctx, policy_id = _invitable(db_ctx)
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(policy_id)
    assert policy is not None
    pricing.RATINGS.clear()
    calls: list[object] = []
    real = pricing.rate_for_term
    monkeypatch.setattr(pricing, "rate_for_term", lambda *a, **k: calls.append(a) or real(*a, **k))
    renewals.price_renewal(ctx, policy, ctx.today())
    assert calls == []

"""Issue 12: a rating is remembered by product version and risk, and a policy's terms are derived once per
set of transactions; both give exactly what computing afresh gives, and both stay bounded or current."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from covernote.kernel.memo import BoundedMemo
from covernote.kernel.money import Money
from covernote.policy.domain.rating import rate_for_term
from covernote.policy.domain.risk import Risk, validate_risk
from covernote.policy.usecases import pricing
from covernote.products.domain.model import Product
from tests.unit.builders import motor_risk as raw_risk

ON = date(2026, 12, 1)


def eco_risk(product: Product, mileage: int = 8000) -> Risk:
    return validate_risk(product, raw_risk(mileage=mileage), ON)


def test_issue12_a_remembered_rating_is_the_rating_computed_afresh(catalogue) -> None:  # type: ignore[no-untyped-def]
    product = catalogue.in_force("ECO", ON)
    for mileage in (5000, 8000, 12000):
        risk = eco_risk(product, mileage)
        first = pricing.rating(product, risk, ON, False, 365)
        again = pricing.rating(product, risk, ON, False, 365)
        assert again is first  # remembered
        assert first == rate_for_term(product, risk, ON, renewal=False, term_days=365)
        renewal = pricing.rating(product, risk, ON, True, 365)
        assert renewal == rate_for_term(product, risk, ON, renewal=True, term_days=365)


def test_issue12_equal_risks_written_differently_are_rated_each_as_written(catalogue) -> None:  # type: ignore[no-untyped-def]
    """The trace quotes the vehicle's value as given: a risk valued at 9000.00 is not answered from the
    memo with the trace of one valued at 9000, though the two risks are equal."""
    product = catalogue.in_force("ECO", ON)
    risk = eco_risk(product, 7100)
    plain = replace(risk, vehicle=replace(risk.vehicle, value=Money("9000", "GBP")))
    pennies = replace(risk, vehicle=replace(risk.vehicle, value=Money("9000.00", "GBP")))
    assert plain == pennies
    first = pricing.rating(product, plain, ON, False, 365)
    second = pricing.rating(product, pennies, ON, False, 365)
    assert first == rate_for_term(product, plain, ON, renewal=False, term_days=365)
    assert second == rate_for_term(product, pennies, ON, renewal=False, term_days=365)
    assert first != second  # the traces quote 9000 and 9000.00


def test_issue12_the_remembered_ratings_stay_bounded(catalogue, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pricing, "RATINGS", BoundedMemo(8))
    product = catalogue.in_force("ECO", ON)
    for mileage in range(3000, 3000 + 40 * 100, 100):
        pricing.rating(product, eco_risk(product, mileage), ON, False, 365)
        assert len(pricing.RATINGS) <= 8


def test_issue12_another_product_object_with_the_same_id_is_never_served_anothers_rating(catalogue) -> None:  # type: ignore[no-untyped-def]
    eco = catalogue.in_force("ECO", ON)
    risk = eco_risk(eco)
    answer = pricing.rating(eco, risk, ON, False, 365)
    key = (id(eco), risk, str(risk.vehicle.value.amount), ON, False, 365)
    other = next(p for p in catalogue.current(ON) if p is not eco)
    pricing.RATINGS._answers[key] = ((other,), "not this product's rating")  # as if another product had eco's id
    assert pricing.rating(eco, risk, ON, False, 365) == answer


def test_issue12_a_policys_terms_are_derived_again_when_a_transaction_is_added(ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from covernote.identity.usecases import SYSTEM
    from covernote.kernel.ids import new_id
    from covernote.lifecycle.usecases import adjustments, quotes
    from covernote.policy.domain.risk import Change
    from tests.support import motor_risk as risk_for
    from tests.support import new_customer

    cid = new_customer(ctx)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), risk_for(), cid))
    bound = quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(bound["id"])
    before = policy.terms()
    assert policy.terms()[0] is before[0]  # derived once
    assert before[0].adjustments == []
    change = adjustments.AdjustmentRequest(ctx.today() + timedelta(days=30),
                                           (Change("set_answer", question="annual_mileage", value="12000"),),
                                           reason="more miles")
    pending = adjustments.quote_adjustment(ctx, SYSTEM, bound["id"], change)
    adjustments.confirm_adjustment(ctx, SYSTEM, bound["id"], pending["id"], idempotency_key=new_id("key"))
    with ctx.uow(read_only=True) as uow:
        fresh = uow.policies.get(bound["id"])
    policy.transactions.append(fresh.transactions[-1])
    assert len(policy.terms()[0].adjustments) == 1  # the memo follows the transactions
    assert policy.terms()[0].adjustments == fresh.terms()[0].adjustments


def test_issue12_an_extra_is_priced_for_a_term_once_and_the_same_as_afresh(catalogue) -> None:  # type: ignore[no-untyped-def]
    from covernote.extras import usecases as extras
    from covernote.kernel.periods import Period

    product = next(p for p in catalogue.current(ON) if p.extras)
    period = Period(ON, date(2027, 12, 1))
    first = extras.offered(catalogue, product, period, 5, None)
    extras._SOLD.clear()
    afresh = extras.offered(catalogue, product, period, 5, None)
    assert first == afresh and len(extras._SOLD) == len(product.extras)
    assert extras.offered(catalogue, product, period, 5, None) == afresh

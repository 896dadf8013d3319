"""A first notification of loss goes through what every claim must (REG-2, REG-3, PRV-6): it is queued for the
Claims and Underwriting Exchange and checked with the fraud prevention agency, each with its disclosure, in
the notification's own transaction; a match at claim refuses nothing but goes to staff review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from covernote.claims import usecases as claims
from covernote.claims.domain import Notification
from covernote.identity.usecases import Principal
from covernote.kernel.errors import ValidationFailed
from covernote.kernel.money import Money
from covernote.regulatory.domain.fraud import FraudSubject
from covernote.regulatory.usecases.fraud import fraud_check
from tests.support import bind

STAFF = Principal("usr_claims_handler", "staff")


def _loss(ctx) -> Notification:  # type: ignore[no-untyped-def]
    return Notification("windscreen_or_glass", ctx.clock.now() - timedelta(hours=3), "the windscreen",
                        "a stone thrown up on the motorway", False)


def test_reg2_reg3_prv6_a_claim_is_reported_to_cue_and_fraud_checked_with_disclosures(db_ctx, clock):
    pol = bind(db_ctx)
    clock.advance(timedelta(days=2))
    claim = claims.notify(db_ctx, STAFF, pol["id"], _loss(db_ctx))
    with db_ctx.uow(read_only=True) as uow:
        reports = uow.cue_reports.for_policy(pol["id"])
        checks = uow.fraud_checks.page(None, pol["customer_id"], None, 50, 0)
        kinds = [d.recipient_kind for d in uow.disclosures.for_customer(pol["customer_id"], include_withheld=True)]
    assert [(r.claim_id, r.kind) for r in reports] == [(claim["id"], "claim")]
    assert [(c.stage, c.result) for c in checks if c.stage == "claim"] == [("claim", "clear")]
    assert "fraud_agency" in kinds  # shown to the person (S1 section 10); the CUE report on sending


def test_reg3_a_fraud_match_at_claim_is_marked_for_review_and_refuses_nothing(db_ctx, clock):
    """REG-3: at claim a match does not stop the claim; it records a fraud marker and a review."""
    pol = bind(db_ctx)
    clock.advance(timedelta(days=2))
    claim = claims.notify(db_ctx, STAFF, pol["id"], _loss(db_ctx))
    subject = FraudSubject(claim["id"], "Mallory Fraudster", None, None, "LS1 4AB")  # named on the watch list
    with db_ctx.uow() as uow:
        outcome = fraud_check(db_ctx, uow, "claim", pol["customer_id"], pol["id"], subject)
        uow.commit()
    assert (outcome.result, outcome.proceed, outcome.review) == ("match", True, True) and outcome.marker_id
    with db_ctx.uow(read_only=True) as uow:
        assert [m.marker_id for m in uow.fraud_markers.for_customer(pol["customer_id"])] == [outcome.marker_id]


def _payment_clock(view: dict) -> list[str]:  # type: ignore[type-arg]
    return [d["state"] for d in view["clocks"] if d["rule"] == "claim.settlement_payment"]


def test_clm2_the_payment_clock_is_met_only_when_the_agreed_settlement_is_paid_in_full(db_ctx, clock):
    """CLM-2: a part payment does not meet the 24-hour clock; the payment that completes the settlement does.
    Payments cannot exceed what is left of the settlement; a settlement cannot be agreed below what is paid."""
    pol = bind(db_ctx)
    clock.advance(timedelta(days=2))
    c = claims.notify(db_ctx, STAFF, pol["id"], _loss(db_ctx))
    claims.set_reserve(db_ctx, STAFF, c["id"], Money.of("900.00"))
    claims.record_payment(db_ctx, STAFF, c["id"], Money.of("100.00"), "Glass Fix Ltd", idempotency_key="settle-pay-1")
    claims.change_status(db_ctx, STAFF, c["id"], "under_assessment")
    with pytest.raises(ValidationFailed) as exc:
        claims.change_status(db_ctx, STAFF, c["id"], "settlement_agreed", amount=Money.of("99.99"))
    assert exc.value.issues[0].field == "amount" and "already paid" in exc.value.issues[0].reason
    agreed = claims.change_status(db_ctx, STAFF, c["id"], "settlement_agreed", amount=Money.of("500.00"))
    assert _payment_clock(agreed) == ["due_soon"]  # 24 hours: within the 48-hour window
    part = claims.record_payment(db_ctx, STAFF, c["id"], Money.of("10.00"), "Glass Fix Ltd", idempotency_key="settle-pay-2")
    assert part["status"] == "settlement_agreed" and _payment_clock(part) == ["due_soon"]  # still running
    with pytest.raises(ValidationFailed) as exc:
        claims.record_payment(db_ctx, STAFF, c["id"], Money.of("390.01"), "Glass Fix Ltd", idempotency_key="settle-pay-3")
    assert exc.value.issues[0].field == "amount" and "390.00 left to pay" in exc.value.issues[0].reason
    done = claims.record_payment(db_ctx, STAFF, c["id"], Money.of("390.00"), "Glass Fix Ltd", idempotency_key="settle-pay-4")
    assert done["status"] == "settled" and _payment_clock(done) == ["met_on_time"]
    assert done["paid"] == "500.00"

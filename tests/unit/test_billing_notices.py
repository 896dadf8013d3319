"""PAY-3, pure: the notice's life (sent, taken or paid, failed, withdrawn), when it is due, what a withdrawn
authority leaves owed; and the card provider simulator naming a token's card by brand and last four digits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from covernote.billing.domain.notices import PaymentNotice, due_on, outstanding_after_withdrawal
from covernote.kernel.money import Money
from covernote.ledger.adapters.payments import SimulatedCardProvider
from covernote.ledger.ports import CardSummary, PaymentDeclined, PaymentUnavailable

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)


def _notice(kind: str = "charge", pence: int = 4000) -> PaymentNotice:
    return PaymentNotice("pn_1", "pol_1", "txn_1", kind, Money.from_pence(pence), "Visa", "4242", NOW,  # type: ignore[arg-type]
                         due_on(date(2026, 12, 2), 14), idempotency_key="k:notice")


def test_pay3_a_notice_is_due_only_once_its_letter_is_sent_and_its_day_has_come():
    n = _notice()
    assert not n.is_due(date(2027, 1, 1))  # no letter yet: never taken
    sent = n.sent(date(2026, 12, 3), "doc_1", 14)  # the letter went a day late: the day moves with it
    assert (sent.sent_on, sent.due_on) == (date(2026, 12, 3), date(2026, 12, 17))
    assert not sent.is_due(date(2026, 12, 16)) and sent.is_due(date(2026, 12, 17)) and sent.is_due(date(2027, 1, 1))
    assert not sent.settled("ch_1", NOW).is_due(date(2027, 1, 1))


def test_pay3_outcomes_and_signs():
    charge, refund = _notice(), _notice("refund", 2500)
    assert (charge.signed.pence, refund.signed.pence) == (4000, -2500)
    assert charge.settled("ch_1", NOW).status == "taken" and refund.settled("re_1", NOW).status == "paid"
    failed = charge.failed("insufficient funds", NOW)
    assert failed.status == "failed" and failed.reason == "insufficient funds" and failed.open
    assert charge.withdrawn(NOW).status == "withdrawn"
    with pytest.raises(ValueError):
        due_on(date(2026, 12, 2), 0)


def test_pay3_what_a_withdrawn_authority_leaves_owed_counts_charges_withdrawn_or_failed_only():
    notices = [_notice().withdrawn(NOW), _notice(pence=1000).failed("expired card", NOW), _notice(pence=999),
               _notice("refund", 5000).failed("x", NOW), _notice(pence=700).settled("ch", NOW)]
    assert outstanding_after_withdrawal(notices) == Money.from_pence(5000)


def test_pay3_pay4_the_simulator_names_a_tokens_card_by_brand_and_last_four_digits_only():
    provider = SimulatedCardProvider()
    assert provider.card_summary("tok_visa") == CardSummary("Visa", "4242")
    assert provider.card_summary("tok_mastercard") == CardSummary("Mastercard", "4444")
    other = provider.card_summary("tok_customer_123")
    assert other == provider.card_summary("tok_customer_123") and len(other.last4) == 4 and other.last4.isdigit()
    assert provider.card_summary("tok_declined").brand == "Visa"  # known to the provider; it declines on a charge
    with pytest.raises(PaymentUnavailable):
        provider.card_summary("tok_timeout")
    with pytest.raises(PaymentDeclined):
        provider.card_summary("4242424242424242")

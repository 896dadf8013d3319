"""PAY-5: a double-entry ledger. Entries balance to the penny, never change, and a correction is a
reversing entry; the customer's account for a policy is a running statement of the receivable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from covernote.kernel.journal import (
    CASH,
    IPT,
    PREMIUM,
    RECEIVABLE,
    JournalEntry,
    Posting,
    UnbalancedEntry,
    account_totals,
    balanced_entry,
    charge_lines,
    fee_account,
    reversal_of,
    statement,
)
from covernote.kernel.money import Money, MoneyError, sum_money

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def m(text: str) -> Money:
    return Money.of(text)


def charge(entry_id: str, premium: str, ipt: str, fees: list[tuple[str, str, str]] = (), at: datetime = T0,
           policy: str = "P1") -> JournalEntry:
    entry = balanced_entry(entry_id, at, "charge", policy, f"txn-{entry_id}",
                           charge_lines(m(premium), m(ipt), [(c, n, m(a)) for c, n, a in fees]), RECEIVABLE)
    assert entry is not None
    return entry


def payment(entry_id: str, amount: str, at: datetime, policy: str = "P1") -> JournalEntry:
    return JournalEntry(entry_id, at, "card payment", policy, None,
                        (Posting(CASH, m(amount)), Posting(RECEIVABLE, -m(amount), "payment")))


def test_pay5_unbalanced_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry("e1", T0, "x", "P1", None, (Posting(CASH, m("10.00")), Posting(RECEIVABLE, m("-9.99"))))


def test_pay5_single_posting_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry("e1", T0, "x", "P1", None, (Posting(CASH, m("0.00")),))


def test_pay5_unrounded_amounts_are_refused_even_when_balanced() -> None:
    with pytest.raises(MoneyError):
        JournalEntry("e1", T0, "x", "P1", None, (Posting(CASH, m("10.005")), Posting(RECEIVABLE, m("-10.005"))))


def test_pay5_balanced_entry_adds_the_counter_posting() -> None:
    entry = charge("e1", "234.60", "28.15", [("arrangement", "Arrangement fee", "100.00")])
    assert entry.amount_on(PREMIUM) == m("-234.60")
    assert entry.amount_on(IPT) == m("-28.15")
    assert entry.amount_on(fee_account("arrangement")) == m("-100.00")
    assert entry.amount_on(RECEIVABLE) == m("362.75")
    assert sum_money([p.amount for p in entry.postings]) == Money.zero()
    assert entry.postings[-1].account == RECEIVABLE and entry.postings[-1].memo == "charge"


def test_pay5_balanced_entry_drops_zero_lines() -> None:
    entry = charge("e1", "100.00", "0.00", [("mta", "MTA fee", "0.00")])
    assert [p.account for p in entry.postings] == [PREMIUM, RECEIVABLE]
    assert balanced_entry("e2", T0, "nothing", "P1", None, charge_lines(Money.zero(), Money.zero(), []), RECEIVABLE) is None


def test_pay5_balanced_entry_of_already_balanced_lines_needs_no_counter_posting() -> None:
    entry = balanced_entry("e1", T0, "move", "P1", None,
                           [Posting(CASH, m("5.00")), Posting(RECEIVABLE, m("-5.00"))], PREMIUM)
    assert entry is not None and [p.account for p in entry.postings] == [CASH, RECEIVABLE]


def test_pay5_return_premium_becomes_a_debit_and_a_credit_to_the_customer() -> None:
    entry = charge("e1", "-20.00", "-2.40", [("cancellation", "Cancellation fee", "50.00")])
    assert entry.amount_on(PREMIUM) == m("20.00")
    assert entry.amount_on(IPT) == m("2.40")
    assert entry.amount_on(RECEIVABLE) == m("27.60")  # customer owes 50 - 22.40


def test_pay5_reversal_negates_every_posting_and_references_the_original() -> None:
    original = charge("e1", "234.60", "28.15", [("mta_admin", "MTA fee", "15.00")])
    rev = reversal_of(original, "e2", T0 + timedelta(hours=1), "posted twice")
    assert rev.reverses == "e1"
    assert rev.entry_id == "e2"
    assert rev.policy_id == original.policy_id and rev.transaction_id == original.transaction_id
    assert "e1" in rev.description and "posted twice" in rev.description
    assert [(p.account, p.amount) for p in rev.postings] == [(p.account, -p.amount) for p in original.postings]
    totals = account_totals([original, rev])
    assert totals and all(v.is_zero() for v in totals.values())


def test_pay5_statement_running_balance_in_posting_order() -> None:
    entries = [
        payment("e3", "262.75", T0 + timedelta(minutes=5)),
        charge("e1", "234.60", "28.15"),
        charge("e2", "10.00", "1.20", at=T0 + timedelta(days=10)),
        charge("x1", "999.00", "0.00", policy="P2"),
    ]
    lines = statement(entries, "P1")
    assert [(line.entry_id, line.amount, line.balance) for line in lines] == [
        ("e1", m("262.75"), m("262.75")),
        ("e3", m("-262.75"), m("0.00")),
        ("e2", m("11.20"), m("11.20")),
    ]
    assert lines[1].memo == "payment"
    assert statement(entries, "P2")[-1].balance == m("999.00")
    assert statement(entries, "P3") == []


def test_pay5_account_totals_filter_by_policy() -> None:
    entries = [charge("e1", "100.00", "12.00"), charge("x1", "50.00", "6.00", policy="P2")]
    assert account_totals(entries, "P1") == {PREMIUM: m("-100.00"), IPT: m("-12.00"), RECEIVABLE: m("112.00")}
    assert account_totals(entries)[PREMIUM] == m("-150.00")


PENCE = st.integers(min_value=-500_000, max_value=500_000).map(Money.from_pence)


@settings(max_examples=200, deadline=None)
@given(premium=PENCE, ipt=PENCE, fees=st.lists(PENCE, max_size=6))
@example(premium=Money.from_pence(1), ipt=Money.from_pence(-1), fees=[])
def test_pay5_any_charge_balanced_by_receivable_sums_to_zero(premium: Money, ipt: Money, fees: list[Money]) -> None:
    lines = charge_lines(premium, ipt, [(f"f{i}", f"fee {i}", a) for i, a in enumerate(fees)])
    entry = balanced_entry("e", T0, "charge", "P1", "t", lines, RECEIVABLE)
    charged = sum_money([premium, ipt, *fees])
    non_zero = [a for a in [premium, ipt, *fees] if not a.is_zero()]
    if not non_zero:
        assert entry is None
        return
    assert entry is not None
    assert sum_money([p.amount for p in entry.postings]) == Money.zero()
    assert all(not p.amount.is_zero() for p in entry.postings)
    assert entry.amount_on(RECEIVABLE) == charged
    rev = reversal_of(entry, "r", T0, "undo")
    assert all(v.is_zero() for v in account_totals([entry, rev]).values())
    lines = statement([entry, rev], "P1")
    # A charge whose parts net to nothing (1p premium, -1p IPT) posts nothing to the receivable: no line.
    assert (lines[-1].balance == Money.zero()) if lines else charged.is_zero()

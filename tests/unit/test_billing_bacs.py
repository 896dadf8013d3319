"""The Bacs direct debit rules (PAY-6): the cycle, advance notice, collection and re-presentation dates over every
day of 2026 and 2027 (England and Wales' bank holidays, Easter and Christmas included), reason codes, references."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.billing.domain import bacs
from covernote.billing.domain.bacs import TransactionCode

CAL = bacs.bacs_calendar()
DAYS = [date(2026, 1, 1) + timedelta(days=n) for n in range((date(2028, 1, 1) - date(2026, 1, 1)).days)]


def test_pay6_cycle_is_three_working_days_over_easter_2026() -> None:
    # Good Friday 3 April 2026, Easter Monday 6 April: a file input on Thursday 2 April is processed on
    # Tuesday 7 April and debits the payer on Wednesday 8 April.
    cycle = bacs.cycle_for_input(CAL, date(2026, 4, 2))
    assert (cycle.processing_day, cycle.entry_day) == (date(2026, 4, 7), date(2026, 4, 8))
    assert bacs.cycle_for_entry(CAL, date(2026, 4, 8)) == cycle


def test_pay6_cycle_over_christmas_2026_and_a_weekend_input() -> None:
    # 25 December 2026 is a Friday, 28 December the substitute Boxing Day.
    cycle = bacs.cycle_for_input(CAL, date(2026, 12, 24))
    assert (cycle.processing_day, cycle.entry_day) == (date(2026, 12, 29), date(2026, 12, 30))
    assert bacs.cycle_for_input(CAL, date(2026, 12, 26)).input_day == date(2026, 12, 29)
    with pytest.raises(ValueError, match="not a Bacs working day"):
        bacs.cycle_for_entry(CAL, date(2026, 12, 25))


@pytest.mark.parametrize("today", DAYS)
def test_pay6_every_day_of_2026_and_2027_notice_and_collection(today: date) -> None:
    """PAY-6 over every day: a collection planned today for an instalment due on any of the next 40 days is on
    a working day, never before the due date, at least 10 working days after the notice, with a cycle whose
    input day is today or later; and the notice deadline of a collection leaves exactly 10 working days."""
    for ahead in range(0, 40, 3):
        due = today + timedelta(days=ahead)
        entry = bacs.planned_collection(CAL, due, today)
        assert CAL.is_working_day(entry)
        assert entry >= due
        assert CAL.working_days_between(today, entry) >= bacs.DEFAULT_NOTICE_WORKING_DAYS
        assert bacs.cycle_for_entry(CAL, entry).input_day >= today
        # not later than needed: the due day itself when it is a working day far enough ahead
        if CAL.is_working_day(due) and CAL.working_days_between(today, due) >= 10:
            assert entry == due
    if CAL.is_working_day(today):
        deadline = bacs.notice_deadline(CAL, today)
        assert CAL.working_days_between(deadline, today) == 10
        assert CAL.is_working_day(deadline)


@pytest.mark.parametrize("today", DAYS)
def test_pay6_every_day_re_presentation_after_refer_to_payer(today: date) -> None:
    """PAY-6: a "refer to payer" return reported today is re-presented on a working day at least 5 working
    days after the payer is told, and processed within one month of the original processing day; any other
    reason is never re-presented."""
    original = bacs.cycle_for_entry(CAL, bacs.collection_date_for_due(CAL, today - timedelta(days=3)))
    again = bacs.re_presentation(CAL, "0", original.processing_day, today)
    if again.entry_day is None:
        assert again.refused and "too late" in again.refused
    else:
        assert CAL.is_working_day(again.entry_day)
        assert CAL.working_days_between(today, again.entry_day) >= 5
        assert bacs.cycle_for_entry(CAL, again.entry_day).processing_day <= bacs.add_one_month(original.processing_day)
    for code in "123456789AB":
        refused = bacs.re_presentation(CAL, code, original.processing_day, today)
        assert refused.entry_day is None and "may not be re-presented" in (refused.refused or "")


def test_pay6_re_presentation_refused_after_a_month() -> None:
    late = bacs.re_presentation(CAL, "0", date(2026, 3, 2), date(2026, 3, 30))
    assert late.entry_day is None and "2026-04-02" in (late.refused or "")
    assert bacs.re_presentation(CAL, "0", date(2026, 3, 2), date(2026, 3, 5)).entry_day == date(2026, 3, 12)


def test_pay6_a_new_mandate_waits_for_its_lodgement() -> None:
    lodged = bacs.lodgement_cycle(CAL, date(2026, 6, 1))
    first = bacs.earliest_collection(CAL, date(2026, 6, 1), notice_working_days=0, lodged_entry_day=lodged.entry_day)
    assert first == CAL.add_working_days(lodged.entry_day, 2) == date(2026, 6, 5)
    assert bacs.earliest_collection(CAL, date(2026, 6, 1), notice_working_days=0) == lodged.entry_day


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2026, 1, 1), date(2027, 12, 31)), st.integers(0, 20), st.integers(0, 60))
def test_pay6_notice_period_is_a_parameter(today: date, notice: int, ahead: int) -> None:
    """PAY-6 "unless agreed otherwise": any agreed notice period is honoured."""
    entry = bacs.planned_collection(CAL, today + timedelta(days=ahead), today, notice_working_days=notice)
    assert CAL.working_days_between(today, entry) >= max(notice, 2)
    assert entry >= today + timedelta(days=ahead)


def test_pay6_only_refer_to_payer_is_re_presentable() -> None:
    assert [c for c, r in bacs.ARUDD_REASONS.items() if r.re_presentable] == ["0"]
    assert not any(r.re_presentable for table in (bacs.ADDACS_REASONS, bacs.AUDDIS_REASONS) for r in table.values())
    assert bacs.reason("ARUDD", "B").meaning == "account closed"
    assert bacs.reason("ADDACS", "1").mandate is bacs.MandateEffect.CANCELLED
    assert bacs.reason("ADDACS", "E").mandate is bacs.MandateEffect.AMENDED
    with pytest.raises(ValueError, match="no ARUDD reason code 'Z'"):
        bacs.reason("ARUDD", "Z")


def test_pay6_transaction_codes() -> None:
    assert bacs.collection_code(True, False, False) is TransactionCode.FIRST_COLLECTION
    assert bacs.collection_code(False, False, False) is TransactionCode.REGULAR_COLLECTION
    assert bacs.collection_code(False, True, False) is TransactionCode.FINAL_COLLECTION
    assert bacs.collection_code(True, True, True) is TransactionCode.RE_PRESENTATION
    assert TransactionCode.NEW_INSTRUCTION.is_instruction and not TransactionCode.NEW_INSTRUCTION.is_debit
    assert TransactionCode.FIRST_COLLECTION.is_debit and not TransactionCode.CONTRA_CREDIT.is_debit


def test_pay6_references_and_account_details() -> None:
    assert bacs.mandate_reference("CN-000123", 1) == "CN-000123/01"
    for bad in ("DDIC12345", "AAAAAAA", "ab", " LEADING1"):
        with pytest.raises(ValueError):
            bacs.check_reference(bad)
    assert bacs.check_sort_code("401276") == "401276"
    for bad in ("40-12-76", "4012767", ""):
        with pytest.raises(ValueError, match="sort code"):
            bacs.check_sort_code(bad)
    with pytest.raises(ValueError, match="account number"):
        bacs.check_account_number("1234567")
    assert bacs.bacs_text("Mrs Zoë O'Neil & co", 18) == "MRS ZO O NEIL & CO"

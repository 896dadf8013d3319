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
    for bad in ("40-12-76", "4012767", "", "\u0664\u0660\u0661\u0662\u0667\u0666"):
        with pytest.raises(ValueError, match="sort code"):
            bacs.check_sort_code(bad)
    with pytest.raises(ValueError, match="account number"):
        bacs.check_account_number("1234567")
    assert bacs.bacs_text("Mrs Zoë O'Neil & co", 18) == "MRS ZO O NEIL & CO"


# -- the files (Standard 18 and the reports' XML) -----------------------------------------------------------

from covernote.billing.adapters import bacs_files as files  # noqa: E402
from covernote.billing.adapters.bureau import SimulatedBacsBureau  # noqa: E402
from covernote.billing.ports import BacsFileRejected, BacsUnavailable  # noqa: E402

ORIGINATOR = files.Originator("123456", "COVERNOTE INS LTD", "401276", "12345678")


def _file(*records: files.Standard18Record, processing: date = date(2026, 3, 3), serial: str = "000001") -> files.Standard18File:
    return files.Standard18File(ORIGINATOR, serial, date(2026, 3, 2), processing, records)


def _collection(account: str, pence: int, code: TransactionCode = TransactionCode.REGULAR_COLLECTION,
                ref: str = "CN-000001/01") -> files.Standard18Record:
    return files.Standard18Record("200000", account, code, pence, ref, "A PAYER")


def test_pay6_standard18_round_trip_with_contra_and_totals() -> None:
    f = _file(files.Standard18Record("200000", "55779911", TransactionCode.NEW_INSTRUCTION, 0, "CN-000002/01", "B PAYER"),
              _collection("11223344", 4567, TransactionCode.FIRST_COLLECTION),
              _collection("22334455", 100_000_00, TransactionCode.FINAL_COLLECTION, "CN-000003/01"))
    data = files.write_standard18(f)
    lines = data.decode().split("\r\n")[:-1]
    assert [ln[:4] for ln in lines[:4]] == ["VOL1", "HDR1", "HDR2", "UHL1"]
    assert [ln[:4] for ln in lines[-3:]] == ["EOF1", "EOF2", "UTL1"]
    assert all(len(ln) == 80 for ln in lines[:4] + lines[-3:]) and all(len(ln) == 100 for ln in lines[4:-3])
    contra = lines[-4]
    assert contra[15:17] == "99" and int(contra[35:46]) == 4567 + 100_000_00 and contra[:14] == "40127612345678"
    assert lines[3][4:10] == " 26062"  # 3 March 2026 is the 62nd day
    back = files.read_standard18(data)
    assert back == f
    assert (back.debit_total, back.debit_count, back.instruction_count) == (100_045_67, 2, 1)


@pytest.mark.parametrize(("change", "message"), [
    (lambda ls: ls.__setitem__(-1, ls[-1][:4] + "00000000001" + ls[-1][15:]), "line 10: UTL1's debit total 1"),
    (lambda ls: ls.__setitem__(5, ls[5][:99]), "line 6: a data record is 100 characters, not 99"),
    (lambda ls: ls.__setitem__(5, "20000A" + ls[5][6:]), "line 6: a sort code is 6 digits"),
    (lambda ls: ls.__setitem__(5, ls[5][:15] + "42" + ls[5][17:]), "line 6: unknown transaction code '42'"),
    (lambda ls: ls.__setitem__(6, ls[6][:35] + "00000000001" + ls[6][46:]), "contra: the contra 1 does not equal"),
    (lambda ls: ls.__setitem__(1, "XXX" + ls[1][3:]), "line 2: expected the HDR1 label"),
])
def test_pay6_malformed_standard18_names_the_line(change: object, message: str) -> None:
    data = files.write_standard18(_file(_collection("11223344", 1000), _collection("22334455", 2000, ref="CN-000009/01")))
    lines = data.decode().split("\r\n")[:-1]
    change(lines)  # type: ignore[operator]
    with pytest.raises(files.BacsFileError) as err:
        files.read_standard18("\r\n".join(lines).encode())
    assert str(err.value).startswith(message.split(":")[0]) and message.split(": ", 1)[1] in str(err.value)


def test_pay6_writer_refuses_bad_details() -> None:
    with pytest.raises(files.BacsFileError, match="record 1: an account number is 8 digits"):
        files.write_standard18(_file(_collection("1234567", 100)))
    with pytest.raises(files.BacsFileError, match="record 1: a collection is for more than zero"):
        files.write_standard18(_file(_collection("12345678", 0)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[0-9]{8}", fullmatch=True), st.integers(1, 10**9)), min_size=1, max_size=20))
def test_pay6_standard18_round_trips_any_amounts(rows: list[tuple[str, int]]) -> None:
    """PAY-6: amounts are exact pence end to end; the totals are the records' sums."""
    f = _file(*(_collection(acc, pence, ref=f"CN-{n:06d}/01") for n, (acc, pence) in enumerate(rows)))
    back = files.read_standard18(files.write_standard18(f))
    assert back == f and back.debit_total == sum(p for _, p in rows)


def test_pay6_reports_round_trip_and_malformed_xml() -> None:
    arudd = files.BacsReport("ARUDD", "123456", "ARUDD20260305", date(2026, 3, 5), returns=(
        files.ReturnedDebit("CN-000001/01", "01", "0", 4567, date(2026, 3, 3), "200000", "11110000", "A PAYER"),))
    assert files.read_report(files.write_report(arudd)) == arudd
    addacs = files.BacsReport("ADDACS", "123456", "ADDACS20260305", date(2026, 3, 5), advices=(
        files.MandateAdvice("CN-000001/01", "3", date(2026, 3, 4), "200000", "11116666", "A PAYER",
                            new_sort_code="200000", new_account_number="11116667"),))
    assert files.read_report(files.write_report(addacs)) == addacs
    text = files.write_report(arudd).decode()
    with pytest.raises(files.BacsFileError, match=r"ReturnedDebitItem\[1\]: no ARUDD reason code 'Z'"):
        files.read_report(text.replace('returnCode="0"', 'returnCode="Z"').encode())
    with pytest.raises(files.BacsFileError, match=r"ReturnedDebitItem\[1\]/PayerAccount: a sort code is 6 digits"):
        files.read_report(text.replace('sortCode="200000"', 'sortCode="2000"').encode())
    with pytest.raises(files.BacsFileError, match=r"valueOf='45\.6' is not"):
        files.read_report(text.replace('valueOf="45.67" currency="GBP"><', 'valueOf="45.6" currency="GBP"><').encode())
    with pytest.raises(files.BacsFileError, match="line 1: not well-formed"):
        files.read_report(b"<BACSDocument><Data>")
    with pytest.raises(files.BacsFileError, match="document type declaration"):
        files.read_report(b'<!DOCTYPE x [<!ENTITY a "b">]><BACSDocument/>')


# -- the bureau simulator ------------------------------------------------------------------------------------

def test_pay6_bureau_outcomes_by_account_and_report_days() -> None:
    bureau = SimulatedBacsBureau(service_user=ORIGINATOR, today=lambda: date(2026, 3, 2))
    f = _file(files.Standard18Record("200000", "77772222", TransactionCode.NEW_INSTRUCTION, 0, "CN-000022/01", "C"),
              files.Standard18Record("200000", "77775555", TransactionCode.NEW_INSTRUCTION, 0, "CN-000055/01", "D"),
              _collection("11110000", 1000, ref="CN-000100/01"), _collection("11111111", 2000, ref="CN-000111/01"),
              _collection("11113333", 3000, ref="CN-000133/01"), _collection("12345678", 4000, ref="CN-000200/01"))
    ref = bureau.submit_bytes(files.write_standard18(f))
    assert bureau.submit_bytes(files.write_standard18(f)) == ref  # the same bytes: the first answer
    # processed 3 March, entry 4 March: AUDDIS on 4 March, ADDACS and ARUDD on 5 March
    reports = bureau.reports(date(2026, 3, 1), date(2026, 3, 31))
    assert [(r.kind, r.produced_on) for r in reports] == [("AUDDIS", date(2026, 3, 4)), ("ADDACS", date(2026, 3, 5)),
                                                          ("ARUDD", date(2026, 3, 5))]
    parsed = {r.kind: r.report for r in reports}
    assert [(a.reference, a.reason_code) for a in parsed["AUDDIS"].advices] == [("CN-000055/01", "5")]
    assert [(a.reference, a.reason_code) for a in parsed["ADDACS"].advices] == [("CN-000022/01", "1")]
    assert [(r.reference, r.reason_code, r.amount_pence) for r in parsed["ARUDD"].returns] == [
        ("CN-000100/01", "0", 1000), ("CN-000111/01", "0", 2000), ("CN-000133/01", "B", 3000)]
    assert bureau.reports(date(2026, 3, 1), date(2026, 3, 4))[0].kind == "AUDDIS"
    assert bureau.reports(date(2026, 3, 1), date(2026, 3, 3)) == []
    # a re-presentation of ...0000 is paid, of ...1111 returned again
    again = _file(_collection("11110000", 1000, TransactionCode.RE_PRESENTATION, "CN-000100/01"),
                  _collection("11111111", 2000, TransactionCode.RE_PRESENTATION, "CN-000111/01"),
                  processing=date(2026, 3, 12), serial="000002")
    bureau.submit_bytes(files.write_standard18(again))
    later = [r.report for r in bureau.reports(date(2026, 3, 6), date(2026, 3, 31))]
    assert [(r.reference, r.transaction_code) for rep in later for r in rep.returns] == [("CN-000111/01", "18")]


def test_pay6_bureau_refuses_bad_files_whole_and_times_out_once() -> None:
    bureau = SimulatedBacsBureau(service_user=ORIGINATOR, today=lambda: date(2026, 3, 2))
    good = files.write_standard18(_file(_collection("12345678", 100)))
    with pytest.raises(BacsFileRejected, match="contra 100 does not equal the debits 101"):
        bureau.submit_bytes(good.replace(b"00000000100", b"00000000101", 1))
    with pytest.raises(BacsFileRejected, match="not after today"):
        bureau.submit_bytes(files.write_standard18(_file(_collection("12345678", 100), processing=date(2026, 3, 2))))
    with pytest.raises(BacsFileRejected, match="not a Bacs working day"):
        bureau.submit_bytes(files.write_standard18(_file(_collection("12345678", 100), processing=date(2026, 4, 6))))
    with pytest.raises(BacsFileRejected, match="service user number 654321"):
        other = files.Standard18File(files.Originator("654321", "X", "401276", "12345678"), "000001", date(2026, 3, 2),
                                     date(2026, 3, 3), (_collection("12345678", 100),))
        bureau.submit_bytes(files.write_standard18(other))
    assert bureau.reports(date(2026, 1, 1), date(2026, 12, 31)) == []  # nothing of a refused file
    bureau.submit_bytes(good)
    with pytest.raises(BacsFileRejected, match="serial 000001 was already used"):
        bureau.submit_bytes(files.write_standard18(_file(_collection("12345678", 200))))
    slow = files.write_standard18(_file(_collection("12349999", 100), serial="000003"))
    with pytest.raises(BacsUnavailable):
        bureau.submit_bytes(slow)
    assert bureau.submit_bytes(slow).startswith("bacs")  # the retry gets the stored reference


# -- the notice period as product data -----------------------------------------------------------------------

def test_pay6_the_notice_period_is_product_data_10_working_days_by_default() -> None:
    """PAY-6 "10 working days unless agreed otherwise": each product with monthly payment says its period in its
    finance section; a period under the scheme's 3-day cycle is refused naming the field."""
    from pathlib import Path

    from pydantic import ValidationError

    from covernote.products.store.files import load_catalogue
    from covernote.products.store.finance_spec import FinanceDoc

    catalogue = load_catalogue(Path(__file__).resolve().parents[2] / "products")
    with_finance = [p for code in catalogue.codes() for p in catalogue.versions(code) if p.finance is not None]
    assert with_finance and all(p.finance.notice_working_days == 10 for p in with_finance)  # type: ignore[union-attr]
    base = {"source": "test", "provider": "P", "deposit_percent": "10", "deposit_minimum": "50", "instalments": 10,
            "flat_rate_percent": "9.9", "commission_percent": "4"}
    assert FinanceDoc.model_validate(base).notice_working_days == 10
    assert FinanceDoc.model_validate(base | {"notice_working_days": 14}).notice_working_days == 14
    with pytest.raises(ValidationError, match="notice_working_days"):
        FinanceDoc.model_validate(base | {"notice_working_days": 2})

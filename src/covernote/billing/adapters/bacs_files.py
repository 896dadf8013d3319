"""The files Covernote exchanges with Bacs (PAY-6): the collection submission in Standard 18, and the bureau's
reports (ARUDD returned debits, ADDACS instruction amendments and cancellations, AUDDIS instruction rejections)
as XML.

Standard 18, as laid out in the banks' implementation guides (HSBC, "Message Implementation Guide BACS
Standard 18", August 2012; Bank of Ireland, "BACS File Specification", appendix 2): label records of 80
characters (VOL1, HDR1, HDR2, UHL1 before the data; EOF1, EOF2, UTL1 after), data records of 100 characters:

    1-6 destination sort code     7-14 destination account    15 account type ("0")     16-17 transaction code
    18-23 originating sort code   24-31 originating account   32-35 free (spaces)       36-46 amount in pence
    47-64 service user's name     65-82 the payer's reference 83-100 the payer's account name

The contra record (code 99) credits the service user's own account with the total of the debits. UHL1 carries
the processing day as " yyddd" (a space, the year's last two digits and the day of the year). UTL1 carries the
debit and credit totals (11 digits of pence each), their counts (7 digits each) and, in positions 41-47, the
count of AUDDIS instruction records (0N/0C/0S, amount zero) as this module writes it. Lines end with CRLF; a
reader accepts LF too.

The report XML follows the element and attribute names of the reports Bacs publishes as far as public
descriptions show them (ARUDD: `BACSDocument/Data/ARUDD` with `ReturnedDebitItem` items carrying `ref`,
`transCode`, `returnCode`, `returnDescription`, `originalProcessingDate`, `valueOf` and a `PayerAccount`;
ADDACS and AUDDIS: `BACSDocument/Data/MessagingAdvices` with `MessagingAdvice` items carrying `reference`,
`reason-code`, `effective-date`, `payer-sort-code`, `payer-account-number` and for a change the new details);
no schema was available to check them against, and `MessagingHeader/@report-type` telling ADDACS from AUDDIS
is Covernote's. A document type declaration is refused (no entities from outside).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from covernote.billing.domain.bacs import (
    BacsReport,
    MandateAdvice,
    Originator,
    ReturnedDebit,
    Standard18File,
    Standard18Record,
    TransactionCode,
    bacs_text,
    check_account_number,
    check_service_user_number,
    check_sort_code,
    reason,
)
from covernote.kernel.days import parse_day

LABEL = 80
_POUNDS = re.compile(r"[0-9]{1,9}\.[0-9]{2}")
DATA = 100


class BacsFileError(ValueError):
    """A file that does not follow its format: names the line (Standard 18) or the element (XML) and why."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem

__all__ = ["BacsFileError", "BacsReport", "MandateAdvice", "Originator", "ReturnedDebit", "Standard18File",
           "Standard18Record", "read_report", "read_standard18", "write_report", "write_standard18"]


# -- Standard 18 -------------------------------------------------------------------------------------------

def _julian(day: date) -> str:
    return f" {day.year % 100:02d}{day.timetuple().tm_yday:03d}"


def _from_julian(text: str, where: str) -> date:
    if len(text) != 6 or text[0] != " " or not text[1:].isdigit():
        raise BacsFileError(where, f"a date is written ' yyddd', not {text!r}")
    year, yday = 2000 + int(text[1:3]), int(text[3:])
    day = date(year, 1, 1) + timedelta(days=yday - 1)
    if yday < 1 or day.year != year:
        raise BacsFileError(where, f"{text!r} is not a day of its year")
    return day


def _alpha(value: str, width: int) -> str:
    return value.ljust(width)[:width]


def _num(value: int, width: int, where: str = "record") -> str:
    text = str(value)
    if value < 0 or len(text) > width:
        raise BacsFileError(where, f"{value} does not fit {width} digits")
    return text.zfill(width)


def _data_record(r: Standard18Record, o: Originator) -> str:
    line = (r.sort_code + r.account_number + "0" + r.code.value + o.sort_code + o.account_number + "    "
            + _num(r.amount_pence, 11) + _alpha(bacs_text(o.name, 18), 18) + _alpha(r.reference, 18)
            + _alpha(bacs_text(r.account_name, 18), 18))
    assert len(line) == DATA
    return line


def write_standard18(f: Standard18File) -> bytes:
    """The file as Bacs takes it. ValueError when a sort code, account, SUN or amount breaks the format; the
    contra is made here from the debits (none when the file only lodges instructions)."""
    o = f.originator
    check_service_user_number(o.sun)
    check_sort_code(o.sort_code)
    check_account_number(o.account_number)
    if len(f.serial) != 6 or not f.serial.strip():
        raise BacsFileError("VOL1", "the submission serial number is 6 characters, not blank")
    lines = [
        _alpha(f"VOL1{f.serial} " + " " * 26 + f"    {o.sun}", LABEL - 1) + "1",
        _hdr("HDR1", f),
        _alpha("HDR2F0200000100", LABEL),
        _alpha(f"UHL1{_julian(f.processing_day)}999999    000000001 DAILY  001", LABEL),
    ]
    for n, r in enumerate(f.records, start=1):
        where = f"record {n}"
        try:
            check_sort_code(r.sort_code)
            check_account_number(r.account_number)
        except ValueError as exc:
            raise BacsFileError(where, str(exc)) from exc
        if r.code is TransactionCode.CONTRA_CREDIT:
            raise BacsFileError(where, "the contra is written by the file, not given as a record")
        if r.code.is_instruction and r.amount_pence != 0:
            raise BacsFileError(where, f"an instruction record ({r.code.value}) has amount zero")
        if r.code.is_debit and r.amount_pence <= 0:
            raise BacsFileError(where, "a collection is for more than zero")
        lines.append(_data_record(r, o))
    if f.debit_count:
        contra = Standard18Record(o.sort_code, o.account_number, TransactionCode.CONTRA_CREDIT, f.debit_total,
                                  "CONTRA", o.name)
        lines.append(_data_record(contra, o))
    lines += [
        _hdr("EOF1", f),
        _alpha("EOF2F0200000100", LABEL),
        _alpha("UTL1" + _num(f.debit_total, 11, "UTL1") + _num(f.debit_total, 11, "UTL1")
               + _num(f.debit_count, 7, "UTL1") + _num(1 if f.debit_count else 0, 7, "UTL1")
               + _num(f.instruction_count, 7, "UTL1"), LABEL),
    ]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _hdr(label: str, f: Standard18File) -> str:
    ident = _alpha(f"A{f.originator.sun}S  {f.originator.sun}", 17)
    line = (label + ident + f.serial + "0001" + "0001" + "    " + "  " + _julian(f.created) + _julian(f.created)
            + " " + "000000")
    return _alpha(line, LABEL)


def read_standard18(data: bytes) -> Standard18File:
    """The file back from its bytes; BacsFileError naming the line and the problem when it breaks the format,
    its totals disagree with its records, or its contra with its debits."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BacsFileError(f"byte {exc.start}", "a Standard 18 file is ASCII") from exc
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 7:
        raise BacsFileError(f"line {len(lines)}", "a file has VOL1, HDR1, HDR2, UHL1, its records, EOF1, EOF2, UTL1")

    def label(n: int, name: str) -> str:
        line = lines[n]
        if not line.startswith(name):
            raise BacsFileError(f"line {n + 1}", f"expected the {name} label, found {line[:4]!r}")
        if len(line) != LABEL:
            raise BacsFileError(f"line {n + 1}", f"the {name} label is {LABEL} characters, not {len(line)}")
        return line

    vol = label(0, "VOL1")
    serial, sun = vol[4:10], vol[41:47]
    try:
        check_service_user_number(sun)
    except ValueError as exc:
        raise BacsFileError("line 1", f"VOL1's owner: {exc}") from exc
    hdr1 = label(1, "HDR1")
    label(2, "HDR2")
    uhl = label(3, "UHL1")
    created = _from_julian(hdr1[41:47], "line 2")
    processing = _from_julian(uhl[4:10], "line 4")
    utl = label(len(lines) - 1, "UTL1")
    label(len(lines) - 2, "EOF2")
    label(len(lines) - 3, "EOF1")
    records: list[Standard18Record] = []
    contra: Standard18Record | None = None
    originator: Originator | None = None
    for n in range(4, len(lines) - 3):
        where = f"line {n + 1}"
        line = lines[n]
        if len(line) != DATA:
            raise BacsFileError(where, f"a data record is {DATA} characters, not {len(line)}")
        try:
            code = TransactionCode(line[15:17])
        except ValueError:
            raise BacsFileError(where, f"unknown transaction code {line[15:17]!r}") from None
        try:
            check_sort_code(line[0:6])
            check_account_number(line[6:14])
            check_sort_code(line[17:23])
            check_account_number(line[23:31])
        except ValueError as exc:
            raise BacsFileError(where, str(exc)) from exc
        if line[14] != "0":
            raise BacsFileError(where, f"account type is '0', not {line[14]!r}")
        if not line[35:46].isdigit():
            raise BacsFileError(where, f"the amount is 11 digits of pence, not {line[35:46]!r}")
        record = Standard18Record(line[0:6], line[6:14], code, int(line[35:46]), line[64:82].rstrip(),
                                  line[82:100].rstrip())
        here = Originator(sun, line[46:64].rstrip(), line[17:23], line[23:31])
        if originator is None:
            originator = here
        elif (here.sort_code, here.account_number) != (originator.sort_code, originator.account_number):
            raise BacsFileError(where, "every record of a file has the same originating account")
        if code is TransactionCode.CONTRA_CREDIT:
            if contra is not None:
                raise BacsFileError(where, "a second contra")
            contra = record
            continue
        if contra is not None:
            raise BacsFileError(where, "a record after the contra")
        if code.is_instruction and record.amount_pence:
            raise BacsFileError(where, f"an instruction record ({code.value}) has amount zero")
        if code.is_debit and record.amount_pence == 0:
            raise BacsFileError(where, "a collection of zero")
        records.append(record)
    if originator is None:
        raise BacsFileError("line 5", "a file with no records")
    result = Standard18File(originator, serial, created, processing, tuple(records))
    contra_total = contra.amount_pence if contra else 0
    if contra_total != result.debit_total:
        raise BacsFileError("contra", f"the contra {contra_total} does not equal the debits {result.debit_total}")
    where = f"line {len(lines)}"
    if not utl[4:47].isdigit():
        raise BacsFileError(where, "UTL1's totals and counts are digits")
    debit_total, credit_total = int(utl[4:15]), int(utl[15:26])
    debit_count, credit_count, ddi_count = int(utl[26:33]), int(utl[33:40]), int(utl[40:47])
    if debit_total != result.debit_total:
        raise BacsFileError(where, f"UTL1's debit total {debit_total} is not the records' {result.debit_total}")
    if debit_count != result.debit_count:
        raise BacsFileError(where, f"UTL1's debit count {debit_count} is not the records' {result.debit_count}")
    if ddi_count != result.instruction_count:
        raise BacsFileError(where, f"UTL1's instruction count {ddi_count} is not the records' {result.instruction_count}")
    if credit_total != contra_total or credit_count != (1 if contra else 0):
        raise BacsFileError(where, "UTL1's credit total and count are not the contra's")
    return result


# -- the reports -------------------------------------------------------------------------------------------

def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def write_report(report: BacsReport) -> bytes:
    """The report as the bureau sends it (UTF-8 XML)."""
    root = ET.Element("BACSDocument")
    data = ET.SubElement(root, "Data")
    if report.kind == "ARUDD":
        arudd = ET.SubElement(data, "ARUDD")
        ET.SubElement(arudd, "Header", reportType="REPORT2", adviceNumber=report.advice_number,
                      currentProcessingDate=report.produced_on.isoformat())
        ET.SubElement(arudd, "ServiceLicenseInformation", userNumber=report.sun)
        advice = ET.SubElement(arudd, "Advice")
        records = ET.SubElement(ET.SubElement(advice, "OriginatingAccountRecords"), "OriginatingAccountRecord")
        for item in report.returns:
            el = ET.SubElement(records, "ReturnedDebitItem", ref=item.reference, transCode=item.transaction_code,
                               returnCode=item.reason_code,
                               returnDescription=reason("ARUDD", item.reason_code).meaning.upper(),
                               originalProcessingDate=item.original_processing_day.isoformat(),
                               valueOf=_pounds(item.amount_pence), currency="GBP")
            ET.SubElement(el, "PayerAccount", number=item.account_number, ref=item.reference,
                          name=item.account_name, sortCode=item.sort_code)
        ET.SubElement(records, "Totals", numberOf=str(len(report.returns)),
                      valueOf=_pounds(sum(i.amount_pence for i in report.returns)), currency="GBP")
    else:
        advices = ET.SubElement(data, "MessagingAdvices")
        ET.SubElement(advices, "MessagingHeader", {"report-type": report.kind, "advice-number": report.advice_number,
                                                   "report-generation-date": report.produced_on.isoformat(),
                                                   "user-number": report.sun})
        for a in report.advices:
            attrs = {"user-number": report.sun, "record-type": "A" if report.kind == "ADDACS" else "R",
                     "effective-date": a.effective_day.isoformat(), "reference": a.reference,
                     "payer-name": a.account_name, "payer-account-number": a.account_number,
                     "payer-sort-code": a.sort_code, "reason-code": a.reason_code}
            if a.transaction_code:
                attrs["transaction-code"] = a.transaction_code
            if a.new_sort_code:
                attrs["payer-new-sort-code"] = a.new_sort_code
            if a.new_account_number:
                attrs["payer-new-account-number"] = a.new_account_number
            ET.SubElement(advices, "MessagingAdvice", attrs)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _attr(el: ET.Element, name: str, where: str) -> str:
    value = el.get(name)
    if value is None or not value.strip():
        raise BacsFileError(where, f"attribute {name!r} is missing")
    return value.strip()


def _day(el: ET.Element, name: str, where: str) -> date:
    text = _attr(el, name, where)
    try:
        return parse_day(text)
    except ValueError:
        raise BacsFileError(where, f"{name}={text!r} is not a date YYYY-MM-DD") from None


def _pence(text: str, where: str) -> int:
    if not _POUNDS.fullmatch(text):
        raise BacsFileError(where, f"valueOf={text!r} is not an amount in pounds and pence")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BacsFileError(where, f"valueOf={text!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise BacsFileError(where, f"valueOf={text!r} is not an amount in pounds and pence")
    return int(amount * 100)


def _account(el: ET.Element, where: str, sort_attr: str, number_attr: str) -> tuple[str, str]:
    try:
        return (check_sort_code(_attr(el, sort_attr, where)), check_account_number(_attr(el, number_attr, where)))
    except ValueError as exc:
        if isinstance(exc, BacsFileError):
            raise
        raise BacsFileError(where, str(exc)) from exc


def read_report(data: bytes) -> BacsReport:
    """A report file back as values; BacsFileError naming the element (its path and position) and the problem."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise BacsFileError("document", "a document type declaration is not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise BacsFileError(f"line {exc.position[0]}", f"not well-formed XML ({exc})") from None
    if root.tag != "BACSDocument":
        raise BacsFileError(root.tag, "the root element is BACSDocument")
    arudd = root.find("Data/ARUDD")
    if arudd is not None:
        return _read_arudd(arudd)
    advices = root.find("Data/MessagingAdvices")
    if advices is not None:
        return _read_advices(advices)
    raise BacsFileError("BACSDocument/Data", "neither an ARUDD nor MessagingAdvices report")


def _read_arudd(arudd: ET.Element) -> BacsReport:
    header = arudd.find("Header")
    if header is None:
        raise BacsFileError("ARUDD", "the Header element is missing")
    licence = arudd.find("ServiceLicenseInformation")
    if licence is None:
        raise BacsFileError("ARUDD", "the ServiceLicenseInformation element is missing")
    sun = _attr(licence, "userNumber", "ARUDD/ServiceLicenseInformation")
    items: list[ReturnedDebit] = []
    for n, el in enumerate(arudd.iterfind("Advice/OriginatingAccountRecords/OriginatingAccountRecord/ReturnedDebitItem"),
                           start=1):
        where = f"ReturnedDebitItem[{n}]"
        code = _attr(el, "returnCode", where)
        try:
            reason("ARUDD", code)
        except ValueError as exc:
            raise BacsFileError(where, str(exc)) from None
        payer = el.find("PayerAccount")
        if payer is None:
            raise BacsFileError(where, "the PayerAccount element is missing")
        sort_code, account = _account(payer, f"{where}/PayerAccount", "sortCode", "number")
        items.append(ReturnedDebit(_attr(el, "ref", where), _attr(el, "transCode", where), code,
                                   _pence(_attr(el, "valueOf", where), where),
                                   _day(el, "originalProcessingDate", where), sort_code, account,
                                   (payer.get("name") or "").strip()))
    totals = arudd.find("Advice/OriginatingAccountRecords/OriginatingAccountRecord/Totals")
    if totals is not None:
        if int(_attr(totals, "numberOf", "Totals")) != len(items):
            raise BacsFileError("Totals", f"numberOf is not the {len(items)} items")
        if _pence(_attr(totals, "valueOf", "Totals"), "Totals") != sum(i.amount_pence for i in items):
            raise BacsFileError("Totals", "valueOf is not the items' total")
    return BacsReport("ARUDD", sun, _attr(header, "adviceNumber", "ARUDD/Header"),
                      _day(header, "currentProcessingDate", "ARUDD/Header"), returns=tuple(items))


def _read_advices(advices: ET.Element) -> BacsReport:
    header = advices.find("MessagingHeader")
    if header is None:
        raise BacsFileError("MessagingAdvices", "the MessagingHeader element is missing")
    kind = _attr(header, "report-type", "MessagingHeader")
    if kind not in ("ADDACS", "AUDDIS"):
        raise BacsFileError("MessagingHeader", f"report-type is ADDACS or AUDDIS, not {kind!r}")
    items: list[MandateAdvice] = []
    for n, el in enumerate(advices.iterfind("MessagingAdvice"), start=1):
        where = f"MessagingAdvice[{n}]"
        code = _attr(el, "reason-code", where)
        try:
            reason(kind, code)
        except ValueError as exc:
            raise BacsFileError(where, str(exc)) from None
        sort_code, account = _account(el, where, "payer-sort-code", "payer-account-number")
        new_sort, new_account = el.get("payer-new-sort-code"), el.get("payer-new-account-number")
        if new_sort or new_account:
            new_sort, new_account = _account(el, where, "payer-new-sort-code", "payer-new-account-number")
        items.append(MandateAdvice(_attr(el, "reference", where), code, _day(el, "effective-date", where),
                                   sort_code, account, (el.get("payer-name") or "").strip(),
                                   el.get("transaction-code"), new_sort, new_account))
    return BacsReport(kind, _attr(header, "user-number", "MessagingHeader"),  # type: ignore[arg-type]
                      _attr(header, "advice-number", "MessagingHeader"),
                      _day(header, "report-generation-date", "MessagingHeader"), advices=tuple(items))

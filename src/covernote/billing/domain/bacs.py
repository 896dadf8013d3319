"""The Bacs Direct Debit scheme's rules as Covernote applies them (PAY-6): the three-day processing cycle,
the advance notice, lodging a new instruction through AUDDIS, the collection date of an instalment, the
re-presentation of a "refer to payer" return, the transaction codes and the reason codes of the three
reports (AUDDIS, ARUDD, ADDACS). Pure: no I/O, no clock (`today` comes in).

Sources (facts only, cited; nothing copied):
- The cycle: Bacs, "Direct Debit: getting started" (bacs.co.uk/bacs-schemes/getting-started/direct-debit):
  input on day 1, processing on day 2, entry (the payer's account debited) on day 3, working days only. Bacs
  does not process on weekends or on bank holidays in England and Wales, so the calendar here is England and
  Wales' whatever the payer's nation.
- Advance notice: the Direct Debit scheme rules require notice before the first collection and after any
  change of amount, date or frequency, containing the amount, the due date, the reference and the service
  user's name; the default notice period is 10 working days unless the payer agreed another (PAY-6; Movimo,
  "Direct Debit advance notice"; Clear Direct Debit, "Advance notice"). Covernote sends one per collection,
  which the rules allow and which a payer of a changing premium-finance schedule needs.
- Re-presentation: only after ARUDD reason 0 "refer to payer" (PAY-6); the same amount as the original, with
  transaction code 18, within one month of the original processing day; Bacs' ARUDD reason table recommends
  telling the payer 5 working days before the re-presentation (Access PaySuite, "ARUDD reason codes"; Movimo,
  "Re-presenting unpaid Direct Debits"; Clear Direct Debit, "Re-presenting unpaid Direct Debits"). A new full
  advance notice is not required by the scheme: the instruction gives implied consent to re-present; the
  5 working days' letter (PAY-2's letter with the new date) is what Covernote sends.
- Reason codes: ARUDD 0-9, A, B; ADDACS 0-3, B-E, R; AUDDIS 1-3, 5, 6, B, C, F-Q (Bacs reason code lists as
  republished by Numeral's "Bacs reason codes" and Access PaySuite; Slimpay, "BACS payment error codes").
- Transaction codes: 0N new instruction, 0C cancellation, 0S conversion (AUDDIS); 01 first collection,
  17 regular, 18 re-presentation, 19 final; 99 the contra credit (Bacs Standard 18 implementation guides,
  e.g. HSBC's "Message Implementation Guide BACS Standard 18", August 2012).
- New instructions: lodged with a zero-amount 0N record; Covernote presents the first collection no earlier
  than the second working day after the lodgement's entry day (a conservative reading: the paying bank has
  set the instruction up by the lodgement's entry day, and the AUDDIS report of a rejection arrives by then).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from covernote.kernel.calendar import Nation, WorkingDayCalendar

DEFAULT_NOTICE_WORKING_DAYS = 10  # PAY-6
RE_PRESENTATION_NOTICE_WORKING_DAYS = 5  # ARUDD reason 0's special instruction
LODGEMENT_MARGIN_WORKING_DAYS = 2  # after the 0N's entry day, before a first collection's entry day

_SORT_CODE = re.compile(r"[0-9]{6}")
_ACCOUNT_NUMBER = re.compile(r"[0-9]{8}")
_SUN = re.compile(r"[0-9]{6}")
# Bacs' character set for names and references in Standard 18: upper-case letters, digits, space, . & / -
_BACS_TEXT = re.compile(r"[A-Z0-9 .&/\-]*")
_REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9 .&/\-]{5,17}")


def bacs_calendar() -> WorkingDayCalendar:
    """Bacs processing days: Monday to Friday except England and Wales' bank holidays."""
    return WorkingDayCalendar(Nation.ENGLAND_AND_WALES)


class TransactionCode(enum.Enum):
    NEW_INSTRUCTION = "0N"
    CANCEL_INSTRUCTION = "0C"
    CONVERT_INSTRUCTION = "0S"
    FIRST_COLLECTION = "01"
    REGULAR_COLLECTION = "17"
    RE_PRESENTATION = "18"
    FINAL_COLLECTION = "19"
    CONTRA_CREDIT = "99"

    @property
    def is_instruction(self) -> bool:
        return self.value.startswith("0") and self.value[1].isalpha()

    @property
    def is_debit(self) -> bool:
        return self in {TransactionCode.FIRST_COLLECTION, TransactionCode.REGULAR_COLLECTION,
                        TransactionCode.RE_PRESENTATION, TransactionCode.FINAL_COLLECTION}


def collection_code(first: bool, last: bool, re_presentation: bool) -> TransactionCode:
    """The Standard 18 code of a collection: 18 for a re-presentation, whatever its place; otherwise 17 for a
    mandate's first collection, 19 for its last, 01 between (a single collection is presented as first)."""
    if re_presentation:
        return TransactionCode.RE_PRESENTATION
    if first:
        return TransactionCode.FIRST_COLLECTION
    if last:
        return TransactionCode.FINAL_COLLECTION
    return TransactionCode.REGULAR_COLLECTION


# -- the processing cycle ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BacsCycle:
    """One run through Bacs: the file is input on `input_day`, processed on `processing_day`, and the payer's
    account is debited on `entry_day` (the collection date), each the next working day after the one before."""

    input_day: date
    processing_day: date
    entry_day: date


def next_working_day_on_or_after(cal: WorkingDayCalendar, day: date) -> date:
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_before(cal: WorkingDayCalendar, day: date, count: int) -> date:
    """The date `count` working days before `day` (the day itself not counted)."""
    if count < 0:
        raise ValueError("count must be zero or more")
    current = day
    while count:
        current -= timedelta(days=1)
        if cal.is_working_day(current):
            count -= 1
    return current


def cycle_for_input(cal: WorkingDayCalendar, input_day: date) -> BacsCycle:
    """The cycle of a file input on `input_day` (moved to the next working day if it is not one: Bacs accepts
    a file on a non-working day as input on the next working day)."""
    start = next_working_day_on_or_after(cal, input_day)
    processing = cal.add_working_days(start, 1)
    return BacsCycle(start, processing, cal.add_working_days(processing, 1))


def cycle_for_entry(cal: WorkingDayCalendar, entry_day: date) -> BacsCycle:
    """The cycle whose entry day is `entry_day`; ValueError when that is not a working day."""
    if not cal.is_working_day(entry_day):
        raise ValueError(f"{entry_day} is not a Bacs working day: no entry on it")
    processing = working_days_before(cal, entry_day, 1)
    return BacsCycle(working_days_before(cal, processing, 1), processing, entry_day)


# -- dates of a collection -----------------------------------------------------------------------------------

def collection_date_for_due(cal: WorkingDayCalendar, due: date) -> date:
    """The collection (entry) date of an instalment due on `due`: that day when it is a working day, otherwise
    the next working day (never earlier than due)."""
    return next_working_day_on_or_after(cal, due)


def earliest_collection(cal: WorkingDayCalendar, today: date, *,
                        notice_working_days: int = DEFAULT_NOTICE_WORKING_DAYS,
                        lodged_entry_day: date | None = None) -> date:
    """The earliest entry day a collection could have when its advance notice is sent `today`: at least
    `notice_working_days` working days after today (PAY-6), a file input no earlier than today's cycle, and, for
    a mandate lodged through AUDDIS, no earlier than `LODGEMENT_MARGIN_WORKING_DAYS` after the lodgement's
    entry day."""
    if notice_working_days < 0:
        raise ValueError("the notice period must be zero or more working days")
    candidates = [cal.add_working_days(today, notice_working_days), cycle_for_input(cal, today).entry_day]
    if lodged_entry_day is not None:
        candidates.append(cal.add_working_days(lodged_entry_day, LODGEMENT_MARGIN_WORKING_DAYS))
    return next_working_day_on_or_after(cal, max(candidates))


def planned_collection(cal: WorkingDayCalendar, due: date, today: date, *,
                       notice_working_days: int = DEFAULT_NOTICE_WORKING_DAYS,
                       lodged_entry_day: date | None = None) -> date:
    """The entry day of an instalment due on `due` whose notice goes out `today`: the due date moved to a
    working day, or later when the notice period or the lodgement leaves no time (never before due)."""
    return max(collection_date_for_due(cal, due),
               earliest_collection(cal, today, notice_working_days=notice_working_days,
                                   lodged_entry_day=lodged_entry_day))


def notice_deadline(cal: WorkingDayCalendar, collection_day: date,
                    notice_working_days: int = DEFAULT_NOTICE_WORKING_DAYS) -> date:
    """The last day the advance notice of a collection on `collection_day` may be sent (PAY-6)."""
    return working_days_before(cal, collection_day, notice_working_days)


def lodgement_cycle(cal: WorkingDayCalendar, today: date) -> BacsCycle:
    """The cycle of a new instruction (0N) put in today's file."""
    return cycle_for_input(cal, today)


@dataclass(frozen=True)
class RePresentation:
    """When a returned collection may be presented again: `entry_day`, with the payer told by `notify_by`;
    None and a `refused` reason when it may not be (the reason code or the one-month window)."""

    entry_day: date | None
    notify_by: date | None
    refused: str | None = None


def add_one_month(day: date) -> date:
    """The same day of the next month, or that month's last day (31 January -> 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def re_presentation(cal: WorkingDayCalendar, reason_code: str, original_processing_day: date, today: date,
                    *, notice_working_days: int = RE_PRESENTATION_NOTICE_WORKING_DAYS) -> RePresentation:
    """When a collection returned with ARUDD `reason_code`, first processed on `original_processing_day`, may
    be re-presented, the payer being written to `today` (PAY-2, PAY-6): only for reason 0; the entry day is
    the first working day at least `notice_working_days` working days after today whose processing day is
    within one month of the original processing day."""
    reason = ARUDD_REASONS.get(reason_code)
    if reason is None:
        raise ValueError(f"unknown ARUDD reason code {reason_code!r}")
    if not reason.re_presentable:
        return RePresentation(None, None, f"ARUDD {reason_code} ({reason.meaning}) may not be re-presented")
    entry = earliest_collection(cal, today, notice_working_days=notice_working_days)
    limit = add_one_month(original_processing_day)
    if cycle_for_entry(cal, entry).processing_day > limit:
        return RePresentation(None, None, f"too late: a re-presentation must be processed by {limit}, one month"
                                          f" after the original processing day {original_processing_day}")
    return RePresentation(entry, today)


# -- reason codes --------------------------------------------------------------------------------------------

class MandateEffect(enum.Enum):
    """What a reason does to the mandate it names."""

    NONE = "none"  # the mandate stands
    CANCELLED = "cancelled"  # no further collection on it
    AMENDED = "amended"  # new details given: collections continue on them
    REINSTATED = "reinstated"  # a cancelled instruction is live again
    SUSPENDED = "suspended"  # collections stop until a new instruction and notice


@dataclass(frozen=True)
class ReasonCode:
    report: str  # ARUDD, ADDACS or AUDDIS
    code: str
    meaning: str
    re_presentable: bool
    mandate: MandateEffect


def _table(report: str, rows: list[tuple[str, str, bool, MandateEffect]]) -> dict[str, ReasonCode]:
    return {code: ReasonCode(report, code, meaning, again, effect) for code, meaning, again, effect in rows}


_C, _N, _A, _S, _R = (MandateEffect.CANCELLED, MandateEffect.NONE, MandateEffect.AMENDED, MandateEffect.SUSPENDED,
                      MandateEffect.REINSTATED)

ARUDD_REASONS = _table("ARUDD", [
    ("0", "refer to payer", True, _N),
    ("1", "instruction cancelled", False, _C),
    ("2", "payer deceased", False, _C),
    ("3", "account transferred", False, _S),
    ("4", "advance notice disputed", False, _S),
    ("5", "no account (or wrong account type)", False, _C),
    ("6", "no instruction", False, _C),
    ("7", "amount differs", False, _N),
    ("8", "amount not yet due", False, _N),
    ("9", "presentation overdue", False, _N),
    ("A", "service user differs", False, _N),
    ("B", "account closed", False, _C),
])

ADDACS_REASONS = _table("ADDACS", [
    ("0", "instruction cancelled: refer to payer", False, _C),
    ("1", "instruction cancelled by payer", False, _C),
    ("2", "payer deceased", False, _C),
    ("3", "account transferred to another bank or building society", False, _A),
    ("B", "account closed", False, _C),
    ("C", "account transferred to another branch", False, _A),
    ("D", "advance notice disputed", False, _S),
    ("E", "instruction amended", False, _A),
    ("R", "instruction re-instated", False, _R),
])

AUDDIS_REASONS = _table("AUDDIS", [
    ("1", "instruction cancelled by payer", False, _C),
    ("2", "payer deceased", False, _C),
    ("3", "account transferred", False, _C),
    ("5", "no account", False, _C),
    ("6", "no instruction", False, _C),
    ("B", "account closed", False, _C),
    ("C", "account transferred to another branch", False, _A),
    ("F", "invalid account type", False, _C),
    ("G", "bank will not accept direct debits on the account", False, _C),
    ("H", "instruction has expired", False, _C),
    ("I", "payer reference is not unique", False, _C),
    ("K", "instruction cancelled by bank", False, _C),
    ("L", "incorrect payer's account details", False, _C),
    ("M", "transaction code or user status incompatible", False, _C),
    ("N", "transaction disallowed at payer's branch", False, _C),
    ("O", "invalid reference", False, _C),
    ("P", "payer's name not present", False, _C),
    ("Q", "service user name is blank", False, _C),
])

REASONS = {"ARUDD": ARUDD_REASONS, "ADDACS": ADDACS_REASONS, "AUDDIS": AUDDIS_REASONS}


def reason(report: str, code: str) -> ReasonCode:
    """The reason `code` of `report`; ValueError naming both when there is no such reason."""
    try:
        return REASONS[report][code]
    except KeyError as exc:
        raise ValueError(f"no {report} reason code {code!r}") from exc


# -- identifiers ---------------------------------------------------------------------------------------------

def check_sort_code(value: str) -> str:
    if not _SORT_CODE.fullmatch(value):
        raise ValueError(f"a sort code is 6 digits, not {value!r}")
    return value


def check_account_number(value: str) -> str:
    if not _ACCOUNT_NUMBER.fullmatch(value):
        raise ValueError(f"an account number is 8 digits, not {value!r}")
    return value


def check_service_user_number(value: str) -> str:
    if not _SUN.fullmatch(value):
        raise ValueError(f"a service user number is 6 digits, not {value!r}")
    return value


def bacs_text(value: str, width: int) -> str:
    """`value` in Bacs' character set (upper case; other characters become spaces), cut to `width`."""
    upper = value.upper()
    cleaned = "".join(ch if _BACS_TEXT.fullmatch(ch) else " " for ch in upper)
    return " ".join(cleaned.split())[:width]


def check_reference(value: str) -> str:
    """A mandate (payer) reference: 6 to 18 characters of Bacs' set, starting with a letter or digit, not all
    the same character, not starting DDIC (reserved for indemnity claims)."""
    if not _REFERENCE.fullmatch(value):
        raise ValueError(f"a Direct Debit reference is 6-18 upper-case letters, digits, spaces or . & / -,"
                         f" starting with a letter or digit; not {value!r}")
    if value.startswith("DDIC") or len(set(value.replace(" ", ""))) == 1:
        raise ValueError(f"{value!r} may not be used as a Direct Debit reference")
    return value


def mandate_reference(policy_number: str, sequence: int) -> str:
    """The payer's reference of a policy's `sequence`th mandate (1 for the first): the policy number in Bacs'
    characters and the sequence, e.g. `CN-000123/01` -> `CN-000123/01`."""
    base = bacs_text(policy_number.replace("_", "-"), 15).replace(" ", "")
    ref = f"{base}/{sequence:02d}"
    if len(ref) < 6:
        ref = ref.rjust(6, "0")
    return check_reference(ref[:18])


# -- the files' contents, as values (written and read by adapters/bacs_files.py) ---------------------------

@dataclass(frozen=True)
class Originator:
    """The service user: its Bacs service user number, its name, and the account the contra credits."""

    sun: str
    name: str
    sort_code: str
    account_number: str


@dataclass(frozen=True)
class Standard18Record:
    sort_code: str
    account_number: str
    code: TransactionCode
    amount_pence: int
    reference: str
    account_name: str


@dataclass(frozen=True)
class Standard18File:
    originator: Originator
    serial: str  # the submission serial number, 6 characters, unique for the day
    created: date
    processing_day: date
    records: tuple[Standard18Record, ...]

    @property
    def debit_total(self) -> int:
        return sum(r.amount_pence for r in self.records if r.code.is_debit)

    @property
    def debit_count(self) -> int:
        return sum(1 for r in self.records if r.code.is_debit)

    @property
    def instruction_count(self) -> int:
        return sum(1 for r in self.records if r.code.is_instruction)


ReportKind = Literal["ARUDD", "ADDACS", "AUDDIS"]


@dataclass(frozen=True)
class ReturnedDebit:
    """One ARUDD item: the collection with `reference` and `transaction_code`, returned for `reason_code`."""

    reference: str
    transaction_code: str
    reason_code: str
    amount_pence: int
    original_processing_day: date
    sort_code: str
    account_number: str
    account_name: str


@dataclass(frozen=True)
class MandateAdvice:
    """One ADDACS or AUDDIS item about the instruction `reference`: `reason_code` of its report, from
    `effective_day`; for a transfer, the new account."""

    reference: str
    reason_code: str
    effective_day: date
    sort_code: str
    account_number: str
    account_name: str
    transaction_code: str | None = None  # AUDDIS: the instruction's code (0N...)
    new_sort_code: str | None = None
    new_account_number: str | None = None


@dataclass(frozen=True)
class BacsReport:
    kind: ReportKind
    sun: str
    advice_number: str
    produced_on: date
    returns: tuple[ReturnedDebit, ...] = ()
    advices: tuple[MandateAdvice, ...] = field(default=())

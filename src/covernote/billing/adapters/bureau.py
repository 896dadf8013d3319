"""A Bacs bureau simulator behind the BacsBureau port (PAY-6).

It behaves like a bureau in front of Bacs: it takes a Standard 18 file and checks it as Bacs does before
accepting anything (the labels, every record's sort code of 6 digits and account of 8, the transaction codes,
the totals and counts in UTL1 against the records, the contra against the debits, the service user number it
was set up with, a processing day that is a Bacs working day and not already past): a bad file is refused
whole. The same bytes submitted again are recognised and answered with the first reference, never processed
twice (a retry after a timeout is safe); another file with the same serial number for the same day is refused,
as Bacs' duplicate checks refuse it. It then makes the scheme's reports on the days they come:

- AUDDIS (instruction rejections) on the working day after the lodgement's processing day;
- ADDACS (instructions cancelled or amended by the payer's bank) on the working day after a lodgement's entry day;
- ARUDD (unpaid collections) on the working day after the collection's entry day.

Outcomes are decided by the last four digits of the payer's account number:

  ...0000  ARUDD 0 "refer to payer" on a first, regular or final collection; a re-presentation (18) is paid,
           and so is every item for the same reference in its file (the charge for the return collected with it)
  ...1111  ARUDD 0 "refer to payer" every time, re-presentations included
  ...2222  ADDACS 1 "instruction cancelled by payer" after its lodgement; every collection ARUDD 1
  ...3333  ADDACS B "account closed" after its lodgement; every collection ARUDD B
  ...4444  every collection ARUDD 6 "no instruction"
  ...5555  AUDDIS 5 "no account": the lodgement is rejected; every collection ARUDD 5
  ...6666  ADDACS 3 "account transferred", with the new account (same sort code, account ending 6667)
  ...9999  the first submission of a file holding it times out (BacsUnavailable) after the bureau stored it:
           submitting the same bytes again answers the stored reference
  anything else: paid, no report item

Its state lives in its own SQLite file (or memory), as a real bureau's lives on its side. `today` is the
bureau's own clock (for refusing a file whose processing day is past); without one it does not check that.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from covernote.billing.adapters.bacs_files import (
    BacsFileError,
    read_report,
    read_standard18,
    write_report,
    write_standard18,
)
from covernote.billing.domain.bacs import (
    BacsReport,
    MandateAdvice,
    Originator,
    ReturnedDebit,
    Standard18File,
    TransactionCode,
    bacs_calendar,
    cycle_for_input,
    working_days_before,
)
from covernote.billing.ports import BacsFileRejected, BacsReportFile, BacsUnavailable
from covernote.kernel.ids import new_id
from covernote.store.db import private_sqlite_file

TIMEOUT_SUFFIX = "9999"


DEFAULT_SERVICE_USER = Originator("123456", "COVERNOTE INSURANCE", "401276", "41234567")


class SimulatedBacsBureau:
    def __init__(self, path: str | Path = ":memory:", *, service_user: Originator = DEFAULT_SERVICE_USER,
                 today: Callable[[], date] | None = None) -> None:
        if str(path) != ":memory:":
            private_sqlite_file(path)  # it holds payers' bank details: readable by its owner only
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=15, isolation_level=None)
        self._lock = threading.Lock()
        self._service_user = service_user
        self._sun = service_user.sun
        self._today = today
        self._cal = bacs_calendar()
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS submissions (reference TEXT PRIMARY KEY, sha256 TEXT UNIQUE,"
                         " serial TEXT, processing_day TEXT, answered INTEGER)")
        self._db.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY AUTOINCREMENT, submission TEXT,"
                         " kind TEXT, produced_on TEXT, payload TEXT)")
        self._db.execute("CREATE INDEX IF NOT EXISTS ix_items_produced_on ON items (produced_on)")

    @property
    def service_user(self) -> Originator:
        return self._service_user

    # -- submissions ---------------------------------------------------------------------------------------
    def submit(self, file: Standard18File) -> str:
        return self.submit_bytes(write_standard18(file))

    def submit_bytes(self, content: bytes) -> str:
        """The wire-level submission: a Standard 18 file's bytes, checked as Bacs checks them."""
        digest = hashlib.sha256(content).hexdigest()
        with self._lock:
            row = self._db.execute("SELECT reference, answered FROM submissions WHERE sha256 = ?", (digest,)).fetchone()
            if row is not None:
                self._db.execute("UPDATE submissions SET answered = 1 WHERE reference = ?", (row[0],))
                return str(row[0])
            try:
                parsed = read_standard18(content)
            except BacsFileError as exc:
                raise BacsFileRejected(f"file refused: {exc}") from exc
            self._check(parsed)
            reference = new_id("bacs")
            times_out = any(r.account_number.endswith(TIMEOUT_SUFFIX) for r in parsed.records)
            self._db.execute("BEGIN")
            try:
                self._db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?)",
                                 (reference, digest, parsed.serial, parsed.processing_day.isoformat(),
                                  0 if times_out else 1))
                self._db.executemany("INSERT INTO items (submission, kind, produced_on, payload) VALUES (?, ?, ?, ?)",
                                     [(reference, kind, day.isoformat(), payload)
                                      for kind, day, payload in self._outcomes(parsed)])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if times_out:
                raise BacsUnavailable("the Bacs bureau did not answer in time")
            return reference

    def _check(self, f: Standard18File) -> None:
        if f.originator.sun != self._sun:
            raise BacsFileRejected(f"file refused: service user number {f.originator.sun} is not {self._sun}")
        if not self._cal.is_working_day(f.processing_day):
            raise BacsFileRejected(f"file refused: processing day {f.processing_day} is not a Bacs working day")
        if self._today is not None and f.processing_day <= self._today():
            raise BacsFileRejected(f"file refused: processing day {f.processing_day} is not after today"
                                   f" {self._today()}")
        clash = self._db.execute("SELECT reference FROM submissions WHERE serial = ? AND processing_day = ?",
                                 (f.serial, f.processing_day.isoformat())).fetchone()
        if clash is not None:
            raise BacsFileRejected(f"file refused: serial {f.serial} was already used for {f.processing_day}"
                                   f" (duplicate of {clash[0]})")

    def _outcomes(self, f: Standard18File) -> list[tuple[str, date, str]]:
        cycle = cycle_for_input(self._cal, working_days_before(self._cal, f.processing_day, 1))
        after_processing = self._cal.add_working_days(cycle.processing_day, 1)
        after_entry = self._cal.add_working_days(cycle.entry_day, 1)
        out: list[tuple[str, date, str]] = []
        # ...0000's payer has the money by the new date: everything presented with a re-presentation is paid
        re_presented = {r.reference for r in f.records if r.code is TransactionCode.RE_PRESENTATION}
        for r in f.records:
            tail = r.account_number[-4:]
            base = {"reference": r.reference, "sort_code": r.sort_code, "account_number": r.account_number,
                    "account_name": r.account_name, "transaction_code": r.code.value}
            if r.code is TransactionCode.NEW_INSTRUCTION:
                if tail == "5555":
                    out.append(("AUDDIS", after_processing, json.dumps(
                        base | {"reason_code": "5", "effective_day": cycle.processing_day.isoformat()})))
                advice = {"2222": "1", "3333": "B", "6666": "3"}.get(tail)
                if advice is not None:
                    extra = {"new_sort_code": r.sort_code, "new_account_number": r.account_number[:4] + "6667"} \
                        if advice == "3" else {}
                    out.append(("ADDACS", after_entry, json.dumps(
                        base | extra | {"reason_code": advice, "effective_day": cycle.entry_day.isoformat()})))
                continue
            if not r.code.is_debit:
                continue
            code = {"1111": "0", "2222": "1", "3333": "B", "4444": "6", "5555": "5"}.get(tail)
            if tail == "0000" and r.reference not in re_presented:
                code = "0"
            if code is not None:
                out.append(("ARUDD", after_entry, json.dumps(
                    base | {"reason_code": code, "amount_pence": r.amount_pence,
                            "original_processing_day": cycle.processing_day.isoformat()})))
        return out

    # -- reports -------------------------------------------------------------------------------------------
    def reports(self, since: date, until: date) -> list[BacsReportFile]:
        with self._lock:
            rows = self._db.execute(
                "SELECT i.kind, i.produced_on, i.payload FROM items i JOIN submissions s ON s.reference = i.submission"
                " WHERE i.produced_on >= ? AND i.produced_on <= ? ORDER BY i.produced_on, i.kind, i.id",
                (since.isoformat(), until.isoformat())).fetchall()
        grouped: dict[tuple[str, str], list[dict[str, object]]] = {}
        for kind, day, payload in rows:
            grouped.setdefault((kind, day), []).append(json.loads(payload))
        files: list[BacsReportFile] = []
        for (kind, day), items in grouped.items():
            produced = date.fromisoformat(day)
            advice_number = f"{kind}{produced:%Y%m%d}"
            if kind == "ARUDD":
                report = BacsReport("ARUDD", self._sun, advice_number, produced, returns=tuple(
                    ReturnedDebit(str(i["reference"]), str(i["transaction_code"]), str(i["reason_code"]),
                                  int(str(i["amount_pence"])), date.fromisoformat(str(i["original_processing_day"])),
                                  str(i["sort_code"]), str(i["account_number"]), str(i["account_name"]))
                    for i in items))
            else:
                report = BacsReport(kind, self._sun, advice_number, produced, advices=tuple(  # type: ignore[arg-type]
                    MandateAdvice(str(i["reference"]), str(i["reason_code"]), date.fromisoformat(str(i["effective_day"])),
                                  str(i["sort_code"]), str(i["account_number"]), str(i["account_name"]),
                                  str(i["transaction_code"]) if kind == "AUDDIS" else None,
                                  str(i["new_sort_code"]) if i.get("new_sort_code") else None,
                                  str(i["new_account_number"]) if i.get("new_account_number") else None)
                    for i in items))
            content = write_report(report)
            files.append(BacsReportFile(advice_number, kind, produced,  # type: ignore[arg-type]
                                        hashlib.sha256(content).hexdigest(), read_report(content)))
        return files

    def report_bytes(self, since: date, until: date) -> list[tuple[str, bytes]]:
        """The reports as the files the bureau sends (id, XML bytes): what `reports` reads."""
        return [(f.report_id, write_report(f.report)) for f in self.reports(since, until)]

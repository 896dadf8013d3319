"""A premium-finance provider simulator behind the FinanceProvider port (PAY-1).

It behaves like a real provider: each application is credit-searched once (a retried application, same
`application_id`, gets the first answer and no second search), is accepted, referred to its underwriters or
declined, and may not answer in time. A referred application is decided later (`underwrite`, the
underwriters' decision; `decision_of` reports it). Its state lives in its own SQLite file (or memory), as a
real provider's would live on its side.

Test applicants (the surname is the last word of the name, compared without case; or the postcode):
  surname Declined, or a postcode starting ZZ9   declined: "the credit search did not meet the lending criteria"
  surname Referred, or a postcode starting ZZ8   referred: "referred to underwriting: identity to be confirmed"
  surname Timeout, or a postcode starting ZZ7    FinanceUnavailable: no answer in time (nothing searched)
  anyone else                                    accepted
An application whose APR or credit the provider would not lend at (credit above GBP 25,000 or an APR above
99.9%) is declined whoever applies.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from covernote.billing.ports import FinanceApplication, FinanceDecision, FinanceUnavailable, Outcome
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.store.db import private_sqlite_file

DECLINED = "the credit search did not meet the lending criteria"
REFERRED = "referred to underwriting: identity to be confirmed"
MAX_CREDIT = Money.of("25000.00")
MAX_APR = Decimal("99.9")


def _surname(name: str) -> str:
    words = name.split()
    return words[-1].lower() if words else ""


class SimulatedFinanceProvider:
    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            private_sqlite_file(path)  # applicants' names, dates of birth and addresses: owner-readable only
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=15, isolation_level=None)
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS applications (application_id TEXT PRIMARY KEY, reference TEXT"
                         " UNIQUE, outcome TEXT, reason TEXT, searched_at TEXT, name TEXT, postcode TEXT,"
                         " credit_pence INTEGER)")
        self._db.execute("CREATE TABLE IF NOT EXISTS searches (reference TEXT, name TEXT, date_of_birth TEXT,"
                         " postcode TEXT, searched_at TEXT)")

    def decide(self, application: FinanceApplication) -> FinanceDecision:
        with self._lock:
            row = self._db.execute("SELECT reference, outcome, reason, searched_at, credit_pence FROM applications"
                                   " WHERE application_id = ?", (application.application_id,)).fetchone()
            if row is not None:
                if row[4] != application.credit.pence:
                    raise ValueError("application id reused for a different application")
                return FinanceDecision(row[1], row[0], datetime.fromisoformat(row[3]), row[2])
            surname, postcode = _surname(application.name), application.postcode.replace(" ", "").upper()
            if surname == "timeout" or postcode.startswith("ZZ7"):
                raise FinanceUnavailable("the finance provider did not answer in time")
            outcome: Outcome
            reason: str | None
            if surname == "declined" or postcode.startswith("ZZ9"):
                outcome, reason = "declined", DECLINED
            elif application.credit > MAX_CREDIT or application.apr_percent > MAX_APR:
                outcome, reason = "declined", "outside the provider's lending limits"
            elif surname == "referred" or postcode.startswith("ZZ8"):
                outcome, reason = "referred", REFERRED
            else:
                outcome, reason = "accepted", None
            reference = new_id("pfa")
            searched_at = application.asked_at.astimezone(UTC)  # searched as it is asked
            self._db.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (application.application_id, reference, outcome, reason, searched_at.isoformat(),
                              application.name, postcode, application.credit.pence))
            # The search, kept whether or not the credit proceeds (S3).
            self._db.execute("INSERT INTO searches VALUES (?, ?, ?, ?, ?)",
                             (reference, application.name,
                              None if application.date_of_birth is None else application.date_of_birth.isoformat(),
                              postcode, searched_at.isoformat()))
            return FinanceDecision(outcome, reference, searched_at, reason)

    def decision_of(self, reference: str) -> FinanceDecision:
        with self._lock:
            row = self._db.execute("SELECT reference, outcome, reason, searched_at FROM applications"
                                   " WHERE reference = ?", (reference,)).fetchone()
        if row is None:
            raise KeyError(reference)
        return FinanceDecision(row[1], row[0], datetime.fromisoformat(row[3]), row[2])

    def underwrite(self, reference: str, accept: bool, reason: str | None = None) -> FinanceDecision:
        """The provider's underwriters decide a referred application (the simulator's console)."""
        with self._lock:
            row = self._db.execute("SELECT outcome FROM applications WHERE reference = ?", (reference,)).fetchone()
            if row is None:
                raise KeyError(reference)
            if row[0] != "referred":
                raise ValueError(f"application {reference} is {row[0]}, not referred")
            self._db.execute("UPDATE applications SET outcome = ?, reason = ? WHERE reference = ?",
                             ("accepted" if accept else "declined", None if accept else (reason or DECLINED),
                              reference))
        return self.decision_of(reference)

    def searches(self) -> int:
        """How many credit searches were made (each kept by the credit reference agency)."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM searches").fetchone()[0])

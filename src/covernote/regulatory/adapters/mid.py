"""A Motor Insurance Database simulator behind the MidGateway port (REG-1).

It behaves like the bureau: each update is answered once per update id (a retry after a timeout gets the
first answer, never a second record), it holds the policies it accepted, and it accepts, rejects with a
reason code, or does not answer. Its state lives in its own SQLite file (or memory), as the bureau's own
records would live on its side.

What it does, driven by the data:
  accepted                   any other update: answered with a reference MID-<n>
  invalid_registration       a registration starting "ZZ", or not in a UK format
  unknown_policy             amend, renew or cancel for a policy the MID does not hold
  duplicate_policy           add for a policy number the MID already holds (under another update id)
  invalid_record             no vehicle, or cover that ends before it starts
  no answer (timeout)        a registration starting "ZX": the first try of each update times out; a retry
                             (same update id) is answered
  no answer (outage)         while `outage` is set, or while the outage flag file exists (the embedded
                             default: <data dir>/mid-simulator.outage; `touch` it to start an outage, delete
                             it to end it)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from covernote.policy.domain.risk import is_uk_registration, normalise_registration
from covernote.regulatory.ports import BureauReceipt, BureauRejected, BureauUnavailable
from covernote.store.db import private_sqlite_file

REJECTED_PREFIX = "ZZ"
SLOW_PREFIX = "ZX"


class SimulatedBureau:
    """What the MID and CUE simulators share: a store of answers by key, the records held, an outage."""

    name = "simulated bureau"
    prefix = "REF"

    def __init__(self, path: str | Path = ":memory:", outage_flag: str | Path | None = None) -> None:
        if str(path) != ":memory:":
            private_sqlite_file(path)  # it holds personal data: readable by its owner only (issue 13, item 15)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=15, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, status TEXT, reference TEXT,"
                         " code TEXT, reason TEXT, attempts INTEGER)")
        self._db.execute("CREATE TABLE IF NOT EXISTS held (policy_number TEXT PRIMARY KEY, record TEXT, "
                         "reference TEXT)")
        self._db.execute("CREATE TABLE IF NOT EXISTS seq (n INTEGER)")
        self.outage = False
        self.outage_flag = Path(outage_flag) if outage_flag else None
        self.calls = 0

    def in_outage(self) -> bool:
        return self.outage or (self.outage_flag is not None and self.outage_flag.exists())

    def _next_reference(self) -> str:
        row = self._db.execute("SELECT n FROM seq").fetchone()
        n = (row[0] if row else 0) + 1
        self._db.execute("DELETE FROM seq")
        self._db.execute("INSERT INTO seq VALUES (?)", (n,))
        return f"{self.prefix}-{n:06d}"

    def _answer(self, key: str) -> tuple[str, str | None, str | None, str | None, int] | None:
        return self._db.execute("SELECT status, reference, code, reason, attempts FROM answers WHERE key = ?",
                                (key,)).fetchone()

    def _replay(self, key: str) -> BureauReceipt | None:
        row = self._answer(key)
        if row is None or row[0] == "tried":
            return None
        if row[0] == "rejected":
            raise BureauRejected(str(row[2]), str(row[3]), row[1])
        return BureauReceipt(key, str(row[1]))

    def _tried(self, key: str) -> int:
        """Count a try that got no answer; how many tries there were before this one."""
        row = self._answer(key)
        before = row[4] if row else 0
        self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, 'tried', NULL, NULL, NULL, ?)", (key, before + 1))
        return before

    def _reject(self, key: str, code: str, reason: str) -> BureauRejected:
        ref = self._next_reference()
        self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, 'rejected', ?, ?, ?, 0)", (key, ref, code, reason))
        return BureauRejected(code, reason, ref)

    def _accept(self, key: str) -> BureauReceipt:
        ref = self._next_reference()
        self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, 'accepted', ?, NULL, NULL, 0)", (key, ref))
        return BureauReceipt(key, ref)

    def held(self, policy_number: str) -> dict[str, Any] | None:
        """The record the bureau holds for a policy number (for tests and demonstrations)."""
        row = self._db.execute("SELECT record FROM held WHERE policy_number = ?", (policy_number,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))


def _registrations(record: Mapping[str, Any]) -> list[str]:
    return [str(v.get("registration", "")) for v in record.get("vehicles", [])]


class SimulatedMid(SimulatedBureau):
    """The Motor Insurance Database, simulated (see the module docstring)."""

    name = "Motor Insurers' Bureau (Motor Insurance Database)"
    prefix = "MID"

    def submit(self, update_id: str, action: str, record: Mapping[str, Any]) -> BureauReceipt:
        with self._lock:
            self.calls += 1
            if self.in_outage():
                raise BureauUnavailable("the Motor Insurance Database is not answering (outage)")
            replay = self._replay(update_id)
            if replay is not None:
                return replay
            regs = _registrations(record)
            if any(normalise_registration(r).startswith(SLOW_PREFIX) for r in regs) and self._tried(update_id) == 0:
                raise BureauUnavailable("the Motor Insurance Database did not answer in time")
            number = str(record.get("policy_number", ""))
            held = self._db.execute("SELECT 1 FROM held WHERE policy_number = ?", (number,)).fetchone()
            bad = [r for r in regs if normalise_registration(r).startswith(REJECTED_PREFIX) or not is_uk_registration(r)]
            if bad:
                raise self._reject(update_id, "invalid_registration",
                                   "a vehicle registration is not known to the DVLA")
            if not regs or not number or str(record.get("cover_end", "")) < str(record.get("cover_start", "")):
                raise self._reject(update_id, "invalid_record", "the record has no vehicle, no policy number, or "
                                                                "cover that ends before it starts")
            if action == "add" and held is not None:
                raise self._reject(update_id, "duplicate_policy", "the MID already holds this policy")
            if action != "add" and held is None:
                raise self._reject(update_id, "unknown_policy", "the MID does not hold this policy")
            receipt = self._accept(update_id)
            self._db.execute("INSERT OR REPLACE INTO held VALUES (?, ?, ?)",
                             (number, json.dumps(dict(record), sort_keys=True), receipt.reference))
            return receipt

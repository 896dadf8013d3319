"""A card-payment provider simulator behind the PaymentGateway port.

It behaves like a real provider: tokens only (no card numbers), idempotency keys (a retried request
returns the first answer and never charges twice), declines, timeouts, and refunds that may not
exceed what was taken on the token. Its state lives in its own SQLite file (or memory), as a real
provider's would live on its side.

Test tokens:
  tok_visa, tok_mastercard, tok_<anything>   succeed
  tok_declined                               declined: do not honour
  tok_insufficient_funds                     declined: insufficient funds
  tok_expired                                declined: expired card
  tok_timeout                                PaymentUnavailable: no answer in time (nothing taken)

A token's card (`card_summary`): tok_visa is the Visa test card ending 4242 and tok_mastercard the Mastercard
ending 4444 (the public test card numbers 4242 4242 4242 4242 and 5555 5555 5555 4444 that card providers
document); any other token is a Visa card whose last four digits the provider derives from the token, the same
every time, as a real provider answers the same card for the same token.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from pathlib import Path

from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.ledger.ports import CardSummary, PaymentDeclined, PaymentReceipt, PaymentUnavailable
from covernote.store.db import private_sqlite_file

_TOKEN = re.compile(r"^tok_[a-z0-9_]{2,60}$")
_DECLINES = {"tok_declined": "do not honour", "tok_insufficient_funds": "insufficient funds",
             "tok_expired": "expired card"}
_CARDS = {"tok_visa": CardSummary("Visa", "4242"), "tok_mastercard": CardSummary("Mastercard", "4444")}


class SimulatedCardProvider:
    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            private_sqlite_file(path)  # it holds personal data: readable by its owner only (issue 13, item 15)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=15, isolation_level=None)
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS operations (idempotency_key TEXT PRIMARY KEY, reference TEXT,"
                         " kind TEXT, token TEXT, pence INTEGER, description TEXT)")

    def _replay(self, key: str, kind: str, token: str, amount: Money) -> PaymentReceipt | None:
        row = self._db.execute("SELECT reference, kind, token, pence FROM operations WHERE idempotency_key = ?",
                               (key,)).fetchone()
        if row is None:
            return None
        if (row[1], row[2], row[3]) != (kind, token, amount.pence):
            raise PaymentDeclined("idempotency key reused for a different payment")
        return PaymentReceipt(row[0], row[1], Money.from_pence(row[3]), row[2])

    def _check_token(self, token: str) -> None:
        if not _TOKEN.match(token):
            raise PaymentDeclined(f"unknown payment token {token!r}")
        if token == "tok_timeout":
            raise PaymentUnavailable("the payment provider timed out")

    def _record(self, key: str, kind: str, token: str, amount: Money, description: str) -> PaymentReceipt:
        ref = new_id("ch" if kind == "charge" else "re")
        self._db.execute("INSERT INTO operations VALUES (?, ?, ?, ?, ?, ?)",
                         (key, ref, kind, token, amount.pence, description))
        return PaymentReceipt(ref, kind, amount, token)  # type: ignore[arg-type]

    def charge(self, token: str, amount: Money, description: str, idempotency_key: str) -> PaymentReceipt:
        if amount.pence <= 0:
            raise PaymentDeclined("a charge must be for more than zero")
        with self._lock:
            self._check_token(token)
            replay = self._replay(idempotency_key, "charge", token, amount)
            if replay is not None:
                return replay
            if token in _DECLINES:
                raise PaymentDeclined(_DECLINES[token])
            return self._record(idempotency_key, "charge", token, amount, description)

    def refund(self, token: str, amount: Money, description: str, idempotency_key: str) -> PaymentReceipt:
        if amount.pence <= 0:
            raise PaymentDeclined("a refund must be for more than zero")
        with self._lock:
            self._check_token(token)
            replay = self._replay(idempotency_key, "refund", token, amount)
            if replay is not None:
                return replay
            row = self._db.execute(
                "SELECT COALESCE(SUM(CASE kind WHEN 'charge' THEN pence ELSE -pence END), 0) FROM operations WHERE token = ?",
                (token,)).fetchone()
            if amount.pence > int(row[0]):
                raise PaymentDeclined(f"refund {amount} is more than the {Money.from_pence(int(row[0]))} held on this token")
            return self._record(idempotency_key, "refund", token, amount, description)

    def card_summary(self, token: str) -> CardSummary:
        self._check_token(token)
        known = _CARDS.get(token)
        if known is not None:
            return known
        digits = int(hashlib.sha256(token.encode("utf-8")).hexdigest(), 16) % 10_000
        return CardSummary("Visa", f"{digits:04d}")

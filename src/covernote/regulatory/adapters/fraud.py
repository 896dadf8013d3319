"""A fraud prevention agency simulator behind the FraudCheckGateway port (REG-3).

Deterministic from the data: the subject (the policyholder's name, date of birth, e-mail and postcode, the
vehicles' registrations, the named drivers' names) is compared with a watch list, a CSV file shipped next to
this module (fraud_watchlist.csv; another file may be given). Names are compared without case or extra
spaces, postcodes and registrations without spaces.

  clear          nothing on the watch list (every ordinary test customer), score 0
  refer          a watch-list entry with result refer (e.g. the name "Rita Referral", the postcode EC1A 9ZZ)
  match          a watch-list entry with result match (e.g. the name "Mallory Fraudster", the registration
                 FR12AUD, the e-mail fraud@example.invalid): a suspected fraud
  no answer      a watch-list entry with result unavailable (the name "Otto Outage"), or while `outage` is
                 set or the outage flag file exists (<data dir>/fraud-simulator.outage)

The worst answer wins (match over refer); the score is the highest of the entries found and the reasons
list each. Each check is answered once per check id: a retry gets the first answer.
"""

from __future__ import annotations

import csv
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from covernote.regulatory.ports import BureauUnavailable, FraudAnswer, FraudRequest

WATCHLIST = Path(__file__).with_name("fraud_watchlist.csv")
KINDS = ("name", "postcode", "registration", "email")
_RANK = {"clear": 0, "refer": 1, "match": 2}


@dataclass(frozen=True)
class WatchEntry:
    kind: str
    value: str
    result: str
    score: int
    reason: str


def _norm(kind: str, value: str) -> str:
    text = " ".join(str(value).split()).lower()
    return text.replace(" ", "") if kind in ("postcode", "registration") else text


def load_watchlist(path: str | Path = WATCHLIST) -> list[WatchEntry]:
    """The entries of a watch-list file; raises ValueError naming the line of a bad one."""
    lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    out = []
    for n, row in enumerate(csv.DictReader(lines), start=2):
        kind, result = (row.get("kind") or "").strip(), (row.get("result") or "").strip()
        if kind not in KINDS or result not in ("match", "refer", "unavailable"):
            raise ValueError(f"{path}: entry {n}: kind must be one of {', '.join(KINDS)} and result match, refer "
                             "or unavailable")
        score = (row.get("score") or "").strip()
        out.append(WatchEntry(kind, _norm(kind, row.get("value") or ""), result, int(score) if score else 0,
                              (row.get("reason") or "").strip()))
    return out


OUTAGE = "the fraud prevention agency is not answering (outage)"
REMEMBERED_ANSWERS = 10_000  # retries come within minutes; older answers are not asked again


class SimulatedFraudAgency:
    name = "Fraud prevention agency (simulated)"

    def __init__(self, watchlist: str | Path = WATCHLIST, outage_flag: str | Path | None = None) -> None:
        self.entries = load_watchlist(watchlist)
        self.outage = False
        self.outage_flag = Path(outage_flag) if outage_flag else None
        self.calls = 0
        # Answers kept so that a retried check (same id) gets the same answer, as the agency answers a
        # retry; only the most recent are kept, so a long-running service does not grow without end.
        self._answers: OrderedDict[str, FraudAnswer] = OrderedDict()
        self._issued = 0
        self._lock = threading.Lock()

    def in_outage(self) -> bool:
        return self.outage or (self.outage_flag is not None and self.outage_flag.exists())

    def _values(self, subject: Mapping[str, Any]) -> dict[str, set[str]]:
        names = [subject.get("name") or "", *(subject.get("drivers") or ())]
        return {"name": {_norm("name", n) for n in names if n},
                "postcode": {_norm("postcode", subject["postcode"])} if subject.get("postcode") else set(),
                "registration": {_norm("registration", r) for r in subject.get("registrations") or ()},
                "email": {_norm("email", subject["email"])} if subject.get("email") else set()}

    def check(self, check_id: str, stage: str, subject: Mapping[str, Any]) -> FraudAnswer:
        with self._lock:
            self.calls += 1
            if self.in_outage():
                raise BureauUnavailable(OUTAGE)
            answer = self._answer(check_id, subject)
        if isinstance(answer, BureauUnavailable):
            raise answer
        return answer

    def check_many(self, requests: Sequence[FraudRequest]) -> list[FraudAnswer | BureauUnavailable]:
        """One call for several checks: each is answered as `check` answers it (an outage leaves every one
        unanswered), in order, so agency references are issued as for the same checks made one by one."""
        with self._lock:
            self.calls += 1
            if self.in_outage():
                return [BureauUnavailable(OUTAGE) for _ in requests]
            return [self._answer(r.check_id, r.subject) for r in requests]

    def _answer(self, check_id: str, subject: Mapping[str, Any]) -> FraudAnswer | BureauUnavailable:
        """One check's answer (the lock held): the first answer again for a retried id."""
        if check_id in self._answers:
            self._answers.move_to_end(check_id)
            return self._answers[check_id]
        values = self._values(subject)
        found = [e for e in self.entries if e.value in values[e.kind]]
        if any(e.result == "unavailable" for e in found):
            return BureauUnavailable("the fraud prevention agency did not answer in time")
        result = max((e.result for e in found), key=lambda r: _RANK[r], default="clear")
        self._issued += 1
        answer = FraudAnswer(result, max((e.score for e in found), default=0),  # type: ignore[arg-type]
                             tuple(e.reason for e in found), f"FPA-{self._issued:06d}")
        self._answers[check_id] = answer
        if len(self._answers) > REMEMBERED_ANSWERS:
            self._answers.popitem(last=False)
        return answer

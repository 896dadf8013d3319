"""The ports for regulatory reporting and fraud checks (issue 5 parts 5 and 6: REG-1, REG-2, REG-3).

Outside systems: the Motor Insurance Database (`MidGateway`), the Claims and Underwriting Exchange
(`CueGateway`) and a fraud prevention agency (`FraudCheckGateway`); simulators in regulatory/adapters/mid.py,
cue.py and fraud.py, a real adapter plugs in through bootstrap.py (docs/regulatory.md). Records: the MID
updates and CUE reports waiting to be sent or sent (an outbox, written in the unit of work of the
transaction that made them), and every fraud check made. regulatory/store.py implements the repositories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

# -- outside systems ------------------------------------------------------------------------------------


class BureauRejected(Exception):
    """The bureau refused the submission, with a reason code (REG-1: invalid_registration, unknown_policy,
    duplicate_policy, invalid_record). Final for that submission: it is not retried as it is."""

    def __init__(self, code: str, reason: str, reference: str | None = None) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.reference = reference


class BureauUnavailable(Exception):
    """No answer in time (an outage, a timeout). Nothing is known to have been accepted; the same submission,
    with the same key, may be retried and is then answered once."""


@dataclass(frozen=True)
class BureauReceipt:
    """An accepted submission: the bureau's reference, for the key it was sent under."""

    key: str
    reference: str


class MidGateway(Protocol):
    """The Motor Insurance Database (REG-1). `submit` sends one update (a full picture of a policy's term,
    regulatory/domain/mid.py MidRecord.as_dict) under `action` (add, amend, renew, cancel). Idempotent by `update_id`:
    a retry is answered as the first call was. Raises BureauRejected or BureauUnavailable."""

    name: str

    def submit(self, update_id: str, action: str, record: Mapping[str, Any]) -> BureauReceipt: ...


class CueGateway(Protocol):
    """The Claims and Underwriting Exchange (REG-2): one incident or claim report, idempotent by
    `report_id`. Raises BureauRejected or BureauUnavailable."""

    name: str

    def report(self, report_id: str, payload: Mapping[str, Any]) -> BureauReceipt: ...


@dataclass(frozen=True)
class FraudAnswer:
    """The agency's answer to one check (REG-3)."""

    result: Literal["clear", "refer", "match"]
    score: int
    reasons: tuple[str, ...]
    reference: str


@dataclass(frozen=True)
class FraudRequest:
    """One check asked of the agency (REG-3): its id, the stage and what is sent."""

    check_id: str
    stage: str
    subject: Mapping[str, Any]


class FraudCheckGateway(Protocol):
    """A fraud prevention agency (REG-3). `check` is idempotent by `check_id`; raises BureauUnavailable when
    the agency does not answer in time. `check_many` asks for several checks in one call (a batch job's
    chunk) and answers each in order: its answer, or the BureauUnavailable that `check` would have raised for
    it (an outage, or no answer for that subject); it raises nothing for a single subject's answer."""

    name: str

    def check(self, check_id: str, stage: str, subject: Mapping[str, Any]) -> FraudAnswer: ...

    def check_many(self, requests: Sequence[FraudRequest]) -> list[FraudAnswer | BureauUnavailable]: ...


# -- records ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MidUpdate:
    """One update owed to the MID (REG-1), from the transaction that made it; its clock (7 or 14 days) runs
    from `created_at` and is due at `due_at`. Status: pending (to send, or to retry), sent (accepted),
    rejected (flagged for staff, clock still running) or superseded (a later full picture was accepted)."""

    update_id: str
    policy_id: str
    customer_id: str
    transaction_id: str | None
    term_no: int
    trigger: str
    rule: str
    record: dict[str, Any]
    registration_issues: list[dict[str, str]]
    created_at: datetime
    created_by: str
    due_at: datetime
    status: Literal["pending", "sent", "rejected", "superseded"] = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    action: str | None = None
    sent_at: datetime | None = None
    reference: str | None = None
    reject_code: str | None = None
    reject_reason: str | None = None
    superseded_by: str | None = None
    version: int = 1

    @property
    def open(self) -> bool:
        return self.status in ("pending", "rejected")


@dataclass(frozen=True)
class CueReport:
    """One incident or claim reported to the Claims and Underwriting Exchange (REG-2)."""

    report_id: str
    policy_id: str
    customer_id: str
    claim_id: str | None
    transaction_id: str | None
    incident_on: date
    kind: str  # claim or incident
    payload: dict[str, Any]
    created_at: datetime
    created_by: str
    status: Literal["pending", "sent", "rejected"] = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    reference: str | None = None
    reject_code: str | None = None
    reject_reason: str | None = None
    version: int = 1


@dataclass(frozen=True)
class FraudCheck:
    """One call to the fraud prevention agency (REG-3): what was sent, the answer, and staff review."""

    check_id: str
    stage: str
    customer_id: str
    policy_id: str | None
    subject_ref: str
    subject: dict[str, Any]
    result: str  # clear, refer, match or unavailable
    score: int | None
    reasons: tuple[str, ...]
    agency_reference: str | None
    checked_at: datetime
    checked_by: str
    review_status: str = "none"  # none, open, cleared, confirmed, rechecked
    marker_id: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    review_note: str | None = None
    recheck_of: str | None = None
    notes: tuple[str, ...] = field(default=())
    version: int = 1


# -- repositories ---------------------------------------------------------------------------------------------


class MidUpdateRepository(Protocol):
    def add(self, u: MidUpdate) -> None: ...
    def get(self, update_id: str) -> MidUpdate | None: ...
    def save(self, u: MidUpdate) -> MidUpdate:
        """Store a changed update if unchanged since read (its version); Conflict otherwise."""
        ...
    def for_policy(self, policy_id: str) -> list[MidUpdate]:
        """Oldest first."""
        ...
    def due(self, now: datetime | None, limit: int) -> list[MidUpdate]:
        """Pending updates whose next try is due by `now` (None: every pending one), oldest first."""
        ...
    def page(self, status: str | None, overdue_at: datetime | None, flagged: bool, policy_id: str | None,
             limit: int, offset: int) -> list[MidUpdate]:
        """`overdue_at`: only updates not accepted by their due instant as at then (open and past due, or
        accepted late)."""
        ...


class CueReportRepository(Protocol):
    def add(self, r: CueReport) -> None: ...
    def get(self, report_id: str) -> CueReport | None: ...
    def save(self, r: CueReport) -> CueReport: ...
    def by_claim(self, claim_id: str) -> CueReport | None: ...
    def by_transaction(self, transaction_id: str) -> CueReport | None: ...
    def for_policy(self, policy_id: str) -> list[CueReport]: ...
    def due(self, now: datetime | None, limit: int) -> list[CueReport]: ...
    def page(self, status: str | None, limit: int, offset: int) -> list[CueReport]: ...


class FraudCheckRepository(Protocol):
    def add(self, c: FraudCheck) -> None: ...
    def add_many(self, checks: Sequence[FraudCheck]) -> None:
        """Insert the checks in one statement (none: nothing is run)."""
        ...
    def get(self, check_id: str) -> FraudCheck | None: ...
    def save(self, c: FraudCheck) -> FraudCheck: ...
    def page(self, review_status: str | None, customer_id: str | None, result: str | None, limit: int,
             offset: int) -> list[FraudCheck]:
        """Oldest first."""
        ...
    def open_unavailable(self, limit: int) -> list[FraudCheck]:
        """Checks the agency did not answer, still waiting for a re-check, oldest first."""
        ...


__all__ = ["BureauReceipt", "BureauRejected", "BureauUnavailable", "CueGateway", "CueReport", "CueReportRepository",
           "FraudAnswer", "FraudCheck", "FraudCheckGateway", "FraudCheckRepository", "FraudRequest", "MidGateway",
           "MidUpdate", "MidUpdateRepository"]

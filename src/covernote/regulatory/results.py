"""The shapes the regulatory use cases answer with (REG-1, REG-2, REG-3): MID updates and the policy's MID
status, CUE reports, fraud checks, and what each sending run did. TypedDicts, so they are plain dicts at run
time and FastAPI describes them in the OpenAPI document; keys are declared in the order the use cases build
them (the order they go on the wire)."""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 (the brief: both from typing_extensions)

from covernote.clocks.results import DeadlineView

# -- Motor Insurance Database (REG-1) ------------------------------------------------------------------


class MidUpdateView(TypedDict):
    """One MID update: what triggered it, its clock, the bureau's answer and the registrations it carries."""

    id: str
    policy_id: str
    policy_number: str | None
    customer_id: str
    transaction_id: str | None
    term_no: int
    trigger: str
    rule: str
    status: str
    created_at: str
    due_at: str
    overdue: bool
    attempts: int
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    action: str | None
    sent_at: str | None
    reference: str | None
    reject_code: str | None
    reject_reason: str | None
    what_to_do: str | None
    superseded_by: str | None
    registrations: list[str]
    # Stored JSON written from regulatory/domain/mid.py RegistrationIssue.as_dict (code, registration,
    # severity, message), kept as the port holds it.
    registration_issues: list[dict[str, str]]
    # The full picture sent to the bureau, stored JSON (regulatory/domain/mid.py MidRecord.as_dict); left out
    # of lists.
    record: NotRequired[dict[str, Any]]


class MidUpdateDetail(MidUpdateView):
    """One MID update with its deadlines."""

    deadlines: list[DeadlineView]  # the clocks context's deadline views


class MidUpdateList(TypedDict):
    """A page of MID updates, with the filters it was asked for."""

    as_at: str
    status: str | None
    overdue: bool
    flagged: bool
    updates: list[MidUpdateView]


class MidSendResult(TypedDict):
    """What happened to one update in a sending run: the outcome (sent, rejected, retry_later, waiting or
    skipped) and the keys that outcome carries."""

    update_id: str
    outcome: str
    reject_code: NotRequired[str]
    why: NotRequired[str]
    next_attempt_at: NotRequired[str]
    what_to_do: NotRequired[str | None]
    reference: NotRequired[str]
    action: NotRequired[str]
    superseded: NotRequired[list[str]]


class MidSendRun(TypedDict):
    """A run of the MID sender: how many updates had each outcome, and each update's result."""

    as_at: str
    sent: int
    rejected: int
    retry_later: int
    waiting: int
    skipped: int
    results: list[MidSendResult]


class MidFlag(TypedDict):
    """A reason the MID may be wrong about a policy, with what it concerns."""

    code: str
    severity: str
    message: str
    registration: NotRequired[str]
    update_id: NotRequired[str]
    reject_code: NotRequired[str | None]


class PolicyMid(TypedDict):
    """The `mid` block of a policy: the registrations it covers and those the MID holds, whether they
    differ, every flag, and the last update. Only `applies` and `reason` for a product the MID does not
    take."""

    applies: bool
    reason: NotRequired[str]
    status: NotRequired[str]
    in_step: NotRequired[bool]
    registrations: NotRequired[list[str]]
    registrations_on_mid: NotRequired[list[str] | None]
    mismatch: NotRequired[bool]
    missing_on_mid: NotRequired[list[str]]
    only_on_mid: NotRequired[list[str]]
    flags: NotRequired[list[MidFlag]]
    last_update: NotRequired[MidUpdateView | None]
    updates: NotRequired[int]


# -- Claims and Underwriting Exchange (REG-2) ----------------------------------------------------------


class CueReportView(TypedDict):
    """One incident or claim report to the exchange, its state and the bureau's answer."""

    id: str
    policy_id: str
    customer_id: str
    claim_id: str | None
    transaction_id: str | None
    incident_on: str
    kind: str
    status: str
    created_at: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    sent_at: str | None
    reference: str | None
    reject_code: str | None
    reject_reason: str | None
    # What the exchange is told, stored JSON as sent (regulatory/usecases/cue.py _payload).
    payload: dict[str, Any]


class CueReportList(TypedDict):
    """A page of CUE reports."""

    status: str | None
    reports: list[CueReportView]


class CueSendResult(TypedDict):
    """What happened to one report in a sending run (sent, rejected, retry_later or skipped)."""

    report_id: str
    outcome: str
    reject_code: NotRequired[str]
    why: NotRequired[str]
    next_attempt_at: NotRequired[str]
    reference: NotRequired[str]


class CueSendRun(TypedDict):
    """A run of the CUE sender: how many reports had each outcome, and each report's result."""

    as_at: str
    sent: int
    rejected: int
    retry_later: int
    skipped: int
    results: list[CueSendResult]


# -- fraud checks (REG-3) ----------------------------------------------------------------------------------


class FraudCheckView(TypedDict):
    """One fraud check as staff see it: what was sent, the agency's answer, the review and what to do next."""

    id: str
    stage: str
    customer_id: str
    policy_id: str | None
    subject_ref: str
    result: str
    score: int | None
    reasons: list[str]
    agency_reference: str | None
    checked_at: str
    checked_by: str
    review_status: str
    marker_id: str | None
    reviewed_at: str | None
    reviewed_by: str | None
    review_note: str | None
    recheck_of: str | None
    notes: list[str]
    suggested: str | None
    # What was sent to the agency, stored JSON (regulatory/domain/fraud.py FraudSubject.as_dict).
    subject: dict[str, Any]


class FraudReferralList(TypedDict):
    """Checks with one review status (open: waiting for review)."""

    status: str
    referrals: list[FraudCheckView]


class FraudCheckList(TypedDict):
    """Every check made on one customer."""

    customer_id: str
    checks: list[FraudCheckView]


class FraudOutcomeView(TypedDict):
    """A check made and what it means for the transaction."""

    check_id: str
    result: str
    score: int | None
    proceed: bool
    review: bool
    marker_id: str | None


class FraudRecheck(TypedDict):
    """A check made again: the one it replaces, and the new check's outcome."""

    rechecked: str
    check_id: str
    result: str
    score: int | None
    proceed: bool
    review: bool
    marker_id: str | None


class FraudRecheckRun(TypedDict):
    """A run of the re-check job: how many were checked again, how many still got no answer, and each."""

    rechecked: int
    still_unavailable: int
    results: list[FraudRecheck]

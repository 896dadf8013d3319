"""The shapes billing's use cases return (TypedDicts: typed for mypy and OpenAPI, dicts at run time)."""

from __future__ import annotations

from typing_extensions import TypedDict

from covernote.ledger.results import PaymentResult


class ArrearsStepView(TypedDict):
    id: str
    kind: str
    taken_on: str
    letter: str | None
    letter_document_id: str | None
    deadline_id: str | None
    return_id: str | None
    facts: dict[str, str]


class ArrearsCaseView(TypedDict):
    id: str
    policy_id: str
    instalment_id: str
    transaction_id: str
    reason_code: str
    stage: str
    amount: str
    fee: str
    owed: str
    opened_on: str
    represent_on: str | None
    paid_unless_returned_by: str | None
    pay_by: str | None
    notice_on: str | None
    cancel_on: str | None
    closed_on: str | None
    next_action_on: str | None
    steps: list[ArrearsStepView]


class PolicyArrears(TypedDict):
    policy_id: str
    number: str
    overdue: bool
    owed: str
    pay_by_card: bool
    cases: list[ArrearsCaseView]


class ArrearsList(TypedDict):
    total: int
    limit: int
    offset: int
    cases: list[ArrearsCaseView]


class HandledReturn(TypedDict):
    case: ArrearsCaseView
    step: str
    already_handled: bool


class ArrearsPayment(TypedDict):
    policy_id: str
    paid: str
    payment: PaymentResult
    cases: list[ArrearsCaseView]
    idempotent_replay: bool


class ArrearsRun(TypedDict):
    day: str
    cases_checked: int
    steps: dict[str, int]
    cancellations_due: int
    letters_issued: int
    failed: dict[str, str]

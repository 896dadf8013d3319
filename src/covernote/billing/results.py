"""The shapes billing's use cases and routes answer with (typed for mypy and the OpenAPI document). One section
per area: plans and premium finance (PAY-1, PAY-7) first; direct debit, notices and arrears add theirs."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from covernote.ledger.results import PaymentResult

# -- payment plans and premium finance (PAY-1, PAY-7) ----------------------------------------------------------


class InstalmentView(TypedDict):
    """One instalment as it stands (its latest version): when, how much, and whether it was collected."""

    id: str
    sequence: int
    version: int
    due_on: str
    amount: str
    status: str


class AgreementView(TypedDict):
    """The premium-finance agreement: the provider's decision and reference, the amount of credit, the interest
    (the total charge for credit), the total amount payable and the APR; the finance-introduction commission
    the provider pays the intermediary (PAY-7, disclosed on request); and where the term now stands."""

    provider: str
    reference: str | None
    decision: str
    decision_reason: str | None
    credit_searched_at: str
    start_on: str
    cash_price: str
    deposit: str
    credit: str
    interest: str
    total_payable: str
    flat_rate_percent: str
    apr_percent: str
    instalment_count: int
    commission_percent: str
    commission: str
    current_cash_price: str
    current_interest: str
    collected: str
    to_collect: str
    refunded: str
    arrears: str
    pre_contract_document_id: str | None
    agreement_document_id: str | None


class PaymentPlanView(TypedDict):
    """How the policy's term is paid: annually by card, or monthly by direct debit under a premium-finance
    agreement (with the account's last 4 digits, never the account itself)."""

    policy_id: str
    number: str
    term: int
    plan_id: str | None
    kind: str
    status: str
    collection_day: int | None
    account_ending: str | None
    agreement: AgreementView | None
    instalments: list[InstalmentView]


class PlanOpened(TypedDict):
    """A monthly plan asked for: the plan as it now stands (status `active`, `referred` or `declined`) and
    the deposit taken, or the card refunded what the provider now finances, when accepted."""

    plan: PaymentPlanView
    payment: NotRequired[PaymentResult]
    idempotent_replay: NotRequired[bool]


class ReplanView(TypedDict):
    """A term re-planned after a change: why, the open instalments' new amounts, the refund due, the arrears."""

    policy_id: str
    term: int
    cause: str
    cash_price: str
    interest: str
    to_collect: str
    refund_due: str
    arrears: str
    instalments: list[InstalmentView]


# -- returned direct debits' arrears (PAY-2, FEE-2) ----------------------------------------------------------


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

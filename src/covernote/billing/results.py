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
    returned: str  # returned unpaid, being recovered (re-presented, or by card)
    paid_otherwise: str  # returned instalments paid by card
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


class FinanceIllustration(TypedDict):
    """What paying monthly would cost, before asking the provider (PAY-1, the pre-contract figures): the deposit
    taken by card, the amount of credit, the interest, the total amount payable, the APR, and the instalments.
    The provider's decision comes at purchase; the figures are the product's terms applied to this price."""

    provider: str
    deposit: str
    credit: str
    interest: str
    total_payable: str
    apr_percent: str
    instalment_count: int
    first_instalment: str
    regular_instalment: str
    first_due_on: str
    collection_day: int


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
    returned: str
    refund_due: str
    arrears: str
    instalments: list[InstalmentView]



# -- commission (PAY-7) ---------------------------------------------------------------------------------


class ExtraCommissionView(TypedDict):
    """An optional extra's commission: the product's terms (a percentage of the extra's premium and any
    fee per policy sold) and what the ledger holds, net of returns."""

    code: str
    name: str
    insurer: str
    percent: str | None
    per_sale: str
    premium: str
    earned: str


class PolicyCommissionView(TypedDict):
    """One policy's commission: on the core premium (the rate and what was earned on the premium written),
    on each extra, and from the finance provider for introducing a customer who pays by instalments."""

    policy_id: str
    number: str
    product: str
    product_name: str
    insurer: str
    core_percent: str | None
    core_premium: str
    core_earned: str
    extras: list[ExtraCommissionView]
    finance_introduction: str
    total: str
    notes: list[str]


class CommissionDisclosure(TypedDict):
    """What the intermediary earns from a customer's policies (PAY-7, S3: "we will be pleased to provide
    this information upon request"), amounts in pounds as the ledger holds them on `as_at`."""

    customer_id: str
    customer_name: str
    as_at: str
    policies: list[PolicyCommissionView]
    total: str
    explanation: list[str]


class CommissionReportRow(TypedDict):
    """What one ledger entry booked: premium written and commission (core, extras, finance)."""

    posted_on: str
    policy_id: str
    policy_number: str
    transaction_id: str | None
    transaction_kind: str | None
    entry_id: str
    premium: str
    core_commission: str
    extras_premium: str
    extras_commission: str
    finance_commission: str
    total_commission: str


class CommissionReportTotals(TypedDict):
    premium: str
    core_commission: str
    extras_premium: str
    extras_commission: str
    finance_commission: str
    total_commission: str


class CommissionReport(TypedDict):
    """The commission booked in [from, to) per policy and transaction (GET /reports/commission.csv)."""

    start: str
    end: str
    rows: list[CommissionReportRow]
    totals: CommissionReportTotals
    notes: list[str]


# -- the continuous payment authority (PAY-3) ------------------------------------------------------------

class NoticeView(TypedDict):
    """A notice of a payment under the continuous payment authority (PAY-3): the amount taken from (`charge`)
    or paid to (`refund`) the card named, on `due_on`, 14 days after the letter was sent (`sent_on`)."""

    id: str
    policy_id: str
    transaction_id: str
    kind: str
    amount: str
    card: str
    card_brand: str
    card_last4: str
    sent_on: str | None
    due_on: str
    status: str
    document_id: str | None
    receipt_reference: str | None
    reason: str | None
    summary: str


class Settlement(PaymentResult):
    """How a policy transaction's money was settled: taken or refunded now (`settled`), notified to be taken or
    paid later (`notified`, with the notice), left owing (`outstanding`), or nothing to pay."""

    notice: NotRequired[NoticeView]
    summary: NotRequired[str]
    replan: NotRequired[ReplanView]  # a direct-debit payer's instalments as re-planned (PAY-1)
    plan: NotRequired[PaymentPlanView]  # new business paid monthly: the plan opened (PAY-1)


class AuthorityView(TypedDict):
    """A policy's continuous payment authority: in force, or withdrawn and by when to pay another way."""

    policy_id: str
    in_force: bool
    granted_at: str | None
    withdrawn_at: str | None
    withdrawn_by: str | None
    answer_by: str | None
    owed: str
    letter_document_id: str | None
    cancellation_due_on: str | None
    explanation: list[str]


class PolicyNotices(TypedDict):
    """A policy's notices, oldest first, and its authority."""

    policy_id: str
    authority: AuthorityView
    notices: list[NoticeView]


class NoticeFailure(TypedDict):
    notice_id: str
    policy_id: str
    reason: str


class NoticeRun(TypedDict):
    """The daily notice step: letters sent, payments taken and refunds paid on their due day, failures (left
    owing, for arrears), payments the provider could not answer (tried again next run), and the policies whose
    answer period ran out after a withdrawn authority (their cancellation asked for)."""

    as_of: str
    letters_sent: int
    taken: int
    paid: int
    failed: list[NoticeFailure]
    unavailable: list[NoticeFailure]
    cancellations_due: list[str]


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
    amount_collected: str  # of the instalment, by direct debit since the return (re-presented)
    fee_collected: str  # of the charge, by direct debit (collected on the new date)
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

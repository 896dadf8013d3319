"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from covernote.billing.domain.arrears import ArrearsCase, Stage, Step
from covernote.billing.domain.finance import InstalmentStatus
from covernote.kernel.money import Money

# -- the premium-finance provider (PAY-1) -------------------------------------------------------------------

Outcome = Literal["accepted", "referred", "declined"]


@dataclass(frozen=True)
class FinanceApplication:
    """What the provider is asked: who applies (for its credit search) and the agreement offered.
    `application_id` is the idempotency key: asked again, the provider answers the first decision and makes no
    second search."""

    application_id: str
    provider: str
    customer_id: str
    name: str
    date_of_birth: date | None
    address: str
    postcode: str
    policy_number: str
    start: date
    credit: Money
    interest: Money
    instalments: int
    apr_percent: Decimal
    asked_at: datetime


@dataclass(frozen=True)
class FinanceDecision:
    """The provider's answer. `reference` is its reference for the application (and, accepted, the
    agreement); `searched_at` when its credit search was made (kept by the credit reference agency whether
    or not the credit proceeds, S3); `reason` why it referred or declined."""

    outcome: Outcome
    reference: str
    searched_at: datetime
    reason: str | None = None


class FinanceUnavailable(Exception):
    """The provider did not answer in time. Nothing was decided; the same application may be sent again."""


class FinanceProvider(Protocol):
    """The premium-finance provider: a credit search and a decision on each application (PAY-1)."""

    def decide(self, application: FinanceApplication) -> FinanceDecision: ...

    def decision_of(self, reference: str) -> FinanceDecision:
        """The decision as it stands now: a referred application is decided later by the provider's
        underwriters. Raises KeyError for a reference the provider never gave."""
        ...


# -- payment plans, agreements and instalments ----------------------------------------------------------------

PlanKind = Literal["annual_card", "monthly_direct_debit"]
PlanStatus = Literal["active", "referred", "declined", "ended"]


@dataclass(frozen=True)
class PlanRecord:
    """A term's payment plan. The bank account's three values are sealed (encrypted with the customer's data
    key, privacy/usecases/sensitive.py); `account_ending` is the account number's last 4 digits."""

    plan_id: str
    policy_id: str
    term_no: int
    kind: PlanKind
    status: PlanStatus
    collection_day: int | None
    account_holder_sealed: str | None
    sort_code_sealed: str | None
    account_number_sealed: str | None
    account_ending: str | None
    created_at: datetime
    created_by: str
    ended_at: datetime | None = None
    version: int = 1


@dataclass(frozen=True)
class AgreementRecord:
    """A premium-finance agreement as decided, and where the term now stands (`current_*`, refunds, other
    payments, arrears: changed by each re-plan)."""

    agreement_id: str
    plan_id: str
    policy_id: str
    provider: str
    reference: str | None
    decision: Outcome
    decision_reason: str | None
    searched_at: datetime
    decided_at: datetime
    start_on: date
    cash_price: Money
    deposit: Money
    credit: Money
    interest: Money
    total_payable: Money
    flat_rate_percent: Decimal
    apr_percent: Decimal
    instalment_count: int
    commission_percent: Decimal
    commission: Money
    current_cash_price: Money
    current_interest: Money
    refunded: Money
    paid_otherwise: Money
    arrears: Money
    pre_contract_document_id: str | None = None
    agreement_document_id: str | None = None
    version: int = 1


@dataclass(frozen=True)
class InstalmentRecord:
    """One version of one instalment. A re-plan never changes an amount: it marks the open version
    `superseded` (naming its successor) and adds the next version."""

    instalment_id: str
    plan_id: str
    policy_id: str
    sequence: int
    version: int
    due_on: date
    amount: Money
    status: InstalmentStatus
    cause: str
    created_at: datetime
    superseded_by: str | None = None


class PaymentPlanRepository(Protocol):
    def add_plan(self, plan: PlanRecord) -> None: ...
    def plans_for(self, policy_id: str) -> list[PlanRecord]:
        """Every plan of the policy, oldest first."""
        ...
    def current_plan(self, policy_id: str, term_no: int) -> PlanRecord | None:
        """The term's plan that is active or referred, if any."""
        ...
    def end_plan(self, plan_id: str, at: datetime, expected_version: int) -> None:
        """Mark a plan ended (replaced or settled); Conflict if it changed meanwhile."""
        ...
    def set_plan_status(self, plan_id: str, status: PlanStatus, expected_version: int) -> None: ...
    def add_agreement(self, agreement: AgreementRecord) -> None: ...
    def agreement_for(self, plan_id: str) -> AgreementRecord | None: ...
    def update_agreement(self, agreement: AgreementRecord, expected_version: int) -> None:
        """Store the agreement's decision, standing figures and document ids; Conflict if it changed meanwhile."""
        ...
    def add_instalments(self, rows: Sequence[InstalmentRecord]) -> None: ...
    def instalments(self, plan_id: str, current_only: bool = True) -> list[InstalmentRecord]:
        """The plan's instalments by sequence: the latest version of each (or every version, oldest first)."""
        ...
    def supersede(self, instalment_id: str, status: InstalmentStatus, superseded_by: str | None) -> None:
        """Close an open (scheduled) instalment version: `superseded` (by its successor) or `cancelled`.
        Conflict if it is no longer scheduled (collected or returned meanwhile)."""
        ...
    def expected_accounts_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> finance account -> pence its accepted agreements should have posted (reconciliation)."""
        ...
    def due_on(self, day: date, limit: int = 1000, after: str | None = None) -> list[InstalmentRecord]:
        """Scheduled instalments due on `day`, by id, `limit` at a time after the id `after` (the collection
        run's read)."""
        ...


# -- returned direct debits' arrears (PAY-2, FEE-2) ----------------------------------------------------------


class ReturnedCollection(Protocol):
    """A direct debit collection the paying bank returned unpaid, as the Bacs side stores it (ARUDD) and hands
    it to `billing/usecases/returns.py handle_return`: which return, of which instalment of which policy, for
    how much, why (the reason code), whether it may be presented again (PAY-6: only "refer to payer") and
    the day it came back."""

    @property
    def return_id(self) -> str: ...
    @property
    def policy_id(self) -> str: ...
    @property
    def instalment_id(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def re_presentable(self) -> bool: ...
    @property
    def returned_on(self) -> date: ...


@dataclass(frozen=True)
class StoredStep:
    """A step as stored: the domain's step with its id, when it was recorded, its letter's document and its
    clock."""

    step_id: str
    case_id: str
    policy_id: str
    step: Step
    recorded_at: datetime
    letter_document_id: str | None
    deadline_id: str | None
    return_id: str | None


class ArrearsRepository(Protocol):
    """Arrears cases and their steps (PAY-2): billing/store/arrears.py."""

    def add(self, case: ArrearsCase) -> None: ...
    def update(self, case: ArrearsCase) -> ArrearsCase:
        """Store a changed case if unchanged since read (its version); Conflict otherwise. Returns it with its
        new version."""
        ...
    def get(self, case_id: str) -> ArrearsCase | None: ...
    def for_policy(self, policy_id: str) -> list[ArrearsCase]: ...
    def open_for_instalment(self, policy_id: str, instalment_id: str) -> ArrearsCase | None: ...
    def due_by(self, day: date, after: str | None, limit: int) -> list[ArrearsCase]:
        """Open cases whose next action is due on or before `day`, by id after `after` (a page at a time)."""
        ...
    def listed(self, stages: Sequence[Stage] | None, limit: int, offset: int) -> list[ArrearsCase]:
        """Cases at the given stages (all when None), the oldest opened first."""
        ...
    def counted(self, stages: Sequence[Stage] | None) -> int: ...
    def representations_due(self, day: date) -> list[ArrearsCase]:
        """Cases waiting for their re-presentation whose new collection date is `day` (the Bacs side presents
        them)."""
        ...
    def add_step(self, step_id: str, case: ArrearsCase, step: Step, recorded_at: datetime, deadline_id: str | None,
                 return_id: str | None) -> None: ...
    def steps(self, case_ids: Sequence[str]) -> list[StoredStep]:
        """The cases' steps, in the order taken."""
        ...
    def step_for_return(self, return_id: str) -> StoredStep | None: ...
    def letters_missing(self, limit: int) -> list[StoredStep]:
        """Steps whose letter has not been issued yet, oldest first."""
        ...
    def set_letter(self, step_id: str, document_id: str) -> None: ...

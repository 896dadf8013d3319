"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from covernote.billing.domain.arrears import ArrearsCase, Stage, Step
from covernote.billing.domain.bacs import BacsReport, Originator, Standard18File
from covernote.billing.domain.commission import BookedPosting
from covernote.billing.domain.direct_debit import (
    AdvanceNotice,
    Collection,
    DdReturn,
    DueInstalment,
    Mandate,
    Submission,
)
from covernote.billing.domain.finance import InstalmentStatus
from covernote.billing.domain.notices import NoticeStatus, PaymentAuthority, PaymentNotice
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
    def instalment(self, instalment_id: str) -> InstalmentRecord | None:
        """One instalment version by its id."""
        ...
    def fold_returned(self, instalment_ids: Sequence[str]) -> None:
        """Returned instalments settled by a re-plan: marked `cancelled` (the amount is in the settlement)."""
        ...
    def paid_otherwise(self, instalment_id: str) -> InstalmentRecord | None:
        """A returned instalment paid by card: marked `paid_otherwise`; None if it is no longer returned."""
        ...
    def due_on(self, day: date, limit: int = 1000, after: str | None = None) -> list[InstalmentRecord]:
        """Scheduled instalments due on `day`, by id, `limit` at a time after the id `after` (the collection
        run's read)."""
        ...


# -- the Bacs bureau (PAY-6) ---------------------------------------------------------------------------------


class BacsFileRejected(Exception):
    """The bureau refused a submission whole (its totals, an account, the service user number, its day...).
    Final for those bytes: nothing of the file will be processed."""


class BacsUnavailable(Exception):
    """The bureau did not answer in time. The file may or may not have arrived: submit the same bytes again
    (the bureau recognises a file it already has and answers with its first reference, never processing it twice)."""


@dataclass(frozen=True)
class BacsReportFile:
    """One report the bureau made available: its id (unique at the bureau), kind, the day it was produced, the
    SHA-256 of its bytes (so a file is processed once) and what it says."""

    report_id: str
    kind: Literal["ARUDD", "ADDACS", "AUDDIS"]
    produced_on: date
    sha256: str
    report: BacsReport


class BacsBureau(Protocol):
    """Covernote's Bacs bureau: takes submissions and gives back the scheme's reports. The adapter owns the wire
    formats (Standard 18 out, the reports' XML in: `adapters/bacs_files.py`); the use cases see values."""

    @property
    def service_user(self) -> Originator:
        """The service user the bureau submits for: its number, name and the account the contra credits."""
        ...

    def submit(self, file: Standard18File) -> str:
        """Submit a file; its submission reference. Raises BacsFileRejected (refused whole) or BacsUnavailable
        (no answer: submit the same file again; the bureau answers a file it already has with its reference)."""
        ...

    def reports(self, since: date, until: date) -> list[BacsReportFile]:
        """The reports produced on days `since` to `until` inclusive, oldest first. Raises BacsUnavailable, or
        BacsFileRejected naming the file when one cannot be read."""
        ...


class DirectDebitRepository(Protocol):
    """Mandates, submissions, collections, notices, reports and returns (PAY-6): `store/direct_debit.py`."""

    def plans_without_mandate(self, limit: int) -> list[dict[str, Any]]: ...
    def mandate_count_for_policy(self, policy_id: str) -> int: ...
    def add_mandates(self, mandates: Sequence[Mandate]) -> None: ...
    def mandates(self, *, status: str | None = None, policy_id: str | None = None,
                 references: Iterable[str] | None = None, submission_id: str | None = None,
                 limit: int | None = None) -> list[Mandate]: ...
    def mark_lodging(self, mandate_ids: Sequence[str], submission_id: str, entry_on: date, now: datetime) -> None: ...
    def unlodge(self, submission_id: str, now: datetime) -> None: ...
    def activate_lodged(self, entry_before: date, now: datetime) -> int: ...
    def change_mandate(self, mandate_id: str, status: str, report: str, code: str, now: datetime,
                       account: dict[str, str | None] | None = None) -> None: ...
    def add_submission(self, s: Submission) -> None: ...
    def submissions(self, *, kind: str | None = None, status: str | None = None,
                    processing_on: date | None = None) -> list[Submission]: ...
    def serials_used(self, processing_on: date) -> int: ...
    def freeze_submission(self, submission_id: str) -> None: ...
    def finish_submission(self, submission_id: str, *, status: str, record_count: int, total_pence: int,
                          sha256: str | None, bureau_reference: str | None, rejection: str | None,
                          now: datetime) -> None: ...
    def needing_notice(self, due_by: date, limit: int, after: str = "") -> list[DueInstalment]: ...
    def open_instalments_of_plans(self, plan_ids: Sequence[str]) -> list[DueInstalment]: ...
    def add_notices(self, notices: Sequence[AdvanceNotice]) -> None: ...
    def notices(self, *, policy_id: str | None = None,
                instalment_ids: Sequence[str] | None = None) -> list[AdvanceNotice]: ...
    def due_for_collection(self, entry_by: date, limit: int, after: str = "") -> list[DueInstalment]: ...
    def set_re_presentation(self, collection_id: str, entry_on: date) -> None: ...
    def withdraw_re_presentations(self, instalment_ids: Sequence[str]) -> None:
        """The re-presentations planned for these instalments' returned collections, and not yet presented, are
        not to be presented (the amount was settled otherwise)."""
        ...
    def due_re_presentations(self, entry_by: date, limit: int, after: str = "") -> list[DueInstalment]: ...
    def mandates_with_collections(self, mandate_ids: Sequence[str]) -> set[str]: ...
    def add_collections(self, collections: Sequence[Collection]) -> None: ...
    def set_instalment_status(self, instalment_ids: Sequence[str], status: str) -> None: ...
    def collections(self, *, submission_id: str | None = None, policy_id: str | None = None,
                    ids: Sequence[str] | None = None, entry_from: date | None = None,
                    entry_to: date | None = None) -> list[Collection]: ...
    def file_rows(self, submission_id: str) -> list[dict[str, Any]]: ...
    def find_collection(self, reference: str, processing_on: date, amount_pence: int) -> Collection | None: ...
    def mark_collection(self, collection_id: str, status: str, reversal_entry_id: str | None = None) -> None: ...
    def withdraw_submission(self, submission_id: str) -> list[Collection]: ...
    def report_seen(self, sha256: str) -> bool: ...
    def add_report(self, report_id: str, bureau_report_id: str, kind: str, produced_on: date, sha256: str,
                   item_count: int, now: datetime) -> None: ...
    def latest_report_day(self) -> date | None: ...
    def add_return(self, r: DdReturn) -> None: ...
    def returns(self, *, policy_id: str | None = None, status: str | None = None,
                created_from: datetime | None = None) -> list[DdReturn]: ...
    def mark_return(self, return_id: str, status: str, now: datetime) -> None: ...



# -- commission (PAY-7) --------------------------------------------------------------------------------

class CommissionRepository(Protocol):
    """The ledger's postings the commission report reads (PAY-7)."""

    def booked(self, start: datetime, end: datetime) -> list[BookedPosting]:
        """Every posting on the report's accounts (`domain.commission.is_report_account`) of the entries
        posted in [start, end), with its policy's number and its transaction's kind."""
        ...


# -- the continuous payment authority (PAY-3) ------------------------------------------------------------

class PaymentNoticeRepository(Protocol):
    """The continuous payment authority's notices (PAY-3)."""

    def add(self, notice: PaymentNotice) -> None: ...
    def get(self, notice_id: str) -> PaymentNotice | None: ...
    def for_policy(self, policy_id: str) -> list[PaymentNotice]:
        """The policy's notices, oldest first."""
        ...
    def update(self, notice: PaymentNotice) -> PaymentNotice:
        """Store the notice's new state if nobody changed it since it was read (its version); Conflict if they
        did. Returns it with its new version."""
        ...
    def unsent(self, after: str | None, limit: int) -> list[PaymentNotice]:
        """Pending (or withdrawn) notices whose letter is not yet issued, by id after `after`."""
        ...
    def due(self, day: date, after: str | None, limit: int) -> list[PaymentNotice]:
        """Pending notices whose letter is issued and that fall due on or before `day`, by id after `after`."""
        ...
    def page(self, due_on: date | None, status: NoticeStatus | None, limit: int, offset: int) -> list[PaymentNotice]:
        """Notices (for staff), by due date then id; `due_on`: due on that day; `status`: in that status."""
        ...


class PaymentAuthorityRepository(Protocol):
    """Each policy's continuous payment authority: granted at bind, perhaps withdrawn (PAY-3)."""

    def add(self, authority: PaymentAuthority) -> None: ...
    def get(self, policy_id: str) -> PaymentAuthority | None: ...
    def update(self, authority: PaymentAuthority) -> PaymentAuthority:
        """As `PaymentNoticeRepository.update`: optimistic, Conflict when another writer came first."""
        ...
    def letters_unsent(self, limit: int) -> list[PaymentAuthority]:
        """Withdrawn authorities whose withdrawal letter is not issued yet."""
        ...
    def answers_overdue(self, day: date, limit: int) -> list[PaymentAuthority]:
        """Withdrawn authorities whose answer date passed before `day` with no cancellation asked for yet."""


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

"""The unit of work every use case is given: one business transaction over every context's repositories, committed together or not at all. `covernote.uow` implements it on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from covernote.kernel.events import Event
from covernote.platform.ports import IdempotencyStore

if TYPE_CHECKING:  # the contexts' ports, for typing only: the contexts sit above the platform
    from covernote.billing.ports import (
        ArrearsRepository,
        CommissionRepository,
        DirectDebitRepository,
        PaymentAuthorityRepository,
        PaymentNoticeRepository,
        PaymentPlanRepository,
    )
    from covernote.carbon.ports import CarbonOffsetRepository
    from covernote.claims.ports import ClaimRepository
    from covernote.clocks.ports import DeadlineRepository
    from covernote.complaints.ports import ComplaintRepository
    from covernote.documents.ports import DocumentRepository
    from covernote.extras.ports import ExtrasRepository
    from covernote.identity.ports import UserRepository
    from covernote.ledger.ports import LedgerRepository, TransactionTotals
    from covernote.ncd.ports import NcdProofRepository
    from covernote.policy.ports import (
        CustomerRepository,
        PendingQuoteRepository,
        PolicyRepository,
        QuoteRepository,
    )
    from covernote.privacy.ports import (
        BreachRepository,
        ConsentRepository,
        DisclosureRepository,
        FraudMarkerRepository,
        LegalHoldRepository,
        RetentionRepository,
        SensitiveRepository,
    )
    from covernote.regulatory.ports import CueReportRepository, FraudCheckRepository, MidUpdateRepository
    from covernote.telematics.ports.devices import DeviceRepository
    from covernote.telematics.ports.scores import ScoreRepository


class UnitOfWork(Protocol):
    """One business transaction: everything it writes is committed together or not at all."""

    customers: CustomerRepository
    users: UserRepository
    quotes: QuoteRepository
    policies: PolicyRepository
    pending: PendingQuoteRepository
    ledger: LedgerRepository
    idempotency: IdempotencyStore
    transactions: TransactionTotals
    consents: ConsentRepository
    holds: LegalHoldRepository
    fraud_markers: FraudMarkerRepository
    disclosures: DisclosureRepository
    # Sections owned by the privacy areas, each typed by its own protocol: see the areas' modules.
    subject_data: Any  # store.subject_data.SubjectDataRepo: rows about one person (access, erasure)
    requests: Any  # data subject request cases and processing flags
    breaches: BreachRepository  # breach register (PRV-8)
    sensitive: SensitiveRepository  # encrypted sensitive fields, data keys, read log
    retention: RetentionRepository
    carbon: CarbonOffsetRepository  # recorded carbon offsets (ECO-1): carbon/ports.py
    extras: ExtrasRepository  # optional extras' lines (ADD-1, PAY-7)
    ncd: NcdProofRepository  # proofs of no-claims discount (NCD-1)
    deadlines: DeadlineRepository  # the clock engine's deadlines (issue 5)
    claims: ClaimRepository  # claims (CLM-1..4): claims/ports.py
    complaints: ComplaintRepository  # complaints and their letters (CMP-1..5): complaints/ports.py
    mid_updates: MidUpdateRepository  # the MID outbox (REG-1): regulatory/ports.py
    cue_reports: CueReportRepository  # the claims exchange outbox (REG-2)
    fraud_checks: FraudCheckRepository  # every fraud check made (REG-3)
    documents: DocumentRepository  # issued policy documents and the print queue (DOC-1): documents/ports.py
    arrears: ArrearsRepository  # returned direct debits' arrears cases and steps (PAY-2): billing/ports.py
    plans: PaymentPlanRepository  # payment plans, finance agreements, instalments (PAY-1): billing/ports.py
    direct_debit: DirectDebitRepository  # mandates, collections, reports and returns (PAY-6): billing/ports.py
    commission: CommissionRepository  # the ledger's premium and commission postings, for the report (PAY-7)
    payment_notices: PaymentNoticeRepository  # the continuous payment authority's notices (PAY-3): billing/ports.py
    payment_authorities: PaymentAuthorityRepository  # each policy's continuous payment authority (PAY-3)
    telematics_devices: DeviceRepository  # the Smartboxes (TEL-1): telematics/ports/devices.py
    telematics_scores: ScoreRepository  # scored device-days, journeys, events (TEL-3): telematics/ports/scores.py

    def publish(self, event: Event) -> None:
        """Announce a domain event; its handlers run in this transaction when it commits."""
        ...
    def collect_events(self) -> list[Event]:
        """The events published since the last call, oldest first (and forget them)."""
        ...
    before_commit: Callable[[Any], None] | None  # set by the AppContext that opened it (platform/events.py)

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object, /) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...

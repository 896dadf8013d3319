"""The unit of work: one database transaction per business transaction. Nothing commits by itself."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from covernote.billing.ports import (
    ArrearsRepository,
    CommissionRepository,
    DirectDebitRepository,
    PaymentAuthorityRepository,
    PaymentNoticeRepository,
    PaymentPlanRepository,
)
from covernote.billing.store.arrears import ArrearsRepo
from covernote.billing.store.commission import CommissionRepo
from covernote.billing.store.direct_debit import DirectDebitRepo
from covernote.billing.store.notices import PaymentAuthorityRepo, PaymentNoticeRepo
from covernote.billing.store.plans import PaymentPlanRepo
from covernote.carbon.ports import CarbonOffsetRepository
from covernote.carbon.store import CarbonRepo
from covernote.claims.ports import ClaimRepository
from covernote.claims.store import ClaimRepo
from covernote.clocks.ports import DeadlineRepository
from covernote.clocks.store import DeadlineRepo
from covernote.complaints.ports import ComplaintRepository
from covernote.complaints.store import ComplaintRepo
from covernote.documents.ports import DocumentRepository
from covernote.documents.store import DocumentRepo
from covernote.extras.ports import ExtrasRepository
from covernote.extras.store import ExtrasRepo
from covernote.identity.ports import UserRepository
from covernote.identity.store import UserRepo
from covernote.kernel.errors import Conflict, FieldIssue, ValidationFailed
from covernote.kernel.events import Event
from covernote.ledger.ports import LedgerRepository, TransactionTotals
from covernote.ledger.store import LedgerRepo, TransactionTotalsRepo
from covernote.ncd.ports import NcdProofRepository
from covernote.ncd.store import NcdProofRepo
from covernote.platform.ports import IdempotencyStore
from covernote.policy.ports import (
    CustomerRepository,
    PendingQuoteRepository,
    PolicyRepository,
    QuoteRepository,
)
from covernote.policy.store import CustomerRepo, PendingRepo, PolicyRepo, QuoteRepo
from covernote.privacy.ports import (
    BreachRepository,
    ConsentRepository,
    DisclosureRepository,
    FraudMarkerRepository,
    LegalHoldRepository,
    RetentionRepository,
    SensitiveRepository,
)
from covernote.privacy.store.breaches import BreachRepo
from covernote.privacy.store.consent import ConsentRepo
from covernote.privacy.store.registers import DisclosureRepo, FraudMarkerRepo, LegalHoldRepo
from covernote.privacy.store.retention import RetentionRepo
from covernote.privacy.store.sensitive import SensitiveRepo
from covernote.privacy.store.subject_data import RequestRepo, SubjectDataRepo
from covernote.regulatory.ports import CueReportRepository, FraudCheckRepository, MidUpdateRepository
from covernote.regulatory.store import CueReportRepo, FraudCheckRepo, MidUpdateRepo
from covernote.store.idempotency import IdempotencyRepo
from covernote.telematics.ports.devices import DeviceRepository
from covernote.telematics.ports.scores import ScoreRepository
from covernote.telematics.store.devices import DeviceRepo
from covernote.telematics.store.scores import ScoreRepo


def psycopg_data_errors() -> tuple[type[BaseException], ...]:
    """The driver's own data errors (raised while adapting a value, before SQLAlchemy wraps them)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return ()
    return (psycopg.DataError,)


def prepare_engine(engine: Engine) -> Engine:
    """SQLite: foreign keys on, WAL for file databases, a busy timeout, and transactions we begin
    ourselves so a writing unit of work can take the write lock at its start (BEGIN IMMEDIATE): two
    concurrent changes then queue, and the version check makes the second a conflict."""
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("covernote_write") else "BEGIN")

    return engine


# Each repository is made on first use within a unit of work (a request touches a few of the 28).
_REPOSITORIES: dict[str, Callable[[Connection], Any]] = {
    'customers': CustomerRepo,
    'users': UserRepo,
    'quotes': QuoteRepo,
    'policies': PolicyRepo,
    'pending': PendingRepo,
    'ledger': LedgerRepo,
    'idempotency': IdempotencyRepo,
    'transactions': TransactionTotalsRepo,
    'consents': ConsentRepo,
    'holds': LegalHoldRepo,
    'fraud_markers': FraudMarkerRepo,
    'disclosures': DisclosureRepo,
    'subject_data': SubjectDataRepo,
    'requests': RequestRepo,
    'breaches': BreachRepo,
    'sensitive': SensitiveRepo,
    'retention': RetentionRepo,
    'carbon': CarbonRepo,
    'extras': ExtrasRepo,
    'ncd': NcdProofRepo,
    'deadlines': DeadlineRepo,
    'claims': ClaimRepo,
    'complaints': ComplaintRepo,
    'mid_updates': MidUpdateRepo,
    'cue_reports': CueReportRepo,
    'fraud_checks': FraudCheckRepo,
    'documents': DocumentRepo,
    'arrears': ArrearsRepo,
    'plans': PaymentPlanRepo,
    'direct_debit': DirectDebitRepo,
    'commission': CommissionRepo,
    'payment_notices': PaymentNoticeRepo,
    'payment_authorities': PaymentAuthorityRepo,
    'telematics_devices': DeviceRepo,
    'telematics_scores': ScoreRepo,
}


class SqlUnitOfWork:
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
    subject_data: Any
    requests: Any
    breaches: BreachRepository
    sensitive: SensitiveRepository
    retention: RetentionRepository
    carbon: CarbonOffsetRepository
    extras: ExtrasRepository
    ncd: NcdProofRepository
    deadlines: DeadlineRepository
    claims: ClaimRepository
    complaints: ComplaintRepository
    mid_updates: MidUpdateRepository
    cue_reports: CueReportRepository
    fraud_checks: FraudCheckRepository
    documents: DocumentRepository
    arrears: ArrearsRepository
    plans: PaymentPlanRepository
    direct_debit: DirectDebitRepository
    commission: CommissionRepository
    payment_notices: PaymentNoticeRepository
    payment_authorities: PaymentAuthorityRepository
    telematics_devices: DeviceRepository
    telematics_scores: ScoreRepository

    def __init__(self, engine: Engine, read_only: bool = False, write_lock: threading.Lock | None = None) -> None:
        self.engine = engine
        self.read_only = read_only
        self._conn: Connection | None = None
        self._write_lock = write_lock
        self._locked = False
        self._events: list[Event] = []
        self.before_commit: Callable[[Any], None] | None = None

    def __getattr__(self, name: str) -> Any:
        make = _REPOSITORIES.get(name)
        if make is None or self._conn is None:
            raise AttributeError(name)
        repo = make(self._conn)
        setattr(self, name, repo)
        return repo

    def publish(self, event: Event) -> None:
        self._events.append(event)

    def collect_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def __enter__(self) -> SqlUnitOfWork:
        if self._write_lock is not None and not self.read_only:
            # SQLite allows one writer; queueing here wakes the next writer as soon as the last commits,
            # where SQLite's own busy handler sleeps with growing back-off (long tail latencies).
            if not self._write_lock.acquire(timeout=30):
                raise Conflict("the database was busy with other changes for 30 seconds; retry")
            self._locked = True
        try:
            conn = self.engine.connect()
        except BaseException:
            self._release()
            raise
        if not self.read_only:
            conn = conn.execution_options(covernote_write=True)
        conn.begin()
        self._conn = conn
        return self

    def _release(self) -> None:
        if self._locked and self._write_lock is not None:
            self._locked = False
            self._write_lock.release()

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
        finally:
            self._conn.close()
            self._conn = None
            for name in _REPOSITORIES:
                self.__dict__.pop(name, None)
            self._release()
        # A unique key or lock lost to a concurrent writer is a conflict for the caller, not a crash.
        if isinstance(exc, IntegrityError):
            raise Conflict("another request changed the same records at the same time; retry") from exc
        if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
            raise Conflict("the database was busy with another change; retry") from exc
        if isinstance(exc, DataError) or isinstance(getattr(exc, "orig", None), psycopg_data_errors()):
            raise ValidationFailed("a value cannot be stored: it holds a character (such as NUL) or a number the "
                                   "database refuses",
                                   [FieldIssue("request", "remove control characters (such as NUL) and out-of-range values")]) from exc

    def commit(self) -> None:
        assert self._conn is not None
        if self._events:
            if self.before_commit is None:
                raise RuntimeError("events were published on a unit of work with no handlers wired "
                                   "(open it through an AppContext)")
            self.before_commit(self)  # the handlers write in this transaction (kernel/events.py)
        try:
            self._conn.commit()
        except IntegrityError as exc:
            self._conn.rollback()
            raise Conflict("another request changed the same records at the same time; retry") from exc
        except OperationalError as exc:
            self._conn.rollback()
            raise Conflict(f"the database refused the change ({exc.orig}); retry") from exc

    def rollback(self) -> None:
        self._events.clear()  # what was rolled back has no consequences
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self.engine = prepare_engine(engine)
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None
        # Whether units of work may write at the same time (the retention sweep pipelines its batches
        # where they may): SQLite takes one writer at a time.
        self.concurrent_writes = self._write_lock is None

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only, self._write_lock)


__all__ = ["DBAPIError", "SqlUnitOfWork", "SqlUnitOfWorkFactory", "prepare_engine"]

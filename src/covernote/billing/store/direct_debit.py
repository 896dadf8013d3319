"""Direct debit's tables (PAY-6): mandates, submissions, collections, advance notices, reports and returns, and
the plans' instalments as the collection run reads and marks them. SQLAlchemy Core; never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.billing.domain.direct_debit import (
    COLLECTABLE_MANDATE,
    LIVE_MANDATE,
    AdvanceNotice,
    Collection,
    DdReturn,
    DueInstalment,
    Mandate,
    Submission,
)
from covernote.store.tables import (
    dd_advance_notices,
    dd_collections,
    dd_mandates,
    dd_reports,
    dd_returns,
    dd_submissions,
    instalments,
    payment_plans,
    policies,
)

DIRECT_DEBIT_PLAN = "monthly_direct_debit"
_OPEN_INSTALMENT = "scheduled"


def _mandate(r: Any) -> Mandate:
    return Mandate(r.id, r.policy_id, r.plan_id, r.customer_id, r.reference, r.status, r.account_holder, r.sort_code,
                   r.account_number, r.account_ending, r.lodged_entry_on, r.reason_report, r.reason_code, r.created_at,
                   r.updated_at, r.version)


def _collection(r: Any) -> Collection:
    return Collection(r.id, r.instalment_id, r.attempt, r.policy_id, r.mandate_id, r.submission_id, r.transaction_code,
                      r.amount_pence, r.due_on, r.processing_on, r.entry_on, r.status, r.journal_entry_id,
                      r.reversal_entry_id, r.created_at, r.re_present_on)


def _submission(r: Any) -> Submission:
    return Submission(r.id, r.kind, r.serial, r.input_on, r.processing_on, r.entry_on, r.status, r.record_count,
                      r.total_pence, r.sha256, r.bureau_reference, r.rejection, r.created_at, r.submitted_at)


def _notice(r: Any) -> AdvanceNotice:
    return AdvanceNotice(r.id, r.instalment_id, r.policy_id, r.mandate_id, r.amount_pence, r.collect_on, r.notified_on,
                         r.document_id, r.created_at)


def _return(r: Any) -> DdReturn:
    return DdReturn(r.id, r.report_id, r.kind, r.reference, r.reason_code, r.mandate_id, r.policy_id, r.collection_id,
                    r.amount_pence, r.original_processing_on, r.effective_on, r.status, r.created_at, r.handled_at)


class DirectDebitRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- plans and mandates ----------------------------------------------------------------------------------
    def plans_without_mandate(self, limit: int) -> list[dict[str, Any]]:
        """Active direct debit plans with bank details and no live mandate: plan id, policy id and number,
        customer id, and the plan's sealed account (holder, sort code, number, ending)."""
        live = sa.select(dd_mandates.c.id).where(dd_mandates.c.plan_id == payment_plans.c.id,
                                                 dd_mandates.c.status.in_(LIVE_MANDATE))
        q = (sa.select(payment_plans.c.id, payment_plans.c.policy_id, policies.c.number, policies.c.customer_id,
                       payment_plans.c.account_holder, payment_plans.c.sort_code, payment_plans.c.account_number,
                       payment_plans.c.account_ending)
             .join(policies, policies.c.id == payment_plans.c.policy_id)
             .where(payment_plans.c.kind == DIRECT_DEBIT_PLAN, payment_plans.c.status == "active",
                    payment_plans.c.account_number.is_not(None), ~sa.exists(live))
             .order_by(payment_plans.c.id).limit(limit))
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def mandate_count_for_policy(self, policy_id: str) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(dd_mandates)
                                     .where(dd_mandates.c.policy_id == policy_id)).scalar_one())

    def add_mandates(self, mandates: Sequence[Mandate]) -> None:
        if mandates:
            self.conn.execute(dd_mandates.insert(), [dict(
                id=m.mandate_id, policy_id=m.policy_id, plan_id=m.plan_id, customer_id=m.customer_id,
                reference=m.reference, status=m.status, account_holder=m.account_holder, sort_code=m.sort_code,
                account_number=m.account_number, account_ending=m.account_ending, lodged_submission_id=None,
                lodged_entry_on=m.lodged_entry_on, reason_report=m.reason_report, reason_code=m.reason_code,
                created_at=m.created_at, updated_at=m.updated_at, version=m.version) for m in mandates])

    def mandates(self, *, status: str | None = None, policy_id: str | None = None,
                 references: Iterable[str] | None = None, submission_id: str | None = None,
                 limit: int | None = None) -> list[Mandate]:
        q = sa.select(dd_mandates).order_by(dd_mandates.c.created_at, dd_mandates.c.id)
        if status is not None:
            q = q.where(dd_mandates.c.status == status)
        if policy_id is not None:
            q = q.where(dd_mandates.c.policy_id == policy_id)
        if submission_id is not None:
            q = q.where(dd_mandates.c.lodged_submission_id == submission_id)
        if references is not None:
            refs = list(references)
            if not refs:
                return []
            q = q.where(dd_mandates.c.reference.in_(refs))
        if limit is not None:
            q = q.limit(limit)
        return [_mandate(r) for r in self.conn.execute(q)]

    def mark_lodging(self, mandate_ids: Sequence[str], submission_id: str, entry_on: date, now: datetime) -> None:
        if mandate_ids:
            self.conn.execute(dd_mandates.update().where(dd_mandates.c.id.in_(list(mandate_ids)))
                              .values(status="lodged", lodged_submission_id=submission_id, lodged_entry_on=entry_on,
                                      updated_at=now, version=dd_mandates.c.version + 1))

    def unlodge(self, submission_id: str, now: datetime) -> None:
        """The lodgement file was refused whole: its mandates are to be lodged again."""
        self.conn.execute(dd_mandates.update().where(dd_mandates.c.lodged_submission_id == submission_id)
                          .values(status="pending", lodged_submission_id=None, lodged_entry_on=None, updated_at=now,
                                  version=dd_mandates.c.version + 1))

    def activate_lodged(self, entry_before: date, now: datetime) -> int:
        """Mandates lodged with an entry day before `entry_before` and not rejected since are active."""
        result = self.conn.execute(dd_mandates.update().where(dd_mandates.c.status == "lodged",
                                                              dd_mandates.c.lodged_entry_on < entry_before)
                                   .values(status="active", updated_at=now, version=dd_mandates.c.version + 1))
        return int(result.rowcount or 0)

    def change_mandate(self, mandate_id: str, status: str, report: str, code: str, now: datetime,
                       account: dict[str, str | None] | None = None) -> None:
        values: dict[str, Any] = dict(status=status, reason_report=report, reason_code=code, updated_at=now,
                                      version=dd_mandates.c.version + 1)
        if account:
            values.update(account)
        self.conn.execute(dd_mandates.update().where(dd_mandates.c.id == mandate_id).values(**values))

    # -- submissions -----------------------------------------------------------------------------------------
    def add_submission(self, s: Submission) -> None:
        self.conn.execute(dd_submissions.insert().values(
            id=s.submission_id, kind=s.kind, serial=s.serial, input_on=s.input_on, processing_on=s.processing_on,
            entry_on=s.entry_on, status=s.status, record_count=s.record_count, total_pence=s.total_pence,
            sha256=s.sha256, bureau_reference=s.bureau_reference, rejection=s.rejection, created_at=s.created_at,
            submitted_at=s.submitted_at))

    def submissions(self, *, kind: str | None = None, status: str | None = None,
                    processing_on: date | None = None) -> list[Submission]:
        q = sa.select(dd_submissions).order_by(dd_submissions.c.created_at, dd_submissions.c.id)
        if kind is not None:
            q = q.where(dd_submissions.c.kind == kind)
        if status is not None:
            q = q.where(dd_submissions.c.status == status)
        if processing_on is not None:
            q = q.where(dd_submissions.c.processing_on == processing_on)
        return [_submission(r) for r in self.conn.execute(q)]

    def serials_used(self, processing_on: date) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(dd_submissions)
                                     .where(dd_submissions.c.processing_on == processing_on)).scalar_one())

    def freeze_submission(self, submission_id: str) -> None:
        """The file is being sent: no more rows join it (a rerun sends it again unchanged)."""
        self.conn.execute(dd_submissions.update().where(dd_submissions.c.id == submission_id,
                                                        dd_submissions.c.status == "building").values(status="sending"))

    def finish_submission(self, submission_id: str, *, status: str, record_count: int, total_pence: int,
                          sha256: str | None, bureau_reference: str | None, rejection: str | None,
                          now: datetime) -> None:
        self.conn.execute(dd_submissions.update().where(dd_submissions.c.id == submission_id).values(
            status=status, record_count=record_count, total_pence=total_pence, sha256=sha256,
            bureau_reference=bureau_reference, rejection=rejection, submitted_at=now))

    # -- instalments, notices and collections ----------------------------------------------------------------
    def _due_query(self) -> Any:
        last = (sa.select(sa.func.max(instalments.c.sequence)).where(instalments.c.plan_id == payment_plans.c.id)
                .correlate(payment_plans).scalar_subquery())
        return (sa.select(instalments.c.id, instalments.c.plan_id, instalments.c.policy_id, dd_mandates.c.customer_id,
                          instalments.c.sequence, last.label("last_sequence"), instalments.c.due_on,
                          instalments.c.amount_pence, dd_mandates.c.id.label("mandate_id"),
                          dd_mandates.c.reference, dd_mandates.c.lodged_entry_on)
                .join(payment_plans, payment_plans.c.id == instalments.c.plan_id)
                .join(dd_mandates, dd_mandates.c.plan_id == payment_plans.c.id)
                .where(instalments.c.status == _OPEN_INSTALMENT, payment_plans.c.status == "active",
                       payment_plans.c.kind == DIRECT_DEBIT_PLAN, dd_mandates.c.status.in_(COLLECTABLE_MANDATE)))

    def needing_notice(self, due_by: date, limit: int, after: str = "") -> list[DueInstalment]:
        """Open instalments due by `due_by` on a lodged or active mandate with no advance notice yet, by plan."""
        noticed = sa.select(dd_advance_notices.c.id).where(dd_advance_notices.c.instalment_id == instalments.c.id)
        q = (self._due_query().where(instalments.c.due_on <= due_by, ~sa.exists(noticed), instalments.c.plan_id > after)
             .order_by(instalments.c.plan_id, instalments.c.sequence).limit(limit))
        return [DueInstalment(r.id, r.plan_id, r.policy_id, r.customer_id, r.sequence, r.last_sequence, r.due_on,
                              r.amount_pence, r.mandate_id, r.reference, r.lodged_entry_on)
                for r in self.conn.execute(q)]

    def open_instalments_of_plans(self, plan_ids: Sequence[str]) -> list[DueInstalment]:
        """Every open instalment of these plans without a notice (a schedule letter lists them all)."""
        if not plan_ids:
            return []
        noticed = sa.select(dd_advance_notices.c.id).where(dd_advance_notices.c.instalment_id == instalments.c.id)
        q = (self._due_query().where(instalments.c.plan_id.in_(list(plan_ids)), ~sa.exists(noticed))
             .order_by(instalments.c.plan_id, instalments.c.sequence))
        return [DueInstalment(r.id, r.plan_id, r.policy_id, r.customer_id, r.sequence, r.last_sequence, r.due_on,
                              r.amount_pence, r.mandate_id, r.reference, r.lodged_entry_on)
                for r in self.conn.execute(q)]

    def add_notices(self, notices: Sequence[AdvanceNotice]) -> None:
        if notices:
            self.conn.execute(dd_advance_notices.insert(), [dict(
                id=n.notice_id, instalment_id=n.instalment_id, policy_id=n.policy_id, mandate_id=n.mandate_id,
                amount_pence=n.amount_pence, collect_on=n.collect_on, notified_on=n.notified_on,
                document_id=n.document_id, created_at=n.created_at) for n in notices])

    def notices(self, *, policy_id: str | None = None, instalment_ids: Sequence[str] | None = None) -> list[AdvanceNotice]:
        q = sa.select(dd_advance_notices).order_by(dd_advance_notices.c.collect_on, dd_advance_notices.c.id)
        if policy_id is not None:
            q = q.where(dd_advance_notices.c.policy_id == policy_id)
        if instalment_ids is not None:
            q = q.where(dd_advance_notices.c.instalment_id.in_(list(instalment_ids)))
        return [_notice(r) for r in self.conn.execute(q)]

    def due_for_collection(self, entry_by: date, limit: int, after: str = "") -> list[DueInstalment]:
        """Open instalments whose notified collection date is on or before `entry_by`, never presented, by id."""
        presented = sa.select(dd_collections.c.id).where(dd_collections.c.instalment_id == instalments.c.id)
        q = (self._due_query().add_columns(dd_advance_notices.c.collect_on)
             .join(dd_advance_notices, dd_advance_notices.c.instalment_id == instalments.c.id)
             .where(dd_advance_notices.c.collect_on <= entry_by, ~sa.exists(presented), instalments.c.id > after)
             .order_by(instalments.c.id).limit(limit))
        return [DueInstalment(r.id, r.plan_id, r.policy_id, r.customer_id, r.sequence, r.last_sequence, r.due_on,
                              r.amount_pence, r.mandate_id, r.reference, r.lodged_entry_on, r.collect_on)
                for r in self.conn.execute(q)]

    def set_re_presentation(self, collection_id: str, entry_on: date) -> None:
        self.conn.execute(dd_collections.update().where(dd_collections.c.id == collection_id)
                          .values(re_present_on=entry_on))

    def withdraw_re_presentations(self, instalment_ids: Sequence[str]) -> None:
        if instalment_ids:
            again = dd_collections.alias("again")
            presented = sa.select(again.c.id).where(again.c.instalment_id == dd_collections.c.instalment_id,
                                                    again.c.attempt == 2)
            self.conn.execute(dd_collections.update().where(
                dd_collections.c.instalment_id.in_(list(instalment_ids)), dd_collections.c.attempt == 1,
                dd_collections.c.status == "returned", dd_collections.c.re_present_on.is_not(None),
                ~sa.exists(presented)).values(re_present_on=None))

    def due_re_presentations(self, entry_by: date, limit: int, after: str = "") -> list[DueInstalment]:
        """Returned collections planned for re-presentation by `entry_by`, on a live mandate, not yet presented
        again, by the returned collection's id."""
        again = dd_collections.alias("again")
        presented = sa.select(again.c.id).where(again.c.instalment_id == dd_collections.c.instalment_id,
                                                again.c.attempt == 2)
        last = (sa.select(sa.func.max(instalments.c.sequence)).where(instalments.c.plan_id == dd_mandates.c.plan_id)
                .correlate(dd_mandates).scalar_subquery())
        q = (sa.select(dd_collections.c.id, dd_collections.c.instalment_id, dd_mandates.c.plan_id,
                       dd_collections.c.policy_id, dd_mandates.c.customer_id, instalments.c.sequence,
                       last.label("last_sequence"), dd_collections.c.due_on, dd_collections.c.amount_pence,
                       dd_mandates.c.id.label("mandate_id"), dd_mandates.c.reference, dd_mandates.c.lodged_entry_on,
                       dd_collections.c.re_present_on)
             .join(dd_mandates, dd_mandates.c.id == dd_collections.c.mandate_id)
             .join(instalments, instalments.c.id == dd_collections.c.instalment_id)
             .where(dd_collections.c.status == "returned", dd_collections.c.attempt == 1,
                    dd_collections.c.re_present_on.is_not(None), dd_collections.c.re_present_on <= entry_by,
                    dd_mandates.c.status.in_(COLLECTABLE_MANDATE), ~sa.exists(presented), dd_collections.c.id > after)
             .order_by(dd_collections.c.id).limit(limit))
        return [DueInstalment(r.instalment_id, r.plan_id, r.policy_id, r.customer_id, r.sequence, r.last_sequence,
                              r.due_on, r.amount_pence, r.mandate_id, r.reference, r.lodged_entry_on, r.re_present_on,
                              r.id) for r in self.conn.execute(q)]

    def mandates_with_collections(self, mandate_ids: Sequence[str]) -> set[str]:
        if not mandate_ids:
            return set()
        q = sa.select(dd_collections.c.mandate_id).where(dd_collections.c.mandate_id.in_(list(mandate_ids))).distinct()
        return {r[0] for r in self.conn.execute(q)}

    def add_collections(self, collections: Sequence[Collection]) -> None:
        if collections:
            self.conn.execute(dd_collections.insert(), [dict(
                id=c.collection_id, instalment_id=c.instalment_id, attempt=c.attempt, policy_id=c.policy_id,
                mandate_id=c.mandate_id, submission_id=c.submission_id, transaction_code=c.transaction_code,
                amount_pence=c.amount_pence, due_on=c.due_on, processing_on=c.processing_on, entry_on=c.entry_on,
                status=c.status, journal_entry_id=c.journal_entry_id, reversal_entry_id=c.reversal_entry_id,
                re_present_on=c.re_present_on, created_at=c.created_at) for c in collections])

    def set_instalment_status(self, instalment_ids: Sequence[str], status: str) -> None:
        if instalment_ids:
            self.conn.execute(instalments.update().where(instalments.c.id.in_(list(instalment_ids)))
                              .values(status=status))

    def collections(self, *, submission_id: str | None = None, policy_id: str | None = None,
                    ids: Sequence[str] | None = None, entry_from: date | None = None,
                    entry_to: date | None = None) -> list[Collection]:
        q = sa.select(dd_collections).order_by(dd_collections.c.entry_on, dd_collections.c.id)
        if submission_id is not None:
            q = q.where(dd_collections.c.submission_id == submission_id)
        if policy_id is not None:
            q = q.where(dd_collections.c.policy_id == policy_id)
        if ids is not None:
            q = q.where(dd_collections.c.id.in_(list(ids)))
        if entry_from is not None:
            q = q.where(dd_collections.c.entry_on >= entry_from)
        if entry_to is not None:
            q = q.where(dd_collections.c.entry_on <= entry_to)
        return [_collection(r) for r in self.conn.execute(q)]

    def file_rows(self, submission_id: str) -> list[dict[str, Any]]:
        """The submission's collections with their mandates' references and sealed accounts, in file order."""
        q = (sa.select(dd_collections.c.id, dd_collections.c.transaction_code, dd_collections.c.amount_pence,
                       dd_mandates.c.customer_id, dd_mandates.c.reference, dd_mandates.c.account_holder,
                       dd_mandates.c.sort_code, dd_mandates.c.account_number)
             .join(dd_mandates, dd_mandates.c.id == dd_collections.c.mandate_id)
             .where(dd_collections.c.submission_id == submission_id).order_by(dd_collections.c.id))
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def find_collection(self, reference: str, processing_on: date, amount_pence: int) -> Collection | None:
        q = (sa.select(dd_collections).join(dd_mandates, dd_mandates.c.id == dd_collections.c.mandate_id)
             .where(dd_mandates.c.reference == reference, dd_collections.c.processing_on == processing_on,
                    dd_collections.c.amount_pence == amount_pence)
             # an item still presented first (two items of one amount on one day, a re-presentation and the
             # charge collected with it: each return matches one of them), the latest attempt first
             .order_by(sa.case((dd_collections.c.status == "presented", 0), else_=1), dd_collections.c.attempt.desc())
             .limit(1))
        row = self.conn.execute(q).first()
        return None if row is None else _collection(row)

    def mark_collection(self, collection_id: str, status: str, reversal_entry_id: str | None = None) -> None:
        self.conn.execute(dd_collections.update().where(dd_collections.c.id == collection_id)
                          .values(status=status, reversal_entry_id=reversal_entry_id))

    def withdraw_submission(self, submission_id: str) -> list[Collection]:
        """The collection file was refused whole: its collections are withdrawn (and removed, so the instalments
        can be presented in another file); returns them for their postings to be reversed."""
        rows = self.collections(submission_id=submission_id)
        self.conn.execute(dd_collections.delete().where(dd_collections.c.submission_id == submission_id))
        return rows

    # -- reports and returns ---------------------------------------------------------------------------------
    def report_seen(self, sha256: str) -> bool:
        return self.conn.execute(sa.select(dd_reports.c.id).where(dd_reports.c.sha256 == sha256)).first() is not None

    def add_report(self, report_id: str, bureau_report_id: str, kind: str, produced_on: date, sha256: str,
                   item_count: int, now: datetime) -> None:
        self.conn.execute(dd_reports.insert().values(id=report_id, bureau_report_id=bureau_report_id, kind=kind,
                                                     produced_on=produced_on, sha256=sha256, item_count=item_count,
                                                     received_at=now))

    def latest_report_day(self) -> date | None:
        value = self.conn.execute(sa.select(sa.func.max(dd_reports.c.produced_on))).scalar_one_or_none()
        return value if isinstance(value, date) else None

    def add_return(self, r: DdReturn) -> None:
        self.conn.execute(dd_returns.insert().values(
            id=r.return_id, report_id=r.report_id, kind=r.kind, reference=r.reference, reason_code=r.reason_code,
            mandate_id=r.mandate_id, policy_id=r.policy_id, collection_id=r.collection_id, amount_pence=r.amount_pence,
            original_processing_on=r.original_processing_on, effective_on=r.effective_on, status=r.status,
            created_at=r.created_at, handled_at=r.handled_at))

    def returns(self, *, policy_id: str | None = None, status: str | None = None,
                created_from: datetime | None = None) -> list[DdReturn]:
        q = sa.select(dd_returns).order_by(dd_returns.c.created_at, dd_returns.c.id)
        if policy_id is not None:
            q = q.where(dd_returns.c.policy_id == policy_id)
        if status is not None:
            q = q.where(dd_returns.c.status == status)
        if created_from is not None:
            q = q.where(dd_returns.c.created_at >= created_from)
        return [_return(r) for r in self.conn.execute(q)]

    def mark_return(self, return_id: str, status: str, now: datetime) -> None:
        self.conn.execute(dd_returns.update().where(dd_returns.c.id == return_id).values(status=status, handled_at=now))

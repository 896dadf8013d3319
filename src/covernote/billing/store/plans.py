"""Payment plans, finance agreements and instalments in SQL (PAY-1). Instalment versions are only ever added
and closed, never changed in amount or date; plans and agreements carry an optimistic-lock version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.billing.domain.finance import InstalmentStatus
from covernote.billing.domain.plans import (
    COMMISSION,
    COMMISSION_DUE,
    CUSTOMER_DEBT,
    CUSTOMER_DEBT_CONTRA,
    PROVIDER_RECEIVABLE,
)
from covernote.billing.ports import (
    AgreementRecord,
    InstalmentRecord,
    Outcome,
    PlanKind,
    PlanRecord,
    PlanStatus,
)
from covernote.kernel.errors import Conflict
from covernote.kernel.money import Money
from covernote.store.tables import finance_agreements, instalments, payment_plans

p, a, i = payment_plans, finance_agreements, instalments


class PaymentPlanRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- plans ----------------------------------------------------------------------------------------------
    def add_plan(self, plan: PlanRecord) -> None:
        self.conn.execute(p.insert(), dict(
            id=plan.plan_id, policy_id=plan.policy_id, term_no=plan.term_no, kind=plan.kind, status=plan.status,
            collection_day=plan.collection_day, account_holder=plan.account_holder_sealed,
            sort_code=plan.sort_code_sealed, account_number=plan.account_number_sealed,
            account_ending=plan.account_ending, created_at=plan.created_at, created_by=plan.created_by,
            ended_at=plan.ended_at, version=plan.version))

    def plans_for(self, policy_id: str) -> list[PlanRecord]:
        rows = self.conn.execute(p.select().where(p.c.policy_id == policy_id).order_by(p.c.created_at, p.c.id))
        return [_plan(r) for r in rows]

    def current_plan(self, policy_id: str, term_no: int) -> PlanRecord | None:
        row = self.conn.execute(p.select().where(
            p.c.policy_id == policy_id, p.c.term_no == term_no, p.c.status.in_(("active", "referred")))
            .order_by(p.c.created_at.desc(), p.c.id.desc()).limit(1)).first()
        return None if row is None else _plan(row)

    def end_plan(self, plan_id: str, at: datetime, expected_version: int) -> None:
        self._bump(p, plan_id, expected_version, status="ended", ended_at=at)

    def set_plan_status(self, plan_id: str, status: PlanStatus, expected_version: int) -> None:
        self._bump(p, plan_id, expected_version, status=status)

    def _bump(self, table: sa.Table, row_id: str, expected_version: int, **values: Any) -> None:
        done = self.conn.execute(table.update().where(table.c.id == row_id, table.c.version == expected_version)
                                 .values(version=expected_version + 1, **values))
        if done.rowcount != 1:
            raise Conflict("the payment plan was changed by another request; retry")

    # -- agreements ----------------------------------------------------------------------------------------
    def add_agreement(self, agreement: AgreementRecord) -> None:
        self.conn.execute(a.insert(), _agreement_values(agreement) | dict(id=agreement.agreement_id,
                                                                          version=agreement.version))

    def agreement_for(self, plan_id: str) -> AgreementRecord | None:
        row = self.conn.execute(a.select().where(a.c.plan_id == plan_id)).first()
        return None if row is None else _agreement(row)

    def update_agreement(self, agreement: AgreementRecord, expected_version: int) -> None:
        self._bump(a, agreement.agreement_id, expected_version, **_agreement_values(agreement))

    # -- instalments ---------------------------------------------------------------------------------------
    def add_instalments(self, rows: Sequence[InstalmentRecord]) -> None:
        if rows:
            self.conn.execute(i.insert(), [dict(
                id=r.instalment_id, plan_id=r.plan_id, policy_id=r.policy_id, sequence=r.sequence,
                version=r.version, due_on=r.due_on, amount_pence=r.amount.pence, status=r.status,
                superseded_by=r.superseded_by, cause=r.cause, created_at=r.created_at) for r in rows])

    def instalments(self, plan_id: str, current_only: bool = True) -> list[InstalmentRecord]:
        rows = [_instalment(r) for r in self.conn.execute(
            i.select().where(i.c.plan_id == plan_id).order_by(i.c.sequence, i.c.version))]
        if not current_only:
            return rows
        latest: dict[int, InstalmentRecord] = {}
        for r in rows:
            latest[r.sequence] = r
        return [latest[k] for k in sorted(latest)]

    def supersede(self, instalment_id: str, status: InstalmentStatus, superseded_by: str | None) -> None:
        done = self.conn.execute(i.update().where(i.c.id == instalment_id, i.c.status == "scheduled")
                                 .values(status=status, superseded_by=superseded_by))
        if done.rowcount != 1:
            raise Conflict("an instalment was collected or returned meanwhile; re-plan again")

    def instalment(self, instalment_id: str) -> InstalmentRecord | None:
        row = self.conn.execute(i.select().where(i.c.id == instalment_id)).first()
        return None if row is None else _instalment(row)

    def fold_returned(self, instalment_ids: Sequence[str]) -> None:
        """Returned instalments settled by a re-plan: `cancelled` (no longer owed as instalments)."""
        if instalment_ids:
            self.conn.execute(i.update().where(i.c.id.in_(list(instalment_ids)), i.c.status == "returned")
                              .values(status="cancelled"))

    def paid_otherwise(self, instalment_id: str) -> InstalmentRecord | None:
        """A returned instalment paid outside the direct debit (by card): `paid_otherwise`; None when it is not
        returned (re-presented meanwhile, or settled)."""
        done = self.conn.execute(i.update().where(i.c.id == instalment_id, i.c.status == "returned")
                                 .values(status="paid_otherwise"))
        if done.rowcount != 1:
            return None
        return _instalment(self.conn.execute(i.select().where(i.c.id == instalment_id)).one())

    def expected_accounts_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> finance account -> pence the accepted agreements should have posted there
        (billing/domain/plans.py): the memorandum of the customer's debt to the provider holds the instalments
        scheduled and those returned and not yet recovered (finance.PlanPosition.owed_to_provider)."""
        out: dict[str, dict[str, int]] = {}
        agreements = self.conn.execute(
            sa.select(a.c.policy_id, a.c.plan_id, a.c.current_cash_price_pence, a.c.deposit_pence,
                      a.c.refunded_pence, a.c.arrears_pence, a.c.commission_pence)
            .select_from(a.join(p, p.c.id == a.c.plan_id))
            .where(a.c.decision == "accepted", p.c.status.in_(("active", "ended"))))
        for pid, _plan_id, cash, deposit, refunded, arrears, commission in agreements:
            accounts = out.setdefault(pid, {})
            for account, pence in ((PROVIDER_RECEIVABLE, cash - deposit - refunded - arrears),
                                   (COMMISSION_DUE, commission), (COMMISSION, -commission)):
                accounts[account] = accounts.get(account, 0) + int(pence)
        open_rows = self.conn.execute(
            sa.select(i.c.policy_id, sa.func.sum(i.c.amount_pence)).where(i.c.status.in_(("scheduled", "returned")))
            .group_by(i.c.policy_id))
        for pid, pence in open_rows:
            out.setdefault(pid, {})[CUSTOMER_DEBT] = int(pence or 0)
        for accounts in out.values():
            accounts[CUSTOMER_DEBT_CONTRA] = -accounts.get(CUSTOMER_DEBT, 0)
        return out

    def due_on(self, day: date, limit: int = 1000, after: str | None = None) -> list[InstalmentRecord]:
        q = i.select().where(i.c.due_on == day, i.c.status == "scheduled")
        if after is not None:
            q = q.where(i.c.id > after)
        return [_instalment(r) for r in self.conn.execute(q.order_by(i.c.id).limit(limit))]


def _plan(r: Any) -> PlanRecord:
    return PlanRecord(r.id, r.policy_id, r.term_no, cast(PlanKind, r.kind), cast(PlanStatus, r.status),
                      r.collection_day, r.account_holder, r.sort_code, r.account_number, r.account_ending,
                      r.created_at, r.created_by, r.ended_at, r.version)


_MONEY = ("cash_price", "deposit", "credit", "interest", "total_payable", "commission", "current_cash_price",
          "current_interest", "refunded", "paid_otherwise", "arrears")


def _agreement_values(x: AgreementRecord) -> dict[str, Any]:
    out: dict[str, Any] = dict(
        plan_id=x.plan_id, policy_id=x.policy_id, provider=x.provider, reference=x.reference, decision=x.decision,
        decision_reason=x.decision_reason, searched_at=x.searched_at, decided_at=x.decided_at, start_on=x.start_on,
        flat_rate_percent=x.flat_rate_percent, apr_percent=x.apr_percent, instalment_count=x.instalment_count,
        commission_percent=x.commission_percent, pre_contract_document_id=x.pre_contract_document_id,
        agreement_document_id=x.agreement_document_id)
    for name in _MONEY:
        out[f"{name}_pence"] = cast(Money, getattr(x, name)).pence
    return out


def _agreement(r: Any) -> AgreementRecord:
    money = {name: Money.from_pence(int(getattr(r, f"{name}_pence"))) for name in _MONEY}
    return AgreementRecord(
        agreement_id=r.id, plan_id=r.plan_id, policy_id=r.policy_id, provider=r.provider, reference=r.reference,
        decision=cast(Outcome, r.decision), decision_reason=r.decision_reason, searched_at=r.searched_at,
        decided_at=r.decided_at, start_on=r.start_on, flat_rate_percent=r.flat_rate_percent,
        apr_percent=r.apr_percent, instalment_count=r.instalment_count, commission_percent=r.commission_percent,
        pre_contract_document_id=r.pre_contract_document_id, agreement_document_id=r.agreement_document_id,
        version=r.version, **money)


def _instalment(r: Any) -> InstalmentRecord:
    return InstalmentRecord(r.id, r.plan_id, r.policy_id, r.sequence, r.version, r.due_on,
                            Money.from_pence(int(r.amount_pence)), cast(InstalmentStatus, r.status), r.cause,
                            r.created_at, r.superseded_by)

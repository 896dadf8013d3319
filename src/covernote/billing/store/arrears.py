"""Arrears cases and their steps in SQL (PAY-2): billing/ports.py ArrearsRepository. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.billing.domain.arrears import OPEN_STAGES, ArrearsCase, Stage, Step, StepKind
from covernote.billing.ports import StoredStep
from covernote.kernel.errors import Conflict
from covernote.kernel.money import Money
from covernote.store.tables import arrears_cases as c
from covernote.store.tables import arrears_steps as s

_OPEN = [st.value for st in OPEN_STAGES]


def _row(case: ArrearsCase) -> dict[str, Any]:
    return dict(policy_id=case.policy_id, customer_id=case.customer_id, instalment_id=case.instalment_id,
                transaction_id=case.transaction_id, amount_pence=case.amount.pence, fee_pence=case.fee.pence,
                amount_collected_pence=case.amount_collected.pence, fee_collected_pence=case.fee_collected.pence,
                reason_code=case.reason_code, stage=case.stage.value, opened_on=case.opened_on,
                represent_on=case.represent_on, paid_unless_returned_by=case.paid_unless_returned_by,
                pay_by=case.pay_by, notice_on=case.notice_on, cancel_on=case.cancel_on, action_on=case.action_on(),
                closed_on=case.closed_on)


def _case(r: Row[Any]) -> ArrearsCase:
    return ArrearsCase(r.id, r.policy_id, r.customer_id, r.instalment_id, Money.from_pence(r.amount_pence),
                       Money.from_pence(r.fee_pence), r.reason_code, Stage(r.stage), r.opened_on, r.transaction_id,
                       r.represent_on, r.paid_unless_returned_by, r.pay_by, r.notice_on, r.cancel_on, r.closed_on,
                       r.created_at, r.version, Money.from_pence(r.amount_collected_pence),
                       Money.from_pence(r.fee_collected_pence))


def _step(r: Row[Any]) -> StoredStep:
    return StoredStep(r.id, r.case_id, r.policy_id, Step(StepKind(r.kind), r.taken_on, dict(r.facts or {})),
                      r.recorded_at, r.letter_document_id, r.deadline_id, r.return_id)


class ArrearsRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, case: ArrearsCase) -> None:
        assert case.created_at is not None
        self.conn.execute(c.insert(), dict(id=case.case_id, created_at=case.created_at, version=case.version,
                                           **_row(case)))

    def update(self, case: ArrearsCase) -> ArrearsCase:
        done = self.conn.execute(c.update().where(c.c.id == case.case_id, c.c.version == case.version)
                                 .values(version=case.version + 1, **_row(case)))
        if done.rowcount != 1:
            raise Conflict("the arrears case was changed meanwhile; try again")
        return replace(case, version=case.version + 1)

    def get(self, case_id: str) -> ArrearsCase | None:
        r = self.conn.execute(c.select().where(c.c.id == case_id)).first()
        return None if r is None else _case(r)

    def for_policy(self, policy_id: str) -> list[ArrearsCase]:
        q = c.select().where(c.c.policy_id == policy_id).order_by(c.c.opened_on, c.c.created_at, c.c.id)
        return [_case(r) for r in self.conn.execute(q)]

    def open_for_instalment(self, policy_id: str, instalment_id: str) -> ArrearsCase | None:
        r = self.conn.execute(c.select().where(c.c.policy_id == policy_id, c.c.instalment_id == instalment_id,
                                               c.c.stage.in_(_OPEN)).order_by(c.c.created_at.desc())).first()
        return None if r is None else _case(r)

    def due_by(self, day: date, after: str | None, limit: int) -> list[ArrearsCase]:
        q = c.select().where(c.c.stage.in_(_OPEN), c.c.action_on <= day)
        if after is not None:
            q = q.where(c.c.id > after)
        return [_case(r) for r in self.conn.execute(q.order_by(c.c.id).limit(limit))]

    def _stages(self, q: Any, stages: Sequence[Stage] | None) -> Any:
        return q if stages is None else q.where(c.c.stage.in_([st.value for st in stages]))

    def listed(self, stages: Sequence[Stage] | None, limit: int, offset: int) -> list[ArrearsCase]:
        q = self._stages(c.select(), stages).order_by(c.c.opened_on, c.c.created_at, c.c.id).limit(limit).offset(offset)
        return [_case(r) for r in self.conn.execute(q)]

    def counted(self, stages: Sequence[Stage] | None) -> int:
        return int(self.conn.execute(self._stages(sa.select(sa.func.count()).select_from(c), stages)).scalar_one())

    def representations_due(self, day: date) -> list[ArrearsCase]:
        q = c.select().where(c.c.stage == Stage.REPRESENTATION.value, c.c.represent_on == day).order_by(c.c.id)
        return [_case(r) for r in self.conn.execute(q)]

    def add_step(self, step_id: str, case: ArrearsCase, step: Step, recorded_at: datetime, deadline_id: str | None,
                 return_id: str | None) -> None:
        self.conn.execute(s.insert(), dict(
            id=step_id, case_id=case.case_id, policy_id=case.policy_id, kind=step.kind.value, taken_on=step.on,
            recorded_at=recorded_at, letter=step.letter, letter_document_id=None, deadline_id=deadline_id,
            return_id=return_id, facts=dict(step.facts)))

    def steps(self, case_ids: Sequence[str]) -> list[StoredStep]:
        if not case_ids:
            return []
        q = s.select().where(s.c.case_id.in_(list(case_ids))).order_by(s.c.recorded_at, s.c.id)
        return [_step(r) for r in self.conn.execute(q)]

    def step_for_return(self, return_id: str) -> StoredStep | None:
        r = self.conn.execute(s.select().where(s.c.return_id == return_id)).first()
        return None if r is None else _step(r)

    def letters_missing(self, limit: int) -> list[StoredStep]:
        q = (s.select().where(s.c.letter.is_not(None), s.c.letter_document_id.is_(None))
             .order_by(s.c.recorded_at, s.c.id).limit(limit))
        return [_step(r) for r in self.conn.execute(q)]

    def set_letter(self, step_id: str, document_id: str) -> None:
        self.conn.execute(s.update().where(s.c.id == step_id).values(letter_document_id=document_id))

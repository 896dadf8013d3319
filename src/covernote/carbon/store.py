"""Recorded carbon offsets (ECO-1) in SQL: insert-only records and their project lines, and the
portfolio totals added up in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.carbon.ports import KindTotal, OffsetLine, OffsetRecord, PortfolioTotals, ProjectTotal
from covernote.store.tables import carbon_offset_lines, carbon_offsets

o, ln = carbon_offsets, carbon_offset_lines


class CarbonRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, r: OffsetRecord) -> None:
        self.conn.execute(o.insert(), dict(
            id=r.record_id, policy_id=r.policy_id, term_no=r.term_no, transaction_id=r.transaction_id, kind=r.kind,
            effective_date=r.effective_date, recorded_at=r.recorded_at, product_ref=r.product_ref,
            term_start=r.term_start, term_end=r.term_end, co2_kg=r.co2_kg, cost_pence=r.cost_pence,
            year_co2_kg=r.year_co2_kg, year_cost_pence=r.year_cost_pence,
            price_pence_per_tonne=r.price_pence_per_tonne, currency=r.currency, estimated=r.estimated,
            basis=r.basis))
        if r.lines:
            self.conn.execute(ln.insert(), [dict(
                offset_id=r.record_id, project_code=x.project_code, policy_id=r.policy_id,
                project_name=x.project_name, country=x.country, share_percent=x.share_percent, co2_kg=x.co2_kg,
                cost_pence=x.cost_pence) for x in r.lines])

    def for_policy(self, policy_id: str, term_no: int | None = None) -> list[OffsetRecord]:
        q = o.select().where(o.c.policy_id == policy_id)
        if term_no is not None:
            q = q.where(o.c.term_no == term_no)
        rows = list(self.conn.execute(q.order_by(o.c.term_no, o.c.recorded_at, o.c.id)))
        lines: dict[str, list[OffsetLine]] = {}
        if rows:
            for x in self.conn.execute(ln.select().where(ln.c.offset_id.in_([r.id for r in rows]))):
                lines.setdefault(x.offset_id, []).append(OffsetLine(
                    x.project_code, x.project_name, x.country, x.share_percent, x.co2_kg, x.cost_pence))
        return [_record(r, lines.get(r.id, [])) for r in rows]

    def recorded_by_project(self, policy_id: str, term_no: int) -> dict[str, tuple[int, int]]:
        q = (sa.select(ln.c.project_code, sa.func.sum(ln.c.co2_kg), sa.func.sum(ln.c.cost_pence))
             .select_from(ln.join(o, o.c.id == ln.c.offset_id))
             .where(o.c.policy_id == policy_id, o.c.term_no == term_no)
             .group_by(ln.c.project_code))
        return {code: (int(kg or 0), int(pence or 0)) for code, kg, pence in self.conn.execute(q)}

    def portfolio(self, start: datetime, end: datetime) -> PortfolioTotals:
        where: list[Any] = [o.c.recorded_at >= start, o.c.recorded_at < end]
        projects = self.conn.execute(
            sa.select(ln.c.project_code, ln.c.project_name, ln.c.country, sa.func.sum(ln.c.co2_kg),
                      sa.func.sum(ln.c.cost_pence), sa.func.count(sa.distinct(ln.c.policy_id)))
            .select_from(ln.join(o, o.c.id == ln.c.offset_id)).where(*where)
            .group_by(ln.c.project_code, ln.c.project_name, ln.c.country)
            .order_by(ln.c.project_code, ln.c.project_name, ln.c.country))
        kinds = self.conn.execute(
            sa.select(o.c.kind, sa.func.count(), sa.func.sum(o.c.co2_kg), sa.func.sum(o.c.cost_pence))
            .where(*where).group_by(o.c.kind).order_by(o.c.kind))
        years = sa.select(o.c.policy_id, o.c.term_no).where(*where).distinct().subquery()
        estimated = sa.select(o.c.policy_id, o.c.term_no).where(*where, o.c.estimated.is_(True)).distinct().subquery()
        policies = self.conn.execute(sa.select(sa.func.count(sa.distinct(o.c.policy_id))).where(*where)).scalar_one()
        n_years = self.conn.execute(sa.select(sa.func.count()).select_from(years)).scalar_one()
        n_estimated = self.conn.execute(sa.select(sa.func.count()).select_from(estimated)).scalar_one()
        currencies = self.conn.execute(sa.select(o.c.currency).where(*where).distinct().order_by(o.c.currency))
        return PortfolioTotals(
            tuple(ProjectTotal(c, n, country, int(kg or 0), int(p or 0), int(k)) for c, n, country, kg, p, k in projects),
            tuple(KindTotal(kind, int(count), int(kg or 0), int(p or 0)) for kind, count, kg, p in kinds),
            int(policies), int(n_years), int(n_estimated), tuple(currencies.scalars()))


def _record(r: Any, lines: list[OffsetLine]) -> OffsetRecord:
    # the product's order of projects (JSONB does not keep the order of an object's keys, so a list)
    order = {s["code"]: i for i, s in enumerate((r.basis or {}).get("shares", []))}
    return OffsetRecord(
        r.id, r.policy_id, r.term_no, r.transaction_id, r.kind, r.effective_date, r.recorded_at, r.product_ref,
        r.term_start, r.term_end, r.co2_kg, r.cost_pence, r.year_co2_kg, r.year_cost_pence, r.price_pence_per_tonne,
        r.currency, r.estimated, r.basis, tuple(sorted(lines, key=lambda x: (order.get(x.project_code, len(order)),
                                                                              x.project_code))))


__all__ = ["CarbonRepo"]

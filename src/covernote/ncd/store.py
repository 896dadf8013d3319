"""The repository of proofs of no-claims discount (NCD-1). Nothing here commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.kernel.errors import Conflict, FieldIssue
from covernote.ncd.ports import NcdProofRecord
from covernote.store.tables import ncd_proofs, policies, quotes


def _proof(r: Row[Any]) -> NcdProofRecord:
    checks = r.checks or {}
    return NcdProofRecord(
        r.id, r.customer_id, r.quote_id, r.policy_id, r.kind, r.insurer, r.ncd_years, r.ended_on, r.registration,
        r.country, r.issued_on, r.previous_policy_number, r.status, list(checks.get("conditions", [])), r.checked_on,
        list(checks.get("in_use_on", [])), r.decided_by, r.decided_at, r.decision_note, r.effect, r.recorded_at,
        r.recorded_by)


def _checks(p: NcdProofRecord) -> dict[str, Any]:
    return {"conditions": p.checks, "in_use_on": p.in_use_on}


_ORDER = (ncd_proofs.c.recorded_at, ncd_proofs.c.id)
_LOCK_SPACE = 0x4E4344  # "NCD": the advisory-lock key space of proof checks


# The hot reads, built once (a quote, a bind and a policy read each run one).
_FOR_QUOTE = ncd_proofs.select().where(ncd_proofs.c.quote_id == sa.bindparam("b_quote")).order_by(*_ORDER)
_FOR_POLICY = ncd_proofs.select().where(sa.or_(
    ncd_proofs.c.policy_id == sa.bindparam("b_policy"),
    ncd_proofs.c.quote_id.in_(sa.select(quotes.c.id).where(quotes.c.policy_id == sa.bindparam("b_policy"))),
)).order_by(*_ORDER)

# The same proofs for many policies in one query (the renewal batch): those given for each policy, then those
# given for the quote it was bound from, each row with the policy it is for; oldest first.
_OWNER = "for_policy_id"
_FOR_POLICIES = sa.union_all(
    sa.select(ncd_proofs, ncd_proofs.c.policy_id.label(_OWNER))
    .where(ncd_proofs.c.policy_id.in_(sa.bindparam("b_policies", expanding=True))),
    sa.select(ncd_proofs, quotes.c.policy_id.label(_OWNER))
    .select_from(ncd_proofs.join(quotes, quotes.c.id == ncd_proofs.c.quote_id))
    .where(quotes.c.policy_id.in_(sa.bindparam("b_policies", expanding=True))),
).order_by(sa.column("recorded_at"), sa.column("id"))


class NcdProofRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, p: NcdProofRecord) -> None:
        self.conn.execute(ncd_proofs.insert(), dict(
            id=p.proof_id, customer_id=p.customer_id, quote_id=p.quote_id, policy_id=p.policy_id, kind=p.kind,
            insurer=p.insurer, ncd_years=p.ncd_years, ended_on=p.ended_on, registration=p.registration,
            country=p.country, issued_on=p.issued_on, previous_policy_number=p.previous_policy_number,
            status=p.status, checks=_checks(p), checked_on=p.checked_on, decided_by=p.decided_by,
            decided_at=p.decided_at, decision_note=p.decision_note, effect=p.effect, recorded_at=p.recorded_at,
            recorded_by=p.recorded_by))

    def get(self, proof_id: str) -> NcdProofRecord | None:
        r = self.conn.execute(ncd_proofs.select().where(ncd_proofs.c.id == proof_id)).first()
        return None if r is None else _proof(r)

    def for_quote(self, quote_id: str) -> list[NcdProofRecord]:
        return [_proof(r) for r in self.conn.execute(_FOR_QUOTE, {"b_quote": quote_id})]

    def for_policy(self, policy_id: str) -> list[NcdProofRecord]:
        return [_proof(r) for r in self.conn.execute(_FOR_POLICY, {"b_policy": policy_id})]

    def for_policies(self, policy_ids: Sequence[str]) -> dict[str, list[NcdProofRecord]]:
        if not policy_ids:
            return {}
        found: dict[str, dict[str, NcdProofRecord]] = {p: {} for p in policy_ids}
        for r in self.conn.execute(_FOR_POLICIES, {"b_policies": list(dict.fromkeys(policy_ids))}):
            found[r._mapping[_OWNER]].setdefault(r.id, _proof(r))  # a proof given for both is listed once
        return {p: list(proofs.values()) for p, proofs in found.items()}

    def lock_end_date(self, ended_on: date) -> None:
        """Serialise checks of proofs ending on the same day until this transaction ends, so two proofs
        of the same NCD recorded at once cannot both be accepted. PostgreSQL: a transaction-scoped
        advisory lock; SQLite already runs one writing transaction at a time."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k1, :k2)"),
                              {"k1": _LOCK_SPACE, "k2": ended_on.toordinal()})

    def accepted_ending_on(self, ended_on: date) -> list[NcdProofRecord]:
        rows = self.conn.execute(ncd_proofs.select().where(ncd_proofs.c.ended_on == ended_on,
                                                           ncd_proofs.c.status == "accepted").order_by(*_ORDER))
        return [_proof(r) for r in rows]

    def decide(self, p: NcdProofRecord, expected_decided_at: datetime) -> None:
        done = self.conn.execute(ncd_proofs.update().where(ncd_proofs.c.id == p.proof_id,
                                                           ncd_proofs.c.decided_at == expected_decided_at)
                                 .values(status=p.status, checks=_checks(p), checked_on=p.checked_on,
                                         decided_by=p.decided_by, decided_at=p.decided_at,
                                         decision_note=p.decision_note, effect=p.effect))
        if done.rowcount != 1:
            raise Conflict("the proof was decided by someone else at the same time; reload it and retry",
                           [FieldIssue("proof_id", p.proof_id)])

    def reprice_quote(self, quote_id: str, expected_premium_pence: int, risk: dict[str, Any], rating: dict[str, Any],
                      premium_pence: int, ipt_pence: int) -> bool:
        done = self.conn.execute(quotes.update().where(quotes.c.id == quote_id, quotes.c.status == "open",
                                                       quotes.c.premium_pence == expected_premium_pence)
                                 .values(risk=risk, rating=rating, premium_pence=premium_pence, ipt_pence=ipt_pence))
        return done.rowcount == 1

    def page(self, status: str | None, limit: int, offset: int) -> list[NcdProofRecord]:
        q = ncd_proofs.select()
        if status is not None:
            q = q.where(ncd_proofs.c.status == status)
        rows = self.conn.execute(q.order_by(ncd_proofs.c.recorded_at.desc(), ncd_proofs.c.id).limit(limit).offset(offset))
        return [_proof(r) for r in rows]

    def policies_in_force(self, on: date, limit: int, offset: int) -> list[str]:
        rows = self.conn.execute(sa.select(policies.c.id).where(policies.c.current_term_end > on)
                                 .order_by(policies.c.id).limit(limit).offset(offset))
        return [r[0] for r in rows]

"""Repositories of encrypted sensitive fields, the people's data keys and the read log (PRV-7, PRV-11, SEC-2).

Nothing here encrypts or decrypts: the values arrive as ciphertexts (privacy/usecases/sensitive.py encrypts them with
the customer's data key) and the data keys arrive wrapped by a master key that never enters the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.privacy.ports import SensitiveRead, SensitiveRecord, SubjectKey
from covernote.store.tables import customers, sensitive_data, sensitive_reads, subject_keys

SENSITIVE_COLUMNS: tuple[str, ...] = ("licence_number", "health", "convictions", "bank_details")


def _key(r: Row[Any]) -> SubjectKey:
    return SubjectKey(r.customer_id, r.master_key_id, r.wrapped_key, r.created_at, r.rotated_at)


def _record(r: Row[Any]) -> SensitiveRecord:
    return SensitiveRecord(r.id, r.customer_id, r.person_ref, r.subject,
                           {name: getattr(r, name) for name in SENSITIVE_COLUMNS}, r.updated_at, r.updated_by)


def _read(r: Row[Any]) -> SensitiveRead:
    return SensitiveRead(r.id, r.at, r.user_id, r.role, r.customer_id, r.person_ref, tuple(r.fields), r.purpose)


class SensitiveRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- customers ---------------------------------------------------------------------------------
    def customer_erased_at(self, customer_id: str) -> tuple[bool, datetime | None]:
        r = self.conn.execute(sa.select(customers.c.erased_at).where(customers.c.id == customer_id)).first()
        return (False, None) if r is None else (True, r.erased_at)

    # -- data keys ---------------------------------------------------------------------------------
    def get_key(self, customer_id: str) -> SubjectKey | None:
        r = self.conn.execute(subject_keys.select().where(subject_keys.c.customer_id == customer_id)).first()
        return None if r is None else _key(r)

    def get_keys(self, customer_ids: Sequence[str]) -> dict[str, SubjectKey]:
        """The data keys of many customers at once (a batch reading sealed values); absent: no key."""
        found: dict[str, SubjectKey] = {}
        ids = list(dict.fromkeys(customer_ids))
        for start in range(0, len(ids), 900):
            rows = self.conn.execute(subject_keys.select().where(subject_keys.c.customer_id.in_(ids[start:start + 900])))
            found.update((r.customer_id, _key(r)) for r in rows)
        return found

    def add_key(self, key: SubjectKey) -> None:
        self.conn.execute(subject_keys.insert(), dict(
            customer_id=key.customer_id, wrapped_key=key.wrapped_key, master_key_id=key.master_key_id,
            created_at=key.created_at, rotated_at=key.rotated_at))

    def rewrap_key(self, customer_id: str, old_master_key_id: str, master_key_id: str, wrapped_key: str,
                   at: datetime) -> bool:
        done = self.conn.execute(
            subject_keys.update()
            .where(subject_keys.c.customer_id == customer_id, subject_keys.c.master_key_id == old_master_key_id)
            .values(master_key_id=master_key_id, wrapped_key=wrapped_key, rotated_at=at))
        return done.rowcount == 1

    def delete_key(self, customer_id: str) -> bool:
        done = self.conn.execute(subject_keys.delete().where(subject_keys.c.customer_id == customer_id))
        return done.rowcount == 1

    def keys_not_under(self, master_key_id: str, after_customer_id: str | None, limit: int) -> list[SubjectKey]:
        q = subject_keys.select().where(subject_keys.c.master_key_id != master_key_id)
        if after_customer_id is not None:
            q = q.where(subject_keys.c.customer_id > after_customer_id)
        q = q.order_by(subject_keys.c.customer_id).limit(limit)
        return [_key(r) for r in self.conn.execute(q)]

    def key_counts(self) -> dict[str, int]:
        rows = self.conn.execute(sa.select(subject_keys.c.master_key_id, sa.func.count())
                                 .group_by(subject_keys.c.master_key_id))
        return {r[0]: int(r[1]) for r in rows}

    # -- encrypted fields --------------------------------------------------------------------------
    def records(self, customer_id: str, person_ref: str | None = None) -> list[SensitiveRecord]:
        q = sensitive_data.select().where(sensitive_data.c.customer_id == customer_id)
        if person_ref is not None:
            q = q.where(sensitive_data.c.person_ref == person_ref)
        # The policyholder first, then the named drivers by label.
        q = q.order_by(sa.case((sensitive_data.c.person_ref == "policyholder", 0), else_=1),
                       sensitive_data.c.person_ref)
        return [_record(r) for r in self.conn.execute(q)]

    def count_records(self, customer_id: str) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(sensitive_data)
                                     .where(sensitive_data.c.customer_id == customer_id)).scalar_one())

    def add_record(self, record: SensitiveRecord) -> None:
        unknown = set(record.values) - set(SENSITIVE_COLUMNS)
        if unknown:
            raise ValueError(f"not sensitive fields: {sorted(unknown)}")
        self.conn.execute(sensitive_data.insert(), dict(
            id=record.record_id, customer_id=record.customer_id, person_ref=record.person_ref,
            subject=record.subject, updated_at=record.updated_at, updated_by=record.updated_by,
            **{name: record.values.get(name) for name in SENSITIVE_COLUMNS}))

    def update_record(self, record_id: str, values: dict[str, str | None], at: datetime, by: str) -> None:
        unknown = set(values) - set(SENSITIVE_COLUMNS)
        if unknown:
            raise ValueError(f"not sensitive fields: {sorted(unknown)}")
        self.conn.execute(sensitive_data.update().where(sensitive_data.c.id == record_id)
                          .values(updated_at=at, updated_by=by, **values))

    # -- the read log ------------------------------------------------------------------------------
    def add_reads(self, reads: Sequence[SensitiveRead]) -> None:
        if not reads:
            return
        self.conn.execute(sensitive_reads.insert(), [dict(
            id=r.read_id, at=r.at, user_id=r.user_id, role=r.role, customer_id=r.customer_id,
            person_ref=r.person_ref, fields=list(r.fields), purpose=r.purpose) for r in reads])

    def reads_for(self, customer_id: str, limit: int = 1000, offset: int = 0) -> list[SensitiveRead]:
        q = (sensitive_reads.select().where(sensitive_reads.c.customer_id == customer_id)
             .order_by(sensitive_reads.c.at, sensitive_reads.c.id).limit(limit).offset(offset))
        return [_read(r) for r in self.conn.execute(q)]

"""Users and their token hashes in SQL. Nothing here commits: the unit of work does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.identity.ports import User
from covernote.store.tables import (
    users,
)

# Statements built once: SQLAlchemy memoizes a statement object's cache key, so executing a prebuilt
# statement with parameters skips building the statement and its cache key on every call (hot paths:
# authentication, quoting, binding, the renewal batch). The SQL is the same as building it per call.
_b = sa.bindparam


_USER_INSERT = users.insert()


_USER_BY_TOKEN = users.select().where(users.c.token_hash == _b("b_hash"))


_USER_BY_ID = users.select().where(users.c.id == _b("b_id"))


def _user(r: sa.Row[Any]) -> User:
    return User(r.id, r.name, r.role, r.customer_id, r.token_hash, r.created_at, r.active, r.token_prefix,
                r.token_issued_at, r.token_expires_at, r.token_revoked_at, r.token_revoked_by)


class UserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, u: User) -> None:
        self.conn.execute(_USER_INSERT, dict(id=u.user_id, name=u.name, role=u.role, customer_id=u.customer_id,
                                             token_hash=u.token_hash, created_at=u.created_at, active=u.active,
                                             token_prefix=u.token_prefix, token_issued_at=u.token_issued_at,
                                             token_expires_at=u.token_expires_at, token_revoked_at=u.token_revoked_at,
                                             token_revoked_by=u.token_revoked_by))

    def by_token_hash(self, token_hash: str) -> User | None:
        r = self.conn.execute(_USER_BY_TOKEN, {"b_hash": token_hash}).first()
        return None if r is None else _user(r)

    def get(self, user_id: str) -> User | None:
        r = self.conn.execute(_USER_BY_ID, {"b_id": user_id}).first()
        return None if r is None else _user(r)

    def page(self, limit: int, offset: int) -> list[User]:
        q = users.select().order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
        return [_user(r) for r in self.conn.execute(q)]

    def count(self) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())

    def set_token(self, user_id: str, token_hash: str, prefix: str, issued_at: datetime,
                  expires_at: datetime) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id).values(
            token_hash=token_hash, token_prefix=prefix, token_issued_at=issued_at, token_expires_at=expires_at,
            token_revoked_at=None, token_revoked_by=None))

    def revoke_token(self, user_id: str, at: datetime, by: str) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id, users.c.token_revoked_at.is_(None))
                          .values(token_revoked_at=at, token_revoked_by=by))

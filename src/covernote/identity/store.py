"""Users and their token hashes in SQL. Nothing here commits: the unit of work does."""

from __future__ import annotations

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


class UserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, u: User) -> None:
        self.conn.execute(_USER_INSERT, dict(id=u.user_id, name=u.name, role=u.role, customer_id=u.customer_id,
                                             token_hash=u.token_hash, created_at=u.created_at, active=u.active))

    def by_token_hash(self, token_hash: str) -> User | None:
        r = self.conn.execute(_USER_BY_TOKEN, {"b_hash": token_hash}).first()
        if r is None:
            return None
        return User(r.id, r.name, r.role, r.customer_id, r.token_hash, r.created_at, r.active)

"""Stored answers of idempotent writes in SQL. Nothing here commits."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.platform.ports import StoredResponse
from covernote.store.tables import (
    idempotency_keys,
)

# Statements built once: SQLAlchemy memoizes a statement object's cache key, so executing a prebuilt
# statement with parameters skips building the statement and its cache key on every call (hot paths:
# authentication, quoting, binding, the renewal batch). The SQL is the same as building it per call.
_b = sa.bindparam


_IDEMPOTENCY_GET = idempotency_keys.select().where(idempotency_keys.c.key == _b("b_key"),
                                                   idempotency_keys.c.scope == _b("b_scope"))


_IDEMPOTENCY_INSERT = idempotency_keys.insert()


class IdempotencyRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, key: str, scope: str) -> StoredResponse | None:
        r = self.conn.execute(_IDEMPOTENCY_GET, {"b_key": key, "b_scope": scope}).first()
        return None if r is None else StoredResponse(r.key, r.scope, r.fingerprint, r.response)

    def put(self, s: StoredResponse) -> None:
        self.conn.execute(_IDEMPOTENCY_INSERT, dict(key=s.key, scope=s.scope, fingerprint=s.fingerprint,
                                                    response=s.response, created_at=datetime.now(UTC)))

"""Repository of retention settings, sweep runs and the actions they took (PRV-5)."""

from __future__ import annotations

from sqlalchemy.engine import Connection


class RetentionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

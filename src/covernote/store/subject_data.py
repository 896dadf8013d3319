"""Everything stored about one person, and data subject request cases (PRV-3, PRV-4)."""

from __future__ import annotations

from sqlalchemy.engine import Connection


class SubjectDataRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn


class RequestRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

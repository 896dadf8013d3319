"""Repositories of encrypted sensitive fields, the people's data keys and the read log (PRV-7, PRV-11, SEC-2)."""

from __future__ import annotations

from sqlalchemy.engine import Connection


class SensitiveRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

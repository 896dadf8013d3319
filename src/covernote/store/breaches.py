"""Repository of the breach register (PRV-8)."""

from __future__ import annotations

from sqlalchemy.engine import Connection


class BreachRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

"""The identity context's ports: users and their API tokens (SEC-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

Role = Literal["admin", "staff", "customer", "dpo", "underwriter"]


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    role: Role
    customer_id: str | None
    token_hash: str
    created_at: datetime
    active: bool = True


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def by_token_hash(self, token_hash: str) -> User | None: ...

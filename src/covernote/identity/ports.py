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
    # The current token's life (issue 13, item 9): None only for rows older than migration 0014.
    token_prefix: str | None = None
    token_issued_at: datetime | None = None
    token_expires_at: datetime | None = None
    token_revoked_at: datetime | None = None
    token_revoked_by: str | None = None


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def by_token_hash(self, token_hash: str) -> User | None: ...
    def get(self, user_id: str) -> User | None: ...
    def page(self, limit: int, offset: int) -> list[User]: ...
    def count(self) -> int: ...
    def set_token(self, user_id: str, token_hash: str, prefix: str, issued_at: datetime,
                  expires_at: datetime) -> None: ...
    def revoke_token(self, user_id: str, at: datetime, by: str) -> None: ...

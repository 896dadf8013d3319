"""The identity context's ports: users, their API tokens and portal sign-in (SEC-1)."""

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
    # The portal sign-in (issue 14): a case-folded user name and an argon2id hash; None for API-only users.
    login: str | None = None
    password_hash: str | None = None
    password_set_at: datetime | None = None


@dataclass(frozen=True)
class WebSession:
    """A portal session as stored: the browser holds only the random id whose SHA-256 is `id_hash`."""

    id_hash: str
    user_id: str
    csrf_token: str
    started_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def by_token_hash(self, token_hash: str) -> User | None: ...
    def get(self, user_id: str) -> User | None: ...
    def page(self, limit: int, offset: int) -> list[User]: ...
    def count(self) -> int: ...
    def set_token(self, user_id: str, token_hash: str, prefix: str, issued_at: datetime,
                  expires_at: datetime) -> None: ...
    def revoke_token(self, user_id: str, at: datetime, by: str) -> None: ...
    # The portal sign-in (issue 14).
    def by_login(self, login: str) -> User | None: ...
    def set_password(self, user_id: str, login: str, password_hash: str, at: datetime) -> None: ...
    def add_session(self, session: WebSession) -> None: ...
    def session(self, id_hash: str) -> tuple[WebSession, User] | None: ...
    def touch_session(self, id_hash: str, at: datetime) -> None: ...
    def end_session(self, id_hash: str, at: datetime) -> None: ...
    def end_sessions_of(self, user_id: str, at: datetime) -> int: ...
    def sign_in_failures(self, login_key: str, since: datetime) -> list[datetime]: ...
    def add_sign_in_failure(self, login_key: str, user_id: str | None, at: datetime) -> None: ...
    def forget_sign_in_failures(self, login_key: str | None, before: datetime) -> None: ...

"""Users and their token hashes in SQL. Nothing here commits: the unit of work does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.identity.ports import User, WebSession
from covernote.kernel.ids import new_id
from covernote.store.tables import (
    users,
    web_sessions,
    web_sign_in_failures,
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
                r.token_issued_at, r.token_expires_at, r.token_revoked_at, r.token_revoked_by, r.login,
                r.password_hash, r.password_set_at)


_USER_BY_LOGIN = users.select().where(users.c.login == _b("b_login"))
# A portal page's one read of who is signed in: the session and its user in one statement.
_SESSION = sa.select(web_sessions, users).join(users, users.c.id == web_sessions.c.user_id).where(
    web_sessions.c.id_hash == _b("b_hash"))


class UserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, u: User) -> None:
        self.conn.execute(_USER_INSERT, dict(id=u.user_id, name=u.name, role=u.role, customer_id=u.customer_id,
                                             token_hash=u.token_hash, created_at=u.created_at, active=u.active,
                                             token_prefix=u.token_prefix, token_issued_at=u.token_issued_at,
                                             token_expires_at=u.token_expires_at, token_revoked_at=u.token_revoked_at,
                                             token_revoked_by=u.token_revoked_by, login=u.login,
                                             password_hash=u.password_hash, password_set_at=u.password_set_at))

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

    # -- the portal sign-in (issue 14) ----------------------------------------------------------------------

    def by_login(self, login: str) -> User | None:
        r = self.conn.execute(_USER_BY_LOGIN, {"b_login": login}).first()
        return None if r is None else _user(r)

    def set_password(self, user_id: str, login: str, password_hash: str, at: datetime) -> None:
        self.conn.execute(users.update().where(users.c.id == user_id).values(
            login=login, password_hash=password_hash, password_set_at=at))

    def add_session(self, s: WebSession) -> None:
        self.conn.execute(web_sessions.insert().values(
            id_hash=s.id_hash, user_id=s.user_id, csrf_token=s.csrf_token, started_at=s.started_at,
            last_seen_at=s.last_seen_at, expires_at=s.expires_at, ended_at=s.ended_at))

    def session(self, id_hash: str) -> tuple[WebSession, User] | None:
        r = self.conn.execute(_SESSION, {"b_hash": id_hash}).first()
        if r is None:
            return None
        # The two tables' column names do not overlap, so the row reads as either.
        session = WebSession(r.id_hash, r.user_id, r.csrf_token, r.started_at, r.last_seen_at, r.expires_at,
                             r.ended_at)
        return session, _user(r)

    def touch_session(self, id_hash: str, at: datetime) -> None:
        self.conn.execute(web_sessions.update().where(web_sessions.c.id_hash == id_hash).values(last_seen_at=at))

    def end_session(self, id_hash: str, at: datetime) -> None:
        self.conn.execute(web_sessions.update().where(web_sessions.c.id_hash == id_hash,
                                                      web_sessions.c.ended_at.is_(None)).values(ended_at=at))

    def end_sessions_of(self, user_id: str, at: datetime) -> int:
        return self.conn.execute(web_sessions.update().where(web_sessions.c.user_id == user_id,
                                                             web_sessions.c.ended_at.is_(None))
                                 .values(ended_at=at)).rowcount

    def sign_in_failures(self, login_key: str, since: datetime) -> list[datetime]:
        q = (sa.select(web_sign_in_failures.c.failed_at)
             .where(web_sign_in_failures.c.login_key == login_key, web_sign_in_failures.c.failed_at > since)
             .order_by(web_sign_in_failures.c.failed_at))
        return list(self.conn.execute(q).scalars())

    def add_sign_in_failure(self, login_key: str, user_id: str | None, at: datetime) -> None:
        self.conn.execute(web_sign_in_failures.insert().values(id=new_id("sif"), login_key=login_key,
                                                               user_id=user_id, failed_at=at))

    def forget_sign_in_failures(self, login_key: str | None, before: datetime) -> None:
        """Delete the failures before `before`: of `login_key`, or of every name when None."""
        q = web_sign_in_failures.delete().where(web_sign_in_failures.c.failed_at < before)
        if login_key is not None:
            q = q.where(web_sign_in_failures.c.login_key == login_key)
        self.conn.execute(q)

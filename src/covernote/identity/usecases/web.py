"""The portal's sign-in (issue 14, UX-2, SEC-1): a password per user, hashed with argon2id; sessions kept on
the server with an idle and an absolute expiry; a lock-out after repeated failures per user name.

The rules are the API tokens' (identity/usecases/__init__.py): the browser's session id is long and random,
so the server keeps only its SHA-256 (`hash_token`), as for tokens; a user whose logins were closed (erasure)
signs in to nothing and their sessions stop; the principal is built the same way, so the pages read through
the same use cases as the REST API with the same rights. The lock-out counts failures by the rule of the
API's failed-authentication limit (`identity.domain.retry_after`), per user name instead of per address, in
the database so every server process sees the same count. An unknown user name is counted and locked the
same way, and costs the same argon2 check, so neither the answer nor its time says whether an account
exists."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from covernote.identity import domain
from covernote.identity.ports import WebSession
from covernote.identity.results import PasswordSet, PortalSession
from covernote.identity.usecases import Principal, _existing, hash_token, require_admin
from covernote.kernel.errors import Conflict, FieldIssue, ValidationFailed
from covernote.platform.context import AppContext

# Five wrong passwords within fifteen minutes lock the user name until the first of them is fifteen minutes old.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
# A session ends after 30 minutes unused, and 12 hours after sign-in whatever its use.
SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
# A session's last use is written at most once a minute: a page read is then a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)
PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # argon2 hashes any length; a megabyte password would only cost the server
LOGIN_MAX = 200

# argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile: 3 passes over 64 MiB).
_hasher = PasswordHasher()
_unknown_user_hash: list[str] = []  # a hash to check an unknown user name against, made once


class SignInRefused(Exception):
    """A sign-in refused: a wrong user name or password (the same words for both), or a locked user name, with
    the seconds until another try is allowed."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


WRONG = "the user name or password is not right"


@dataclass(frozen=True)
class SignedIn:
    """Who a live session stands for."""

    principal: Principal
    name: str
    csrf_token: str


def normal_login(login: str) -> str:
    """User names are compared case-folded and without surrounding spaces."""
    return login.strip().casefold()


def _login_key(login: str) -> str:
    return hash_token(normal_login(login))


def _locked_for(failed_at: list[datetime], now: datetime) -> int | None:
    return domain.retry_after([t.timestamp() for t in failed_at], LOCKOUT_FAILURES,
                              LOCKOUT_WINDOW.total_seconds(), now.timestamp())


def _locked_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return (f"too many failed sign-ins for this user name: try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}")


def set_password(ctx: AppContext, principal: Principal, user_id: str, login: str, password: str) -> PasswordSet:
    """Give a user a portal user name and password (administrators; the command line acts as one). The
    password is kept only as an argon2id hash. Setting it anew ends the user's open portal sessions.
    ValidationFailed names a short or overlong password or an empty user name; Conflict a user name another
    user has, or a user whose logins were closed."""
    require_admin(principal, "set portal passwords")
    name = normal_login(login)
    issues = []
    if not name:
        issues.append(FieldIssue("login", "is required"))
    elif len(name) > LOGIN_MAX or any(c.isspace() for c in name):
        issues.append(FieldIssue("login", f"at most {LOGIN_MAX} characters, without spaces"))
    if len(password) < PASSWORD_MIN:
        issues.append(FieldIssue("password", f"at least {PASSWORD_MIN} characters"))
    elif len(password) > PASSWORD_MAX:
        issues.append(FieldIssue("password", f"at most {PASSWORD_MAX} characters"))
    if issues:
        raise ValidationFailed("the password cannot be set", issues)
    password_hash = _hasher.hash(password)  # outside the transaction: it takes tens of milliseconds
    now = ctx.clock.now()
    with ctx.uow() as uow:
        user = _existing(uow, user_id)
        if not user.active:
            raise Conflict("the user's logins were closed (the person's data was erased); create a new user",
                           [FieldIssue("user_id", f"user {user_id} is closed")])
        holder = uow.users.by_login(name)
        if holder is not None and holder.user_id != user_id:
            raise Conflict("another user has this user name", [FieldIssue("login", "is taken")])
        uow.users.set_password(user_id, name, password_hash, now)
        ended = uow.users.end_sessions_of(user_id, now)
        uow.commit()
    return {"user_id": user_id, "login": name, "set_at": now.isoformat(), "sessions_ended": ended}


def sign_in(ctx: AppContext, login: str, password: str) -> PortalSession:
    """Start a portal session for the user name and password. SignInRefused when they are not right (the same
    words whether or not the user name exists) or when the user name is locked out (saying when to retry)."""
    key = _login_key(login)
    name = normal_login(login)
    now = ctx.clock.now()
    since = now - LOCKOUT_WINDOW
    with ctx.uow(read_only=True) as uow:
        failures = uow.users.sign_in_failures(key, since)
        user = uow.users.by_login(name) if name and len(name) <= LOGIN_MAX else None
    wait = _locked_for(failures, now)
    if wait is not None:
        raise SignInRefused(_locked_message(wait), wait)
    if not _password_matches(user.password_hash if user is not None else None, password):
        with ctx.uow() as uow:
            uow.users.forget_sign_in_failures(None, since)  # everyone's old ones: the table stays small
            uow.users.add_sign_in_failure(key, None if user is None else user.user_id, now)
            failures = uow.users.sign_in_failures(key, since)
            uow.commit()
        wait = _locked_for(failures, now)
        if wait is not None:
            raise SignInRefused(_locked_message(wait), wait)
        raise SignInRefused(WRONG)
    assert user is not None and user.password_hash is not None
    if not user.active:  # a closed login (erasure) is refused like a wrong password
        raise SignInRefused(WRONG)
    session_id = secrets.token_urlsafe(32)
    session = WebSession(hash_token(session_id), user.user_id, secrets.token_urlsafe(32), now, now,
                         now + SESSION_ABSOLUTE)
    rehash = _hasher.check_needs_rehash(user.password_hash)
    new_hash = _hasher.hash(password) if rehash else None
    with ctx.uow() as uow:
        uow.users.forget_sign_in_failures(key, now + timedelta(seconds=1))  # a success clears the count
        if new_hash is not None and user.login is not None:
            uow.users.set_password(user.user_id, user.login, new_hash, now)
        uow.users.add_session(session)
        uow.commit()
    return {"session_id": session_id, "csrf_token": session.csrf_token, "user_id": user.user_id,
            "expires_at": session.expires_at.isoformat()}


def _password_matches(password_hash: str | None, password: str) -> bool:
    if len(password) > PASSWORD_MAX:
        return False
    if password_hash is None:  # no such user, or no password: the same work as a real check, then no
        if not _unknown_user_hash:
            _unknown_user_hash.append(_hasher.hash(secrets.token_urlsafe(16)))
        password_hash = _unknown_user_hash[0]
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(password_hash, password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def signed_in(ctx: AppContext, session_id: str) -> SignedIn | None:
    """Who the session with this id stands for, or None when there is no such session or it has ended: signed
    out, unused for SESSION_IDLE, SESSION_ABSOLUTE old, or its user's logins closed. Records its use."""
    if not session_id or len(session_id) > 100:
        return None
    id_hash = hash_token(session_id)
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        found = uow.users.session(id_hash)
    if found is None:
        return None
    session, user = found
    if (session.ended_at is not None or session.expires_at <= now or session.last_seen_at + SESSION_IDLE <= now
            or not user.active):
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        with ctx.uow() as uow:
            uow.users.touch_session(id_hash, now)
            uow.commit()
    return SignedIn(Principal(user.user_id, user.role, user.customer_id), user.name, session.csrf_token)


def sign_out(ctx: AppContext, session_id: str) -> None:
    """End the session on the server: its id is refused from now on, wherever it is kept."""
    if not session_id or len(session_id) > 100:
        return
    with ctx.uow() as uow:
        uow.users.end_session(hash_token(session_id), ctx.clock.now())
        uow.commit()

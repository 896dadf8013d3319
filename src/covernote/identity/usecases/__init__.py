"""Who may do what (SEC-1). API tokens with roles; a customer sees only their own quotes and policies."""

from __future__ import annotations

import getpass
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from covernote.identity.ports import Role, User
from covernote.identity.results import TokenHolder, TokenIssued
from covernote.kernel.errors import Conflict, FieldIssue, Forbidden, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork

ROLES: tuple[Role, ...] = ("admin", "staff", "customer", "dpo", "underwriter")
# Roles that work for the insurer: they see every customer's records.
STAFF_ROLES: frozenset[str] = frozenset({"admin", "staff", "dpo", "underwriter"})
# The data protection officer's own decisions (breach risk, releasing holds) are theirs or an administrator's.
PRIVACY_OFFICER_ROLES: frozenset[str] = frozenset({"admin", "dpo"})
# Who reads decrypted sensitive data (PRV-7, PRV-11): only the roles that need it, per kind of data, and the
# customer their own. The one rule for every sensitive read (`require_sensitive_reader`). Administrators run
# the system and need no sensitive value, so they read none (issue 13, item 11).
# * a customer's sensitive fields (licence number, health, convictions, bank details): underwriting needs them.
SENSITIVE_READER_ROLES: frozenset[str] = frozenset({"underwriter", "dpo"})
# * a claim's injury details (health data): claims handlers need them; underwriters do not.
INJURY_READER_ROLES: frozenset[str] = frozenset({"staff", "dpo"})
SENSITIVE_READERS: dict[str, tuple[frozenset[str], str]] = {
    "sensitive_fields": (SENSITIVE_READER_ROLES, "health, convictions, licence numbers or bank details: only "
                                                 "underwriters and the data protection officer need them. The summary "
                                                 "shows which are held"),
    "injury_details": (INJURY_READER_ROLES, "injury details: only claims handlers and the data protection "
                                            "officer need them"),
}


class Unauthenticated(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role
    customer_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


SYSTEM = Principal("system", "admin")


def operator() -> Principal:
    """Who acts from the command line: the CLI is an operator's tool on the server, so it acts with admin
    rights, recorded as cli:<user>."""
    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        user = "unknown"
    return Principal(f"cli:{user}", "admin")


def hash_token(token: str) -> str:
    """Tokens are long and random, so one SHA-256 is enough to keep them unreadable at rest."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


TOKEN_PREFIX_LENGTH = 8  # "cn_" and five characters: enough to tell tokens apart, far too few to guess the rest


def _new_token() -> str:
    return "cn_" + secrets.token_urlsafe(32)


def create_user(ctx: AppContext, name: str, role: str, customer_id: str | None = None,
                token: str | None = None) -> tuple[User, str]:
    """Create a user and return it with its API token (shown once; only its hash is stored). The token works
    for `ctx.token_lifetime_days` (issue 13, item 9). `token` is for demonstration data only, so the README's
    examples can name a token."""
    issues = []
    if role not in ROLES:
        issues.append(FieldIssue("role", f"must be one of {', '.join(ROLES)}"))
    if role == "customer" and not customer_id:
        issues.append(FieldIssue("customer_id", "a customer user must be linked to a customer"))
    if role != "customer" and customer_id:
        issues.append(FieldIssue("customer_id", "only customer users are linked to a customer"))
    if not name.strip():
        issues.append(FieldIssue("name", "is required"))
    if issues:
        raise ValidationFailed("the user cannot be created", issues)
    token = token or _new_token()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if customer_id and uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        user = User(new_id("usr"), name.strip(), role, customer_id, hash_token(token), now,  # type: ignore[arg-type]
                    token_prefix=token[:TOKEN_PREFIX_LENGTH], token_issued_at=now,
                    token_expires_at=now + timedelta(days=ctx.token_lifetime_days))
        uow.users.add(user)
        uow.commit()
    return user, token


def authenticate(ctx: AppContext, token: str) -> Principal:
    """The principal a token stands for. Known tokens are remembered for `ctx.token_cache_seconds`, never
    past their expiry (a lookup per request would be a database round trip per request); unknown, expired
    and revoked ones never are. A token revoked in another process is refused within
    `ctx.token_cache_seconds`; in this one at once (`revoke_token` forgets it)."""
    digest = hash_token(token)
    now = ctx.clock.now()
    cached = ctx.token_cache.get(digest)
    if cached is not None and cached[1] > now:
        return cached[0]
    with ctx.uow(read_only=True) as uow:
        user = uow.users.by_token_hash(digest)
    if user is None or not user.active:
        ctx.token_cache.pop(digest, None)
        raise Unauthenticated("unknown or revoked token")
    if user.token_revoked_at is not None:
        ctx.token_cache.pop(digest, None)
        raise Unauthenticated(f"this token was revoked on {user.token_revoked_at.date().isoformat()}; "
                              "ask an administrator for a new one")
    if user.token_expires_at is not None and user.token_expires_at <= now:
        ctx.token_cache.pop(digest, None)
        raise Unauthenticated(f"this token expired on {user.token_expires_at.date().isoformat()}; "
                              "ask an administrator for a new one")
    principal = Principal(user.user_id, user.role, user.customer_id)
    if len(ctx.token_cache) > 10_000:
        ctx.token_cache.clear()
    until = now + timedelta(seconds=ctx.token_cache_seconds)
    if user.token_expires_at is not None:
        until = min(until, user.token_expires_at)
    ctx.token_cache[digest] = (principal, until)
    return principal


def token_status(user: User, now: datetime) -> str:
    if not user.active:
        return "closed"
    if user.token_revoked_at is not None:
        return "revoked"
    if user.token_expires_at is not None and user.token_expires_at <= now:
        return "expired"
    return "active"


def _holder(user: User, now: datetime) -> TokenHolder:
    def iso(d: datetime | None) -> str | None:
        return None if d is None else d.isoformat()

    return {"user_id": user.user_id, "name": user.name, "role": user.role, "customer_id": user.customer_id,
            "token_prefix": user.token_prefix, "issued_at": iso(user.token_issued_at),
            "expires_at": iso(user.token_expires_at), "revoked_at": iso(user.token_revoked_at),
            "revoked_by": user.token_revoked_by, "status": token_status(user, now)}


def list_tokens(ctx: AppContext, principal: Principal, limit: int = 500, offset: int = 0) -> list[TokenHolder]:
    """Who holds which token (administrators): each user, their token's first characters, when it was issued,
    when it expires, whether it was revoked and by whom. Never the token or its hash."""
    require_admin(principal, "list who holds which token")
    check_listing(limit, offset)
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        return [_holder(u, now) for u in uow.users.page(limit, offset)]


def _existing(uow: UnitOfWork, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound("no such user", [FieldIssue("user_id", f"no user {user_id}")])
    return user


def _forget(ctx: AppContext, user_id: str) -> None:
    for digest, (principal, _until) in list(ctx.token_cache.items()):
        if principal.user_id == user_id:
            ctx.token_cache.pop(digest, None)


def revoke_token(ctx: AppContext, principal: Principal, user_id: str) -> TokenHolder:
    """Revoke a user's token (administrators): refused with 401 from now on, in this process at once, in
    others within `ctx.token_cache_seconds`. Revoking a revoked token changes nothing."""
    require_admin(principal, "revoke tokens")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        _existing(uow, user_id)
        uow.users.revoke_token(user_id, now, principal.user_id)
        user = _existing(uow, user_id)
        uow.commit()
    _forget(ctx, user_id)
    return _holder(user, now)


def issue_token(ctx: AppContext, principal: Principal, user_id: str) -> TokenIssued:
    """A new token for a user (administrators), shown once, working for `ctx.token_lifetime_days`; the old
    token stops working. For a user whose token expired or was revoked. Refused for a user whose logins
    were closed by erasure."""
    require_admin(principal, "issue tokens")
    token = _new_token()
    now = ctx.clock.now()
    expires = now + timedelta(days=ctx.token_lifetime_days)
    with ctx.uow() as uow:
        if not _existing(uow, user_id).active:
            raise Conflict("the user's logins were closed (the person's data was erased); create a new user",
                           [FieldIssue("user_id", f"user {user_id} is closed")])
        uow.users.set_token(user_id, hash_token(token), token[:TOKEN_PREFIX_LENGTH], now, expires)
        uow.commit()
    _forget(ctx, user_id)
    return {"user_id": user_id, "token": token, "token_prefix": token[:TOKEN_PREFIX_LENGTH],
            "expires_at": expires.isoformat()}


def require_staff(principal: Principal, action: str) -> None:
    if not principal.is_staff:
        raise Forbidden(f"only staff may {action}")


def require_admin(principal: Principal, action: str) -> None:
    if principal.role != "admin":
        raise Forbidden(f"only an administrator may {action}")


def require_privacy_officer(principal: Principal, action: str) -> None:
    if principal.role not in PRIVACY_OFFICER_ROLES:
        raise Forbidden(f"only the data protection officer or an administrator may {action}")


def require_sensitive_reader(principal: Principal, kind: str) -> None:
    """The one rule for who reads decrypted sensitive data of `kind` (a key of SENSITIVE_READERS): the roles
    that need it, never an administrator. A customer passes here; whose data it is is checked by the caller
    (`check_customer`)."""
    roles, why = SENSITIVE_READERS[kind]
    if principal.role == "customer":
        return
    if principal.role not in roles:
        raise Forbidden(f"the {principal.role} role may not read {why} (PRV-7)",
                        [FieldIssue("role", f"{principal.role} is not one of {', '.join(sorted(roles))}")])


def check_customer(principal: Principal, customer_id: str, what: str) -> None:
    """A customer may only see their own records; to them another's does not exist."""
    if principal.role == "customer" and principal.customer_id != customer_id:
        raise NotFound(f"no such {what}")

"""Who may do what (SEC-1). API tokens with roles; a customer sees only their own quotes and policies."""

from __future__ import annotations

import getpass
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from covernote.identity.ports import Role, User
from covernote.kernel.errors import FieldIssue, Forbidden, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext

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


def create_user(ctx: AppContext, name: str, role: str, customer_id: str | None = None,
                token: str | None = None) -> tuple[User, str]:
    """Create a user and return it with its API token (shown once; only its hash is stored). `token` is
    for demonstration data only, so the README's examples can name a token."""
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
    token = token or "cn_" + secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        if customer_id and uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        user = User(new_id("usr"), name.strip(), role, customer_id, hash_token(token), ctx.clock.now())  # type: ignore[arg-type]
        uow.users.add(user)
        uow.commit()
    return user, token


def authenticate(ctx: AppContext, token: str) -> Principal:
    """The principal a token stands for. Known tokens are remembered for `ctx.token_cache_seconds`
    (a lookup per request would be a database round trip per request); unknown ones never are."""
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
    principal = Principal(user.user_id, user.role, user.customer_id)
    if len(ctx.token_cache) > 10_000:
        ctx.token_cache.clear()
    ctx.token_cache[digest] = (principal, now + timedelta(seconds=ctx.token_cache_seconds))
    return principal


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

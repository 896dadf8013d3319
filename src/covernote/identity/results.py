"""The shapes identity's use cases and routes answer with (typed for mypy and the OpenAPI document)."""

from __future__ import annotations

from typing_extensions import TypedDict


class UserCreated(TypedDict):
    """A new API user and its token, shown once (POST /users)."""

    id: str
    name: str
    role: str
    customer_id: str | None
    token: str
    token_prefix: str
    expires_at: str


class TokenHolder(TypedDict):
    """Who holds which API token (issue 13, item 9): the token is told apart by its first characters, never
    shown. `status`: active, expired, revoked, or closed (the user's logins were closed, by erasure)."""

    user_id: str
    name: str
    role: str
    customer_id: str | None
    token_prefix: str | None
    issued_at: str | None
    expires_at: str | None
    revoked_at: str | None
    revoked_by: str | None
    status: str


class TokenIssued(TypedDict):
    """A new token for an existing user, shown once (POST /users/{id}/token)."""

    user_id: str
    token: str
    token_prefix: str
    expires_at: str


class PasswordSet(TypedDict):
    """A user's portal sign-in was set (issue 14): their user name and when; never the password."""

    user_id: str
    login: str
    set_at: str
    sessions_ended: int


class PortalSession(TypedDict):
    """A portal session (issue 14). `session_id` goes in the browser's cookie and nowhere else; the server
    keeps only its SHA-256. `csrf_token` goes in every form the session posts."""

    session_id: str
    csrf_token: str
    user_id: str
    expires_at: str

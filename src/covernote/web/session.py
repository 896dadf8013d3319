"""The portal's cookies, forms and CSRF checks (issue 14, SEC-1).

The session cookie holds only the random session id (the server keeps its SHA-256 and everything else):
`HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` unless the page was asked for over plain http from this
machine itself (127.0.0.1, localhost, ::1: the demonstration). Every form that posts carries a token checked
against the session's (or, for the sign-in form, against a cookie set with the form)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request, Response

SESSION_COOKIE = "covernote_session"
SIGN_IN_COOKIE = "covernote_sign_in"
CSRF_FIELD = "csrf_token"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
MAX_FIELDS = 100  # the longest form, a quote, has about 25


class FormRefused(Exception):
    """A form post that is not answered: no or a wrong CSRF token, or not a form."""


def secure_cookies(request: Request) -> bool:
    """Cookies are `Secure` except on plain http to this machine itself (the demonstration)."""
    return not (request.url.scheme == "http" and (request.url.hostname or "") in LOOPBACK)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="lax", secure=secure_cookies(request), path="/")


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, samesite="lax", secure=secure_cookies(request), path="/")


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an `application/x-www-form-urlencoded` post (the only kind the portal's forms send);
    the first value of each field."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise FormRefused("not a form post")
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        fields = parse_qs(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as e:
        raise FormRefused("too many fields") from e
    return {k: v[0] for k, v in fields.items()}


def check_token(form: dict[str, Any], expected: str | None) -> None:
    """Refuse the post unless its CSRF field equals `expected` (compared in constant time)."""
    sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise FormRefused("the form's security token is missing or does not match")

"""What the portal's pages (`pages.py`) and the back office's (`backoffice.py`) share (issue 14, UX-2): one
template environment with its filters, running a use case as the REST routes do, the signed-in user of a
request, and the end of the sign-in and sign-out forms. Each area keeps its own templates, paths and pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from covernote.identity.usecases import web as sign_in_rules
from covernote.identity.usecases.web import SignedIn, SignInRefused
from covernote.platform.api.routes import one_hop
from covernote.platform.context import AppContext
from covernote.platform.observability import USER_KEY
from covernote.web.session import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    FormRefused,
    check_token,
    clear_cookie,
    read_form,
    set_cookie,
)


def money(value: Any) -> str:
    """'123.45' as '£123.45'; '-5.00' as '-£5.00'. The amounts come formatted from the use cases."""
    if value is None:
        return "—"
    text = str(value)
    return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"


def when(value: Any) -> str:
    """An ISO instant as '2026-12-07 17:20' (as the use case gives it, to the minute)."""
    return "—" if not value else str(value)[:16].replace("T", " ")


templates = Environment(loader=PackageLoader("covernote.web", "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
templates.filters["money"] = money
templates.filters["when"] = when
# A form field's id from its path: "risk.drivers[0].name" -> "risk-drivers-0-name".
templates.filters["field_id"] = lambda path: re.sub(r"[^A-Za-z0-9]+", "-", str(path)).strip("-")
templates.filters["words"] = lambda code: str(code or "").replace("_", " ")


def ctx_of(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a use case as the REST routes do: on a worker thread, or on the loop when the app has none."""
    return await one_hop(fn)(*args, **kwargs)


def to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def signed_in(request: Request) -> SignedIn | None:
    """The request's signed-in user, from the session cookie, or None."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    who: SignedIn | None = await run(sign_in_rules.signed_in, ctx_of(request), session_id)
    if who is not None:
        request.scope[USER_KEY] = who.principal.user_id  # for the access log (api/observability.py)
    return who


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


Refused = Callable[[Request, SignedIn | None, str], HTMLResponse]


async def sign_in(request: Request, home: str, refused_form: Callable[..., HTMLResponse],
                  refused: Refused) -> Response:
    """The sign-in form's answer: its own token checked (`refused` when it is missing: the form needs cookies),
    then a new session and a way `home`, or the form again (`refused_form(request, status, error=, login=,
    headers=)`) with 401, or 429 and Retry-After when locked out. Signing in again, as anyone, ends the session
    the browser had."""
    try:
        form = await read_form(request)
        check_token(form, request.cookies.get(SIGN_IN_COOKIE))
    except FormRefused as e:
        return refused(request, None, f"{e} (the sign-in form needs cookies)")
    login, password = form.get("login", ""), form.get("password", "")
    try:
        session = await run(sign_in_rules.sign_in, ctx_of(request), login, password)
    except SignInRefused as e:
        headers = {"Retry-After": str(e.retry_after)} if e.retry_after else None
        return refused_form(request, 429 if e.retry_after else 401, error=sentence(str(e)), login=login,
                            headers=headers)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await run(sign_in_rules.sign_out, ctx_of(request), previous)
    answer = to(home)
    set_cookie(request, answer, SESSION_COOKIE, session["session_id"])
    clear_cookie(request, answer, SIGN_IN_COOKIE)
    return answer


async def sign_out(request: Request, sign_in_path: str, refused: Refused) -> Response:
    """End the signed-in session on the server, its form's token checked, and go to `sign_in_path` (there
    too when nobody was signed in)."""
    who = await signed_in(request)
    if who is None:
        return to(sign_in_path)
    try:
        check_token(await read_form(request), who.csrf_token)
    except FormRefused as e:
        return refused(request, who, str(e))
    await run(sign_in_rules.sign_out, ctx_of(request), request.cookies.get(SESSION_COOKIE, ""))
    answer = to(f"{sign_in_path}?signed_out=1")
    clear_cookie(request, answer, SESSION_COOKIE)
    return answer


# The downloads offered for each document: (label, format, large print).
DOWNLOADS = (("PDF", "pdf", False), ("Web page (HTML)", "html", False), ("Plain text", "txt", False),
             ("Large-print PDF", "pdf", True), ("Large-print web page", "html", True))
# What a transaction was, in words, for the "documents" column.
TRANSACTIONS = {"new_business": "New policy", "renewal": "Renewal", "mta": "Change to the policy",
                "adjustment": "Change to the policy", "cancellation": "Cancellation", "void": "Policy made void"}
LETTERS = {"ncd_letter": "Proof of your no claims discount, asked for"}


def documented(doc: Any) -> str:
    """What the document documents, in words: "New policy from 2026-11-22", "Renewal invitation for term 2"."""
    txn = doc["transaction"]
    if txn is None:  # a renewal notice documents an invitation; a letter asked for (NCD proof) its request
        if doc["kind"] == "renewal_notice":
            return f"Renewal invitation for term {doc['term'] + 1}"
        return LETTERS.get(doc["kind"], "Letter asked for") + f", {doc['created_at'][:10]}"
    return f"{TRANSACTIONS.get(txn['kind'], txn['kind'].replace('_', ' ').capitalize())} from {txn['effective_date']}"

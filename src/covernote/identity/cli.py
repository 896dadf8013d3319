"""`covernote users ...`: API users and their tokens (SEC-1): create, list who holds which token, revoke,
issue a new one (issue 13, item 9); set a user's portal user name and password (issue 14)."""

from __future__ import annotations

from typing import Annotated

import typer

from covernote.identity.results import TokenHolder
from covernote.identity.usecases import ROLES, create_user, issue_token, list_tokens, operator, revoke_token
from covernote.identity.usecases import web as portal
from covernote.interfaces.cli import JsonOpt, context, handles_errors, show
from covernote.platform.paging import MAX_OFFSET, MAX_PAGE

users_app = typer.Typer(help="API users and tokens; portal passwords.", no_args_is_help=True)


@users_app.command("create")
@handles_errors
def users_create(name: Annotated[str, typer.Option()], role: Annotated[str, typer.Option(help=", ".join(ROLES))],
                 customer: Annotated[str | None, typer.Option(help="For customer users")] = None,
                 as_json: JsonOpt = False) -> None:
    """Create an API user and print its token (shown once) and when it expires."""
    user, token = create_user(context(migrate=True), name, role, customer)
    assert user.token_expires_at is not None
    show({"id": user.user_id, "role": user.role, "customer_id": customer, "token": token,
          "expires_at": user.token_expires_at.isoformat()}, as_json,
         lambda d: f"user {d['id']} ({d['role']})\ntoken: {d['token']}\nexpires: {d['expires_at']}")


def _line(h: TokenHolder) -> str:
    expiry = f"expires {h['expires_at']}" if h["expires_at"] else "no expiry recorded"
    revoked = f", revoked {h['revoked_at']} by {h['revoked_by']}" if h["revoked_at"] else ""
    return (f"{h['user_id']}  {h['role']:11} {h['name']}  token {h['token_prefix'] or '?'}...  {h['status']}"
            f" ({expiry}{revoked})")


@users_app.command("tokens")
@handles_errors
def users_tokens(limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 500,
                 offset: Annotated[int, typer.Option(min=0, max=MAX_OFFSET)] = 0, as_json: JsonOpt = False) -> None:
    """Who holds which token: each user, the token's first characters (never the token), issued, expiry,
    revoked, and whether it works."""
    show(list_tokens(context(), operator(), limit, offset), as_json,
         lambda rows: "\n".join(_line(h) for h in rows) or "no users")


@users_app.command("revoke")
@handles_errors
def users_revoke(user_id: str, as_json: JsonOpt = False) -> None:
    """Revoke a user's token: refused (401) from now on; a running server notices within 30 seconds."""
    show(revoke_token(context(), operator(), user_id), as_json, lambda h: "revoked: " + _line(h))


@users_app.command("new-token")
@handles_errors
def users_new_token(user_id: str, as_json: JsonOpt = False) -> None:
    """Issue a new token for a user (after expiry or revocation), shown once; the old one stops working."""
    show(issue_token(context(), operator(), user_id), as_json,
         lambda t: f"user {t['user_id']}\ntoken: {t['token']}\nexpires: {t['expires_at']}")


@users_app.command("set-password")
@handles_errors
def users_set_password(user_id: str,
                       login: Annotated[str, typer.Option(help="The user name to sign in to the portal with")],
                       password_stdin: Annotated[bool, typer.Option(
                           "--password-stdin", help="Read the password from the first line of standard input "
                                                    "instead of asking for it")] = False,
                       as_json: JsonOpt = False) -> None:
    """Set a user's portal sign-in (issue 14): a user name and a password of at least 12 characters, kept only as
    an argon2id hash. Asked for twice without echo, or read from standard input with --password-stdin. Ends the
    user's open portal sessions."""
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    show(portal.set_password(context(), operator(), user_id, login, password), as_json,
         lambda r: f"user {r['user_id']} signs in to the portal as {r['login']}"
                   + (f" ({r['sessions_ended']} open session(s) ended)" if r["sessions_ended"] else ""))

"""`covernote users ...`: API users and their tokens (SEC-1)."""

from __future__ import annotations

from typing import Annotated

import typer

from covernote.identity.usecases import ROLES, create_user
from covernote.interfaces.cli import JsonOpt, context, handles_errors, show

users_app = typer.Typer(help="API users and tokens.", no_args_is_help=True)


@users_app.command("create")
@handles_errors
def users_create(name: Annotated[str, typer.Option()], role: Annotated[str, typer.Option(help=", ".join(ROLES))],
                 customer: Annotated[str | None, typer.Option(help="For customer users")] = None,
                 as_json: JsonOpt = False) -> None:
    """Create an API user and print its token (shown once)."""
    user, token = create_user(context(migrate=True), name, role, customer)
    show({"id": user.user_id, "role": user.role, "customer_id": customer, "token": token}, as_json,
         lambda d: f"user {d['id']} ({d['role']})\ntoken: {d['token']}")

"""Billing's commands, one module per area (plans, direct_debit, arrears, notices), under `covernote billing`."""

from __future__ import annotations

import typer

from covernote.billing.cli import arrears

billing_app = typer.Typer(help="Billing: how customers pay (issue 15).", no_args_is_help=True)
arrears.register(billing_app)

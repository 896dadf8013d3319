"""`covernote ledger ...`: the double-entry ledger (PAY-5): check that it reconciles."""

from __future__ import annotations

import json

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, show
from covernote.ledger import usecases as ledger

ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


@ledger_app.command("reconcile")
@handles_errors
def ledger_reconcile(as_json: JsonOpt = False) -> None:
    """Check every entry balances and every policy's postings match its transactions. Exit 1 on a problem."""
    data = ledger.reconcile(context(), operator())
    show(data, as_json, lambda d: "\n".join(
        [f"entries unbalanced: {d['entries_unbalanced']}; policies checked: {d['policies_checked']}; "
         f"problems: {len(d['problems'])}; accounts with a balance: {len(d['outstanding_balances'])}"]
        + [f"  PROBLEM {json.dumps(p)}" for p in d["problems"]]))
    if not data["ok"]:
        raise typer.Exit(1)

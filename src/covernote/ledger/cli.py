"""`covernote ledger ...`: the double-entry ledger (PAY-5): check that it reconciles, reverse an entry and
post the entry that corrects it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, show
from covernote.ledger import usecases as ledger
from covernote.ledger.results import EntryView

ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


@ledger_app.command("reconcile")
@handles_errors
def ledger_reconcile(as_json: JsonOpt = False) -> None:
    """Check every entry balances and every policy's postings match its transactions. Exit 1 on a problem.
    Entries reversed and waiting for their correction are listed, and are not a problem."""
    data = ledger.reconcile(context(), operator())
    show(data, as_json, lambda d: "\n".join(
        [f"entries unbalanced: {d['entries_unbalanced']}; policies checked: {d['policies_checked']}; "
         f"problems: {len(d['problems'])}; accounts with a balance: {len(d['outstanding_balances'])}; "
         f"reversed entries awaiting correction: {len(d['awaiting_correction'])}"]
        + [f"  PROBLEM {json.dumps(p)}" for p in d["problems"]]
        + [f"  AWAITING CORRECTION {w['entry_id']} (policy {w['policy_id']}): "
           f"covernote ledger correct {w['entry_id']} --reason ..." for w in d["awaiting_correction"]]))
    if not data["ok"]:
        raise typer.Exit(1)


def _entry_text(e: EntryView) -> str:
    return "\n".join([f"{e['id']}  {e['description']}"]
                     + [f"  {p['account']:<32} {p['amount']:>12}  {p['memo']}" for p in e["postings"]])


@ledger_app.command("reverse")
@handles_errors
def ledger_reverse(entry_id: str,
                   reason: Annotated[str, typer.Option("--reason", help="Why the entry is reversed")],
                   as_json: JsonOpt = False) -> None:
    """Post the exact opposite of a journal entry (administrators; the original is never changed). Then
    post the correct entry with `covernote ledger correct`, unless the reversed entry should not exist."""
    show(ledger.reverse_entry(context(), operator(), entry_id, reason), as_json, _entry_text)


@ledger_app.command("correct")
@handles_errors
def ledger_correct(entry_id: str,
                   reason: Annotated[str, typer.Option("--reason", help="Why the correction is posted")],
                   posting: Annotated[list[str] | None, typer.Option(
                       "--posting", help="ACCOUNT=AMOUNT[:MEMO], signed pounds (debit +, credit -); repeat, "
                                         "balancing to zero. Without any, the reversed entry is posted again")] = None,
                   as_json: JsonOpt = False) -> None:
    """Post the entry that corrects a reversed one (administrators): a balanced journal entry on the same
    policy and transaction, naming the entry it corrects and the reason (PAY-5)."""
    lines: list[tuple[str, str, str]] | None = None
    if posting:
        lines = []
        for i, text in enumerate(posting):
            account, sep, rest = text.partition("=")
            if not sep or not account.strip():
                fail("a posting is ACCOUNT=AMOUNT[:MEMO]", [(f"--posting[{i}]", f"cannot read {text!r}")])
            amount, _, memo = rest.partition(":")
            lines.append((account.strip(), amount.strip(), memo.strip()))
    show(ledger.correct_entry(context(), operator(), entry_id, reason, lines), as_json, _entry_text)

"""`covernote billing arrears ...`: returned direct debits' arrears (PAY-2, FEE-2): the cases and where each
stands, the customer's card payment that stops the ladder, the daily step run now, and the CSV report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.billing.usecases import arrears
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, show, write_out
from covernote.interfaces.progress import terminal_progress
from covernote.kernel.ids import new_id


def _case_line(c: dict[str, Any]) -> str:
    when = {"representation": f"new collection date {c['represent_on']}", "card_payment": f"pay by card by {c['pay_by']}",
            "notice": f"cancelled on {c['cancel_on']} unless paid"}.get(c["stage"], f"closed {c['closed_on']}")
    return (f"  {c['id']}  policy {c['policy_id']}  {c['stage']:14} owed {c['owed']:>9} "
            f"(instalment {c['amount']}, charge {c['fee']}, reason {c['reason_code']}): {when}")


def _list_summary(data: dict[str, Any]) -> str:
    lines = [f"{data['total']} arrears case(s); showing {len(data['cases'])} from {data['offset']}"]
    return "\n".join(lines + [_case_line(c) for c in data["cases"]])


def _policy_summary(data: dict[str, Any]) -> str:
    head = f"Policy {data['number']}: " + (f"payment overdue, {data['owed']} owed" if data["overdue"] else "nothing overdue")
    if data["overdue"]:
        head += "; can be paid by card now" if data["pay_by_card"] else "; to be presented again by direct debit"
    lines = [head]
    for c in data["cases"]:
        lines.append(_case_line(c))
        lines += [f"      {s['taken_on']}  {s['kind']}" + (f"  letter {s['letter_document_id'] or '(to issue)'}"
                                                          if s["letter"] else "") for s in c["steps"]]
    return "\n".join(lines)


def _run_summary(r: dict[str, Any]) -> str:
    steps = ", ".join(f"{k}: {v}" for k, v in sorted(r["steps"].items())) or "no step due"
    lines = [f"Arrears on {r['day']}: {r['cases_checked']} case(s) checked; {steps}; "
             f"{r['cancellations_due']} cancellation(s) for non-payment; {r['letters_issued']} letter(s) issued"]
    lines += [f"  FAILED {k}: {v}" for k, v in sorted(r["failed"].items())]
    return "\n".join(lines)


def register(billing_app: typer.Typer) -> None:
    """Add `covernote billing arrears` and its commands."""
    arrears_app = typer.Typer(help="Returned direct debits: arrears, card payments, cancellation for non-payment "
                                   "(PAY-2, FEE-2).", no_args_is_help=True)
    billing_app.add_typer(arrears_app, name="arrears")

    @arrears_app.command("list")
    @handles_errors
    def list_cases(stage: Annotated[str, typer.Option(help="open, representation, card_payment, notice, paid, "
                                                           "cancelled, closed or all")] = "open",
                   policy: Annotated[str | None, typer.Option(help="One policy's cases (id or number)")] = None,
                   limit: int = 100, offset: int = 0,
                   fmt: Annotated[str, typer.Option("--format", help="text, json or csv (the report)")] = "text",
                   output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
                   as_json: JsonOpt = False) -> None:
        """Arrears cases at a stage (staff), or one policy's with their steps and letters."""
        if fmt not in ("text", "json", "csv"):
            fail("unknown format", [("--format", "use text, json or csv")])
        chosen = None if stage == "all" else stage
        if policy is not None:
            show(arrears.policy_arrears(context(), operator(), policy), as_json or fmt == "json", _policy_summary)
        elif fmt == "csv":
            write_out(arrears.report_csv(context(), operator(), chosen), output)
        else:
            data = arrears.list_cases(context(), operator(), chosen, limit, offset)
            if fmt == "json" or as_json or output is not None:
                write_out(json.dumps(data, indent=2) + "\n", output)
            else:
                show(data, False, _list_summary)

    @arrears_app.command("pay")
    @handles_errors
    def pay(policy: Annotated[str, typer.Argument(help="Policy id or number")],
            token: Annotated[str, typer.Option(help="The card's token from the payment provider")],
            idempotency_key: Annotated[str | None, typer.Option(help="Repeat a payment's key to retry it safely")] = None,
            as_json: JsonOpt = False) -> None:
        """Take everything owed on the policy's open arrears by card (the customer rang): the ladder stops."""
        out = arrears.pay_arrears(context(), operator(), policy, token, idempotency_key or new_id("key"))
        show(out, as_json, lambda r: f"Paid {r['paid']} by card ({r['payment'].get('reference', '')}); "
                                     f"{len(r['cases'])} case(s) closed")

    @arrears_app.command("run")
    @handles_errors
    def run(as_json: JsonOpt = False) -> None:
        """The daily arrears step now: each case due today takes its step; the letters missing are issued."""
        with terminal_progress() as progress:
            out = arrears.run_arrears(context(), operator(), progress=progress)
        show(out, as_json, _run_summary)
        if out["failed"]:
            raise typer.Exit(1)

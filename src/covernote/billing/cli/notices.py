"""`covernote billing notices ...`: the continuous payment authority's notices (PAY-3): list them (a policy's, or
every policy's by due day), run the daily step now (letters, payments due, answer dates run out), withdraw a
policy's authority for the customer."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from covernote.billing.usecases import authority, notices
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, parse_optional_date, show
from covernote.interfaces.progress import terminal_progress


def _notice_line(n: dict[str, Any]) -> str:
    return (f"  {n['id']}  {n['policy_id']}  {n['kind']:6} {n['amount']:>10}  {n['card']:22} due {n['due_on']}  "
            f"{n['status']:9} {n['summary']}")


def register(billing_app: typer.Typer) -> None:
    """Add `covernote billing notices list|run|withdraw`."""
    notices_app = typer.Typer(help="The continuous payment authority's notices (PAY-3).", no_args_is_help=True)
    billing_app.add_typer(notices_app, name="notices")

    @notices_app.command("list")
    @handles_errors
    def list_notices(policy: Annotated[str | None, typer.Option(help="A policy's id or number: its notices and "
                                                                     "authority")] = None,
                     due: Annotated[str | None, typer.Option(help="YYYY-MM-DD: every notice due that day")] = None,
                     status: Annotated[str | None, typer.Option(help="pending, taken, paid, failed, withdrawn or "
                                                                     "cancelled")] = None,
                     limit: int = 100, offset: int = 0, as_json: JsonOpt = False) -> None:
        """List payment notices: one policy's with its authority (--policy), or every policy's by due day."""
        if policy is not None:
            data = notices.policy_notices(context(), operator(), policy)
            a = data["authority"]
            show(data, as_json, lambda d: "\n".join(
                [f"policy {d['policy_id']}: continuous payment authority "
                 f"{'in force' if a['in_force'] else 'WITHDRAWN ' + (a['withdrawn_at'] or '')}"
                 + (f"; GBP {a['owed']} owed, to pay by {a['answer_by']}" if a["answer_by"] else "")]
                + [_notice_line(dict(n)) for n in d["notices"]]))
            return
        rows = notices.notices_page(context(), operator(), parse_optional_date(due, "due"), status, limit, offset)
        show(rows, as_json, lambda d: "\n".join([f"{len(d)} payment notices"] + [_notice_line(dict(n)) for n in d]))

    @notices_app.command("run")
    @handles_errors
    def run(as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
            as_json: JsonOpt = False) -> None:
        """The daily notice step now: send the letters not yet sent, take or pay every notice due by the day,
        ask for the cancellation of policies whose answer date after a withdrawn authority passed unpaid. Safe to
        rerun (nothing is taken twice). Exit 1 if a payment was declined or the provider did not answer."""
        with terminal_progress() as progress:
            result = notices.run_notices(context(), parse_optional_date(as_of, "as_of"), progress=progress)
        show(result, as_json, lambda d: "\n".join(
            [f"payment notices for {d['as_of']}: {d['letters_sent']} letters sent, {d['taken']} taken, "
             f"{d['paid']} refunds paid, {len(d['failed'])} failed, {len(d['unavailable'])} not answered, "
             f"{len(d['cancellations_due'])} cancellations asked for"]
            + [f"  FAILED {f['notice_id']} ({f['policy_id']}): {f['reason']}" for f in d["failed"]]
            + [f"  NOT ANSWERED {f['notice_id']} ({f['policy_id']}): {f['reason']}" for f in d["unavailable"]]
            + [f"  CANCELLATION DUE {p}" for p in d["cancellations_due"]]))
        if result["failed"] or result["unavailable"]:
            raise typer.Exit(1)

    @notices_app.command("withdraw")
    @handles_errors
    def withdraw(policy: Annotated[str, typer.Argument(help="Policy id or number")], as_json: JsonOpt = False) -> None:
        """Withdraw the policy's continuous payment authority for the customer (S3): charges not yet taken stay
        owed, to be paid another way by the answer date in the letter, or the policy is cancelled."""
        data = authority.withdraw(context(), operator(), policy)
        show(data, as_json, lambda d: "\n".join([f"policy {d['policy_id']}: authority withdrawn at {d['withdrawn_at']}"]
                                                + [f"  {x}" for x in d["explanation"]]))

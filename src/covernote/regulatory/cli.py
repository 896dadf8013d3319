"""`covernote mid ...`, `covernote cue ...`, `covernote fraud ...` and the jobs `covernote jobs mid-send`,
`jobs cue-send`, `jobs fraud-recheck` (issue 5 parts 5 and 6: REG-1, REG-2, REG-3). docs/regulatory.md."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, show
from covernote.interfaces.progress import terminal_progress
from covernote.regulatory.usecases import cue, fraud, mid

Limit = Annotated[int, typer.Option(help="At most this many")]


def _mid_line(u: dict[str, Any]) -> str:
    flags = [i["code"] for i in u["registration_issues"]] + ([u["reject_code"]] if u["reject_code"] else [])
    return (f"  {u['id']}  {u['status']:10} {'OVERDUE ' if u['overdue'] else ''}due {u['due_at'][:16]}  "
            f"{u['trigger']:13} {u['policy_number']}  {', '.join(u['registrations'])}"
            + (f"  FLAGS: {', '.join(flags)}" if flags else ""))


def _mid_list(r: dict[str, Any]) -> str:
    what = " ".join(x for x in (r["status"] or "", "overdue" if r["overdue"] else "",
                                "flagged" if r["flagged"] else "") if x) or "all"
    return "\n".join([f"MID updates ({what}) as at {r['as_at']}: {len(r['updates'])}",
                      *[_mid_line(u) for u in r["updates"]]])


def _mid_one(u: dict[str, Any]) -> str:
    lines = [_mid_line(u).strip(), f"  rule {u['rule']}, attempts {u['attempts']}, action {u['action'] or '-'}, "
             f"reference {u['reference'] or '-'}"]
    if u["reject_code"]:
        lines.append(f"  REJECTED {u['reject_code']}: {u['reject_reason']}. {u['what_to_do'] or ''}")
    if u["last_error"] and u["status"] == "pending":
        lines.append(f"  no answer: {u['last_error']}; next try {u['next_attempt_at']}")
    lines += [f"  {i['severity'].upper()} {i['registration']}: {i['message']}" for i in u["registration_issues"]]
    return "\n".join(lines)


def _send(r: dict[str, Any]) -> str:
    counts = ", ".join(f"{k.replace('_', ' ')} {r[k]}" for k in ("sent", "rejected", "retry_later", "waiting", "skipped")
                       if k in r)
    lines = [f"As at {r['as_at']}: {counts}"]
    for x in r["results"]:
        ident = x.get("update_id") or x.get("report_id")
        lines.append(f"  {ident}  {x['outcome']:11} {x.get('reference') or x.get('reject_code') or x.get('why') or ''}")
    return "\n".join(lines)


def _cue_list(r: dict[str, Any]) -> str:
    return "\n".join([f"CUE reports ({r['status'] or 'all'}): {len(r['reports'])}",
                      *[f"  {x['id']}  {x['status']:9} {x['incident_on']} {x['kind']:8} "
                        f"{x['payload'].get('policy_number')}  {x['reference'] or x['reject_code'] or ''}"
                        for x in r["reports"]]])


def _check_line(c: dict[str, Any]) -> str:
    return (f"  {c['id']}  {c['checked_at'][:16]} {c['stage']:8} {c['result']:11} score {c['score'] if c['score'] is not None else '-':>3}"
            f"  {c['review_status']:9} customer {c['customer_id']}" + (f" policy {c['policy_id']}" if c["policy_id"] else "")
            + (f"\n      {'; '.join(c['reasons'])}" if c["reasons"] else "")
            + (f"\n      next: {c['suggested']}" if c["suggested"] else ""))


def register(app: typer.Typer, jobs_app: typer.Typer) -> None:
    """Add `covernote mid`, `cue` and `fraud`, and their jobs under `covernote jobs`."""
    mid_app = typer.Typer(help="Motor Insurance Database updates (REG-1).", no_args_is_help=True)
    cue_app = typer.Typer(help="Claims and Underwriting Exchange reports (REG-2).", no_args_is_help=True)
    fraud_app = typer.Typer(help="Fraud prevention checks and referrals (REG-3).", no_args_is_help=True)
    app.add_typer(mid_app, name="mid")
    app.add_typer(cue_app, name="cue")
    app.add_typer(fraud_app, name="fraud")

    @mid_app.command("list")
    @handles_errors
    def mid_list(status: Annotated[str | None, typer.Option(help="pending, sent, rejected or superseded")] = None,
                 overdue: Annotated[bool, typer.Option(help="Only those not on the MID by their due time")] = False,
                 flagged: Annotated[bool, typer.Option(help="Only open ones with a flagged or rejected registration")]
                 = False,
                 policy: Annotated[str | None, typer.Option(help="One policy (id or number)")] = None,
                 limit: Limit = 100, as_json: JsonOpt = False) -> None:
        """MID updates, soonest due first."""
        show(mid.list_updates(context(), operator(), status=status, overdue=overdue, flagged=flagged,
                              policy_id=policy, limit=limit), as_json, _mid_list)

    @mid_app.command("show")
    @handles_errors
    def mid_show(update_id: str, as_json: JsonOpt = False) -> None:
        """One MID update: the record sent, the answer, the clock."""
        show(mid.get_update(context(), operator(), update_id), as_json, _mid_one)

    @mid_app.command("send")
    @handles_errors
    def mid_send(retry_now: Annotated[bool, typer.Option(help="Also those waiting out their back-off")] = False,
                 limit: Limit = 500, as_json: JsonOpt = False) -> None:
        """Send the MID updates due now."""
        with terminal_progress() as progress:
            result = mid.send_pending(context(), operator(), retry_now=retry_now, limit=limit, progress=progress)
        show(result, as_json, _send)

    @mid_app.command("correction")
    @handles_errors
    def mid_correction(update_id: str, as_json: JsonOpt = False) -> None:
        """Queue a fresh picture of the policy year after a rejection was put right."""
        show(mid.send_correction(context(), operator(), update_id), as_json, _mid_one)

    @cue_app.command("list")
    @handles_errors
    def cue_list(status: Annotated[str | None, typer.Option(help="pending, sent or rejected")] = None,
                 limit: Limit = 100, as_json: JsonOpt = False) -> None:
        """Incidents and claims reported to the exchange."""
        show(cue.list_reports(context(), operator(), status=status, limit=limit), as_json, _cue_list)

    @cue_app.command("send")
    @handles_errors
    def cue_send(retry_now: Annotated[bool, typer.Option(help="Also those waiting out their back-off")] = False,
                 limit: Limit = 500, as_json: JsonOpt = False) -> None:
        """Send the CUE reports due now."""
        with terminal_progress() as progress:
            result = cue.send_pending(context(), operator(), retry_now=retry_now, limit=limit, progress=progress)
        show(result, as_json, _send)

    @fraud_app.command("referrals")
    @handles_errors
    def fraud_referrals(status: Annotated[str, typer.Option(help="open, cleared, confirmed or rechecked")] = "open",
                        limit: Limit = 100, as_json: JsonOpt = False) -> None:
        """Checks waiting for staff review: referred, matched, or not answered."""
        show(fraud.list_referrals(context(), operator(), status=status, limit=limit), as_json,
             lambda r: "\n".join([f"Fraud referrals ({r['status']}): {len(r['referrals'])}",
                                  *[_check_line(c) for c in r["referrals"]]]))

    @fraud_app.command("checks")
    @handles_errors
    def fraud_checks(customer: Annotated[str, typer.Option(help="The customer's id")], limit: Limit = 100,
                     as_json: JsonOpt = False) -> None:
        """Every fraud check made on a customer."""
        show(fraud.list_checks(context(), operator(), customer, limit), as_json,
             lambda r: "\n".join([f"Fraud checks of {r['customer_id']}: {len(r['checks'])}",
                                  *[_check_line(c) for c in r["checks"]]]))

    @fraud_app.command("review")
    @handles_errors
    def fraud_review(check_id: str, decision: Annotated[str, typer.Option(help="cleared or confirmed")],
                     note: Annotated[str, typer.Option(help="What was found")], as_json: JsonOpt = False) -> None:
        """Decide a referral. To void a live policy for a confirmed fraud: covernote policy void."""
        show(fraud.review(context(), operator(), check_id, decision, note), as_json, _check_line)

    @fraud_app.command("recheck")
    @handles_errors
    def fraud_recheck(check_id: str, as_json: JsonOpt = False) -> None:
        """Check again a check the agency did not answer."""
        show(fraud.recheck(context(), operator(), check_id), as_json,
             lambda r: f"{r['rechecked']} re-checked as {r['check_id']}: {r['result']}")

    @jobs_app.command("mid-send")
    @handles_errors
    def jobs_mid_send(retry_now: bool = False, limit: int = 500, as_json: JsonOpt = False) -> None:
        """Send the MID updates due (REG-1); run it every few minutes (cron, systemd timer)."""
        with terminal_progress() as progress:
            result = mid.send_pending(context(), operator(), retry_now=retry_now, limit=limit, progress=progress)
        show(result, as_json, _send)
        if result["retry_later"] and not result["sent"] and not result["rejected"]:
            fail("the Motor Insurance Database did not answer; the updates stay pending", code=3)

    @jobs_app.command("cue-send")
    @handles_errors
    def jobs_cue_send(retry_now: bool = False, limit: int = 500, as_json: JsonOpt = False) -> None:
        """Send the CUE reports due (REG-2)."""
        with terminal_progress() as progress:
            result = cue.send_pending(context(), operator(), retry_now=retry_now, limit=limit, progress=progress)
        show(result, as_json, _send)

    @jobs_app.command("fraud-recheck")
    @handles_errors
    def jobs_fraud_recheck(limit: int = 200, as_json: JsonOpt = False) -> None:
        """Re-check the fraud checks the agency did not answer (REG-3)."""
        show(fraud.recheck_unavailable(context(), operator(), limit), as_json,
             lambda r: f"re-checked {r['rechecked']}, still unavailable {r['still_unavailable']}")

"""`covernote privacy ...`: data subject requests, access packages, portability, erasure, restriction (PRV-3, PRV-4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import (
    JsonOpt,
    context,
    fail,
    format_or_json,
    handles_errors,
    parse_date,
    show,
    write_out,
)
from covernote.privacy.usecases.results import AccessPackage, AccessPackageAnswer, ErasurePlan, RequestView


def _line(v: RequestView) -> str:
    t = v["timing"]
    due = t["effective_due_on"] + (" OVERDUE" if t["overdue"] else "")
    return f"{v['id']}  {v['kind']:<18} {v['status']:<22} customer {v['customer_id']}  due {due}"


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""
    requests_app = typer.Typer(help="Data subject requests (PRV-3): the cases and their due dates.",
                               no_args_is_help=True)
    privacy_app.add_typer(requests_app, name="requests")

    @requests_app.command("list")
    @handles_errors
    def list_cmd(open_only: Annotated[bool, typer.Option("--open", help="Only open cases")] = False,
                 overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue cases")] = False,
                 customer: Annotated[str | None, typer.Option(help="One customer's cases")] = None,
                 as_json: JsonOpt = False) -> None:
        """The work queue, oldest first, with each due date."""
        from covernote.privacy.usecases import requests

        data = requests.list_requests(context(), operator(), customer, open_only, overdue, 500, 0)
        show(data, as_json, lambda d: "\n".join(_line(v) for v in d["requests"]) or "no requests")

    @requests_app.command("show")
    @handles_errors
    def show_cmd(request_id: str, as_json: JsonOpt = False) -> None:
        from covernote.privacy.usecases import requests

        show(requests.get(context(), operator(), request_id), as_json, _line)

    @requests_app.command("start")
    @handles_errors
    def start_cmd(customer_id: str,
                  kind: Annotated[str, typer.Option(help="access, rectification, erasure, restriction, objection, "
                                                         "portability, consent_withdrawal, death_directive")],
                  channel: Annotated[str, typer.Option(help="email, post, phone, in_person")],
                  received_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
                  details: Annotated[str, typer.Option(help="JSON object: corrections, ground, to, directive")] = "{}",
                  identity_method: Annotated[str | None, typer.Option(help="How identity was checked, if done")] = None,
                  nation: str = "ENG", as_json: JsonOpt = False) -> None:
        """Record a request received by post, phone, e-mail or in person."""
        from covernote.privacy.usecases import requests

        try:
            parsed = json.loads(details)
        except json.JSONDecodeError as exc:
            fail("--details is not valid JSON", [("--details", str(exc))])
        if not isinstance(parsed, dict):
            fail("--details must be a JSON object", [("--details", "use {...}")])
        received = parse_date(received_on, "--received-on") if received_on else None
        show(requests.start(context(), operator(), customer_id, kind=kind, details=parsed, channel=channel,
                            received_on=received, nation=nation, identity_method=identity_method), as_json, _line)

    @privacy_app.command("access-package")
    @handles_errors
    def access_package_cmd(customer_id: str,
                           fmt: Annotated[str, typer.Option("--format", help="json or html")] = "json",
                           request: Annotated[str | None, typer.Option(help="Answer this access request")] = None,
                           output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
                           as_json: JsonOpt = False) -> None:
        """Export the access package of one customer (PRV-3): every record, purposes, recipients, retention."""
        from covernote.privacy.usecases import subject_access

        fmt = format_or_json(fmt, as_json, "json")
        if fmt not in ("json", "html"):
            fail("unknown format", [("--format", "use json or html")])
        ctx = context()
        if request:
            from covernote.privacy.usecases import requests

            # Checked before the package is made: making it answers (completes) the request.
            if requests.get(ctx, operator(), request)["customer_id"] != customer_id:
                fail("the request is for another customer", [("--request", "not this customer's request")])
            package: AccessPackage | AccessPackageAnswer = subject_access.access_package(ctx, operator(), request)
        else:
            package = subject_access.package_for_customer(ctx, operator(), customer_id)
        write_out(subject_access.package_html(package) if fmt == "html" else json.dumps(package, indent=2, default=str),
               output)

    @privacy_app.command("package-document")
    @handles_errors
    def package_document_cmd(request_id: Annotated[str, typer.Argument(help="An access request")],
                             as_json: JsonOpt = False) -> None:
        """The access request's package as an issued document (issue 14): made and stored the first time (which
        answers the request), then the same one; get its PDF with `covernote documents get DOC --format pdf`."""
        from covernote.privacy.usecases import subject_access

        show(subject_access.package_document(context(), operator(), request_id), as_json,
             lambda d: f"{d['id']}  {d['title']}  issued {d['created_at']}  "
                       f"({', '.join(f['format'] for f in d['formats'])})")

    @privacy_app.command("erasure-plan")
    @handles_errors
    def erasure_plan_cmd(request_id: str, as_json: JsonOpt = False) -> None:
        """The dry run of an erasure request: what would go, what stays and why, effects on live cover."""
        from covernote.privacy.usecases import erasure

        plan = erasure.plan(context(), operator(), request_id)
        show(plan, as_json, _plan_text)

    @privacy_app.command("erase")
    @handles_errors
    def erase_cmd(request_id: str, fingerprint: Annotated[str, typer.Option(help="From erasure-plan")],
                  as_json: JsonOpt = False) -> None:
        """Apply an erasure exactly as planned."""
        from covernote.privacy.usecases import erasure

        show(erasure.apply(context(), operator(), request_id, fingerprint), as_json, _plan_text)


def _plan_text(p: ErasurePlan) -> str:
    lines = [f"{'plan' if p['dry_run'] else 'erased'} {p['fingerprint']} for request {p['request_id']}"]
    if p["dry_run"] and not p["erased"] and not p["rows_deleted"]:
        lines.append("  nothing would be erased: every record is kept (below), so `privacy erase` will refuse this "
                     "plan and leave the request in progress")
    lines += [f"  erase {e['table']}.{e['field']} ({e['strategy']}) x{e['values']}" for e in p["erased"]]
    lines += [f"  keep  {k['table']}.{k['field']}: {k['reason']}" for k in p["kept"]]
    lines += [f"  warning: {w}" for w in p["warnings"]]
    lines += [f"  tell: {r.get('recipient', r)}" for r in p["recipients_to_tell"]]
    return "\n".join(lines)

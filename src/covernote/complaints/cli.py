"""`covernote complaints ...`: complaints (CMP-1..5) and their letters (DOC-2); and
`covernote jobs complaints-eight-week`.

    covernote complaints add --kind claim|sales_service --description ... --name ... --address ...
                             [--postcode --phone --email --policy NUMBER --customer ID
                              --received-via letter|email|phone|web --received-at 2026-12-01T09:30
                              --alternative-format large_print|audio|braille]
    covernote complaints show|list|codes
    covernote complaints acknowledge ID [--channel post|email]
    covernote complaints progress ID --note ... [--letter]
    covernote complaints resolve ID --resolution ... --root-cause CODE        (summary resolution)
    covernote complaints final-response ID --outcome upheld --explanation ... --root-cause CODE [--redress 50.00]
    covernote complaints withdraw ID --reason ...
    covernote complaints format ID large_print|audio|braille|standard
    covernote complaints letters ID
    covernote complaints letter ID LETTER_ID [--format text|html|json] [--output FILE]
    covernote complaints report [--from D --to D] [--format text|json|csv] [--output FILE]
    covernote jobs complaints-eight-week

Errors name the field and the reason and exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.complaints.domain import NewComplaint
from covernote.complaints.results import ComplaintList, ComplaintView, RecordedComplaint
from covernote.complaints.usecases import complaints
from covernote.identity.usecases import operator
from covernote.interfaces.cli import (
    JsonOpt,
    context,
    fail,
    format_or_json,
    handles_errors,
    parse_moment,
    parse_optional_date,
    show,
    write_out,
)
from covernote.kernel.clock import LONDON


def _codes_text(d: dict[str, Any]) -> str:
    """Each list of codes on a line: the code (and its name where it has one)."""
    def item(x: Any) -> str:
        return f"{x['code']} ({x['name']})" if isinstance(x, dict) and "name" in x else str(
            x["code"] if isinstance(x, dict) else x)

    return "\n".join(f"{key}: {', '.join(item(x) for x in values)}" for key, values in d.items())


def _received_at(value: str | None) -> datetime | None:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+00:00]; without a zone, UK time."""
    if value is None:
        return None
    at = parse_moment(value, "--received-at", "use YYYY-MM-DDTHH:MM (UK time)")
    return at.replace(tzinfo=LONDON) if at.tzinfo is None else at


def _summary(c: ComplaintView) -> str:
    lines = [f"{c['id']}  {c['status'].upper()}  {c['kind_name']} -> {c['team_name']} ({c['team']})",
             f"  from {c['complainant']['name']}, received {c['received_at']} by {c['received_via']}"
             + (f", policy {c['policy_number']}" if c["policy_number"] else "")
             + (f", responses in {c['alternative_format']}" if c["alternative_format"] else ""),
             f"  {c['description'][:200]}"]
    if c["outcome"]:
        lines.append(f"  outcome {c['outcome']}, redress {c['redress'] or '-'}, root cause {c['root_cause']}")
    if c["fos_refer_by"]:
        lines.append(f"  may refer to the Financial Ombudsman Service until {c['fos_refer_by']}")
    lines += [f"  clock {d['rule']:30} due {d['due_text']}  {d['state']}" for d in c["clocks"]]
    lines += [f"  letter {x['id']}  {x['kind']:18} {x['format']:11} {x['channel']:5} sent {x['sent_at']}"
              for x in c["letters"]]
    return "\n".join(lines)


def _recorded_summary(c: RecordedComplaint) -> str:
    return "\n".join([_summary(c), *[f"  warning: {w}" for w in c["warnings"]]])


def _list_summary(d: ComplaintList) -> str:
    rows = [f"{c['id']}  {c['status']:19} {c['team']:25} {c['received_at'][:16]}  {c['name']}"
            + "".join(f"  {k.split('.')[-1]}={v}" for k, v in c["clocks"].items())
            for c in d["complaints"]]
    return "\n".join(rows) or "no complaints"


def _report_summary(r: Mapping[str, Any]) -> str:  # read by dimension name
    t = r["total"]
    lines = [f"Complaints received {r['from'] or 'ever'} to {r['to'] or 'now'}, as at {r['as_at']}: "
             f"{t['complaints']} ({t['open']} open, {t['closed']} closed), redress {t['redress_total']}",
             f"  acknowledgement: {t['acknowledgement']['met_on_time']} on time, {t['acknowledgement']['breached']} "
             f"breached, {t['acknowledgement']['open']} open",
             f"  final response:  {t['final_response']['met_on_time']} on time, {t['final_response']['breached']} "
             f"breached, {t['final_response']['open']} open; {t['summary_resolutions']} summary resolutions, "
             f"{t['eight_week_letters']} eight-week letters"]
    for dim in ("product", "kind", "root_cause", "outcome"):
        lines.append(f"by {dim}:")
        lines += [f"  {f[dim]:28} {f['complaints']:>5}  ack on time {f['acknowledgement']['met_on_time']:>4} "
                  f"breached {f['acknowledgement']['breached']:>4}  final on time {f['final_response']['met_on_time']:>4} "
                  f"breached {f['final_response']['breached']:>4}" for f in r[f"by_{dim}"]]
    return "\n".join(lines)


def register(app: typer.Typer, jobs_app: typer.Typer) -> None:
    """Add `covernote complaints` and `covernote jobs complaints-eight-week`."""
    cmp_app = typer.Typer(help="Complaints (CMP-1..5): record, acknowledge, resolve, final response, letters, "
                               "report.", no_args_is_help=True)
    app.add_typer(cmp_app, name="complaints")

    @cmp_app.command("add")
    @handles_errors
    def add(kind: Annotated[str, typer.Option(help="claim or sales_service")],
            description: Annotated[str, typer.Option(help="What is wrong, in the complainant's words")],
            name: Annotated[str, typer.Option(help="The complainant's name")],
            address: Annotated[str, typer.Option(help="The complainant's address")],
            postcode: Annotated[str | None, typer.Option(help="Gives the nation's working days")] = None,
            phone: Annotated[str | None, typer.Option(help="A daytime telephone number")] = None,
            email: Annotated[str | None, typer.Option(help="For letters by e-mail")] = None,
            policy: Annotated[str | None, typer.Option(help="The policy number, if any")] = None,
            customer: Annotated[str | None, typer.Option(help="The customer id, if known")] = None,
            received_via: Annotated[str, typer.Option(help="letter, email, phone or web")] = "letter",
            received_at: Annotated[str | None, typer.Option(help="When received, UK time (default now)")] = None,
            alternative_format: Annotated[str | None, typer.Option(help="large_print, audio or braille")] = None,
            product: Annotated[str | None, typer.Option(
                help="The product complained about when no policy is given (its brand writes the letters)")] = None,
            as_json: JsonOpt = False) -> None:
        """Record a complaint, route it by kind and start its clocks."""
        inp = NewComplaint(kind, description, name, address, received_via, _received_at(received_at), postcode,
                           phone, email, policy, customer, alternative_format, product)
        show(complaints.record(context(), operator(), inp), as_json, _recorded_summary)

    @cmp_app.command("show")
    @handles_errors
    def show_one(complaint_id: str, as_json: JsonOpt = False) -> None:
        show(complaints.get(context(), operator(), complaint_id), as_json, _summary)

    @cmp_app.command("list")
    @handles_errors
    def list_(status: Annotated[str | None, typer.Option(help="received, acknowledged, resolved, ...")] = None,
              team: Annotated[str | None, typer.Option(help="complaints_claims or complaints_sales_service")] = None,
              limit: int = 50, offset: int = 0, as_json: JsonOpt = False) -> None:
        show(complaints.list_complaints(context(), operator(), status, team, limit, offset), as_json, _list_summary)

    @cmp_app.command("codes")
    @handles_errors
    def codes(as_json: JsonOpt = False) -> None:
        """Kinds, channels, formats, outcomes and root causes."""
        show(complaints.codes(), as_json, _codes_text)

    @cmp_app.command("acknowledge")
    @handles_errors
    def acknowledge(complaint_id: str, channel: Annotated[str | None, typer.Option(help="post or email")] = None,
                    fmt: Annotated[str | None, typer.Option("--format", help="Only the complainant's own")] = None,
                    as_json: JsonOpt = False) -> None:
        """Send the written acknowledgement (CMP-2)."""
        show(complaints.acknowledge(context(), operator(), complaint_id, channel, fmt), as_json, _summary)

    @cmp_app.command("progress")
    @handles_errors
    def progress(complaint_id: str, note: Annotated[str, typer.Option(help="The update, for the complainant")],
                 letter: Annotated[bool, typer.Option(help="Also write to the complainant")] = False,
                 channel: Annotated[str | None, typer.Option(help="post or email")] = None,
                 as_json: JsonOpt = False) -> None:
        show(complaints.progress(context(), operator(), complaint_id, note, letter, channel), as_json, _summary)

    @cmp_app.command("resolve")
    @handles_errors
    def resolve(complaint_id: str, resolution: Annotated[str, typer.Option(help="How it was resolved")],
                root_cause: Annotated[str, typer.Option(help="A root-cause code (complaints codes)")],
                root_cause_note: Annotated[str | None, typer.Option(help="Note on the cause")] = None,
                channel: Annotated[str | None, typer.Option(help="post or email")] = None,
                as_json: JsonOpt = False) -> None:
        """Summary resolution communication: only by the end of the third business day (DISP 1.5)."""
        show(complaints.resolve_summary(context(), operator(), complaint_id, resolution, root_cause, root_cause_note,
                                        channel), as_json, _summary)

    @cmp_app.command("final-response")
    @handles_errors
    def final(complaint_id: str, outcome: Annotated[str, typer.Option(help="upheld, partly_upheld or not_upheld")],
              explanation: Annotated[str, typer.Option(help="The reasons, for the complainant")],
              root_cause: Annotated[str, typer.Option(help="A root-cause code (complaints codes)")],
              redress: Annotated[str | None, typer.Option(help="A payment, e.g. 150.00")] = None,
              root_cause_note: Annotated[str | None, typer.Option(help="Note on the cause")] = None,
              channel: Annotated[str | None, typer.Option(help="post or email")] = None,
              as_json: JsonOpt = False) -> None:
        """Send the final response, with the right to refer to the Financial Ombudsman Service (CMP-3)."""
        show(complaints.final_response(context(), operator(), complaint_id, outcome, explanation, root_cause, redress,
                                       root_cause_note, channel), as_json, _summary)

    @cmp_app.command("withdraw")
    @handles_errors
    def withdraw(complaint_id: str, reason: Annotated[str, typer.Option(help="What the complainant said")],
                 as_json: JsonOpt = False) -> None:
        show(complaints.withdraw(context(), operator(), complaint_id, reason), as_json, _summary)

    @cmp_app.command("format")
    @handles_errors
    def set_format(complaint_id: str,
                   fmt: Annotated[str, typer.Argument(help="standard, large_print, audio or braille")],
                   as_json: JsonOpt = False) -> None:
        """Record the format the complainant wants responses in (CMP-4)."""
        show(complaints.set_format(context(), operator(), complaint_id, fmt), as_json, _summary)

    @cmp_app.command("letters")
    @handles_errors
    def letters(complaint_id: str, as_json: JsonOpt = False) -> None:
        show(complaints.letters(context(), operator(), complaint_id), as_json, lambda d: "\n".join(
            f"{x['id']}  {x['kind']:18} {x['format']:11} {x['channel']:5} sent {x['sent_at']}"
            for x in d["letters"]) or "no letters")

    @cmp_app.command("documents")
    @handles_errors
    def documents(complaint_id: str, as_json: JsonOpt = False) -> None:
        """The complaint's letters as issued documents (issue 14), issuing any still missing; get one's PDF with
        `covernote documents get DOC --format pdf --out FILE`."""
        show(complaints.documents_of(context(), operator(), complaint_id), as_json, lambda d: "\n".join(
            f"{x['id']}  {x['title']:40} letter {x['subject']}  issued {x['created_at']}" for x in d["documents"])
            or "no letters")

    @cmp_app.command("letter")
    @handles_errors
    def letter(complaint_id: str, letter_id: str,
               fmt: Annotated[str, typer.Option("--format", help="text, html or json")] = "text",
               output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
               as_json: JsonOpt = False) -> None:
        """A letter as it was sent."""
        fmt = format_or_json(fmt, as_json, "text")
        if fmt not in ("text", "html", "json"):
            fail("unknown format", [("--format", "use text, html or json")])
        found = complaints.letter(context(), operator(), complaint_id, letter_id)
        text = (found.body_html if fmt == "html" else found.body if fmt == "text"
                else json.dumps(complaints.letter_view(found, with_body=True), indent=2) + "\n")
        write_out(text, output)

    @cmp_app.command("report")
    @handles_errors
    def report(start: Annotated[str | None, typer.Option("--from", help="First day received, YYYY-MM-DD")] = None,
               end: Annotated[str | None, typer.Option("--to", help="The day after the last, YYYY-MM-DD")] = None,
               fmt: Annotated[str, typer.Option("--format", help="text, json or csv")] = "text",
               output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
               as_json: JsonOpt = False) -> None:
        """Complaints per product, kind, root cause and outcome, with clocks met on time and breached."""
        fmt = format_or_json(fmt, as_json, "text")
        if fmt not in ("text", "json", "csv"):
            fail("unknown format", [("--format", "use text, json or csv")])
        data = complaints.report(context(), operator(), parse_optional_date(start, "--from"),
                                 parse_optional_date(end, "--to"))
        text = (complaints.report_csv(data) if fmt == "csv" else json.dumps(data, indent=2) + "\n" if fmt == "json"
                else _report_summary(data) + "\n")
        write_out(text, output)

    @jobs_app.command("complaints-eight-week")
    @handles_errors
    def eight_week(as_json: JsonOpt = False) -> None:
        """Send the eight-week letter (the right to refer to the Financial Ombudsman Service now) for each
        complaint past its final-response date without a final response; once each. Exit 1 if any failed."""
        result = complaints.send_eight_week_letters(context(), operator())
        show(result, as_json, lambda r: "\n".join(
            [f"eight-week letters as at {r['as_at']}: {len(r['sent'])} sent, {r['summary_windows_closed']} summary "
             f"resolution windows closed, {len(r['errors'])} failed"]
            + [f"  {s['complaint_id']}  letter {s['letter_id']} ({s['format']}, {s['channel']})" for s in r["sent"]]
            + [f"  FAILED {e['complaint_id']}: {e['message']}" for e in r["errors"]]))
        if result["errors"]:
            raise typer.Exit(1)

"""`covernote billing dd ...`: direct debit through Bacs (PAY-6): lodge mandates, send the advance notices, run
the collections, process the bureau's reports, and the collections and returns reports (text, JSON or CSV)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.billing.usecases import direct_debit as dd
from covernote.billing.usecases import direct_debit_views as dd_views
from covernote.identity.usecases import operator
from covernote.interfaces.cli import (
    JsonOpt,
    context,
    fail,
    format_or_json,
    handles_errors,
    parse_date,
    parse_optional_date,
    show,
    write_out,
)
from covernote.interfaces.progress import terminal_progress

AsOf = Annotated[str | None, typer.Option("--as-of", help="The day to run for, YYYY-MM-DD (default today)")]


def _status(r: dict[str, Any]) -> str:
    line = f"{r['status']}"
    if r.get("submission_id"):
        line += f": submission {r['submission_id']}"
    if r.get("bureau_reference"):
        line += f", bureau reference {r['bureau_reference']}"
    if r.get("message"):
        line += f" ({r['message']})"
    return line


def register(billing_app: typer.Typer) -> None:
    """Add `covernote billing dd` and its commands to `covernote billing`."""
    dd_app = typer.Typer(help="Direct debit through Bacs (PAY-6).", no_args_is_help=True)
    billing_app.add_typer(dd_app, name="dd")

    @dd_app.command("lodge")
    @handles_errors
    def lodge(as_of: AsOf = None, as_json: JsonOpt = False) -> None:
        """Make mandates for direct debit plans without one and lodge them with Bacs (AUDDIS 0N)."""
        with terminal_progress() as progress:
            r = dd.lodge_mandates(context(), operator(), parse_optional_date(as_of, "--as-of"), progress)
        show(r, as_json, lambda r: f"{r['mandates_created']} mandates made, {r['lodged']} lodged, "
                                   f"{r['mandates_activated']} made active; {_status(r)}")

    @dd_app.command("notices")
    @handles_errors
    def notices(as_of: AsOf = None, as_json: JsonOpt = False) -> None:
        """Send the advance notices of the instalments coming due (one schedule letter per plan)."""
        with terminal_progress() as progress:
            r = dd.send_notices(context(), operator(), parse_optional_date(as_of, "--as-of"), progress)
        show(r, as_json, lambda r: f"{r['notices']} instalments notified in {r['letters']} letters "
                                   f"({r['notice_working_days']} working days' notice)")

    @dd_app.command("collect")
    @handles_errors
    def collect(as_of: AsOf = None, as_json: JsonOpt = False) -> None:
        """The collection run for the day's Bacs input: present, post and submit. Safe to rerun."""
        with terminal_progress() as progress:
            r = dd.run_collections(context(), operator(), parse_optional_date(as_of, "--as-of"), progress)
        show(r, as_json, lambda r: f"{r['collected']} collections, {r['total']} GBP, entry day {r['entry_on']}; "
                                   f"{_status(r)}")
        if r["status"] in ("unavailable", "rejected"):
            raise typer.Exit(1)

    @dd_app.command("returns")
    @handles_errors
    def returns(as_of: AsOf = None, as_json: JsonOpt = False) -> None:
        """Fetch and process the bureau's ARUDD, ADDACS and AUDDIS reports (each file once)."""
        with terminal_progress() as progress:
            r = dd.process_reports(context(), operator(), parse_optional_date(as_of, "--as-of"), progress=progress)
        show(r, as_json, lambda r: f"{r['files']} report files processed ({r['already_processed']} seen before): "
                                   f"{r['returns']} returns, {r['mandate_changes']} mandate changes, "
                                   f"{r['unmatched']} unmatched")

    @dd_app.command("report")
    @handles_errors
    def report(kind: Annotated[str, typer.Argument(help="collections or returns")],
               start: Annotated[str | None, typer.Option("--from", help="collections: first entry day")] = None,
               end: Annotated[str | None, typer.Option("--to", help="collections: last entry day")] = None,
               status: Annotated[str | None, typer.Option(help="returns: recorded, handled or unmatched")] = None,
               fmt: Annotated[str, typer.Option("--format", help="text, json or csv")] = "text",
               output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
               as_json: JsonOpt = False) -> None:
        """The collections (entry days --from..--to) or the returns recorded, as text, JSON or CSV."""
        fmt = format_or_json(fmt, as_json, "text")
        if fmt not in ("text", "json", "csv"):
            fail("unknown format", [("--format", "use text, json or csv")])
        rows: Any
        columns: tuple[str, ...]
        if kind == "collections":
            if start is None or end is None:
                fail("the collections report needs a period", [("--from", "YYYY-MM-DD"), ("--to", "YYYY-MM-DD")])
            rows = dd_views.collections_between(context(), operator(), parse_date(str(start), "--from"),
                                          parse_date(str(end), "--to"))
            columns = dd_views.COLLECTION_COLUMNS
        elif kind == "returns":
            rows = dd_views.returns_list(context(), operator(), status)
            columns = dd_views.RETURN_COLUMNS
        else:
            fail("unknown report", [("kind", "collections or returns")])
        if fmt == "csv":
            write_out(dd_views.as_csv(rows, columns), output)
        elif fmt == "json":
            write_out(json.dumps(rows, indent=2) + "\n", output)
        else:
            lines = [" ".join(str(row[c]) for c in columns[:11]) for row in rows] or ["none"]
            write_out("\n".join(lines) + "\n", output)

"""`covernote privacy ...`: Retention: the sweep, dealership settings and the record of processing (PRV-1, PRV-5).
The daily jobs that run the sweep with the others are `covernote jobs daily` (covernote/jobs/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import (
    JsonOpt,
    context,
    format_or_json,
    handles_errors,
    parse_optional_date,
    show,
)
from covernote.interfaces.progress import terminal_progress
from covernote.privacy.usecases import processing_record, retention
from covernote.privacy.usecases.results_retention import RetentionRunView, RetentionSettings, SweepAnswer


def _sweep_summary(run: SweepAnswer) -> str:
    r = run["report"]
    head = "dry run: nothing was written" if r["dry_run"] else f"retention run {run['id']} ({run['status']})"
    lines = [f"{head}; as of {r['as_of']}; {r['batches']} batch(es) of up to {r['batch_size']}"]
    lines += [f"  {k:26} {v}" for k, v in r["totals"]["done"].items()]
    held = r["totals"]["held"]
    lines.append(f"  held: {held['legal_hold']} under a legal hold, {held['fraud_marker']} under a fraud marker")
    lines += [f"  {t['rule']:32} {t['record_kind']:15} done {t['done']:6}  held "
              f"{t['held']['legal_hold'] + t['held']['fraud_marker']:4}  {t['period']}"
              for t in r["rules"] if t["done"] or t["held"]["legal_hold"] or t["held"]["fraud_marker"]]
    lines += [f"  {n['product']:18} {n['category']:24} {n['note']}" for n in r["not_held"]]
    lines += [f"  ERROR in {e['stage']}: {e['error']} {e['message'] or ''}" for e in r["errors"]]
    return "\n".join(lines)


def _runs_summary(runs: list[RetentionRunView]) -> str:
    return "\n".join(f"{r['id']}  {r['as_of']}  {r['status']:9} started {r['started_at'][:19]} by {r['started_by']}  "
                     + ", ".join(f"{k} {v}" for k, v in r["report"].get("totals", {}).get("done", {}).items() if v)
                     for r in runs) or "no retention runs yet"


def _settings_summary(data: RetentionSettings) -> str:
    lines = [f"{c['category']:14} {c['rule']}  ({c['product']})" for c in data["categories"]]
    lines += [f"  {s['dealership_id']:20} {s['category']:14} {s['years']} years: {s['rule']}" for s in data["settings"]]
    return "\n".join(lines)


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""

    @privacy_app.command("sweep")
    @handles_errors
    def sweep(as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today; never a future day")] = None,
              dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be done; write nothing")] = False,
              batch: Annotated[int, typer.Option(help="Records per unit of work")] = retention.DEFAULT_BATCH,
              report: Annotated[Path | None, typer.Option(help="Also write the report to this file, as JSON")] = None,
              as_json: JsonOpt = False) -> None:
        """Apply every retention rule due (PRV-5): delete quotes never taken up, anonymise ended policies and
        people with nothing left to keep. Idempotent, safe to stop and rerun. Exit 1 if a batch failed."""
        with terminal_progress() as progress:
            result = retention.sweep(context(), operator(), parse_optional_date(as_of, "as_of"), dry_run, batch,
                                     progress)
        if report is not None:
            report.write_text(json.dumps(result, indent=2), encoding="utf-8")
        show(result, as_json, _sweep_summary)
        if result["report"]["errors"]:
            raise typer.Exit(1)

    @privacy_app.command("record-of-processing")
    @handles_errors
    def record_of_processing(
            product: Annotated[str | None, typer.Option(help="A product code (ECO) or version (ECO@2024.1)")] = None,
            fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
            output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
            as_json: JsonOpt = False) -> None:
        """Export the record of processing per product (PRV-1): categories of personal data, purposes and
        lawful bases, recipients and retention."""
        fmt = format_or_json(fmt, as_json, "json")
        processing_record.check_format(fmt)
        ctx = context()
        text = (processing_record.record_of_processing_csv(ctx, operator(), product) if fmt == "csv"
                else json.dumps(processing_record.record_of_processing(ctx, operator(), product), indent=2))
        if output is None:
            typer.echo(text, nl=fmt == "json")
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {output}")

    retention_app = typer.Typer(help="Retention runs and dealership retention settings (PRV-5).", no_args_is_help=True)
    privacy_app.add_typer(retention_app, name="retention")

    @retention_app.command("runs")
    @handles_errors
    def runs(limit: int = 20, as_json: JsonOpt = False) -> None:
        """Retention sweeps, newest first."""
        show(retention.list_runs(context(), operator(), limit, 0), as_json, _runs_summary)

    @retention_app.command("show")
    @handles_errors
    def show_run(run_id: str, as_json: JsonOpt = False) -> None:
        """One retention sweep and its report."""
        show(retention.get_run(context(), operator(), run_id), as_json, _sweep_summary)

    @retention_app.command("settings")
    @handles_errors
    def settings(as_json: JsonOpt = False) -> None:
        """The categories each dealership sets (floor and ceiling) and the periods dealerships chose."""
        show(retention.list_settings(context(), operator()), as_json, _settings_summary)

    @retention_app.command("set")
    @handles_errors
    def set_setting(dealership_id: str, category: str, years: Annotated[int, typer.Option(help="Whole years")],
                    as_json: JsonOpt = False) -> None:
        """Record the period DEALERSHIP_ID chose for CATEGORY (e.g. FullCycle), within its floor and ceiling."""
        data = retention.put_setting(context(), operator(), dealership_id, category, years)
        show(data, as_json, lambda d: f"{d['dealership_id']} {d['category']}: {d['years']} years ({d['rule']})")

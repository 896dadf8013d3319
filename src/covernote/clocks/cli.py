"""`covernote clocks ...`: the clock engine (issue 5): the rules, what is due soon or overdue, each team's
figures, one deadline with its working, and pausing or resuming a clock."""

from __future__ import annotations

from typing import Annotated

import typer

from covernote.clocks import usecases as clocks
from covernote.clocks.results import DeadlineFigures, DeadlineReport, DeadlineView
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, parse_optional_date, show


def _line(d: DeadlineView) -> str:
    return (f"  {d['due_text']:34} {d['state']:11} {d['team']:25} {d['name']} "
            f"({d['subject_kind']} {d['subject_id']})  {d['id']}")


def _report_summary(r: DeadlineReport) -> str:
    lines = [f"As at {r['as_at']}: {len(r['overdue'])} overdue, {len(r['due_soon'])} due within "
             f"{r['within_hours']} hours" + (" (first 1000 only)" if r["truncated"] else "")]
    if r["overdue"]:
        lines += ["OVERDUE", *[_line(d) for d in r["overdue"]]]
    if r["due_soon"]:
        lines += ["DUE SOON", *[_line(d) for d in r["due_soon"]]]
    return "\n".join(lines)


def _figures_summary(r: DeadlineFigures) -> str:
    lines = [f"Deadlines started {r['from'] or 'ever'} to {r['to'] or 'now'}, as at {r['as_at']}:",
             f"  {'team':28} {'met on time':>11} {'breached':>9} {'open':>6} {'due soon':>9}"]
    lines += [f"  {t['team']:28} {t['met_on_time']:>11} {t['breached']:>9} {t['open']:>6} {t['due_soon']:>9}"
              for t in r["teams"]]
    return "\n".join(lines)


def _deadline_summary(d: DeadlineView) -> str:
    lines = [f"{d['id']}  {d['rule_text']}", f"  {d['subject_kind']} {d['subject_id']}, team {d['team']}, "
             f"nation {d['nation']}", f"  started {d['started_at']}; due {d['due_text']}; {d['state']}"]
    lines += [f"  {x}" for x in d["explanation"]]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `covernote clocks` and its commands."""
    clocks_app = typer.Typer(help="Deadlines: due soon, overdue, team figures (claims, complaints, MID...).",
                             no_args_is_help=True)
    app.add_typer(clocks_app, name="clocks")

    @clocks_app.command("rules")
    @handles_errors
    def rules(as_json: JsonOpt = False) -> None:
        """Every clock rule with its unit, team and source."""
        show(clocks.rules_view(), as_json, lambda rs: "\n".join(f"{r['code']:30} {r['text']}" for r in rs))

    @clocks_app.command("report")
    @handles_errors
    def report(within_hours: Annotated[int, typer.Option(help="Due within this many hours counts as due soon")] = 48,
               team: Annotated[str | None, typer.Option(help="One team only")] = None,
               as_json: JsonOpt = False) -> None:
        """Deadlines overdue now and due soon, soonest first."""
        show(clocks.report(context(), operator(), within_hours, team), as_json, _report_summary)

    @clocks_app.command("figures")
    @handles_errors
    def figures(start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD")] = None,
                end: Annotated[str | None, typer.Option("--to", help="The day after the last, YYYY-MM-DD")] = None,
                team: Annotated[str | None, typer.Option(help="One team only")] = None,
                as_json: JsonOpt = False) -> None:
        """Per team: met on time, breached and open."""
        show(clocks.figures(context(), operator(), parse_optional_date(start, "--from"),
                            parse_optional_date(end, "--to"), team), as_json, _figures_summary)

    @clocks_app.command("show")
    @handles_errors
    def show_one(deadline_id: str, as_json: JsonOpt = False) -> None:
        """One deadline and how its due date was worked out."""
        show(clocks.get(context(), operator(), deadline_id), as_json, _deadline_summary)

    @clocks_app.command("pause")
    @handles_errors
    def pause(deadline_id: str, reason: Annotated[str, typer.Option(help="What the clock waits for")],
              as_json: JsonOpt = False) -> None:
        """Stop a clock while waiting; the due date moves on by the pause."""
        show(clocks.pause(context(), operator(), deadline_id, reason), as_json, _deadline_summary)

    @clocks_app.command("resume")
    @handles_errors
    def resume(deadline_id: str, as_json: JsonOpt = False) -> None:
        show(clocks.resume(context(), operator(), deadline_id), as_json, _deadline_summary)

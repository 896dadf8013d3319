"""`covernote jobs daily` and `covernote jobs scheduler`: every daily job once, in order, or an opt-in in-process scheduler (an edge, like the CLI and the API)."""

from __future__ import annotations

import threading
from datetime import time
from typing import Annotated

import typer

from covernote.interfaces.cli import (
    JsonOpt,
    context,
    fail,
    handles_errors,
    parse_optional_date,
    show,
)
from covernote.interfaces.progress import terminal_progress
from covernote.jobs.daily import DailyScheduler, run_daily
from covernote.platform.observability import configure_logging


def register_jobs(jobs_app: typer.Typer) -> None:
    """Add `covernote jobs daily` and `covernote jobs scheduler`."""

    @jobs_app.command("daily")
    @handles_errors
    def daily(as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
              as_json: JsonOpt = False) -> None:
        """Run every daily job once, in order: renewal invitations, auto-renewals, the eight-week complaint
        letters, fraud re-checks, MID and CUE sends, the retention sweep.
        For cron or a systemd timer. Exit 1 if a job failed (the others still ran)."""
        configure_logging("WARNING")  # JSON lines on stderr: failures; COVERNOTE_LOG_LEVEL=INFO adds each job's run
        with terminal_progress() as progress:  # a bar per long job on a terminal; nothing extra otherwise
            result = run_daily(context(), parse_optional_date(as_of, "as_of"), progress=progress)
        show(result, as_json, lambda d: "\n".join(
            [f"daily jobs for {d['as_of']}: {'ok' if d['ok'] else 'FAILED'}"]
            + [f"  {name:20} {'ok' if j['ok'] else 'FAILED: ' + j['error'] + ' ' + j['message']}"
               for name, j in d["jobs"].items()]))
        if not result["ok"]:
            raise typer.Exit(1)

    @jobs_app.command("scheduler")
    @handles_errors
    def scheduler(at: Annotated[str, typer.Option(help="HH:MM, London time")] = "02:00",
                  poll: Annotated[float, typer.Option(help="Seconds between checks", min=1)] = 60.0) -> None:
        """Stay running and run the daily jobs once a day at AT (an alternative to cron; opt-in)."""
        try:
            run_at = time.fromisoformat(at)
        except ValueError:
            fail(f"{at!r} is not a time", [("at", "use HH:MM")])
            return
        configure_logging()  # a long-running process: each job's run and any failure as JSON lines on stderr
        typer.echo(f"running the daily jobs every day at {run_at.isoformat('minutes')} London time; Ctrl-C stops")
        stop = threading.Event()
        try:
            DailyScheduler(context(), run_at).run_forever(stop, poll)
        except KeyboardInterrupt:
            stop.set()

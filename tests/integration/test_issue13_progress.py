"""Issue 13 item 24 (UX-5): the long jobs (daily jobs, renewals, the retention sweep, MID and CUE sends)
tell their progress through a callback; the command line draws it as bars with counts and rate, then a
summary line, on a terminal only."""

from __future__ import annotations

import io
from typing import Any

from covernote.billing.usecases import arrears
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM
from covernote.interfaces.progress import terminal_progress
from covernote.jobs.daily import DAILY_TASK, run_daily
from covernote.lifecycle.usecases import renewals
from covernote.platform.context import AppContext
from covernote.privacy.usecases import retention
from covernote.regulatory.usecases import cue, mid
from tests.support import bind


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, task: str, done: int, total: int | None = None) -> None:
        self.calls.append((task, done, total))

    def of(self, task: str) -> list[tuple[int, int | None]]:
        return [(d, t) for name, d, t in self.calls if name == task]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_issue13_item24_ux5_mid_and_cue_sends_count_up_to_their_total(db_ctx: AppContext) -> None:
    bind(db_ctx)
    bind(db_ctx)  # two binds: two MID updates due
    rec = Recorder()
    result = mid.send_pending(db_ctx, SYSTEM, progress=rec)
    done = result["sent"] + result["rejected"] + result["retry_later"] + result["waiting"] + result["skipped"]
    assert done == 2
    assert rec.of(mid.SEND_TASK) == [(0, 2), (1, 2), (2, 2)]
    rec = Recorder()
    cue.send_pending(db_ctx, SYSTEM, progress=rec)
    assert rec.of(cue.SEND_TASK) == [(0, 0)]  # nothing due: the total is said at once


def test_issue13_item24_ux5_daily_jobs_report_each_job_and_the_long_ones_inside(db_ctx: AppContext) -> None:
    bind(db_ctx)
    rec = Recorder()
    result = run_daily(db_ctx, progress=rec)
    assert result["ok"]
    assert rec.of(DAILY_TASK) == [(n, 17) for n in range(18)]  # issue 14 added documents_issue, issue 15 payment_notices, the dd steps and arrears, issue 16 the three telematics steps
    tasks = {name for name, _, _ in rec.calls}
    assert {mid.SEND_TASK, cue.SEND_TASK, retention.SWEEP_TASK, renewals.INVITATIONS_TASK,
            renewals.AUTO_RENEWALS_TASK, documents.ISSUE_TASK, arrears.RUN_TASK} <= tasks


def test_issue13_item24_terminal_shows_bars_and_a_summary_and_a_pipe_nothing(db_ctx: AppContext) -> None:
    bind(db_ctx)
    tty = Tty()
    with terminal_progress(tty) as progress:
        mid.send_pending(db_ctx, SYSTEM, progress=progress)
    shown = tty.getvalue()
    assert f"{mid.SEND_TASK}: 1 in " in shown and "1/1" in shown and "━" in shown
    pipe = io.StringIO()
    with terminal_progress(pipe) as progress:
        bind(db_ctx)
        mid.send_pending(db_ctx, SYSTEM, progress=progress)
    assert pipe.getvalue() == ""


def test_issue13_item24_unknown_totals_still_count_and_rate(db_ctx: AppContext) -> None:
    """The renewal batches do not know their total: the bar counts up with a rate and `?` for the total."""
    tty = Tty()
    with terminal_progress(tty) as progress:
        for n in range(1, 4):
            progress("renewal invitations: policies looked at", n * 500)
    text = tty.getvalue()
    assert "1500/?" in text and "renewal invitations: policies looked at: 1,500 in" in text


def test_issue13_item24_cli_job_on_a_pipe_prints_only_its_report(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from covernote.cli.main import app

    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    result = CliRunner().invoke(app, ["jobs", "daily"], env=env)
    out = result.output
    assert result.exit_code == 0, out
    assert out.startswith("daily jobs for ") and "/s" not in out and "━" not in out

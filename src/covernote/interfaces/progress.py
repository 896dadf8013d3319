"""Progress of a long job on the operator's terminal (issue 13 item 24, UX-5): a bar per task with its
count, rate and time, then one summary line per task. When standard output is not a terminal (cron,
a pipe, a file) nothing extra is written: the command's own report is the summary.

The use cases know nothing of this: they are given a `Progress` callback (platform/progress.py); rich,
which Typer already depends on, draws it here at the edge."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as Bars
from rich.text import Text

from covernote.platform.progress import Progress, no_progress


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f}/s")


def _summary(task: str, done: int, seconds: float) -> str:
    rate = f", {done / seconds:,.1f}/s" if seconds >= 0.1 and done else ""
    return f"{task}: {done:,} in {seconds:.1f} s{rate}"


@contextmanager
def terminal_progress(out: TextIO | None = None) -> Iterator[Progress]:
    """A `Progress` that draws bars on `out` (standard output) when it is a terminal, and prints one
    summary line per task at the end; `no_progress` otherwise."""
    stream = out or sys.stdout
    if not stream.isatty():
        yield no_progress
        return
    console = Console(file=stream, force_terminal=True)
    tasks: dict[str, TaskID] = {}
    counts: dict[str, int] = {}
    started: dict[str, float] = {}
    last: dict[str, float] = {}
    with Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(), TimeElapsedColumn(),
              console=console) as bars:

        def report(task: str, done: int, total: int | None = None) -> None:
            if task not in tasks:
                tasks[task] = bars.add_task(task, total=total)
                started[task] = time.perf_counter()
            bars.update(tasks[task], completed=done, total=total)
            counts[task] = done
            last[task] = time.perf_counter()

        yield report
    for task in tasks:
        console.print(_summary(task, counts[task], last[task] - started[task]), highlight=False)

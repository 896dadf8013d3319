"""How a long job tells its progress (issue 13 item 24, UX-5): a callback the use case is given, never a
terminal library. `progress(task, done, total)` says the job's `task` has done `done` items of `total`
(None while the total is not known); the command line draws it (interfaces/progress.py), anything else
passes `no_progress`."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, task: str, done: int, total: int | None = None) -> None: ...


def no_progress(task: str, done: int, total: int | None = None) -> None:
    """Progress nobody watches."""

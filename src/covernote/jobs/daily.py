"""The daily jobs, in order: renewal invitations, auto-renewals, the documents they and the day's policy
transactions call for (DOC-1: after the renewals, so their notices and schedules are issued the same day), the
continuous payment authority's notices (PAY-3: their letters, then the payments due that day), direct debit (PAY-6:
lodge mandates, send the advance notices, the day's collection run, the Bacs reports), returned direct
debits' arrears (PAY-2: after the reports that hand over the returns: the dunning ladder's steps, its letters, a
cancellation for non-payment), the complaints'
eight-week letters (CMP-3),
fraud checks the agency did not answer (REG-3), the Motor Insurance Database updates and CUE reports waiting
to be sent (REG-1, REG-2; after the renewals, which make MID updates), the retention sweep (PRV-5). The
sends and letters act as at now, whatever day `as_of` names.

`run_daily` runs each once for a day; a job that fails is reported and the next still runs (each is
idempotent and safe to rerun, so the next day's run, or a rerun, carries on). Operators run it from cron
or a systemd timer (`covernote jobs daily`, see docs/operations.md); `DailyScheduler` is the opt-in
in-process alternative for a single long-running process (`covernote jobs scheduler`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from covernote.billing.usecases import arrears, direct_debit
from covernote.billing.usecases import notices as payment_notices
from covernote.complaints.usecases import complaints
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import DomainError, FieldIssue, ValidationFailed
from covernote.lifecycle.usecases import renewals
from covernote.platform.context import AppContext
from covernote.platform.observability import job_timer
from covernote.platform.progress import Progress, no_progress
from covernote.privacy.usecases import retention
from covernote.regulatory.usecases import cue, fraud, mid
from covernote.telematics.usecases import devices as telematics_devices
from covernote.telematics.usecases import rerating as telematics_reviews
from covernote.telematics.usecases import scores as telematics_scores

log = logging.getLogger("covernote.jobs")
Job = Callable[[AppContext, date], Mapping[str, Any]]  # each job's typed report
LongJob = Callable[[AppContext, date, Progress], Mapping[str, Any]]  # one that tells its progress


def _long(job: LongJob) -> Job:
    """A job `run_daily` gives its progress to (`job.with_progress`); called as a Job, it tells nobody."""
    def run(ctx: AppContext, day: date) -> Mapping[str, Any]:
        return job(ctx, day, no_progress)

    run.with_progress = job  # type: ignore[attr-defined]
    return run


@_long
def _renewal_invitations(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return renewals.run_renewal_invitations(ctx, day, progress=progress)


@_long
def _auto_renewals(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return renewals.run_auto_renewals(ctx, day, progress=progress)


@_long
def _retention_sweep(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return retention.sweep(ctx, SYSTEM, day, progress=progress)


@_long
def _arrears(ctx: AppContext, _day: date, progress: Progress) -> Mapping[str, Any]:
    return arrears.run_arrears(ctx, SYSTEM, progress=progress)


@_long
def _documents_issue(ctx: AppContext, _day: date, progress: Progress) -> Mapping[str, Any]:
    return documents.issue_due(ctx, SYSTEM, progress=progress)


@_long
def _payment_notices(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return payment_notices.run_notices(ctx, day, progress=progress)


# Direct debit's steps are skipped, saying why, where no Bacs bureau is configured (the embedded default wires one).
_NO_BUREAU: Mapping[str, Any] = {"skipped": "no Bacs bureau is configured"}


@_long
def _dd_lodge(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return _NO_BUREAU if ctx.bacs is None else direct_debit.lodge_mandates(ctx, SYSTEM, day, progress)


@_long
def _dd_notices(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return _NO_BUREAU if ctx.bacs is None else direct_debit.send_notices(ctx, SYSTEM, day, progress)


@_long
def _dd_collect(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return _NO_BUREAU if ctx.bacs is None else direct_debit.run_collections(ctx, SYSTEM, day, progress)


@_long
def _dd_reports(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    return _NO_BUREAU if ctx.bacs is None else direct_debit.process_reports(ctx, SYSTEM, day, progress=progress)


def _eight_week_letters(ctx: AppContext, _day: date) -> Mapping[str, Any]:
    return complaints.send_eight_week_letters(ctx, SYSTEM)


def _fraud_recheck(ctx: AppContext, _day: date) -> Mapping[str, Any]:
    return fraud.recheck_unavailable(ctx, SYSTEM)


@_long
def _mid_send(ctx: AppContext, _day: date, progress: Progress) -> Mapping[str, Any]:
    return mid.send_pending(ctx, SYSTEM, progress=progress)


@_long
def _cue_send(ctx: AppContext, _day: date, progress: Progress) -> Mapping[str, Any]:
    return cue.send_pending(ctx, SYSTEM, progress=progress)


def _telematics_devices(ctx: AppContext, _day: date) -> Mapping[str, Any]:
    """TEL-1: missed installations referred to staff, deactivation clocks started when cover has ended."""
    if ctx.telematics is None:
        return {"skipped": "telematics is not configured"}
    return telematics_devices.check(ctx, SYSTEM)


@_long
def _telematics_scoring(ctx: AppContext, day: date, progress: Progress) -> Mapping[str, Any]:
    """TEL-3: every device-day whose positions changed since it was scored, up to the day."""
    if ctx.telematics is None:
        return {"skipped": "telematics is not configured"}
    return telematics_scores.score_pending(ctx, SYSTEM, day, progress=progress)


def _telematics_reviews(ctx: AppContext, day: date) -> Mapping[str, Any]:
    """TEL-4: the 90-day premium reviews due, from the scores just brought up to date."""
    return telematics_reviews.reviews_due(ctx, SYSTEM, day)


DAILY_JOBS: tuple[tuple[str, Job], ...] = (
    ("renewal_invitations", _renewal_invitations),
    ("auto_renewals", _auto_renewals),
    # TEL-1, TEL-3, TEL-4: the boxes' clocks, the day's scores, then the reviews they bring due (a review's payment
    # notice is sent by payment_notices below, the same day)
    ("telematics_devices", _telematics_devices),
    ("telematics_scoring", _telematics_scoring),
    ("telematics_reviews", _telematics_reviews),
    ("documents_issue", _documents_issue),
    ("payment_notices", _payment_notices),
    # PAY-6, in the order Bacs needs: mandates lodged, notices sent, the day's collections, then the reports
    ("dd_lodge", _dd_lodge),
    ("dd_notices", _dd_notices),
    ("dd_collect", _dd_collect),
    ("dd_reports", _dd_reports),
    ("arrears", _arrears),  # PAY-2: after the reports that hand over the returns
    ("complaints_eight_week", _eight_week_letters),
    ("fraud_recheck", _fraud_recheck),
    ("mid_send", _mid_send),
    ("cue_send", _cue_send),
    ("retention_sweep", _retention_sweep),
)


DAILY_TASK = "daily jobs"


def run_daily(ctx: AppContext, as_of: date | None = None,
              jobs: tuple[tuple[str, Job], ...] = DAILY_JOBS, progress: Progress = no_progress) -> dict[str, Any]:
    """Run every daily job once for `as_of` (default today; never a future day), in order. Returns each
    job's result, or its error (kind and message) when it failed; `ok` is False if any failed. `progress`
    hears the jobs done, and each long job's own progress."""
    today = ctx.today()
    day = as_of or today
    if day > today:
        raise ValidationFailed("daily jobs run for today or a past day",
                               [FieldIssue("as_of", f"{day.isoformat()} is after today ({today.isoformat()})")])
    results: dict[str, Any] = {}
    ok = True
    progress(DAILY_TASK, 0, len(jobs))
    for n, (name, job) in enumerate(jobs, start=1):
        try:
            with job_timer(name):  # covernote_job_runs_total and covernote_job_duration_seconds (UX-5)
                with_progress = getattr(job, "with_progress", None)
                report = job(ctx, day) if with_progress is None else with_progress(ctx, day, progress)
                results[name] = {"ok": True, "result": report}
        except DomainError as exc:
            ok = False
            results[name] = {"ok": False, "error": type(exc).__name__, "message": exc.message}
        except Exception as exc:  # one failing job must not stop the others
            log.exception("daily job %s failed", name)
            ok = False
            results[name] = {"ok": False, "error": type(exc).__name__, "message": "see the log"}
        progress(DAILY_TASK, n, len(jobs))
    return {"as_of": day.isoformat(), "ok": ok, "jobs": results}


@dataclass
class DailyScheduler:
    """Runs the daily jobs once a day at `run_at` (London time), in this process. Opt-in: nothing starts
    it unless an operator runs `covernote jobs scheduler`. Reads the time only from `ctx.clock`, so a test
    drives it with a FixedClock through `tick()`.

    After a restart it runs at once if today's run time has passed and today has not run in this process;
    the jobs are idempotent, so that is safe even if cron or another process ran them already."""

    ctx: AppContext
    run_at: time = time(2, 0)
    jobs: tuple[tuple[str, Job], ...] = DAILY_JOBS
    last_run_on: date | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def due(self, now: datetime) -> bool:
        local = now.astimezone(LONDON)
        return local.time() >= self.run_at and (self.last_run_on is None or local.date() > self.last_run_on)

    def tick(self) -> dict[str, Any] | None:
        """Run the daily jobs if they are due now; returns their results, or None when not due."""
        now = self.ctx.clock.now()
        if not self.due(now):
            return None
        day = now.astimezone(LONDON).date()
        result = run_daily(self.ctx, day, self.jobs)
        self.last_run_on = day
        self.history.append(result)
        return result

    def run_forever(self, stop: threading.Event, poll_seconds: float = 60.0) -> None:
        """Tick every `poll_seconds` until `stop` is set."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # the scheduler outlives a bad day; the next tick tries again
                log.exception("daily jobs failed")
            stop.wait(poll_seconds)

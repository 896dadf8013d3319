"""PRV-5, UX-3: the retention sweep also runs by itself. `run_daily` runs every daily job once, in order
(renewal invitations, auto-renewals, the sweep); the opt-in `DailyScheduler` runs them once a day at a
set London time, driven here by a FixedClock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from covernote.identity.usecases import SYSTEM
from covernote.jobs.daily import DAILY_JOBS, DailyScheduler, run_daily
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.platform.context import AppContext
from covernote.privacy.usecases import retention
from tests.support import bind


def test_ux3_daily_jobs_run_in_order_and_the_sweep_is_among_them(db_ctx: AppContext) -> None:
    assert [name for name, _ in DAILY_JOBS] == ["renewal_invitations", "auto_renewals", "telematics_devices", "telematics_scoring", "telematics_reviews", "documents_issue", "payment_notices", "dd_lodge", "dd_notices", "dd_collect", "dd_reports", "arrears", "complaints_eight_week", "fraud_recheck", "mid_send", "cue_send",
        "retention_sweep"]
    result = run_daily(db_ctx)
    assert result["ok"] and result["as_of"] == "2026-11-22"
    assert list(result["jobs"]) == ["renewal_invitations", "auto_renewals", "telematics_devices", "telematics_scoring", "telematics_reviews", "documents_issue", "payment_notices", "dd_lodge", "dd_notices", "dd_collect", "dd_reports", "arrears", "complaints_eight_week", "fraud_recheck", "mid_send", "cue_send",
        "retention_sweep"]
    sweep = result["jobs"]["retention_sweep"]["result"]
    assert sweep["status"] == "finished" and sweep["started_by"] == SYSTEM.user_id
    assert [r["id"] for r in retention.list_runs(db_ctx, SYSTEM)] == [sweep["id"]]


def test_prv5_the_daily_run_anonymises_what_fell_due(db_ctx: AppContext, clock: FixedClock) -> None:
    clock.set(datetime(2025, 3, 1, 10, tzinfo=UTC))
    policy = bind(db_ctx, "ECO")
    clock.set(datetime(2033, 3, 2, 3, tzinfo=UTC))  # S1: seven years after 2026-03-01
    done = run_daily(db_ctx)["jobs"]["retention_sweep"]["result"]["report"]["totals"]["done"]
    assert done["policy:anonymise"] == 1 and done["customer:anonymise"] == 1
    with db_ctx.uow(read_only=True) as uow:
        stored = uow.policies.get(policy["id"])
    assert stored is not None and retention.is_anonymised(stored)
    view = retention.anonymised_policy_view(stored)
    assert (view["status"], view["product_code"], view["taken_out_on"]) == ("anonymised", "ECO", "2025-03-01")
    assert view["current_term"]["start_date"] == "2025-03-01" and view["current_term"]["premium_charged"] == \
        policy["current_term"]["premium_charged"]


def test_ux3_a_failing_job_is_reported_and_the_others_still_run(db_ctx: AppContext) -> None:
    ran: list[str] = []

    def job(name: str, error: Exception | None = None) -> Any:
        def run(ctx: AppContext, day: date) -> dict[str, Any]:
            ran.append(name)
            if error is not None:
                raise error
            return {"day": day.isoformat()}
        return name, run

    result = run_daily(db_ctx, date(2026, 11, 1), (job("a"), job("b", Conflict("busy")), job("c", KeyError("x")),
                                                   job("d")))
    assert ran == ["a", "b", "c", "d"] and not result["ok"]
    assert result["jobs"]["a"] == {"ok": True, "result": {"day": "2026-11-01"}}
    assert result["jobs"]["b"] == {"ok": False, "error": "Conflict", "message": "busy"}
    assert result["jobs"]["c"]["error"] == "KeyError" and result["jobs"]["d"]["ok"]
    with pytest.raises(ValidationFailed) as caught:
        run_daily(db_ctx, date(2026, 11, 23))
    assert caught.value.issues[0].field == "as_of"


def test_ux3_scheduler_runs_once_a_day_at_its_time_on_a_fixed_clock(db_ctx: AppContext, clock: FixedClock) -> None:
    days: list[date] = []

    def record(ctx: AppContext, day: date) -> dict[str, Any]:
        days.append(day)
        return {}

    scheduler = DailyScheduler(db_ctx, time(2, 0), (("record", record),))
    clock.set_date(date(2026, 11, 22), hour=1)
    clock.set(clock.now() + timedelta(minutes=59))  # 01:59 London
    assert scheduler.tick() is None
    clock.advance(timedelta(minutes=1))  # 02:00
    assert scheduler.tick() is not None and days == [date(2026, 11, 22)]
    clock.advance(timedelta(hours=20))  # 22:00 the same day
    assert scheduler.tick() is None
    clock.advance(timedelta(hours=3))  # 01:00 the next day: not yet
    assert scheduler.tick() is None
    clock.advance(timedelta(hours=1, minutes=30))  # 02:30 the next day
    assert scheduler.tick() is not None and days == [date(2026, 11, 22), date(2026, 11, 23)]
    # a restart after the run time runs at once for the day (the jobs are idempotent)
    late = DailyScheduler(db_ctx, time(2, 0), (("record", record),))
    assert late.tick() is not None and days[-1] == date(2026, 11, 23)
    assert len(scheduler.history) == 2


def test_ux3_scheduler_uses_london_time_across_the_clock_change(db_ctx: AppContext, clock: FixedClock) -> None:
    scheduler = DailyScheduler(db_ctx, time(2, 0), (("noop", lambda ctx, day: {}),))
    clock.set(datetime(2026, 6, 30, 0, 30, tzinfo=UTC))  # 01:30 BST
    assert scheduler.tick() is None
    clock.set(datetime(2026, 6, 30, 1, 0, tzinfo=UTC))  # 02:00 BST
    assert scheduler.tick() is not None


def test_reg1_ux3_the_daily_run_sends_the_mid_update_a_bind_made(db_ctx: AppContext) -> None:
    """REG-1: the daily jobs send what is waiting for the Motor Insurance Database, meeting its 7-day clock."""
    pol = bind(db_ctx)
    result = run_daily(db_ctx)
    assert result["ok"] and result["jobs"]["mid_send"]["result"]["sent"] == 1
    with db_ctx.uow(read_only=True) as uow:
        assert [u.status for u in uow.mid_updates.for_policy(pol["id"])] == ["sent"]
        assert [d.met_at is not None for d in uow.deadlines.started_between(None, None, ["underwriting"])] == [True]
    assert run_daily(db_ctx)["jobs"]["mid_send"]["result"]["sent"] == 0  # nothing twice

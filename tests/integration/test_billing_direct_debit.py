"""Direct debit through Bacs on SQLite and PostgreSQL (PAY-6): mandates lodged through AUDDIS, advance notices,
the collection run (ledger postings, the Standard 18 file at the bureau, safe to rerun), the bureau's reports
processed once each, returns recorded against their collections and reversed, ADDACS cancellations."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from covernote.billing.adapters.bureau import SimulatedBacsBureau
from covernote.billing.domain.direct_debit import BACS_CASH, INSTALMENTS_RECEIVABLE
from covernote.billing.usecases import direct_debit as dd
from covernote.billing.usecases import direct_debit_views as dd_views
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Forbidden, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.privacy.usecases.sensitive import seal
from covernote.store.tables import (
    dd_collections,
    instalments,
    journal_entries,
    payment_plans,
    postings,
    sensitive_reads,
)
from tests.support import bind


def with_bureau(ctx: AppContext) -> SimulatedBacsBureau:
    bureau = SimulatedBacsBureau(today=ctx.today)
    ctx.bacs = bureau
    return bureau


def dd_plan(ctx: AppContext, account: str, dues: list[tuple[date, int]], sort_code: str = "200000") -> dict[str, Any]:
    """A bound policy with a monthly direct debit plan (the rows the plans use case writes): the bank account
    sealed with the customer's key, and its instalments."""
    policy = bind(ctx)
    now = ctx.clock.now()
    plan_id = new_id("pln")
    with ctx.uow() as uow:
        customer_id = uow.policies.get(policy["id"]).customer_id  # type: ignore[union-attr]
        conn = uow.direct_debit.conn  # type: ignore[attr-defined]
        conn.execute(payment_plans.insert().values(
            id=plan_id, policy_id=policy["id"], term_no=1, kind="monthly_direct_debit", status="active",
            collection_day=dues[0][0].day, account_holder=seal(ctx, uow, customer_id, "Ann Example"),
            sort_code=seal(ctx, uow, customer_id, sort_code), account_number=seal(ctx, uow, customer_id, account),
            account_ending=account[-4:], created_at=now, created_by="system", ended_at=None, version=1))
        conn.execute(instalments.insert(), [dict(
            id=new_id("ins"), plan_id=plan_id, policy_id=policy["id"], sequence=n, version=1, due_on=due,
            amount_pence=pence, status="scheduled", superseded_by=None, cause="agreed", created_at=now)
            for n, (due, pence) in enumerate(dues, start=1)])
        uow.commit()
    return {"policy": policy, "plan_id": plan_id, "customer_id": customer_id}


def day(clock: FixedClock, d: date) -> date:
    clock.set_date(d, 9)
    return d


def rows(ctx: AppContext, query: Any) -> list[Any]:
    with ctx.uow(read_only=True) as uow:
        return list(uow.direct_debit.conn.execute(query))  # type: ignore[attr-defined]


MON = date(2026, 11, 23)


def test_pay6_lodge_notify_collect_and_a_refer_to_payer_return(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-6 end to end: lodged 23 Nov (entry 25 Nov), notified 23 Nov for a 1 Dec instalment (moved to 7 Dec by
    the 10 working days), presented in the file input 3 Dec, posted to the ledger; the bureau returns it ARUDD 0
    on 8 Dec; the return is recorded, the collection reversed, the instalment marked returned."""
    bureau = with_bureau(db_ctx)
    a = dd_plan(db_ctx, "12340000", [(date(2026, 12, 1), 4567), (date(2027, 1, 1), 4500), (date(2027, 2, 1), 4500)])
    day(clock, MON)
    lodged = dd.lodge_mandates(db_ctx, SYSTEM)
    assert (lodged["mandates_created"], lodged["lodged"], lodged["status"]) == (1, 1, "submitted")
    [mandate] = dd_views.policy_direct_debit(db_ctx, SYSTEM, a["policy"]["id"])["mandates"]
    assert mandate["status"] == "lodged" and mandate["lodged_entry_on"] == "2026-11-25"
    assert mandate["reference"] == f"{a['policy']['number']}/01" and mandate["account_ending"] == "0000"
    again = dd.lodge_mandates(db_ctx, SYSTEM)  # a rerun: nothing more
    assert (again["mandates_created"], again["lodged"], again["status"]) == (0, 0, "nothing")

    notices = dd.send_notices(db_ctx, SYSTEM)
    assert (notices["plans"], notices["letters"], notices["notices"]) == (1, 1, 3)
    view = dd_views.policy_direct_debit(db_ctx, SYSTEM, a["policy"]["id"])
    assert [n["collect_on"] for n in view["notices"]] == ["2026-12-07", "2027-01-04", "2027-02-01"]
    assert len({n["document_id"] for n in view["notices"]}) == 1
    assert dd.send_notices(db_ctx, SYSTEM)["notices"] == 0  # a rerun: nothing more

    day(clock, date(2026, 11, 26))
    assert dd.lodge_mandates(db_ctx, SYSTEM)["mandates_activated"] == 1
    early = dd.run_collections(db_ctx, SYSTEM)  # entry 30 Nov: nothing due yet
    assert early["status"] == "nothing" and early["collected"] == 0

    day(clock, date(2026, 12, 3))
    run = dd.run_collections(db_ctx, SYSTEM)
    assert (run["collected"], run["total"], run["entry_on"], run["status"]) == (1, "45.67", "2026-12-07", "submitted")
    rerun = dd.run_collections(db_ctx, SYSTEM)
    assert rerun["collected"] == 0 and rerun["status"] == "nothing"
    [c] = dd_views.policy_direct_debit(db_ctx, SYSTEM, a["policy"]["id"])["collections"]
    assert (c["transaction_code"], c["amount"], c["processing_on"], c["status"]) == ("01", "45.67", "2026-12-04",
                                                                                     "presented")
    totals = dict(rows(db_ctx, sa.select(postings.c.account, sa.func.sum(postings.c.amount_pence))
                       .where(postings.c.policy_id == a["policy"]["id"]).group_by(postings.c.account)))
    assert totals[BACS_CASH] == 4567 and totals[INSTALMENTS_RECEIVABLE] == -4567
    reads = rows(db_ctx, sa.select(sensitive_reads.c.purpose).where(sensitive_reads.c.customer_id == a["customer_id"]))
    assert [r.purpose for r in reads] == [dd.READ_PURPOSE, dd.READ_PURPOSE]  # the lodgement and the collection

    day(clock, date(2026, 12, 8))
    reports = dd.process_reports(db_ctx, SYSTEM)
    assert (reports["files"], reports["returns"], reports["unmatched"]) == (1, 1, 0)
    assert dd.process_reports(db_ctx, SYSTEM, since=date(2026, 11, 1))["already_processed"] >= 1
    view = dd_views.policy_direct_debit(db_ctx, SYSTEM, a["policy"]["id"])
    [ret] = view["returns"]
    assert (ret["kind"], ret["reason_code"], ret["reason"], ret["re_presentable"], ret["status"]) == (
        "ARUDD", "0", "refer to payer", True, "handled")
    assert view["collections"][0]["status"] == "returned" and view["collections"][0]["reversal_entry_id"]
    assert view["mandates"][0]["status"] == "active"  # refer to payer leaves the mandate standing
    totals = dict(rows(db_ctx, sa.select(postings.c.account, sa.func.sum(postings.c.amount_pence))
                       .where(postings.c.policy_id == a["policy"]["id"]).group_by(postings.c.account)))
    assert totals[BACS_CASH] == 0 and totals[INSTALMENTS_RECEIVABLE] == 0
    status = rows(db_ctx, sa.select(instalments.c.sequence, instalments.c.status).where(
        instalments.c.plan_id == a["plan_id"]).order_by(instalments.c.sequence))
    assert [tuple(s) for s in status] == [(1, "returned"), (2, "scheduled"), (3, "scheduled")]
    assert bureau.reports(date(2026, 12, 8), date(2026, 12, 8))[0].kind == "ARUDD"


def test_pay6_addacs_cancels_and_auddis_rejects_mandates(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-6: a lodgement the payer's bank cancels (ADDACS 1) and one it rejects (AUDDIS 5 no account) get no
    notice and no collection; an account transferred (ADDACS 3) keeps its mandate with the new account sealed."""
    with_bureau(db_ctx)
    cancelled = dd_plan(db_ctx, "55552222", [(date(2026, 12, 10), 1000)])
    rejected = dd_plan(db_ctx, "55555555", [(date(2026, 12, 10), 1000)])
    moved = dd_plan(db_ctx, "55556666", [(date(2026, 12, 10), 1000)])
    day(clock, MON)
    assert dd.lodge_mandates(db_ctx, SYSTEM)["lodged"] == 3
    day(clock, date(2026, 11, 26))  # AUDDIS on 25 Nov, ADDACS on 26 Nov
    result = dd.process_reports(db_ctx, SYSTEM)
    assert (result["files"], result["mandate_changes"]) == (2, 3)
    status = {k: dd_views.policy_direct_debit(db_ctx, SYSTEM, v["policy"]["id"])["mandates"][0]
              for k, v in (("cancelled", cancelled), ("rejected", rejected), ("moved", moved))}
    assert (status["cancelled"]["status"], status["cancelled"]["reason"]) == ("cancelled", "instruction cancelled by payer")
    assert (status["rejected"]["status"], status["rejected"]["reason_report"]) == ("rejected", "AUDDIS")
    assert status["moved"]["account_ending"] == "6667" and status["moved"]["status"] == "lodged"
    notices = dd.send_notices(db_ctx, SYSTEM)
    assert notices["plans"] == 1  # only the moved account's plan
    returns = dd_views.returns_list(db_ctx, SYSTEM)
    assert sorted((r["kind"], r["reason_code"]) for r in returns) == [("ADDACS", "1"), ("ADDACS", "3"), ("AUDDIS", "5")]
    csv_text = dd_views.as_csv(returns, dd_views.RETURN_COLUMNS)
    assert csv_text.splitlines()[0].startswith("id,kind,reference,reason_code") and len(csv_text.splitlines()) == 4


def test_pay6_a_killed_collection_run_resumes_without_presenting_twice(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-6: the run is stopped after its first batch (as by a kill); the rerun presents the rest, one file
    goes to the bureau, every instalment is presented and posted exactly once."""
    with_bureau(db_ctx)
    plans = [dd_plan(db_ctx, f"{n:04d}7777", [(date(2026, 12, 10), 1000 + n)]) for n in range(5)]
    day(clock, MON)
    dd.lodge_mandates(db_ctx, SYSTEM)
    dd.send_notices(db_ctx, SYSTEM)
    day(clock, date(2026, 12, 8))  # input 8 Dec, entry 10 Dec

    class Killed(Exception):
        pass

    def kill_after_first_batch(task: str, done: int, total: int | None = None) -> None:
        if task == "direct debit collections" and done >= 2:
            raise Killed

    with pytest.raises(Killed):
        dd.run_collections(db_ctx, SYSTEM, progress=kill_after_first_batch, batch=2)
    assert len(rows(db_ctx, sa.select(dd_collections.c.id))) == 2
    run = dd.run_collections(db_ctx, SYSTEM, batch=2)
    assert (run["collected"], run["status"]) == (5, "submitted")
    presented = rows(db_ctx, sa.select(dd_collections.c.instalment_id, sa.func.count()).group_by(dd_collections.c.instalment_id))
    assert len(presented) == 5 and all(n == 1 for _, n in presented)
    entries = rows(db_ctx, sa.select(journal_entries.c.policy_id).where(
        journal_entries.c.description.like("Direct debit %")))
    assert sorted(e.policy_id for e in entries) == sorted(p["policy"]["id"] for p in plans)
    assert dd.run_collections(db_ctx, SYSTEM)["status"] == "nothing"


def test_pay6_an_unanswered_submission_is_sent_again_unchanged(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-6: the bureau times out on the file (account ...9999): nothing is lost, the rerun sends the same file
    and the bureau answers with the reference it gave it; nothing is presented twice."""
    with_bureau(db_ctx)
    dd_plan(db_ctx, "12349999", [(date(2026, 12, 10), 2500)])
    day(clock, MON)
    first = dd.lodge_mandates(db_ctx, SYSTEM)
    assert first["status"] == "unavailable" and "run again" in (first["message"] or "")
    second = dd.lodge_mandates(db_ctx, SYSTEM)
    assert second["status"] == "submitted" and second["submission_id"] == first["submission_id"]


def test_pay6_who_may_run_and_read(db_ctx: AppContext) -> None:
    with_bureau(db_ctx)
    customer = Principal("u1", "customer", "c-other")
    for job in (dd.lodge_mandates, dd.send_notices, dd.run_collections, dd.process_reports):
        with pytest.raises(Forbidden):
            job(db_ctx, customer)
    with pytest.raises(Forbidden):
        dd_views.returns_list(db_ctx, customer)


def test_pay6_no_collection_on_a_non_working_day(db_ctx: AppContext, clock: FixedClock) -> None:
    with_bureau(db_ctx)
    day(clock, date(2026, 12, 25))
    assert dd.run_collections(db_ctx, SYSTEM)["status"] == "not_a_working_day"
    assert dd.lodge_mandates(db_ctx, SYSTEM)["message"] == "2026-12-25 is not a Bacs working day: nothing lodged"


def test_pay6_the_daily_jobs_lodge_notify_collect_and_report_in_order(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-6 in the daily run: lodge, notices, collect, reports, each telling its progress; without a bureau the
    steps say they were skipped."""
    from covernote.jobs.daily import run_daily

    with_bureau(db_ctx)
    dd_plan(db_ctx, "12345678", [(date(2026, 12, 10), 1000)])
    heard: list[str] = []

    def progress(task: str, done: int, total: int | None = None) -> None:
        heard.append(task)

    day(clock, MON)
    first = run_daily(db_ctx, progress=progress)
    assert first["ok"]
    jobs = first["jobs"]
    assert jobs["dd_lodge"]["result"]["lodged"] == 1 and jobs["dd_notices"]["result"]["notices"] == 1
    day(clock, date(2026, 12, 8))
    later = run_daily(db_ctx, progress=progress)["jobs"]
    assert later["dd_collect"]["result"]["collected"] == 1 and later["dd_collect"]["result"]["entry_on"] == "2026-12-10"
    assert {"mandates made", "advance notices", "direct debit collections"} <= set(heard)
    db_ctx.bacs = None
    assert run_daily(db_ctx)["jobs"]["dd_reports"]["result"] == {"skipped": "no Bacs bureau is configured"}


def test_pay6_a_refer_to_payer_return_is_re_presented_with_code_18(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-6, PAY-2: after ARUDD 0 the collection is planned again 5 working days on (the letter's date), presented
    with code 18 for the same amount in the run whose cycle reaches that day; ...1111 comes back again, and a second
    re-presentation is refused; a return for another reason is never re-presented."""
    with_bureau(db_ctx)
    once = dd_plan(db_ctx, "12340000", [(date(2026, 12, 1), 4567)])
    always = dd_plan(db_ctx, "12341111", [(date(2026, 12, 1), 3000)])
    closed = dd_plan(db_ctx, "12343333", [(date(2026, 12, 1), 2000)])
    day(clock, date(2026, 11, 19))
    dd.lodge_mandates(db_ctx, SYSTEM)
    day(clock, MON)
    dd.lodge_mandates(db_ctx, SYSTEM)
    dd.send_notices(db_ctx, SYSTEM)
    day(clock, date(2026, 11, 26))
    assert dd.process_reports(db_ctx, SYSTEM)["mandate_changes"] == 1  # ADDACS B: ...3333's account closed
    day(clock, date(2026, 12, 3))
    assert dd.run_collections(db_ctx, SYSTEM)["collected"] == 2
    day(clock, date(2026, 12, 8))
    dd.process_reports(db_ctx, SYSTEM)
    returns = {r["policy_id"]: r for r in dd_views.returns_list(db_ctx, SYSTEM) if r["kind"] == "ARUDD"}
    assert sorted(r["reason_code"] for r in returns.values()) == ["0", "0"]
    planned = {}
    with db_ctx.uow() as uow:
        for p in (once, always):
            [ret] = [r for r in uow.direct_debit.returns(policy_id=p["policy"]["id"]) if r.kind == "ARUDD"]
            planned[p["plan_id"]] = dd.schedule_re_presentation(db_ctx, uow, ret)
        uow.commit()
    assert set(planned.values()) == {date(2026, 12, 15)}
    day(clock, date(2026, 12, 10))  # entry 14 Dec: not yet
    assert dd.run_collections(db_ctx, SYSTEM)["status"] == "nothing"
    day(clock, date(2026, 12, 11))  # entry 15 Dec
    again = dd.run_collections(db_ctx, SYSTEM)
    # each re-presentation (code 18, the same amount) with the GBP 20 charge for its return as an item of its own
    # (code 17) on the same day (S1, FEE-2)
    assert (again["collected"], again["total"], again["status"]) == (4, "115.67", "submitted")
    rows = dd_views.policy_direct_debit(db_ctx, SYSTEM, once["policy"]["id"])["collections"]
    assert [(c["transaction_code"], c["amount"]) for c in rows] == [("01", "45.67"), ("18", "45.67"), ("17", "20.00")]
    assert dd.run_collections(db_ctx, SYSTEM)["status"] == "nothing"
    day(clock, date(2026, 12, 16))
    assert dd.process_reports(db_ctx, SYSTEM)["returns"] == 2  # ...1111's two items again; ...0000's paid
    with db_ctx.uow() as uow:
        [second] = [r for r in uow.direct_debit.returns(policy_id=always["policy"]["id"]) if r.kind == "ARUDD"
                    and r.original_processing_on == date(2026, 12, 14) and r.amount_pence == 3000]
        with pytest.raises(ValidationFailed, match="not presented a third time"):
            dd.schedule_re_presentation(db_ctx, uow, second)
    view = dd_views.policy_direct_debit(db_ctx, SYSTEM, closed["policy"]["id"])
    assert view["mandates"][0]["status"] == "cancelled" and view["collections"] == []


def test_pay6_a_file_sent_without_an_answer_is_frozen_and_sent_again_unchanged(db_ctx: AppContext,
                                                                                clock: FixedClock) -> None:
    """PAY-6: the collection file gets no answer (the bureau stored it: account ...9999); an instalment found due
    before the rerun does not join that file (the bureau may be collecting it already) but goes in a new one, and
    the first is sent again byte for byte, answered with its first reference: nothing presented twice."""
    from covernote.billing.domain.direct_debit import AdvanceNotice
    from covernote.store.tables import dd_submissions

    with_bureau(db_ctx)
    slow = dd_plan(db_ctx, "12349999", [(date(2026, 12, 10), 2500)])
    late = dd_plan(db_ctx, "12345678", [(date(2027, 1, 11), 1500)])
    day(clock, MON)
    assert dd.lodge_mandates(db_ctx, SYSTEM)["status"] == "unavailable"  # the 0N file times out once
    assert dd.lodge_mandates(db_ctx, SYSTEM)["status"] == "submitted"
    dd.send_notices(db_ctx, SYSTEM)
    day(clock, date(2026, 12, 8))  # entry 10 Dec
    first = dd.run_collections(db_ctx, SYSTEM)
    assert (first["status"], first["collected"]) == ("unavailable", 1)
    with db_ctx.uow() as uow:  # the late plan's instalment turns out due in this cycle too (notified long ago)
        [due] = [i for i in uow.direct_debit.needing_notice(date(2027, 2, 1), 10) if i.policy_id == late["policy"]["id"]]
        uow.direct_debit.add_notices([AdvanceNotice(new_id("ddn"), due.instalment_id, due.policy_id, due.mandate_id,
                                                    due.amount_pence, date(2026, 12, 10), MON, None, clock.now())])
        uow.commit()
    second = dd.run_collections(db_ctx, SYSTEM)
    assert (second["status"], second["collected"]) == ("submitted", 1)
    sent = rows(db_ctx, sa.select(dd_submissions.c.id, dd_submissions.c.status, dd_submissions.c.record_count,
                                  dd_submissions.c.bureau_reference)
                .where(dd_submissions.c.kind == "collection").order_by(dd_submissions.c.serial))
    assert [(s.status, s.record_count) for s in sent] == [("submitted", 1), ("submitted", 1)]
    assert sent[0].id == first["submission_id"] and sent[0].bureau_reference and sent[1].id == second["submission_id"]
    for p in (slow, late):
        [c] = dd_views.policy_direct_debit(db_ctx, SYSTEM, p["policy"]["id"])["collections"]
        assert c["entry_on"] == "2026-12-10"
    assert dd.run_collections(db_ctx, SYSTEM)["status"] == "nothing"


def test_pay6_a_plan_made_by_the_plans_use_case_is_lodged_notified_and_collected(db_ctx: AppContext,
                                                                                  clock: FixedClock) -> None:
    """PAY-1 then PAY-6: a young driver's policy moved to monthly payment by the plans use case: its mandate is
    lodged with the plan's account, its instalments notified in one schedule letter and collected on their dates
    (the due day moved to a working day); the ledger still reconciles."""
    from covernote.billing.usecases import plans
    from covernote.ledger import usecases as ledger
    from tests.support import new_customer

    with_bureau(db_ctx)
    policy = bind(db_ctx, "YOUNG_DRIVER", customer_id=new_customer(db_ctx, "Ann Example"))
    out = plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], {
        "account_holder": "Ann Example", "sort_code": "20-00-00", "account_number": "55779911"}, 5, "dd-plan-1")
    schedule = out["instalments"] if "instalments" in out else out["plan"]["instalments"]
    first_due = date.fromisoformat(schedule[0]["due_on"])
    day(clock, MON)
    assert dd.lodge_mandates(db_ctx, SYSTEM)["lodged"] == 1
    assert dd.send_notices(db_ctx, SYSTEM)["notices"] == 0  # 5 January is beyond the notices' horizon yet
    day(clock, date(2026, 12, 14))
    notices = dd.send_notices(db_ctx, SYSTEM)
    assert notices["letters"] == 1 and notices["notices"] == len(schedule)
    view = dd_views.policy_direct_debit(db_ctx, SYSTEM, policy["id"])
    first = view["notices"][0]
    assert date.fromisoformat(first["collect_on"]) >= first_due and first["amount"] == schedule[0]["amount"]
    input_day = dd.bacs.cycle_for_entry(dd.CAL, date.fromisoformat(first["collect_on"])).input_day
    day(clock, input_day)
    run = dd.run_collections(db_ctx, SYSTEM)
    assert (run["collected"], run["total"], run["status"]) == (1, schedule[0]["amount"], "submitted")
    assert ledger.reconcile(db_ctx)["problems"] == []


def test_pay6_a_run_killed_before_its_file_went_is_settled_by_the_next_days_run(db_ctx: AppContext,
                                                                                 clock: FixedClock) -> None:
    """PAY-6: killed after its first batch on 8 December and never rerun that day, the run leaves presented rows
    and posted entries whose file never reached the bureau. The next day's run sends that file; the bureau refuses
    it (its processing day has passed), its rows are undone (entries reversed) and today's file presents every
    instalment once: none collected on the ledger without a file, none presented twice."""
    from covernote.store.tables import dd_submissions

    with_bureau(db_ctx)
    plans = [dd_plan(db_ctx, f"{n:04d}8888", [(date(2026, 12, 10), 2000 + n)]) for n in range(3)]
    day(clock, MON)
    dd.lodge_mandates(db_ctx, SYSTEM)
    dd.send_notices(db_ctx, SYSTEM)
    day(clock, date(2026, 12, 8))

    class Killed(Exception):
        pass

    def kill(task: str, done: int, total: int | None = None) -> None:
        if task == "direct debit collections":
            raise Killed

    with pytest.raises(Killed):
        dd.run_collections(db_ctx, SYSTEM, progress=kill, batch=2)
    day(clock, date(2026, 12, 9))  # entry 11 Dec
    run = dd.run_collections(db_ctx, SYSTEM)
    assert (run["status"], run["collected"], run["entry_on"]) == ("submitted", 3, "2026-12-11")
    files = rows(db_ctx, sa.select(dd_submissions.c.status, dd_submissions.c.processing_on, dd_submissions.c.rejection)
                 .where(dd_submissions.c.kind == "collection").order_by(dd_submissions.c.created_at))
    assert [(f.status, f.processing_on) for f in files] == [("rejected", date(2026, 12, 9)),
                                                            ("submitted", date(2026, 12, 10))]
    assert "not after today" in files[0].rejection
    for p in plans:
        [c] = dd_views.policy_direct_debit(db_ctx, SYSTEM, p["policy"]["id"])["collections"]
        assert c["entry_on"] == "2026-12-11"
        totals = dict(rows(db_ctx, sa.select(postings.c.account, sa.func.sum(postings.c.amount_pence))
                           .where(postings.c.policy_id == p["policy"]["id"]).group_by(postings.c.account)))
        assert totals[BACS_CASH] == int(c["amount"].replace(".", ""))  # the withdrawn entry reversed: once only

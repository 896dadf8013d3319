"""Direct debit collection run benchmark (issue 15, PAY-6).

Seeds N policies (default 100,000) paying monthly by direct debit on PostgreSQL, each with its own customer and
data key, an active mandate whose account is sealed with that key, and two monthly instalments already notified
(the steady state of a month: the schedule letter went out when the plan began). Then:

1. month 1, timed: the advance-notice scan (`send_notices`: nothing new to notify in a steady month), the
   collection run (`run_collections`: N presentations, N ledger entries, the instalments marked, N sealed accounts
   read, one Standard 18 file built and submitted to the bureau simulator), and the bureau's reports processed
   (`process_reports`: the ARUDD of the 1% of payers whose account ends 0000, each return reversed);
2. month 2, killed: the collection run is started in a child process and killed (SIGKILL) once it has presented
   about half; the run is then started again and must finish the month: every instalment presented exactly once,
   month 1's returns presented again each with the charge for its return as an item of its own, one ledger entry
   each, one file at the bureau holding every one of them. The script checks all of it.

Target: 1,000 policies/s or more for the month's run (notices, file, ledger postings).

    .venv/bin/python benchmarks/dd_collection_run.py [--postgres-url URL] [--policies N] [--keep]

A schema `cn_bench_dd_<pid>_<hex>` is created and dropped at the end (--keep keeps it). Results go to
benchmarks/results/dd_collection_run-postgresql.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from covernote.billing.usecases import direct_debit as dd
from covernote.bootstrap import build
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.lifecycle.usecases import quotes
from covernote.policy.domain.risk import Driver, Risk, Vehicle, make_answers
from covernote.policy.usecases import customers
from covernote.privacy.usecases.sensitive import seal
from covernote.settings import PROJECT_ROOT, Settings
from covernote.store.db import make_engine
from covernote.store.tables import policy_transactions

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGET_PER_S = 1000.0
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
SEEDED_ON = date(2026, 11, 2)
MONTH1 = (date(2026, 12, 3), date(2026, 12, 7))  # (input day, collection date): Thursday -> Monday
MONTH2 = (date(2027, 1, 5), date(2027, 1, 7))  # Tuesday -> Thursday
REPORTS_ON = date(2026, 12, 8)
RETURN_EVERY = 100  # one payer in a hundred: account ending 0000, ARUDD 0 on a first presentation


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def at(ctx: Any, day: date, hour: int = 9) -> Any:
    """The context on `day`: its clock moved (the bureau simulator reads the same clock)."""
    ctx.clock.set(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
    return ctx


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, products_dir=PROJECT_ROOT / "products", payment_simulator_path=":memory:",
                    data_dir=data_dir, keyring_path=data_dir / "keyring.json")


def seed(ctx: Any, engine: sa.Engine, n: int) -> None:
    """One real policy bound through the use cases, its customer's data key made by sealing the two accounts
    the clones use; then customers, keys, policies, plans, mandates, instalments and notices cloned in SQL."""
    c = at(ctx, SEEDED_ON)
    cid = customers.create_customer(c, SYSTEM, name="Bench Payer", email="bench@example.org",
                                    address="1 Park Row, Leeds", postcode="LS1 5HD")["id"]
    risk = Risk(Vehicle("LS19BEN", "Toyota", "Yaris", 2019, Money.of("11000"), abi_group=14, fuel="petrol",
                        engine_cc=1400, co2_gkm=92, mileage=25000),
                (Driver("ann", "Ann Bench", date(1984, 3, 4), date(2003, 6, 1)),), "LS1 5HD",
                make_answers({"annual_mileage": 8000, "ncd_years": 5, "voluntary_excess": "250"}))
    q = quotes.create_quote(c, SYSTEM, quotes.QuoteRequest("ECO", c.today(), risk, cid))
    policy = quotes.bind_quote(c, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("bench"))
    with c.uow() as uow:
        tokens = {name: seal(c, uow, cid, value) for name, value in
                  (("holder", "Bench Payer"), ("sort", "200000"), ("paid", "12345678"), ("refer", "12340000"))}
        uow.commit()
    p = {"count": n, "cid": cid, "pid": policy["id"], "now": datetime.now(UTC), **tokens}
    k = "lpad(g::text, 7, '0')"
    series = "generate_series(1, :count) AS g"
    with engine.begin() as conn:
        conn.execute(sa.text(
            f"INSERT INTO customers (id, name, email, phone, date_of_birth, address, postcode, created_at)"
            f" SELECT 'cus_bdd' || {k}, c.name, c.email, c.phone, c.date_of_birth, c.address, c.postcode, c.created_at"
            f" FROM customers c, {series} WHERE c.id = :cid"), p)
        conn.execute(sa.text(
            f"INSERT INTO subject_keys (customer_id, wrapped_key, master_key_id, created_at)"
            f" SELECT 'cus_bdd' || {k}, s.wrapped_key, s.master_key_id, s.created_at"
            f" FROM subject_keys s, {series} WHERE s.customer_id = :cid"), p)
        conn.execute(sa.text(
            f"INSERT INTO policies (id, number, customer_id, product_code, auto_renew, taken_out_on, payment_token,"
            f" created_at, version, current_term_end)"
            f" SELECT 'pol_bdd' || {k}, 'BD' || {k}, 'cus_bdd' || {k}, p.product_code, p.auto_renew, p.taken_out_on,"
            f" p.payment_token, p.created_at, p.version, p.current_term_end FROM policies p, {series} WHERE p.id = :pid"), p)
        # the policy's history (its terms): the returns' arrears ladder reads the policy's product and dates
        others = [c.name for c in policy_transactions.c if c.name not in ("id", "policy_id")]
        conn.execute(sa.text(
            f"INSERT INTO policy_transactions (id, policy_id, {', '.join(others)})"
            f" SELECT 'txn_bdd' || {k} || '_' || t.sequence, 'pol_bdd' || {k}, {', '.join('t.' + c for c in others)}"
            f" FROM policy_transactions t, {series} WHERE t.policy_id = :pid"), p)
        conn.execute(sa.text(
            f"INSERT INTO payment_plans (id, policy_id, term_no, kind, status, collection_day, account_holder, sort_code,"
            f" account_number, account_ending, created_at, created_by, version)"
            f" SELECT 'pln_bdd' || {k}, 'pol_bdd' || {k}, 1, 'monthly_direct_debit', 'active', 7, :holder, :sort,"
            f" CASE WHEN g % {RETURN_EVERY} = 0 THEN :refer ELSE :paid END,"
            f" CASE WHEN g % {RETURN_EVERY} = 0 THEN '0000' ELSE '5678' END, :now, 'bench', 1 FROM {series}"), p)
        conn.execute(sa.text(
            f"INSERT INTO dd_mandates (id, policy_id, plan_id, customer_id, reference, status, account_holder, sort_code,"
            f" account_number, account_ending, lodged_entry_on, created_at, updated_at, version)"
            f" SELECT 'ddm_bdd' || {k}, 'pol_bdd' || {k}, 'pln_bdd' || {k}, 'cus_bdd' || {k}, 'BD' || {k} || '/01',"
            f" 'active', :holder, :sort, CASE WHEN g % {RETURN_EVERY} = 0 THEN :refer ELSE :paid END,"
            f" CASE WHEN g % {RETURN_EVERY} = 0 THEN '0000' ELSE '5678' END, DATE '2026-11-05', :now, :now, 1"
            f" FROM {series}"), p)
        for seq, (_, due) in enumerate((MONTH1, MONTH2), start=1):
            q2 = {**p, "due": due, "seq": seq}
            conn.execute(sa.text(
                f"INSERT INTO instalments (id, plan_id, policy_id, sequence, version, due_on, amount_pence, status, cause,"
                f" created_at) SELECT 'ins_bdd' || {k} || '_' || :seq, 'pln_bdd' || {k}, 'pol_bdd' || {k}, :seq, 1, :due,"
                f" 4500 + (g % 97), 'scheduled', 'agreed', :now FROM {series}"), q2)
            conn.execute(sa.text(
                f"INSERT INTO dd_advance_notices (id, instalment_id, policy_id, mandate_id, amount_pence, collect_on,"
                f" notified_on, document_id, created_at) SELECT 'ddn_bdd' || {k} || '_' || :seq,"
                f" 'ins_bdd' || {k} || '_' || :seq, 'pol_bdd' || {k}, 'ddm_bdd' || {k}, 4500 + (g % 97), :due,"
                f" DATE '2026-11-05', NULL, :now FROM {series}"), q2)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("customers", "subject_keys", "policies", "policy_transactions", "payment_plans", "dd_mandates",
                      "instalments", "dd_advance_notices"):
            conn.exec_driver_sql(f"ANALYZE {table}")


def counts(engine: sa.Engine, entry_on: date) -> dict[str, int]:
    with engine.connect() as conn:
        q = {
            "collections": "SELECT count(*) FROM dd_collections WHERE entry_on = :d",
            "first_presentations": "SELECT count(*) FROM dd_collections WHERE entry_on = :d AND attempt = 1",
            "re_presentations": "SELECT count(*) FROM dd_collections WHERE entry_on = :d AND attempt = 2",
            "charges": "SELECT count(*) FROM dd_collections WHERE entry_on = :d AND attempt = 3",
            "instalments_presented_twice": "SELECT count(*) FROM (SELECT instalment_id FROM dd_collections"
                                           " GROUP BY instalment_id, attempt HAVING count(*) > 1) x",
            "due_not_presented": "SELECT count(*) FROM instalments i WHERE i.due_on = :d AND NOT EXISTS"
                                 " (SELECT 1 FROM dd_collections c WHERE c.instalment_id = i.id)",
            "ledger_entries": "SELECT count(*) FROM journal_entries j JOIN dd_collections c ON c.journal_entry_id = j.id"
                              " WHERE c.entry_on = :d",
            "collection_entries": "SELECT count(*) FROM journal_entries WHERE description LIKE 'Direct debit %'"
                                  " AND description LIKE '%' || :t",
            "submitted_files": "SELECT count(*) FROM dd_submissions WHERE entry_on = :d AND status = 'submitted'",
            "submitted_records": "SELECT coalesce(sum(record_count), 0) FROM dd_submissions WHERE entry_on = :d"
                                 " AND status = 'submitted'",
        }
        return {name: int(conn.execute(sa.text(sql), {"d": entry_on, "t": entry_on.isoformat()}).scalar_one())
                for name, sql in q.items()}


def child(url: str, data_dir: Path, day: date) -> int:
    """Run one collection run, printing its progress (the parent kills it half way)."""
    ctx = build(settings_for(url, data_dir), clock=FixedClock(datetime(day.year, day.month, day.day, 9, tzinfo=UTC)))

    def progress(task: str, done: int, total: int | None = None) -> None:
        print(f"PROGRESS {done}", flush=True)

    dd.run_collections(ctx, SYSTEM, progress=progress)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postgres-url", default=os.environ.get("COVERNOTE_BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--policies", type=int, default=100_000)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--child", nargs=3, metavar=("URL", "DATA_DIR", "DAY"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child[0], Path(args.child[1]), date.fromisoformat(args.child[2]))

    n = args.policies
    admin = make_engine(args.postgres_url)
    schema = f"cn_bench_dd_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        server_version = conn.exec_driver_sql("SHOW server_version").scalar_one()
    sep = "&" if "?" in args.postgres_url else "?"
    url = f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}"
    tmp = Path(tempfile.mkdtemp(prefix="cn-bench-dd-"))
    ok = True
    try:
        ctx = build(settings_for(url, tmp), clock=FixedClock(datetime(2026, 11, 2, 9, tzinfo=UTC)), migrate=True)
        engine: sa.Engine = ctx.uow.engine  # type: ignore[attr-defined]
        log(f"postgresql {server_version}: seeding {n} direct debit policies (schema {schema})")
        t0 = time.perf_counter()
        seed(ctx, engine, n)
        seed_s = time.perf_counter() - t0
        log(f"seeded in {seed_s:.1f}s")

        # -- month 1, timed -----------------------------------------------------------------------------------
        input1, entry1 = MONTH1
        c1 = at(ctx, input1)
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        notices = dd.send_notices(c1, SYSTEM)
        t_notices = time.perf_counter() - t0
        run = dd.run_collections(c1, SYSTEM)
        t_run = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        rate = n / t_run
        log(f"month 1: notices scan {t_notices:.1f}s ({notices['notices']} new), collection run {run['collected']}"
            f" presented, {run['total']} GBP, {run['status']}, {t_run:.1f}s in all: {rate:.0f} policies/s"
            f" (CPU {cpu:.1f}s in this process)")
        month1 = counts(engine, entry1)
        t0 = time.perf_counter()
        reports = dd.process_reports(at(ctx, REPORTS_ON), SYSTEM)
        t_reports = time.perf_counter() - t0
        log(f"reports: {reports['files']} files, {reports['returns']} returns handled in {t_reports:.1f}s")
        checks1 = {
            "every instalment presented once": month1["collections"] == n and month1["instalments_presented_twice"] == 0
            and month1["due_not_presented"] == 0,
            "one ledger entry per collection": month1["ledger_entries"] == n,
            "one file with every collection": month1["submitted_files"] == 1 and month1["submitted_records"] == n,
            "returns = payers ending 0000": reports["returns"] == n // RETURN_EVERY,
        }

        # -- month 2, killed half way and rerun ---------------------------------------------------------------
        input2, entry2 = MONTH2
        log("month 2: the collection run in a child process, killed half way")
        proc = subprocess.Popen([sys.executable, __file__, "--child", url, str(tmp), input2.isoformat()],
                                stdout=subprocess.PIPE, text=True, env={**os.environ})
        killed_at = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("PROGRESS "):
                killed_at = int(line.split()[1])
                if killed_at >= n // 2:
                    proc.send_signal(signal.SIGKILL)
                    break
        proc.wait()
        half = counts(engine, entry2)
        log(f"killed after {killed_at} presented ({half['collections']} rows committed); running again")
        t0 = time.perf_counter()
        rerun = dd.run_collections(at(ctx, input2), SYSTEM)
        t_rerun = time.perf_counter() - t0
        again = dd.run_collections(at(ctx, input2), SYSTEM)
        month2 = counts(engine, entry2)
        log(f"rerun: {rerun['collected']} in the file, {rerun['status']}, {t_rerun:.1f}s; a third run: {again['status']}")
        # month 1's returns ("refer to payer") are presented again in this run, each with the charge for its return
        # as an item of its own (PAY-2, FEE-2)
        r = reports["returns"]
        items = n + 2 * r
        checks2 = {
            "killed half way": 0 < half["collections"] < items,
            "every instalment presented once": month2["first_presentations"] == n
            and month2["instalments_presented_twice"] == 0 and month2["due_not_presented"] == 0,
            "month 1's returns re-presented, each with its charge": month2["re_presentations"] == r
            and month2["charges"] == r,
            "one ledger entry per collection": month2["ledger_entries"] == items
            and month2["collection_entries"] == items,
            "one file with every collection": month2["submitted_files"] == 1 and month2["submitted_records"] == items,
            "a further run collects nothing": again["status"] == "nothing",
        }
        for name, passed in {**{f"month 1: {k}": v for k, v in checks1.items()},
                             **{f"month 2: {k}": v for k, v in checks2.items()}}.items():
            log(f"{'PASS' if passed else 'FAIL'}: {name}")
            ok = ok and passed
        met = rate >= TARGET_PER_S
        log(f"{rate:.0f} policies/s against a target of {TARGET_PER_S:.0f}: {'met' if met else 'NOT met'}")
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / "dd_collection_run-postgresql.json"
        out.write_text(json.dumps({
            "policies": n, "server": server_version, "seed_s": round(seed_s, 1),
            "month1": {"notices_s": round(t_notices, 2), "run_s": round(t_run, 2), "policies_per_s": round(rate),
                       "cpu_s": round(cpu, 1), "counts": month1, "reports_s": round(t_reports, 2),
                       "returns": reports["returns"]},
            "month2": {"killed_at": killed_at, "committed_before_kill": half["collections"],
                       "rerun_s": round(t_rerun, 2), "counts": month2},
            "checks": {**checks1, **checks2}, "target_per_s": TARGET_PER_S, "target_met": met,
            "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        }, indent=2) + "\n")
        log(f"results in {out}")
    finally:
        if args.keep:
            log(f"kept schema {schema} and {tmp}")
        else:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

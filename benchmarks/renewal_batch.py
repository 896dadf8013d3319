"""Renewal-invitation batch benchmark.

Seeds N policies (default 100,000) into a fresh database, then times
covernote.lifecycle.usecases.renewals.run_renewal_invitations over them and reports policies/s against the target
of 2,000 policies/s on PostgreSQL at 100,000 policies (issue 12; issue 2 set 500). It also checks that every seeded policy was invited and that a
second run invites none (the job is idempotent).

Seeding is fast and still realistic: ONE real ECO policy is quoted and bound through the use cases
(on a clock moved back 345 days), then its `policies`, `policy_transactions`, `journal_entries` and
`postings` rows are cloned server-side with INSERT ... SELECT, each clone with its own id, policy
number, transaction/entry ids and term dates (spread so every term ends 1..27 days from today, inside
the ECO invitation window of 28 days). Every date inside the transaction's JSON details (term,
rating date, versions, concluded/documents dates) is moved with the term.

    .venv/bin/python benchmarks/renewal_batch.py [--postgres-url URL] [--policies N] [--batch-size B] [--workers W]
    .venv/bin/python benchmarks/renewal_batch.py --sqlite [--policies N]
    .venv/bin/python benchmarks/renewal_batch.py --profile out.prof   # cProfile the timed run

Since issue 12 the batch runs on PostgreSQL in worker processes (COVERNOTE_BATCH_WORKERS, default 2);
`--workers W` passes W to run_renewal_invitations, and leaving it out passes nothing, so the script also
times older code (run it with PYTHONPATH=<older tree>/src).

PostgreSQL: a schema `cn_bench_<pid>_<hex>` is created and dropped at the end (--keep to keep it).
Results go to benchmarks/results/renewal_batch-<backend>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from covernote.bootstrap import build
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.kernel.periods import add_months
from covernote.lifecycle.usecases import quotes, renewals
from covernote.policy.domain.risk import Driver, Risk, Vehicle, make_answers
from covernote.policy.usecases import customers
from covernote.settings import PROJECT_ROOT, Settings
from covernote.store.db import make_engine

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGET_PER_S = 2000.0
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
WINDOW_DAYS = 27  # clones end 1..27 days after today; ECO invites 28 days before the end


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def bind_template(ctx: Any, today: date) -> dict[str, Any]:
    """One real policy through the use cases: quoted and bound 345 days ago, ECO, 12 months."""
    clock = FixedClock(datetime.combine(today - timedelta(days=345), datetime.min.time(), tzinfo=UTC)
                       .replace(hour=10))
    at = replace(ctx, clock=clock)
    cid = customers.create_customer(at, SYSTEM, name="Bench Renewal", email="bench@example.org",
                                    address="1 Park Row, Leeds", postcode="LS1 5HD")["id"]
    risk = Risk(Vehicle("LS19BEN", "Toyota", "Yaris Hybrid", 2019, Money.of("11000"), abi_group=14, fuel="petrol",
                        engine_cc=1400, co2_gkm=92, mileage=25000),
                (Driver("ann", "Ann Bench", date(1984, 3, 4), date(2003, 6, 1)),), "LS1 5HD",
                make_answers({"annual_mileage": 8000, "ncd_years": 5, "voluntary_excess": "250"}))
    q = quotes.create_quote(at, SYSTEM, quotes.QuoteRequest("ECO", at.today(), risk, cid))
    return quotes.bind_quote(at, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("bench"))


def clone_policies(engine: sa.Engine, policy_id: str, n: int, today: date) -> None:
    """Clone the template policy n-1 times (the template itself counts as one), all in SQL."""
    pg = engine.dialect.name == "postgresql"
    if pg:
        series = "(SELECT g AS i FROM generate_series(1, :count) AS g) s"
        to_json, to_text = "::jsonb", "::text"
    else:
        series = ("(WITH RECURSIVE s0(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s0 WHERE i < :count)"
                  " SELECT i FROM s0) s")
        to_json = to_text = ""
    # A connection of its own, whose tables are analysed after the first day's clones: PostgreSQL keeps, per
    # connection, the plan of each foreign-key check made there, and one planned while the tables held only
    # the template (a sequential scan) turned every clone's check into a scan of the growing table (a seed
    # stalled for many minutes). ANALYZE replans them with the tables' real size.
    seeder = sa.create_engine(engine.url, poolclass=sa.pool.NullPool) if pg else engine
    analysed = not pg
    with seeder.begin() as conn:
        row = conn.execute(sa.text("SELECT taken_out_on, current_term_end FROM policies WHERE id = :id"),
                           {"id": policy_id}).one()
        old_start, old_end = (v if isinstance(v, date) else date.fromisoformat(v) for v in row)
        # The template's rows, copied once into small temporary tables: read from the tables or joined
        # afresh for each day of the window, the growing, unanalysed tables of this transaction were
        # rescanned per clone row (minutes per day at 100,000 policies).
        conn.execute(sa.text("CREATE TEMPORARY TABLE bench_tpl_policy AS SELECT * FROM policies WHERE id = :src"),
                     {"src": policy_id})
        conn.execute(sa.text("CREATE TEMPORARY TABLE bench_tpl_txns AS SELECT * FROM policy_transactions"
                             " WHERE policy_id = :src"), {"src": policy_id})
        conn.execute(sa.text(
            "CREATE TEMPORARY TABLE bench_tpl_journal AS SELECT substr(j.id, 5) AS tail, j.posted_at, j.description,"
            " p.number, t.sequence FROM journal_entries j JOIN policy_transactions t ON t.id = j.transaction_id"
            " JOIN policies p ON p.id = j.policy_id WHERE j.policy_id = :src"), {"src": policy_id})
        conn.execute(sa.text(
            "CREATE TEMPORARY TABLE bench_tpl_postings AS SELECT substr(j.id, 5) AS tail, x.line_no, x.account,"
            " x.amount_pence, x.memo FROM postings x JOIN journal_entries j ON j.id = x.entry_id"
            " JOIN policy_transactions t ON t.id = j.transaction_id WHERE j.policy_id = :src"), {"src": policy_id})
        clones = n - 1
        for offset in range(WINDOW_DAYS):
            # Clones offset+1, offset+1+W, offset+1+2W, ... end on today + 1 + offset.
            count = (clones - offset + WINDOW_DAYS - 1) // WINDOW_DAYS if clones > offset else 0
            if count <= 0:
                continue
            end = today + timedelta(days=1 + offset)
            start = add_months(end, -12)
            k = f"({offset + 1} + {WINDOW_DAYS} * (s.i - 1))"
            kpad = f"lpad(({k})::text, 10, '0')" if pg else f"substr('0000000000' || {k}, -10, 10)"
            params = {"count": count, "src": policy_id, "start": start, "end": end, "os_d": old_start,
                      "os": old_start.isoformat(), "oe": old_end.isoformat(),
                      "ns": start.isoformat(), "ne": end.isoformat()}

            def moved(col: str) -> str:
                return f"replace(replace({col}{to_text}, :os, :ns), :oe, :ne){to_json}"

            conn.execute(sa.text(
                "INSERT INTO policies (id, number, customer_id, product_code, auto_renew, taken_out_on, payment_token,"
                " created_at, version, current_term_end)"
                f" SELECT 'pol_bench' || {kpad}, 'BN' || {kpad}, p.customer_id, p.product_code, p.auto_renew,"
                f" :start, p.payment_token, p.created_at, p.version, :end"
                f" FROM bench_tpl_policy p, {series}"), params)
            conn.execute(sa.text(
                "INSERT INTO policy_transactions (id, policy_id, sequence, term_no, kind, effective_date, recorded_at,"
                " actor_id, actor_role, reason, premium_pence, ipt_pence, ipt_rate, fees_charged, fees_refunded,"
                " details, idempotency_key)"
                f" SELECT 'txn_bench' || {kpad} || '_' || t.sequence, 'pol_bench' || {kpad}, t.sequence, t.term_no,"
                f" t.kind, CASE WHEN t.effective_date = :os_d THEN :start ELSE t.effective_date END, t.recorded_at,"
                f" t.actor_id, t.actor_role, t.reason, t.premium_pence, t.ipt_pence, t.ipt_rate,"
                f" {moved('t.fees_charged')}, {moved('t.fees_refunded')}, {moved('t.details')},"
                f" t.idempotency_key || '-bench' || {kpad}"
                f" FROM bench_tpl_txns t, {series}"), params)
            conn.execute(sa.text(
                "INSERT INTO journal_entries (id, posted_at, description, policy_id, transaction_id, reverses)"
                f" SELECT 'jnl_bench' || {kpad} || '_' || j.tail, j.posted_at,"
                f" replace(j.description, j.number, 'BN' || {kpad}), 'pol_bench' || {kpad},"
                f" 'txn_bench' || {kpad} || '_' || j.sequence, NULL"
                f" FROM bench_tpl_journal j, {series}"), params)
            conn.execute(sa.text(
                "INSERT INTO postings (entry_id, line_no, policy_id, account, amount_pence, memo)"
                f" SELECT 'jnl_bench' || {kpad} || '_' || x.tail, x.line_no, 'pol_bench' || {kpad}, x.account,"
                f" x.amount_pence, x.memo"
                f" FROM bench_tpl_postings x, {series}"), params)
            if not analysed:
                for table in ("policies", "policy_transactions", "journal_entries", "postings"):
                    conn.exec_driver_sql(f"ANALYZE {table}")
                analysed = True
        for table in ("bench_tpl_policy", "bench_tpl_txns", "bench_tpl_journal", "bench_tpl_postings"):
            conn.execute(sa.text(f"DROP TABLE {table}"))
    if seeder is not engine:
        seeder.dispose()
    if pg:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("policies", "policy_transactions", "journal_entries", "postings", "pending_quotes"):
                conn.exec_driver_sql(f"ANALYZE {table}")


def machine() -> dict[str, Any]:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postgres-url", default=os.environ.get("COVERNOTE_BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--sqlite", action="store_true", help="run on a fresh SQLite file instead of PostgreSQL")
    ap.add_argument("--policies", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=500, help="run_renewal_invitations' batch_size")
    ap.add_argument("--workers", type=int, default=None,
                    help="run_renewal_invitations' worker processes (default: the code's own, COVERNOTE_BATCH_WORKERS "
                         "or 2 on PostgreSQL since issue 12; not passed at all when left out, so older code runs)")
    ap.add_argument("--profile", metavar="FILE", help="write a cProfile of the timed run to FILE (the main "
                                                    "process only: with workers, their work is not in it)")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema / SQLite file")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/*.json")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="cn_bench_renew_"))
    admin: sa.Engine | None = None
    schema = None
    if args.sqlite:
        backend = "sqlite"
        url = f"sqlite:///{tmp / 'covernote.db'}"
        server_version = "SQLite " + __import__("sqlite3").sqlite_version
    else:
        backend = "postgresql"
        admin = make_engine(args.postgres_url)
        schema = f"cn_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            server_version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        sep = "&" if "?" in args.postgres_url else "?"
        url = f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}"
    ctx = None
    try:
        settings = Settings(database_url=url, products_dir=PROJECT_ROOT / "products",
                            payment_simulator_path=":memory:", data_dir=tmp,
                            keyring_path=tmp / "keyring.json")
        ctx = build(settings, migrate=True)
        engine: sa.Engine = ctx.uow.engine  # type: ignore[attr-defined]
        today = ctx.today()
        log(f"{backend}: seeding {args.policies} policies ({'schema ' + schema if schema else url})")
        t0 = time.perf_counter()
        template = bind_template(ctx, today)
        clone_policies(engine, template["id"], args.policies, today)
        with engine.connect() as conn:
            seeded = conn.exec_driver_sql("SELECT count(*) FROM policies").scalar_one()
        seed_s = time.perf_counter() - t0
        log(f"seeded {seeded} policies in {seed_s:.1f}s (template {template['number']})")
        assert seeded == args.policies, (seeded, args.policies)

        prof = cProfile.Profile() if args.profile else None
        workers = {} if args.workers is None else {"workers": args.workers}
        used_workers = args.workers if args.workers is not None else getattr(ctx, "batch_workers", 1)
        log(f"run 1: run_renewal_invitations(as_of={today}, batch_size={args.batch_size}, workers={used_workers})")
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        first = renewals.run_renewal_invitations(ctx, today, batch_size=args.batch_size, **workers)
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
        run_s = time.perf_counter() - t0
        rate = first["invited"] / run_s if run_s else 0.0
        log(f"run 1: {json.dumps(first)} in {run_s:.1f}s = {rate:.0f} policies/s")
        t0 = time.perf_counter()
        second = renewals.run_renewal_invitations(ctx, today, batch_size=args.batch_size, **workers)
        second_s = time.perf_counter() - t0
        log(f"run 2: {json.dumps(second)} in {second_s:.1f}s")
        with engine.connect() as conn:
            open_invitations = conn.exec_driver_sql(
                "SELECT count(*) FROM pending_quotes WHERE kind = 'renewal' AND status = 'open'").scalar_one()

        checks = {
            "invited_all": first["invited"] == args.policies,
            "nothing_refused": first["not_invited"] == 0,
            "second_run_invites_none": second["invited"] == 0,
            "one_open_invitation_per_policy": open_invitations == args.policies,
        }
        met = rate >= TARGET_PER_S
        result = {
            "benchmark": "renewal_batch", "date": datetime.now(UTC).date().isoformat(), "backend": backend,
            "server_version": server_version, "machine": machine(), "policies": args.policies,
            "batch_size": args.batch_size, "workers": used_workers, "seed_seconds": round(seed_s, 2),
            "run_seconds": round(run_s, 2), "policies_per_second": round(rate, 1),
            "second_run_seconds": round(second_s, 2), "first_run": first, "second_run": second,
            "open_invitations": open_invitations, "checks": checks,
            "target": {"policies_per_second": TARGET_PER_S, "applies_to": "postgresql",
                       "result": "PASS" if met else "FAIL"},
        }
        print()
        print(f"{'backend':<12}{'policies':>10}{'seconds':>10}{'policies/s':>12}{'target':>10}  result")
        print(f"{backend:<12}{args.policies:>10}{run_s:>10.1f}{rate:>12.0f}{TARGET_PER_S:>10.0f}  "
              f"{'PASS' if met else 'FAIL'}{'' if backend == 'postgresql' else ' (target is for PostgreSQL)'}")
        for name, ok in checks.items():
            print(f"  check {name}: {'ok' if ok else 'FAILED'}")
        if not args.no_write:
            RESULTS.mkdir(exist_ok=True)
            out = RESULTS / f"renewal_batch-{backend}.json"
            out.write_text(json.dumps(result, indent=2) + "\n")
            log(f"wrote {out.relative_to(HERE.parent)}")
        return 0 if all(checks.values()) else 1
    finally:
        if ctx is not None:
            ctx.uow.engine.dispose()  # type: ignore[attr-defined]
        if admin is not None and schema is not None:
            if args.keep:
                log(f"kept schema {schema}")
            else:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
        if not args.keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

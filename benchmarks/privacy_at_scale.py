"""Privacy at scale: access packages, erasure and the retention sweep over N customers on PostgreSQL.

Issue 3's targets, on PostgreSQL with 1,000,000 customers and their policies:

* an access package for one customer in under 1 s;
* erasure of one customer in under 1 s;
* a retention sweep at 10,000 records or more per second.

The script creates a fresh schema `cn_bench_<pid>_<hex>`, migrates it, and generates N customers
(default 1,000,000) with their quotes, policies, transactions, ledger, logins, consents and sensitive
data. Generation is set-based and realistic: three TEMPLATE customers are made through the real use
cases (customer, customer login, marketing consent, encrypted sensitive data, two quotes, one bound by
the customer's own login), then every row linked to a template customer (found through the same
links the access package and erasure use, privacy/store/subject_data.py LINKS) is cloned server-side with
INSERT ... SELECT FROM generate_series, chunk by chunk. Every identifier, the policy number, the
customer's name, e-mail, phone and address, and every date near the template's term (inside JSON
documents too) are varied per clone; dates are moved so each clone has its own term. The migrations'
indexes are used as they are: the script adds none.

Each customer number i falls in one family (i mod 20):

  A  40%  live policy, ECO 2026.7, started since 2026-07-01
  B  20%  live policy, ECO 2024.1, started 1 to 12 months before 2026-07-01
  C  15%  policy ended 1 to 5 years ago (within the 7-year retention: kept)
  D  15%  policy ended more than 7 years ago (retention due)
  E  10%  quotes only, never bound, issued 0 to 5 years ago (older than 2 years: due for deletion)

and independently of the family: 20% have a customer login (and their bind's idempotency record is
under that login; the others were bound by staff), 50% a marketing consent, 25% a second unbound
quote, 5% encrypted sensitive data (licence, health, convictions, bank details). Policies that ended
before 2024 carry the ECO 2024.1 product reference: it is the oldest version in products/, and
nothing measured here re-rates them.

Then it measures, with the real use cases on a fixed clock (now):

* access: `subject_access.build_package(ctx, uow, customer_id, reader)` inside `with ctx.uow()`, and
  `subject_access.access_package` on an access request started for the customer (`requests.start`
  as staff, channel email, identity_method "benchmark"), for --samples customers picked at random;
* erasure: `requests.start(kind="erasure")`, `erasure.plan`, `erasure.apply(fingerprint)`, timing plan
  and apply separately, for --samples customers (a mix of families);
* the retention sweep (`covernote.privacy.usecases.retention`), dry run then real run, over all the data, in
  records actioned per second, when that module exists.

For the slowest access and erasure it records each SQL statement's time (statements over 50 ms also
get an EXPLAIN ANALYZE in the results file).

    .venv/bin/python benchmarks/privacy_at_scale.py [--customers N] [--samples S] [--postgres-url URL]
            [--chunk C] [--seed SEED] [--keep] [--no-write] [--profile DIR]

Results go to benchmarks/results/privacy_at_scale-<N>.json. The schema is dropped at the end (--keep
keeps it and prints its name).
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import hashlib
import importlib
import inspect
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from covernote.bootstrap import build
from covernote.identity.usecases import Principal, create_user
from covernote.kernel.clock import FixedClock
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.kernel.periods import add_months
from covernote.lifecycle.usecases import quotes
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Driver, Risk, Vehicle, make_answers
from covernote.policy.usecases import customers
from covernote.privacy.adapters.keyring import InMemoryKeyring
from covernote.privacy.store.subject_data import LINKS, SubjectDataRepo
from covernote.privacy.usecases import consent, erasure, requests, sensitive, subject_access
from covernote.settings import PROJECT_ROOT, Settings
from covernote.store.db import make_engine
from covernote.store.tables import metadata

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_ACCESS_S = 1.0
TARGET_ERASURE_S = 1.0
TARGET_SWEEP_PER_S = 10_000.0
ECO_2026 = date(2026, 7, 1)  # effective date of ECO 2026.7 (products/eco-2026.yaml)

# Tables cloned from the templates, parents before children. Rows of any other linked table found
# on a template stop the run: the generator must be taught about them, not skip them silently.
CLONE_ORDER = ("customers", "users", "quotes", "policies", "policy_transactions", "pending_quotes",
               "journal_entries", "postings", "idempotency_keys", "consent_decisions", "subject_keys",
               "sensitive_data", "disclosures", "carbon_offsets", "carbon_offset_lines", "mid_updates",
               "deadlines", "fraud_checks")
NOT_CLONED = ("sensitive_reads",)  # reads logged while the templates were made: not data a clone would have

ID_RE = re.compile(r"\b[a-z][a-z0-9]{1,3}_[0-9a-hjkmnp-tv-z]{19}\b")  # prefixes may hold a digit (co2_)
DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- the mix of customers --------------------------------------------------------------------------------


def _pick(i: int, prime: int) -> int:
    """A pseudo-random 0..99 from the customer number, the same in Python and in SQL (`_pick_sql`)."""
    return (i * prime) % 1_000_003 % 100


def _pick_sql(prime: int) -> str:
    return f"((g.i::bigint * {prime}) % 1000003 % 100)"


LOGIN, CONSENT, EXTRA_QUOTE, SENSITIVE = 48271, 69621, 16807, 40692
SHARE = {LOGIN: 20, CONSENT: 50, EXTRA_QUOTE: 25, SENSITIVE: 5}


def has(i: int, trait: int) -> bool:
    return _pick(i, trait) < SHARE[trait]


def has_sql(trait: int) -> str:
    return f"({_pick_sql(trait)} < {SHARE[trait]})"


@dataclass(frozen=True)
class Family:
    letter: str
    name: str
    buckets: tuple[int, ...]  # i % 20
    template: str  # which template customer it is cloned from
    first_start: date  # the clones' start dates (term start, or quote date) are spread over [first, last]
    last_start: date

    @property
    def share(self) -> float:
        return len(self.buckets) / 20


def families(today: date) -> list[Family]:
    return [
        Family("A", "live, ECO 2026.7", tuple(range(0, 8)), "live2026", ECO_2026, today - timedelta(days=1)),
        Family("B", "live, ECO 2024.1", tuple(range(8, 12)), "y2024", add_months(today, -12) + timedelta(days=1),
               ECO_2026 - timedelta(days=1)),
        Family("C", "ended 1-5 years ago (kept)", (12, 13, 14), "y2024", add_months(today, -72),
               add_months(today, -24)),
        Family("D", "ended over 7 years ago (due)", (15, 16, 17), "y2024", add_months(today, -144),
               add_months(today, -96) - timedelta(days=1)),
        Family("E", "quotes only, 0-5 years old", (18, 19), "quote2024", add_months(today, -60),
               today - timedelta(days=1)),
    ]


def family_of(i: int, fams: list[Family]) -> Family:
    return next(f for f in fams if i % 20 in f.buckets)


# -- templates through the real use cases ---------------------------------------------------------------


@dataclass
class Template:
    name: str
    customer_id: str
    anchor: date  # the template's start date (term start or quote date)
    term_end: date | None  # the template policy's term end, None for quotes only
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # id found in the template -> its two-letter tag


def _risk(reg: str) -> Risk:
    return Risk(Vehicle(reg, "Toyota", "Yaris Hybrid", 2019, Money.of("11000"), abi_group=14, fuel="petrol",
                        engine_cc=1400, co2_gkm=92, mileage=25000),
                (Driver("d1", "Tmpl Driverperson", date(1984, 3, 4), date(2003, 6, 1)),
                 Driver("d2", "Tmpl Secondperson", date(1986, 7, 9), date(2005, 2, 1), relationship="spouse")),
                "LS1 5HD", make_answers({"annual_mileage": 8000, "ncd_years": 5, "voluntary_excess": "250"}))


def make_template(ctx: AppContext, staff: Principal, name: str, at: datetime, bind: bool) -> Template:
    """One customer with everything a customer can have, made through the use cases at `at`."""
    clock = FixedClock(at)
    c = replace(ctx, clock=clock)
    person = f"Tmpl{name.capitalize()} Personname"
    cid = customers.create_customer(c, staff, name=person, email=f"tmpl.{name}@example.org",
                                    address=f"1 {name.capitalize()} Row, Leeds", postcode="LS1 5HD",
                                    phone="07700 900123", date_of_birth=date(1984, 3, 4))["id"]
    user, _token = create_user(c, person, "customer", cid)
    me = Principal(user.user_id, "customer", cid)
    consent.record_decision(c, me, cid, channel="email", purpose="marketing", granted=True,
                            wording="Send me offers and news by e-mail", source="web")
    sensitive.record(c, me, cid, "policyholder", licence_number="PERSO803044TP9AB",
                     health=[{"condition": "type 2 diabetes, tablet-controlled", "notified_to_dvla": True}],
                     convictions=[{"code": "SP30", "date": (at.date() - timedelta(days=400)).isoformat(),
                                   "points": 3}],
                     bank_details={"sort_code": "12-34-56", "account_number": "12345678",
                                   "account_name": person})
    q1 = quotes.create_quote(c, me, quotes.QuoteRequest("ECO", c.today(), _risk("LS19BEN"), cid))
    quotes.create_quote(c, me, quotes.QuoteRequest("ECO", c.today(), _risk("LS19BEO"), cid))
    term_end = None
    if bind:
        pol = quotes.bind_quote(c, me, q1["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
        term_end = date.fromisoformat(pol["current_term"]["end_date"])
    return Template(name, cid, c.today(), term_end)


def read_template(engine: sa.Engine, t: Template) -> None:
    """Every row linked to the template customer, table by table (typed values, as stored)."""
    with engine.connect() as conn:
        repo = SubjectDataRepo(conn)
        ids = repo.ids(t.customer_id)
        for name in LINKS:
            table = metadata.tables[name]
            rows = [dict(r._mapping) for r in conn.execute(table.select().where(LINKS[name](t.customer_id, ids))
                                                            .order_by(*table.primary_key.columns))]
            if rows and name not in CLONE_ORDER and name not in NOT_CLONED:
                raise SystemExit(f"template {t.name} has rows in {name}, which the generator does not clone")
            if rows and name in CLONE_ORDER:
                t.rows[name] = rows
    found: list[str] = []
    for rows in t.rows.values():
        for row in rows:
            for value in row.values():
                text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
                for m in ID_RE.findall(text):
                    if m not in found:
                        found.append(m)
    t.tokens = {tok: f"{chr(97 + n // 26)}{chr(97 + n % 26)}" for n, tok in enumerate(found)}
    # The customer's id comes first (customers is cloned first, id is its first column): clones are
    # cus_<family><"aa"><number>, which the measuring code relies on.
    assert t.tokens[t.customer_id] == "aa", t.tokens


# -- cloning -----------------------------------------------------------------------------------------------


class Cloner:
    """Builds one INSERT ... SELECT per template row: each value becomes a SQL expression of the
    clone's number g.i, start date g.s and term end g.e."""

    def __init__(self, engine: sa.Engine, t: Template, fam: Family, now: datetime) -> None:
        self.engine, self.t, self.fam, self.now = engine, t, fam, now
        self.params: dict[str, Any] = {}
        policy_numbers = [r["number"] for r in t.rows.get("policies", [])]
        users = t.rows.get("users", [])
        customer = t.rows["customers"][0]
        # literal text in the template -> SQL expression (text) for the clone
        self.text_tokens: dict[str, str] = {}
        for tok, tag in t.tokens.items():
            prefix = tok.split("_", 1)[0]
            self.text_tokens[tok] = f"('{prefix}_{fam.letter}{tag}' || lpad(g.i::text, 10, '0'))"
        for n in policy_numbers:
            self.text_tokens[n] = f"('B{fam.letter}' || lpad(g.i::text, 10, '0'))"
        self.text_tokens[customer["name"]] = "('Bench Customer ' || g.i::text)"
        for u in users:
            self.text_tokens.setdefault(u["name"], "('Bench Customer ' || g.i::text)")
        self.text_tokens[customer["email"]] = "('customer' || g.i::text || '@example.org')"
        self.text_tokens[customer["address"]] = "((g.i % 900 + 1)::text || ' Bench Road, Leeds')"
        if customer.get("phone"):
            self.text_tokens[customer["phone"]] = "('07700 ' || lpad((g.i % 1000000)::text, 6, '0'))"
        self.date_tokens: dict[str, str] = {}
        self.window = window = (t.anchor - timedelta(days=120), (t.term_end or t.anchor) + timedelta(days=120))
        self.made_at: datetime = customer["created_at"]

        def scan(value: Any) -> None:
            text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
            for d in DATE_RE.findall(text):
                try:
                    day = date.fromisoformat(d)
                except ValueError:
                    continue
                if window[0] <= day <= window[1] and d not in self.date_tokens:
                    self.date_tokens[d] = f"to_char({self.date_expr(day)}, 'YYYY-MM-DD')"

        for rows in t.rows.values():
            for row in rows:
                for value in row.values():
                    if isinstance(value, dict | list | str):
                        scan(value)

    def date_expr(self, day: date) -> str:
        if self.t.term_end is not None and day == self.t.term_end:
            return "g.e"
        return f"(g.s + {(day - self.t.anchor).days})"

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def templated(self, text: str) -> str | None:
        """`format(template, args...)` for a text holding tokens, or None when it holds none."""
        tokens = {**self.text_tokens, **self.date_tokens}
        hits = sorted((tok for tok in tokens if tok and tok in text), key=len, reverse=True)
        if not hits:
            return None
        fmt = text.replace("%", "%%")
        args: list[str] = []
        for tok in hits:
            if tok in fmt:
                args.append(tokens[tok])
                fmt = fmt.replace(tok, f"%{len(args)}$s")
        return f"format(CAST({self.param(fmt)} AS text), {', '.join(args)})"

    def expr(self, column: sa.Column[Any], value: Any) -> str | None:
        sqltype = column.type.compile(dialect=self.engine.dialect)
        if value is None:
            return "NULL"
        if isinstance(value, dict | list):
            body = json.dumps(value, sort_keys=False)
            templ = self.templated(body)
            return f"CAST({templ or f'CAST({self.param(body)} AS text)'} AS {sqltype})"
        if isinstance(value, datetime):
            if not self.window[0] <= value.date() <= self.window[1]:
                # A time far from the template's own (the idempotency record's created_at is the wall
                # clock, not the context's clock): the clone gets the time the template was made.
                value = self.made_at
            offset = (value - datetime.combine(self.t.anchor, datetime.min.time(), tzinfo=UTC)).total_seconds()
            return (f"LEAST((g.s::timestamp + make_interval(secs => {offset})) AT TIME ZONE 'UTC', "
                    f"CAST({self.param(self.now)} AS timestamptz))")
        if isinstance(value, date):
            if self.window[0] <= value <= self.window[1]:
                return self.date_expr(value)
            return f"CAST({self.param(value)} AS {sqltype})"  # a date of birth, a licence date: as it is
        if isinstance(value, str):
            templ = self.templated(value)
            return f"CAST({templ} AS {sqltype})" if templ else f"CAST({self.param(value)} AS {sqltype})"
        return f"CAST({self.param(value)} AS {sqltype})"

    def insert(self, table_name: str, row: dict[str, Any], where: str, overrides: dict[str, str]) -> sa.TextClause:
        table = metadata.tables[table_name]
        cols, exprs = [], []
        for column in table.columns:
            if column.primary_key and column.autoincrement is True and isinstance(row[column.name], int):
                continue  # a serial id: the database numbers the clones
            cols.append(column.name)
            exprs.append(overrides.get(column.name) or self.expr(column, row[column.name]) or "NULL")
        span = (self.fam.last_start - self.fam.first_start).days + 1
        buckets = ", ".join(str(b) for b in self.fam.buckets)
        sql = (f"INSERT INTO {table_name} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM ("
               f"SELECT x.i, x.s, (x.s + interval '12 months')::date AS e FROM ("
               f"SELECT i, DATE '{self.fam.first_start.isoformat()}' + ((i::bigint * 7919) % {span})::int AS s"
               f" FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS i"
               f" WHERE i % 20 IN ({buckets})) x) g WHERE {where}")
        return sa.text(sql)

    def statements(self) -> list[tuple[str, sa.TextClause, dict[str, Any]]]:
        out = []
        open_quotes = [r["id"] for r in self.t.rows.get("quotes", []) if r["status"] == "open"]
        user_ids = [u["id"] for u in self.t.rows.get("users", [])]
        for name in CLONE_ORDER:
            for row in self.t.rows.get(name, []):
                self.params = {}
                where, overrides = "TRUE", {}
                if name == "quotes" and row["status"] == "open":
                    first_needed = self.t.term_end is None and row["id"] == open_quotes[0]
                    where = "TRUE" if first_needed else has_sql(EXTRA_QUOTE)
                elif name == "users":
                    where = has_sql(LOGIN)
                    overrides["token_hash"] = ("encode(sha256(convert_to('bench-token-' || g.i::text, 'UTF8')),"
                                               " 'hex')")
                elif name == "idempotency_keys":
                    scope_row = self.expr(metadata.tables[name].c.scope, row["scope"])
                    staff = next((u for u in user_ids if row["scope"].endswith(":" + u)), None)
                    if staff is not None:  # bound by the customer's login, or else by a member of staff
                        op = row["scope"].rsplit(":", 1)[0]
                        overrides["scope"] = (f"CASE WHEN {has_sql(LOGIN)} THEN {scope_row} "
                                              f"ELSE {self.param(op + ':usr_benchstaff')} END")
                elif name == "consent_decisions":
                    where = has_sql(CONSENT)
                elif name in ("subject_keys", "sensitive_data"):
                    where = has_sql(SENSITIVE)
                stmt = self.insert(name, row, where, overrides)
                out.append((name, stmt, dict(self.params)))
        return out


def generate(engine: sa.Engine, templates: dict[str, Template], fams: list[Family], n: int, chunk: int,
             now: datetime) -> dict[str, Any]:
    plans = [(fam, Cloner(engine, templates[fam.template], fam, now).statements()) for fam in fams]
    t0 = time.perf_counter()
    done = 0
    for lo in range(1, n + 1, chunk):
        hi = min(n, lo + chunk - 1)
        with engine.begin() as conn:
            for _fam, stmts in plans:
                for _name, stmt, params in stmts:
                    conn.execute(stmt, {**params, "lo": lo, "hi": hi})
        done = hi
        rate = done / (time.perf_counter() - t0)
        log(f"  generated customers {done:,}/{n:,} ({rate:,.0f} customers/s, "
            f"about {(n - done) / rate:,.0f}s to go)")
    gen_s = time.perf_counter() - t0
    log("ANALYZE")
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("ANALYZE")
        counts = {name: conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
                  for name in metadata.tables}
        size = conn.exec_driver_sql(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c"
            " JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema()"
            " AND c.relkind = 'r'").scalar_one()
    return {"seconds": round(gen_s, 1), "rows": {k: v for k, v in counts.items() if v}, "size": size}


# -- measuring ---------------------------------------------------------------------------------------------


class StatementTimer:
    """Times every SQL statement on the engine while `on` is set, grouped by statement text."""

    def __init__(self, engine: sa.Engine) -> None:
        self.on = False
        self.stats: dict[str, list[float]] = {}
        self.examples: dict[str, tuple[str, Any]] = {}
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not self.on:
            return
        ms = (time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())) * 1000
        key = " ".join(statement.split())
        self.stats.setdefault(key, []).append(ms)
        if key not in self.examples or ms > max(self.stats[key][:-1] or [0]):
            self.examples[key] = (statement, parameters)

    @contextmanager
    def capture(self) -> Iterator[dict[str, list[float]]]:
        self.stats, self.examples, self.on = {}, {}, True
        try:
            yield self.stats
        finally:
            self.on = False

    def top(self, k: int = 8) -> list[dict[str, Any]]:
        rows = sorted(self.stats.items(), key=lambda kv: -sum(kv[1]))[:k]
        return [{"statement": s[:160], "count": len(v), "total_ms": round(sum(v), 1), "max_ms": round(max(v), 1)}
                for s, v in rows]


def explain_slow(engine: sa.Engine, timer: StatementTimer, threshold_ms: float = 50.0) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every captured SELECT slower than the threshold."""
    out = []
    for key, times in timer.stats.items():
        if max(times) < threshold_ms or not key.upper().startswith("SELECT"):
            continue
        statement, params = timer.examples[key]
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                plan = [r[0] for r in cur.fetchall()]
            conn.rollback()
        out.append({"statement": key[:300], "max_ms": round(max(times), 1), "plan": plan})
    return out


def summary(times: list[float]) -> dict[str, float]:
    return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4),
            "min_s": round(min(times), 4), "mean_s": round(statistics.fmean(times), 4)}


def pick_samples(rng: random.Random, n: int, fams: list[Family], want: dict[str, int],
                 exclude: set[int]) -> list[int]:
    """`want[letter]` customer numbers from each family, at random."""
    out: list[int] = []
    for fam in fams:
        count = want.get(fam.letter, 0)
        pool = 0
        while count and pool < 1_000_000:
            pool += 1
            i = rng.randint(1, n)
            if i % 20 in fam.buckets and i not in exclude and i not in out:
                out.append(i)
                count -= 1
    return out


def traits(i: int) -> list[str]:
    return [name for name, trait in (("login", LOGIN), ("consent", CONSENT), ("extra_quote", EXTRA_QUOTE),
                                     ("sensitive", SENSITIVE)) if has(i, trait)]


def measure_access(ctx: AppContext, staff: Principal, dpo: Principal, timer: StatementTimer, samples: list[int],
                   ids: Callable[[int], str], fams: list[Family], warm_up: int) -> dict[str, Any]:
    # The first package in a fresh process also pays for SQLAlchemy compiling its statements, the
    # data map being built and cold database caches: it is timed and reported on its own.
    t0 = time.perf_counter()
    with ctx.uow() as uow:
        subject_access.build_package(ctx, uow, ids(warm_up), dpo)
        uow.rollback()
    first_s = time.perf_counter() - t0
    log(f"  first package in this process (customer {ids(warm_up)}, not a sample): {first_s * 1000:.0f} ms")
    per: list[dict[str, Any]] = []
    for n, i in enumerate(samples):
        cid = ids(i)
        t0 = time.perf_counter()
        with ctx.uow() as uow:
            package = subject_access.build_package(ctx, uow, cid, dpo)
            uow.commit()
        build_s = time.perf_counter() - t0
        request = requests.start(ctx, staff, cid, kind="access", channel="email", identity_method="benchmark")
        t0 = time.perf_counter()
        answered = subject_access.access_package(ctx, staff, request["id"])
        request_s = time.perf_counter() - t0
        records = {t: len(r) for t, r in package["records"].items() if r}
        assert answered["request"]["status"] == "completed", answered["request"]["status"]
        per.append({"customer": cid, "family": family_of(i, fams).letter, "traits": traits(i),
                    "build_package_s": round(build_s, 4), "access_package_s": round(request_s, 4),
                    "records": records, "package_bytes": len(json.dumps(package, default=str))})
        log(f"  access {n + 1:>2}/{len(samples)} {cid} [{per[-1]['family']} {','.join(traits(i))}]: "
            f"build_package {build_s * 1000:.0f} ms, access_package {request_s * 1000:.0f} ms, "
            f"{sum(records.values())} records")
    slowest = max(per, key=lambda p: p["build_package_s"])
    with timer.capture(), ctx.uow() as uow:
        subject_access.build_package(ctx, uow, slowest["customer"], dpo)
        uow.rollback()
    explained = explain_slow(ctx.uow.engine, timer)  # type: ignore[attr-defined]
    build_times = [p["build_package_s"] for p in per]
    request_times = [p["access_package_s"] for p in per]
    worst = max(build_times + request_times)
    return {"first_call_in_process": {"customer": ids(warm_up), "build_package_s": round(first_s, 4)},
            "build_package": summary(build_times), "access_package": summary(request_times), "customers": per,
            "slowest_statements": timer.top(), "explain": explained,
            "target": {"seconds": TARGET_ACCESS_S, "result": "PASS" if worst < TARGET_ACCESS_S else "FAIL"}}


def measure_erasure(ctx: AppContext, staff: Principal, timer: StatementTimer, samples: list[int],
                    ids: Callable[[int], str], fams: list[Family]) -> dict[str, Any]:
    per: list[dict[str, Any]] = []
    slowest: tuple[float, int] | None = None
    for n, i in enumerate(samples):
        cid = ids(i)
        request = requests.start(ctx, staff, cid, kind="erasure", channel="email", identity_method="benchmark")
        t0 = time.perf_counter()
        shown = erasure.plan(ctx, staff, request["id"])
        plan_s = time.perf_counter() - t0
        if erasure.erases_nothing(shown):  # the plan keeps every record: no erasure to time (the case stays open)
            log(f"  erasure {n + 1:>2}/{len(samples)} {cid}: plan {plan_s * 1000:.0f} ms keeps every record; not applied")
            per.append({"customer": cid, "family": family_of(i, fams).letter, "traits": traits(i),
                        "plan_s": round(plan_s, 4), "nothing_to_erase": True})
            continue
        t0 = time.perf_counter()
        done = erasure.apply(ctx, staff, request["id"], shown["fingerprint"])
        apply_s = time.perf_counter() - t0
        assert done["request"]["status"] == "completed", done["request"]["status"]
        per.append({"customer": cid, "family": family_of(i, fams).letter, "traits": traits(i),
                    "plan_s": round(plan_s, 4), "apply_s": round(apply_s, 4),
                    "values_erased": sum(e["values"] for e in done["erased"]),
                    "values_kept": sum(k["values"] for k in done["kept"]),
                    "rows_deleted": len(done["rows_deleted"]), "erased_at_set": "logins_closed" in done})
        log(f"  erasure {n + 1:>2}/{len(samples)} {cid} [{per[-1]['family']} {','.join(traits(i))}]: "
            f"plan {plan_s * 1000:.0f} ms, apply {apply_s * 1000:.0f} ms, erased {per[-1]['values_erased']}, "
            f"kept {per[-1]['values_kept']}, rows deleted {per[-1]['rows_deleted']}")
        if slowest is None or apply_s > slowest[0]:
            slowest = (apply_s, i)
    # The statements of one more erasure like the slowest: a customer of the same family and traits.
    profile: dict[str, Any] = {}
    if slowest is not None:
        i = slowest[1]
        fam = family_of(i, fams)
        twin = next((j for j in range(i + 20, i + 20 * 5000, 20) if traits(j) == traits(i) and j != i), None)
        if twin is not None:
            request = requests.start(ctx, staff, ids(twin), kind="erasure", channel="email",
                                     identity_method="benchmark")
            shown = erasure.plan(ctx, staff, request["id"])
            with timer.capture():
                erasure.apply(ctx, staff, request["id"], shown["fingerprint"])
            profile = {"customer": ids(twin), "family": fam.letter, "traits": traits(twin),
                       "slowest_statements": timer.top(),
                       "explain": explain_slow(ctx.uow.engine, timer)}  # type: ignore[attr-defined]
    apply_times = [p["apply_s"] for p in per if "apply_s" in p] or [0.0]
    return {"plan": summary([p["plan_s"] for p in per]), "apply": summary(apply_times), "customers": per,
            "statements_of_a_slow_apply": profile,
            "target": {"seconds": TARGET_ERASURE_S, "applies_to": "apply",
                       "result": "PASS" if max(apply_times) < TARGET_ERASURE_S else "FAIL"}}


def find_sweep() -> tuple[Callable[..., Any] | None, str]:
    """The retention sweep, `covernote.privacy.usecases.retention.sweep`, if it exists yet."""
    try:
        module = importlib.import_module("covernote.privacy.usecases.retention")
    except ImportError as exc:
        return None, f"covernote.privacy.usecases.retention does not exist ({exc})"
    fn = getattr(module, "sweep", None)
    if not callable(fn):
        return None, "covernote.privacy.usecases.retention has no sweep function"
    return fn, f"covernote.privacy.usecases.retention.sweep{inspect.signature(fn)}"


@contextmanager
def progress(ctx: AppContext, t0: float, dry: bool, every_s: float = 60.0) -> Iterator[None]:
    """Log how far a sweep has got, once a minute: the actions committed so far (a real run commits
    each batch with its actions; a dry run commits nothing, so only the time is shown)."""
    stop = threading.Event()
    engine: sa.Engine = ctx.uow.engine  # type: ignore[attr-defined]

    def report() -> None:
        while not stop.wait(every_s):
            line = f"  sweep {'dry run' if dry else 'real run'}: {time.perf_counter() - t0:,.0f}s"
            if not dry:
                with engine.connect() as conn:
                    done = conn.exec_driver_sql("SELECT count(*) FROM retention_actions").scalar_one()
                line += f", {done:,} actions committed"
            log(line)

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def backends_cpu(engine: sa.Engine) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends of this run's connections (found by their
    application name), read from /proc; None where the server is not on this machine or /proc says nothing."""
    with engine.connect() as conn:
        pids = conn.exec_driver_sql("SELECT pid FROM pg_stat_activity WHERE application_name = "
                                    "current_setting('application_name')").scalars().all()
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure_sweep(ctx: AppContext, admin: Principal, timer: StatementTimer, real: bool,
                  batch_size: int | None) -> dict[str, Any]:
    """The whole sweep over the generated data: a dry run, then (with `real`) the real run. Records
    actioned are the report's `totals.done` (quotes deleted, policies and customers anonymised)."""
    fn, what = find_sweep()
    if fn is None:
        log(f"retention sweep: not measured: {what}")
        return {"available": False, "why": what}
    result: dict[str, Any] = {"available": True, "function": what}
    kwargs: dict[str, Any] = {} if batch_size is None else {"batch_size": batch_size}
    engine: sa.Engine = ctx.uow.engine  # type: ignore[attr-defined]
    for dry in (True, False) if real else (True,):
        # CPU, which the load of a shared machine moves much less than the wall time: this process's, and
        # that of the PostgreSQL backends serving its connections (a pipelined sweep uses two of them).
        pg0, cpu0 = backends_cpu(engine), time.process_time()
        t0 = time.perf_counter()
        with timer.capture(), progress(ctx, t0, dry):
            answer = fn(ctx, admin, dry_run=dry, **kwargs)
        seconds = time.perf_counter() - t0
        cpu, pg1 = time.process_time() - cpu0, backends_cpu(engine)
        pg_cpu = round(pg1 - pg0, 2) if pg0 is not None and pg1 is not None else None
        statements = timer.top(10)
        report = answer["report"]
        done = report["totals"]["done"]
        records = sum(done.values())
        rate = records / seconds if seconds else 0.0
        rows_changed = sum(report["rows_deleted"].values())
        log(f"retention sweep ({'dry run' if dry else 'real run'}): {records:,} records actioned in "
            f"{seconds:.1f}s = {rate:,.0f} records/s ({json.dumps(done)}; {report['batches']} batches, "
            f"{len(report['errors'])} errors); CPU: this process {cpu:.2f}s, PostgreSQL backends "
            f"{'?' if pg_cpu is None else f'{pg_cpu:.2f}s'}")
        result["dry_run" if dry else "real_run"] = {
            "seconds": round(seconds, 2), "records": records, "records_per_second": round(rate, 1),
            "done": done, "held": report["totals"]["held"], "errors": report["errors"][:20],
            "batches": report["batches"], "batch_size": report["batch_size"],
            "fields_changed": report["fields_changed"], "rows_deleted": report["rows_deleted"],
            "rows_deleted_total": rows_changed, "fields_kept": report["fields_kept"],
            "sql_seconds": round(sum(sum(v) for v in timer.stats.values()) / 1000, 2),
            "process_cpu_seconds": round(cpu, 2), "postgresql_backends_cpu_seconds": pg_cpu,
            "slowest_statements": statements}
    if real:
        again = fn(ctx, admin, dry_run=True, **kwargs)["report"]["totals"]["done"]
        result["dry_run_after"] = {"done": again, "records": sum(again.values())}
        log(f"retention sweep: a dry run after the real run finds {sum(again.values()):,} records due")
    measured = result.get("real_run", result.get("dry_run", {}))
    result["target"] = {"records_per_second": TARGET_SWEEP_PER_S, "measured_on": "real_run" if real else "dry_run",
                        "result": "PASS" if measured.get("records_per_second", 0) >= TARGET_SWEEP_PER_S else "FAIL"}
    return result


MEASURED_CODE = ("src/covernote/privacy/usecases/subject_access.py", "src/covernote/privacy/usecases/erasure.py",
                 "src/covernote/privacy/usecases/retention.py", "src/covernote/privacy/store/retention.py",
                 "src/covernote/store/anonymise.py", "src/covernote/privacy/store/subject_data.py",
                 "src/covernote/kernel/declarations.py")


def code_versions() -> dict[str, Any]:
    """What was measured: the git commit and a hash of each file of the code under test (the tree
    is being worked on while benchmarks run)."""
    root = HERE.parent
    out: dict[str, Any] = {}
    try:
        out["git_head"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                         check=False).stdout.strip()
    except OSError:
        out["git_head"] = None
    for rel in MEASURED_CODE:
        path = root / rel
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else None
    return out


def machine() -> dict[str, Any]:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postgres-url", default=os.environ.get("COVERNOTE_BENCH_PG_URL", DEFAULT_PG))
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=20, help="customers measured for access and for erasure")
    ap.add_argument("--chunk", type=int, default=50_000, help="customers generated per transaction")
    ap.add_argument("--seed", type=int, default=3, help="seed for picking the sample customers")
    ap.add_argument("--profile", metavar="DIR", help="write cProfiles of the measured phases to DIR")
    ap.add_argument("--sweep-batch", type=int, help="the sweep's batch_size (default: the sweep's own)")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    ap.add_argument("--reuse", metavar="SCHEMA",
                    help="measure on a schema kept (--keep) by an earlier run instead of generating one; it is kept")
    ap.add_argument("--phases", default="access,erasure,sweep",
                    help="what to measure, comma-separated: access, erasure, sweep, sweep-dry (dry run only)")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/*.json")
    args = ap.parse_args(argv)

    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = phases - {"access", "erasure", "sweep", "sweep-dry"}
    if unknown:
        ap.error(f"unknown phases: {', '.join(sorted(unknown))}")
    tmp = Path(tempfile.mkdtemp(prefix="cn_bench_privacy_"))
    admin_engine = make_engine(args.postgres_url)
    keep = args.keep or args.reuse is not None
    schema = args.reuse or f"cn_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with admin_engine.begin() as conn:
        if args.reuse is None:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        server_version = conn.exec_driver_sql("SHOW server_version").scalar_one()
    sep = "&" if "?" in args.postgres_url else "?"
    # The schema's name is also the connections' application name: the sweep's CPU counts their backends'.
    url = f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    code_at_start = code_versions()
    clock = FixedClock(now)
    ctx: AppContext | None = None
    profile_dir = Path(args.profile) if args.profile else None
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def profiled(name: str) -> Iterator[None]:
        prof = cProfile.Profile() if profile_dir else None
        if prof:
            prof.enable()
        try:
            yield
        finally:
            if prof and profile_dir:
                prof.disable()
                prof.dump_stats(str(profile_dir / f"privacy-{name}.prof"))

    try:
        settings = Settings(database_url=url, products_dir=PROJECT_ROOT / "products",
                            payment_simulator_path=":memory:", data_dir=tmp, keyring_path=tmp / "keyring.json")
        # A keyring derived from the schema's name, so a run with --reuse can open what an earlier run
        # encrypted (a throw-away benchmark schema: never do this with real data).
        seed = hashlib.sha256(schema.encode()).digest()
        keyring = InMemoryKeyring({"mk_bench": base64.urlsafe_b64encode(seed).decode()}, "mk_bench",
                                  hash_secret=hashlib.sha256(seed).hexdigest())
        ctx = replace(build(settings, clock=clock, migrate=args.reuse is None), keyring=keyring)
        engine: sa.Engine = ctx.uow.engine  # type: ignore[attr-defined]
        today = ctx.today()
        fams = families(today)
        log(f"schema {schema}; today {today}; {args.customers:,} customers")
        from covernote.identity.usecases import SYSTEM

        staff_user, _ = create_user(ctx, "Bench Staff", "staff")
        dpo_user, _ = create_user(ctx, "Bench DPO", "dpo")
        staff = Principal(staff_user.user_id, "staff")
        dpo = Principal(dpo_user.user_id, "dpo")
        if args.reuse is None:
            log("templates through the use cases")
            templates = {
                "live2026": make_template(ctx, staff, "livea", datetime(2026, 8, 14, 10, tzinfo=UTC), bind=True),
                "y2024": make_template(ctx, staff, "yeara", datetime(2024, 3, 1, 10, tzinfo=UTC), bind=True),
                "quote2024": make_template(ctx, staff, "quotea", datetime(2024, 3, 1, 10, tzinfo=UTC), bind=False),
            }
            for t in templates.values():
                read_template(engine, t)
                log(f"  template {t.name}: {t.customer_id}: "
                    + ", ".join(f"{k} {len(v)}" for k, v in t.rows.items()))
            log(f"generating {args.customers:,} customers in chunks of {args.chunk:,}")
            generated = generate(engine, templates, fams, args.customers, args.chunk, now)
        else:
            generated = {"reused_schema": schema, "rows": {}}
            with engine.connect() as conn:
                for name in metadata.tables:
                    generated["rows"][name] = conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
        log(f"generated in {generated.get('seconds', '(reused)')}s; database {generated.get('size', '')}; rows: "
            + ", ".join(f"{k} {v:,}" for k, v in generated["rows"].items() if v))
        timer = StatementTimer(engine)

        def ids(i: int) -> str:
            # The template customer's id is the first id its rows hold, so its tag is always "aa".
            return f"cus_{family_of(i, fams).letter}aa{i:010d}"

        rng = random.Random(args.seed)
        s = args.samples
        access_want = {"A": max(1, s * 8 // 20), "B": max(1, s * 4 // 20), "C": max(1, s * 3 // 20),
                       "D": max(1, s * 3 // 20), "E": max(1, s * 2 // 20)}
        erase_want = {"A": max(1, s * 3 // 20), "B": max(1, s * 2 // 20), "C": max(1, s * 4 // 20),
                      "D": max(1, s * 7 // 20), "E": max(1, s * 4 // 20)}
        access_samples = pick_samples(rng, args.customers, fams, access_want, set())
        erase_samples = pick_samples(rng, args.customers, fams, erase_want, set(access_samples))
        access: dict[str, Any] = {}
        erased: dict[str, Any] = {}
        sweep: dict[str, Any] = {}
        out = RESULTS / f"privacy_at_scale-{args.customers}.json"

        def save(final: bool) -> dict[str, Any]:
            """The results so far, written after every phase (a run stopped later keeps them)."""
            result = {
                "benchmark": "privacy_at_scale", "date": today.isoformat(), "backend": "postgresql",
                "server_version": server_version, "machine": machine(), "customers": args.customers,
                "complete": final, "phases": sorted(phases),
                "families": [{"letter": f.letter, "name": f.name, "share": f.share,
                              "starts": [f.first_start.isoformat(), f.last_start.isoformat()]} for f in fams],
                "traits": {"login": SHARE[LOGIN], "consent": SHARE[CONSENT], "extra_quote": SHARE[EXTRA_QUOTE],
                           "sensitive": SHARE[SENSITIVE]},
                "generation": generated, "access": access, "erasure": erased, "sweep": sweep,
                "code": code_at_start,
                "code_changed_during_run": sorted(k for k, v in code_versions().items()
                                                  if code_at_start.get(k) != v),
                "load_average_now": os.getloadavg(),
                "seconds_total": round(time.perf_counter() - started, 1),
            }
            if not args.no_write:
                RESULTS.mkdir(exist_ok=True)
                out.write_text(json.dumps(result, indent=2, default=str) + "\n")
            return result

        if "access" in phases:
            log(f"access packages for {len(access_samples)} customers")
            with profiled("access"):
                warm = next(i for i in range(1, args.customers + 1)
                            if i not in access_samples and i not in erase_samples)
                access = measure_access(ctx, staff, dpo, timer, access_samples, ids, fams, warm)
            save(False)
        if "erasure" in phases:
            log(f"erasure for {len(erase_samples)} customers")
            with profiled("erasure"):
                erased = measure_erasure(ctx, staff, timer, erase_samples, ids, fams)
            save(False)
        if phases & {"sweep", "sweep-dry"}:
            log("retention sweep")
            with profiled("sweep"):
                sweep = measure_sweep(ctx, SYSTEM, timer, real="sweep" in phases, batch_size=args.sweep_batch)
        save(True)
        print()
        print(f"{'measure':<40}{'median':>10}{'max':>10}  target")
        a, e = access, erased
        if a:
            print(f"{'access: build_package (s)':<40}{a['build_package']['median_s']:>10.3f}"
                  f"{a['build_package']['max_s']:>10.3f}  < 1 s  {a['target']['result']}")
            print(f"{'access: access_package on a request (s)':<40}{a['access_package']['median_s']:>10.3f}"
                  f"{a['access_package']['max_s']:>10.3f}")
        if e:
            print(f"{'erasure: plan (s)':<40}{e['plan']['median_s']:>10.3f}{e['plan']['max_s']:>10.3f}")
            print(f"{'erasure: apply (s)':<40}{e['apply']['median_s']:>10.3f}{e['apply']['max_s']:>10.3f}"
                  f"  < 1 s  {e['target']['result']}")
        if not sweep:
            pass
        elif sweep.get("available"):
            for k in ("dry_run", "real_run"):
                if k in sweep:
                    r = sweep[k]
                    print(f"{'sweep ' + k.replace('_', ' ') + ' (records/s)':<40}{r['records_per_second']:>20,.0f}"
                          f"  >= 10,000  {sweep['target']['result'] if k == 'real_run' else ''}")
        else:
            print(f"sweep: not measured: {sweep['why']}")
        if not args.no_write:
            log(f"wrote {out.relative_to(HERE.parent)}")
        return 0
    finally:
        if ctx is not None:
            ctx.uow.engine.dispose()  # type: ignore[attr-defined]
        if keep:
            log(f"kept schema {schema}")
        else:
            with admin_engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            log(f"dropped schema {schema}")
        admin_engine.dispose()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

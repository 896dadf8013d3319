"""Shared fixtures.

- `ctx`: an AppContext on a fresh SQLite database (migrated by Alembic), a fixed clock at
  2026-11-22 10:00 UTC, an in-memory payment simulator and in-memory MID, CUE and fraud agency
  simulators (REG-1..3; the fraud watch list holds no test data's names, so every check is clear).
- `db_ctx`: the same, parametrised over SQLite and PostgreSQL. PostgreSQL comes from
  COVERNOTE_TEST_DATABASE_URL; without it the PostgreSQL cases skip, saying so, except under CI=true
  where a missing URL fails the run.
- `pg_url`: the PostgreSQL URL of this worker's own schema (skips or fails as above).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from covernote.billing.adapters.finance_provider import SimulatedFinanceProvider
from covernote.bootstrap import EVENT_HANDLERS
from covernote.kernel.clock import FixedClock
from covernote.ledger.adapters.payments import SimulatedCardProvider
from covernote.platform.context import AppContext
from covernote.privacy.adapters.keyring import InMemoryKeyring
from covernote.privacy.store.data_map import SqlDataInventory
from covernote.products.store.files import load_catalogue
from covernote.regulatory.adapters.cue import SimulatedCue
from covernote.regulatory.adapters.fraud import SimulatedFraudAgency
from covernote.regulatory.adapters.mid import SimulatedMid
from covernote.store.db import make_engine, upgrade
from covernote.store.tables import metadata
from covernote.uow import SqlUnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = ROOT / "products"
START = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
PG_ENV = "COVERNOTE_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue(PRODUCTS)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "covernote.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


def _pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{PG_ENV} is not set under CI: the PostgreSQL tier must run in CI")
        pytest.skip(f"PostgreSQL tier skipped: set {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    return url


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    base = _pg_base_url()
    assert base is not None
    schema = f"cn_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    upgrade(url)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """`covernote serve` and the jobs call configure_logging, which changes the root logger for the whole
    process: put it back after each test, so no later test in the worker (a CLI's --json output) gets JSON
    log lines mixed in."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    named = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate)
             for n in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for n, (kept, propagate) in named.items():
        logging.getLogger(n).handlers[:] = kept
        logging.getLogger(n).propagate = propagate


_PG_ENGINES: dict[str, sa.Engine] = {}


@pytest.fixture
def pg_url(pg_schema_url: str) -> str:
    """This worker's schema, emptied before the test."""
    engine = _PG_ENGINES.setdefault(pg_schema_url, make_engine(pg_schema_url))
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        conn.exec_driver_sql("INSERT INTO counters (name, value) VALUES ('policy_number', 0)")
        conn.exec_driver_sql("ALTER SEQUENCE policy_number_seq RESTART WITH 1")
    return pg_schema_url


def make_ctx(url: str, catalogue, clock: FixedClock | None = None) -> AppContext:  # type: ignore[no-untyped-def]
    return AppContext(uow=SqlUnitOfWorkFactory(make_engine(url)), clock=clock or FixedClock(START),
                      catalogue=catalogue, payments=SimulatedCardProvider(":memory:"), inventory=SqlDataInventory(),
                      keyring=InMemoryKeyring(), mid=SimulatedMid(), cue=SimulatedCue(), fraud=SimulatedFraudAgency(),
                      finance=SimulatedFinanceProvider(), handlers=EVENT_HANDLERS,
                      # Tests move the clock years ahead with the same tokens; the expiry tests set their own.
                      token_lifetime_days=36_500)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def ctx(sqlite_url: str, catalogue, clock: FixedClock) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    context = make_ctx(sqlite_url, catalogue, clock)
    yield context
    context.uow.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_ctx(request: pytest.FixtureRequest, catalogue, clock: FixedClock) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    context = make_ctx(url, catalogue, clock)
    yield context
    if request.param == "sqlite":
        context.uow.engine.dispose()  # type: ignore[attr-defined]

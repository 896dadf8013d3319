"""Engines and migrations. SQLite file is the embedded default; PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import os
import re
import weakref
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_CONNECT_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError)


class UnusableDatabase(Exception):
    """The database URL names nothing Covernote can use: not a URL, an unsupported database, or one that
    does not answer. The message names the URL, password hidden, and the reason, in one line (issue 13,
    item 19)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = shown_url(url)
        self.reason = reason
        super().__init__(f"cannot use the database {self.url}: {reason}")

    @classmethod
    def from_error(cls, url: str, exc: BaseException) -> UnusableDatabase:
        """From a driver's error: its first line, without SQLAlchemy's wrapping."""
        orig = getattr(exc, "orig", None) or exc
        text = str(orig).strip().splitlines()
        reason = text[0] if text else type(orig).__name__
        if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
            reason += " (the schema is missing or old: run covernote db upgrade)"
        return cls(url, reason)


def shown_url(url: str) -> str:
    """The URL with its password hidden, fit to print."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str, **kwargs: object) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, or UnusableDatabase naming the URL and why. A new SQLite file
    is created readable by its owner only (0600; its -wal and -shm files take its mode): it holds personal
    data (issue 13, item 15)."""
    url = normalise_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise UnusableDatabase(url, "not a database URL (sqlite:///path/to/file.db or "
                                    "postgresql://user:password@host:5432/database)") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise UnusableDatabase(url, f"{parsed.get_backend_name()} is not supported: Covernote runs on SQLite "
                                    "(sqlite:///path/to/file.db) or PostgreSQL (postgresql://user@host:5432/database)")
    if url.startswith("sqlite"):
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:"):
            try:
                private_sqlite_file(path)
            except OSError as exc:
                raise UnusableDatabase(url, f"the file cannot be created: {exc.strerror or exc}") from None
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 15})
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        # Recycle connections rather than pinging each one on checkout: a ping is a round trip per request.
        kwargs.setdefault("pool_recycle", 1800)
    try:
        engine = sa.create_engine(url, **kwargs)  # type: ignore[arg-type]
    except (sa.exc.ArgumentError, ImportError) as exc:  # an unknown driver, or one not installed
        raise UnusableDatabase(url, f"its driver cannot be loaded ({exc})") from None
    _forget_pool_when_forked(engine)
    return engine


def _forget_pool_when_forked(engine: Engine) -> None:
    """A process forked from this one (a batch job's worker, platform/parallel.py) opens its own connections:
    it drops the pooled connections it inherited without closing them, since they are the parent's
    (SQLAlchemy's advice for fork). The engine is held weakly: forking keeps no engine alive."""
    ref = weakref.ref(engine)

    def after_fork() -> None:
        forked = ref()
        if forked is not None:
            forked.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork)


def private_sqlite_file(path: str | Path) -> None:
    """Make a SQLite file's folder, and the file itself readable by its owner only (0600) when it does not
    exist yet: an empty file is an empty database, and SQLite gives its -wal and -shm files the same mode.
    An existing file keeps its mode. For the database and for every simulator's state file, all of which
    hold personal data (issue 13, item 15)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not os.path.exists(path):
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head", engine: Engine | None = None) -> None:
    """Bring the database to the latest schema (or `revision`)."""
    cfg = alembic_config(url)
    own = engine is None
    engine = engine or make_engine(url)  # an SQLite file's folder is made on the way
    try:
        try:
            conn = engine.connect()
        except _CONNECT_ERRORS as exc:
            raise UnusableDatabase.from_error(url, exc) from None
        with conn, conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if own:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

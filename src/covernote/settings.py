"""Settings from the environment (COVERNOTE_*), with embedded defaults that need nothing installed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    database_url: str
    products_dir: Path
    payment_simulator_path: str
    data_dir: Path
    keyring_path: Path
    # Threads that run the synchronous request handlers (issue 12). 0: none, the handlers run on the
    # event loop. None: 0 on SQLite, which runs one writer at a time anyway and loses a third or more of
    # its throughput to handing the interpreter lock between threads; 4 on PostgreSQL, enough to keep
    # working while some requests wait on the database, and fewer hand-offs than the server's 40
    # (benchmarks/README.md, "Threads").
    worker_threads: int | None = None
    # The largest request body accepted, in bytes; a larger one is answered 413 before it is read (issue 13,
    # item 8). COVERNOTE_MAX_BODY_BYTES, default 1 MiB.
    max_body_bytes: int = 1024 * 1024
    # How long a new API token works, in days (issue 13, item 9). COVERNOTE_TOKEN_LIFETIME_DAYS, default 90.
    token_lifetime_days: int = 90
    # Refused tokens a client address may send in a minute before it is answered 429 (issue 13, item 25).
    # COVERNOTE_AUTH_FAILURES_PER_MINUTE, default 10; 0: no limit.
    auth_failures_per_minute: int = 10
    # Worker processes of the renewal-invitation batch (issue 12): COVERNOTE_BATCH_WORKERS. None: 2 on
    # PostgreSQL, 1 on SQLite. SQLite always runs the batch in one process (it takes one writer at a time).
    batch_workers: int | None = None

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("COVERNOTE_DATA_DIR", PROJECT_ROOT / "var"))
        return cls(
            database_url=os.environ.get("COVERNOTE_DATABASE_URL", f"sqlite:///{data_dir / 'covernote.db'}"),
            products_dir=Path(os.environ.get("COVERNOTE_PRODUCTS_DIR", PROJECT_ROOT / "products")),
            payment_simulator_path=os.environ.get("COVERNOTE_PAYMENT_SIMULATOR",
                                                  str(data_dir / "payment-simulator.sqlite")),
            data_dir=data_dir,
            keyring_path=Path(os.environ.get("COVERNOTE_KEYRING", data_dir / "keyring.json")),
            worker_threads=_count("COVERNOTE_WORKER_THREADS"),
            max_body_bytes=_positive("COVERNOTE_MAX_BODY_BYTES", 1024 * 1024),
            token_lifetime_days=_positive("COVERNOTE_TOKEN_LIFETIME_DAYS", 90),
            auth_failures_per_minute=_whole("COVERNOTE_AUTH_FAILURES_PER_MINUTE", 10),
            batch_workers=_positive_or_none("COVERNOTE_BATCH_WORKERS"),
        )

    def workers_for_batches(self) -> int:
        """How many processes run the renewal-invitation batch: always 1 on SQLite."""
        if self.database_url.startswith("sqlite"):
            return 1
        return self.batch_workers if self.batch_workers is not None else 2

    def threads_for_requests(self) -> int:
        """How many threads run request handlers: 0 none (they run on the event loop)."""
        if self.worker_threads is not None:
            return self.worker_threads
        return 0 if self.database_url.startswith("sqlite") else 4


def _count(name: str) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    if not raw.strip().isdigit():
        raise ValueError(f"{name} must be a whole number (0: handlers run on the event loop), not {raw!r}")
    return int(raw)


def _positive_or_none(name: str) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    return _positive(name, 1)


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit():
        raise ValueError(f"{name} must be a whole number (0: no limit), not {raw!r}")
    return int(raw)

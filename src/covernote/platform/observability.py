"""What operators watch (issue 13 item 23, UX-5): JSON-lines logs through the standard `logging` module,
and the Prometheus metrics every process records (the HTTP requests and the daily jobs).

Logs: `configure_logging()` puts a `JsonFormatter` on the root logger, one JSON object a line: `time`
(UTC, ISO 8601 with milliseconds), `level`, `logger`, `message`, and only the extra fields named in
`LOG_FIELDS` (request id, user id, route template, status, duration...). Nothing else a caller passes
reaches the line, so a stray `extra=` cannot leak personal data; an exception is logged as its type and
its stack of file:line:function, without its message (a database error's message can quote the row).

Metrics: prometheus_client, one registry per process. When `PROMETHEUS_MULTIPROC_DIR` is set (it must
be before the first import of prometheus_client), each process writes its counts there and a scrape
reads them all (`metrics_text`): several server workers, and the `covernote jobs` processes started by
cron with the same environment, are then one view. Without it, a scrape sees only the process that
answers it (docs/operations.md, "Logs and metrics").
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

USER_KEY = "covernote.user_id"  # where the caller's dependency leaves the user id, in the request's ASGI scope
LOG_FIELDS = ("request_id", "user_id", "method", "route", "status", "duration_ms", "job", "outcome", "error_kind",
              "counts", "version", "event")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with only the fields of `LOG_FIELDS` beside time, level, logger and message."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        for key in LOG_FIELDS:
            value = record.__dict__.get(key)
            if value is not None:
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            out["error"] = exc_type.__name__
            out["stack"] = [f"{f.filename}:{f.lineno}:{f.name}" for f in traceback.extract_tb(tb)]
        return json.dumps(out, default=str, ensure_ascii=False)


class _JsonLinesHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to `stream`, or to whatever sys.stderr is at the moment of writing."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._fixed = stream
        super().__init__()
        self.setFormatter(JsonFormatter())

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return self._fixed or sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: int | str = "INFO", stream: TextIO | None = None) -> None:
    """JSON lines on stderr (or `stream`) for every logger, uvicorn's included (their own handlers are
    dropped, so each line is written once). Calling it again replaces its handler. `COVERNOTE_LOG_LEVEL`
    overrides `level`."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _JsonLinesHandler)]:
        root.removeHandler(old)
    root.addHandler(_JsonLinesHandler(stream))
    root.setLevel(os.environ.get("COVERNOTE_LOG_LEVEL", level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


# -- metrics -------------------------------------------------------------------------------------------------

LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_REQUESTS = Counter("covernote_http_requests", "HTTP requests answered, by route template, method and status",
                        ("route", "method", "status"))
HTTP_LATENCY = Histogram("covernote_http_request_duration_seconds",
                         "Time from the request's arrival to the end of its answer, by route template and method",
                         ("route", "method"), buckets=LATENCY_BUCKETS)
JOB_RUNS = Counter("covernote_job_runs", "Daily job runs, by job and outcome (ok or failed)", ("job", "outcome"))
JOB_DURATION = Histogram("covernote_job_duration_seconds", "How long each daily job ran", ("job",),
                         buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600))


@contextmanager
def job_timer(job: str) -> Iterator[None]:
    """Count a job's run (ok, or failed when it raises) and time it; logs one line when it ends."""
    start = time.perf_counter()
    outcome = "failed"
    try:
        yield
        outcome = "ok"
    finally:
        seconds = time.perf_counter() - start
        JOB_RUNS.labels(job, outcome).inc()
        JOB_DURATION.labels(job).observe(seconds)
        logging.getLogger("covernote.jobs").info(
            "job %s %s", job, outcome, extra={"job": job, "outcome": outcome, "duration_ms": round(seconds * 1000, 1)})


class CallbackGauge(Collector):
    """A gauge computed when scraped: `read()` gives label values -> value."""

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...],
                 read: Callable[[], Mapping[tuple[str, ...], float]]) -> None:
        self.name, self.documentation, self.labels, self.read = name, documentation, labels, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=list(self.labels))
        for values, value in sorted(self.read().items()):
            family.add_metric(list(values), value)
        yield family

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # computed on scrape only: registering must not call `read`


def metrics_text(extra: Collector | None = None) -> bytes:
    """The Prometheus text exposition of this process's metrics (or, in multiprocess mode, of every
    process writing to PROMETHEUS_MULTIPROC_DIR), plus `extra` (computed now)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    text = generate_latest(registry)
    if extra is not None:
        one = CollectorRegistry()
        one.register(extra)
        text += generate_latest(one)
    return text

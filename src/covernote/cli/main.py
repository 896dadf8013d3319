"""`covernote`: start the service, migrate, load demonstration data, check products, manage users,
and work quotes and policies from the command line. Every command that shows a record takes --json.
Errors name the field and the reason, and exit with status 2. This module is the assembly: the app, `serve`,
`db` and `demo`; each context's commands come from its own `cli` module."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from covernote import bootstrap
from covernote.billing.cli import arrears as billing_arrears_cli
from covernote.billing.cli import commission as billing_commission
from covernote.billing.cli import direct_debit as billing_dd_cli
from covernote.billing.cli import notices as billing_notices_cli
from covernote.billing.cli import plans as billing_plans_cli
from covernote.carbon import cli as carbon_cli
from covernote.claims import cli as claims_cli
from covernote.clocks import cli as clocks_cli
from covernote.complaints import cli as complaints_cli
from covernote.documents import cli as documents_cli
from covernote.extras import cli as extras_cli
from covernote.identity.cli import users_app
from covernote.interfaces import cli as interfaces_cli
from covernote.interfaces.cli import context, handles_errors
from covernote.jobs import cli as jobs_cli
from covernote.ledger.cli import ledger_app
from covernote.lifecycle import cli as policy_cli
from covernote.lifecycle.cli import customers_app, policy_app, quote_app
from covernote.ncd import cli as ncd_cli
from covernote.platform.context import AppContext
from covernote.platform.observability import configure_logging
from covernote.privacy.adapters.keyring import KeyringUnsafe
from covernote.privacy.cli import data_map as privacy_data_map
from covernote.privacy.cli import registers as privacy_registers
from covernote.privacy.cli import requests as privacy_requests
from covernote.privacy.cli import retention as privacy_retention
from covernote.privacy.cli import sensitive as privacy_sensitive
from covernote.products.cli import products_app
from covernote.products.store.files import ProductFileError
from covernote.regulatory import cli as regulatory_cli
from covernote.settings import Settings
from covernote.telematics.cli import devices as telematics_devices_cli
from covernote.telematics.cli import rerating as telematics_review_cli
from covernote.telematics.cli import scores as telematics_scores_cli
from covernote.telematics.cli import simulate as telematics_simulate_cli

if TYPE_CHECKING:
    from uvicorn.config import HTTPProtocolType, LoopFactoryType


def _build(migrate: bool = False) -> AppContext:
    """The context every command works in; invalid product files are named file, field and reason."""
    try:
        return bootstrap.build(migrate=migrate)
    except ProductFileError as exc:
        interfaces_cli.fail("the product files are invalid",
                            [(f"{p.file}: {p.field}", p.reason) for p in exc.problems])
        raise
    except KeyringUnsafe as exc:  # issue 13, item 15: names the path and the fix
        interfaces_cli.fail(str(exc), code=1)
        raise


interfaces_cli.use_builder(_build)

app = typer.Typer(help="Covernote: policy administration for UK motor insurance.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled work, run now.", no_args_is_help=True)
# `covernote billing ...` (issue 15): one module per area registers its commands on this group.
billing_app = typer.Typer(help="Billing: payment plans and premium finance, direct debits, notices, arrears.",
                          no_args_is_help=True)
billing_plans_cli.register(billing_app)  # PAY-1, PAY-7
billing_dd_cli.register(billing_app)  # `covernote billing dd lodge|notices|collect|returns|report` (PAY-6)
billing_report_app = typer.Typer(help="Billing reports as CSV.", no_args_is_help=True)
billing_app.add_typer(billing_report_app, name="report")
billing_arrears_cli.register(billing_app)  # PAY-2, FEE-2: returned direct debits, arrears, cancellation for non-payment
privacy_app = typer.Typer(help="Privacy: the data map, requests, erasure, retention, holds, registers, keys.",
                          no_args_is_help=True)
# The command groups in the order `covernote --help` lists them: db and jobs are the assembly's, the rest the contexts'.
for sub, name in ((db_app, "db"), (products_app, "products"), (users_app, "users"), (customers_app, "customers"),
                  (quote_app, "quote"), (policy_app, "policy"), (ledger_app, "ledger"), (billing_app, "billing"),
                  (jobs_app, "jobs"),
                  (privacy_app, "privacy")):
    app.add_typer(sub, name=name)
app.add_typer(telematics_scores_cli.telematics_app, name="telematics")  # TEL-3, TEL-10: `telematics score ...`


# -- service ----------------------------------------------------------------------------------------


def server_stack() -> tuple[LoopFactoryType, HTTPProtocolType]:
    """The event loop and HTTP parser `serve` runs uvicorn with, named explicitly rather than left to uvicorn's
    "auto": uvloop and httptools (C) when both are installed, as they are with Covernote's dependencies;
    otherwise the pure-Python asyncio loop and h11 parser. uvloop with httptools served Covernote's quotes,
    binds and policy reads faster than asyncio with h11 on SQLite and PostgreSQL (issue 12,
    `benchmarks/http_throughput.py --server`)."""
    from importlib.util import find_spec

    if find_spec("uvloop") is not None and find_spec("httptools") is not None:
        return "uvloop", "httptools"
    return "asyncio", "h11"


@app.command()
@handles_errors
def serve(host: str = "127.0.0.1", port: int = 8000,
          demo: Annotated[bool, typer.Option(help="Load demonstration data into an empty database first")] = False,
          workers: Annotated[int, typer.Option(min=1, max=32)] = 1) -> None:
    """Migrate the database and start the API (docs at /docs, OpenAPI at /openapi.json) with uvicorn on the
    uvloop event loop and the httptools HTTP parser (the pure-Python asyncio and h11 if those are missing)."""
    import uvicorn

    ctx = context(migrate=True)
    if demo:
        _load_demo(ctx)
    loop, http = server_stack()
    typer.echo(f"Covernote on http://{host}:{port}  (docs: http://{host}:{port}/docs; uvicorn, loop {loop}, http {http})")
    typer.echo(f"Customer portal: http://{host}:{port}/portal")
    # JSON-lines logs; the app writes the access log itself (api/observability.py), whatever the workers
    configure_logging()
    with _multiprocess_metrics(workers):
        _run(uvicorn, ctx, host, port, workers, loop, http)


def _run(uvicorn: Any, ctx: AppContext, host: str, port: int, workers: int, loop: LoopFactoryType,
         http: HTTPProtocolType) -> None:
    if workers == 1:
        from covernote.api.app import create_app

        uvicorn.run(create_app(ctx, Settings.from_env().threads_for_requests()), host=host, port=port,
                    log_level="info", loop=loop, http=http, access_log=False, log_config=None)
    else:
        uvicorn.run("covernote.api.workers:create_worker_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", loop=loop, http=http, access_log=False, log_config=None)


@contextmanager
def _multiprocess_metrics(workers: int) -> Iterator[None]:
    """Several workers: unless the operator named one, a fresh PROMETHEUS_MULTIPROC_DIR under the data
    directory, emptied at start, so /metrics answers for every worker, not just the one scraped (the
    workers inherit it; it is unset again when the server stops)."""
    if workers == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    folder = Path(Settings.from_env().data_dir) / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    typer.echo(f"the metrics of every worker are gathered in {folder} (PROMETHEUS_MULTIPROC_DIR)")
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


def _load_demo(ctx: AppContext) -> None:
    """Load the demonstration data into an empty database; on one that holds only a previous load, say so
    and renew the demonstration tokens (issue 13, item 9). A database with users or customers of its own is
    refused (exit 2): the demonstration tokens are public."""
    from covernote.demo import DEMO_SIGN_INS, DemoAlreadyLoaded, demo_sign_ins, load_demo, renew_demo_tokens

    try:
        result = load_demo(ctx)
    except DemoAlreadyLoaded:
        states = renew_demo_tokens(ctx)
        typer.echo("Demonstration data already loaded; nothing else changed.")
        _print_tokens(states)
        _print_sign_ins(demo_sign_ins(ctx))
        return
    typer.echo("Demonstration data loaded:")
    for what, number in result["policies"].items():
        typer.echo(f"  {number}  {what}")
    _print_tokens({role: f"works until {(ctx.clock.now() + timedelta(days=ctx.token_lifetime_days)).date()}"
                   for role in result["tokens"]})
    _print_sign_ins(dict.fromkeys(DEMO_SIGN_INS, "set"))


def _print_sign_ins(states: dict[str, str]) -> None:
    """Issue 14: the portal's demonstration sign-ins, public like the demonstration tokens."""
    from covernote.demo import DEMO_SIGN_INS

    typer.echo("Demonstration portal sign-ins at /portal (demo data only; change with covernote users set-password):")
    for role, (login, password) in DEMO_SIGN_INS.items():
        typer.echo(f"  {role:11} user name {login}  password {password}  ({states.get(role, 'unknown')})")


def _print_tokens(states: dict[str, str]) -> None:
    from covernote.demo import DEMO_TOKENS

    typer.echo("Demonstration API tokens (demo data only; revoke with covernote users revoke):")
    for role, token in DEMO_TOKENS.items():
        typer.echo(f"  {role:11} {token}  ({states.get(role, 'unknown')})")


@app.command()
@handles_errors
def demo() -> None:
    """Load demonstration customers and policies in several states into an empty database (refused if it has
    users or customers of its own; on a previous demonstration load, renews the demonstration tokens)."""
    _load_demo(context(migrate=True))


@db_app.command("upgrade")
@handles_errors
def db_upgrade(revision: str = "head") -> None:
    """Apply the Alembic migrations up to REVISION (default: the latest)."""
    from covernote.store.db import current_revision, make_engine, upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at revision {current_revision(make_engine(settings.database_url))}")


@db_app.command("current")
@handles_errors
def db_current(as_json: interfaces_cli.JsonOpt = False) -> None:
    """The schema revision the database is at (`--json`: {"revision": ...}, null when empty)."""
    from covernote.store.db import current_revision, make_engine

    revision = current_revision(make_engine(Settings.from_env().database_url))
    interfaces_cli.show({"revision": revision}, as_json,
                        lambda d: d["revision"] or "empty (run: covernote db upgrade)")


policy_cli.register_jobs(jobs_app)  # `covernote jobs renewal-invitations|auto-renewals`
# Each privacy area adds its commands to `covernote privacy` from its own module.
for _area in (privacy_data_map, privacy_requests, privacy_registers, privacy_sensitive, privacy_retention):
    _area.register(privacy_app)
jobs_cli.register_jobs(jobs_app)  # `covernote jobs daily` and `jobs scheduler` (the sweep among them)
billing_notices_cli.register(billing_app)  # `covernote billing notices list|run|withdraw` (PAY-3)
carbon_cli.register(app)  # `covernote carbon policy|statement|portfolio` (ECO-1)
documents_cli.register(app, jobs_app)  # `covernote documents list|get|paper-copy|print-queue|mark|issue` (DOC-1)
extras_cli.register(app)  # `covernote extras list|fair-value` (ADD-1, PAY-7)
billing_commission.register(billing_app, billing_report_app)  # `covernote billing commission disclose`, `billing report commission` (PAY-7)
clocks_cli.register(app)  # `covernote clocks rules|report|figures|show|pause|resume` (issue 5)
complaints_cli.register(app, jobs_app)  # `covernote complaints ...`, `jobs complaints-eight-week` (CMP-1..5)
claims_cli.register(app)  # `covernote claims notify|show|list|status|reserve|pay|documents|receive|correspondence` (CLM-1..4)
ncd_cli.register(app)  # `covernote ncd proof|status|reviews|letter`, `policy incident` (NCD-1, NCD-2)
regulatory_cli.register(app, jobs_app)  # `covernote mid|cue|fraud ...`, `jobs mid-send|cue-send|fraud-recheck` (REG-1..3)
telematics_devices_cli.register(app)  # `covernote telematics device dispatch|show|photo|accept|...`, `telematics ingest`
_telematics = next(g.typer_instance for g in app.registered_groups if g.name == "telematics")
assert _telematics is not None
_telematics.add_typer(telematics_simulate_cli.app, name="simulate")  # the device simulator on the fixture's roads
_telematics.add_typer(telematics_review_cli.app, name="review")  # TEL-4: `review run`, `review list POLICY`


def main() -> None:  # pragma: no cover
    app(prog_name="covernote")


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)

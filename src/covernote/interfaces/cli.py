"""What every CLI command module shares: error reporting (field and reason, exit status 2), the
context, the operator principal, and printing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError

from covernote.kernel.days import check_moment, parse_day
from covernote.kernel.errors import DomainError
from covernote.platform.context import AppContext
from covernote.store.db import UnusableDatabase

F = TypeVar("F", bound=Callable[..., Any])
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full record as JSON")]


def fail(message: str, issues: list[tuple[str, str]] | None = None, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    for field, reason in issues or []:
        typer.echo(f"  {field}: {reason}", err=True)
    raise typer.Exit(code)


def parse_date(value: str, option: str) -> date:
    """A YYYY-MM-DD option value between 1900-01-01 and 2100-12-31 (the one rule: kernel/days.py), or a
    failure naming the option and the reason."""
    try:
        return parse_day(value)
    except ValueError as exc:
        fail(f"{value!r} is not a date Covernote takes", [(option, f"use YYYY-MM-DD: {exc}")])
        raise


def parse_moment(value: str, option: str, hint: str = "use ISO 8601, e.g. 2026-03-28T23:30") -> datetime:
    """An ISO 8601 date and time option value, its day between 1900-01-01 and 2100-12-31, or a failure
    naming the option (the zone is the caller's to settle)."""
    try:
        return check_moment(datetime.fromisoformat(value))
    except ValueError as exc:
        fail(f"{value!r} is not a date and time Covernote takes", [(option, f"{hint}: {exc}")])
        raise


def parse_optional_date(value: str | None, option: str) -> date | None:
    return None if value is None else parse_date(value, option)


def write_out(text: str, output: Path | None) -> None:
    """Print `text`, or write it to `output` and say so."""
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail("the output file cannot be written", [("--output", f"{output}: {exc.strerror or exc}")])
        typer.echo(f"wrote {output}")


def handles_errors(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            fail(exc.message, [(i.field, i.reason) for i in exc.issues])
        except ValidationError as exc:
            fail("the input does not have the expected shape",
                 [(".".join(str(x) for x in e["loc"]) or "input", e["msg"]) for e in exc.errors()])
        except UnusableDatabase as exc:  # issue 13, item 19: one line naming the URL (password hidden), no traceback
            fail(str(exc), code=1)
        except (OperationalError, InterfaceError) as exc:  # the database stopped answering, or never did
            from covernote.settings import Settings

            fail(str(UnusableDatabase.from_error(Settings.from_env().database_url, exc)), code=1)

    return wrapper  # type: ignore[return-value]


_builder: Callable[..., AppContext] | None = None


def use_builder(builder: Callable[..., AppContext]) -> None:
    """Register how commands get their context: `covernote.cli.main` registers bootstrap's `build`, so
    the contexts' commands never import the assembly above them."""
    global _builder
    _builder = builder


def context(migrate: bool = False) -> AppContext:
    if _builder is None:
        raise RuntimeError("no context builder: the commands run through covernote.cli.main, which registers it")
    return _builder(migrate=migrate)


def show(data: Any, as_json: bool, summary: Callable[[Any], str] | None = None) -> None:
    if as_json or summary is None:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        typer.echo(summary(data))


def format_or_json(fmt: str, as_json: bool, default: str) -> str:
    """The format a command with `--format` prints in: `--json` is short for `--format json`, so that
    every record command takes `--json` (issue 13 item 22). Both given, they must agree."""
    if not as_json:
        return fmt
    if fmt not in (default, "json"):
        fail("--json and --format disagree", [("--format", f"--json prints JSON; leave out --format {fmt}")])
    return "json"


def read_json(path: Path, model: type[BaseModel], what: str) -> Any:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"no such file {path}", [(what, "file not found")])
    except json.JSONDecodeError as exc:
        fail(f"{path} is not valid JSON", [(what, str(exc))])
    try:
        if isinstance(raw, list):
            return [model.model_validate(x) for x in raw]
        return model.model_validate(raw)
    except ValidationError as exc:
        fail(f"{path} does not have the expected shape",
             [(f"{what}." + ".".join(str(x) for x in e["loc"]), e["msg"]) for e in exc.errors()])

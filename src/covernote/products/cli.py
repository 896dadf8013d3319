"""`covernote products ...`: check a folder of product files, list the products (PRD-1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, show
from covernote.products.store.files import ProductFileError, load_catalogue
from covernote.settings import Settings

products_app = typer.Typer(help="Product definitions.", no_args_is_help=True)


@products_app.command("check")
def products_check(folder: Annotated[Path | None, typer.Argument(help="Default: the configured products folder")] = None,
                   as_json: JsonOpt = False) -> None:
    """Validate a folder of product files; lists every problem with file, field and reason."""
    folder = folder or Settings.from_env().products_dir
    try:
        cat = load_catalogue(folder)
    except ProductFileError as exc:
        fail(f"{len(exc.problems)} problem(s) in {folder}", [(f"{p.file}: {p.field}", p.reason) for p in exc.problems])
        return
    checked = [{"ref": p.ref, "name": p.name, "effective_from": p.effective_from.isoformat(),
                "effective_to": p.effective_to.isoformat() if p.effective_to else None} for p in cat.products]
    show(checked, as_json, lambda d: "\n".join(
        f"ok  {p['ref']:24} {p['effective_from']} -> {p['effective_to'] or 'open'}  {p['name']}" for p in d))


@products_app.command("list")
@handles_errors
def products_list(as_json: JsonOpt = False) -> None:
    from covernote.products.usecases import list_products

    data = list_products(context())
    show(data, as_json, lambda d: "\n".join(f"{p['ref']:24} {p['name']}" for p in d))

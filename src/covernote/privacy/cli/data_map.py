"""`covernote privacy data-map`: the data map generated from the field declarations (PRV-1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, format_or_json, handles_errors


def register(privacy_app: typer.Typer) -> None:
    """Add this area's command to `covernote privacy`."""

    @privacy_app.command("data-map")
    @handles_errors
    def privacy_data_map(fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
                         output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
                         include_not_personal: bool = False, as_json: JsonOpt = False) -> None:
        """Export the data map generated from the field declarations (PRV-1)."""
        from covernote.privacy.usecases import data_map as privacy

        fmt = format_or_json(fmt, as_json, "json")
        if fmt not in ("json", "csv"):
            fail("unknown format", [("--format", "use json or csv")])
        ctx = context()
        text = (privacy.data_map_csv(ctx, operator(), include_not_personal) if fmt == "csv"
                else json.dumps(privacy.data_map(ctx, operator(), include_not_personal), indent=2))
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {output}")

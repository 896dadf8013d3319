"""`covernote privacy ...`: Retention: the sweep, dealership settings and the record of processing (PRV-1, PRV-5)."""

from __future__ import annotations

import typer


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""

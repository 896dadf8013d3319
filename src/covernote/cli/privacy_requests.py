"""`covernote privacy ...`: Data subject requests, access packages, portability, erasure, restriction (PRV-3, PRV-4)."""

from __future__ import annotations

import typer


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""

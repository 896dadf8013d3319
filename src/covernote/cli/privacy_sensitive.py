"""`covernote privacy ...`: Encrypted sensitive fields and key rotation (PRV-7, PRV-11)."""

from __future__ import annotations

import typer


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""

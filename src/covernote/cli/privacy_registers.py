"""`covernote privacy ...`: Legal holds, fraud markers, the disclosure register and the breach register (PRV-6, PRV-8)."""

from __future__ import annotations

import typer


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""

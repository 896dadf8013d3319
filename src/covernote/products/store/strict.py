"""What every product file section's model shares: no unknown field, nothing changed once read, and one
wording for a mapping keyed by names from a fixed list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict


class StrictDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def only_known(given: Iterable[str], allowed: Sequence[str], what: str) -> None:
    """ValueError naming the keys of `given` not in `allowed` (`what`: "fuel type(s)") and the ones to use."""
    bad = [g for g in given if g not in allowed]
    if bad:
        raise ValueError(f"unknown {what} {bad}: use {', '.join(allowed)}")

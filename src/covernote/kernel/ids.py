"""Identifiers: a short type prefix and a random part, so an id says what it names."""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford-style: no i, l, o, u


def new_id(prefix: str, length: int = 16) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def policy_number(sequence: int, prefix: str = "CN") -> str:
    """A human-friendly policy number with a check digit (Luhn mod 10 over the digits)."""
    digits = f"{sequence:08d}"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    check = (10 - total % 10) % 10
    return f"{prefix}{digits}{check}"

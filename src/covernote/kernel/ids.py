"""Identifiers: a type prefix, then a time-ordered part and a random part, so an id says what it
names and ids sort in the order they were made (monotonic within a process)."""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford-style: no i, l, o, u
_lock = threading.Lock()
_last = 0


def _b32(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_ALPHABET[n & 31])
        n >>= 5
    return "".join(reversed(out))


def _tick() -> int:
    global _last
    with _lock:
        now = time.time_ns() // 1000  # microseconds
        _last = now if now > _last else _last + 1
        return _last


def new_id(prefix: str, random_length: int = 8) -> str:
    """e.g. pol_0cz1k6w3t5m8a9h2x4... : 11 characters of time, then `random_length` random ones."""
    rand = _b32(int.from_bytes(secrets.token_bytes(5 * random_length // 8 + 1), "big"), random_length)
    return f"{prefix}_{_b32(_tick(), 11)}{rand}"


def policy_number(sequence: int, prefix: str = "CN") -> str:
    """A human-friendly policy number with a Luhn check digit over the digits."""
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

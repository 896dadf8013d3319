"""The idempotency store every money-moving write uses (stored answers by key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class StoredResponse:
    key: str
    scope: str
    fingerprint: str
    response: dict[str, Any]


class IdempotencyStore(Protocol):
    def get(self, key: str, scope: str) -> StoredResponse | None: ...
    def put(self, stored: StoredResponse) -> None: ...

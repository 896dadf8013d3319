"""Idempotency keys on writes that money depends on: the same key and request give the same answer
once, whatever the retries; the same key with a different request is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from covernote.app.ports import StoredResponse, UnitOfWork
from covernote.domain.errors import Conflict, FieldIssue, ValidationFailed


def fingerprint(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not (8 <= len(key) <= 200) or not key.isprintable():
        raise ValidationFailed("an idempotency key is required",
                               [FieldIssue("Idempotency-Key", "8 to 200 printable characters, unique per request")])
    return key


def replay_or_run(uow: UnitOfWork, key: str, scope: str, request: dict[str, Any],
                  run: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """(response, replayed). Stores the response in the same unit of work as the change it made."""
    fp = fingerprint(request)
    stored = uow.idempotency.get(key, scope)
    if stored is not None:
        if stored.fingerprint != fp:
            raise Conflict("this idempotency key was used for a different request",
                           [FieldIssue("Idempotency-Key", "already used with a different request body")])
        return stored.response, True
    response = run()
    uow.idempotency.put(StoredResponse(key, scope, fp, response))
    return response, False

"""Idempotency keys on writes that money depends on: the same key and request give the same answer
once, whatever the retries; the same key with a different request is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from covernote.kernel.errors import Conflict, FieldIssue, ValidationFailed
from covernote.platform.ports import StoredResponse
from covernote.platform.uow import UnitOfWork


def fingerprint(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str | None) -> str:
    """The key, or ValidationFailed saying what is wrong with it: missing, its length, or its characters
    (issue 13, item 21: a too-short key was reported as "required")."""
    if key is None or not key.strip():
        raise ValidationFailed("an idempotency key is required",
                               [FieldIssue("Idempotency-Key", "is required: 8 to 200 printable characters, unique "
                                                              "per request")])
    if not 8 <= len(key) <= 200:
        raise ValidationFailed("the idempotency key is not the right length",
                               [FieldIssue("Idempotency-Key", f"must be 8 to 200 characters long; got {len(key)}")])
    if not key.isprintable():
        raise ValidationFailed("the idempotency key has characters it may not",
                               [FieldIssue("Idempotency-Key", "printable characters only")])
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


def idempotent_change(uow_factory: Callable[[], UnitOfWork], user_id: str, operation: str,
                      idempotency_key: str | None, request: dict[str, Any],
                      run: Callable[[UnitOfWork, str], dict[str, Any]]) -> dict[str, Any]:
    """Run one business change under an idempotency key, in one unit of work.

    `run(uow, payment_key)` makes the change; `payment_key` is what any outside call (the payment
    provider) must be given, the same on every retry of this request, so a retry after a failed commit
    is answered with the first receipt instead of taking money twice. The response says whether it was
    a replay."""
    key = check_key(idempotency_key)
    scope = f"{operation}:{user_id}"
    with uow_factory() as uow:
        response, replayed = replay_or_run(uow, key, scope, request, lambda: run(uow, f"{scope}:{key}"))
        uow.commit()
    return {**response, "idempotent_replay": replayed}

"""The shapes identity's use cases and routes answer with (typed for mypy and the OpenAPI document)."""

from __future__ import annotations

from typing_extensions import TypedDict


class UserCreated(TypedDict):
    """A new API user and its token, shown once (POST /users)."""

    id: str
    name: str
    role: str
    customer_id: str | None
    token: str

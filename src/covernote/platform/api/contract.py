"""What an operation documents about its error answers: the problem document (RFC 9457) every error
answer carries as `application/problem+json`, and the declarations a context's router adds to an
operation whose error answers the assembly cannot infer (covernote.api.problems.document_errors)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str
    reason: str


class ProblemDocument(BaseModel):
    """An error answer (RFC 9457): `errors` names each field at fault and the reason."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


def documented(what: str) -> dict[str, Any]:
    """One documented error answer: a problem document (the assembly serves its schema as
    `application/problem+json` only)."""
    return {"model": ProblemDocument, "description": what}


# Operations that take or return money through the payment provider.
DECLINES_PAYMENT: dict[int | str, dict[str, Any]] = {
    402: documented("The payment provider declined; nothing was changed")}


def conflicts(what: str) -> dict[int | str, dict[str, Any]]:
    """A read that the record's state can refuse (409), as a route declares it."""
    return {409: documented(what)}


def also_as(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer is also given as these media types (chosen by the `format` query parameter)."""
    return {200: {"content": {media_type: {"schema": {"type": "string"}} for media_type in media_types}}}

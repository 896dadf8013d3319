"""What every context's REST request bodies share: a strict base that refuses unknown fields (so a
misspelt field is named in the 422, never ignored) and the short text field most bodies use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# An amount of money as a request gives it: pounds and pence as text ("150.00"); whole pounds may also be a
# JSON integer. The OpenAPI schema of every amount says so (issue 13 item 16), not "any number or string".
AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
AMOUNT_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string", "pattern": AMOUNT_PATTERN, "maxLength": 15}, {"type": "integer", "minimum": 0}]}


def one_of(values: Iterable[str | None]) -> dict[str, Any]:
    """`json_schema_extra` for text whose values the domain checks: the schema lists them as an enum."""
    return {"enum": list(values)}

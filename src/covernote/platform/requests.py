"""What every context's REST request bodies share: a strict base that refuses unknown fields (so a
misspelt field is named in the 422, never ignored) and the short text field most bodies use."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

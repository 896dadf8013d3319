"""The paging query parameters every list endpoint takes, from the one paging rule
(`covernote.platform.paging`, issue 13 item 7): `limit: Limit = 50, offset: Offset = 0`. Out of bounds is a
422 naming the parameter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from covernote.platform.paging import MAX_OFFSET, MAX_PAGE

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"At most this many (1 to {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Skip this many first (0 to {MAX_OFFSET:,})")]

"""The one check of a listing's paging and status filter: each bad argument named, all at once."""

from __future__ import annotations

from collections.abc import Collection

from covernote.domain.errors import IssueCollector

MAX_PAGE = 1000


def check_listing(limit: int, offset: int, *, status: str | None = None, statuses: Collection[str] = ()) -> None:
    """Raise ValidationFailed naming `status` (not one of `statuses`), `limit` (1 to 1000) or `offset`."""
    issues = IssueCollector()
    if status is not None and status not in statuses:
        issues.add("status", f"one of {', '.join(statuses)}")
    if not 1 <= limit <= MAX_PAGE:
        issues.add("limit", f"from 1 to {MAX_PAGE}")
    if offset < 0:
        issues.add("offset", "0 or more")
    issues.raise_if_any("the listing cannot be made")

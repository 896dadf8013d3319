"""The one check of a listing's paging and status filter: each bad argument named, all at once."""

from __future__ import annotations

from collections.abc import Collection

from covernote.kernel.errors import IssueCollector

MAX_PAGE = 1000


def check_listing(limit: int, offset: int, *, status: str | None = None, statuses: Collection[str] = (),
                  max_limit: int = MAX_PAGE, issues: IssueCollector | None = None) -> None:
    """Raise ValidationFailed naming `status` (not one of `statuses`), `limit` (1 to `max_limit`) or `offset`,
    with any `issues` the caller found in its own filters."""
    issues = issues or IssueCollector()
    if status is not None and status not in statuses:
        issues.add("status", f"one of {', '.join(statuses)}")
    if not 1 <= limit <= max_limit:
        issues.add("limit", f"from 1 to {max_limit}")
    if offset < 0:
        issues.add("offset", "0 or more")
    issues.raise_if_any("the listing cannot be made")

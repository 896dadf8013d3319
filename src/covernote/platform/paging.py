"""The one paging rule (issue 13, item 7) and the one check of a listing's paging and status filter: each
bad argument named, all at once.

Every list takes `limit` from 1 to `MAX_PAGE` and `offset` from 0 to `MAX_OFFSET`: over HTTP through
`covernote.platform.api.paging` (`Limit`, `Offset`: a 422 naming the parameter), and in the use cases
through `check_listing`. An offset past what SQLite's 64-bit integers hold was a 500."""

from __future__ import annotations

from collections.abc import Collection

from covernote.kernel.errors import IssueCollector

MAX_PAGE = 1000
MAX_OFFSET = 1_000_000_000


def check_listing(limit: int, offset: int, *, status: str | None = None, statuses: Collection[str] = (),
                  max_limit: int = MAX_PAGE, issues: IssueCollector | None = None) -> None:
    """Raise ValidationFailed naming `status` (not one of `statuses`), `limit` (1 to `max_limit`) or `offset`
    (0 to `MAX_OFFSET`), with any `issues` the caller found in its own filters."""
    issues = issues or IssueCollector()
    if status is not None and status not in statuses:
        issues.add("status", f"one of {', '.join(statuses)}")
    if not 1 <= limit <= max_limit:
        issues.add("limit", f"from 1 to {max_limit}")
    if not 0 <= offset <= MAX_OFFSET:
        issues.add("offset", f"from 0 to {MAX_OFFSET:,}")
    issues.raise_if_any("the listing cannot be made")

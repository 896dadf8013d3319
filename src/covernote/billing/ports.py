"""The billing context's ports: its repositories and the outside systems it talks to (the premium-finance
provider, the Bacs bureau)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from covernote.billing.domain.commission import BookedPosting


class CommissionRepository(Protocol):
    """The ledger's postings the commission report reads (PAY-7)."""

    def booked(self, start: datetime, end: datetime) -> list[BookedPosting]:
        """Every posting on the report's accounts (`domain.commission.is_report_account`) of the entries
        posted in [start, end), with its policy's number and its transaction's kind."""
        ...

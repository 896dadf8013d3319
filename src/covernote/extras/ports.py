"""The optional extras' port (ADD-1, PAY-7): their lines per policy transaction and the fair-value figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from covernote.policy.domain.model import Policy, PolicyTransaction


@dataclass(frozen=True)
class ExtraWritten:
    """One extra's business booked in a period (the fair-value report): amounts in signed pence."""

    product_code: str
    extra_code: str
    policy_ids: tuple[str, ...]
    sales: int  # lines that sold it: bought, renewed or added
    premium_pence: int
    ipt_pence: int
    commission_pence: int


class ExtrasRepository(Protocol):
    """The optional extras' lines of every transaction (ADD-1, PAY-7), for reports and reconciliation."""

    def add_lines(self, policy: Policy, txn: PolicyTransaction, product_ref: str, booked_on: date,
                  lines: Sequence[Any]) -> None:
        """`lines`: domain.extras.ExtraLine."""
        ...
    def expected_accounts_by_policy(self) -> dict[str, dict[str, int]]:
        """policy id -> ledger account -> pence the extras' lines should have posted there."""
        ...
    def written(self, product_code: str | None, start: date, end: date) -> list[ExtraWritten]:
        """Per product and extra, what was booked on days in [start, end)."""
        ...
    def covers(self, product_code: str, extra_code: str) -> dict[str, list[tuple[date, date]]]:
        """policy id -> the days the extra covers, as each term's latest line says."""
        ...
    def claims(self, policy_ids: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        """(policy id, recorded event) for every claim or incident on the policies."""
        ...

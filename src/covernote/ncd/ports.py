"""The no-claims discount context's port: proofs of NCD (NCD-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class NcdProofRecord:
    """A proof of NCD given for a quote or a policy (NCD-1): what the document shows, the result of each
    condition (`checks`), the decision (automatic, or staff with a note) and its effect on rating."""

    proof_id: str
    customer_id: str
    quote_id: str | None
    policy_id: str | None
    kind: str
    insurer: str
    ncd_years: int | None
    ended_on: date | None
    registration: str | None
    country: str | None
    issued_on: date | None
    previous_policy_number: str | None
    status: Literal["accepted", "rejected"]
    checks: list[dict[str, Any]]
    checked_on: date
    in_use_on: list[str]  # ids of the accepted proofs of the same NCD in use on another vehicle
    decided_by: str
    decided_at: datetime
    decision_note: str | None
    effect: dict[str, Any] | None  # how the decision changed the quote's rating, if it did
    recorded_at: datetime
    recorded_by: str


class NcdProofRepository(Protocol):
    def add(self, proof: NcdProofRecord) -> None: ...
    def get(self, proof_id: str) -> NcdProofRecord | None: ...
    def for_quote(self, quote_id: str) -> list[NcdProofRecord]: ...
    def for_policy(self, policy_id: str) -> list[NcdProofRecord]:
        """The proofs given for the policy or for the quote it was bound from, oldest first."""
        ...
    def for_policies(self, policy_ids: Sequence[str]) -> dict[str, list[NcdProofRecord]]:
        """`for_policy` of each policy, in one query: every id given is a key (no proofs: an empty list)."""
        ...
    def lock_end_date(self, ended_on: date) -> None:
        """Hold, until the unit of work ends, the right to decide proofs ending on `ended_on`."""
        ...
    def accepted_ending_on(self, ended_on: date) -> list[NcdProofRecord]:
        """Accepted proofs of a policy that ended (or was due to renew) on `ended_on`."""
        ...
    def decide(self, proof: NcdProofRecord, expected_decided_at: datetime) -> None:
        """Store a new decision (status, checks, in_use_on, decided_*, note, effect) if the proof was not
        decided again since it was read; raises Conflict otherwise."""
        ...
    def reprice_quote(self, quote_id: str, expected_premium_pence: int, risk: dict[str, Any], rating: dict[str, Any],
                      premium_pence: int, ipt_pence: int) -> bool:
        """Re-rate an open quote whose premium is still `expected_premium_pence`; False if it changed or
        is no longer open."""
        ...
    def page(self, status: str | None, limit: int, offset: int) -> list[NcdProofRecord]: ...
    def policies_in_force(self, on: date, limit: int, offset: int) -> list[str]:
        """Ids of policies whose current term ends after `on`, in id order (the staff review scan)."""
        ...

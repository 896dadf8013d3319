"""What the 90-day premium review (TEL-4) needs from the stored scores: one period's average score.

The scores part of the telematics context stores each device-day's score; its adapter answers this port. A
period with no score (the box not reporting) answers None: the review then makes no change and says why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class PeriodScoreValue:
    """A policy's average score over a period (`period_score`: each journey weighted by its driving time)
    and how many journeys it rests on."""

    score: Decimal
    journeys: int


class PeriodScores(Protocol):
    def period(self, policy_id: str, start: date, end: date) -> PeriodScoreValue | None:
        """The average score of the policy's driving from `start` up to (not including) `end`, UK days; None
        when there is none (no journey scored in the period)."""
        ...


class NoPeriodScores:
    """No stored scores (until the scores adapter is wired): every period answers None, so a review makes no
    change and says the box sent no driving data."""

    def period(self, policy_id: str, start: date, end: date) -> PeriodScoreValue | None:
        return None

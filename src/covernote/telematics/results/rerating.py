"""The typed results of the 90-day premium review (TEL-4)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from covernote.billing.results import Settlement


class ReviewView(TypedDict):
    """One 90-day review of a policy (TEL-4): the period, its scores and the change, the loading before and
    after (whole percent; the cap and floor), the annual premium and what the change charges or refunds.
    `status`: `reviewed` (a transaction records it; the premium may be unchanged) or `no_score` (no driving
    data for the period: no change, `reason` says why)."""

    policy_id: str
    review_on: str
    period_start: str
    period_end: str
    status: str
    reason: NotRequired[str]
    score: NotRequired[str]
    previous_score: NotRequired[str]
    against_baseline: NotRequired[bool]
    change: NotRequired[str]
    journeys: NotRequired[int]
    step_percent: NotRequired[int]
    loading_before: NotRequired[int]
    loading_after: NotRequired[int]
    cap_percent: int
    floor_percent: int
    capped: NotRequired[bool]
    floored: NotRequired[bool]
    renewal_premium: NotRequired[str]
    increase_cap: NotRequired[str]
    premium_before: NotRequired[str]
    premium_after: NotRequired[str]
    premium: NotRequired[str]  # the additional (positive) or return (negative) premium for the rest of the term
    ipt: NotRequired[str]
    total: NotRequired[str]
    transaction_id: NotRequired[str]
    payment: NotRequired[Settlement]
    document_id: NotRequired[str | None]
    explanation: list[str]


class ReviewList(TypedDict):
    """A policy's reviews of its current term, oldest first, and the review dates still to come."""

    policy_id: str
    reviews: list[ReviewView]
    upcoming: list[str]


class ReviewRun(TypedDict):
    """The daily step (TEL-4): the reviews made, those with no score, and failures (policy and reason)."""

    as_of: str
    reviewed: list[ReviewView]
    no_score: list[ReviewView]
    failed: list[dict[str, str]]

"""REST resources of the 90-day premium review (TEL-4): a policy's reviews (the customer their own, staff any),
and staff running the daily step now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day, RequestBody
from covernote.telematics.ports.rerating import PeriodScores
from covernote.telematics.results.rerating import ReviewList, ReviewRun, ReviewView
from covernote.telematics.usecases import rerating

router = APIRouter(tags=["telematics reviews"], route_class=OneHopRoute)


def period_scores() -> PeriodScores | None:
    """Where the period scores come from: None, the stored day scores (`usecases/wiring.StoredPeriodScores`);
    a test may override this dependency."""
    return None


Scores = Annotated[PeriodScores | None, Depends(period_scores)]


class RunIn(RequestBody):
    """`as_of`: the day to run the step for (default today): every review date on or before it without a review."""

    as_of: Day | None = None


class ReviewIn(RequestBody):
    """`review_on`: one of the term's review dates (every 90 days from its start)."""

    review_on: Day


@router.get("/policies/{policy_id}/telematics/reviews")
def list_reviews(ctx: Ctx, who: Caller, policy_id: str) -> ReviewList:
    """The current term's 90-day premium reviews (TEL-4), oldest first: each period's score against the last
    (or the starting score), the change, the loading and the cap, the annual premium before and after, what the
    rest of the term is charged or refunded; and the review dates to come. Customers see their own policies
    (another's answers 404)."""
    return rerating.list_reviews(ctx, who, policy_id)


@router.post("/policies/{policy_id}/telematics/reviews")
def review_policy(ctx: Ctx, who: Caller, policy_id: str, body: ReviewIn, scores: Scores) -> ReviewView:
    """Staff: review the policy on one of its review dates now (made once: asked again, the review made is
    answered). 422 naming `review_on` when it is not a review date of the term; 403 for a customer."""
    return rerating.review(ctx, who, policy_id, body.review_on, scores)


@router.post("/telematics/reviews/run")
def run_reviews(ctx: Ctx, who: Caller, body: RunIn, scores: Scores) -> ReviewRun:
    """Staff: the daily step now (TEL-4): every Smartbox policy whose review date has come without a review is
    reviewed; a period without a score changes nothing and is tried again the next day. Safe to rerun. 403 for
    a customer."""
    return rerating.reviews_due(ctx, who, body.as_of, scores)

"""Pricing a policy term on the product version it was written on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from covernote.policy.domain.rating import RatingResult, rate_for_term
from covernote.policy.domain.risk import Risk
from covernote.policy.domain.term import Adjustment, Pricer, Segment, TermState, price_segments
from covernote.products.domain.catalogue import Catalogue
from covernote.products.domain.model import Product

# Ratings already made, by product version, risk, start, renewal and length: a rating is a pure function
# of these (the product version is immutable), and a policy's terms are re-priced every time it is read.
# Bounded: the oldest half goes when it is full. The product is kept with its ratings, so its id() is
# never reused by another product while the entry lives.
RATINGS_REMEMBERED = 4096
_rated: dict[tuple[int, Risk, date, bool, int], tuple[Product, RatingResult]] = {}


def rating(product: Product, risk: Risk, start: date, renewal: bool, term_days: int) -> RatingResult:
    key = (id(product), risk, start, renewal, term_days)
    hit = _rated.get(key)
    if hit is not None and hit[0] is product:
        return hit[1]
    result = rate_for_term(product, risk, start, renewal=renewal, term_days=term_days)
    if len(_rated) >= RATINGS_REMEMBERED:
        for old in list(_rated)[:RATINGS_REMEMBERED // 2]:
            _rated.pop(old, None)
    _rated[key] = (product, result)
    return result


def pricer_for(catalogue: Catalogue, term: TermState) -> Pricer:
    product = catalogue.by_ref(term.product_ref)

    def price(risk: Risk) -> RatingResult:
        return rating(product, risk, term.period.start, term.renewal, term.period.days)

    return price


def segments(catalogue: Catalogue, term: TermState, adjustments: Sequence[Adjustment] | None = None) -> list[Segment]:
    return price_segments(term, pricer_for(catalogue, term), adjustments)

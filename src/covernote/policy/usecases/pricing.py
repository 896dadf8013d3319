"""Pricing a policy term on the product version it was written on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from covernote.kernel.memo import BoundedMemo
from covernote.policy.domain.rating import RatingResult, rate_for_term
from covernote.policy.domain.risk import Risk
from covernote.policy.domain.term import Adjustment, Pricer, Segment, TermState, price_segments
from covernote.products.domain.catalogue import Catalogue
from covernote.products.domain.model import Product

# Ratings already made, by product version, risk, start, renewal and length: a rating is a pure function
# of these (a product version is immutable), and a policy's terms are re-priced every time it is read.
RATINGS = BoundedMemo[RatingResult](4096)


def rating(product: Product, risk: Risk, start: date, renewal: bool, term_days: int) -> RatingResult:
    # The vehicle's value as written, too: Money("9000") equals Money("9000.00") (a risk read back from a stored
    # transaction), so the two risks are one key, but the trace shows the value as the risk has it.
    return RATINGS.get((id(product), risk, str(risk.vehicle.value.amount), start, renewal, term_days), (product,),
                       lambda: rate_for_term(product, risk, start, renewal=renewal, term_days=term_days))


def pricer_for(catalogue: Catalogue, term: TermState) -> Pricer:
    product = catalogue.by_ref(term.product_ref)

    def price(risk: Risk) -> RatingResult:
        return rating(product, risk, term.period.start, term.renewal, term.period.days)

    return price


def segments(catalogue: Catalogue, term: TermState, adjustments: Sequence[Adjustment] | None = None) -> list[Segment]:
    return price_segments(term, pricer_for(catalogue, term), adjustments)

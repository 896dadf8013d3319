"""Pricing a policy term on the product version it was written on."""

from __future__ import annotations

from collections.abc import Sequence

from covernote.policy.domain.rating import rate_for_term
from covernote.policy.domain.term import Adjustment, Pricer, Segment, TermState, price_segments
from covernote.products.domain.catalogue import Catalogue


def pricer_for(catalogue: Catalogue, term: TermState) -> Pricer:
    product = catalogue.by_ref(term.product_ref)
    cache: dict[object, object] = {}

    def price(risk):  # type: ignore[no-untyped-def]
        if risk not in cache:
            cache[risk] = rate_for_term(product, risk, term.period.start, renewal=term.renewal,
                                        term_days=term.period.days)
        return cache[risk]

    return price  # type: ignore[return-value]


def segments(catalogue: Catalogue, term: TermState, adjustments: Sequence[Adjustment] | None = None) -> list[Segment]:
    return price_segments(term, pricer_for(catalogue, term), adjustments)

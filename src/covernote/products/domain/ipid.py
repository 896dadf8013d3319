"""The insurance product information document's wording (DOC-1; the IDD's standard form, ICOBS 6 Annex 2):
what a product file says about its type of insurance, what is not insured, the restrictions on cover,
where it covers, the customer's obligations and how they pay. What is insured (the covers and extras), when
cover starts and ends (the terms) and how to cancel (the cancellation rules and fees) come from the rest
of the product, so they are never stated twice. Loaded and checked by `products/store/ipid.py`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductInformation:
    summary: str  # "What is this type of insurance?"
    not_insured: tuple[str, ...]
    restrictions: tuple[str, ...]
    where: tuple[str, ...]
    obligations: tuple[str, ...]
    payment: str
    source: str = ""

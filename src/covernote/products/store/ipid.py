"""The `ipid:` section of a product file (DOC-1: the insurance product information document's wording),
validated strictly: unknown keys are refused and every heading of the standard form has something to say."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from covernote.products.domain.ipid import ProductInformation
from covernote.products.store.strict import StrictDoc

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Points = Annotated[list[Text], Field(min_length=1, max_length=30)]


class IpidDoc(StrictDoc):
    """The wording of the IPID's headings that the rest of the product file does not already give."""

    summary: Text
    not_insured: Points
    restrictions: Points
    where: Points
    obligations: Points
    payment: Text
    source: Text


def product_information(doc: IpidDoc) -> ProductInformation:
    return ProductInformation(doc.summary, tuple(doc.not_insured), tuple(doc.restrictions), tuple(doc.where),
                              tuple(doc.obligations), doc.payment, doc.source)

"""The `commission:` section of a product file (PAY-7), validated strictly: unknown keys are refused, the
core percentage is a decimal above 0 and below 100 with at most four decimal places, and the source is
named. files.py loads it with the rest of the file; a problem is reported as
`file: commission.<field>: reason`. A product without the section pays no commission on its core premium
(the insurer sells it direct)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from covernote.products.domain.commission_spec import CommissionSpec
from covernote.products.store.strict import StrictDoc

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CommissionDoc(StrictDoc):
    """PAY-7: the intermediary's commission from the insurer on the core premium, net of IPT."""

    core_percent: Decimal = Field(gt=0, lt=100, decimal_places=4)
    source: Text


def commission_spec(doc: CommissionDoc) -> CommissionSpec:
    return CommissionSpec(core_percent=doc.core_percent, source=doc.source)

"""The `finance:` section of a product file (PAY-1, PAY-7): who finances monthly payment, the deposit, the
instalments, the interest and the finance-introduction commission, validated strictly (unknown keys refused;
every percentage and amount in range). product_files.py loads it with the rest of the file; a problem is
reported as `file: finance.<field>: reason`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from covernote.kernel.money import Money
from covernote.products.domain.finance_spec import FinanceSpec
from covernote.products.store.strict import StrictDoc

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class FinanceDoc(StrictDoc):
    """PAY-1: monthly payment by direct debit, financed by `provider`."""

    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    provider: Text
    deposit_percent: Decimal = Field(ge=0, le=50, decimal_places=2)
    deposit_minimum: Decimal = Field(ge=0, decimal_places=2)
    instalments: int = Field(ge=2, le=12, strict=True)
    flat_rate_percent: Decimal = Field(ge=0, le=50, decimal_places=3)
    commission_percent: Decimal = Field(ge=0, le=20, decimal_places=3)
    minimum_credit: Decimal = Field(default=Decimal("100"), ge=0, decimal_places=2)
    # PAY-6: the direct debit advance notice, in working days; the scheme's default unless agreed otherwise.
    notice_working_days: int = Field(default=10, ge=3, le=30, strict=True)


def finance_spec(doc: FinanceDoc, currency: str) -> FinanceSpec:
    return FinanceSpec(provider=doc.provider, deposit_percent=doc.deposit_percent,
                       deposit_minimum=Money.of(doc.deposit_minimum, currency), instalments=doc.instalments,
                       flat_rate_percent=doc.flat_rate_percent, commission_percent=doc.commission_percent,
                       minimum_credit=Money.of(doc.minimum_credit, currency),
                       notice_working_days=doc.notice_working_days)

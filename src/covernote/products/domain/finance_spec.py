"""What a product offers a customer who pays monthly (PAY-1, PAY-7), as product data: the premium-finance
provider, the deposit, the number of monthly instalments, the interest, the finance-introduction commission.

The interest is a flat rate on the amount of credit for the whole agreement, as UK premium finance
quotes it (the provider's charge for credit is a fixed percentage of the sum financed, known at the
outset and not depending on when the instalments are collected); the APR the regulations require is
derived from it and the schedule (`billing/domain/finance.py`). Kept apart from the calculations so the
product model can hold it without importing billing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from covernote.kernel.money import Money


@dataclass(frozen=True)
class FinanceSpec:
    """The `finance:` section of a product file.

    - `deposit_percent` of the term's total (premium, IPT, fees and extras), at least `deposit_minimum`;
    - `instalments`: how many monthly instalments repay the credit and its interest;
    - `flat_rate_percent`: the interest, as a percentage of the credit, for the whole agreement;
    - `commission_percent`: the finance-introduction commission the provider pays the intermediary, as a
      percentage of the credit (PAY-7);
    - `minimum_credit`: below this the provider does not lend (the customer pays annually);
    - `notice_working_days`: the direct debit advance notice before each collection (PAY-6: 10 working days
      unless agreed otherwise)."""

    provider: str
    deposit_percent: Decimal
    deposit_minimum: Money
    instalments: int
    flat_rate_percent: Decimal
    commission_percent: Decimal
    minimum_credit: Money
    notice_working_days: int = 10

"""The intermediary's commission on a product's core premium (PAY-7), as product data, and the one rule
for what a term earns of it. Pure.

S3, "What Fees do we charge?": "We receive commission from the insurer which is a percentage of the total
annual premium." The base chosen is the premium net of Insurance Premium Tax, fees and optional extras:
IPT is a tax the insurer accounts for to HMRC on the premium it receives (Finance Act 1994, Part III,
s. 49: the tax is charged on the receipt of a premium), not premium it keeps, so an insurer pays
commission on its premium without the tax; the broker's own fees (arrangement, adjustment, cancellation)
are not premium at all; and each extra carries its own commission (`Extra.commission_percent`). "Total
annual" is read as the whole term's premium (as opposed to an instalment), so a monthly payer's
commission is the same as an annual payer's.

The rounding rule, the same as IPT's on a term (POL-6): a term earns round_half_up(core_percent / 100 x
the term's net premium written so far) to the penny, once; each transaction of the term (new business,
adjustment, renewal, cancellation, voidance) earns the change in that figure, after less before. So
commission always follows the premium, a return premium returns commission pro rata with it, an
adjustment and its reversal cancel to the penny, and the commission posted on a term is exactly the rate
times its net premium under one rounding, whatever the sequence of transactions.

Kept apart from the product model so the model holds it without knowing how the ledger posts it;
loaded and checked by `products/store/commission_spec.py`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from covernote.kernel.money import Money, Rounding


@dataclass(frozen=True)
class CommissionSpec:
    """`core_percent`: the intermediary's commission from the insurer, as a percentage of the core premium
    net of IPT (0 < x < 100). `source`: where the product states it."""

    core_percent: Decimal
    source: str = ""

    def on_term(self, net_premium: Money) -> Money:
        """What a term whose net premium written is `net_premium` earns: rounded half-up to pence once."""
        return core_commission(net_premium, self.core_percent)

    def change(self, premium_before: Money, premium_after: Money) -> Money:
        """What a transaction that moves the term's net premium from `premium_before` to `premium_after`
        earns (negative: commission returned)."""
        return self.on_term(premium_after) - self.on_term(premium_before)


def core_commission(net_premium: Money, percent: Decimal) -> Money:
    """round_half_up(percent / 100 x net premium) to the penny (a half penny rounds away from zero)."""
    return (net_premium * percent / 100).round_pence(Rounding.HALF_UP)

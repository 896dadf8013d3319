"""Fees charged on a policy, as recorded lines that cancellation later refunds or keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from covernote.kernel.money import Money, Rounding
from covernote.products.domain.model import Fee


@dataclass(frozen=True)
class FeeLine:
    """One fee as charged: which, how much, on which term and transaction, and its refund terms."""

    code: str
    name: str
    amount: Money
    term_no: int
    charged_on: date
    transaction_id: str
    refundable_within_cooling_off: bool
    box_return_refund_percent: Decimal

    @classmethod
    def from_fee(cls, fee: Fee, term_no: int, charged_on: date, transaction_id: str) -> FeeLine:
        return cls(fee.code, fee.name, fee.amount, term_no, charged_on, transaction_id,
                   fee.refundable_within_cooling_off, fee.box_return_refund_percent)

    def box_return_share(self) -> Money:
        return (self.amount * self.box_return_refund_percent / 100).round_pence(Rounding.HALF_UP)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "amount": self.amount.to_str(), "term": self.term_no,
                "charged_on": self.charged_on.isoformat(), "transaction_id": self.transaction_id}

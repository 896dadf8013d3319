"""The optional extras' lines a policy transaction carries (ADD-1): each extra's cover on the term and its money (signed). The extras context prices them; the policy record keeps them. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from covernote.kernel.money import Money, Rounding
from covernote.kernel.periods import Period
from covernote.policy.domain.term import ipt_on, pro_rata
from covernote.products.domain.model import ExtraDocument

Action = Literal["bought", "renewed", "added", "removed", "refunded"]


@dataclass(frozen=True)
class ExtraCharge:
    """What an extra charges on a term: premium, IPT and the commission on it."""

    premium: Money
    ipt: Money
    commission: Money

    @property
    def total(self) -> Money:
        return self.premium + self.ipt

    def __sub__(self, other: ExtraCharge) -> ExtraCharge:
        return ExtraCharge(self.premium - other.premium, self.ipt - other.ipt, self.commission - other.commission)


@dataclass(frozen=True)
class ExtraCover:
    """One extra sold on one term: its terms of sale, and the days of the term it covers."""

    code: str
    name: str
    provider: str
    insurer: str
    ipt_treatment: str
    price: Money  # for the whole term
    ipt_rate: Decimal
    commission_percent: Decimal
    commission_per_sale: Money
    cover: tuple[Period, ...]
    documents: tuple[ExtraDocument, ...] = ()

    def on_cover(self, day: date) -> bool:
        return any(p.contains(day) for p in self.cover)

    def covers_any_of(self, period: Period) -> bool:
        return any(p.overlaps(period) for p in self.cover)

    def charge(self, term_period: Period, cover_end: date) -> ExtraCharge:
        premium = pro_rata([(p, self.price) for p in self.cover], term_period, cover_end)
        commission = (premium * self.commission_percent / 100).round_pence(Rounding.HALF_UP) + self.commission_per_sale
        return ExtraCharge(premium, ipt_on(premium, self.ipt_rate), commission)

    def added_from(self, day: date, term_period: Period) -> ExtraCover:
        return replace(self, cover=(*self.cover, Period(day, term_period.end)))

    def removed_from(self, day: date) -> ExtraCover:
        kept = []
        for p in self.cover:
            if p.start < day:
                kept.append(Period(p.start, min(p.end, day)))
        return replace(self, cover=tuple(kept))


@dataclass(frozen=True)
class ExtraLine:
    """One extra's money on one transaction (signed: negative is returned to the customer) and its cover
    on the term after the transaction."""

    cover_after: ExtraCover
    action: Action
    premium: Money
    ipt: Money
    commission: Money
    explanation: str

    @property
    def code(self) -> str:
        return self.cover_after.code

    @property
    def total(self) -> Money:
        return self.premium + self.ipt

    def as_dict(self) -> dict[str, Any]:
        c = self.cover_after
        return {
            "code": c.code, "name": c.name, "provider": c.provider, "insurer": c.insurer, "action": self.action,
            "cover": [{"from": p.start.isoformat(), "to": p.end.isoformat()} for p in c.cover],
            "price": c.price.to_str(), "ipt_treatment": c.ipt_treatment, "ipt_rate": str(c.ipt_rate),
            "premium": self.premium.to_str(), "ipt": self.ipt.to_str(), "total": self.total.to_str(),
            "commission_percent": str(c.commission_percent), "commission_per_sale": c.commission_per_sale.to_str(),
            "commission": self.commission.to_str(),
            "documents": [{"name": d.name, "reference": d.reference} for d in c.documents],
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ExtraLine:
        cover = ExtraCover(
            d["code"], d["name"], d["provider"], d["insurer"], d.get("ipt_treatment", "standard"), Money.of(d["price"]),
            Decimal(d["ipt_rate"]), Decimal(d["commission_percent"]), Money.of(d["commission_per_sale"]),
            tuple(Period(date.fromisoformat(p["from"]), date.fromisoformat(p["to"])) for p in d["cover"]),
            tuple(ExtraDocument(x["name"], x["reference"]) for x in d.get("documents", [])))
        return cls(cover, d["action"], Money.of(d["premium"]), Money.of(d["ipt"]), Money.of(d["commission"]),
                   d.get("explanation", ""))

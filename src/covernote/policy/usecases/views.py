"""JSON-ready views of the policy record: customers, terms, their price segments and transactions."""

from __future__ import annotations

from typing import cast

from covernote.kernel.money import Money
from covernote.policy.domain.codec import fee_line_to_dict, risk_to_dict
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Customer, PolicyTransaction
from covernote.policy.domain.term import Segment, TermState, term_charge
from covernote.policy.results import CustomerView, FeeLineView, SegmentView, TermView, TransactionView
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.products.domain.catalogue import Catalogue


def money(m: Money) -> str:
    return m.to_str()


def customer_view(c: Customer) -> CustomerView:
    return {"id": c.customer_id, "name": c.name, "email": c.email, "phone": c.phone,
            "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
            "address": c.address, "postcode": c.postcode, "created_at": c.created_at.isoformat()}


def segments_view(segs: list[Segment]) -> list[SegmentView]:
    return [{"from": s.period.start.isoformat(), "to": s.period.end.isoformat(), "days": s.period.days,
             "term_premium": money(s.rating.premium), "standard_premium": money(s.rating.standard_premium),
             "ncd_years": s.rating.ncd_years, "ncd_discount_percent": str(s.rating.ncd_discount_percent),
             "product": s.rating.product_ref, "table_version": s.rating.table_version,
             "risk": risk_to_dict(s.risk)} for s in segs]


def term_view(catalogue: Catalogue, term: TermState, with_trace: bool = False) -> TermView:
    segs = price_segments(catalogue, term)
    charge = term_charge(term, segs)
    out: TermView = {
        "term": term.term_no, "start_date": term.period.start.isoformat(), "end_date": term.period.end.isoformat(),
        "cover_ends": term.cover_end.isoformat(), "product": term.product_ref, "renewal": term.renewal,
        "cancelled_from": term.cancelled_from.isoformat() if term.cancelled_from else None, "void": term.voided,
        "premium_charged": money(charge.premium), "ipt_rate": str(term.ipt_rate), "ipt_charged": money(charge.ipt),
        "versions": segments_view(segs),
    }
    if with_trace:
        out["rating_trace"] = [s.rating.trace_dicts() for s in segs]
    return out


def _fee_line(f: FeeLine) -> FeeLineView:
    """A fee line as the codec writes it (typed: cast, no copy)."""
    return cast(FeeLineView, fee_line_to_dict(f))


def transaction_view(t: PolicyTransaction) -> TransactionView:
    return {
        "id": t.transaction_id, "sequence": t.sequence, "term": t.term_no, "kind": t.kind,
        "effective_date": t.effective_date.isoformat(), "recorded_at": t.recorded_at.isoformat(),
        "by": {"user_id": t.actor.user_id, "role": t.actor.role}, "reason": t.reason,
        "premium": money(t.premium), "ipt": money(t.ipt),
        "fees_charged": [_fee_line(f) for f in t.fees_charged],
        "fees_refunded": [_fee_line(f) for f in t.fees_refunded],
        "details": t.details,
    }

"""JSON-ready views of quotes, policies, transactions and statements: the one shape the API returns,
the CLI prints with --json, and an idempotent replay gives back."""

from __future__ import annotations

from typing import Any, cast

from covernote.carbon.usecases.views import policy_carbon, quote_carbon
from covernote.extras.usecases import policy_extras_view, quote_extras_view
from covernote.kernel.money import Money, sum_money
from covernote.ledger.domain import RECEIVABLE, JournalEntry, StatementLine, account_totals, statement
from covernote.ledger.results import EntryView, StatementView
from covernote.policy.domain.codec import fee_line_to_dict, risk_to_dict
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Customer, Policy, PolicyTransaction, Quote
from covernote.policy.domain.term import Segment, TermState, term_charge
from covernote.policy.results import (
    CustomerView,
    FeeLineView,
    PolicyExtrasPart,
    PolicyView,
    QuoteCarbonPart,
    QuoteExtrasPart,
    QuoteView,
    SegmentView,
    TermView,
    TransactionView,
)
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.products.domain.catalogue import Catalogue
from covernote.products.domain.model import Extra, Product
from covernote.products.results import ExtraView, ProductView


def money(m: Money) -> str:
    return m.to_str()


def product_view(p: Product, ipt_rate: str | None = None) -> ProductView:
    return {
        "code": p.code, "version": p.version, "ref": p.ref, "name": p.name, "line": p.line, "source": p.source,
        "insurer": p.insurer, "effective_from": p.effective_from.isoformat(),
        "effective_to": p.effective_to.isoformat() if p.effective_to else None,
        "ipt_treatment": p.ipt, "ipt_rate": ipt_rate, "telematics": p.telematics,
        "terms": [{"unit": t.unit, "length": t.length} for t in p.terms],
        "covers": [{"code": c.code, "name": c.name, "description": c.description} for c in p.covers],
        "extras": [extra_view(e) for e in p.extras],
        "fees": [{"code": f.code, "name": f.name, "amount": money(f.amount), "charged_on": f.charged_on,
                  "instead_of": list(f.instead_of), "refundable_within_cooling_off": f.refundable_within_cooling_off,
                  "box_return_refund_percent": str(f.box_return_refund_percent)} for f in p.fees],
        "questions": [{"name": q.name, "kind": q.kind, "choices": list(q.choices),
                       "minimum": None if q.minimum is None else str(q.minimum),
                       "maximum": None if q.maximum is None else str(q.maximum), "default": q.default}
                      for q in p.questions],
        "cancellation": {"cooling_off_days": p.cancellation.cooling_off_days,
                         "insurer_notice_days": p.cancellation.insurer_notice_days,
                         "no_refund_if": list(p.cancellation.no_refund_if),
                         "box_return_days": p.cancellation.box_return_days,
                         "short_period_applies_before": p.cancellation.short_period.applies_before.isoformat()
                         if p.cancellation.short_period else None},
        "renewal": {"renewable": p.renewal.renewable, "invitation_days_before": p.renewal.invitation_days_before,
                    "auto_renew_default": p.renewal.auto_renew_default},
        "rating_table_version": p.rating.table_version,
    }


def extra_view(e: Extra) -> ExtraView:
    """An optional extra as the product offers it (ADD-1): provider, insurer, prices, IPT treatment,
    commission (PAY-7), documents and, for NCD protection, who may buy it (NCD-3)."""
    rule = e.ncd_protection
    return {"code": e.code, "name": e.name, "provider": e.provider, "insurer": e.insurer,
            "annual_price": money(e.annual_price), "prices_by_term": {k: money(v) for k, v in e.prices_by_term.items()},
            "ipt": e.ipt, "commission_percent": str(e.commission_percent),
            "commission_per_sale": money(e.commission_per_sale),
            "documents": [{"name": d.name, "reference": d.reference} for d in e.documents],
            "claim_types": list(e.claim_types),
            "ncd_protection": None if rule is None else {
                "min_years": rule.min_years, "max_claims": rule.max_claims, "window_years": rule.window_years,
                "claims_question": rule.claims_question}}


def customer_view(c: Customer) -> CustomerView:
    return {"id": c.customer_id, "name": c.name, "email": c.email, "phone": c.phone,
            "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
            "address": c.address, "postcode": c.postcode, "created_at": c.created_at.isoformat()}


def quote_view(q: Quote, catalogue: Catalogue | None = None) -> QuoteView:
    return {
        "id": q.quote_id, "customer_id": q.customer_id, "product": q.product_ref, "status": q.status,
        "policy_id": q.policy_id,
        "start_date": q.period.start.isoformat(), "end_date": q.period.end.isoformat(),
        "risk": q.risk_details,
        "premium": money(q.premium), "ipt_rate": str(q.ipt_rate), "ipt": money(q.ipt),
        "fees": [{"code": c, "name": n, "amount": money(a)} for c, n, a in q.fees],
        "extras": [x.as_dict() for x in q.extras],
        "extras_total": money(sum_money([x.total for x in q.extras])),
        "total_payable": money(q.total),
        "rating": q.rating,
        # The carbon and extras contexts' blocks, typed here (cast: no copy).
        **cast(QuoteCarbonPart, {} if catalogue is None else quote_carbon(catalogue, q)),  # ECO-1: eco products only
        **cast(QuoteExtrasPart, {} if catalogue is None else quote_extras_view(catalogue, q)),  # ADD-1, NCD-3
        "created_at": q.created_at.isoformat(), "expires_at": q.expires_at.isoformat(),
    }


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


def policy_view(catalogue: Catalogue, policy: Policy, today: Any, balance: Money | None = None) -> PolicyView:
    terms = policy.terms()
    return {
        "id": policy.policy_id, "number": policy.number, "customer_id": policy.customer_id,
        "product_code": policy.product_code, "status": policy.status(today), "version": policy.version,
        "auto_renew": policy.auto_renew, "taken_out_on": policy.taken_out_on.isoformat(),
        "current_term": term_view(catalogue, terms[-1]) if terms else None,
        "terms": len(terms),
        "fees": [_fee_line(f) for f in policy.fee_lines()],
        **cast(PolicyExtrasPart, policy_extras_view(catalogue, policy, today)),  # the extras context's blocks
        "balance": None if balance is None else money(balance),
        "created_at": policy.created_at.isoformat(),
        **cast(QuoteCarbonPart, policy_carbon(catalogue, terms[-1] if terms else None, today)),  # ECO-1: eco only
    }


def statement_view(policy: Policy, entries: list[JournalEntry]) -> StatementView:
    lines: list[StatementLine] = statement(entries, policy.policy_id)
    totals = account_totals(entries, policy.policy_id)
    return {
        "policy_id": policy.policy_id, "number": policy.number,
        "lines": [{"posted_at": ln.posted_at.isoformat(), "entry_id": ln.entry_id, "description": ln.description,
                   "memo": ln.memo, "amount": money(ln.amount), "balance": money(ln.balance)} for ln in lines],
        "balance": money(totals.get(RECEIVABLE, Money.zero())),
        "balance_meaning": "positive: the customer owes; negative: owed to the customer",
        "accounts": {k: money(v) for k, v in sorted(totals.items())},
        "entries": [entry_view(e) for e in sorted(entries, key=lambda e: (e.posted_at, e.entry_id))],
    }


def entry_view(e: JournalEntry) -> EntryView:
    return {"id": e.entry_id, "posted_at": e.posted_at.isoformat(), "description": e.description,
            "transaction_id": e.transaction_id, "reverses": e.reverses,
            "postings": [{"account": p.account, "amount": money(p.amount), "memo": p.memo} for p in e.postings]}

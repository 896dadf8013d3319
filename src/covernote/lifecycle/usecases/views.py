"""JSON-ready views of quotes and policies as the API returns them, the CLI prints with --json and an idempotent replay gives back: the record's own figures with the blocks the contexts above it add (extras, carbon)."""

from __future__ import annotations

from typing import Any, cast

from covernote.carbon.usecases.views import policy_carbon, quote_carbon
from covernote.extras.usecases import policy_extras_view, quote_extras_view
from covernote.kernel.money import Money, sum_money
from covernote.lifecycle.results import (
    PolicyExtrasPart,
    PolicyView,
    QuoteCarbonPart,
    QuoteExtrasPart,
    QuoteView,
)
from covernote.policy.domain.model import Policy, Quote
from covernote.policy.usecases.views import _fee_line, money, term_view
from covernote.products.domain.catalogue import Catalogue


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

"""Commission (PAY-7): the disclosure a customer may ask for, as an answer and as a stored letter, and the
staff's commission report. The commission itself is posted by the ledger with each transaction
(`ledger.usecases.transaction_entry`, by the product's rule); these read it back."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

from covernote.billing.domain.commission import (
    ExtraRate,
    PolicyCommission,
    ReportRow,
    policy_commission,
    report_rows,
    totals_of,
)
from covernote.billing.results import (
    CommissionDisclosure,
    CommissionReport,
    CommissionReportRow,
    PolicyCommissionView,
)
from covernote.documents.domain import Letter
from covernote.documents.results import DocumentView
from covernote.documents.usecases import documents
from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel import csv_cells
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import FieldIssue, NotFound, ValidationFailed
from covernote.kernel.journal import account_totals
from covernote.kernel.money import Money, sum_money
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, is_anonymised
from covernote.policy.usecases.lookup import find_policy

EXPLANATION = [
    "Commission on the core premium is a percentage of the premium net of Insurance Premium Tax, paid by the "
    "insurer; it is returned in proportion when premium is refunded.",
    "Commission on an optional extra is a percentage of the extra's premium, paid by the extra's insurer, plus, "
    "for some extras (legal expenses), a fee for each policy sold.",
    "Where you pay by instalments, the finance provider pays commission for introducing you to them: it is shown "
    "once the finance agreement is made.",
    "Amounts are what has been earned so far, net of commission returned on refunds and cancellations.",
]

LETTER_TEMPLATES = ("commission_disclosure.html", "commission_disclosure.txt")
PAGE = 200


def _money(m: Money) -> str:
    return m.to_str()


def _policies_of(uow: UnitOfWork, customer_id: str) -> list[Policy]:
    out: list[Policy] = []
    offset = 0
    while True:
        page = uow.policies.page(customer_id, PAGE, offset)
        out.extend(page)
        if len(page) < PAGE:
            return out
        offset += PAGE


def _policy_commission(ctx: AppContext, uow: UnitOfWork, policy: Policy) -> PolicyCommission:
    product = ctx.catalogue.by_ref(policy.term().product_ref)  # the latest term's product: its rates now
    rates = [ExtraRate(e.code, e.name, e.insurer, e.commission_percent, e.commission_per_sale)
             for e in product.extras]
    totals = account_totals(uow.ledger.for_policy(policy.policy_id), policy.policy_id)
    return policy_commission(policy.policy_id, policy.number, product.ref, product.name, product.insurer,
                             None if product.commission is None else product.commission.core_percent, rates, totals)


def _percent(p: Decimal | None) -> str | None:
    return None if p is None else format(p.normalize(), "f")


def policy_view(c: PolicyCommission) -> PolicyCommissionView:
    return {"policy_id": c.policy_id, "number": c.number, "product": c.product_ref, "product_name": c.product_name,
            "insurer": c.insurer, "core_percent": _percent(c.core_percent), "core_premium": _money(c.core_premium),
            "core_earned": _money(c.core_earned),
            "extras": [{"code": e.code, "name": e.name, "insurer": e.insurer, "percent": _percent(e.percent),
                        "per_sale": _money(e.per_sale), "premium": _money(e.premium), "earned": _money(e.earned)}
                       for e in c.extras],
            "finance_introduction": _money(c.finance_earned), "total": _money(c.total), "notes": list(c.notes)}


def commission_disclosure(ctx: AppContext, principal: Principal, customer_id: str) -> CommissionDisclosure:
    """PAY-7: the commission earned on each of the customer's policies: on the core premium, on each extra
    (its percentage and any per-sale fee) and from the finance provider. The customer themselves, or staff."""
    check_customer(principal, customer_id, "customer")
    with ctx.uow(read_only=True) as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        policies = [p for p in _policies_of(uow, customer_id) if not is_anonymised(p) and p.transactions]
        found = [_policy_commission(ctx, uow, p) for p in sorted(policies, key=lambda p: p.number)]
    return {"customer_id": customer_id, "customer_name": customer.name, "as_at": ctx.today().isoformat(),
            "policies": [policy_view(c) for c in found], "total": _money(sum_money([c.total for c in found])),
            "explanation": list(EXPLANATION)}


def policy_disclosure(ctx: AppContext, principal: Principal, policy_id: str) -> CommissionDisclosure:
    """The disclosure of the customer whose policy this is (by id or number), as the portal's policy page
    links to it."""
    with ctx.uow(read_only=True) as uow:
        customer_id = find_policy(uow, principal, policy_id).customer_id
    return commission_disclosure(ctx, principal, customer_id)


def letter_html(data: CommissionDisclosure, brand: str, fscs: str | None = None) -> str:
    """The disclosure as a printable HTML letter (`billing/templates/commission_disclosure.html`), under the
    brand and with its FSCS statement (REG-5: S3 prints both in the terms of business this comes from)."""
    return templating.render("covernote.billing", "commission_disclosure.html", brand=brand, fscs=fscs, **data)


def letter_text(data: CommissionDisclosure, brand: str, fscs: str | None = None) -> str:
    return templating.render("covernote.billing", "commission_disclosure.txt", brand=brand, fscs=fscs, **data)


def letterhead_of(ctx: AppContext, principal: Principal, policy_id: str) -> tuple[str, str | None]:
    """The brand a letter about this policy is written under and its FSCS statement (REG-5): its latest
    term's product's data."""
    with ctx.uow(read_only=True) as uow:
        ref = find_policy(uow, principal, policy_id).term().product_ref
    product = ctx.catalogue.by_ref(ref)
    if product.contacts is None:
        return product.name, None
    return product.contacts.brand, product.contacts.fscs


def disclosure_letter(ctx: AppContext, principal: Principal, policy_id: str) -> DocumentView:
    """PAY-7: the disclosure of every policy of the customer whose policy this is, issued as a letter
    through the documents context and filed with that policy (kind `commission_disclosure`): stored once
    with its HTML, text and PDF. The same letter asked for again (same day, same figures) answers the stored
    document; changed figures or another day make a new one."""
    data = policy_disclosure(ctx, principal, policy_id)
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        term = policy.term()
    product = ctx.catalogue.by_ref(term.product_ref)
    brand, fscs = letterhead_of(ctx, principal, policy_id)
    html_page, text = letter_html(data, brand, fscs), letter_text(data, brand, fscs)
    # the documents table keeps a subject of at most 40 characters, as the NCD letter's ("ncd:" + 36)
    subject = "commission:" + hashlib.sha256((html_page + "\0" + text).encode("utf-8")).hexdigest()[:29]
    return documents.issue_letter(ctx, principal, policy.policy_id, Letter(
        "commission_disclosure", subject, "Commission we earn", "billing/commission_disclosure",
        templating.version("covernote.billing", *LETTER_TEMPLATES), product.ref, term.term_no, html_page, text))


# -- the report -----------------------------------------------------------------------------------------

REPORT_COLUMNS = ("posted_on", "policy_number", "policy_id", "transaction_id", "transaction_kind", "entry_id",
                  "premium", "core_commission", "extras_premium", "extras_commission", "finance_commission",
                  "total_commission")
REPORT_NOTES = [
    "One row per ledger entry that booked premium or commission, on the London date it was posted, in "
    "[start, end); amounts in pounds, positive when earned, negative when returned.",
    "premium: the core premium written, net of IPT; extras_premium: the optional extras' premium.",
    "core_commission: the intermediary's commission on the core premium (the product's percentage, rounded "
    "half-up once per term); extras_commission: percentage and per-sale fees of the extras; "
    "finance_commission: the finance provider's introduction commission.",
]


def _row(r: ReportRow) -> CommissionReportRow:
    return {"posted_on": r.posted_on.isoformat(), "policy_id": r.policy_id, "policy_number": r.policy_number,
            "transaction_id": r.transaction_id, "transaction_kind": r.transaction_kind, "entry_id": r.entry_id,
            "premium": _money(r.premium), "core_commission": _money(r.core_commission),
            "extras_premium": _money(r.extras_premium), "extras_commission": _money(r.extras_commission),
            "finance_commission": _money(r.finance_commission), "total_commission": _money(r.total_commission)}


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def commission_report(ctx: AppContext, principal: Principal, start: date, end: date) -> CommissionReport:
    """Staff: per policy and transaction, the premium and the commission (core, extras, finance) the
    ledger booked on the days [start, end)."""
    require_staff(principal, "see the commission report")
    if end <= start:
        raise ValidationFailed("the period is empty", [FieldIssue("to", f"must be after from ({start})")])
    with ctx.uow(read_only=True) as uow:
        rows = report_rows(uow.commission.booked(_moment(start), _moment(end)))
    t = totals_of(rows)
    return {"start": start.isoformat(), "end": end.isoformat(), "rows": [_row(r) for r in rows],
            "totals": {"premium": _money(t["premium"]), "core_commission": _money(t["core_commission"]),
                       "extras_premium": _money(t["extras_premium"]),
                       "extras_commission": _money(t["extras_commission"]),
                       "finance_commission": _money(t["finance_commission"]),
                       "total_commission": _money(t["total_commission"])},
            "notes": list(REPORT_NOTES)}


def commission_csv(report: CommissionReport) -> str:
    """The report as CSV through the one writer that neutralises formula cells (`kernel/csv_cells.py`)."""
    buf = io.StringIO()
    writer = csv_cells.writer(buf)
    writer.writerow(REPORT_COLUMNS)
    for row in report["rows"]:
        writer.writerow(["" if row[c] is None else row[c] for c in REPORT_COLUMNS])  # type: ignore[literal-required]
    return buf.getvalue()

"""Optional extras (ADD-1) through a policy's life: chosen on a quote, bought at bind, carried forward,
removed or added at renewal, added or removed by a mid-term adjustment (priced pro-rata like the core
premium), refunded on cancellation the way the core premium is, posted to their own ledger accounts with
their commission (PAY-7), and the Consumer Duty fair-value report per extra. NCD protection (NCD-3,
NCD-4) is an extra that may be bought only at new business or renewal, by those eligible.

Every function here that prices returns `domain.extras.ExtraLine`s; a transaction carries them in
`details["extras"]`, and posting the transaction (ledger/usecases.py) posts them and records them for reports."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from covernote.extras import domain as dx
from covernote.extras.results import (
    FairValueReport,
    FairValueRow,
    FairValueTotals,
    OfferedExtra,
    PolicyExtra,
    PolicyExtrasView,
    ProtectionAtRenewalView,
    QuoteExtrasView,
    QuoteNcdProtection,
    RenewalNcdProtection,
)
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel import csv_cells
from covernote.kernel.clock import london_date
from covernote.kernel.errors import FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.memo import BoundedMemo
from covernote.kernel.money import Money, sum_money
from covernote.kernel.periods import Period
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.cancellation import CancellationResult
from covernote.policy.domain.claims import affects_ncd, claims_in
from covernote.policy.domain.codec import event_from_dict
from covernote.policy.domain.extra_lines import ExtraCover, ExtraLine
from covernote.policy.domain.model import Policy, PolicyTransaction, Quote
from covernote.policy.domain.ncd_protection import (
    ClaimsHistory,
    ProtectionAtRenewal,
    at_renewal,
    claims_history,
    eligibility,
    refusal_after_change,
)
from covernote.policy.domain.renewal import RenewalRisk
from covernote.policy.domain.risk import Risk
from covernote.policy.domain.term import TermState
from covernote.products.domain.catalogue import Catalogue
from covernote.products.domain.model import Extra, NcdProtectionRule, Product

FIELD_QUOTE = "extras"
FIELD_ADD = "add_extras"
FIELD_REMOVE = "remove_extras"


# -- pricing helpers --------------------------------------------------------------------------------


def _days(cover: ExtraCover, term_period: Period, cover_end: date) -> int:
    on_cover = Period(term_period.start, max(cover_end, term_period.start))
    return sum(inter.days for p in cover.cover if (inter := p.intersection(on_cover)) is not None)


def _priced(catalogue: Catalogue, extra: Extra, period: Period, cover_from: date | None = None) -> ExtraCover | None:
    return dx.sell(extra, period, catalogue.tax.rate(extra.ipt, period.start), cover_from)


# An extra as sold for a term, by catalogue, extra and term: every quote's view prices every extra on
# offer, and the answer depends on nothing else.
_SOLD = BoundedMemo[tuple[ExtraCover, ExtraLine] | None](2048)


def _sold_for_term(catalogue: Catalogue, extra: Extra, period: Period, why: str) -> tuple[ExtraCover, ExtraLine] | None:
    def make() -> tuple[ExtraCover, ExtraLine] | None:
        cover = _priced(catalogue, extra, period)
        return None if cover is None else (cover, _sale_line(cover, period, "bought", why))

    return _SOLD.get((id(catalogue), id(extra), period, why), (catalogue, extra), make)


def _sale_line(cover: ExtraCover, period: Period, action: dx.Action, why: str) -> ExtraLine:
    ln = dx.line(None, cover, action, period, period.end, "")
    return ExtraLine(ln.cover_after, action, ln.premium, ln.ipt, ln.commission,
                     f"{why} {cover.name}: {cover.price.to_str()} for the term, IPT {ln.ipt.to_str()} at "
                     f"{cover.ipt_rate} ({cover.ipt_treatment}); no no-claims discount applies to extras.")


def protection_rule(product: Product) -> tuple[Extra, NcdProtectionRule] | None:
    for e in product.extras:
        if e.ncd_protection is not None:
            return e, e.ncd_protection
    return None


def _answer_int(risk: Risk | dict[str, Any], name: str) -> int:
    """An integer answer (NCD years, declared claims); 0 when not given or no longer readable (erased)."""
    value = risk.answer(name) if isinstance(risk, Risk) else (risk.get("answers") or {}).get(name)
    try:
        return int(str(value)) if value is not None else 0
    except ValueError:
        return 0


BOUGHT_FOR_TERM = "Bought for the term."


def offered(catalogue: Catalogue, product: Product, period: Period, ncd_years: int | None,
            history: ClaimsHistory | None) -> list[OfferedExtra]:
    """Every extra the product offers for this term: its price, IPT and documents, and whether it can be
    bought (NCD protection only by those eligible, NCD-3)."""
    out: list[OfferedExtra] = []
    for extra in product.extras:
        sold = _sold_for_term(catalogue, extra, period, BOUGHT_FOR_TERM)
        cover = None if sold is None else sold[0]
        reasons: list[str] = []
        if cover is None:
            reasons.append(f"not sold for a term of {dx.term_of(period).label()}")
        if extra.ncd_protection is not None and history is not None:
            reasons += eligibility(extra.ncd_protection, ncd_years or 0, history)
        entry: OfferedExtra = {"code": extra.code, "name": extra.name, "provider": extra.provider,
                                 "insurer": extra.insurer, "available": not reasons, "reasons": reasons}
        if sold is not None:
            cover, sale = sold
            entry.update({"price": sale.premium.to_str(), "ipt": sale.ipt.to_str(), "total": sale.total.to_str(),
                          "ipt_rate": str(cover.ipt_rate), "line": sale.as_dict()})
        out.append(entry)
    return out


# -- new business ----------------------------------------------------------------------------------


def quote_lines(catalogue: Catalogue, product: Product, period: Period, risk: Risk,
                codes: Sequence[str]) -> list[ExtraLine]:
    """The extras chosen on a new-business quote, each priced for the term; refuses unknown codes, a
    code twice, an extra not sold for the term, and NCD protection for those not eligible (NCD-3)."""
    issues = IssueCollector()
    lines: list[ExtraLine] = []
    seen: set[str] = set()
    for code in codes:
        extra = product.extra(code)
        if code in seen:
            issues.add(FIELD_QUOTE, f"{code!r} is chosen twice")
            continue
        seen.add(code)
        if extra is None:
            issues.add(FIELD_QUOTE, f"{code!r} is not an extra of {product.ref}: choose from "
                                    f"{', '.join(e.code for e in product.extras) or 'none (it has no extras)'}")
            continue
        sold = _sold_for_term(catalogue, extra, period, "Bought with the policy.")
        if sold is None:
            issues.add(FIELD_QUOTE, f"{extra.name} is not sold for a term of {dx.term_of(period).label()}")
            continue
        if extra.ncd_protection is not None:
            rule = extra.ncd_protection
            ncd = _answer_int(risk, "ncd_years")
            history = claims_history(rule, period.start, declared=_answer_int(risk, rule.claims_question))
            for reason in eligibility(rule, ncd, history):
                issues.add(FIELD_QUOTE, f"{extra.name} {reason}")
        lines.append(sold[1])
    issues.raise_if_any("the extras cannot be quoted")
    return lines


def _without_line(offer: OfferedExtra) -> OfferedExtra:
    out = offer.copy()
    out.pop("line", None)
    return out


def quote_extras_view(catalogue: Catalogue, quote: Quote) -> QuoteExtrasView:
    """For a quote: every extra on offer with its price (and whether it can be bought), and the NCD
    protection status: offered, chosen, eligible and why not (NCD-3)."""
    product = catalogue.by_ref(quote.product_ref)
    risk = quote.risk_details or {}  # read as stored: a quote's personal data may since have been erased
    found = protection_rule(product)
    history = None
    status: QuoteNcdProtection = {"offered": False, "selected": False}
    if found is not None:
        extra, rule = found
        history = claims_history(rule, quote.period.start, declared=_answer_int(risk, rule.claims_question))
        reasons = eligibility(rule, _answer_int(risk, "ncd_years"), history)
        status = {"offered": True, "code": extra.code, "selected": any(x.code == extra.code for x in quote.extras),
                  "eligible": not reasons, "reasons": reasons,
                  "rule": f"{rule.min_years} or more years of NCD and no more than {rule.max_claims} claims in "
                          f"{rule.window_years} years (NCD-3)"}
    available = offered(catalogue, product, quote.period, _answer_int(risk, "ncd_years"), history)
    return {"extras_available": [_without_line(a) for a in available],
            "ncd_protection": status}


def check_bound_lines(catalogue: Catalogue, product: Product, period: Period, quoted: Sequence[ExtraLine]) -> None:
    """The extras bound are the extras quoted, recomputed from the product (any drift is a bug)."""
    from covernote.kernel.errors import Conflict

    for ln in quoted:
        extra = product.extra(ln.code)
        cover = None if extra is None else _priced(catalogue, extra, period)
        again = None if cover is None else dx.line(None, cover, "bought", period, period.end, "")
        if again is None or (again.premium, again.ipt, again.commission) != (ln.premium, ln.ipt, ln.commission):
            raise Conflict(f"the price of {ln.cover_after.name} has changed since the quote; ask for a new quote")


# -- mid-term adjustments --------------------------------------------------------------------------


def mta_lines(ctx: AppContext, policy: Policy, term: TermState, product: Product, add: Sequence[str],
              remove: Sequence[str], effective: date, until: date | None, *,
              timeline_before: Sequence[tuple[Period, Risk]],
              timeline_after: Sequence[tuple[Period, Risk]]) -> list[ExtraLine]:
    """Add or remove extras from `effective` to the end of the term, priced pro-rata by days (the core
    premium's rule): the line is what the term charges for the extra after the change less before.
    NCD protection cannot be bought mid-term (NCD-3), and a change that leaves fewer NCD years than it
    needs on days it covers must remove it in the same change (`timeline_before` / `timeline_after`: the
    term's risk on each stretch before and after the change)."""
    issues = IssueCollector()
    covers = dx.term_extras(policy.transactions, term.term_no)
    rest = Period(effective, max(effective, term.period.end))
    if until is not None and (add or remove):
        issues.add("until", "extras are added or removed for the rest of the term: leave `until` out")
    for field_name, codes in ((FIELD_ADD, add), (FIELD_REMOVE, remove)):
        if len(set(codes)) != len(codes):
            issues.add(field_name, "an extra is named twice")
    for code in set(add) & set(remove):
        issues.add(FIELD_REMOVE, f"{code!r} cannot be both added and removed")
    for code in add:
        extra = product.extra(code)
        if extra is None:
            issues.add(FIELD_ADD, f"{code!r} is not an extra of {product.ref}: choose from "
                                  f"{', '.join(e.code for e in product.extras) or 'none (it has no extras)'}")
        elif extra.ncd_protection is not None:
            issues.add(FIELD_ADD, f"{extra.name} can be bought only at new business or at renewal, not by a "
                                  "mid-term change (NCD-3)")
        elif code in covers and covers[code].covers_any_of(rest):
            issues.add(FIELD_ADD, f"{extra.name} is already on the policy from {effective}")
        elif code not in covers and _priced(ctx.catalogue, extra, term.period) is None:
            issues.add(FIELD_ADD, f"{extra.name} is not sold for a term of {dx.term_of(term.period).label()}")
    for code in remove:
        if code not in covers or not covers[code].covers_any_of(rest):
            issues.add(FIELD_REMOVE, f"{code!r} is not on the policy from {effective}")
    found = protection_rule(product)
    if found is not None and found[0].code in covers:
        protection, rule = found
        refusal = refusal_after_change(
            rule, protection.code, covers[protection.code].cover,
            [(stretch, _answer_int(risk, "ncd_years")) for stretch, risk in timeline_before],
            [(stretch, _answer_int(risk, "ncd_years")) for stretch, risk in timeline_after],
            effective, protection.code in remove)
        if refusal is not None:
            issues.add("changes", refusal)
    issues.raise_if_any("the extras cannot be changed")
    lines = []
    for code in add:
        extra = product.extra(code)
        assert extra is not None
        before = covers.get(code)
        after = before.added_from(effective, term.period) if before is not None else _priced(ctx.catalogue, extra, term.period,
                                                                                       effective)
        assert after is not None
        lines.append(_mta_line(before, after, "added", term))
    for code in remove:
        before = covers[code]
        lines.append(_mta_line(before, before.removed_from(effective), "removed", term))
    return lines


def _mta_line(before: ExtraCover | None, after: ExtraCover, action: dx.Action, term: TermState) -> ExtraLine:
    ln = dx.line(before, after, action, term.period, term.cover_end, "")
    was = dx.NOTHING if before is None else before.charge(term.period, term.cover_end)
    now = after.charge(term.period, term.cover_end)
    kind = "additional" if ln.premium > Money.zero() else "return" if ln.premium < Money.zero() else "no"
    why = (f"{after.name} {action}: {after.price.to_str()} for the term x {_days(after, term.period, term.cover_end)} "
           f"day(s) on cover / {term.period.days} days = {now.premium.to_str()} (was "
           f"{_days(before, term.period, term.cover_end) if before else 0} day(s), {was.premium.to_str()}), rounded "
           f"half-up once: {kind} premium {ln.premium.to_str()} with IPT {ln.ipt.to_str()} at {after.ipt_rate}.")
    return ExtraLine(ln.cover_after, action, ln.premium, ln.ipt, ln.commission, why)


# -- renewal ---------------------------------------------------------------------------------------


def renewal_history(policy: Policy, rule: NcdProtectionRule, on: date) -> ClaimsHistory:
    """The claims that decide protection on a renewal starting `on`: NCD-affecting claims recorded on the
    policy in the window, plus those declared at new business while they may still be in it."""
    first = policy.terms()[0]
    return claims_history(rule, on, policy.events(), _answer_int(first.base_risk, rule.claims_question),
                          first.period.start)


def protection_for_renewal(ctx: AppContext, policy: Policy, term: TermState, product: Product,
                           on: date, history: ClaimsHistory | None = None) -> ProtectionAtRenewal:
    """Whether the expiring term's NCD protection (in force on its last day) protects the NCD carried
    into the term starting `on` (NCD-3, NCD-4). `history`: `renewal_history` under `product`'s rule, when
    the caller has it already (the renewal offer needs it too)."""
    claims_in_term = claims_in(policy.events(), term.period).count
    old = ctx.catalogue.by_ref(term.product_ref)
    found = protection_rule(product) or protection_rule(old)
    if found is None:
        return at_renewal(None, False, None, claims_in_term)
    extra, rule = found
    covers = dx.term_extras(policy.transactions, term.term_no)
    had = extra.code in covers and covers[extra.code].on_cover(term.period.last_day)
    if history is None or rule is not _rule_of(product):  # the old version's rule: its own window
        history = renewal_history(policy, rule, on)
    return at_renewal(rule, had, history, claims_in_term)


def _rule_of(product: Product) -> NcdProtectionRule | None:
    found = protection_rule(product)
    return None if found is None else found[1]


def renewal_protection_history(policy: Policy, product: Product, on: date) -> ClaimsHistory | None:
    """`renewal_history` under `product`'s NCD protection rule, None when it sells no protection: what both
    `protection_for_renewal` and `renewal_offer` ask of a renewal starting `on`, worked out once."""
    rule = _rule_of(product)
    return None if rule is None else renewal_history(policy, rule, on)


# The extras offered with a renewal depend only on the product version, the term, the NCD carried and the
# claims history; a batch chunk's renewals share a few dozen of these. A chunk passes a dict, so the lists
# (shared by its offers, which are stored and then dropped) are never handed to anyone who might change them.
OfferedMemo = dict[tuple[int, Period, int | None, ClaimsHistory | None], tuple[Product, list[OfferedExtra]]]


def renewal_offer(ctx: AppContext, policy: Policy, term: TermState, product: Product, period: Period,
                  ncd_after: int | None, history: ClaimsHistory | None,
                  memo: OfferedMemo | None = None) -> dict[str, Any]:
    """The extras of the renewal offer: those on cover on the expiring term's last day are carried forward
    (priced for the new term on the new product version) unless no longer sold or, for NCD protection, no
    longer eligible (NCD-3); every extra on offer is listed with its price so the customer can add or
    remove extras when accepting. `history`: `renewal_protection_history(policy, product, period.start)`.
    `memo`: a batch's lists of extras offered, shared by the offers that have the same (not to be changed)."""
    if memo is None:
        available = offered(ctx.catalogue, product, period, ncd_after, history)
    else:
        key = (id(product), period, ncd_after, history)
        hit = memo.get(key)
        if hit is None or hit[0] is not product:
            hit = memo[key] = (product, offered(ctx.catalogue, product, period, ncd_after, history))
        available = hit[1]
    by_code = {a["code"]: a for a in available}
    covers = dx.term_extras(policy.transactions, term.term_no)
    lines: list[dict[str, Any]] = []
    why: list[str] = []
    for code, cover in covers.items():
        if not cover.on_cover(term.period.last_day):
            continue
        entry = by_code.get(code)
        if entry is None:
            why.append(f"{cover.name} is not carried forward: {product.ref} no longer offers it.")
        elif not entry["available"]:
            why.append(f"{cover.name} is not carried forward: it {'; '.join(entry['reasons'])}.")
        else:
            ln = ExtraLine.from_dict(entry["line"])
            lines.append(ExtraLine(ln.cover_after, "renewed", ln.premium, ln.ipt, ln.commission,
                                   ln.explanation.replace(BOUGHT_FOR_TERM, "Carried forward from the expiring term.")
                                   ).as_dict())
    if lines:
        why.append("Extras carried forward: " + ", ".join(f"{x['name']} {x['total']}" for x in lines) + ".")
    return {"extras": lines, "extras_available": available, "extras_explanation": why,
            "extras_total": sum_money([Money.of(x["total"]) for x in lines])}


def ncd_protection_view(ctx: AppContext, term: TermState, product: Product, carried: RenewalRisk,
                        protection: ProtectionAtRenewal) -> RenewalNcdProtection:
    """The NCD before and after with its discount percentages, whether protection kept it, and why."""
    old = ctx.catalogue.by_ref(term.product_ref).rating.ncd
    new = product.rating.ncd
    return {
        "years_before": carried.ncd_before, "years_after": carried.ncd_after,
        "discount_percent_before": None if old is None or carried.ncd_before is None
        else str(old.discount_for(carried.ncd_before)[1]),
        "discount_percent_after": None if new is None or carried.ncd_after is None
        else str(new.discount_for(carried.ncd_after)[1]),
        "protected": protection.protected, "protection_lost": protection.lost,
        # ProtectionAtRenewal.as_dict builds exactly these keys (the domain holds no result types)
        "protection": cast(ProtectionAtRenewalView, protection.as_dict()), "why": protection.reason}


def renewal_lines(offer: dict[str, Any], codes: Sequence[str] | None) -> list[ExtraLine]:
    """The extras accepted with a renewal: those carried forward in the offer, or exactly `codes` chosen
    from the offer's available extras (carried ones stay "renewed", new ones are "bought")."""
    carried = [ExtraLine.from_dict(x) for x in offer.get("extras", [])]
    if codes is None:
        return carried
    issues = IssueCollector()
    available = {a["code"]: a for a in offer.get("extras_available", [])}
    carried_codes = {ln.code for ln in carried}
    lines: list[ExtraLine] = []
    if len(set(codes)) != len(codes):
        issues.add(FIELD_QUOTE, "an extra is named twice")
    for code in dict.fromkeys(codes):
        entry = available.get(code)
        if entry is None:
            issues.add(FIELD_QUOTE, f"{code!r} is not offered with this renewal: choose from {', '.join(available) or 'none'}")
        elif not entry["available"]:
            issues.add(FIELD_QUOTE, f"{entry['name']} cannot be bought: it {'; '.join(entry['reasons'])}")
        else:
            ln = ExtraLine.from_dict(entry["line"])
            action: dx.Action = "renewed" if code in carried_codes else "bought"
            lines.append(ExtraLine(ln.cover_after, action, ln.premium, ln.ipt, ln.commission,
                                   ln.explanation.replace(BOUGHT_FOR_TERM, "Renewed for the term." if action ==
                                                          "renewed" else "Added at renewal.")))
    issues.raise_if_any("the extras cannot be renewed")
    return lines


# -- cancellation ----------------------------------------------------------------------------------


def cancellation_lines(policy: Policy, result: CancellationResult, effective: date) -> list[ExtraLine]:
    """What cancelling refunds of each extra on the term: the core premium's method and rule (pro-rata by
    days, the short-period table, or no refund at all where FEE-1 says all premiums are due)."""
    term = policy.term()
    rest = Period(effective, max(effective, term.period.end))
    # Extras already removed before the cancellation took their return premium then.
    covers = {code: c for code, c in dx.term_extras(policy.transactions, term.term_no).items() if c.covers_any_of(rest)}
    return dx.cancellation_lines(covers, term.period, effective, result.method, result.short_period_percent)


def with_cancellation_extras(view: dict[str, Any], lines: Sequence[ExtraLine]) -> dict[str, Any]:
    """The cancellation quote with each extra's refund as its own line, and the totals including them."""
    if not lines:
        return {**view, "extras": []}
    signed = Money.of(view["refund_total"]) - Money.of(view["amount_due_from_customer"]) - dx.total_of(lines)
    extras_refund = -dx.total_of(lines)
    return {**view, "extras": [ln.as_dict() for ln in lines],
            "extras_refund": extras_refund.to_str(),
            "refund_total": signed.max(Money.zero()).to_str(),
            "amount_due_from_customer": (-signed).max(Money.zero()).to_str(),
            "check": view["check"] + "; for each extra, refund + earned = paid",
            "explanation": [*view["explanation"], *(ln.explanation for ln in lines),
                            f"With the extras, refund {signed.max(Money.zero()).to_str()}."]}


# -- posting ---------------------------------------------------------------------------------------


def record_lines(uow: UnitOfWork, policy: Policy, txn: PolicyTransaction) -> list[ExtraLine]:
    """Keep the transaction's extra lines for reports (same unit of work as its ledger entry)."""
    lines = dx.lines_of(txn)
    if lines:
        uow.extras.add_lines(policy, txn, policy.term(txn.term_no).product_ref, london_date(txn.recorded_at), lines)
    return lines


# -- views -----------------------------------------------------------------------------------------


def policy_extras_view(catalogue: Catalogue, policy: Policy, today: date) -> PolicyExtrasView:
    """The current term's extras, each as its own line (sold, cover, charged so far, documents), and
    whether the no-claims discount is protected."""
    terms = policy.terms()
    if not terms:
        return {"extras": [], "ncd_protection": {"offered": False, "protected": False}}
    term = terms[-1]
    found = protection_rule(catalogue.by_ref(term.product_ref))
    out: list[PolicyExtra] = []
    protected = False
    for code, lines in dx.term_lines(policy.transactions, term.term_no).items():
        # Cover ends with the term's: on cancellation, and entirely on voidance.
        cover = lines[-1].cover_after.removed_from(term.period.start if term.voided else term.cover_end)
        charged = dx.charged_on_term(lines)
        on = cover.on_cover(max(today, term.period.start))  # a term not yet started: from its first day
        if found is not None and code == found[0].code:
            protected = on
        out.append({
            "code": code, "name": cover.name, "provider": cover.provider, "insurer": cover.insurer,
            "price": cover.price.to_str(), "ipt_treatment": cover.ipt_treatment, "ipt_rate": str(cover.ipt_rate),
            "cover": [{"from": p.start.isoformat(), "to": p.end.isoformat()} for p in cover.cover],
            "on_cover": on, "premium": charged.premium.to_str(), "ipt": charged.ipt.to_str(),
            "total": charged.total.to_str(), "commission": charged.commission.to_str(),
            "documents": [{"name": d.name, "reference": d.reference} for d in cover.documents]})
    return {"extras": out, "ncd_protection": {"offered": found is not None, "protected": protected}}


# -- the fair-value report (Consumer Duty) -----------------------------------------------------------


REPORT_COLUMNS = ("product_code", "extra_code", "name", "provider", "insurer", "policies_on_cover",
                  "policies_with_business", "sales", "premium_written", "ipt", "commission",
                  "commission_percent_of_premium", "claims_recorded", "claims_paid")
CLAIMS_PAID_NOTE = ("Claims paid is 0.00: claim payments arrive with the claims module (issue 5). Until then "
                    "claims_recorded counts the claims recorded on policies while the extra covered them, of the "
                    "extra's own claim types (for NCD protection: claims that affect the NCD, where it was used).")


def fair_value_report(ctx: AppContext, principal: Principal, product_code: str | None, start: date,
                      end: date) -> FairValueReport:
    """Per extra (and product) for the days [start, end): premium written net of refunds, IPT, commission,
    policies, sales and claims, so the fair value of each add-on can be evidenced (Consumer Duty)."""
    require_staff(principal, "see the fair-value report")
    if end <= start:
        raise ValidationFailed("the period is empty", [FieldIssue("to", f"must be after from ({start})")])
    codes = [product_code.upper()] if product_code else ctx.catalogue.codes()
    extras_by_key: dict[tuple[str, str], Extra] = {}
    for code in codes:
        for version in ctx.catalogue.versions(code):  # later versions win: their names and providers
            for e in version.extras:
                extras_by_key[(code, e.code)] = e
    rows: list[FairValueRow] = []
    with ctx.uow(read_only=True) as uow:
        written = {(w.product_code, w.extra_code): w for w in uow.extras.written(
            product_code.upper() if product_code else None, start, end)}
        for (product, code), extra in sorted(extras_by_key.items()):
            w = written.get((product, code))
            covers = uow.extras.covers(product, code)
            window = Period(start, end)
            on_cover = {pid: [Period(a, b) for a, b in spans] for pid, spans in covers.items()
                        if any(Period(a, b).overlaps(window) for a, b in spans)}
            claims = 0
            for pid, event in uow.extras.claims(list(on_cover)):
                ev = event_from_dict(event)
                if ev.kind != "claim" or not window.contains(ev.occurred_on):
                    continue
                if not any(p.contains(ev.occurred_on) for p in on_cover[pid]):
                    continue
                related = affects_ncd(ev) if extra.ncd_protection is not None else ev.claim_type in extra.claim_types
                claims += 1 if related else 0
            premium = Money.from_pence(w.premium_pence if w else 0)
            commission = Money.from_pence(w.commission_pence if w else 0)
            share = None if premium.is_zero() else (commission.ratio(premium) * 100).quantize(Decimal("0.1"))
            rows.append({
                "product_code": product, "extra_code": code, "name": extra.name, "provider": extra.provider,
                "insurer": extra.insurer, "policies_on_cover": len(on_cover),
                "policies_with_business": len(w.policy_ids) if w else 0, "sales": w.sales if w else 0,
                "premium_written": premium.to_str(), "ipt": Money.from_pence(w.ipt_pence if w else 0).to_str(),
                "commission": commission.to_str(),
                "commission_percent_of_premium": None if share is None else str(share),
                "claims_recorded": claims, "claims_paid": "0.00",
                "claim_types": ["ncd_affecting"] if extra.ncd_protection is not None else list(extra.claim_types)})
    totals: FairValueTotals = {
        "premium_written": sum_money([Money.of(r["premium_written"]) for r in rows]).to_str(),
        "ipt": sum_money([Money.of(r["ipt"]) for r in rows]).to_str(),
        "commission": sum_money([Money.of(r["commission"]) for r in rows]).to_str()}
    return {"from": start.isoformat(), "to": end.isoformat(), "product": product_code.upper() if product_code else None,
            "rows": rows, "totals": totals,
            "notes": ["Premium written, IPT and commission are booked on the day of each transaction in "
                      "[from, to) and are net of refunds and return premiums.",
                      "commission_percent_of_premium = commission / premium written x 100, to one decimal place.",
                      CLAIMS_PAID_NOTE]}


def fair_value_csv(report: FairValueReport) -> str:
    buf = io.StringIO()
    writer = csv_cells.writer(buf)
    writer.writerow(["from", "to", *REPORT_COLUMNS])
    for row in report["rows"]:
        r: Mapping[str, object] = row
        writer.writerow([report["from"], report["to"], *["" if r[c] is None else r[c] for c in REPORT_COLUMNS]])
    return buf.getvalue()


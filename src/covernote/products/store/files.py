"""Loading product definitions from `products/` (PRD-1).

Each product version is a YAML file. A file may `extends:` another file in the same folder: the two
are merged key by key (mappings merge, lists and values replace), so a new version states only what
changed. A file may also `include:` a list of shared files (e.g. the privacy notice several products
are sold under), merged after its parent and before its own keys. Every file is validated into typed
domain objects; a bad file is refused with the file, the field and the reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import ConfigDict, Field, StringConstraints, ValidationError, field_validator

from covernote.kernel.declarations import PURPOSES, Basis, Category
from covernote.kernel.money import Money
from covernote.kernel.retention import RECORD_CATEGORIES, DealershipPeriod, RetentionRule
from covernote.products.domain.catalogue import Catalogue, check_overlaps
from covernote.products.domain.claim_types import CLAIM_TYPES, is_claim_type
from covernote.products.domain.model import (
    FEE_EVENTS,
    Band,
    CancellationRules,
    CollectedCategory,
    Cover,
    Extra,
    ExtraDocument,
    FactorTable,
    Fee,
    IptRate,
    NcdProtectionRule,
    NcdScale,
    PaymentAuthorityTerms,
    ProcessingStatement,
    Product,
    Question,
    RatingSpec,
    Recipient,
    RenewalRules,
    RetentionSchedule,
    ShortPeriodRates,
    StatedPurpose,
    TaxTable,
    Term,
)
from covernote.products.store.arrears_spec import ArrearsDoc, arrears_problems, arrears_rules
from covernote.products.store.carbon_spec import CarbonOffsetDoc, carbon_problems, carbon_spec
from covernote.products.store.commission_spec import CommissionDoc, commission_spec
from covernote.products.store.finance_spec import FinanceDoc, finance_spec
from covernote.products.store.ipid import IpidDoc, product_information
from covernote.products.store.notices import (
    ContactsDoc,
    PrivacyNoticeDoc,
    brand_contacts,
    notice_problems,
    privacy_notice,
)
from covernote.products.store.strict import StrictDoc
from covernote.products.store.telematics_spec import TelematicsDoc, telematics_problems, telematics_rules

DERIVED_VARIABLES = {
    "vehicle_value", "vehicle_age", "postcode_area", "vehicle_group", "engine_cc", "vehicle_mileage", "fuel",
    "driver_age", "years_licensed", "driver_count", "term_days",
}
NO_REFUND_RULES = {"claim", "incident", "total_loss"}


@dataclass(frozen=True)
class ProductFileProblem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class ProductFileError(Exception):
    """One or more product files are invalid; `problems` names file, field and reason for each."""

    def __init__(self, problems: list[ProductFileProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class CoverDoc(StrictDoc):
    code: str
    name: str
    description: str


class ExtraDocumentDoc(StrictDoc):
    name: str
    reference: str


class NcdProtectionDoc(StrictDoc):
    min_years: int = Field(ge=0, le=30)
    max_claims: int = Field(ge=0, le=20)
    window_years: int = Field(ge=1, le=10)
    claims_question: str


class ExtraDoc(StrictDoc):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    provider: str
    insurer: str
    annual_price: Decimal = Field(ge=0)
    ipt: Literal["standard", "higher", "exempt"]
    prices_by_term: dict[str, Decimal] = {}
    commission_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    commission_per_sale: Decimal = Field(default=Decimal(0), ge=0)
    documents: list[ExtraDocumentDoc] = []
    claim_types: list[str] = []
    ncd_protection: NcdProtectionDoc | None = None


class FeeDoc(StrictDoc):
    code: str
    name: str
    amount: Decimal = Field(ge=0)
    charged_on: str
    instead_of: list[str] = []
    refundable_within_cooling_off: bool = False
    box_return_refund_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)

    @field_validator("charged_on")
    @classmethod
    def _event(cls, v: str) -> str:
        if v not in FEE_EVENTS:
            raise ValueError(f"must be one of {', '.join(FEE_EVENTS)}")
        return v


class ShortPeriodDoc(StrictDoc):
    applies_before: date
    percent_retained_by_months: dict[int, Decimal]


class CancellationDoc(StrictDoc):
    cooling_off_days: int = Field(ge=0, le=60)
    insurer_notice_days: int = Field(ge=0, le=60)
    no_refund_if: list[str] = []
    no_refund_within_cooling_off_if: list[str] | None = None
    box_return_days: int | None = Field(default=None, ge=0, le=90)
    short_period: ShortPeriodDoc | None = None

    @field_validator("no_refund_if", "no_refund_within_cooling_off_if")
    @classmethod
    def _rules(cls, v: list[str] | None) -> list[str] | None:
        bad = [x for x in v or [] if x not in NO_REFUND_RULES]
        if bad:
            raise ValueError(f"unknown rule(s) {bad}: use {sorted(NO_REFUND_RULES)}")
        return v


class RenewalDoc(StrictDoc):
    renewable: bool = True
    invitation_days_before: int = Field(ge=0, le=120)
    auto_renew_default: bool = True


class PaymentAuthorityDoc(StrictDoc):
    notice_days: int = Field(default=14, ge=1, le=60)


class TermDoc(StrictDoc):
    unit: Literal["months", "days"]
    length: int = Field(gt=0, le=60)


class QuestionDoc(StrictDoc):
    name: str
    kind: Literal["choice", "integer", "money"]
    choices: list[str] = []
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    default: str | None = None


class BandDoc(StrictDoc):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    low: Decimal | None = Field(default=None, alias="from")
    high: Decimal | None = Field(default=None, alias="to")
    factor: Decimal = Field(gt=0)


class FactorDoc(StrictDoc):
    name: str
    variable: str
    bands: list[BandDoc] = []
    values: dict[str, Decimal] = {}
    default: Decimal | None = None


class NcdDoc(StrictDoc):
    discount_percent_by_years: dict[int, Decimal]
    step_back_one_claim: dict[int, int] = {}
    step_back_two_claims: dict[int, int] = {}
    proof_max_age_years: int = Field(default=2, ge=1, le=10)
    lapse_years: int | None = Field(default=2, ge=1, le=10)


class RatingDoc(StrictDoc):
    table_version: str
    base_variable: str
    base_rates: dict[str, Decimal]
    minimum_premium: Decimal = Field(ge=0)
    factors: list[FactorDoc] = []
    renewal_factors: list[FactorDoc] = []
    ncd: NcdDoc | None = None


Trigger = Literal["quote_issued", "policy_ended", "claim_settled", "last_contact", "cookie_set", "call_recorded"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class RetentionRuleDoc(StrictDoc):
    """One rule of the product's retention schedule (PRV-5): keyed by record category."""

    trigger: Trigger
    years: int = Field(default=0, ge=0, le=100, strict=True)
    months: int = Field(default=0, ge=0, le=1200, strict=True)
    days: int = Field(default=0, ge=0, le=36500, strict=True)
    rounding: Literal["none", "end_of_year"] = "none"
    action: Literal["delete", "anonymise"]
    source: Text


class DealershipRangeDoc(StrictDoc):
    floor_years: int = Field(ge=0, le=100, strict=True)
    ceiling_years: int = Field(ge=0, le=100, strict=True)


class SubscriptionRetentionDoc(StrictDoc):
    """A row of a provider's retention table for a product Covernote does not run (S0), keyed by that
    product's name: a fixed period, or a period each dealership sets within a floor and a ceiling."""

    trigger: Trigger
    years: int | None = Field(default=None, ge=0, le=100, strict=True)
    set_by_dealership: DealershipRangeDoc | None = None
    rounding: Literal["none", "end_of_year"] = "none"
    action: Literal["delete", "anonymise"]
    source: Text


class PurposeDoc(StrictDoc):
    statement: Text
    basis: Literal["contract", "legal_obligation", "legitimate_interests", "consent", "insurance_condition"]
    basis_stated: str = ""
    purpose: str | None = None
    source: Text


class RecipientDoc(StrictDoc):
    name: Text
    kind: Text
    source: Text


class ProcessingDoc(StrictDoc):
    """What the product's privacy notice says (PRV-1): keyed mappings, so an included notice can be
    extended by the product that includes it."""

    controller: Text
    notice: Text
    product_name: str = ""
    categories: dict[str, str] = Field(min_length=1)
    purposes: dict[str, PurposeDoc] = Field(min_length=1)
    recipients: dict[str, RecipientDoc] = Field(min_length=1)


class ProductDoc(StrictDoc):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,19}$")
    name: str
    version: str
    effective_from: date
    effective_to: date | None = None
    line: Literal["motor", "warranty"]
    source: str
    insurer: str
    ipt: Literal["standard", "higher", "exempt"]
    currency: str = "GBP"
    quote_validity_days: int = Field(ge=1, le=90)
    max_start_days_ahead: int = Field(ge=0, le=365)
    # TEL-3, TEL-10: the Smartbox's scoring ruleset (store/telematics_spec.py); none, no Smartbox
    telematics: TelematicsDoc | None = None
    min_driver_age: int = Field(default=17, ge=16, le=100)
    max_drivers: int = Field(default=5, ge=0, le=10)
    terms: list[TermDoc] = Field(min_length=1)
    covers: list[CoverDoc] = Field(min_length=1)
    extras: list[ExtraDoc] = []
    fees: list[FeeDoc] = []
    questions: list[QuestionDoc] = []
    cancellation: CancellationDoc
    renewal: RenewalDoc
    rating: RatingDoc
    retention: dict[str, RetentionRuleDoc]
    subscription_retention: dict[str, SubscriptionRetentionDoc] = {}
    processing: ProcessingDoc
    carbon_offset: CarbonOffsetDoc | None = None  # ECO-1 (product_carbon.py)
    finance: FinanceDoc | None = None  # PAY-1: monthly payment by premium finance; none, annual only
    commission: CommissionDoc | None = None  # PAY-7: commission on the core premium; none, the insurer sells direct
    contacts: ContactsDoc | None = None  # DOC-2: required, reported as missing by notice_problems
    privacy_notice: PrivacyNoticeDoc | None = None  # PRV-3: required, likewise
    ipid: IpidDoc | None = None  # DOC-1: the product information document's wording; none, no IPID is issued
    payment_authority: PaymentAuthorityDoc = PaymentAuthorityDoc()  # PAY-3: the continuous payment authority's days
    arrears: ArrearsDoc | None = None  # PAY-2: a returned direct debit's ladder (store/arrears_spec.py)

    @field_validator("telematics", mode="before")
    @classmethod
    def _telematics_section(cls, value: Any) -> Any:
        """`telematics: false` is no Smartbox; a Smartbox product gives its scoring ruleset (TEL-10)."""
        if value is False:
            return None
        if value is True:
            raise ValueError("a telematics product gives its scoring ruleset here (ruleset, source, speeding, "
                             "night, eco, duration, weights), not true")
        return value


class IptRateDoc(StrictDoc):
    treatment: Literal["standard", "higher"]
    effective_from: date
    rate: Decimal = Field(ge=0, lt=1)


class TaxDoc(StrictDoc):
    ipt: list[IptRateDoc] = Field(min_length=1)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return override


def _read_yaml(path: Path, folder: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    rel = path.name
    if path in seen:
        raise ProductFileError([ProductFileProblem(rel, "extends", "files extend each other in a loop")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProductFileError([ProductFileProblem(rel, "-", f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ProductFileError([ProductFileProblem(rel, "-", "must be a mapping of fields")])
    parent = data.pop("extends", None)
    includes = data.pop("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ProductFileError([ProductFileProblem(rel, "include", "must be a list of file names")])
    bases = [("extends", str(parent))] if parent is not None else []
    bases += [("include", name) for name in includes]
    base: dict[str, Any] = {}
    for key, name in bases:
        other = folder / name
        if not other.is_file():
            raise ProductFileError([ProductFileProblem(rel, key, f"no file {name} in {folder}")])
        base = _merge(base, _read_yaml(other, folder, (*seen, path)))
    return _merge(base, data) if base else data


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "-"


def _problems(file: str, exc: ValidationError) -> list[ProductFileProblem]:
    return [ProductFileProblem(file, _loc(tuple(e["loc"])), e["msg"]) for e in exc.errors()]


def _money(value: Decimal, currency: str) -> Money:
    return Money.of(value, currency)


def _factor(doc: FactorDoc) -> FactorTable:
    return FactorTable(doc.name, doc.variable, tuple(Band(b.low, b.high, b.factor) for b in doc.bands),
                       dict(doc.values), doc.default)


def _semantic_problems(file: str, doc: ProductDoc) -> list[ProductFileProblem]:
    out: list[ProductFileProblem] = []

    def bad(field_name: str, reason: str) -> None:
        out.append(ProductFileProblem(file, field_name, reason))

    if doc.effective_to is not None and doc.effective_to <= doc.effective_from:
        bad("effective_to", "must be after effective_from")
    known_vars = DERIVED_VARIABLES | {q.name for q in doc.questions}
    question_names = [q.name for q in doc.questions]
    if len(set(question_names)) != len(question_names):
        bad("questions", "a question is defined twice")
    for i, q in enumerate(doc.questions):
        if q.kind == "choice" and not q.choices:
            bad(f"questions[{i}].choices", "a choice question needs choices")
        if q.default is not None and q.kind == "choice" and q.default not in q.choices:
            bad(f"questions[{i}].default", f"{q.default!r} is not one of the choices")
        if q.minimum is not None and q.maximum is not None and q.minimum > q.maximum:
            bad(f"questions[{i}]", "minimum is above maximum")
    r = doc.rating
    if r.base_variable not in known_vars:
        bad("rating.base_variable", f"{r.base_variable!r} is not a question or a derived variable")
    base_q = next((q for q in doc.questions if q.name == r.base_variable), None)
    if base_q is not None and base_q.kind == "choice":
        missing = [c for c in base_q.choices if c not in r.base_rates]
        if missing:
            bad("rating.base_rates", f"no base rate for {missing}")
    for group, tables in (("factors", r.factors), ("renewal_factors", r.renewal_factors)):
        for i, t in enumerate(tables):
            where = f"rating.{group}[{i}]"
            if t.variable not in known_vars:
                bad(f"{where}.variable", f"{t.variable!r} is not a question or a derived variable")
            if bool(t.bands) == bool(t.values):
                bad(where, "give either bands or values, not both or neither")
            bands = sorted(t.bands, key=lambda b: (b.low is not None, b.low or 0))
            for j, (a, b) in enumerate(itertools.pairwise(bands)):
                if a.high is None or b.low is None or a.high != b.low:
                    bad(f"{where}.bands", f"bands {j} and {j + 1} leave a gap or overlap ({a.high} vs {b.low})")
            asked = next((q for q in doc.questions if q.name == t.variable), None)
            if asked is not None and asked.kind == "choice" and t.values and t.default is None:
                missing = [c for c in asked.choices if c not in t.values]
                if missing:
                    bad(f"{where}.values", f"no factor for {missing} and no default")
    if r.ncd is not None:
        if 0 not in r.ncd.discount_percent_by_years:
            bad("rating.ncd.discount_percent_by_years", "must give the discount for 0 years")
        if any(not (0 <= v < 100) for v in r.ncd.discount_percent_by_years.values()):
            bad("rating.ncd.discount_percent_by_years", "discounts must be from 0 up to but not including 100")
    extra_codes = [e.code for e in doc.extras]
    if len(set(extra_codes)) != len(extra_codes):
        bad("extras", "an extra code is used twice")
    term_labels = {f"{t.length} {t.unit}" for t in doc.terms}
    for i, e in enumerate(doc.extras):
        for label, price in e.prices_by_term.items():
            if label not in term_labels:
                bad(f"extras[{i}].prices_by_term", f"{label!r} is not one of the product's terms ({', '.join(sorted(term_labels))})")
            if price < 0:
                bad(f"extras[{i}].prices_by_term", "prices cannot be negative")
        unknown = [t for t in e.claim_types if not is_claim_type(t)]
        if unknown:
            bad(f"extras[{i}].claim_types", f"unknown claim type(s) {unknown}: use {', '.join(CLAIM_TYPES)}")
        if e.ncd_protection is not None:
            if r.ncd is None:
                bad(f"extras[{i}].ncd_protection", "the product has no NCD scale to protect")
            if e.ncd_protection.claims_question not in question_names:
                bad(f"extras[{i}].ncd_protection.claims_question",
                    f"{e.ncd_protection.claims_question!r} is not a question of the product")
    if sum(1 for e in doc.extras if e.ncd_protection is not None) > 1:
        bad("extras", "only one extra can be NCD protection")
    codes = [f.code for f in doc.fees]
    if len(set(codes)) != len(codes):
        bad("fees", "a fee code is used twice")
    for i, f in enumerate(doc.fees):
        for other in f.instead_of:
            if other not in codes:
                bad(f"fees[{i}].instead_of", f"no fee {other!r}")
    if doc.cancellation.short_period is not None:
        table = doc.cancellation.short_period.percent_retained_by_months
        if not table or any(not (0 <= v <= 100) for v in table.values()):
            bad("cancellation.short_period.percent_retained_by_months", "percentages must be 0 to 100")
        elif [table[k] for k in sorted(table)] != sorted(table.values()):
            bad("cancellation.short_period.percent_retained_by_months", "must not fall as months increase")
    if any(f.box_return_refund_percent > 0 for f in doc.fees) and doc.cancellation.box_return_days is None:
        bad("cancellation.box_return_days", "fees refund on box return, so the days to return it are needed")
    out += [ProductFileProblem(file, f, reason) for f, reason in _privacy_problems(doc)]
    out += [ProductFileProblem(file, f, reason) for f, reason in carbon_problems(doc)]
    out += [ProductFileProblem(file, f, reason) for f, reason in notice_problems(doc)]
    out += [ProductFileProblem(file, f, reason) for f, reason in arrears_problems(doc)]
    out += [ProductFileProblem(file, f, reason) for f, reason in telematics_problems(doc)]
    return out


REQUIRED_RETENTION = ("policy", "no_contract")


def _privacy_problems(doc: ProductDoc) -> list[tuple[str, str]]:
    """Retention (PRV-5) and processing (PRV-1) entries that parse but make no sense."""
    out: list[tuple[str, str]] = []
    for category, rule in doc.retention.items():
        where = f"retention.{category}"
        known = RECORD_CATEGORIES.get(category)
        if known is None:
            out.append((where, f"unknown record category {category!r}: use one of {', '.join(RECORD_CATEGORIES)}"))
        else:
            if rule.trigger not in known.triggers:
                out.append((f"{where}.trigger", f"{category} records are kept from {' or '.join(known.triggers)}, "
                                                f"not {rule.trigger}"))
            if rule.action not in known.actions:
                out.append((f"{where}.action", f"{known.description} can only be {' or '.join(known.actions)}d "
                                               f"when their time is up, not {rule.action}d"))
        if not (rule.years or rule.months or rule.days or rule.rounding == "end_of_year"):
            out.append((where, "a period of 0 days would act on the day after the event: give years, months or days"))
    for category in REQUIRED_RETENTION:
        if category not in doc.retention:
            out.append(("retention", f"every product states how long its {category} records are kept (PRV-5): "
                                     f"add retention.{category}"))
    if "billing" in doc.retention and "policy" in doc.retention:
        billing, policy = doc.retention["billing"], doc.retention["policy"]
        if (billing.years, billing.months, billing.days) < (policy.years, policy.months, policy.days):
            out.append(("retention.billing", "billing data is part of the policy: its period cannot be shorter "
                                             "than the policy's"))
    for name, row in doc.subscription_retention.items():
        where = f"subscription_retention.{name}"
        if (row.years is None) == (row.set_by_dealership is None):
            out.append((where, "give either years or set_by_dealership, not both or neither"))
        rng = row.set_by_dealership
        if rng is not None and rng.ceiling_years < rng.floor_years:
            out.append((f"{where}.set_by_dealership.ceiling_years",
                        f"the ceiling ({rng.ceiling_years} years) is below the floor ({rng.floor_years})"))
    categories = {c.value for c in Category}
    for category in doc.processing.categories:
        if category not in categories:
            out.append((f"processing.categories.{category}",
                        f"unknown category of personal data: use one of {', '.join(sorted(categories))}"))
    for key, purpose in doc.processing.purposes.items():
        if purpose.purpose is not None and purpose.purpose not in PURPOSES:
            out.append((f"processing.purposes.{key}.purpose",
                        f"{purpose.purpose!r} is not a purpose of the data map: use one of {', '.join(PURPOSES)} "
                        "or leave it out when Covernote processes nothing for it"))
    return out


def _rule(category: str, doc: RetentionRuleDoc) -> RetentionRule:
    return RetentionRule(category, doc.trigger, doc.years, doc.months, doc.days, doc.rounding, doc.action,
                         source=doc.source)


def _subscription(name: str, doc: SubscriptionRetentionDoc) -> RetentionRule | DealershipPeriod:
    if doc.set_by_dealership is not None:
        return DealershipPeriod(name, doc.trigger, doc.set_by_dealership.floor_years,
                                doc.set_by_dealership.ceiling_years, doc.rounding, doc.action, source=doc.source)
    return RetentionRule(name, doc.trigger, years=doc.years or 0, rounding=doc.rounding, action=doc.action,
                         source=doc.source)


def _processing(doc: ProcessingDoc) -> ProcessingStatement:
    return ProcessingStatement(
        controller=doc.controller, notice=doc.notice,
        categories=tuple(CollectedCategory(c, stated) for c, stated in doc.categories.items()),
        purposes=tuple(StatedPurpose(k, p.statement, Basis(p.basis).value, p.source, p.purpose, p.basis_stated)
                       for k, p in doc.purposes.items()),
        recipients=tuple(Recipient(k, r.name, r.kind, r.source) for k, r in doc.recipients.items()),
        product_name=doc.product_name)


def _extra(e: ExtraDoc, cur: str) -> Extra:
    rule = e.ncd_protection
    return Extra(e.code, e.name, e.provider, e.insurer, _money(e.annual_price, cur), e.ipt,
                 {k: _money(v, cur) for k, v in e.prices_by_term.items()}, e.commission_percent,
                 _money(e.commission_per_sale, cur), tuple(ExtraDocument(d.name, d.reference) for d in e.documents),
                 tuple(e.claim_types),
                 None if rule is None else NcdProtectionRule(rule.min_years, rule.max_claims, rule.window_years,
                                                             rule.claims_question))


def product_from_doc(doc: ProductDoc) -> Product:
    cur = doc.currency
    r = doc.rating
    ncd = None
    if r.ncd is not None:
        ncd = NcdScale(dict(r.ncd.discount_percent_by_years), dict(r.ncd.step_back_one_claim),
                       dict(r.ncd.step_back_two_claims), r.ncd.proof_max_age_years,
                       r.ncd.lapse_years)
    sp = doc.cancellation.short_period
    return Product(
        code=doc.code, name=doc.name, version=doc.version, effective_from=doc.effective_from,
        effective_to=doc.effective_to, line=doc.line, source=doc.source, insurer=doc.insurer, ipt=doc.ipt,
        currency=cur, quote_validity_days=doc.quote_validity_days, max_start_days_ahead=doc.max_start_days_ahead,
        telematics=doc.telematics is not None, min_driver_age=doc.min_driver_age, max_drivers=doc.max_drivers,
        terms=tuple(Term(t.unit, t.length) for t in doc.terms),
        covers=tuple(Cover(c.code, c.name, c.description) for c in doc.covers),
        extras=tuple(_extra(e, cur) for e in doc.extras),
        fees=tuple(Fee(f.code, f.name, _money(f.amount, cur), f.charged_on, tuple(f.instead_of),
                       f.refundable_within_cooling_off, f.box_return_refund_percent) for f in doc.fees),
        questions=tuple(Question(q.name, q.kind, tuple(q.choices), q.minimum, q.maximum, q.default) for q in doc.questions),
        cancellation=CancellationRules(
            doc.cancellation.cooling_off_days, doc.cancellation.insurer_notice_days,
            tuple(doc.cancellation.no_refund_if), doc.cancellation.box_return_days,
            None if sp is None else ShortPeriodRates(sp.applies_before, dict(sp.percent_retained_by_months)),
            None if doc.cancellation.no_refund_within_cooling_off_if is None
            else tuple(doc.cancellation.no_refund_within_cooling_off_if)),
        renewal=RenewalRules(doc.renewal.invitation_days_before, doc.renewal.auto_renew_default, doc.renewal.renewable),
        rating=RatingSpec(r.table_version, r.base_variable, {k: _money(v, cur) for k, v in r.base_rates.items()},
                          tuple(_factor(f) for f in r.factors), _money(r.minimum_premium, cur), ncd,
                          tuple(_factor(f) for f in r.renewal_factors)),
        retention=RetentionSchedule(
            tuple(_rule(c, d) for c, d in doc.retention.items()),
            tuple(_subscription(n, d) for n, d in doc.subscription_retention.items())),
        processing=_processing(doc.processing),
        carbon_offset=None if doc.carbon_offset is None else carbon_spec(doc.carbon_offset, cur),
        finance=None if doc.finance is None else finance_spec(doc.finance, cur),
        commission=None if doc.commission is None else commission_spec(doc.commission),
        contacts=None if doc.contacts is None else brand_contacts(doc.contacts),
        privacy_notice=None if doc.privacy_notice is None else privacy_notice(doc.privacy_notice),
        ipid=None if doc.ipid is None else product_information(doc.ipid),
        payment_authority=PaymentAuthorityTerms(doc.payment_authority.notice_days),
        arrears=None if doc.arrears is None else arrears_rules(doc.arrears),
        telematics_rules=None if doc.telematics is None else telematics_rules(doc.telematics),
    )


def load_product_file(path: Path) -> Product:
    data = _read_yaml(path, path.parent)
    try:
        doc = ProductDoc.model_validate(data)
    except ValidationError as exc:
        raise ProductFileError(_problems(path.name, exc)) from exc
    problems = _semantic_problems(path.name, doc)
    if problems:
        raise ProductFileError(problems)
    return product_from_doc(doc)


def load_tax_file(path: Path) -> TaxTable:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc = TaxDoc.model_validate(data)
    except FileNotFoundError as exc:
        raise ProductFileError([ProductFileProblem(path.name, "-", "the IPT rate file is missing")]) from exc
    except yaml.YAMLError as exc:
        raise ProductFileError([ProductFileProblem(path.name, "-", f"not valid YAML: {exc}")]) from exc
    except ValidationError as exc:
        raise ProductFileError(_problems(path.name, exc)) from exc
    return TaxTable(tuple(IptRate(r.treatment, r.effective_from, r.rate) for r in doc.ipt))


def _complaints_default_problems(products: list[Product], files: dict[int, str]) -> list[ProductFileProblem]:
    """Exactly one product code answers complaints that name no product (DOC-2)."""
    marked = [p for p in products if p.contacts is not None and p.contacts.default_for_complaints]
    codes = sorted({p.code for p in marked})
    if len(codes) > 1:
        return [ProductFileProblem(files[id(p)], "contacts.default_for_complaints",
                                   f"only one product may answer complaints that name no product; "
                                   f"{', '.join(codes)} all say so") for p in marked]
    if not codes and products:
        return [ProductFileProblem(files[id(products[0])], "contacts.default_for_complaints",
                                   "no product answers complaints that name no product: set it true on one")]
    return []


def load_catalogue(folder: Path) -> Catalogue:
    """Load and check every product file in `folder` (files starting with `_` are bases for `extends`,
    and `tax.yaml` holds the IPT rates). Raises ProductFileError naming every problem found."""
    if not folder.is_dir():
        raise ProductFileError([ProductFileProblem(str(folder), "-", "no such product folder")])
    problems: list[ProductFileProblem] = []
    products: list[Product] = []
    files: dict[int, str] = {}
    tax: TaxTable | None = None
    try:
        tax = load_tax_file(folder / "tax.yaml")
    except ProductFileError as exc:
        problems += exc.problems
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "tax.yaml" or path.name.startswith("_"):
            continue
        try:
            product = load_product_file(path)
        except ProductFileError as exc:
            problems += exc.problems
            continue
        products.append(product)
        files[id(product)] = path.name
    problems += [ProductFileProblem(files[id(p)], "effective_to", message) for p, message in check_overlaps(products)]
    problems += _complaints_default_problems(products, files)
    if not products and not problems:
        problems.append(ProductFileProblem(str(folder), "-", "no product files found"))
    if problems:
        raise ProductFileError(problems)
    assert tax is not None
    for p in products:
        try:
            tax.rate(p.ipt, p.effective_from)
        except LookupError as exc:
            problems.append(ProductFileProblem(files[id(p)], "ipt", f"{exc} (see tax.yaml)"))
        for i, e in enumerate(p.extras):
            try:
                tax.rate(e.ipt, p.effective_from)
            except LookupError as exc:
                problems.append(ProductFileProblem(files[id(p)], f"extras[{i}].ipt", f"{exc} (see tax.yaml)"))
    if problems:
        raise ProductFileError(problems)
    return Catalogue(tuple(products), tax)

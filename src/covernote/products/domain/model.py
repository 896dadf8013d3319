"""A product is small, typed, versioned data: covers, extras, fees, cancellation and renewal rules,
IPT treatment, risk questions, rating tables (PRD-1), its retention schedule (PRV-5) and what its
privacy notice says about processing (PRV-1). These objects are built and checked by the product-file
loader at start-up; nothing here reads a file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from covernote.kernel.money import Money
from covernote.kernel.retention import DealershipPeriod, RetentionRule
from covernote.products.domain.arrears_spec import ArrearsRules
from covernote.products.domain.carbon_spec import CarbonOffsetSpec
from covernote.products.domain.commission_spec import CommissionSpec
from covernote.products.domain.finance_spec import FinanceSpec
from covernote.products.domain.ipid import ProductInformation
from covernote.products.domain.notices import BrandContacts, PrivacyNotice
from covernote.products.domain.telematics_spec import TelematicsRules

Line = Literal["motor", "warranty"]
IptTreatment = Literal["standard", "higher", "exempt"]


@dataclass(frozen=True)
class Cover:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class ExtraDocument:
    """A document that comes with an extra (its policy wording, its product information document)."""

    name: str
    reference: str


@dataclass(frozen=True)
class NcdProtectionRule:
    """NCD-3: who may buy no-claims discount protection, and when it is lost: at least `min_years` of
    NCD and no more than `max_claims` NCD-affecting claims in the last `window_years` years. The claims
    declared at new business are the answer to the product question `claims_question`."""

    min_years: int
    max_claims: int
    window_years: int
    claims_question: str


@dataclass(frozen=True)
class Extra:
    """An optional extra (ADD-1): its own provider, insurer, price and IPT treatment.

    `prices_by_term` prices the extra for a term length (keyed by `Term.label()`, e.g. "7 days"); a
    12-month term without a row costs `annual_price`. `commission_percent` of the extra's premium, plus
    `commission_per_sale`, is the intermediary's commission from the extra's insurer (PAY-7).
    `claim_types`: the claim types that are claims on this extra (the fair-value report counts them).
    `ncd_protection`: set when the extra is no-claims discount protection (NCD-3, NCD-4)."""

    code: str
    name: str
    provider: str
    insurer: str
    annual_price: Money
    ipt: IptTreatment
    prices_by_term: Mapping[str, Money] = field(default_factory=dict)
    commission_percent: Decimal = Decimal(0)
    commission_per_sale: Money = field(default_factory=Money.zero)
    documents: tuple[ExtraDocument, ...] = ()
    claim_types: tuple[str, ...] = ()
    ncd_protection: NcdProtectionRule | None = None

    def price_for(self, term: Term) -> Money | None:
        """The extra's price for a whole term of this length; None when it is not sold for it."""
        if term.label() in self.prices_by_term:
            return self.prices_by_term[term.label()]
        if term == Term("months", 12):
            return self.annual_price
        return None


@dataclass(frozen=True)
class Fee:
    """A fee from the product's schedule (FEE-1..5).

    `charged_on` names the event that charges it. `instead_of` lists fee codes this one replaces when
    both would be charged (a change-of-vehicle fee instead of the plain MTA fee).
    `refundable_within_cooling_off`: refunded in full on a cancellation in the cooling-off period.
    `box_return_refund_percent`: the share refunded on cancellation if the telematics box comes back in
    time (FEE-5). Fees carry no IPT (POL-6: separately charged fees); a taxable charge is premium.
    """

    code: str
    name: str
    amount: Money
    charged_on: str
    instead_of: tuple[str, ...] = ()
    refundable_within_cooling_off: bool = False
    box_return_refund_percent: Decimal = Decimal(0)


FEE_EVENTS = (
    "new_business",
    "renewal",
    "mta",
    "vehicle_change_box_retained",
    "vehicle_change_new_box",
    "cancellation_within_cooling_off",
    "cancellation_after_cooling_off",
    "returned_direct_debit",
)


@dataclass(frozen=True)
class ShortPeriodRates:
    """FEE-3: for policies taken out before `applies_before`, the premium kept on cancellation is a
    percentage of the annual premium by calendar months begun on cover."""

    applies_before: date
    percent_retained_by_months: Mapping[int, Decimal]

    def percent_for(self, months: int) -> Decimal:
        if months <= 0:
            return Decimal(0)
        eligible = [m for m in self.percent_retained_by_months if m >= months]
        key = min(eligible) if eligible else max(self.percent_retained_by_months)
        return self.percent_retained_by_months[key]


@dataclass(frozen=True)
class CancellationRules:
    cooling_off_days: int
    insurer_notice_days: int
    no_refund_if: tuple[str, ...]  # kinds of recorded event that mean no refund: claim, incident, total_loss
    box_return_days: int | None = None  # FEE-5: days after cancellation to return the box
    short_period: ShortPeriodRates | None = None
    # FEE-1: a different list for a request within cooling-off (S1: within 14 days of the documents only a
    # total-loss claim forfeits the refund); None means `no_refund_if` holds in both windows.
    no_refund_within_cooling_off_if: tuple[str, ...] | None = None

    def no_refund_rules(self, within_cooling_off: bool) -> tuple[str, ...]:
        """The kinds of recorded event that forfeit the refund for a request in this window (FEE-1)."""
        if within_cooling_off and self.no_refund_within_cooling_off_if is not None:
            return self.no_refund_within_cooling_off_if
        return self.no_refund_if


@dataclass(frozen=True)
class RenewalRules:
    invitation_days_before: int
    auto_renew_default: bool
    renewable: bool = True


@dataclass(frozen=True)
class PaymentAuthorityTerms:
    """The continuous payment authority's days (PAY-3, S3): a payment is taken or paid `notice_days` calendar
    days after its written notice. (The days a customer who withdraws the authority has to pay another way are
    the clock engine's rule `billing.payment_authority_answer`, where every deadline is defined.)"""

    notice_days: int = 14


@dataclass(frozen=True)
class Term:
    unit: Literal["months", "days"]
    length: int

    def label(self) -> str:
        return f"{self.length} {self.unit}"


@dataclass(frozen=True)
class Question:
    """One risk question a product asks, beyond the vehicle and drivers: allowed values or a range."""

    name: str
    kind: Literal["choice", "integer", "money"]
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    default: str | None = None


@dataclass(frozen=True)
class Band:
    """A row of a banded table: applies where low <= value < high (either end may be open)."""

    low: Decimal | None
    high: Decimal | None
    factor: Decimal

    def matches(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)

    def label(self) -> str:
        lo = "" if self.low is None else f"{self.low}"
        hi = "" if self.high is None else f"{self.high}"
        return f"[{lo}, {hi})"


@dataclass(frozen=True)
class FactorTable:
    """A rating factor: the variable it reads and either numeric bands or exact values."""

    name: str
    variable: str
    bands: tuple[Band, ...] = ()
    values: Mapping[str, Decimal] = field(default_factory=dict)
    default: Decimal | None = None


@dataclass(frozen=True)
class NcdScale:
    """Discount by years of NCD; years above the top row take the top row (NCD-4: 5 years = 70%).
    `step_back_one_claim`/`two_claims`: years after unprotected claims (NCD-5), by years held."""

    discount_percent_by_years: Mapping[int, Decimal]
    step_back_one_claim: Mapping[int, int]
    step_back_two_claims: Mapping[int, int]
    proof_max_age_years: int = 2  # NCD-1 (S1): proof of NCD must be less than this many years old
    lapse_years: int | None = 2  # NCD earned on a policy that ended this many years ago or more has lapsed

    @property
    def max_years(self) -> int:
        return max(self.discount_percent_by_years)

    def discount_for(self, years: int) -> tuple[int, Decimal]:
        """(row used, discount percent)."""
        row = min(max(years, 0), self.max_years)
        eligible = [y for y in self.discount_percent_by_years if y <= row]
        key = max(eligible) if eligible else min(self.discount_percent_by_years)
        return key, self.discount_percent_by_years[key]

    def after_claims(self, years: int, claims: int) -> int:
        if claims <= 0:
            return years
        table = self.step_back_one_claim if claims == 1 else self.step_back_two_claims
        capped = min(years, self.max_years)
        if capped in table:
            return table[capped]
        return 0


@dataclass(frozen=True)
class RatingSpec:
    table_version: str
    base_variable: str
    base_rates: Mapping[str, Money]
    factors: tuple[FactorTable, ...]
    minimum_premium: Money
    ncd: NcdScale | None = None
    renewal_factors: tuple[FactorTable, ...] = ()


@dataclass(frozen=True)
class RetentionSchedule:
    """How long the product's records are kept (PRV-5, PRV-10, TEL-8): one rule per record category
    (see `RECORD_CATEGORIES`), each with the sentence of the notice it comes from.

    `subscriptions` is the rest of a provider's retention table when the product is one of several the
    provider sells (S0: FullCompliance, FullControl, FullForecast, and the periods each dealership sets
    for FullCycle, FullAuction and FullAppraisal): Covernote keeps no records of those products, but
    the table belongs in the record of processing and dealership settings resolve against it."""

    rules: tuple[RetentionRule, ...] = ()
    subscriptions: tuple[RetentionRule | DealershipPeriod, ...] = ()

    def rule(self, category: str) -> RetentionRule | None:
        for r in self.rules:
            if r.category == category:
                return r
        return None

    def dealership_period(self, category: str) -> DealershipPeriod | None:
        for s in self.subscriptions:
            if isinstance(s, DealershipPeriod) and s.category == category:
                return s
        return None


@dataclass(frozen=True)
class CollectedCategory:
    """A category of personal data (a `Category` value) the product collects, as its notice says."""

    category: str
    stated: str


@dataclass(frozen=True)
class StatedPurpose:
    """A purpose of processing in the words of the product's notice, with its lawful basis (a `Basis`
    value) and, where Covernote processes data for it, the data-map purpose it corresponds to."""

    key: str
    statement: str
    basis: str
    source: str
    purpose: str | None = None
    basis_stated: str = ""


@dataclass(frozen=True)
class Recipient:
    """A recipient or category of recipient named in the product's notice."""

    key: str
    name: str
    kind: str
    source: str


@dataclass(frozen=True)
class ProcessingStatement:
    """What the product's privacy notice says (PRV-1): who the controller is, which categories of
    personal data are collected, for which purposes on which basis, and who receives them. The record of
    processing joins this with the field declarations (the data map) and the retention schedule."""

    controller: str
    notice: str
    categories: tuple[CollectedCategory, ...]
    purposes: tuple[StatedPurpose, ...]
    recipients: tuple[Recipient, ...]
    product_name: str = ""  # what the notice calls the product (S0's table: "FullCover")

    def collects(self, category: str) -> bool:
        return any(c.category == category for c in self.categories)


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    version: str
    effective_from: date
    effective_to: date | None  # exclusive
    line: Line
    source: str
    insurer: str
    ipt: IptTreatment
    currency: str
    quote_validity_days: int
    max_start_days_ahead: int
    telematics: bool
    terms: tuple[Term, ...]
    covers: tuple[Cover, ...]
    extras: tuple[Extra, ...]
    fees: tuple[Fee, ...]
    questions: tuple[Question, ...]
    cancellation: CancellationRules
    renewal: RenewalRules
    rating: RatingSpec
    min_driver_age: int = 17
    max_drivers: int = 5
    retention: RetentionSchedule = RetentionSchedule()
    processing: ProcessingStatement | None = None
    carbon_offset: CarbonOffsetSpec | None = None  # ECO-1: eco products only
    finance: FinanceSpec | None = None  # PAY-1: monthly payment by premium finance; None: annual by card only
    commission: CommissionSpec | None = None  # PAY-7: the intermediary's commission on the core premium
    contacts: BrandContacts | None = None  # DOC-2: the brand and its complaint contact points
    privacy_notice: PrivacyNotice | None = None  # PRV-3: the rights, contact and regulator the notice gives
    ipid: ProductInformation | None = None  # DOC-1: the product information document's own wording
    payment_authority: PaymentAuthorityTerms = PaymentAuthorityTerms()  # PAY-3: the notice's days (S3: 14)
    arrears: ArrearsRules | None = None  # PAY-2: a returned direct debit's ladder; none, no direct debit arrears
    # TEL-3, TEL-10: the Smartbox score's versioned ruleset; set exactly when `telematics` is true
    telematics_rules: TelematicsRules | None = None

    @property
    def ref(self) -> str:
        """The product version reference recorded on every quote and policy: CODE@VERSION."""
        return f"{self.code}@{self.version}"

    def effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def fee(self, code: str) -> Fee:
        for f in self.fees:
            if f.code == code:
                return f
        raise KeyError(code)

    def fees_for(self, events: set[str]) -> tuple[Fee, ...]:
        """The fees charged for a set of events, dropping any that another charged fee replaces."""
        charged = [f for f in self.fees if f.charged_on in events]
        replaced = {code for f in charged for code in f.instead_of}
        return tuple(f for f in charged if f.code not in replaced)

    def extra(self, code: str) -> Extra | None:
        return next((e for e in self.extras if e.code == code), None)

    def question(self, name: str) -> Question | None:
        for q in self.questions:
            if q.name == name:
                return q
        return None


@dataclass(frozen=True)
class IptRate:
    treatment: IptTreatment
    effective_from: date
    rate: Decimal


@dataclass(frozen=True)
class TaxTable:
    """Insurance Premium Tax rates by treatment and date (POL-6: the rate is configuration)."""

    rates: tuple[IptRate, ...]

    def rate(self, treatment: IptTreatment, on: date) -> Decimal:
        if treatment == "exempt":
            return Decimal(0)
        candidates = [r for r in self.rates if r.treatment == treatment and r.effective_from <= on]
        if not candidates:
            raise LookupError(f"no {treatment} IPT rate in force on {on}")
        return max(candidates, key=lambda r: r.effective_from).rate

"""What the retention sweep, the dealership settings, the record of processing and an anonymised policy's
view answer (PRV-1, PRV-5). One TypedDict per shape, keys in the order the use cases build them; dates
and times are ISO 8601 strings. See `results` for the rest of the context's shapes."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - Pydantic needs both from here on 3.11

# -- the retention sweep -----------------------------------------------------------------------------------


class HeldCounts(TypedDict):
    """Records skipped because the person is under a legal hold or a fraud marker."""

    legal_hold: int
    fraud_marker: int


class RuleTally(TypedDict):
    """What one retention rule did to one kind of record."""

    rule: str
    product: str
    category: str
    period: str
    record_kind: str
    action: str
    done: int
    held: HeldCounts
    source: str


class SweepTotals(TypedDict):
    """The run's totals: done by `record_kind:action`, held by reason, and the batches that failed."""

    done: dict[str, int]
    held: HeldCounts
    errors: int


class NotHeldCategory(TypedDict):
    """A retention category of a product for which no records are held."""

    product: str
    category: str
    period: str
    note: str


class SweepError(TypedDict):
    """A batch that failed: the stage and the kind of error (never a personal value)."""

    stage: str
    error: str
    message: str | None


class SweepReport(TypedDict):
    """A sweep's report, counts only (stored with the run)."""

    as_of: str
    dry_run: bool
    batch_size: int
    totals: SweepTotals
    rules: list[RuleTally]
    fields_changed: dict[str, int]
    rows_deleted: dict[str, int]
    fields_kept: dict[str, int]
    not_held: list[NotHeldCategory]
    errors: list[SweepError]
    batches: int


class RetentionRunView(TypedDict):
    """A retention run and its report; `running` means it was stopped before it finished."""

    id: str
    as_of: str
    status: Literal["running", "finished"]
    started_at: str
    started_by: str
    finished_at: str | None
    report: SweepReport


class DryRunView(TypedDict):
    """A dry run's report: nothing was written, so there is no run."""

    id: None
    status: Literal["dry_run"]
    started_at: str
    finished_at: None
    started_by: str
    report: SweepReport


SweepAnswer = RetentionRunView | DryRunView

# -- dealership settings -----------------------------------------------------------------------------------


class RetentionExample(TypedDict):
    """When a record of an example day would be kept until under the chosen period."""

    event: str
    kept_until: str


class RetentionSettingView(TypedDict):
    """The period one dealership chose for a category (`rule` None when outside today's floor and ceiling)."""

    dealership_id: str
    category: str
    years: int
    rule: str | None
    example: RetentionExample | None
    set_at: str
    set_by: str


class DealershipCategory(TypedDict):
    """A retention category each dealership sets for itself, with its floor and ceiling."""

    category: str
    product: str
    floor_years: int
    ceiling_years: int
    rule: str
    source: str


class RetentionSettings(TypedDict):
    """The categories dealerships set, and the periods they chose."""

    categories: list[DealershipCategory]
    settings: list[RetentionSettingView]


# -- the record of processing ------------------------------------------------------------------------------


class PurposeRef(TypedDict):
    """A purpose of the data map and its lawful basis."""

    code: str
    description: str
    lawful_basis: str


class RecordField(TypedDict):
    """A stored field of a category."""

    field: str
    subject: str
    purposes: list[str]
    provided_by: str
    erasure: str


class RecordCategory(TypedDict):
    """A category of personal data the product's notice states, and the fields that hold it."""

    category: str
    stated: str
    special_category: bool
    held: bool
    note: str
    subjects: list[str]
    fields: list[RecordField]


class RecordPurpose(TypedDict):
    """A purpose the notice states, and the data-map purpose it is (None: no data is processed for it)."""

    statement: str
    lawful_basis: str
    basis_stated: str
    source: str
    covernote_purpose: PurposeRef | None
    categories: list[str]
    note: str


class DataMapPurposeUse(PurposeRef):
    """A data-map purpose the product's fields are used for, with their categories."""

    categories: list[str]


class RecordRecipient(TypedDict):
    """A recipient the notice names."""

    recipient: str
    kind: str
    source: str


class RecordRetention(TypedDict):
    """A retention rule of the product, and whether the sweep acts on its records."""

    category: str
    records: str
    trigger: str
    period: str
    action: str
    held: bool
    source: str


class RecordProduct(TypedDict):
    """The product version the record is for."""

    code: str
    version: str
    ref: str
    name: str
    line: str
    source: str
    insurer: str


class RetentionTableRow(TypedDict):
    """A row of S0's retention table."""

    product: str
    retention_period: str
    rule: str
    source: str


class DealershipChoice(TypedDict):
    """A period a dealership chose (`rule` None when outside the floor and ceiling)."""

    dealership_id: str
    category: str
    years: int
    rule: str | None


class ProductRecord(TypedDict):
    """The record of processing of one product version; the retention table and the dealership settings
    only for a product whose retention dealerships set (S0)."""

    product: RecordProduct
    controller: str
    notice: str
    categories: list[RecordCategory]
    purposes: list[RecordPurpose]
    data_map_purposes: list[DataMapPurposeUse]
    recipients: list[RecordRecipient]
    retention: list[RecordRetention]
    retention_table: NotRequired[list[RetentionTableRow]]
    dealership_settings: NotRequired[list[DealershipChoice]]


class RecordOfProcessing(TypedDict):
    """The record of processing (PRV-1), per product version."""

    generated_at: str
    products: list[ProductRecord]


# -- an anonymised policy (served by the policy context's routes) -----------------------------------------


class AnonymisedTerm(TypedDict):
    """What stays of one term of an anonymised policy."""

    term: int
    start_date: str | None
    end_date: str | None
    product: str | None
    cancelled_from: str | None
    void: bool
    premium_charged: str
    ipt_charged: str


class AnonymisedPolicy(TypedDict):
    """What stays of an anonymised policy: product, dates and amounts."""

    id: str
    number: str
    customer_id: str
    product_code: str
    status: str
    anonymised: bool
    version: int
    auto_renew: bool
    taken_out_on: str
    current_term: AnonymisedTerm | None
    terms: int
    created_at: str

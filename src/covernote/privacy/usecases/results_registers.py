"""What privacy's registers answer: legal holds, fraud markers, the disclosure register and the breach
register (PRV-6, PRV-8). One TypedDict per shape, keys in the order the use cases build them; dates and
times are ISO 8601 strings. See `results` for the rest of the context's shapes."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - Pydantic needs both from here on 3.11

from covernote.privacy.usecases.results import RecipientToTell

# -- legal holds and fraud markers ----------------------------------------------------------------------


class HoldView(TypedDict):
    """A legal hold on a customer, a policy or a claim."""

    id: str
    scope: str
    scope_id: str
    customer_id: str
    reason: str
    set_by: str
    set_at: str
    review_on: str
    active: bool
    due_for_review: bool
    released_at: str | None
    released_by: str | None
    release_reason: str | None


class HoldsReport(TypedDict):
    """The holds report: a page of holds, and how many are due for review."""

    as_of: str
    active_only: bool
    due_for_review_only: bool
    count: int
    due_for_review: int
    holds: list[HoldView]


class MarkerView(TypedDict):
    """A fraud marker against a person (staff only)."""

    id: str
    customer_id: str
    policy_id: str | None
    reason: str
    source: str
    reference: str | None
    recorded_at: str
    recorded_by: str
    active: bool
    removed_at: str | None
    removed_by: str | None
    removal_reason: str | None


class MarkerList(TypedDict):
    """A customer's fraud markers."""

    customer_id: str
    active_only: bool
    markers: list[MarkerView]


# -- disclosures ------------------------------------------------------------------------------------------


class DisclosureView(TypedDict):
    """One transfer of a person's data to a third party; the withholding fields only in staff views."""

    id: str
    customer_id: str
    policy_id: str | None
    recipient: str
    recipient_kind: str
    purpose: str
    purpose_description: str | None
    lawful_basis: str
    categories: list[str]
    disclosed_at: str
    reference: str | None
    via: str
    recorded_by: str
    withheld_from_subject: NotRequired[bool]
    withheld_reason: NotRequired[str | None]


class DisclosureList(TypedDict):
    """The register for one person, and the distinct recipients."""

    customer_id: str
    disclosures: list[DisclosureView]
    recipients: list[RecipientToTell]


# -- breaches ---------------------------------------------------------------------------------------------


class UnmappedField(TypedDict):
    """A data-map location the people affected could not be found through, and why."""

    field: str
    reason: str


class BreachScope(TypedDict):
    """How the people affected by a breach were found from the data map (stored with the breach)."""

    categories: list[str]
    product_codes: list[str]
    customer_ids: list[str]
    created_from: str | None
    created_to: str | None
    locations: list[str]
    unmapped: list[UnmappedField]


class BreachView(TypedDict):
    """A breach with its ICO deadline, the risk decision, the report and the people affected and told."""

    id: str
    title: str
    description: str
    occurred_at: str | None
    aware_at: str
    categories: list[str]
    scope: BreachScope
    risk: str
    risk_reason: str | None
    assessed_at: str | None
    assessed_by: str | None
    ico_due_at: str
    hours_left: float | None
    ico_report_required: bool | None
    ico_reported_at: str | None
    ico_reference: str | None
    reported_late: bool
    overdue: bool
    must_tell_people: bool
    affected_count: int
    notified_count: int
    still_to_tell: int
    recorded_at: str
    recorded_by: str
    closed: bool
    closed_at: str | None
    closed_by: str | None
    closure_note: str | None


class AffectedPerson(TypedDict):
    """One person affected by a breach, where their data was found, and whether they were told."""

    customer_id: str
    found_via: list[str]
    notified_at: str | None
    notified_channel: str | None
    to_tell: bool


class PageWindow(TypedDict):
    """Which page of a list is shown."""

    limit: int
    offset: int


class BreachDetail(BreachView):
    """A breach with a page of the people affected."""

    affected: list[AffectedPerson]
    affected_page: PageWindow


class BreachList(TypedDict):
    """The breach register: a page of breaches, and how many are open and overdue."""

    as_of: str
    closed_filter: bool | None
    count: int
    open: int
    overdue: int
    breaches: list[BreachView]


class BreachNotifications(TypedDict):
    """Notifications recorded: how many were newly told, how many had been already, and the breach."""

    newly_notified: int
    already_notified: int
    breach: BreachDetail

"""What the complaints use cases answer (issue 11 part 4): a complaint, the list, the letters, the codes, the
report and the eight-week job's run, as the REST routes and `covernote complaints ... --json` give them.

Each is a TypedDict (a plain dict at run time) whose keys are declared in the order the use cases build
them, which is the order they go out in JSON. Keys only staff see are `NotRequired`."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from covernote.clocks.results import DeadlineView
from covernote.documents.results import DocumentLinks, DocumentView


class Complainant(TypedDict):
    """Who complained, and where responses go."""

    name: str
    address: str
    postcode: str | None
    phone: str | None
    email: str | None


class ComplaintLetterDocument(TypedDict):
    """A letter's issued document (issue 14): its id and where it is downloaded (`GET /documents/{id}`)."""

    id: str
    links: DocumentLinks


class ComplaintLetterView(TypedDict):
    """A letter sent about a complaint (DOC-2): its kind, the format it was produced in (CMP-4) and who
    produces it, how and when it was sent; `body` (its text) when one letter is asked for."""

    id: str
    complaint_id: str
    kind: str
    title: str
    format: str
    production: str
    production_note: str | None  # for audio and Braille: the transcription provider produces it
    channel: str
    sent_at: str
    sent_by: str
    document: ComplaintLetterDocument | None  # null until issued (right after it is sent, or on listing)
    body: NotRequired[str]


class ComplaintHistoryEntry(TypedDict):
    """A step in the complaint's history (staff only)."""

    at: str
    by: str
    kind: str
    note: str


class ComplaintView(TypedDict):
    """One complaint: S3's fields, where it stands, the right to refer it to the Financial Ombudsman Service,
    its clocks (each with its working) and its letters. Staff also see the root-cause note and the history."""

    id: str
    kind: str
    kind_name: str
    team: str
    team_name: str
    status: str
    description: str
    complainant: Complainant
    policy_number: str | None
    policy_id: str | None
    customer_id: str | None
    product_code: str | None
    received_via: str
    received_at: str
    nation: str
    alternative_format: str | None
    letter_format: str
    acknowledged_at: str | None
    resolved_at: str | None
    final_response_at: str | None
    outcome: str | None
    redress: str | None
    root_cause: str | None
    root_cause_name: str | None
    resolution: str | None
    eight_week_letter_at: str | None
    withdrawn_at: str | None
    withdrawal_reason: str | None
    closed_at: str | None
    fos_refer_by: str | None
    fos_referral_open: bool
    clocks: list[DeadlineView]
    letters: list[ComplaintLetterView]
    anonymised: bool
    recorded_at: str
    recorded_by: str
    version: int
    root_cause_note: NotRequired[str | None]  # staff only
    history: NotRequired[list[ComplaintHistoryEntry]]  # staff only


class RecordedComplaint(ComplaintView):
    """A complaint just recorded, with any warnings (a policy number given that is not one of ours)."""

    warnings: list[str]


class ComplaintListItem(TypedDict):
    """A complaint as the list shows it, with the state of each of its clocks by rule code."""

    id: str
    kind: str
    team: str
    status: str
    name: str
    policy_number: str | None
    received_at: str
    alternative_format: str | None
    clocks: dict[str, str]  # rule code -> state


class ComplaintList(TypedDict):
    """A page of complaints; `next_offset` is null on the last page (and absent for a customer login with no
    customer record)."""

    complaints: list[ComplaintListItem]
    next_offset: NotRequired[int | None]


class ComplaintDocuments(TypedDict):
    """A complaint's letters as issued documents (issue 14), oldest first, each with its formats' digests."""

    complaint_id: str
    documents: list[DocumentView]


class ComplaintLetters(TypedDict):
    """The letters sent about one complaint."""

    complaint_id: str
    letters: list[ComplaintLetterView]


class ComplaintCode(TypedDict):
    """A code and its name."""

    code: str
    name: str


class ComplaintKindCode(ComplaintCode):
    """A kind of complaint and the team it is routed to (CMP-1)."""

    team: str


class LetterFormatCode(ComplaintCode):
    """A letter format (CMP-4) and who produces it: `covernote` or the transcription `provider`."""

    produced_by: str


class ComplaintCodes(TypedDict):
    """The codes a complaint uses."""

    kinds: list[ComplaintKindCode]
    received_via: list[str]
    letter_channels: list[str]
    formats: list[LetterFormatCode]
    outcomes: list[ComplaintCode]
    root_causes: list[ComplaintCode]
    statuses: list[str]


class ComplaintClockFigures(TypedDict):
    """How many of a clock (acknowledgement or final response) were met on time, breached, open or stopped."""

    met_on_time: int
    breached: int
    open: int
    stopped: int


class ComplaintFigures(TypedDict):
    """Counts for a group of complaints, the redress paid, and their clocks."""

    complaints: int
    open: int
    closed: int
    withdrawn: int
    summary_resolutions: int
    final_responses: int
    eight_week_letters: int
    redress_total: str
    acknowledgement: ComplaintClockFigures
    final_response: ComplaintClockFigures


class _Product(TypedDict):
    """The product code a row of the report counts, first in the row."""

    product: str


class _Kind(TypedDict):
    """The kind a row of the report counts, first in the row."""

    kind: str


class _RootCause(TypedDict):
    """The root cause a row of the report counts, first in the row."""

    root_cause: str


class _Outcome(TypedDict):
    """The outcome a row of the report counts, first in the row."""

    outcome: str


class ComplaintsByProduct(_Product, ComplaintFigures):
    """The figures for one product code (`none` when the complaint named no policy of ours)."""


class ComplaintsByKind(_Kind, ComplaintFigures):
    """The figures for one kind of complaint."""


class ComplaintsByRootCause(_RootCause, ComplaintFigures):
    """The figures for one root cause (`none` before a response gave one)."""


class ComplaintsByOutcome(_Outcome, ComplaintFigures):
    """The figures for one outcome (summary_resolution, withdrawn, upheld...; `none` while open)."""


# "from" is a Python keyword, so the period's keys are declared the functional way.
Period = TypedDict("Period", {"as_at": str, "from": str | None, "to": str | None})


class ComplaintsReport(Period):
    """Staff's report of the complaints received in [from, to) (UK dates; null when open-ended): the totals,
    and the figures per product, kind, root cause and outcome."""

    total: ComplaintFigures
    by_product: list[ComplaintsByProduct]
    by_kind: list[ComplaintsByKind]
    by_root_cause: list[ComplaintsByRootCause]
    by_outcome: list[ComplaintsByOutcome]


class EightWeekLetterSent(TypedDict):
    """An eight-week letter the job sent."""

    complaint_id: str
    letter_id: str
    format: str
    channel: str


class EightWeekFailure(TypedDict):
    """A complaint whose eight-week letter failed, and why."""

    complaint_id: str
    error: str
    message: str


class EightWeekLetters(TypedDict):
    """A run of the eight-week job: the letters sent, the summary resolution windows closed, the failures."""

    as_at: str
    sent: list[EightWeekLetterSent]
    summary_windows_closed: int
    errors: list[EightWeekFailure]

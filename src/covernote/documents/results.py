"""The shapes the document use cases answer with (DOC-1, CMP-4): a policy's documents with each format's
digest, a downloaded file, the print queue and the issuing job's report. TypedDicts, so they are plain
dicts at run time and FastAPI describes them in the OpenAPI document; a file's bytes come in a dataclass."""

from __future__ import annotations

from dataclasses import dataclass

from typing_extensions import TypedDict


class DocumentFormatView(TypedDict):
    """One format of a document as issued: its media type and the SHA-256 of its bytes."""

    format: str
    media_type: str
    sha256: str
    created_at: str


class DocumentedTransaction(TypedDict):
    """The policy transaction a document documents: its id, kind and the day it took effect."""

    id: str
    kind: str
    effective_date: str


class DocumentLinks(TypedDict):
    """Where the document is downloaded (`GET /documents/{id}`) in each format, and large print."""

    pdf: str
    html: str
    txt: str
    pdf_large: str
    html_large: str


class DocumentView(TypedDict):
    """A document as issued: what it belongs to (`owner_kind`: policy, complaint or data_request, and its id),
    what it documents (`transaction`: the policy transaction, or null for a renewal notice, which documents a
    renewal invitation, and for a letter), the template and product versions that made it, its formats (pdf,
    html, txt; pdf_large and html_large once asked for) and their download links."""

    id: str
    owner_kind: str
    owner_id: str
    policy_id: str | None
    kind: str
    title: str
    subject: str
    transaction: DocumentedTransaction | None
    term: int | None
    template: str
    template_version: str
    product: str | None
    created_at: str
    formats: list[DocumentFormatView]
    links: DocumentLinks


class DocumentList(TypedDict):
    """A policy's documents, oldest first; `issued_now` says how many this request issued, `due` how many more
    the policy's history calls for that are not issued yet (the daily job issues them, or the next listing)."""

    policy_id: str
    number: str
    documents: list[DocumentView]
    issued_now: int
    due: int


@dataclass(frozen=True)
class DocumentFile:
    """A document's bytes in one format, exactly as stored, with their SHA-256 and a file name."""

    document_id: str
    format: str
    media_type: str
    filename: str
    sha256: str
    content: bytes


class Addressee(TypedDict):
    """Where a paper copy goes: the policyholder's name and address on record now."""

    name: str
    address: str
    postcode: str


class PrintRequestView(TypedDict):
    """A paper copy asked for and how far the print room has got with it."""

    id: str
    document_id: str
    document_title: str
    document_kind: str
    owner_kind: str
    owner_id: str
    policy_id: str | None
    customer_id: str
    large_print: bool
    status: str
    requested_at: str
    requested_by: str
    printed_at: str | None
    posted_at: str | None
    cancelled_at: str | None
    addressee: Addressee | None


class PrintQueue(TypedDict):
    """Paper copies asked for, oldest first, with where each goes."""

    items: list[PrintRequestView]
    limit: int
    offset: int


class PaperCopies(TypedDict):
    """The paper copies asked for of a policy's documents, oldest first, with how far each has got."""

    policy_id: str
    items: list[PrintRequestView]


class IssueRun(TypedDict):
    """The issuing job's report: policies looked at, documents issued, and the policies that failed with why."""

    policies: int
    issued: int
    failed: dict[str, str]

"""The port for issued documents (DOC-1): each document once, its renditions' bytes with their SHA-256, and
the paper copies asked for (the print queue). Documents and renditions are only ever added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from covernote.documents.domain import Invitation


@dataclass(frozen=True)
class Rendition:
    """One format of a document as issued: its bytes and their SHA-256. `format` is pdf, html or txt, or
    pdf_large / html_large for the large-print variant (CMP-4), made from the stored HTML on first request."""

    format: str
    media_type: str
    sha256: str
    content: bytes | None  # None once erased or anonymised (PRV-4, PRV-5)
    created_at: datetime
    template_version: str


@dataclass(frozen=True)
class IssuedDocument:
    """A document as issued: what it documents, which template and product version made it, and when."""

    document_id: str
    policy_id: str | None  # a policy's documents only
    customer_id: str | None  # none for a letter to a complainant who is not a customer
    kind: str
    subject: str  # the transaction or renewal invitation it documents, or which letter it is
    term_no: int | None
    title: str
    template: str
    template_version: str
    product_ref: str | None
    created_at: datetime
    created_by: str
    renditions: tuple[Rendition, ...] = ()
    owner_kind: str = "policy"  # policy, complaint or data_request (documents/domain.py OWNER_KINDS)
    owner_id: str = ""  # the policy, complaint or request it belongs to

    def rendition(self, fmt: str) -> Rendition | None:
        return next((r for r in self.renditions if r.format == fmt), None)


@dataclass(frozen=True)
class PrintRequest:
    """A paper copy asked for (DOC-1: "paper copies on request"), optionally in large print (CMP-4), and
    how far the print room has got with it."""

    request_id: str
    document_id: str
    policy_id: str | None
    customer_id: str
    large_print: bool
    status: str  # requested, printed, posted or cancelled
    requested_at: datetime
    requested_by: str
    printed_at: datetime | None = None
    printed_by: str | None = None
    posted_at: datetime | None = None
    posted_by: str | None = None
    owner_kind: str = "policy"
    owner_id: str = ""
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None


class DocumentRepository(Protocol):
    def for_policy(self, policy_id: str) -> list[IssuedDocument]:
        """The policy's documents, oldest first, with their renditions' digests but not their bytes."""
        ...
    def for_owner(self, owner_kind: str, owner_id: str) -> list[IssuedDocument]:
        """The documents of a complaint or a data subject request (or a policy), oldest first, as `for_policy`."""
        ...
    def get(self, document_id: str, fmt: str | None = None) -> IssuedDocument | None:
        """One document with its renditions' digests, and the bytes of `fmt` if given."""
        ...
    def add(self, document: IssuedDocument) -> None:
        """Store a document and its renditions; a second document of the same (owner, kind, subject)
        is refused by the database (the unit of work answers a Conflict)."""
        ...
    def add_rendition(self, document: IssuedDocument, rendition: Rendition) -> None: ...
    def renewal_invitations(self, policy_id: str) -> list[Invitation]:
        """Every renewal invitation made for the policy (open, confirmed, declined or lapsed), oldest first."""
        ...
    def policies_missing_documents(self, after_id: str | None, limit: int) -> list[str]:
        """Ids of policies with a transaction or renewal invitation that has no document yet, in id order
        after `after_id`."""
        ...
    def add_print_request(self, request: PrintRequest) -> None: ...
    def get_print_request(self, request_id: str) -> PrintRequest | None: ...
    def print_requests(self, status: str | None, policy_id: str | None, limit: int,
                       offset: int, document_id: str | None = None) -> list[PrintRequest]: ...
    def save_print_request(self, request: PrintRequest, expected_status: str) -> bool:
        """Store a request's new status if it still has `expected_status`; False if it changed meanwhile."""
        ...
    def documents_by_id(self, document_ids: Sequence[str]) -> dict[str, IssuedDocument]: ...

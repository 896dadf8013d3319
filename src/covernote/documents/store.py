"""Issued documents in SQL (DOC-1): insert-only documents and renditions, each belonging to its owner (a policy,
a complaint or a data subject request), the renewal invitations they document (read from the policy context's
pending quotes), and the print queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.documents.domain import Invitation
from covernote.documents.ports import IssuedDocument, PrintRequest, Rendition
from covernote.policy.domain.model import ANONYMISED_MARK
from covernote.store.tables import (
    document_renditions,
    documents,
    pending_quotes,
    policies,
    policy_transactions,
    print_requests,
)

d, r, pr = documents, document_renditions, print_requests
# The transactions that call for a document (documents/domain.py due_documents).
DOCUMENTED_KINDS = ("new_business", "renewal", "mta", "cancellation")
_DIGEST_COLUMNS = (r.c.document_id, r.c.format, r.c.media_type, r.c.sha256, r.c.created_at, r.c.template_version)


class DocumentRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _renditions(self, ids: Sequence[str], fmt: str | None) -> dict[str, list[Rendition]]:
        out: dict[str, list[Rendition]] = {}
        if not ids:
            return out
        content = sa.case((r.c.format == fmt, r.c.content), else_=sa.null()) if fmt else sa.null()
        rows = self.conn.execute(sa.select(*_DIGEST_COLUMNS, content.label("content"))
                                 .where(r.c.document_id.in_(ids)).order_by(r.c.document_id, r.c.format))
        for x in rows:
            out.setdefault(x.document_id, []).append(Rendition(
                x.format, x.media_type, x.sha256, None if x.content is None else bytes(x.content), x.created_at,
                x.template_version))
        return out

    def _documents(self, where: Any, fmt: str | None = None) -> list[IssuedDocument]:
        rows = list(self.conn.execute(d.select().where(where).order_by(d.c.created_at, d.c.term_no, d.c.id)))
        renditions = self._renditions([x.id for x in rows], fmt)
        return [IssuedDocument(x.id, x.policy_id, x.customer_id, x.kind, x.subject, x.term_no, x.title, x.template,
                               x.template_version, x.product_ref, x.created_at, x.created_by,
                               tuple(renditions.get(x.id, [])), x.owner_kind, x.owner_id) for x in rows]

    def for_policy(self, policy_id: str) -> list[IssuedDocument]:
        return self.for_owner("policy", policy_id)

    def for_owner(self, owner_kind: str, owner_id: str) -> list[IssuedDocument]:
        return self._documents(sa.and_(d.c.owner_kind == owner_kind, d.c.owner_id == owner_id))

    def get(self, document_id: str, fmt: str | None = None) -> IssuedDocument | None:
        found = self._documents(d.c.id == document_id, fmt)
        return found[0] if found else None

    def documents_by_id(self, document_ids: Sequence[str]) -> dict[str, IssuedDocument]:
        if not document_ids:
            return {}
        return {x.document_id: x for x in self._documents(d.c.id.in_(list(document_ids)))}

    def add(self, doc: IssuedDocument) -> None:
        self.conn.execute(d.insert(), dict(
            id=doc.document_id, owner_kind=doc.owner_kind, owner_id=doc.owner_id, policy_id=doc.policy_id,
            customer_id=doc.customer_id, kind=doc.kind,
            subject=doc.subject, term_no=doc.term_no, title=doc.title, template=doc.template,
            template_version=doc.template_version, product_ref=doc.product_ref, created_at=doc.created_at,
            created_by=doc.created_by))
        for rendition in doc.renditions:
            self.add_rendition(doc, rendition)

    def add_rendition(self, doc: IssuedDocument, x: Rendition) -> None:
        assert x.content is not None
        self.conn.execute(r.insert(), dict(
            document_id=doc.document_id, format=x.format, owner_kind=doc.owner_kind, owner_id=doc.owner_id,
            policy_id=doc.policy_id, customer_id=doc.customer_id,
            media_type=x.media_type, sha256=x.sha256, size=len(x.content), content=x.content,
            template_version=x.template_version, created_at=x.created_at))

    def renewal_invitations(self, policy_id: str) -> list[Invitation]:
        q = pending_quotes
        rows = self.conn.execute(sa.select(q.c.id, q.c.created_at, q.c.expires_at, q.c.result)
                                 .where(q.c.policy_id == policy_id, q.c.kind == "renewal")
                                 .order_by(q.c.created_at, q.c.id))
        return [Invitation(x.id, x.created_at, x.expires_at, dict(x.result or {})) for x in rows]

    def policies_missing_documents(self, after_id: str | None, limit: int) -> list[str]:
        t, q = policy_transactions, pending_quotes
        undocumented = ~sa.exists().where(d.c.subject == t.c.id)
        txns = sa.select(t.c.policy_id.label("pid")).where(t.c.kind.in_(DOCUMENTED_KINDS), undocumented)
        invites = sa.select(q.c.policy_id.label("pid")).where(q.c.kind == "renewal",
                                                              ~sa.exists().where(d.c.subject == q.c.id))
        missing = sa.union(txns, invites).subquery()
        query = (sa.select(missing.c.pid).join(policies, policies.c.id == missing.c.pid)
                 .where(~policies.c.number.startswith(ANONYMISED_MARK)))
        if after_id is not None:
            query = query.where(missing.c.pid > after_id)
        return list(self.conn.execute(query.order_by(missing.c.pid).limit(limit)).scalars())

    # -- the print queue ----------------------------------------------------------------------------------

    def add_print_request(self, x: PrintRequest) -> None:
        self.conn.execute(pr.insert(), _print_values(x))

    def get_print_request(self, request_id: str) -> PrintRequest | None:
        row = self.conn.execute(pr.select().where(pr.c.id == request_id)).first()
        return None if row is None else _print(row)

    def print_requests(self, status: str | None, policy_id: str | None, limit: int,
                       offset: int, document_id: str | None = None) -> list[PrintRequest]:
        query = pr.select()
        if document_id is not None:
            query = query.where(pr.c.document_id == document_id)
        if status is not None:
            query = query.where(pr.c.status == status)
        if policy_id is not None:
            query = query.where(pr.c.policy_id == policy_id)
        rows = self.conn.execute(query.order_by(pr.c.requested_at, pr.c.id).limit(limit).offset(offset))
        return [_print(x) for x in rows]

    def save_print_request(self, x: PrintRequest, expected_status: str) -> bool:
        done = self.conn.execute(pr.update().where(pr.c.id == x.request_id, pr.c.status == expected_status)
                                 .values(_print_values(x)))
        return bool(done.rowcount == 1)


def _print_values(x: PrintRequest) -> dict[str, Any]:
    return dict(id=x.request_id, document_id=x.document_id, policy_id=x.policy_id, customer_id=x.customer_id,
                large_print=x.large_print, status=x.status, requested_at=x.requested_at,
                requested_by=x.requested_by, printed_at=x.printed_at, printed_by=x.printed_by,
                posted_at=x.posted_at, posted_by=x.posted_by, owner_kind=x.owner_kind, owner_id=x.owner_id,
                cancelled_at=x.cancelled_at, cancelled_by=x.cancelled_by)


def _print(x: Any) -> PrintRequest:
    return PrintRequest(x.id, x.document_id, x.policy_id, x.customer_id, bool(x.large_print), x.status,
                        x.requested_at, x.requested_by, x.printed_at, x.printed_by, x.posted_at, x.posted_by,
                        x.owner_kind, x.owner_id, x.cancelled_at, x.cancelled_by)


__all__ = ["DocumentRepo"]

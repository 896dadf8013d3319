"""The shapes billing's use cases and routes answer with (typed for mypy and the OpenAPI document)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from covernote.ledger.results import PaymentResult


class NoticeView(TypedDict):
    """A notice of a payment under the continuous payment authority (PAY-3): the amount taken from (`charge`)
    or paid to (`refund`) the card named, on `due_on`, 14 days after the letter was sent (`sent_on`)."""

    id: str
    policy_id: str
    transaction_id: str
    kind: str
    amount: str
    card: str
    card_brand: str
    card_last4: str
    sent_on: str | None
    due_on: str
    status: str
    document_id: str | None
    receipt_reference: str | None
    reason: str | None
    summary: str


class Settlement(PaymentResult):
    """How a policy transaction's money was settled: taken or refunded now (`settled`), notified to be taken or
    paid later (`notified`, with the notice), left owing (`outstanding`), or nothing to pay."""

    notice: NotRequired[NoticeView]
    summary: NotRequired[str]


class AuthorityView(TypedDict):
    """A policy's continuous payment authority: in force, or withdrawn and by when to pay another way."""

    policy_id: str
    in_force: bool
    granted_at: str | None
    withdrawn_at: str | None
    withdrawn_by: str | None
    answer_by: str | None
    owed: str
    letter_document_id: str | None
    cancellation_due_on: str | None
    explanation: list[str]


class PolicyNotices(TypedDict):
    """A policy's notices, oldest first, and its authority."""

    policy_id: str
    authority: AuthorityView
    notices: list[NoticeView]


class NoticeFailure(TypedDict):
    notice_id: str
    policy_id: str
    reason: str


class NoticeRun(TypedDict):
    """The daily notice step: letters sent, payments taken and refunds paid on their due day, failures (left
    owing, for arrears), payments the provider could not answer (tried again next run), and the policies whose
    answer period ran out after a withdrawn authority (their cancellation asked for)."""

    as_of: str
    letters_sent: int
    taken: int
    paid: int
    failed: list[NoticeFailure]
    unavailable: list[NoticeFailure]
    cancellations_due: list[str]

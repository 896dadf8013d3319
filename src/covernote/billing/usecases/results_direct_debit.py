"""The shapes direct debit's use cases answer (PAY-6): typed for mypy and OpenAPI, dicts at run time."""

from __future__ import annotations

from typing_extensions import TypedDict


class MandateView(TypedDict):
    id: str
    policy_id: str
    plan_id: str
    reference: str
    status: str
    account_ending: str | None
    lodged_entry_on: str | None
    reason_report: str | None
    reason_code: str | None
    reason: str | None
    updated_at: str


class CollectionView(TypedDict):
    id: str
    policy_id: str
    instalment_id: str
    mandate_id: str
    attempt: int
    transaction_code: str
    amount: str
    due_on: str
    processing_on: str
    entry_on: str
    status: str
    journal_entry_id: str | None
    reversal_entry_id: str | None


class ReturnView(TypedDict):
    id: str
    kind: str
    reference: str
    reason_code: str
    reason: str
    re_presentable: bool
    policy_id: str | None
    mandate_id: str | None
    collection_id: str | None
    amount: str | None
    original_processing_on: str | None
    effective_on: str | None
    status: str
    created_at: str


class NoticeView(TypedDict):
    id: str
    policy_id: str
    instalment_id: str
    amount: str
    collect_on: str
    notified_on: str
    document_id: str | None


class PolicyDirectDebit(TypedDict):
    policy_id: str
    mandates: list[MandateView]
    notices: list[NoticeView]
    collections: list[CollectionView]
    returns: list[ReturnView]


class LodgeResult(TypedDict):
    as_of: str
    mandates_created: int
    mandates_activated: int
    submission_id: str | None
    bureau_reference: str | None
    lodged: int
    status: str  # submitted, nothing, unavailable (rerun), rejected
    message: str | None


class NoticesResult(TypedDict):
    as_of: str
    notice_working_days: int
    plans: int
    notices: int
    letters: int


class CollectionRunResult(TypedDict):
    as_of: str
    input_on: str | None
    processing_on: str | None
    entry_on: str | None
    submission_id: str | None
    bureau_reference: str | None
    collected: int
    total: str
    status: str  # submitted, nothing, not_a_working_day, unavailable (rerun), rejected
    message: str | None


class ReportsResult(TypedDict):
    as_of: str
    files: int
    already_processed: int
    returns: int
    mandate_changes: int
    unmatched: int

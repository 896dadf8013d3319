"""Direct debit records as billing keeps them (PAY-6): a mandate, a collection (one presentation of one
instalment), an advance notice, a return or mandate change from a Bacs report. Values only; the rules are in
`bacs.py`, the storage in `store/direct_debit.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

MandateStatus = Literal["pending", "lodged", "active", "suspended", "cancelled", "rejected"]
LIVE_MANDATE: tuple[MandateStatus, ...] = ("pending", "lodged", "active")
COLLECTABLE_MANDATE: tuple[MandateStatus, ...] = ("lodged", "active")

# The ledger accounts of a collection. The payer's bank pays on the entry day and Bacs credits the service user's
# account with the file's contra the same day; an unpaid debit comes back later (ARUDD) and is reclaimed from that
# account. So the collection is posted when it is presented, as paid, and reversed if it is returned, the way the
# bank account moves: a posting "in transit" until the return window passes would show money as not received that
# the bank statement already shows as received. The instalments repay the customer's premium-finance agreement,
# so what is collected is held for the finance provider (a credit balance, paid over to it), not the insurer's
# income; it is kept off the `finance:` accounts, which the reconciliation checks against the agreements.
BACS_CASH = "cash:bacs"
INSTALMENTS_RECEIVABLE = "billing:direct-debits-collected"

# A collection's `attempt`: the instalment's first presentation, its re-presentation (Bacs code 18, after a "refer to
# payer" return), and the charge for its return, presented as an item of its own on the re-presentation's date
# (S1: "the new date that we will take the direct debit payment and the £20 charge"). Unique per instalment: nothing
# is presented twice.
FIRST_ATTEMPT, RE_PRESENTATION_ATTEMPT, CHARGE_ATTEMPT = 1, 2, 3


@dataclass(frozen=True)
class Mandate:
    mandate_id: str
    policy_id: str
    plan_id: str
    customer_id: str
    reference: str
    status: MandateStatus
    account_holder: str | None  # sealed tokens, as stored
    sort_code: str | None
    account_number: str | None
    account_ending: str | None
    lodged_entry_on: date | None
    reason_report: str | None
    reason_code: str | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class Collection:
    collection_id: str
    instalment_id: str
    attempt: int
    policy_id: str
    mandate_id: str
    submission_id: str
    transaction_code: str
    amount_pence: int
    due_on: date
    processing_on: date
    entry_on: date
    status: Literal["presented", "returned", "withdrawn"]
    journal_entry_id: str | None
    reversal_entry_id: str | None
    created_at: datetime
    re_present_on: date | None = None  # a returned ARUDD 0 collection: when it is to be presented again


@dataclass(frozen=True)
class Submission:
    submission_id: str
    kind: Literal["lodgement", "collection"]
    serial: str
    input_on: date
    processing_on: date
    entry_on: date
    status: Literal["building", "sending", "submitted", "rejected"]
    record_count: int
    total_pence: int
    sha256: str | None
    bureau_reference: str | None
    rejection: str | None
    created_at: datetime
    submitted_at: datetime | None


@dataclass(frozen=True)
class AdvanceNotice:
    notice_id: str
    instalment_id: str
    policy_id: str
    mandate_id: str
    amount_pence: int
    collect_on: date
    notified_on: date
    document_id: str | None  # the schedule letter that notified it
    created_at: datetime


@dataclass(frozen=True)
class DdReturn:
    """One item of a Bacs report as recorded: an ARUDD return against its collection, or an ADDACS/AUDDIS change
    to a mandate. `status`: recorded, handled (its consequences applied) or unmatched (no such reference here)."""

    return_id: str
    report_id: str
    kind: Literal["ARUDD", "ADDACS", "AUDDIS"]
    reference: str
    reason_code: str
    mandate_id: str | None
    policy_id: str | None
    collection_id: str | None
    amount_pence: int | None
    original_processing_on: date | None
    effective_on: date | None
    status: Literal["recorded", "handled", "unmatched"]
    created_at: datetime
    handled_at: datetime | None


@dataclass(frozen=True)
class DueInstalment:
    """An instalment of a direct debit plan, with its live mandate: what notices and collection runs work on."""

    instalment_id: str
    plan_id: str
    policy_id: str
    customer_id: str
    sequence: int
    last_sequence: int
    due_on: date
    amount_pence: int
    mandate_id: str
    mandate_reference: str
    lodged_entry_on: date | None
    collect_on: date | None = None  # from its advance notice, once sent
    returned_collection_id: str | None = None  # a re-presentation: the returned collection it presents again


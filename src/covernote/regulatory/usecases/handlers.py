"""What regulatory reporting does when other contexts announce a change (kernel/events.py); registered
in covernote.bootstrap. Each runs in the announcing unit of work, so the report is stored with the
change that owes it or not at all."""

from __future__ import annotations

from covernote.claims.domain import ClaimNotified
from covernote.kernel.clock import london_date
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.regulatory.usecases.cue import report_claim_to_cue, report_incident
from covernote.regulatory.usecases.fraud import fraud_check
from covernote.regulatory.usecases.mid import record_mid_update


def update_mid(ctx: AppContext, uow: UnitOfWork, event: PolicyTransactionRecorded) -> None:
    """REG-1: the MID update a bind, vehicle or driver change, renewal, cancellation or voidance owes,
    with its 7-day clock (record_mid_update decides which transactions owe one)."""
    record_mid_update(ctx, uow, event.policy, event.txn)


def report_recorded_incident(ctx: AppContext, uow: UnitOfWork, event: PolicyTransactionRecorded) -> None:
    """REG-2: an incident recorded on a policy is reported to the Claims and Underwriting Exchange."""
    if event.txn.kind == "incident":
        report_incident(ctx, uow, event.policy, event.txn)


def report_notified_claim(ctx: AppContext, uow: UnitOfWork, event: ClaimNotified) -> None:
    """REG-2: every claim notified goes to the claims exchange (S3), after the claim and its incident
    transaction are written."""
    claim = event.claim
    policy = uow.policies.get(claim.policy_id)
    assert policy is not None
    report_claim_to_cue(ctx, uow, policy=policy, occurred_on=london_date(claim.occurred_at), kind="claim",
                        claim_type=claim.claim_type, total_loss=claim.total_loss, reference=claim.claim_id,
                        claim_id=claim.claim_id, transaction_id=claim.incident_transaction_id,
                        recorded_by=claim.notified_by)


def check_claimant(ctx: AppContext, uow: UnitOfWork, event: ClaimNotified) -> None:
    """REG-3: the fraud check at claim. A match refuses nothing: it is marked and goes to staff review."""
    claim = event.claim
    fraud_check(ctx, uow, "claim", claim.customer_id, claim.policy_id, claim.claim_id, checked_by=claim.notified_by)

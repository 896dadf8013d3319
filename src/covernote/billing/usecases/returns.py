"""A direct debit collection returned unpaid (PAY-2, FEE-2, PAY-6): `handle_return`, which the Bacs report processing
(`direct_debit.process_reports`) calls for each return it records, in the same unit of work; `take_step` for a
returned collection given as `billing.ports.ReturnedCollection`.

The first return of an instalment opens an arrears case: the product's charge for a returned direct debit is
recorded as a policy transaction (kind `returned_dd`, its fee on the transaction as every fee is, so the
ledger's reconciliation checks it) and posted to the policy's account in the ledger; then the letter with the
new collection date and the charge (a "refer to payer" return), or the request to pay by card (a return that
may not be presented again). A return of the re-presentation moves the case to the request to pay by card. Each
step starts its clock. The letters are issued once the caller's unit of work has committed
(`billing/usecases/arrears.py issue_letters`, run by the daily step)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain import bacs
from covernote.billing.domain.arrears import Stage
from covernote.billing.domain.direct_debit import (
    CHARGE_ATTEMPT,
    FIRST_ATTEMPT,
    RE_PRESENTATION_ATTEMPT,
    Collection,
    DdReturn,
)
from covernote.billing.ports import ReturnedCollection
from covernote.billing.results import HandledReturn
from covernote.billing.usecases import plans
from covernote.billing.usecases.arrears import case_view, product_of, rules_of
from covernote.billing.usecases.arrears_steps import calendar_for, record_step
from covernote.kernel.clock import london_date
from covernote.kernel.errors import NotFound
from covernote.kernel.ids import new_id
from covernote.kernel.journal import reversal_of
from covernote.kernel.money import Money
from covernote.ledger.usecases import transaction_entry
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction

log = logging.getLogger(__name__)

SYSTEM_ACTOR = Actor("system", "admin")


def take_step(ctx: AppContext, uow: UnitOfWork, dd_return: ReturnedCollection,
              collect_on: date | None = None) -> HandledReturn:
    """Take the ladder's step for one returned collection, in the caller's unit of work (PAY-2). `collect_on`: the
    re-presentation's date when the Bacs side set it. The same return handled again (its `return_id`) answers the
    step already taken and changes nothing. A return for an instalment whose case is already past its
    re-presentation changes nothing either (logged): the customer has been asked to pay by card already."""
    done = uow.arrears.step_for_return(dd_return.return_id)
    if done is not None:
        case = uow.arrears.get(done.case_id)
        assert case is not None
        return {"case": case_view(case, uow.arrears.steps([case.case_id])), "step": done.step.kind.value,
                "already_handled": True}
    policy = uow.policies.get(dd_return.policy_id)
    if policy is None:
        raise NotFound("no such policy", [])
    today = ctx.today()
    case = uow.arrears.open_for_instalment(policy.policy_id, dd_return.instalment_id)
    if case is None:
        case, step = _open(ctx, uow, policy, dd_return, collect_on)
        uow.arrears.add(case)
    elif case.stage is Stage.REPRESENTATION:
        case, step = ladder.ask_for_card(rules_of(product_of(ctx, policy)), case, today)
        case = uow.arrears.update(case)
    else:
        log.warning("return %s of instalment %s: its arrears case %s is already at %s; nothing to do",
                    dd_return.return_id, dd_return.instalment_id, case.case_id, case.stage.value)
        return {"case": case_view(case, uow.arrears.steps([case.case_id])), "step": "none", "already_handled": True}
    record_step(ctx, uow, policy, case, step, dd_return.return_id)
    return {"case": case_view(case, uow.arrears.steps([case.case_id])), "step": step.kind.value,
            "already_handled": False}


def _open(ctx: AppContext, uow: UnitOfWork, policy: Policy, dd_return: ReturnedCollection,
          collect_on: date | None) -> tuple[ladder.ArrearsCase, ladder.Step]:
    """A new case: the return recorded on the policy with the product's charge for it, posted to the ledger."""
    product = product_of(ctx, policy)
    rules = rules_of(product)
    today = ctx.today()
    term = policy.term()
    txn_id = new_id("txn")
    fees = tuple(FeeLine.from_fee(f, term.term_no, today, txn_id) for f in product.fees_for({rules.fee_event}))
    txn = PolicyTransaction(
        txn_id, policy.policy_id, policy.next_sequence(), term.term_no, "returned_dd", today, ctx.clock.now(),
        SYSTEM_ACTOR, f"Direct debit returned unpaid (reason code {dd_return.reason_code})", Money.zero(),
        Money.zero(), fees, (), {"return_id": dd_return.return_id, "instalment_id": dd_return.instalment_id,
                                 "amount": dd_return.amount.to_str(), "reason_code": dd_return.reason_code,
                                 "returned_on": dd_return.returned_on.isoformat(),
                                 "re_presentable": dd_return.re_presentable, "product": product.ref})
    policy.version = uow.policies.append(policy, [txn], policy.version)
    policy.transactions.append(txn)
    uow.publish(PolicyTransactionRecorded(policy, txn))
    entry = transaction_entry(ctx, uow, policy, txn, f"Returned direct debit charge on {policy.number}")
    if entry is not None:  # FEE-2: the charge owed on the policy's account, collected with the re-presentation
        uow.ledger.add(entry)
    fee = sum((f.amount for f in fees), Money.zero())
    return ladder.open_case(
        rules, case_id=new_id("arr"), policy_id=policy.policy_id, customer_id=policy.customer_id,
        instalment_id=dd_return.instalment_id, amount=dd_return.amount, fee=fee, reason_code=dd_return.reason_code,
        re_presentable=dd_return.re_presentable, handled_on=today, transaction_id=txn_id,
        calendar=calendar_for(uow, policy), now=ctx.clock.now(), collect_on=collect_on)


# -- the Bacs return (issue 15 part 2's direct debit) ------------------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """A returned collection as the ladder reads it (billing/ports.py ReturnedCollection)."""

    return_id: str
    policy_id: str
    instalment_id: str
    amount: Money
    reason_code: str
    re_presentable: bool
    returned_on: date


def handle_return(ctx: AppContext, uow: UnitOfWork, dd_return: DdReturn) -> HandledReturn | None:
    """Apply an ARUDD return recorded against its collection (`dd_return.collection_id` set), in the caller's unit
    of work: its money undone (`reverse_return`), then the ladder's step (`step_for_return`). None for an item
    that names no collection (ADDACS, AUDDIS). The report processing (`direct_debit.process_reports`) calls the two
    halves itself: every return of a report undone first, then the steps."""
    collection = reverse_return(ctx, uow, dd_return)
    return None if collection is None else step_for_return(ctx, uow, dd_return, collection)


def reverse_return(ctx: AppContext, uow: UnitOfWork, dd_return: DdReturn) -> Collection | None:
    """The money of a returned collection undone, in the caller's unit of work: its ledger entry reversed (the
    amount is owed again), the collection marked returned and, for an instalment's presentation, the instalment
    too (owed outside the schedule: finance.PlanPosition.returned); the return marked handled; an open arrears
    case no longer counts it as collected. The collection, or None for an item that names none."""
    if dd_return.collection_id is None:
        return None
    [collection] = uow.direct_debit.collections(ids=[dd_return.collection_id])
    now = ctx.clock.now()
    reversal_id = None
    if collection.journal_entry_id is not None:
        entry = uow.ledger.get(collection.journal_entry_id)
        if entry is not None and uow.ledger.reversal_of(entry.entry_id) is None:
            reversal = reversal_of(entry, new_id("je"), now,
                                   f"direct debit returned unpaid (ARUDD {dd_return.reason_code})")
            uow.ledger.add(reversal)
            reversal_id = reversal.entry_id
    uow.direct_debit.mark_collection(collection.collection_id, "returned", reversal_id)
    if collection.attempt != CHARGE_ATTEMPT:
        uow.direct_debit.set_instalment_status([collection.instalment_id], "returned")
    uow.direct_debit.mark_return(dd_return.return_id, "handled", now)
    if collection.attempt != CHARGE_ATTEMPT and plans.plan_settled(uow, collection.instalment_id):
        # the plan was settled while the collection was in flight: what it left unpaid is the settlement's arrears
        policy = uow.policies.get(collection.policy_id)
        assert policy is not None
        plans.settle_returned(ctx, uow, policy, collection.instalment_id,
                              "returned after the plan was settled: owed on the policy's account")
        return collection
    case = uow.arrears.open_for_instalment(collection.policy_id, collection.instalment_id)
    amount = Money.from_pence(collection.amount_pence)
    if case is not None and collection.attempt == CHARGE_ATTEMPT:
        uow.arrears.update(ladder.collection_returned(case, fee=amount))
    elif case is not None and collection.attempt == RE_PRESENTATION_ATTEMPT:
        uow.arrears.update(ladder.collection_returned(case, instalment=amount))
    return collection


def step_for_return(ctx: AppContext, uow: UnitOfWork, dd_return: DdReturn, collection: Collection
                    ) -> HandledReturn | None:
    """The ladder's step for a return whose money `reverse_return` undid. A "refer to payer" return of a first
    presentation is planned to be presented again (Bacs' rules, `bacs.re_presentation`, with the product's notice),
    and the letter gives that date; any other return, a returned re-presentation or charge, or one too late to
    re-present asks for payment by card (once per case: a second return of the same case takes no second step)."""
    policy = uow.policies.get(collection.policy_id)
    assert policy is not None
    product = product_of(ctx, policy)
    if product.arrears is None:
        log.warning("return %s: product %s has no arrears ladder", dd_return.return_id, product.ref)
        return None
    if collection.attempt != CHARGE_ATTEMPT:
        row = uow.plans.instalment(collection.instalment_id)
        if row is not None and row.status == "cancelled":
            return None  # settled by `reverse_return` (its plan was settled): nothing for the ladder to recover
    today = ctx.today()
    amount = Money.from_pence(collection.amount_pence)
    returned_on = london_date(dd_return.created_at)
    if collection.attempt == CHARGE_ATTEMPT:  # the charge for an earlier return: its case goes on, none is opened
        if uow.arrears.open_for_instalment(collection.policy_id, collection.instalment_id) is None:
            log.warning("return %s: the charge collected for instalment %s came back after its case closed; it stays "
                        "owed on the policy's account", dd_return.return_id, collection.instalment_id)
            return None
        return take_step(ctx, uow, Returned(dd_return.return_id, collection.policy_id, collection.instalment_id,
                                            amount, dd_return.reason_code, False, returned_on))
    collect_on = None
    reason = bacs.ARUDD_REASONS.get(dd_return.reason_code)
    first_return = uow.arrears.open_for_instalment(collection.policy_id, collection.instalment_id) is None
    if reason is not None and reason.re_presentable and collection.attempt == FIRST_ATTEMPT and first_return:
        plan = bacs.re_presentation(bacs.bacs_calendar(), dd_return.reason_code, collection.processing_on, today,
                                    notice_working_days=product.arrears.representation_working_days)
        if plan.entry_day is not None:
            uow.direct_debit.set_re_presentation(collection.collection_id, plan.entry_day)
            collect_on = plan.entry_day
    returned = Returned(dd_return.return_id, collection.policy_id, collection.instalment_id, amount,
                        dd_return.reason_code, collect_on is not None, returned_on)
    return take_step(ctx, uow, returned, collect_on)

"""A direct debit collection returned unpaid (PAY-2, FEE-2, PAY-6): `handle_return`, which the Bacs side calls for
each return it stores, in its own unit of work.

The first return of an instalment opens an arrears case: the product's charge for a returned direct debit is
recorded as a policy transaction (kind `returned_dd`, its fee on the transaction as every fee is, so the
ledger's reconciliation checks it) and posted to the policy's account in the ledger; then the letter with the
new collection date and the charge (a "refer to payer" return), or the request to pay by card (a return that
may not be presented again). A return of the re-presentation moves the case to the request to pay by card. Each
step starts its clock. The letters are issued once the caller's unit of work has committed
(`billing/usecases/arrears.py issue_letters`, run by the daily step)."""

from __future__ import annotations

import logging
from datetime import date

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain.arrears import Stage
from covernote.billing.ports import ReturnedCollection
from covernote.billing.results import HandledReturn
from covernote.billing.usecases.arrears import calendar_for, case_view, product_of, record_step, rules_of
from covernote.kernel.errors import NotFound
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.ledger.usecases import transaction_entry
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction

log = logging.getLogger(__name__)

SYSTEM_ACTOR = Actor("system", "admin")


def handle_return(ctx: AppContext, uow: UnitOfWork, dd_return: ReturnedCollection) -> HandledReturn:
    """Take the ladder's step for one returned collection, in the caller's unit of work (PAY-2): `take_step`."""
    return take_step(ctx, uow, dd_return)


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

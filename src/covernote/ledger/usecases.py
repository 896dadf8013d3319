"""The ledger's use cases: post a transaction's money, take or return it through the payment port,
show a policy's account, reverse an entry, and reconcile everything (PAY-5)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations
from typing import Literal

from covernote.claims import domain as claim_rules
from covernote.extras import domain as extras
from covernote.extras.usecases import record_lines
from covernote.identity.usecases import Principal, require_admin, require_staff
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    NotFound,
    PaymentRequired,
    ServiceUnavailable,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.kernel.journal import (
    CASH,
    COMMISSION_EARNED,
    COMMISSION_WITHHELD,
    IPT,
    PREMIUM,
    RECEIVABLE,
    JournalEntry,
    Posting,
    StatementLine,
    account_totals,
    balanced_entry,
    charge_lines,
    commission_lines,
    correction_of,
    reversal_of,
    statement,
)
from covernote.kernel.money import Money, MoneyError, sum_money
from covernote.ledger.ports import PaymentDeclined, PaymentUnavailable
from covernote.ledger.results import (
    AwaitingCorrection,
    EntryView,
    OutstandingBalance,
    PaymentResult,
    Reconciliation,
    ReconciliationProblem,
    StatementView,
)
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, PolicyTransaction
from covernote.policy.domain.term import ipt_on
from covernote.policy.usecases.lookup import load_policy
from covernote.policy.usecases.views import money
from covernote.privacy.usecases.disclosures import record_payment_disclosure


def transaction_entry(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction,
                      description: str) -> JournalEntry | None:
    """The entry posting the transaction's premium, IPT, fees and optional extras (each extra's premium, IPT
    and commission on its own accounts) against the customer's account; None when it charges nothing.
    The extras' lines are recorded here; the entry is the caller's to post. The intermediary's commission
    on the core premium (PAY-7) is posted with it as a pair that leaves the customer's account unchanged."""
    fees = [(f.code, f.name, f.amount) for f in txn.fees_charged] + [
        (f.code, f"{f.name} refunded", -f.amount) for f in txn.fees_refunded]
    extra_lines = record_lines(uow, policy, txn)
    return balanced_entry(new_id("jnl"), ctx.clock.now(), description, policy.policy_id, txn.transaction_id,
                          charge_lines(txn.premium, txn.ipt, fees) + extras.postings(extra_lines)
                          + core_commission_lines(ctx, policy, txn), RECEIVABLE, "amount due for " + description)


# -- PAY-7 (issue 15): the intermediary's commission on the core premium ----------------------------------
# The rule is the product's (`products/domain/commission_spec.py`): a term earns round_half_up(rate x its net
# premium written) once, and each transaction the change in it. Posted with the transaction's entry
# (`transaction_entry`) and checked by `reconcile`; billing's commission use cases read it back.


def transaction_commission(ctx: AppContext, policy: Policy, txn: PolicyTransaction) -> tuple[Money, str]:
    """The commission on the core premium `txn` earns (negative: returned) and the insurer that pays it;
    zero where the term's product pays none. `txn` may or may not be in `policy.transactions` yet."""
    if txn.premium.is_zero():
        return Money.zero(txn.premium.currency), ""
    ref = txn.details.get("product") if txn.kind in ("new_business", "renewal") else None
    product = ctx.catalogue.by_ref(str(ref) if ref else policy.term(txn.term_no).product_ref)
    if product.commission is None:
        return Money.zero(txn.premium.currency), product.insurer
    before = sum_money([t.premium for t in policy.transactions
                        if t.term_no == txn.term_no and t.sequence < txn.sequence
                        and t.transaction_id != txn.transaction_id], txn.premium.currency)
    return product.commission.change(before, before + txn.premium), product.insurer


def core_commission_lines(ctx: AppContext, policy: Policy, txn: PolicyTransaction) -> list[Posting]:
    commission, insurer = transaction_commission(ctx, policy, txn)
    return [] if commission.is_zero() else commission_lines(commission, insurer)


def expected_core_commission(ctx: AppContext, terms: Sequence[tuple[str, int, int, str | None]]) -> dict[str, int]:
    """policy id -> the commission on the core premium its terms should have posted, in pence: for each
    term (policy id, term, net premium pence, product ref), the product's rate x the term's premium."""
    out: dict[str, int] = {}
    for pid, _term, premium, ref in terms:
        product = None if ref is None else ctx.catalogue.by_ref(ref)
        if product is None or product.commission is None:
            continue
        out[pid] = out.get(pid, 0) + product.commission.on_term(Money.from_pence(premium)).pence
    return out


def collect(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction, amount: Money, description: str,
            key: str, on_decline: Literal["fail", "leave_outstanding"] = "fail",
            posting_first: Sequence[JournalEntry] = ()) -> PaymentResult:
    """Take `amount` from (or, if negative, return it to) the policy's payment token and post it, after
    `posting_first` (the charge it pays), in one write.

    `key` must be the same on every retry of the same request (the client's idempotency key with the
    operation's scope): the provider then answers a retry with the first receipt, so money taken before
    a failed commit is never taken again when the client retries."""
    if amount.is_zero():
        uow.ledger.add_many(posting_first)
        return {"kind": "none", "amount": "0.00", "status": "nothing to pay"}
    try:
        if amount > Money.zero():
            receipt = ctx.payments.charge(policy.payment_token, amount, description, f"{key}:charge")
        else:
            receipt = ctx.payments.refund(policy.payment_token, -amount, description, f"{key}:refund")
    except PaymentDeclined as exc:
        if on_decline == "leave_outstanding":
            uow.ledger.add_many(posting_first)
            return {"kind": "charge", "amount": amount.to_str(), "status": "declined: left outstanding on the account",
                    "reason": str(exc)}
        raise PaymentRequired(f"the payment provider declined: {exc}") from exc
    except PaymentUnavailable as exc:
        raise ServiceUnavailable(f"the payment provider did not answer: {exc}; nothing was changed, retry") from exc
    if receipt.kind == "charge":
        lines = [Posting(CASH, amount, f"card payment {receipt.reference}")]
        what = "Payment received"
    else:
        lines = [Posting(CASH, amount, f"refund {receipt.reference}")]
        what = "Refund paid"
    entry = balanced_entry(new_id("jnl"), ctx.clock.now(), f"{what}: {description}", policy.policy_id,
                           txn.transaction_id, lines, RECEIVABLE, f"{what.lower()} {receipt.reference}")
    assert entry is not None
    uow.ledger.add_many([*posting_first, entry])
    # The provider now holds this payment about the person: the disclosure register records it with the
    # ledger posting, in the same unit of work (PRV-6).
    record_payment_disclosure(uow, customer_id=policy.customer_id, policy_id=policy.policy_id,
                              receipt_reference=receipt.reference, recorded_by=txn.actor.user_id,
                              at=ctx.clock.now())
    return {"kind": receipt.kind, "amount": (-amount if receipt.kind == "refund" else amount).to_str(),
            "reference": receipt.reference, "token": receipt.token, "status": "settled"}


def charge_and_collect(ctx: AppContext, uow: UnitOfWork, policy: Policy, txn: PolicyTransaction, description: str,
                       key: str, on_decline: Literal["fail", "leave_outstanding"] = "fail") -> PaymentResult:
    """Post the transaction and take (or return) what it leaves owing: the charge and the payment are
    written together once the provider has answered (a decline that fails writes neither)."""
    entry = transaction_entry(ctx, uow, policy, txn, description)
    due = Money.zero() if entry is None else entry.amount_on(RECEIVABLE)
    return collect(ctx, uow, policy, txn, due, description, key, on_decline, () if entry is None else (entry,))


def policy_statement(ctx: AppContext, principal: Principal, policy_id: str) -> StatementView:
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        entries = uow.ledger.for_policy(policy.policy_id)
    if not principal.is_staff:  # a claim's reserve is the insurer's estimate, not the customer's account
        entries = [e for e in entries if not claim_rules.is_claim_entry(e)]
    return statement_view(policy, entries)


def reverse_entry(ctx: AppContext, principal: Principal, entry_id: str, reason: str) -> EntryView:
    """Correct a posted entry by posting its exact opposite; the original is never changed. The correct
    entry, if one is needed, is then posted by `correct_entry` (PAY-5)."""
    require_admin(principal, "reverse ledger entries")
    if not reason.strip():
        raise ValidationFailed("a reason is required", [FieldIssue("reason", "is required")])
    with ctx.uow() as uow:
        entry = uow.ledger.get(entry_id)
        if entry is None:
            raise NotFound("no such ledger entry")
        if entry.reverses is not None:
            raise Conflict("this entry is itself a reversal; post a new entry instead")
        if claim_rules.is_claim_entry(entry) or any(claim_rules.is_claim_account(p.account) for p in entry.postings):
            raise Conflict("a claim's reserve and payments are corrected through the claim (its reserve or a "
                           "payment), not by reversing its ledger entries (CLM-4)")
        if uow.ledger.reversal_of(entry_id) is not None:
            raise Conflict("this entry has already been reversed")
        reversal = reversal_of(entry, new_id("jnl"), ctx.clock.now(), reason.strip())
        uow.ledger.add(reversal)
        uow.commit()
    return entry_view(reversal)


CORRECTABLE_ACCOUNTS = (RECEIVABLE, CASH, PREMIUM, IPT, COMMISSION_WITHHELD, COMMISSION_EARNED)
CORRECTABLE_PREFIXES = ("fees:", "extras:")
CORRECTION_LIMIT = Decimal("10000000.00")


def correct_entry(ctx: AppContext, principal: Principal, entry_id: str, reason: str,
                  lines: Sequence[tuple[str, str, str]] | None = None) -> EntryView:
    """Post the entry that replaces a reversed one (issue 13 item 12, PAY-5): a new balanced journal entry
    on the same policy and transaction, naming the entry it corrects and why. `lines` are (account,
    amount in pounds, signed: a debit positive, a credit negative, memo); None posts the original's
    postings again (the reversal was of a correct entry, or undone by mistake). Administrators only, as
    for reversals; at most one correction per reversed entry (a wrong correction is itself reversed and
    corrected)."""
    require_admin(principal, "post ledger corrections")
    issues: list[FieldIssue] = []
    if not reason.strip():
        issues.append(FieldIssue("reason", "is required"))
    postings: list[Posting] = []
    for i, (account, amount, memo) in enumerate(lines or ()):
        if not (account in CORRECTABLE_ACCOUNTS or account.startswith(CORRECTABLE_PREFIXES)):
            issues.append(FieldIssue(f"postings[{i}].account", "must be one of " + ", ".join(CORRECTABLE_ACCOUNTS)
                                     + " or start with fees: or extras: (claim accounts are corrected through "
                                       "the claim)"))
        try:
            value = Money.of(amount)
            _ = value.pence
        except (MoneyError, ValueError, ArithmeticError):
            issues.append(FieldIssue(f"postings[{i}].amount", "must be pounds and pence, signed, e.g. \"-12.50\""))
            continue
        if abs(value.amount) > CORRECTION_LIMIT:
            issues.append(FieldIssue(f"postings[{i}].amount", f"must be at most {CORRECTION_LIMIT} either way"))
            continue
        postings.append(Posting(account, value, memo.strip() or "correction"))
    if lines is not None and not issues:
        if len([p for p in postings if not p.amount.is_zero()]) < 2:
            issues.append(FieldIssue("postings", "needs at least two non-zero postings"))
        elif not (total := sum_money([p.amount for p in postings])).is_zero():
            issues.append(FieldIssue("postings", f"must balance: they sum to {total.to_str()}, not 0.00"))
    if issues:
        raise ValidationFailed("the correction cannot be posted", issues)
    with ctx.uow() as uow:
        entry = uow.ledger.get(entry_id)
        if entry is None:
            raise NotFound("no such ledger entry")
        if uow.ledger.reversal_of(entry_id) is None:
            raise Conflict("only a reversed entry can be corrected: reverse it first "
                           f"(POST /ledger/entries/{entry_id}/reversal, covernote ledger reverse)")
        if uow.ledger.correction_of(entry_id) is not None:
            raise Conflict("this entry has already been corrected; reverse that correction to correct it again")
        chosen = [p for p in postings if not p.amount.is_zero()] if lines is not None else [
            Posting(p.account, p.amount, p.memo) for p in entry.postings]
        correction = correction_of(entry, new_id("jnl"), ctx.clock.now(), reason.strip(), chosen)
        uow.ledger.add(correction)
        uow.commit()
    return entry_view(correction)


def reconcile(ctx: AppContext, principal: Principal | None = None) -> Reconciliation:
    """Check the whole ledger: every entry balances; for every policy, premium, IPT and each fee posted
    equal what its transactions charged; every term's IPT is its rate times its premium; every claim's
    reserve and payment postings equal its recorded reserve and payments (CLM-4). Lists the
    accounts with money still owed either way. Any operator can run it; it changes nothing."""
    if principal is not None:
        require_staff(principal, "run the reconciliation")
    problems: list[ReconciliationProblem] = []
    with ctx.uow(read_only=True) as uow:
        unbalanced = uow.ledger.unbalanced_entries()
        ledger_totals = uow.ledger.account_totals_by_policy()
        txn_totals = uow.transactions.totals_by_policy()
        term_totals = uow.transactions.term_totals()
        extra_totals = uow.extras.expected_accounts_by_policy()
        finance_totals = uow.plans.expected_accounts_by_policy()  # premium finance (PAY-1, PAY-7)
        commission_totals = expected_core_commission(ctx, uow.transactions.term_premiums())  # PAY-7
        claim_totals = uow.claims.ledger_check()
        claim_strays = uow.claims.stray_postings()
        awaiting = uow.ledger.awaiting_correction()
    for entry_id, pence in unbalanced:
        problems.append({"entry_id": entry_id, "problem": f"postings sum to {Money.from_pence(pence)} instead of zero"})
    outstanding: list[OutstandingBalance] = []
    waiting: list[AwaitingCorrection] = []
    for pid in sorted(set(ledger_totals) | set(txn_totals) | set(extra_totals) | set(finance_totals)):
        lt = ledger_totals.get(pid, {})
        tt = txn_totals.get(pid, {})
        expected = {PREMIUM: -tt.get("premium", 0), IPT: -tt.get("ipt", 0)}
        for k, v in tt.items():
            if k.startswith("fees:"):
                expected[k] = -v
        expected.update(extra_totals.get(pid, {}))  # each extra's premium, IPT and commission (ADD-1, PAY-7)
        # Premium finance: what the provider owes for the credit, the introduction commission, and the
        # memorandum of the customer's debt to the provider, as the accepted agreements stand (PAY-1, PAY-7).
        expected.update({k: v for k, v in finance_totals.get(pid, {}).items() if v})
        commission = commission_totals.get(pid, 0)  # PAY-7: the core premium's commission, withheld and earned
        expected.update({COMMISSION_WITHHELD: commission, COMMISSION_EARNED: -commission})
        accounts = set(expected) | {a for a in lt if a.startswith(("fees:", "extras:", "finance:"))}
        differences = [(a, lt.get(a, 0), expected.get(a, 0)) for a in sorted(accounts)
                       if lt.get(a, 0) != expected.get(a, 0)]
        # Reversals waiting for their correction (PAY-5): when the ledger agrees with the transactions once
        # some reversed entries are posted again, those are listed, not a problem. A reversal that put a
        # wrong entry right (a duplicate) leaves no difference and needs no correction.
        pending = awaiting.get(pid, {})
        if differences and pending:
            explained = _awaiting_explains(lt, expected, accounts, pending)
            if explained is not None:
                waiting.extend({"policy_id": pid, "entry_id": eid,
                                "problem": "reversed and not yet corrected: the transactions still charge what it "
                                           "posted; post the correct entry (POST /ledger/entries/"
                                           f"{eid}/correction, covernote ledger correct {eid})"}
                               for eid in explained)
                differences = []
        for account, posted, want in differences:
            problems.append({"policy_id": pid, "account": account,
                             "problem": f"ledger has {Money.from_pence(-posted)} but transactions charged "
                                        f"{Money.from_pence(-want)}"})
        balance = lt.get(RECEIVABLE, 0)
        if balance != 0:
            outstanding.append({"policy_id": pid, "balance": Money.from_pence(balance).to_str()})
    for pid, term_no, premium, ipt, rate in term_totals:
        want = ipt_on(Money.from_pence(premium), Decimal(rate)).pence
        if ipt != want:
            problems.append({"policy_id": pid, "term": term_no,
                             "problem": f"IPT charged {Money.from_pence(ipt)} is not {rate} x premium "
                                        f"{Money.from_pence(premium)} = {Money.from_pence(want)}"})
    # Claims (CLM-4): the claim accounts are outside the premium checks above; each claim's postings must
    # equal its recorded outstanding reserve and payments, and no entry outside a claim may touch them.
    for claim_id, pid, reserve, paid, on_accounts in claim_totals:
        needed = claim_rules.expected_accounts(Money.from_pence(reserve), Money.from_pence(paid))
        for account, amount in needed.items():
            if on_accounts.get(account, 0) != amount.pence:
                problems.append({"policy_id": pid, "claim_id": claim_id, "account": account,
                                 "problem": f"ledger has {Money.from_pence(on_accounts.get(account, 0))} but the claim's "
                                            f"reserve {Money.from_pence(reserve)} and payments "
                                            f"{Money.from_pence(paid)} need {amount}"})
    for entry_id, account, pence in claim_strays:
        problems.append({"entry_id": entry_id, "account": account,
                         "problem": f"{Money.from_pence(pence)} on a claim account in an entry of no claim"})
    return {
        "checked_at": ctx.clock.now().isoformat(),
        "entries_unbalanced": len(unbalanced),
        "policies_checked": len(set(ledger_totals) | set(txn_totals)),
        "claims_checked": len(claim_totals),
        "problems": problems,
        "outstanding_balances": outstanding,
        "awaiting_correction": waiting,
        "ok": not problems,
    }


def _awaiting_explains(posted: dict[str, int], expected: dict[str, int], accounts: set[str],
                       pending: dict[str, dict[str, int]]) -> list[str] | None:
    """The fewest reversed, uncorrected entries (ids, sorted) whose amounts, posted again, make the
    policy's checked accounts equal what its transactions charged; None when no such set exists (tried
    among at most 10 entries; more are a problem to look at by hand)."""
    ids = sorted(pending)
    if len(ids) > 10:
        return None
    checked = {a for a in accounts | {a for e in pending.values() for a in e}
               if a in expected or a.startswith(("fees:", "extras:", "finance:"))}
    for size in range(1, len(ids) + 1):
        for chosen in combinations(ids, size):
            if all(posted.get(a, 0) + sum(pending[e].get(a, 0) for e in chosen) == expected.get(a, 0)
                   for a in checked):
                return list(chosen)
    return None


def statement_view(policy: Policy, entries: list[JournalEntry]) -> StatementView:
    lines: list[StatementLine] = statement(entries, policy.policy_id)
    totals = account_totals(entries, policy.policy_id)
    return {
        "policy_id": policy.policy_id, "number": policy.number,
        "lines": [{"posted_at": ln.posted_at.isoformat(), "entry_id": ln.entry_id, "description": ln.description,
                   "memo": ln.memo, "amount": money(ln.amount), "balance": money(ln.balance)} for ln in lines],
        "balance": money(totals.get(RECEIVABLE, Money.zero())),
        "balance_meaning": "positive: the customer owes; negative: owed to the customer",
        "accounts": {k: money(v) for k, v in sorted(totals.items())},
        "entries": [entry_view(e) for e in sorted(entries, key=lambda e: (e.posted_at, e.entry_id))],
    }


def entry_view(e: JournalEntry) -> EntryView:
    return {"id": e.entry_id, "posted_at": e.posted_at.isoformat(), "description": e.description,
            "transaction_id": e.transaction_id, "reverses": e.reverses, "corrects": e.corrects,
            "postings": [{"account": p.account, "amount": money(p.amount), "memo": p.memo} for p in e.postings]}

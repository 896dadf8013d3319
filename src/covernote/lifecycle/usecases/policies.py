"""Reading policies (with every block the contexts add) and their history; voidance; recording incidents; the auto-renew switch."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from covernote.extras import domain as dx
from covernote.identity.usecases import Principal, require_staff
from covernote.kernel.errors import Conflict, FieldIssue, IssueCollector, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.lifecycle.results import PolicyHistory, PolicySummary, PolicyView, Voided, VoidedChange
from covernote.lifecycle.usecases.views import policy_view
from covernote.ncd.usecases import policy_ncd
from covernote.platform.context import AppContext
from covernote.platform.idempotency import check_key, idempotent_change
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.codec import event_to_dict
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction, is_anonymised
from covernote.policy.results import TransactionView
from covernote.policy.usecases.lookup import balance_of, find_policy, load_policy
from covernote.policy.usecases.views import term_view, transaction_view
from covernote.privacy.usecases.retention import anonymised_policy_view
from covernote.products.domain.claim_types import CLAIM_TYPES, DEFAULT_CLAIM_TYPE, is_claim_type
from covernote.regulatory.usecases.mid import policy_mid


def get_policy(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyView:
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        balance = balance_of(uow, policy.policy_id)
        ncd = None if is_anonymised(policy) else policy_ncd(ctx, uow, policy, ctx.today())  # NCD-1
        mid = None if is_anonymised(policy) else policy_mid(ctx, uow, policy)  # REG-1: the MID status and flags
    if is_anonymised(policy):
        # What survives anonymisation is privacy's shape (PRV-5); cast, no copy.
        return cast(PolicyView, {**anonymised_policy_view(policy), "balance": balance.to_str()})
    return {**policy_view(ctx.catalogue, policy, ctx.today(), balance), "ncd": ncd, "mid": mid}


def list_policies(ctx: AppContext, principal: Principal, limit: int = 50, offset: int = 0,
                  customer_id: str | None = None) -> list[PolicySummary]:
    """Policies, newest first: a customer's own; staff see every one, or one customer's (`customer_id`, the
    back office's customer page)."""
    check_listing(limit, offset)
    customer = principal.customer_id if principal.role == "customer" else customer_id
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        policies = uow.policies.page(customer, limit, offset)
    return [_summary(p, today) for p in policies]


def _summary(p: Policy, today: date) -> PolicySummary:
    if is_anonymised(p):
        term = anonymised_policy_view(p)["current_term"] or {}
        return {"id": p.policy_id, "number": p.number, "customer_id": p.customer_id, "product_code": p.product_code,
                "status": "anonymised", "version": p.version, "start_date": term.get("start_date"),
                "end_date": term.get("end_date")}
    return {"id": p.policy_id, "number": p.number, "customer_id": p.customer_id, "product_code": p.product_code,
            "status": p.status(today), "version": p.version,
            "start_date": p.term().period.start.isoformat(), "end_date": p.term().period.end.isoformat()}


def policy_history(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyHistory:
    """Every transaction in order (who, when, why, from when, what it charged) and every term with its
    effective-dated versions and rating trace."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
    if is_anonymised(policy):
        return {"policy_id": policy.policy_id, "number": policy.number, "version": policy.version,
                "anonymised": True, "transactions": [transaction_view(t) for t in
                                                     sorted(policy.transactions, key=lambda t: t.sequence)],
                "current_term": anonymised_policy_view(policy)["current_term"]}
    return {
        "policy_id": policy.policy_id, "number": policy.number, "version": policy.version,
        "transactions": [transaction_view(t) for t in sorted(policy.transactions, key=lambda t: t.sequence)],
        "terms": [term_view(ctx.catalogue, t, with_trace=True) for t in policy.terms()],
    }


def set_auto_renew(ctx: AppContext, principal: Principal, policy_id: str, auto_renew: bool,
                   expected_version: int | None = None, *, reason: str = "",
                   idempotency_key: str | None) -> PolicyView:
    """The customer can switch automatic renewal off (POL-3), or back on. The switch is a transaction in the
    policy's history like every other change (POL-1): who, when, why, and the setting before and after;
    under an Idempotency-Key, so a retry records it once. Switching to the setting the policy already has
    records nothing. The answer is the policy, with `transaction_id` when a switch was recorded."""
    check_key(idempotency_key)
    why = reason.strip()

    def run(uow: UnitOfWork, _payment_key: str) -> dict[str, Any]:  # idempotent_change stores and replays JSON
        policy = load_policy(uow, principal, policy_id)
        product = ctx.catalogue.by_ref(policy.term().product_ref)
        if auto_renew and not product.renewal.renewable:
            raise ValidationFailed("this product does not renew", [FieldIssue("auto_renew", "product is not renewable")])
        version = expected_version if expected_version is not None else policy.version
        if version != policy.version:
            raise Conflict(f"the policy is at version {policy.version}, not {version}",
                           [FieldIssue("version", f"expected version {version}")])
        if policy.auto_renew == auto_renew:
            return {"policy_id": policy.policy_id, "transaction_id": None}
        txn = PolicyTransaction(
            new_id("txn"), policy.policy_id, policy.next_sequence(), policy.term().term_no, "auto_renew",
            ctx.today(), ctx.clock.now(), Actor(principal.user_id, principal.role),
            why or f"automatic renewal switched {'on' if auto_renew else 'off'}", Money.zero(), Money.zero(), (), (),
            {"auto_renew": auto_renew, "was": policy.auto_renew}, idempotency_key)
        uow.policies.append(policy, [txn], version, auto_renew=auto_renew)
        policy.transactions.append(txn)
        uow.publish(PolicyTransactionRecorded(policy, txn))
        return {"policy_id": policy.policy_id, "transaction_id": txn.transaction_id}

    done = idempotent_change(ctx.uow, principal.user_id, "auto_renew", idempotency_key,
                             {"policy": policy_id, "auto_renew": auto_renew, "version": expected_version,
                              "reason": why}, run)
    view = get_policy(ctx, principal, policy_id)
    if done.get("transaction_id"):
        view["transaction_id"] = done["transaction_id"]
    return view


def void_policy(ctx: AppContext, principal: Principal, policy_id: str, *, reason: str,
                idempotency_key: str | None) -> Voided:
    """Void the current term for fraud: treated as never having existed; the premium paid is kept (POL-4)."""
    require_staff(principal, "void a policy")
    key = check_key(idempotency_key)
    if not reason.strip():
        raise ValidationFailed("a reason is required", [FieldIssue("reason", "say what fraud was found")])
    def run(uow: UnitOfWork, payment_key: str) -> dict[str, Any]:  # idempotent_change stores and replays JSON
        policy = load_policy(uow, principal, policy_id)
        today = ctx.today()
        terms = [t for t in policy.terms() if not t.voided]
        # The term on cover (or the latest, if none is) and every term after it: a renewal already
        # accepted is void too.
        current = [t for t in terms if t.period.end > today] or terms[-1:]
        if not current:
            raise Conflict("the policy is already void")
        now = ctx.clock.now()
        txns = []
        for i, term in enumerate(current):
            txns.append(PolicyTransaction(
                new_id("txn"), policy.policy_id, policy.next_sequence() + i, term.term_no, "voidance",
                term.period.start, now, Actor(principal.user_id, principal.role), reason.strip(), Money.zero(),
                Money.zero(), (), (),
                {"premium_kept": True, "rule": "POL-4: on voidance for fraud the insurer keeps the premium paid"},
                key))
        txn = txns[0]
        uow.policies.append(policy, txns, policy.version, auto_renew=False)
        for pending in uow.pending.open_for(policy.policy_id, "renewal") + uow.pending.open_for(policy.policy_id, "mta") \
                + uow.pending.open_for(policy.policy_id, "cancellation"):
            uow.pending.set_status(pending.pending_id, "declined")
        policy.transactions.extend(txns)
        for voided in txns:
            uow.publish(PolicyTransactionRecorded(policy, voided))  # REG-1: the MID removes the void cover
        change: VoidedChange = {"policy_id": policy.policy_id, "status": "void", "transaction": transaction_view(txn),
                                "terms_voided": [t.term_no for t in current]}
        return cast(dict[str, Any], change)

    return cast(Voided, idempotent_change(ctx.uow, principal.user_id, "void", idempotency_key,
                                          {"policy": policy_id, "reason": reason}, run))


def record_incident(ctx: AppContext, principal: Principal, policy_id: str, *, kind: str, occurred_on: date,
                    total_loss: bool = False, reference: str = "", description: str = "",
                    claim_type: str = DEFAULT_CLAIM_TYPE) -> TransactionView:
    """Record that a claim was made, or an incident that may lead to one (FEE-1 needs to know), with its
    type: windscreen or glass, legal-expenses uninsured-loss, breakdown and key cover claims do not
    affect NCD (NCD-2); without a type a claim is `other` and does. Breakdown, key cover and legal-expenses
    uninsured-loss claims are made under an optional extra, so they are recorded only when the policy had
    that extra on cover on `occurred_on` (NCD-2, FEE-1, ADD-1)."""
    require_staff(principal, "record incidents")
    issues = IssueCollector()
    if kind not in ("claim", "incident"):
        issues.add("kind", "must be claim or incident")
    if not is_claim_type(claim_type):
        issues.add("claim_type", f"must be one of {', '.join(CLAIM_TYPES)}; got {claim_type!r}")
    if total_loss and kind != "claim":
        issues.add("total_loss", "only a claim can be a total loss")
    if occurred_on > ctx.today():
        issues.add("occurred_on", "cannot be in the future")
    issues.raise_if_any("the incident cannot be recorded")
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        if not policy.is_on_cover(occurred_on) and not any(
                t.period.start <= occurred_on < t.period.end for t in policy.terms()):
            raise ValidationFailed("the policy was not on cover then",
                                   [FieldIssue("occurred_on", f"{occurred_on} is outside every term")])
        term = next(t for t in policy.terms() if t.period.start <= occurred_on < t.period.end)
        term_no = term.term_no
        # NCD-2, FEE-1, ADD-1: assistance under an optional extra needs that extra on cover that day (its
        # cover ends with the term's: on cancellation, and entirely on voidance).
        covers = {code: c.removed_from(term.period.start if term.voided else term.cover_end)
                  for code, c in dx.term_extras(policy.transactions, term_no).items()}
        why = dx.claim_not_covered(claim_type, occurred_on, policy.number, ctx.catalogue.by_ref(term.product_ref),
                                   covers)
        if why is not None:
            raise ValidationFailed("the incident cannot be recorded", [FieldIssue("claim_type", why)])
        event = RecordedEvent(kind, occurred_on, total_loss, reference, claim_type)  # type: ignore[arg-type]
        txn = PolicyTransaction(new_id("txn"), policy.policy_id, policy.next_sequence(), term_no, "incident",
                                occurred_on, ctx.clock.now(), Actor(principal.user_id, principal.role),
                                description or f"{kind} recorded", Money.zero(), Money.zero(), (), (),
                                {"event": event_to_dict(event)})
        uow.policies.append(policy, [txn], policy.version)
        uow.publish(PolicyTransactionRecorded(policy, txn))  # REG-2: reported to the claims exchange
        uow.commit()
    return transaction_view(txn)

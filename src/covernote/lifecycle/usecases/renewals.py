"""Renewal (POL-3): an invitation before expiry showing last year's premium, priced no higher than the
equivalent new-business price; accepted by the customer or, with auto-renewal on, at expiry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from covernote.billing.usecases.notices import send_letters
from covernote.billing.usecases.settle import settle
from covernote.extras.usecases import (
    OfferedMemo,
    ncd_protection_view,
    protection_for_renewal,
    renewal_protection_history,
)
from covernote.extras.usecases import renewal_lines as renewal_extra_lines
from covernote.extras.usecases import renewal_offer as renewal_extras_offer
from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import Conflict, DomainError, FieldIssue, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import sum_money
from covernote.kernel.periods import Period, add_months
from covernote.lifecycle.results import (
    AutoRenewalFailure,
    AutoRenewalsRun,
    PolicyView,
    RenewalDeclined,
    RenewalInvitation,
    RenewalInvitationsRun,
    RenewalOffer,
    RenewalsOfPolicy,
)
from covernote.lifecycle.usecases.pending import open_pending, pending_view
from covernote.lifecycle.usecases.views import policy_view
from covernote.ncd.domain.proof import with_proven_ncd
from covernote.ncd.usecases import proven_for_renewal, proven_for_renewals
from covernote.platform.context import AppContext
from covernote.platform.idempotency import idempotent_change
from covernote.platform.parallel import in_processes
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.codec import rating_to_dict, risk_to_dict
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.policy.domain.fees import FeeLine
from covernote.policy.domain.model import Actor, Policy, PolicyTransaction
from covernote.policy.domain.rating import rate_renewal
from covernote.policy.domain.renewal import check_renewable, risk_for_renewal
from covernote.policy.domain.risk import validate_risk
from covernote.policy.domain.term import ipt_on
from covernote.policy.ports import PendingQuote
from covernote.policy.usecases.lookup import load_policy
from covernote.policy.usecases.pricing import segments as price_segments
from covernote.policy.usecases.views import money, segments_view
from covernote.privacy.usecases.requests import RESTRICTED, processing_allowed
from covernote.regulatory.usecases.fraud import screen_renewal, screen_renewals


def _next_period(term_period: Period) -> Period:
    start = term_period.end
    months = (term_period.end.year - term_period.start.year) * 12 + term_period.end.month - term_period.start.month
    if months >= 1 and add_months(term_period.start, months) == term_period.end:
        return Period(start, add_months(start, months))
    return Period(start, start + timedelta(days=term_period.days))


def price_renewal(ctx: AppContext, policy: Policy, today: date, proven_ncd: int | None = None,
                  offered_memo: OfferedMemo | None = None) -> RenewalOffer:
    """The renewal offer for the policy's current term, or ValidationFailed saying why there is none:
    the term must be the one on cover and inside its product's invitation window (POL-3), so renewals
    cannot be stacked ahead, each claiming a no-claims year not yet earned. `offered_memo`: a batch chunk's
    lists of extras on offer, shared by its offers that have the same (see `extras.usecases.renewal_offer`)."""
    term = policy.term()
    check_renewable(ctx.catalogue.by_ref(term.product_ref), term, today)
    period = _next_period(term.period)
    product = ctx.catalogue.in_force(policy.product_code, period.start)
    history = renewal_protection_history(policy, product, period.start)  # NCD-3: once for both below
    protection = protection_for_renewal(ctx, policy, term, product, period.start, history)  # NCD-3, NCD-4
    ncd_term, proven_note = with_proven_ncd(term, proven_ncd)  # NCD-1: proven years replace those declared
    carried = risk_for_renewal(product, ncd_term, policy.events(), protected=protection.protected)
    risk = validate_risk(product, carried.risk, period.start)
    rating, enbp = rate_renewal(product, risk, period.start, term_days=period.days)
    ipt_rate = ctx.catalogue.tax.rate(product.ipt, period.start)
    last_year = policy.charged_on_term(term.term_no)  # as recorded: last year's term is not priced again
    fees = product.fees_for({"renewal"})
    ipt = ipt_on(rating.premium, ipt_rate)
    extras = renewal_extras_offer(ctx, policy, term, product, period, carried.ncd_after, history,
                                  offered_memo)  # ADD-1
    return {
        "term": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "product": product.ref, "risk": risk_to_dict(risk), "rating": rating_to_dict(rating),
        "last_year_premium": money(last_year.premium), "last_year_ipt": money(last_year.ipt),
        "last_year_total": money(last_year.total),
        "premium": money(rating.premium), "ipt_rate": str(ipt_rate), "ipt": money(ipt),
        "equivalent_new_business_premium": money(enbp.premium),
        "fees": [{"code": f.code, "name": f.name, "amount": money(f.amount)} for f in fees],
        "total": money(rating.premium + ipt + sum_money([f.amount for f in fees]) + extras["extras_total"]),
        "auto_renew": policy.auto_renew,
        "ncd": {"before": carried.ncd_before, "after": carried.ncd_after, "claims_in_term": carried.claims_in_term},
        "ncd_protection": ncd_protection_view(ctx, term, product, carried, protection),  # NCD-3, NCD-4
        "extras": extras["extras"], "extras_available": extras["extras_available"],
        "explanation": [*proven_note, *carried.explanation, protection.reason, *extras["extras_explanation"],
                        f"Renewal premium {money(rating.premium)}; the equivalent new-business premium is "
                        f"{money(enbp.premium)} and the renewal never exceeds it (POL-3).",
                        f"Last year's premium was {money(last_year.premium)}."],
    }


def _as_of(ctx: AppContext, as_of: date | None) -> date:
    """A job may be replayed for a past day, never run for a future one (that would renew early)."""
    today = ctx.today()
    if as_of is not None and as_of > today:
        raise ValidationFailed("a job cannot run for a future day", [FieldIssue("as_of", f"must be {today} or earlier")])
    return as_of or today


def _expiry(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _invitation(ctx: AppContext, policy: Policy, offer: RenewalOffer, created_by: str) -> PendingQuote:
    return PendingQuote(new_id("ren"), policy.policy_id, "renewal", policy.version,
                        {"term_no": policy.term().term_no + 1}, cast(dict[str, Any], offer), ctx.clock.now(),
                        _expiry(date.fromisoformat(offer["term"]["start"])), created_by)


def _invite(ctx: AppContext, uow: UnitOfWork, policy: Policy, created_by: str, today: date) -> PendingQuote:
    offer = price_renewal(ctx, policy, today, proven_for_renewal(ctx, uow, policy))
    screen_renewal(ctx, uow, created_by, policy)  # REG-3: a match means no invitation
    return _invitation(ctx, policy, offer, created_by)


def _invite_many(ctx: AppContext, uow: UnitOfWork, policies: Sequence[Policy], created_by: str,
                 today: date) -> dict[str, PendingQuote | DomainError]:
    """`_invite` of each policy of a batch's chunk, by policy id: its invitation, or the DomainError `_invite`
    raises for it. The chunk's NCD proofs (NCD-1) and customers are read, and its fraud checks (REG-3) asked
    and written, in one statement each whatever the chunk's size."""
    proven = proven_for_renewals(ctx, uow, policies)
    out: dict[str, PendingQuote | DomainError] = {}
    offers: list[tuple[Policy, RenewalOffer]] = []
    memo: OfferedMemo = {}  # the chunk's offers share their lists of extras available
    for policy in policies:
        try:
            offers.append((policy, price_renewal(ctx, policy, today, proven[policy.policy_id], memo)))
        except DomainError as exc:
            out[policy.policy_id] = exc
    screened = screen_renewals(ctx, uow, created_by, [policy for policy, _ in offers])  # a match: no invitation
    for (policy, offer), outcome in zip(offers, screened, strict=True):
        out[policy.policy_id] = outcome if isinstance(outcome, DomainError) else _invitation(ctx, policy, offer,
                                                                                             created_by)
    return out


RESTRICTED_REASON = "the customer has restricted the processing of their data (UK GDPR art. 18)"


def invite_renewal(ctx: AppContext, principal: Principal, policy_id: str) -> RenewalInvitation:
    """Make (or return the open) renewal invitation for one policy."""
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        existing = [p for p in uow.pending.open_for(policy.policy_id, "renewal") if p.expires_at > ctx.clock.now()
                    and p.policy_version == policy.version]
        if existing:
            return cast(RenewalInvitation, pending_view(existing[0]))  # the offer as stored
        processing_allowed(uow, policy.customer_id, "invite a renewal")
        pending = _invite(ctx, uow, policy, principal.user_id, ctx.today())
        uow.pending.add(pending)
        uow.commit()
    return cast(RenewalInvitation, pending_view(pending))  # the offer as stored


def _due(ctx: AppContext, *, policy: Policy, today: date) -> bool:
    """The policy (read without an open invitation for its version) is to be invited today: in force,
    renewable, and inside its product's invitation window."""
    term = policy.term()
    product = ctx.catalogue.by_ref(term.product_ref)
    return not (term.voided or term.cancelled_from is not None
                or not product.renewal.renewable
                or term.period.end - timedelta(days=product.renewal.invitation_days_before) > today)


INVITATIONS_TASK = "renewal invitations: policies looked at"
AUTO_RENEWALS_TASK = "auto-renewals: policies renewed or failed"


@dataclass
class _Tally:
    """What a run (or one key range of it) did: invited, skipped and refused, with the refusals' reasons in
    the order first met."""

    invited: int = 0
    skipped: int = 0
    refused: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def looked_at(self) -> int:
        return self.invited + self.skipped + self.refused

    def refuse(self, reason: str) -> None:
        self.refused += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def add(self, other: _Tally) -> None:
        self.invited, self.skipped = self.invited + other.invited, self.skipped + other.skipped
        self.refused += other.refused
        for reason, n in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + n


def _invite_range(ctx: AppContext, today: date, window_end: date, user_id: str, batch_size: int,
                  key_range: tuple[str | None, str | None], progress: Callable[[int], None] | None = None) -> _Tally:
    """Invite the due policies whose ids are in the key range (after the first, up to the second included;
    None: unbounded), `batch_size` at a time, one unit of work each; `progress` hears the policies looked at
    after each."""
    after, through = key_range
    tally = _Tally()
    while True:
        with ctx.uow() as uow:
            # Policies already holding an open invitation for their version are not loaded nor priced (a
            # daily run finds most of the window invited the day before): the page gives only their
            # customers, and they count as looking at them did (skipped, or refused when restricted).
            page = uow.policies.ending_page(today, window_end, after, batch_size, "renewal", through)
            batch, last = page.policies, page.size < batch_size
            restricted = uow.requests.flagged_customer_ids(list({*(p.customer_id for p in batch), *page.held_by}),
                                                           RESTRICTED)
            for customer_id in page.held_by:
                if customer_id in restricted:
                    tally.refuse(RESTRICTED_REASON)
                else:
                    tally.skipped += 1
            if page.last_id is None:
                break
            after = page.last_id
            if batch:  # not every policy of the page already invited
                made = _invite_many(ctx, uow, [p for p in batch if p.customer_id not in restricted
                                               and _due(ctx, policy=p, today=today)],
                                    user_id, today)
                new: list[PendingQuote] = []
                for policy in batch:  # counted in the chunk's order, as the policies were looked at
                    if policy.customer_id in restricted:
                        tally.refuse(RESTRICTED_REASON)
                        continue
                    invitation = made.get(policy.policy_id)
                    if invitation is None:
                        tally.skipped += 1
                    elif isinstance(invitation, DomainError):
                        tally.refuse(invitation.message)
                    else:
                        new.append(invitation)
                uow.pending.add_many(new)
                uow.commit()
                tally.invited += len(new)
        if progress is not None:
            progress(tally.looked_at)
        if last:
            break  # the last chunk: asking for the next would find none
    return tally


def _key_ranges(ids: Sequence[str], size: int) -> list[tuple[str | None, str | None]]:
    """Disjoint key ranges of about `size` policies each, covering every id: (after, through], the first
    open below and the last open above (a policy added to the window meanwhile still falls in one)."""
    bounds = [ids[i] for i in range(size - 1, len(ids) - 1, size)]  # the last id of each range but the last
    return list(zip([None, *bounds], [*bounds, None], strict=True))


def run_renewal_invitations(ctx: AppContext, as_of: date | None = None, batch_size: int = 500,
                            principal: Principal = SYSTEM, progress: Progress = no_progress,
                            workers: int | None = None) -> RenewalInvitationsRun:
    """Invite every renewable policy whose term ends within its product's invitation window. Idempotent:
    a policy with an open invitation for its current version is skipped. One unit of work per batch;
    `progress` hears the policies looked at after each.

    `workers` (None: `ctx.batch_workers`, which is 1 on SQLite) > 1: the window is split into disjoint key ranges of
    `batch_size * 4` policies run by that many forked processes, so no two workers ever look at the same
    policy, and each range's counts are added up in the ranges' order: the same result as one process. A run
    stopped part-way leaves finished batches invited; running it again skips them."""
    require_staff(principal, "run renewal invitations")
    today = _as_of(ctx, as_of)
    horizon = max((p.renewal.invitation_days_before for p in ctx.catalogue.products), default=0)
    window_end = today + timedelta(days=horizon + 1)
    progress(INVITATIONS_TASK, 0)
    workers = ctx.batch_workers if workers is None else workers
    ranges: list[tuple[str | None, str | None]] = [(None, None)]
    if workers > 1:
        with ctx.uow(read_only=True) as uow:
            ranges = _key_ranges(uow.policies.ending_ids(today, window_end), batch_size * _BATCHES_PER_RANGE)
    if len(ranges) == 1:
        tally = _invite_range(ctx, today, window_end, principal.user_id, batch_size, ranges[0],
                              lambda done: progress(INVITATIONS_TASK, done))
    else:
        tally = _Tally()
        for part in in_processes(_invite_range, (ctx, today, window_end, principal.user_id, batch_size), ranges,
                                 min(workers, len(ranges))):
            tally.add(part)
            progress(INVITATIONS_TASK, tally.looked_at)
    result: RenewalInvitationsRun = {"as_of": today.isoformat(), "invited": tally.invited, "skipped": tally.skipped,
                                     "not_invited": tally.refused, "not_invited_reasons": tally.reasons}
    return result


_BATCHES_PER_RANGE = 4  # a worker's range: a few batches, so the ranges even out between the workers


def confirm_renewal(ctx: AppContext, principal: Principal, policy_id: str, pending_id: str,
                    idempotency_key: str | None, extras: Sequence[str] | None = None) -> PolicyView:
    """Accept the renewal. `extras`: the optional extras to renew with, chosen from the invitation's
    `extras_available` (None keeps those carried forward; () renews with none)."""
    request: dict[str, Any] = {"policy": policy_id, "quote": pending_id}
    if extras is not None:
        request["extras"] = list(extras)
    done = cast(PolicyView, idempotent_change(
        ctx.uow, principal.user_id, "renew", idempotency_key, request,
        lambda uow, payment_key: cast(dict[str, Any], _renew(ctx, uow, principal, policy_id, pending_id, payment_key,
                                                             extras))))
    if principal.user_id != SYSTEM.user_id:  # the auto-renewal batch leaves its letters to the daily notice step
        send_letters(ctx, policy_id)  # PAY-3: the written notice of the renewal premium, and when it is taken
    return done


def _renew(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy_id: str, pending_id: str,
           payment_key: str, extras: Sequence[str] | None = None) -> PolicyView:
    policy = load_policy(uow, principal, policy_id)
    processing_allowed(uow, policy.customer_id, "renew the policy")
    pending = open_pending(ctx, uow, policy, pending_id, "renewal")
    offer = pending.result
    term = policy.term()
    if term.cancelled_from is not None or term.voided:
        raise Conflict("the policy is no longer in force")
    today = ctx.today()
    product = ctx.catalogue.by_ref(offer["product"])
    txn_id = new_id("txn")
    term_no = term.term_no + 1
    start = date.fromisoformat(offer["term"]["start"])
    fee_lines = tuple(FeeLine.from_fee(product.fee(f["code"]), term_no, today, txn_id) for f in offer["fees"])
    from covernote.kernel.money import Money

    details = {"product": offer["product"], "term": offer["term"], "risk": offer["risk"], "ipt_rate": offer["ipt_rate"],
               "rating": offer["rating"], "concluded_on": today.isoformat(), "documents_on": today.isoformat(),
               "renewal_quote_id": pending_id, "last_year_premium": offer["last_year_premium"],
               "equivalent_new_business_premium": offer["equivalent_new_business_premium"], "ncd": offer["ncd"]}
    extra_lines = renewal_extra_lines(offer, extras)  # ADD-1: carried forward, or as chosen
    if extra_lines:
        details["extras"] = [x.as_dict() for x in extra_lines]
    if offer.get("ncd_protection"):
        details["ncd_protection"] = offer["ncd_protection"]  # NCD-3, NCD-4: kept or lost, and why
    txn = PolicyTransaction(txn_id, policy.policy_id, policy.next_sequence(), term_no, "renewal", start, ctx.clock.now(),
                            Actor(principal.user_id, principal.role),
                            "automatic renewal" if principal.user_id == SYSTEM.user_id else "renewal accepted",
                            Money.of(offer["premium"]), Money.of(offer["ipt"]), fee_lines, (), details, payment_key)
    policy.transactions.append(txn)
    details["versions"] = segments_view(price_segments(ctx.catalogue, policy.term()))
    uow.policies.append(policy, [txn], pending.policy_version)
    uow.pending.set_status(pending_id, "confirmed")
    uow.publish(PolicyTransactionRecorded(policy, txn))  # ECO-1 the new year's offset; REG-1 the new year on the MID
    payment = settle(ctx, uow, policy, txn, f"Renewal of {policy.number}", payment_key, occasion="renewal")
    view = policy_view(ctx.catalogue, policy, today)
    return {**view, "transaction_id": txn_id, "payment": payment}


def run_auto_renewals(ctx: AppContext, as_of: date | None = None, progress: Progress = no_progress) -> AutoRenewalsRun:
    """At expiry, renew policies that have auto-renewal on and an open invitation. The renewal premium is
    notified and taken from the card 14 days after its letter (PAY-3, the daily notice step); a renewal that
    cannot be made leaves the policy to lapse and is reported. `progress` hears each policy renewed or not."""
    today = _as_of(ctx, as_of)
    renewed, failed = 0, list[AutoRenewalFailure]()
    after: str | None = None
    progress(AUTO_RENEWALS_TASK, 0)
    while True:
        with ctx.uow(read_only=True) as uow:
            # Terms whose last day of cover is within the next three days: renewal starts when they end.
            batch = uow.policies.ending_between(today + timedelta(days=1), today + timedelta(days=4), after, 200)
            if not batch:
                break
            after = batch[-1].policy_id
            todo = []
            for policy in batch:
                if not policy.auto_renew:
                    continue
                for p in uow.pending.open_for(policy.policy_id, "renewal"):
                    if p.policy_version == policy.version:
                        todo.append((policy.policy_id, p.pending_id))
        for policy_id, pending_id in todo:
            try:
                confirm_renewal(ctx, SYSTEM, policy_id, pending_id, f"auto-renew:{pending_id}")
                renewed += 1
            except DomainError as exc:
                failed.append({"policy_id": policy_id, "reason": exc.message})
            progress(AUTO_RENEWALS_TASK, renewed + len(failed))
    result: AutoRenewalsRun = {"as_of": today.isoformat(), "renewed": renewed, "failed": failed}
    return result


def decline_renewal(ctx: AppContext, principal: Principal, policy_id: str, pending_id: str) -> RenewalDeclined:
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        pending = open_pending(ctx, uow, policy, pending_id, "renewal")
        uow.pending.set_status(pending.pending_id, "declined")
        uow.commit()
    return {"id": pending_id, "status": "declined"}


def renewal_view_for(ctx: AppContext, principal: Principal, policy_id: str) -> RenewalsOfPolicy:
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        return {"policy": policy_view(ctx.catalogue, policy, ctx.today()),
                "invitations": [cast(RenewalInvitation, pending_view(p))  # the offers as stored
                                for p in uow.pending.open_for(policy.policy_id, "renewal")]}

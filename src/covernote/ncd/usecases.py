"""No-claims discount: proof of NCD given for a quote or a policy (NCD-1), checked against every S1
condition, decided by staff where a person must look; how accepted proof feeds rating; the NCD status
every quote and policy shows; and the NCD proof letter for a customer who leaves (issue 4 parts 1, 4).

How accepted proof feeds rating (docs/ncd.md):
  * an open quote is re-rated at once on the proven years (capped at the product's `ncd_years` maximum),
    the change explained on the quote's rating (`ncd_proof`) and on the proof (`effect`); a later
    decision re-rates it again: to the latest accepted proof's years, or back to the years first declared;
  * a policy is never re-priced behind the customer's back: when its proof is rejected or shows other
    years than the policy is rated on, it is flagged for staff (`needs_review`), who correct it by a
    mid-term adjustment (customers cannot change `ncd_years` themselves); the NCD status recorded at bind
    is kept on the new-business transaction (`details.ncd`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal, cast

from covernote.documents.domain import Letter
from covernote.documents.results import DocumentFile
from covernote.documents.usecases import documents
from covernote.extras.usecases import protection_for_renewal, quote_lines
from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel.errors import (
    Conflict,
    DomainError,
    FieldIssue,
    IssueCollector,
    NotFound,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.kernel.periods import Period
from covernote.ncd.domain.proof import (
    PROOF_KINDS,
    Assessment,
    NcdProof,
    ProofState,
    check_proof,
    insurer_key,
    ncd_status,
    policy_number_key,
    rated_years,
    same_ncd,
    source_in_use,
    valid_until,
    years_at_end,
)
from covernote.ncd.ports import NcdProofRecord
from covernote.ncd.results import (
    LetterClaim,
    NcdAtBind,
    NcdCondition,
    NcdEffect,
    NcdLetter,
    NcdReview,
    NcdReviewList,
    NcdStatus,
    PolicyNcd,
    PolicyNcdView,
    ProofError,
    ProofList,
    ProofView,
    QuoteNcd,
    QuoteNcdView,
)
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.claims import claims_in
from covernote.policy.domain.codec import rating_to_dict, risk_from_dict, risk_to_dict
from covernote.policy.domain.model import Policy, Quote, is_anonymised
from covernote.policy.domain.rating import rate_for_term
from covernote.policy.domain.renewal import risk_for_renewal
from covernote.policy.domain.risk import Risk, normalise_registration, validate_risk
from covernote.policy.domain.term import TermState, ipt_on, risk_timeline
from covernote.policy.usecases.lookup import find_policy, load_policy
from covernote.privacy.usecases.requests import processing_allowed
from covernote.products.domain.claim_types import CLAIM_TYPES
from covernote.products.domain.model import Product

Decision = Literal["accept", "reject"]
MAX_YEARS_INPUT = 60


@dataclass(frozen=True)
class ProofInput:
    """What the person read off the document. Anything the document does not show is left out (None)."""

    kind: str
    insurer: str
    ncd_years: int | None = None
    ended_on: date | None = None
    registration: str | None = None
    country: str | None = None
    issued_on: date | None = None
    previous_policy_number: str | None = None

    def validated(self) -> ProofInput:
        """The input tidied (text stripped, registration normalised), or ValidationFailed naming each
        field that cannot even be recorded. What a document fails to show is not an error here: the
        proof is recorded and rejected, naming the condition (NCD-1)."""
        issues = IssueCollector()
        if self.kind not in PROOF_KINDS:
            issues.add("kind", f"must be one of {', '.join(PROOF_KINDS)}; got {self.kind!r}")
        insurer = self.insurer.strip()
        if not insurer or len(insurer) > 200:
            issues.add("insurer", "name the insurer or broker that issued the document (at most 200 characters)")
        if self.ncd_years is not None and not 0 <= self.ncd_years <= MAX_YEARS_INPUT:
            issues.add("ncd_years", f"must be from 0 to {MAX_YEARS_INPUT}")
        reg = normalise_registration(self.registration) if self.registration and self.registration.strip() else None
        if reg is not None and len(reg) > 12:
            issues.add("registration", "at most 12 characters")
        country = self.country.strip() if self.country and self.country.strip() else None
        if country is not None and len(country) > 60:
            issues.add("country", "at most 60 characters")
        number = (self.previous_policy_number.strip() if self.previous_policy_number
                  and self.previous_policy_number.strip() else None)
        if number is not None and len(number) > 40:
            issues.add("previous_policy_number", "at most 40 characters")
        issues.raise_if_any("the proof of NCD cannot be recorded")
        return replace(self, insurer=insurer, registration=reg, country=country, previous_policy_number=number)

    def domain(self) -> NcdProof:
        return NcdProof(self.kind, self.insurer, self.ncd_years, self.ended_on, self.registration, self.country,
                        self.issued_on, self.previous_policy_number)


def _domain(p: NcdProofRecord) -> NcdProof:
    return NcdProof(p.kind, p.insurer, p.ncd_years, p.ended_on, p.registration, p.country, p.issued_on,
                    p.previous_policy_number)


# -- what a quote or policy insures, and whether it is still in use -----------------------------------------


def _quote_registration(q: Quote) -> str:
    return normalise_registration(str(q.risk_details["vehicle"]["registration"]))


def _risk_on(term: TermState, day: date) -> Risk:
    """The risk the term insures on `day` (its first version before it starts, its last after it ends)."""
    timeline = risk_timeline(term.base_risk, term.period, term.adjustments)
    for period, risk in timeline:
        if period.contains(day):
            return risk
    return timeline[0][1] if day < term.period.start else timeline[-1][1]


def _policy_registration(policy: Policy, day: date) -> str:
    return normalise_registration(_risk_on(policy.term(), day).vehicle.registration)


def _registration_in_use(uow: UnitOfWork, rec: NcdProofRecord, today: date, now: datetime) -> str | None:
    """The registration of the car the quote or policy of `rec` insures, if it is still in use: an open,
    unexpired quote, or a policy pending or on cover. None when it is not in use."""
    policy_id = rec.policy_id
    if policy_id is None and rec.quote_id is not None:
        q = uow.quotes.get(rec.quote_id)
        if q is None:
            return None
        if q.status == "open":
            return _quote_registration(q) if q.expires_at > now else None
        policy_id = q.policy_id
    if policy_id is None:
        return None
    policy = uow.policies.get(policy_id)
    if policy is None or is_anonymised(policy) or policy.status(today) not in ("live", "pending"):
        return None
    return _policy_registration(policy, today)


def _in_use_elsewhere(ctx: AppContext, uow: UnitOfWork, proof: NcdProof, own_id: str | None, registration: str,
                      cover_start: date, customer_id: str) -> tuple[list[str], str]:
    """Where the same NCD is in use on a car other than `registration` for cover starting `cover_start`
    (NCD-1): ids of accepted proofs of it on other live quotes or policies, and the id of the policy in
    this system it was earned on (one of `customer_id`'s own) when that policy is still on cover then for
    another car. With the detail to add to the reason (only what the proof itself names)."""
    today, now = ctx.today(), ctx.clock.now()
    out: list[str] = []
    detail = ""
    if proof.ended_on is not None:
        uow.ncd.lock_end_date(proof.ended_on)  # two proofs of one NCD checked at once: the second waits
        for other in uow.ncd.accepted_ending_on(proof.ended_on):
            if other.proof_id == own_id or not same_ncd(_domain(other), proof):
                continue
            reg = _registration_in_use(uow, other, today, now)
            if reg is not None and reg != registration:
                out.append(other.proof_id)
    source = _source_policy(ctx, uow, proof, customer_id)
    if source is not None:
        last = source.term()
        source_reg = _policy_registration(source, min(max(cover_start, last.period.start), last.period.last_day))
        if source_in_use(source_reg, last.cover_end, registration, cover_start):
            out.append(source.policy_id)
            detail = (f": it was earned on policy {source.number}, which is still on cover for another vehicle on "
                      f"{cover_start}, when this cover starts")
    return out, detail


def _source_policy(ctx: AppContext, uow: UnitOfWork, proof: NcdProof, customer_id: str) -> Policy | None:
    """The policy in this system the NCD was earned on: the proof names its number and our insurer, and
    it is the customer's own. Another customer's policy is treated as a number this system does not hold
    (issue 13 item 10): whether it is live, or exists at all, is that other person's business, and
    telling it would make the proof an oracle for which policy numbers are live."""
    number = policy_number_key(proof.previous_policy_number)
    if number is None:
        return None
    policy = uow.policies.by_number(number)
    if policy is None or policy.customer_id != customer_id or is_anonymised(policy) or policy.term().voided:
        return None
    insurer = ctx.catalogue.by_ref(policy.term().product_ref).insurer
    return policy if insurer_key(insurer) == insurer_key(proof.insurer) else None


# -- recording a proof ----------------------------------------------------------------------------------


def _max_age(product: Product) -> int:
    return product.rating.ncd.proof_max_age_years if product.rating.ncd is not None else 2


def _check(proof: NcdProof, today: date, product: Product, in_use: list[str], detail: str = "") -> Assessment:
    lapse = product.rating.ncd.lapse_years if product.rating.ncd is not None else None
    return check_proof(proof, today, _max_age(product), bool(in_use), lapse_years=lapse, in_use_detail=detail)


def _cover_start(policy: Policy) -> date:
    """The day the cover the proof is for began: the policy's first term (the NCD held when it began)."""
    return policy.terms()[0].period.start


def _top(product: Product) -> int | None:
    """The most years the product's `ncd_years` question allows (None: no maximum)."""
    question = product.question("ncd_years")
    return int(question.maximum) if question is not None and question.maximum is not None else None


def _needs_ncd(product: Product) -> None:
    if not _has_ncd(product):
        raise ValidationFailed(f"{product.name} has no no-claims discount, so no proof of it is needed",
                               [FieldIssue("product", f"{product.ref} has no NCD scale")])


def add_quote_proof(ctx: AppContext, principal: Principal, quote_id: str, inp: ProofInput) -> ProofView:
    """Record proof of NCD for an open quote and check it (NCD-1). Accepted proof re-rates the quote on
    the proven years; a rejected one names every condition that failed."""
    inp = inp.validated()
    with ctx.uow() as uow:
        q = uow.quotes.get(quote_id)
        if q is None:
            raise NotFound("no such quote", [FieldIssue("quote_id", f"no quote {quote_id}")])
        check_customer(principal, q.customer_id, "quote")
        if q.status == "withdrawn":
            raise Conflict("the quote was withdrawn; ask for a new one", [FieldIssue("quote_id", "withdrawn")])
        if q.status != "open":
            raise Conflict(f"the quote was bound into policy {q.policy_id}: give the proof for the policy",
                           [FieldIssue("quote_id", "already bound")])
        if ctx.clock.now() >= q.expires_at:
            raise Conflict("the quote has expired; ask for a new one", [FieldIssue("quote_id", "expired")])
        product = ctx.catalogue.by_ref(q.product_ref)
        _needs_ncd(product)
        processing_allowed(uow, q.customer_id, "record proof of NCD")
        rec = _record(ctx, uow, principal, q.customer_id, inp, product, _quote_registration(q), q.period.start,
                      quote_id=q.quote_id)
        rec = _apply_to_quote(ctx, uow, q, rec)
        uow.ncd.add(rec)
        uow.commit()
    return proof_view(rec, principal)


def add_policy_proof(ctx: AppContext, principal: Principal, policy_id: str, inp: ProofInput) -> ProofView:
    """Record proof of NCD for a policy pending or on cover and check it (NCD-1). The policy is not
    re-priced: if its NCD is then not proven at the years it is rated on, it is flagged for staff."""
    inp = inp.validated()
    today = ctx.today()
    with ctx.uow() as uow:
        policy = load_policy(uow, principal, policy_id)
        if policy.status(today) not in ("live", "pending"):
            raise Conflict(f"the policy is {policy.status(today)}: proof of NCD is given for a policy pending or on "
                           "cover", [FieldIssue("policy_id", policy.status(today))])
        product = ctx.catalogue.by_ref(policy.term().product_ref)
        _needs_ncd(product)
        processing_allowed(uow, policy.customer_id, "record proof of NCD")
        rec = _record(ctx, uow, principal, policy.customer_id, inp, product, _policy_registration(policy, today),
                      _cover_start(policy), policy_id=policy.policy_id)
        uow.ncd.add(rec)
        uow.commit()
    return proof_view(rec, principal)


def _record(ctx: AppContext, uow: UnitOfWork, principal: Principal, customer_id: str, inp: ProofInput,
            product: Product, registration: str, cover_start: date, quote_id: str | None = None,
            policy_id: str | None = None) -> NcdProofRecord:
    today, now = ctx.today(), ctx.clock.now()
    proof = inp.domain()
    in_use, detail = _in_use_elsewhere(ctx, uow, proof, None, registration, cover_start, customer_id)
    result = _check(proof, today, product, in_use, detail)
    return NcdProofRecord(
        new_id("ncd"), customer_id, quote_id, policy_id, inp.kind, inp.insurer, inp.ncd_years, inp.ended_on,
        inp.registration, inp.country, inp.issued_on, inp.previous_policy_number,
        "accepted" if result.accepted else "rejected", result.as_dicts(), today, in_use, "system", now, None, None,
        now, principal.user_id)


# -- staff decisions --------------------------------------------------------------------------------------


def decide_proof(ctx: AppContext, principal: Principal, proof_id: str, decision: str, note: str) -> ProofView:
    """Staff accept or reject a proof after checking it by hand, with a note saying what they checked.
    The conditions are checked again on the day; staff may accept a proof that fails one (say why), but
    never one whose NCD is in use on another vehicle: that stays refused (NCD-1)."""
    require_staff(principal, "decide on proof of NCD")
    issues = IssueCollector()
    if decision not in ("accept", "reject"):
        issues.add("decision", f"must be accept or reject; got {decision!r}")
    if not note.strip():
        issues.add("note", "say what was checked and why")
    elif len(note) > 2000:
        issues.add("note", "at most 2000 characters")
    issues.raise_if_any("the decision cannot be recorded")
    today, now = ctx.today(), ctx.clock.now()
    with ctx.uow() as uow:
        rec = uow.ncd.get(proof_id)
        if rec is None:
            raise NotFound("no such proof of NCD", [FieldIssue("proof_id", f"no proof {proof_id}")])
        quote = uow.quotes.get(rec.quote_id) if rec.quote_id is not None else None
        bound_to = rec.policy_id or (quote.policy_id if quote is not None and quote.status == "bound" else None)
        policy = uow.policies.get(bound_to) if bound_to is not None else None
        if policy is not None:
            registration, product = _policy_registration(policy, today), ctx.catalogue.by_ref(policy.term().product_ref)
            start = _cover_start(policy)
        elif quote is not None:
            registration, product = _quote_registration(quote), ctx.catalogue.by_ref(quote.product_ref)
            start = quote.period.start
        else:
            raise Conflict("the quote this proof was given for no longer exists", [FieldIssue("proof_id", proof_id)])
        in_use, detail = _in_use_elsewhere(ctx, uow, _domain(rec), rec.proof_id, registration, start, rec.customer_id)
        result = _check(_domain(rec), today, product, in_use, detail)
        if decision == "accept" and in_use:
            raise Conflict("the same NCD is in use on another vehicle, so this proof cannot be accepted (NCD-1)",
                           [FieldIssue("proof", "the same NCD is already in use on another vehicle (NCD-1)")])
        decided = replace(rec, status="accepted" if decision == "accept" else "rejected", checks=result.as_dicts(),
                          checked_on=today, in_use_on=in_use, decided_by=principal.user_id, decided_at=now,
                          decision_note=note.strip(), effect=None)
        if policy is None and quote is not None and quote.status == "open" and now < quote.expires_at:
            others = [p for p in uow.ncd.for_quote(quote.quote_id) if p.proof_id != rec.proof_id]
            decided = _apply_to_quote(ctx, uow, quote, decided, others)
        uow.ncd.decide(decided, rec.decided_at)
        uow.commit()
    return proof_view(decided, principal)


# -- how proof feeds rating ---------------------------------------------------------------------------------


def _declared_years(q: Quote) -> int:
    basis = q.rating.get("ncd_proof") or {}
    if "declared_years" in basis:
        return int(basis["declared_years"])
    return int(q.rating.get("ncd_years", 0))


def _latest_accepted(proofs: Sequence[NcdProofRecord]) -> NcdProofRecord | None:
    accepted = sorted((p for p in proofs if p.status == "accepted"), key=lambda p: (p.decided_at, p.proof_id))
    return accepted[-1] if accepted else None


def _apply_to_quote(ctx: AppContext, uow: UnitOfWork, q: Quote, rec: NcdProofRecord,
                    others: list[NcdProofRecord] | None = None) -> NcdProofRecord:
    """Re-rate an open quote after a decision: on the latest accepted proof's years, or on the years
    first declared when no proof stands accepted. Returns `rec` with the effect recorded."""
    proofs = [*(others if others is not None else uow.ncd.for_quote(q.quote_id)), rec]
    standing = _latest_accepted(proofs)
    product = ctx.catalogue.by_ref(q.product_ref)
    declared = _declared_years(q)
    target = declared if standing is None else rated_years(standing.ncd_years or 0, _top(product))
    current = int(q.rating.get("ncd_years", 0))
    if standing is None:
        why = f"No proof of NCD stands accepted: rated on the {declared} years declared."
    else:
        why = (f"Proof {standing.proof_id} shows {standing.ncd_years} years of NCD (declared {declared}): rated on "
               f"{target} years (NCD-1)" + ("" if target == standing.ncd_years else
                                            ", the most the product's ncd_years question allows") + ".")
    if target == current:
        return replace(rec, effect={"quote_id": q.quote_id, "rerated": False, "ncd_years": current,
                                    "explanation": [why, f"The quote is already rated on {current} years: unchanged."]})
    risk = risk_from_dict(q.risk_details).with_answer("ncd_years", str(target))
    risk = validate_risk(product, risk, q.period.start)
    if q.extras:  # the extras chosen must still be allowed on the new years (NCD-3)
        try:
            quote_lines(ctx.catalogue, product, q.period, risk, [x.code for x in q.extras])
        except DomainError as exc:
            reasons = "; ".join(i.reason for i in exc.issues) or exc.message
            return replace(rec, effect={"quote_id": q.quote_id, "rerated": False, "ncd_years": current, "explanation": [
                why, f"The quote cannot be re-rated on {target} years: {reasons}. Ask for a new quote."]})
    rating = rate_for_term(product, risk, q.period.start, renewal=False, term_days=q.period.days)
    ipt = ipt_on(rating.premium, q.ipt_rate)
    lines = [why, f"Premium {q.premium.to_str()} on {current} years -> {rating.premium.to_str()} on {target} years; "
                  f"IPT {q.ipt.to_str()} -> {ipt.to_str()}."]
    rating_dict = rating_to_dict(rating)
    rating_dict["ncd_proof"] = {"declared_years": declared, "proof_id": None if standing is None else standing.proof_id,
                                "proven_years": None if standing is None else standing.ncd_years,
                                "rated_years": target, "explanation": lines}
    if not uow.ncd.reprice_quote(q.quote_id, q.premium.pence, risk_to_dict(risk), rating_dict, rating.premium.pence,
                                 ipt.pence):
        raise Conflict("the quote was bound or changed meanwhile; reload it", [FieldIssue("quote_id", q.quote_id)])
    return replace(rec, effect={"quote_id": q.quote_id, "rerated": True, "ncd_years_before": current,
                                "ncd_years": target, "premium_before": q.premium.to_str(),
                                "premium_after": rating.premium.to_str(), "ipt_before": q.ipt.to_str(),
                                "ipt_after": ipt.to_str(), "explanation": lines})


# -- the NCD status a quote or policy shows --------------------------------------------------------------------


def _states(proofs: Sequence[NcdProofRecord]) -> list[ProofState]:
    return [ProofState(p.proof_id, p.status == "accepted", p.ncd_years, f"{p.decided_at.isoformat()}|{p.proof_id}")
            for p in proofs]


def _has_ncd(product: Product) -> bool:
    return product.rating.ncd is not None and product.question("ncd_years") is not None


def _status(rated: int, proofs: Sequence[NcdProofRecord]) -> NcdStatus:
    # ncd/domain/proof.py ncd_status builds exactly these keys (the domain holds no result types)
    return cast(NcdStatus, ncd_status(rated, _states(proofs)))


def quote_ncd(ctx: AppContext, uow: UnitOfWork, q: Quote,
              proofs: Sequence[NcdProofRecord] | None = None) -> QuoteNcd | None:
    """NCD years and discount the quote is rated on, and whether that NCD is proven, rejected or declared
    (None for a product without NCD). `proofs`: the quote's proofs where the caller has them already."""
    if not _has_ncd(ctx.catalogue.by_ref(q.product_ref)):
        return None
    rated = int(q.rating.get("ncd_years", 0))
    proofs = uow.ncd.for_quote(q.quote_id) if proofs is None else proofs
    return {"ncd_years": rated, "discount_percent": q.rating.get("ncd_discount_percent"),
            "declared_years": _declared_years(q), **_status(rated, proofs),
            "proofs": [p.proof_id for p in proofs]}


def policy_ncd(ctx: AppContext, uow: UnitOfWork, policy: Policy, today: date,
               proofs: Sequence[NcdProofRecord] | None = None) -> PolicyNcd | None:
    """NCD years and discount the policy is rated on today, and whether it is proven (None for a product
    without NCD). The proof is of the NCD held when the policy began, so it is compared with the years
    of the first term; the renewal of that term starts from the proven years (with_proven_ncd).
    `proofs`: the policy's proofs (its own and its quote's) where the caller has them already."""
    terms = [t for t in policy.terms() if not t.voided] or policy.terms()
    term = next((t for t in terms if t.period.contains(today)), terms[-1] if today >= terms[-1].period.start
                else terms[0])
    product = ctx.catalogue.by_ref(term.product_ref)
    if not _has_ncd(product):
        return None
    answer = _risk_on(term, today).answer("ncd_years")
    years = int(answer) if answer is not None else 0
    discount = None if product.rating.ncd is None else str(product.rating.ncd.discount_for(years)[1])
    first = policy.term(policy.terms()[0].term_no)
    first_answer = _risk_on(first, min(max(today, first.period.start), first.period.last_day)).answer("ncd_years")
    first_years = int(first_answer) if first_answer is not None else 0
    proofs = uow.ncd.for_policy(policy.policy_id) if proofs is None else proofs
    status = _status(first_years, proofs)
    if status["status"] == "proven" and status["needs_review"] and term.term_no > 1:
        renewal = next((t for t in policy.transactions if t.kind == "renewal" and t.term_no == 2), None)
        carried = (renewal.details.get("ncd") or {}).get("before") if renewal is not None else None
        if carried is not None and carried == rated_years(int(str(status["proven_years"])), _top(product)):
            status = {**status, "needs_review": False,
                      "reason": f"the first term was rated on {first_years} years; its renewal started from the "
                                f"{carried} years proven (NCD-1)"}
    return {"ncd_years": years, "discount_percent": discount, "first_term_ncd_years": first_years, **status,
            "proofs": [p.proof_id for p in proofs]}


def proven_for_renewal(ctx: AppContext, uow: UnitOfWork, policy: Policy,
                       proofs: Sequence[NcdProofRecord] | None = None) -> int | None:
    """The proven NCD years the renewal of the policy's first term starts from (None: no accepted proof,
    or the policy is past its first term). See domain.ncd_proof.with_proven_ncd. `proofs`: the policy's
    proofs when the caller has read them (`proven_for_renewals`)."""
    term = policy.term()
    if term.term_no != 1:
        return None
    standing = _latest_accepted(uow.ncd.for_policy(policy.policy_id) if proofs is None else proofs)
    if standing is None or standing.ncd_years is None:
        return None
    return rated_years(standing.ncd_years, _top(ctx.catalogue.by_ref(term.product_ref)))


def proven_for_renewals(ctx: AppContext, uow: UnitOfWork, policies: Sequence[Policy]) -> dict[str, int | None]:
    """`proven_for_renewal` of each policy, by policy id, reading the proofs of all of them in one query (only
    a first term's renewal reads them)."""
    proofs = uow.ncd.for_policies([p.policy_id for p in policies if p.term().term_no == 1])
    return {p.policy_id: proven_for_renewal(ctx, uow, p, proofs.get(p.policy_id, ())) for p in policies}


def check_rated_as_proven(ctx: AppContext, uow: UnitOfWork, q: Quote,
                          proofs: Sequence[NcdProofRecord] | None = None) -> None:
    """A quote is bound only on the NCD its accepted proof shows. Accepted proof re-rates an open quote at
    once, unless the quote could not be re-rated (say NCD protection, chosen on the years declared, needs
    more years than proven, NCD-3): then it cannot be bound as it stands, and a new quote is needed."""
    product = ctx.catalogue.by_ref(q.product_ref)
    if not _has_ncd(product):
        return
    standing = _latest_accepted(uow.ncd.for_quote(q.quote_id) if proofs is None else proofs)
    if standing is None:
        return
    target = rated_years(standing.ncd_years or 0, _top(product))
    current = int(q.rating.get("ncd_years", 0))
    if target == current:
        return
    why = [line for line in (standing.effect or {}).get("explanation", []) if "cannot be re-rated" in line]
    raise Conflict(f"the quote is rated on {current} years of NCD but the accepted proof {standing.proof_id} shows "
                   f"{target}, and the quote could not be re-rated on them; ask for a new quote on {target} years"
                   + (f" ({why[-1]})" if why else ""),
                   [FieldIssue("quote_id", f"rated on {current} years of NCD; proven {target} (NCD-1)")])


def ncd_at_bind(ctx: AppContext, uow: UnitOfWork, q: Quote,
                proofs: Sequence[NcdProofRecord] | None = None) -> NcdAtBind | None:
    """The NCD status when the quote is bound, kept on the new-business transaction: a policy bound on
    rejected or unproven NCD is flagged for staff from its first day."""
    block = quote_ncd(ctx, uow, q, proofs)
    if block is None:
        return None
    return {"ncd_years": block["ncd_years"], "declared_years": block["declared_years"], "status": block["status"],
            "proof_id": block["proof_id"], "proven_years": block["proven_years"],
            "needs_review": block["needs_review"], "reason": block["reason"]}


def quote_ncd_view(ctx: AppContext, principal: Principal, quote_id: str) -> QuoteNcdView:
    with ctx.uow(read_only=True) as uow:
        q = uow.quotes.get(quote_id)
        if q is None:
            raise NotFound("no such quote")
        check_customer(principal, q.customer_id, "quote")
        block = quote_ncd(ctx, uow, q)
        proofs = uow.ncd.for_quote(quote_id)
    return {"quote_id": quote_id, "ncd": block, "proofs": [proof_view(p, principal) for p in proofs]}


def policy_ncd_view(ctx: AppContext, principal: Principal, policy_id: str) -> PolicyNcdView:
    with ctx.uow(read_only=True) as uow:
        policy = load_policy(uow, principal, policy_id)
        block = policy_ncd(ctx, uow, policy, ctx.today())
        proofs = uow.ncd.for_policy(policy.policy_id)
    return {"policy_id": policy.policy_id, "number": policy.number, "ncd": block,
            "proofs": [proof_view(p, principal) for p in proofs]}


def get_proof(ctx: AppContext, principal: Principal, proof_id: str) -> ProofView:
    with ctx.uow(read_only=True) as uow:
        rec = uow.ncd.get(proof_id)
    if rec is None:
        raise NotFound("no such proof of NCD")
    check_customer(principal, rec.customer_id, "proof of NCD")
    return proof_view(rec, principal)


def list_proofs(ctx: AppContext, principal: Principal, status: str | None, limit: int = 50,
                offset: int = 0) -> ProofList:
    check_listing(limit, offset)
    require_staff(principal, "list proofs of NCD")
    if status is not None and status not in ("accepted", "rejected"):
        raise ValidationFailed("unknown status", [FieldIssue("status", "accepted or rejected")])
    with ctx.uow(read_only=True) as uow:
        rows = uow.ncd.page(status, limit, offset)
    return {"proofs": [proof_view(p, principal) for p in rows]}


def review_list(ctx: AppContext, principal: Principal, limit: int = 100, offset: int = 0) -> NcdReviewList:
    """Staff: policies pending or on cover whose NCD needs a look (rated on NCD not proven, rejected, or
    proven at other years). Scans `limit` policies in force from `offset` (in id order): page on with
    `next_offset` until it is None."""
    check_listing(limit, offset)
    require_staff(principal, "review NCD")
    today = ctx.today()
    out: list[NcdReview] = []
    with ctx.uow(read_only=True) as uow:
        ids = uow.ncd.policies_in_force(today, limit, offset)
        for pid in ids:
            policy = uow.policies.get(pid)
            if policy is None or is_anonymised(policy) or policy.status(today) not in ("live", "pending"):
                continue
            block = policy_ncd(ctx, uow, policy, today)
            if block is not None and block["needs_review"]:
                out.append({"policy_id": policy.policy_id, "number": policy.number, "customer_id": policy.customer_id,
                            **block})
    return {"as_of": today.isoformat(), "scanned": len(ids), "policies": out,
            "next_offset": offset + len(ids) if len(ids) == limit else None}


def proof_view(p: NcdProofRecord, principal: Principal) -> ProofView:
    """A proof as its owner or staff see it. The ids of other people's proofs in use on another vehicle
    are shown to staff only."""
    # Stored JSON the use cases wrote: each check from Condition.as_dict, the effect from _apply_to_quote.
    conditions = cast(list[NcdCondition], p.checks)
    effect = cast(NcdEffect | None, p.effect)
    failed: list[ProofError] = [{"field": c["field"], "reason": c["reason"]} for c in conditions if not c["passed"]]
    out: ProofView = {
        "id": p.proof_id, "customer_id": p.customer_id, "quote_id": p.quote_id, "policy_id": p.policy_id,
        "kind": p.kind, "insurer": p.insurer, "ncd_years": p.ncd_years,
        "ended_on": p.ended_on.isoformat() if p.ended_on else None, "registration": p.registration,
        "country": p.country, "issued_on": p.issued_on.isoformat() if p.issued_on else None,
        "previous_policy_number": p.previous_policy_number, "status": p.status, "checked_on": p.checked_on.isoformat(),
        "conditions": conditions, "errors": failed,
        "decided_by": p.decided_by, "decided_at": p.decided_at.isoformat(), "decision_note": p.decision_note,
        "effect": effect, "recorded_at": p.recorded_at.isoformat(), "recorded_by": p.recorded_by,
    }
    if principal.is_staff:
        out["in_use_on"] = p.in_use_on
    return out


# -- the NCD proof letter -----------------------------------------------------------------------------------


def ncd_letter(ctx: AppContext, principal: Principal, policy_id: str) -> NcdLetter:
    """The NCD proof letter for a customer who leaves: for a policy that has ended or been cancelled, or
    whose cover ends within its product's renewal-invitation window (a renewal notice is itself proof,
    NCD-1). It shows the years earned at the end (a year for each full year of cover without a claim
    that affects NCD; claims step it back, NCD-5), the date cover ended or ends, the registration, the
    insurer, the policy number, the issue date and the country (UK): everything NCD-1 asks of a proof."""
    today = ctx.today()
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        if is_anonymised(policy):
            raise Conflict("the policy's records were anonymised under the retention schedule: no letter can be "
                           "made", [FieldIssue("policy_id", "anonymised")])
        customer = uow.customers.get(policy.customer_id)
    terms = policy.terms()
    last = terms[-1]
    if last.voided:
        raise Conflict("the policy was voided: it is treated as never having existed, so no NCD was earned on it",
                       [FieldIssue("policy_id", "void")])
    product = ctx.catalogue.by_ref(last.product_ref)
    _needs_ncd(product)
    end = last.cover_end
    window = product.renewal.invitation_days_before
    if today < end - timedelta(days=window):
        raise Conflict(f"an NCD proof letter is given once the policy has ended, or within {window} days of its end; "
                       f"this policy's cover ends on {end}", [FieldIssue("policy_id", f"ask from {end - timedelta(days=window)}")])
    events = [e for e in policy.events() if e.occurred_on < end]
    if end > last.period.start:
        covered = Period(last.period.start, end)
        protection = protection_for_renewal(ctx, policy, last, product, end)  # NCD-4: as a renewal would
        carried = risk_for_renewal(product, last, events, protected=protection.protected)
        claims = claims_in(events, covered)
        before = carried.ncd_before or 0
        years, lines = years_at_end(before, carried.ncd_after or 0, claims, covered, carried.explanation)
        risk = _risk_on(last, covered.last_day)
        protected = protection.protected
    elif len(terms) > 1:
        # The renewal was cancelled from its first day: the NCD is what was earned by the term before it.
        risk = last.base_risk
        years = int(risk.answer("ncd_years") or 0)
        lines = (f"The renewal from {last.period.start} was cancelled from its first day: NCD as earned at the end of "
                 f"the term before it, {years} years.",)
        protected = False
    else:
        raise Conflict("the policy was cancelled from its first day and was never on cover: no NCD was earned on it",
                       [FieldIssue("policy_id", "never on cover")])
    proof = NcdProof("insurer_letter", product.insurer, years, end, normalise_registration(risk.vehicle.registration),
                     "UK", today, policy.number)
    check = _check(proof, today, product, [])
    provisional = today < end
    # Every claim while insured with us, NCD-affecting or not (NCD-2), as the next insurer will ask.
    history = claims_in(events, Period(terms[0].period.start, max(end, terms[0].period.start + timedelta(days=1))))
    claim_list: list[LetterClaim] = [
        {"occurred_on": str(c["occurred_on"]), "claim_type": str(c["claim_type"]), "affects_ncd": bool(c["affects_ncd"]),
         "claim_type_label": CLAIM_TYPES.get(str(c["claim_type"]), str(c["claim_type"]))}
        for c in history.as_dicts()]
    return {
        "title": "Proof of no-claims discount",
        "kind": proof.kind, "issued_on": today.isoformat(), "insurer": product.insurer, "product": product.ref,
        "policy_id": policy.policy_id, "policy_number": policy.number,
        "policyholder": customer.name if customer is not None else None,
        "registration": proof.registration, "ncd_years": years, "ended_on": end.isoformat(),
        "ended_how": ("cancelled" if last.cancelled_from is not None else "expired") if not provisional else "ends",
        "country": "UK", "provisional": provisional,
        "insured_from": terms[0].period.start.isoformat(), "claims": claim_list,
        "ncd_protected": protected,  # NCD-4: protection bought for the last term kept the years
        "accepted_as_proof_until": (valid_until(today, _max_age(product)) - timedelta(days=1)).isoformat(),
        "condition": (f"Provided no claim that affects NCD is made before {end}." if provisional else None),
        "explanation": list(lines),
        # The same figures in the shape of a proof of NCD (POST .../ncd-proofs), and how NCD-1 finds them.
        "proof": {"kind": proof.kind, "insurer": proof.insurer, "ncd_years": years, "ended_on": end.isoformat(),
                  "registration": proof.registration, "country": "UK", "issued_on": today.isoformat(),
                  "previous_policy_number": policy.number},
        "ncd1_conditions": cast(list[NcdCondition], check.as_dicts()),  # Condition.as_dict, as on a proof
    }


def letter_text(letter: NcdLetter) -> str:
    """The letter as plain text, to print or send (`ncd/templates/letter.txt`, issue 14)."""
    return templating.render("covernote.ncd", "letter.txt", **letter)


def letter_html(letter: NcdLetter) -> str:
    """The letter as a printable HTML page (`ncd/templates/letter.html`, autoescaped; issue 14)."""
    return templating.render("covernote.ncd", "letter.html", **letter)


LETTER_TEMPLATES = ("letter.html", "letter.txt")


def letter_pdf(ctx: AppContext, principal: Principal, policy_id: str) -> DocumentFile:
    """The NCD proof letter as a PDF (issue 14, DOC-1): issued through the documents context as one of the
    policy's documents (kind `ncd_letter`), stored once with its HTML, text and PDF and their SHA-256, and
    listed with the policy's documents. The same letter asked for again (the same words: same day, same
    facts) answers the stored bytes; a letter whose facts or date changed is a new document."""
    data = ncd_letter(ctx, principal, policy_id)
    html_page, text = letter_html(data), letter_text(data)
    with ctx.uow(read_only=True) as uow:
        term_no = find_policy(uow, principal, data["policy_id"]).terms()[-1].term_no
    subject = "ncd:" + hashlib.sha256((html_page + "\0" + text).encode("utf-8")).hexdigest()[:36]
    issued = documents.issue_letter(ctx, principal, data["policy_id"], Letter(
        "ncd_letter", subject, data["title"], "ncd/letter", templating.version("covernote.ncd", *LETTER_TEMPLATES),
        data["product"], term_no, html_page, text))
    return documents.get_document(ctx, principal, issued["id"], "pdf")

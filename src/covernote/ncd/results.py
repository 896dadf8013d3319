"""The shapes the no-claims discount use cases answer with (NCD-1, NCD-4): a proof of NCD as its owner or
staff see it, the NCD status block of a quote or policy, the staff review list and the NCD proof letter.
TypedDicts, so they are plain dicts at run time and FastAPI describes them in the OpenAPI document; keys
are declared in the order the use cases build them (the order they go on the wire)."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 (the brief: both from typing_extensions)


class NcdCondition(TypedDict):
    """One NCD-1 condition checked (ncd/domain/proof.py Condition.as_dict): passed or failed, and why."""

    code: str
    field: str
    passed: bool
    reason: str


class ProofError(TypedDict):
    """A failed condition: the input field it concerns and why."""

    field: str
    reason: str


class NcdEffect(TypedDict):
    """How a decision changed the quote's rating: re-rated (the years, premium and IPT before and after) or
    not (and why)."""

    quote_id: str
    rerated: bool
    ncd_years_before: NotRequired[int]
    ncd_years: int
    premium_before: NotRequired[str]
    premium_after: NotRequired[str]
    ipt_before: NotRequired[str]
    ipt_after: NotRequired[str]
    explanation: list[str]


class ProofView(TypedDict):
    """A proof of NCD: what the document shows, each condition, the decision and its effect on rating.
    `in_use_on` (other proofs of the same NCD in use on another vehicle) is shown to staff only."""

    id: str
    customer_id: str
    quote_id: str | None
    policy_id: str | None
    kind: str
    insurer: str
    ncd_years: int | None
    ended_on: str | None
    registration: str | None
    country: str | None
    issued_on: str | None
    previous_policy_number: str | None
    status: str
    checked_on: str
    conditions: list[NcdCondition]
    errors: list[ProofError]
    decided_by: str
    decided_at: str
    decision_note: str | None
    effect: NcdEffect | None
    recorded_at: str
    recorded_by: str
    in_use_on: NotRequired[list[str]]


class NcdStatus(TypedDict):
    """Whether the NCD a quote or policy is rated on is proven (ncd/domain/proof.py ncd_status)."""

    status: str
    proof_id: str | None
    proven_years: int | None
    needs_review: bool
    reason: str


class QuoteNcd(TypedDict):
    """The `ncd` block of a quote: the years and discount it is rated on, those declared, and the status."""

    ncd_years: int
    discount_percent: str | None
    declared_years: int
    status: str
    proof_id: str | None
    proven_years: int | None
    needs_review: bool
    reason: str
    proofs: list[str]


class NcdAtBind(TypedDict):
    """The NCD status kept on the new-business transaction when a quote is bound."""

    ncd_years: int
    declared_years: int
    status: str
    proof_id: str | None
    proven_years: int | None
    needs_review: bool
    reason: str


class PolicyNcd(TypedDict):
    """The `ncd` block of a policy: the years and discount it is rated on today, the first term's years
    (those proof is compared with), and the status."""

    ncd_years: int
    discount_percent: str | None
    first_term_ncd_years: int
    status: str
    proof_id: str | None
    proven_years: int | None
    needs_review: bool
    reason: str
    proofs: list[str]


class QuoteNcdView(TypedDict):
    """A quote's NCD status and the proofs given for it."""

    quote_id: str
    ncd: QuoteNcd | None
    proofs: list[ProofView]


class PolicyNcdView(TypedDict):
    """A policy's NCD status and the proofs given for it (or for the quote it was bound from)."""

    policy_id: str
    number: str
    ncd: PolicyNcd | None
    proofs: list[ProofView]


class ProofList(TypedDict):
    """A page of proofs of NCD."""

    proofs: list[ProofView]


class NcdReview(TypedDict):
    """A policy whose NCD needs a look, with its NCD block."""

    policy_id: str
    number: str
    customer_id: str
    ncd_years: int
    discount_percent: str | None
    first_term_ncd_years: int
    status: str
    proof_id: str | None
    proven_years: int | None
    needs_review: bool
    reason: str
    proofs: list[str]


class NcdReviewList(TypedDict):
    """One scan of the staff review list: the policies found and where the next scan starts (None: done)."""

    as_of: str
    scanned: int
    policies: list[NcdReview]
    next_offset: int | None


class LetterClaim(TypedDict):
    """A claim while insured with us, on the NCD proof letter."""

    occurred_on: str
    claim_type: str
    affects_ncd: bool
    claim_type_label: str


class LetterProof(TypedDict):
    """The letter's figures in the shape of a proof of NCD (POST .../ncd-proofs)."""

    kind: str
    insurer: str
    ncd_years: int
    ended_on: str
    registration: str | None
    country: str
    issued_on: str
    previous_policy_number: str


class NcdLetter(TypedDict):
    """The NCD proof letter for a customer who leaves: everything NCD-1 asks of a proof, how the years were
    worked out, and how NCD-1 finds it."""

    title: str
    kind: str
    issued_on: str
    insurer: str
    product: str
    policy_id: str
    policy_number: str
    policyholder: str | None
    registration: str | None
    ncd_years: int
    ended_on: str
    ended_how: str
    country: str
    provisional: bool
    insured_from: str
    claims: list[LetterClaim]
    ncd_protected: bool
    accepted_as_proof_until: str
    condition: str | None
    explanation: list[str]
    proof: LetterProof
    ncd1_conditions: list[NcdCondition]

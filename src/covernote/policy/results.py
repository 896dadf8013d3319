"""Typed results of the policy record: customers, terms, segments and transactions (TypedDicts: typed for mypy and OpenAPI, dicts at run time)."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict


class CustomerView(TypedDict):
    """A customer's details."""

    id: str
    name: str
    email: str
    phone: str | None
    date_of_birth: str | None
    address: str
    postcode: str
    created_at: str


# An effective-dated version of a term: its dates, its price and the risk it was rated on. The functional
# form because "from" is a keyword; `risk` is the risk as the codec writes it (free-form JSON).
SegmentView = TypedDict("SegmentView", {
    "from": str, "to": str, "days": int, "term_premium": str, "standard_premium": str, "ncd_years": int,
    "ncd_discount_percent": str, "product": str, "table_version": str, "risk": dict[str, Any]})


class TermView(TypedDict):
    """A policy term: dates, product version, premium and IPT charged and its effective-dated versions;
    `rating_trace` only in the history."""

    term: int
    start_date: str
    end_date: str
    cover_ends: str
    product: str
    renewal: bool
    cancelled_from: str | None
    void: bool
    premium_charged: str
    ipt_rate: str
    ipt_charged: str
    versions: list[SegmentView]
    rating_trace: NotRequired[list[Any]]  # each version's rating trace, as the rating domain writes it


class Actor(TypedDict):
    """Who made a transaction."""

    user_id: str
    role: str


class FeeLineView(TypedDict):
    """A fee charged or refunded on a policy."""

    code: str
    name: str
    amount: str
    term_no: int
    charged_on: str
    transaction_id: str
    refundable_within_cooling_off: bool
    box_return_refund_percent: str


class TransactionView(TypedDict):
    """A policy transaction: who, when, why, from when, what it charged."""

    id: str
    sequence: int
    term: int
    kind: str
    effective_date: str
    recorded_at: str
    by: Actor
    reason: str
    premium: str
    ipt: str
    fees_charged: list[FeeLineView]
    fees_refunded: list[FeeLineView]
    details: dict[str, Any]  # what the transaction recorded (free-form stored JSON)


# -- who am I, and staff search (issue 13 item 20) ------------------------------------------------------------


class MyPolicy(TypedDict):
    """One of the caller's policies: enough to ask for the rest by id."""

    id: str
    number: str
    product_code: str
    status: str


class MeView(TypedDict):
    """The caller: their user and role and, for a customer, their customer id and policies."""

    user_id: str
    role: str
    customer_id: str | None
    policies: list[MyPolicy]


class CustomerMatch(TypedDict):
    """A customer a search found. An erased name or postcode is shown as null (`anonymised` true)."""

    id: str
    name: str | None
    postcode: str | None
    anonymised: bool
    created_at: str


class CustomerSearch(TypedDict):
    """A page of customers found; `next_offset` asks for the next page (null: no more)."""

    q: str
    customers: list[CustomerMatch]
    next_offset: int | None


class PolicyMatch(TypedDict):
    """A policy a search found, with its customer's name (null when erased) and the car and postcode it
    insures today (or last insured); an anonymised policy shows neither."""

    id: str
    number: str
    customer_id: str
    customer_name: str | None
    product_code: str
    status: str
    registration: str | None
    postcode: str | None
    start_date: str
    end_date: str


class PolicySearch(TypedDict):
    """A page of policies found; `next_offset` asks for the next page (null: no more)."""

    q: str
    policies: list[PolicyMatch]
    next_offset: int | None

"""Customers, quotes, policies with their append-only transactions, and pending quotes in SQL. Nothing here commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Row

from covernote.kernel.errors import Conflict, FieldIssue
from covernote.kernel.money import Money
from covernote.kernel.periods import Period
from covernote.policy.domain.codec import fee_line_from_dict, fee_line_to_dict
from covernote.policy.domain.extra_lines import ExtraLine
from covernote.policy.domain.model import ANONYMISED_MARK, Actor, Customer, Policy, PolicyTransaction, Quote
from covernote.policy.domain.search import SearchTerms
from covernote.policy.ports import EndingPage, PendingQuote, QuoteWithdrawal
from covernote.store.bulk import SharedJson, jsonb_text
from covernote.store.tables import (
    counters,
    customers,
    pending_quotes,
    policies,
    policy_transactions,
    quotes,
)

# Statements built once: SQLAlchemy memoizes a statement object's cache key, so executing a prebuilt
# statement with parameters skips building the statement and its cache key on every call (hot paths:
# authentication, quoting, binding, the renewal batch). The SQL is the same as building it per call.
_b = sa.bindparam


_CUSTOMER_GET = customers.select().where(customers.c.id == _b("b_id"))
_CUSTOMERS_GET = customers.select().where(customers.c.id.in_(_b("b_ids", expanding=True)))


_CUSTOMER_INSERT = customers.insert()


_QUOTE_INSERT = quotes.insert()


_QUOTE_GET = quotes.select().where(quotes.c.id == _b("b_id"))


_QUOTE_MARK_BOUND = (quotes.update().where(quotes.c.id == _b("b_id"), quotes.c.status == "open")
                     .values(status="bound", policy_id=_b("b_policy_id")))


_QUOTE_WITHDRAW = (quotes.update().where(quotes.c.id == _b("b_id"), quotes.c.status == "open")
                   .values(status="withdrawn", withdrawn_at=_b("b_at"), withdrawn_by=_b("b_by"),
                           withdrawal_reason=_b("b_reason")))


_QUOTE_WITHDRAWAL = (sa.select(quotes.c.id, quotes.c.withdrawn_at, quotes.c.withdrawn_by, quotes.c.withdrawal_reason)
                     .where(quotes.c.id == _b("b_id"), quotes.c.status == "withdrawn"))


_POLICY_INSERT = policies.insert()


_POLICY_GET = policies.select().where(policies.c.id == _b("b_id"))


_POLICY_BY_NUMBER = policies.select().where(policies.c.number == _b("b_number"))


_TXN_INSERT = policy_transactions.insert()


_TXNS_FOR = (policy_transactions.select().where(policy_transactions.c.policy_id.in_(_b("b_ids", expanding=True)))
             .order_by(policy_transactions.c.policy_id, policy_transactions.c.sequence))


_NEXT_NUMBER = (counters.update().where(counters.c.name == "policy_number")
                .values(value=counters.c.value + 1).returning(counters.c.value))


_NEXT_NUMBER_PG = sa.text("SELECT nextval('policy_number_seq')")


_ENDING = policies.select().where(policies.c.current_term_end >= _b("b_start"), policies.c.current_term_end < _b("b_end"))


_ENDING_FIRST = _ENDING.order_by(policies.c.id).limit(_b("b_limit"))


_ENDING_AFTER = _ENDING.where(policies.c.id > _b("b_after")).order_by(policies.c.id).limit(_b("b_limit"))


# Each policy of the page says whether it holds an open pending quote of a kind for its current version (an
# open renewal invitation), asked per row returned (an index lookup each), whatever the planner makes of the
# window: a batch then loads the transactions of the others only.
_HAS_OPEN = (sa.select(pending_quotes.c.id)
             .where(pending_quotes.c.policy_id == policies.c.id, pending_quotes.c.kind == _b("b_kind"),
                    pending_quotes.c.status == "open", pending_quotes.c.policy_version == policies.c.version)
             .exists())
_ENDING_FLAGGED = (sa.select(*policies.c, _HAS_OPEN.label("has_open"))
                   .where(policies.c.current_term_end >= _b("b_start"), policies.c.current_term_end < _b("b_end")))
_ENDING_FLAGGED_FIRST = _ENDING_FLAGGED.order_by(policies.c.id).limit(_b("b_limit"))
_ENDING_FLAGGED_AFTER = _ENDING_FLAGGED.where(policies.c.id > _b("b_after")).order_by(policies.c.id).limit(_b("b_limit"))
# A page inside a key range (`through_id`): the parallel batch's workers each page through their own range.
_ENDING_FLAGGED_RANGE = (_ENDING_FLAGGED.where(policies.c.id > _b("b_after"), policies.c.id <= _b("b_through"))
                         .order_by(policies.c.id).limit(_b("b_limit")))
_ENDING_FLAGGED_UPTO = (_ENDING_FLAGGED.where(policies.c.id <= _b("b_through")).order_by(policies.c.id)
                        .limit(_b("b_limit")))
_ENDING_IDS = (sa.select(policies.c.id).where(policies.c.current_term_end >= _b("b_start"),
                                              policies.c.current_term_end < _b("b_end")).order_by(policies.c.id))


_PENDING_INSERT = pending_quotes.insert()
_PENDING_INSERT_JSONB_TEXT = pending_quotes.insert().values(  # PostgreSQL: the result given as JSON text
    result=sa.cast(_b("b_result", type_=sa.Text()), postgresql.JSONB()))


_PENDING_OPEN_IDS = (sa.select(pending_quotes.c.policy_id)
                     .select_from(pending_quotes.join(policies, policies.c.id == pending_quotes.c.policy_id))
                     .where(pending_quotes.c.policy_id.in_(_b("b_ids", expanding=True)),
                            pending_quotes.c.kind == _b("b_kind"), pending_quotes.c.status == "open",
                            pending_quotes.c.policy_version == policies.c.version))


# -- staff search (issue 13 item 20) -------------------------------------------------------------------------
# Registrations and postcodes are stored normalised inside each transaction's JSON (the risk of a new
# business or renewal, the changes of an adjustment), so a policy that ever insured a car or a postcode has
# the quoted value in its transactions' text: an exact match of a JSON string, the same on SQLite and
# PostgreSQL (jsonb as text). Names: case-blind, anywhere in the name; erased names (keyed hashes) never match.


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_matches(terms: SearchTerms) -> sa.ColumnElement[bool]:
    return sa.and_(sa.func.lower(customers.c.name).like(f"%{_like_escape(terms.name)}%", escape="\\"),
                   sa.not_(customers.c.name.startswith(ANONYMISED_MARK)))


def _policies_insuring(terms: SearchTerms) -> sa.Select[Any] | None:
    """Ids of policies whose transactions name the registration or postcode searched for."""
    values = [v for v in (terms.registration, terms.postcode) if v is not None]  # [A-Z0-9 ] only: no escape
    if not values:
        return None
    text = sa.cast(policy_transactions.c.details, sa.Text)
    return sa.select(policy_transactions.c.policy_id).where(sa.or_(*(text.like(f'%"{v}"%') for v in values)))


def _customers_matching(terms: SearchTerms) -> sa.ColumnElement[bool]:
    """Customers found by name or postcode themselves."""
    found = [_name_matches(terms)]
    if terms.postcode is not None:
        found.append(customers.c.postcode == terms.postcode)
    return sa.or_(*found)


def _policies_matching(terms: SearchTerms) -> sa.ColumnElement[bool]:
    """Policies found by number, by a registration or postcode in their transactions, or by their customer."""
    found: list[sa.ColumnElement[bool]] = [policies.c.customer_id.in_(sa.select(customers.c.id).where(_customers_matching(terms)))]
    if terms.number is not None:
        found.append(policies.c.number == terms.number)
    insuring = _policies_insuring(terms)
    if insuring is not None:
        found.append(policies.c.id.in_(insuring))
    return sa.or_(*found)


class CustomerRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: Customer) -> None:
        self.conn.execute(_CUSTOMER_INSERT, dict(
            id=c.customer_id, name=c.name, email=c.email, phone=c.phone, date_of_birth=c.date_of_birth,
            address=c.address, postcode=c.postcode, created_at=c.created_at))

    @staticmethod
    def _row(r: Row[Any]) -> Customer:
        return Customer(r.id, r.name, r.email, r.phone, r.date_of_birth, r.address, r.postcode, r.created_at)

    def get(self, customer_id: str) -> Customer | None:
        r = self.conn.execute(_CUSTOMER_GET, {"b_id": customer_id}).first()
        return None if r is None else self._row(r)

    def get_many(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        if not customer_ids:
            return {}
        return {r.id: self._row(r) for r in self.conn.execute(_CUSTOMERS_GET, {"b_ids": list(set(customer_ids))})}

    def page(self, limit: int, offset: int) -> list[Customer]:
        rows = self.conn.execute(customers.select().order_by(customers.c.created_at, customers.c.id).limit(limit).offset(offset))
        return [self._row(r) for r in rows]

    def search(self, terms: SearchTerms, limit: int, offset: int) -> list[Customer]:
        by_policy: list[sa.ColumnElement[bool]] = []
        if terms.number is not None:
            by_policy.append(policies.c.number == terms.number)
        insuring = _policies_insuring(terms)
        if insuring is not None:
            by_policy.append(policies.c.id.in_(insuring))
        found = _customers_matching(terms)
        if by_policy:
            found = sa.or_(found, customers.c.id.in_(sa.select(policies.c.customer_id).where(sa.or_(*by_policy))))
        rows = self.conn.execute(customers.select().where(found).order_by(customers.c.created_at, customers.c.id)
                                 .limit(limit).offset(offset))
        return [self._row(r) for r in rows]


class QuoteRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, q: Quote) -> None:
        self.conn.execute(_QUOTE_INSERT, dict(
            id=q.quote_id, customer_id=q.customer_id, product_ref=q.product_ref, start_date=q.period.start,
            end_date=q.period.end, risk=q.risk_details, rating=q.rating, premium_pence=q.premium.pence,
            ipt_rate=str(q.ipt_rate), ipt_pence=q.ipt.pence,
            fees=[{"code": c, "name": n, "amount": a.to_str()} for c, n, a in q.fees],
            created_at=q.created_at, expires_at=q.expires_at, created_by=q.created_by, status=q.status,
            policy_id=q.policy_id, extras=[x.as_dict() for x in q.extras]))

    @staticmethod
    def _row(r: Row[Any]) -> Quote:
        return Quote(r.id, r.customer_id, r.product_ref, Period(r.start_date, r.end_date), r.risk, r.rating,
                     Money.from_pence(r.premium_pence), Decimal(r.ipt_rate), Money.from_pence(r.ipt_pence),
                     tuple((f["code"], f["name"], Money.of(f["amount"])) for f in r.fees), r.created_at, r.expires_at,
                     r.created_by, r.status, r.policy_id, tuple(ExtraLine.from_dict(x) for x in r.extras or ()))

    def get(self, quote_id: str) -> Quote | None:
        r = self.conn.execute(_QUOTE_GET, {"b_id": quote_id}).first()
        return None if r is None else self._row(r)

    def mark_bound(self, quote_id: str, policy_id: str) -> bool:
        res = self.conn.execute(_QUOTE_MARK_BOUND, {"b_id": quote_id, "b_policy_id": policy_id})
        return res.rowcount == 1

    def withdraw(self, withdrawal: QuoteWithdrawal) -> bool:
        """Only where the quote is still open: a bind or another withdrawal that got there first wins."""
        res = self.conn.execute(_QUOTE_WITHDRAW, {"b_id": withdrawal.quote_id, "b_at": withdrawal.withdrawn_at,
                                                  "b_by": withdrawal.withdrawn_by, "b_reason": withdrawal.reason})
        return res.rowcount == 1

    def withdrawal(self, quote_id: str) -> QuoteWithdrawal | None:
        r = self.conn.execute(_QUOTE_WITHDRAWAL, {"b_id": quote_id}).first()
        if r is None or r.withdrawn_at is None:
            return None
        return QuoteWithdrawal(r.id, r.withdrawn_at, r.withdrawn_by or "", r.withdrawal_reason)

    def page(self, customer_id: str | None, limit: int, offset: int) -> list[Quote]:
        q = quotes.select().order_by(quotes.c.created_at.desc(), quotes.c.id).limit(limit).offset(offset)
        if customer_id is not None:
            q = q.where(quotes.c.customer_id == customer_id)
        return [self._row(r) for r in self.conn.execute(q)]


def _txn_row(t: PolicyTransaction) -> dict[str, Any]:
    return dict(
        id=t.transaction_id, policy_id=t.policy_id, sequence=t.sequence, term_no=t.term_no, kind=t.kind,
        effective_date=t.effective_date, recorded_at=t.recorded_at, actor_id=t.actor.user_id,
        actor_role=t.actor.role, reason=t.reason, premium_pence=t.premium.pence, ipt_pence=t.ipt.pence,
        ipt_rate=t.details.get("ipt_rate") if t.kind in ("new_business", "renewal") else None,
        fees_charged=[fee_line_to_dict(f) for f in t.fees_charged],
        fees_refunded=[fee_line_to_dict(f) for f in t.fees_refunded], details=t.details,
        idempotency_key=t.idempotency_key)


def _txn(r: Row[Any]) -> PolicyTransaction:
    return PolicyTransaction(
        r.id, r.policy_id, r.sequence, r.term_no, r.kind, r.effective_date, r.recorded_at, Actor(r.actor_id, r.actor_role),
        r.reason, Money.from_pence(r.premium_pence), Money.from_pence(r.ipt_pence),
        tuple(fee_line_from_dict(f) for f in r.fees_charged), tuple(fee_line_from_dict(f) for f in r.fees_refunded),
        r.details, r.idempotency_key)


class PolicyRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _term_end(policy: Policy, new: Sequence[PolicyTransaction] = ()) -> date:
        known = {t.transaction_id: t for t in policy.transactions}
        known.update({t.transaction_id: t for t in new})
        probe = Policy(policy.policy_id, policy.number, policy.customer_id, policy.product_code, policy.auto_renew,
                       policy.taken_out_on, policy.payment_token, policy.created_at, policy.version, list(known.values()))
        return probe.term().period.end

    def add(self, p: Policy) -> None:
        self.conn.execute(_POLICY_INSERT, dict(
            id=p.policy_id, number=p.number, customer_id=p.customer_id, product_code=p.product_code,
            auto_renew=p.auto_renew, taken_out_on=p.taken_out_on, payment_token=p.payment_token,
            created_at=p.created_at, version=p.version, current_term_end=self._term_end(p)))
        if p.transactions:
            self.conn.execute(_TXN_INSERT, [_txn_row(t) for t in p.transactions])

    def _load(self, rows: Sequence[Row[Any]]) -> list[Policy]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        by_policy: dict[str, list[PolicyTransaction]] = {i: [] for i in ids}
        for chunk_start in range(0, len(ids), 900):
            chunk = ids[chunk_start:chunk_start + 900]
            txns = self.conn.execute(_TXNS_FOR, {"b_ids": chunk})
            for t in txns:
                by_policy[t.policy_id].append(_txn(t))
        return [Policy(r.id, r.number, r.customer_id, r.product_code, r.auto_renew, r.taken_out_on, r.payment_token,
                       r.created_at, r.version, by_policy[r.id]) for r in rows]

    def get(self, policy_id: str) -> Policy | None:
        rows = self.conn.execute(_POLICY_GET, {"b_id": policy_id}).all()
        found = self._load(rows)
        return found[0] if found else None

    def by_number(self, number: str) -> Policy | None:
        rows = self.conn.execute(_POLICY_BY_NUMBER, {"b_number": number}).all()
        found = self._load(rows)
        return found[0] if found else None

    def page(self, customer_id: str | None, limit: int, offset: int) -> list[Policy]:
        q = policies.select().order_by(policies.c.created_at.desc(), policies.c.id).limit(limit).offset(offset)
        if customer_id is not None:
            q = q.where(policies.c.customer_id == customer_id)
        return self._load(self.conn.execute(q).all())

    def search(self, terms: SearchTerms, limit: int, offset: int) -> list[Policy]:
        q = (policies.select().where(_policies_matching(terms))
             .order_by(policies.c.created_at.desc(), policies.c.id).limit(limit).offset(offset))
        return self._load(self.conn.execute(q).all())

    def _bump(self, policy: Policy, expected_version: int, values: dict[str, Any]) -> int:
        res = self.conn.execute(
            policies.update().where(policies.c.id == policy.policy_id, policies.c.version == expected_version)
            .values(version=policies.c.version + 1, **values))
        if res.rowcount != 1:
            raise Conflict(
                "the policy was changed by someone else since you read it; read it again and retry",
                [FieldIssue("version", f"expected version {expected_version}")])
        policy.version = expected_version + 1
        return policy.version

    def append(self, policy: Policy, new: Sequence[PolicyTransaction], expected_version: int,
               auto_renew: bool | None = None) -> int:
        values: dict[str, Any] = {"current_term_end": self._term_end(policy, new)}
        if auto_renew is not None:
            values["auto_renew"] = auto_renew
            policy.auto_renew = auto_renew
        version = self._bump(policy, expected_version, values)
        self.conn.execute(_TXN_INSERT, [_txn_row(t) for t in new])
        return version

    def next_number(self) -> int:
        if self.conn.dialect.name == "postgresql":
            return int(self.conn.execute(_NEXT_NUMBER_PG).scalar_one())
        res = self.conn.execute(_NEXT_NUMBER).first()
        if res is None:
            self.conn.execute(counters.insert().values(name="policy_number", value=1))
            return 1
        return int(res.value)

    def ending_between(self, start: date, end: date, after_id: str | None, limit: int) -> list[Policy]:
        params: dict[str, Any] = {"b_start": start, "b_end": end, "b_limit": limit}
        if after_id is None:
            return self._load(self.conn.execute(_ENDING_FIRST, params).all())
        return self._load(self.conn.execute(_ENDING_AFTER, {**params, "b_after": after_id}).all())

    def ending_page(self, start: date, end: date, after_id: str | None, limit: int, open_kind: str,
                    through_id: str | None = None) -> EndingPage:
        params: dict[str, Any] = {"b_start": start, "b_end": end, "b_limit": limit, "b_kind": open_kind,
                                  "b_after": after_id, "b_through": through_id}
        statement = ((_ENDING_FLAGGED_FIRST, _ENDING_FLAGGED_UPTO) if after_id is None
                     else (_ENDING_FLAGGED_AFTER, _ENDING_FLAGGED_RANGE))[through_id is not None]
        rows = self.conn.execute(statement, params).all()
        return EndingPage(self._load([r for r in rows if not r.has_open]),
                          [r.customer_id for r in rows if r.has_open], rows[-1].id if rows else None, len(rows))

    def ending_ids(self, start: date, end: date) -> list[str]:
        return list(self.conn.execute(_ENDING_IDS, {"b_start": start, "b_end": end}).scalars())


class PendingRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _values(p: PendingQuote) -> dict[str, Any]:
        return dict(id=p.pending_id, policy_id=p.policy_id, kind=p.kind, policy_version=p.policy_version,
                    request=p.request, result=p.result, created_at=p.created_at, expires_at=p.expires_at,
                    created_by=p.created_by, status=p.status)

    def add(self, p: PendingQuote) -> None:
        self.conn.execute(_PENDING_INSERT, self._values(p))

    def add_many(self, items: Sequence[PendingQuote]) -> None:
        """One insert for a batch's pending quotes. On PostgreSQL each result goes as JSON text cast to JSONB,
        with the lists the batch's results share (a chunk's renewal offers share their list of extras on
        offer, half of each offer) encoded once: the same stored value."""
        if not items:
            return
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(_PENDING_INSERT, [self._values(p) for p in items])
            return
        shared: SharedJson = {}
        rows = []
        for p in items:
            row = self._values(p)
            del row["result"]
            row["b_result"] = jsonb_text(p.result, shared)
            rows.append(row)
        self.conn.execute(_PENDING_INSERT_JSONB_TEXT, rows)

    @staticmethod
    def _row(r: Row[Any]) -> PendingQuote:
        return PendingQuote(r.id, r.policy_id, r.kind, r.policy_version, r.request, r.result, r.created_at,
                            r.expires_at, r.created_by, r.status)

    def get(self, pending_id: str) -> PendingQuote | None:
        r = self.conn.execute(pending_quotes.select().where(pending_quotes.c.id == pending_id)).first()
        return None if r is None else self._row(r)

    def set_status(self, pending_id: str, status: str) -> None:
        res = self.conn.execute(pending_quotes.update().where(pending_quotes.c.id == pending_id,
                                                              pending_quotes.c.status == "open").values(status=status))
        if res.rowcount != 1:
            raise Conflict("this quote was confirmed or declined by another request",
                           [FieldIssue("id", "no longer open")])

    def open_for(self, policy_id: str, kind: str) -> list[PendingQuote]:
        rows = self.conn.execute(pending_quotes.select().where(
            pending_quotes.c.policy_id == policy_id, pending_quotes.c.kind == kind, pending_quotes.c.status == "open")
            .order_by(pending_quotes.c.created_at))
        return [self._row(r) for r in rows]

    def open_policy_ids(self, policy_ids: Sequence[str], kind: str) -> set[str]:
        if not policy_ids:
            return set()
        return {r[0] for r in self.conn.execute(_PENDING_OPEN_IDS, {"b_ids": list(policy_ids), "b_kind": kind})}

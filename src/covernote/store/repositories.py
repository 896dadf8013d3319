"""SQLAlchemy Core repositories. None of them commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from covernote.app.ports import PendingQuote, QuoteWithdrawal, StoredResponse, User
from covernote.domain.errors import Conflict, FieldIssue
from covernote.domain.extras import ExtraLine
from covernote.domain.ledger.journal import JournalEntry, Posting
from covernote.domain.policy.codec import fee_line_from_dict, fee_line_to_dict
from covernote.domain.policy.model import Actor, Customer, Policy, PolicyTransaction, Quote
from covernote.domain.privacy.consent import Channel, ConsentDecision, ConsentPurpose, Source
from covernote.kernel.money import Money
from covernote.kernel.periods import Period
from covernote.store.tables import (
    consent_decisions,
    counters,
    customers,
    idempotency_keys,
    journal_entries,
    pending_quotes,
    policies,
    policy_transactions,
    postings,
    quotes,
    users,
)

# Statements built once: SQLAlchemy memoizes a statement object's cache key, so executing a prebuilt
# statement with parameters skips building the statement and its cache key on every call (hot paths:
# authentication, quoting, binding, the renewal batch). The SQL is the same as building it per call.
_b = sa.bindparam
_CUSTOMER_GET = customers.select().where(customers.c.id == _b("b_id"))
_CUSTOMER_INSERT = customers.insert()
_USER_INSERT = users.insert()
_USER_BY_TOKEN = users.select().where(users.c.token_hash == _b("b_hash"))
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
_PENDING_INSERT = pending_quotes.insert()
_PENDING_OPEN_IDS = (sa.select(pending_quotes.c.policy_id)
                     .select_from(pending_quotes.join(policies, policies.c.id == pending_quotes.c.policy_id))
                     .where(pending_quotes.c.policy_id.in_(_b("b_ids", expanding=True)),
                            pending_quotes.c.kind == _b("b_kind"), pending_quotes.c.status == "open",
                            pending_quotes.c.policy_version == policies.c.version))
_IDEMPOTENCY_GET = idempotency_keys.select().where(idempotency_keys.c.key == _b("b_key"),
                                                   idempotency_keys.c.scope == _b("b_scope"))
_IDEMPOTENCY_INSERT = idempotency_keys.insert()


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

    def page(self, limit: int, offset: int) -> list[Customer]:
        rows = self.conn.execute(customers.select().order_by(customers.c.created_at, customers.c.id).limit(limit).offset(offset))
        return [self._row(r) for r in rows]


class UserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, u: User) -> None:
        self.conn.execute(_USER_INSERT, dict(id=u.user_id, name=u.name, role=u.role, customer_id=u.customer_id,
                                             token_hash=u.token_hash, created_at=u.created_at, active=u.active))

    def by_token_hash(self, token_hash: str) -> User | None:
        r = self.conn.execute(_USER_BY_TOKEN, {"b_hash": token_hash}).first()
        if r is None:
            return None
        return User(r.id, r.name, r.role, r.customer_id, r.token_hash, r.created_at, r.active)


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

    def set_auto_renew(self, policy: Policy, auto_renew: bool, expected_version: int) -> int:
        policy.auto_renew = auto_renew
        return self._bump(policy, expected_version, {"auto_renew": auto_renew})

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
        if items:
            self.conn.execute(_PENDING_INSERT, [self._values(p) for p in items])

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


class LedgerRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, e: JournalEntry) -> None:
        self.add_many([e])

    def add_many(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        self.conn.execute(journal_entries.insert(), [
            dict(id=e.entry_id, posted_at=e.posted_at, description=e.description, policy_id=e.policy_id,
                 transaction_id=e.transaction_id, reverses=e.reverses) for e in entries])
        self.conn.execute(postings.insert(), [
            dict(entry_id=e.entry_id, line_no=i, policy_id=e.policy_id, account=p.account,
                 amount_pence=p.amount.pence, memo=p.memo) for e in entries for i, p in enumerate(e.postings)])

    def _entries(self, where: Any) -> list[JournalEntry]:
        heads = self.conn.execute(journal_entries.select().where(where)
                                  .order_by(journal_entries.c.posted_at, journal_entries.c.id)).all()
        if not heads:
            return []
        ids = [h.id for h in heads]
        lines: dict[str, list[Posting]] = {i: [] for i in ids}
        for start in range(0, len(ids), 900):
            rows = self.conn.execute(postings.select().where(postings.c.entry_id.in_(ids[start:start + 900]))
                                     .order_by(postings.c.entry_id, postings.c.line_no))
            for r in rows:
                lines[r.entry_id].append(Posting(r.account, Money.from_pence(r.amount_pence), r.memo))
        return [JournalEntry(h.id, h.posted_at, h.description, h.policy_id, h.transaction_id, tuple(lines[h.id]),
                             h.reverses) for h in heads]

    def for_policy(self, policy_id: str) -> list[JournalEntry]:
        return self._entries(journal_entries.c.policy_id == policy_id)

    def get(self, entry_id: str) -> JournalEntry | None:
        found = self._entries(journal_entries.c.id == entry_id)
        return found[0] if found else None

    def reversal_of(self, entry_id: str) -> JournalEntry | None:
        found = self._entries(journal_entries.c.reverses == entry_id)
        return found[0] if found else None

    def unbalanced_entries(self) -> list[tuple[str, int]]:
        total = sa.func.sum(postings.c.amount_pence)
        q = sa.select(postings.c.entry_id, total).group_by(postings.c.entry_id).having(total != 0)
        lonely = sa.select(journal_entries.c.id, sa.literal(0)).where(
            ~sa.exists().where(postings.c.entry_id == journal_entries.c.id))
        return [(r[0], int(r[1])) for r in self.conn.execute(q)] + [(r[0], 0) for r in self.conn.execute(lonely)]

    def account_totals_by_policy(self) -> dict[str, dict[str, int]]:
        q = (sa.select(postings.c.policy_id, postings.c.account, sa.func.sum(postings.c.amount_pence))
             .where(postings.c.policy_id.is_not(None)).group_by(postings.c.policy_id, postings.c.account))
        out: dict[str, dict[str, int]] = {}
        for pid, account, total in self.conn.execute(q):
            out.setdefault(pid, {})[account] = int(total)
        return out

    def iter_entries(self, batch: int = 1000) -> Iterator[JournalEntry]:
        after = ""
        while True:
            page = self._entries(sa.and_(journal_entries.c.id > after,
                                         journal_entries.c.id.in_(sa.select(journal_entries.c.id)
                                                                  .where(journal_entries.c.id > after)
                                                                  .order_by(journal_entries.c.id).limit(batch))))
            if not page:
                return
            yield from page
            after = max(e.entry_id for e in page)


class ConsentRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, d: ConsentDecision) -> None:
        self.conn.execute(consent_decisions.insert(), dict(
            id=d.decision_id, customer_id=d.customer_id, channel=d.channel.value, purpose=d.purpose.value,
            granted=d.granted, wording=d.wording, source=d.source.value, recorded_at=d.recorded_at,
            recorded_by=d.recorded_by))

    def for_customer(self, customer_id: str) -> list[ConsentDecision]:
        rows = self.conn.execute(consent_decisions.select().where(consent_decisions.c.customer_id == customer_id)
                                 .order_by(consent_decisions.c.recorded_at, consent_decisions.c.id))
        return [ConsentDecision(r.customer_id, Channel(r.channel), ConsentPurpose(r.purpose), r.granted, r.wording,
                                Source(r.source), r.recorded_at, r.recorded_by, r.id) for r in rows]


class IdempotencyRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, key: str, scope: str) -> StoredResponse | None:
        r = self.conn.execute(_IDEMPOTENCY_GET, {"b_key": key, "b_scope": scope}).first()
        return None if r is None else StoredResponse(r.key, r.scope, r.fingerprint, r.response)

    def put(self, s: StoredResponse) -> None:
        self.conn.execute(_IDEMPOTENCY_INSERT, dict(key=s.key, scope=s.scope, fingerprint=s.fingerprint,
                                                    response=s.response, created_at=datetime.now(UTC)))


class TransactionTotalsRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def totals_by_policy(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        q = sa.select(policy_transactions.c.policy_id, sa.func.sum(policy_transactions.c.premium_pence),
                      sa.func.sum(policy_transactions.c.ipt_pence)).group_by(policy_transactions.c.policy_id)
        for pid, premium, ipt in self.conn.execute(q):
            out[pid] = {"premium": int(premium), "ipt": int(ipt)}
        fees = sa.select(policy_transactions.c.policy_id, policy_transactions.c.fees_charged,
                         policy_transactions.c.fees_refunded)
        for pid, charged, refunded in self.conn.execute(fees):
            for sign, lines in ((1, charged), (-1, refunded)):
                for f in lines:
                    k = f"fees:{f['code']}"
                    out[pid][k] = out[pid].get(k, 0) + sign * Money.of(f["amount"]).pence
        return out

    def term_totals(self) -> list[tuple[str, int, int, int, str]]:
        t = policy_transactions
        sums = (sa.select(t.c.policy_id, t.c.term_no, sa.func.sum(t.c.premium_pence).label("premium"),
                          sa.func.sum(t.c.ipt_pence).label("ipt"), sa.func.max(t.c.ipt_rate).label("rate"))
                .group_by(t.c.policy_id, t.c.term_no))
        return [(r.policy_id, r.term_no, int(r.premium), int(r.ipt), r.rate) for r in self.conn.execute(sums)
                if r.rate is not None]

"""Erasure on request against real databases (PRV-3, PRV-4): every table of the schema is read before
and after, and the test says exactly which rows and fields changed, for a person with only a quote and
consents, under a legal hold, with a live policy, with an open claim, and with a fraud marker. Another
customer's rows never change; the plan (dry run) changes nothing but the case; a wrong or stale plan is
refused; a completed erasure cannot be applied again."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from covernote.identity.usecases import SYSTEM, Principal, Unauthenticated, authenticate, create_user
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict
from covernote.kernel.ids import new_id
from covernote.lifecycle.usecases import policies, quotes
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Driver, Risk, make_answers
from covernote.policy.usecases import customers
from covernote.privacy.usecases import consent, erasure, registers, requests, sensitive
from covernote.store.tables import metadata
from tests.support import cancel, vehicle

# -- a snapshot of every table, and the difference between two ----------------------------------------

Snapshot = dict[str, dict[str, dict[str, Any]]]
_INDEX = re.compile(r"\[\d+\]")


def snapshot(ctx: AppContext) -> Snapshot:
    """Every row of every table of the schema, keyed by table and primary key."""
    out: Snapshot = {}
    with ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        for t in metadata.sorted_tables:
            rows: dict[str, dict[str, Any]] = {}
            for r in conn.execute(t.select()):
                m = dict(r._mapping)
                rows["/".join(str(m[c.name]) for c in t.primary_key.columns)] = m
            out[t.name] = rows
    return out


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON document as path -> leaf (`drivers[0].name`)."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


@dataclass
class Diff:
    added: set[tuple[str, str]] = field(default_factory=set)
    deleted: set[tuple[str, str]] = field(default_factory=set)
    # (table, primary key, column or column:json.path) -> (before, after)
    changed: dict[tuple[str, str, str], tuple[Any, Any]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.deleted or self.changed)

    def fields(self, table: str, key: str) -> dict[str, tuple[Any, Any]]:
        return {f: v for (t, k, f), v in self.changed.items() if t == table and k == key}

    def rows_changed(self) -> set[tuple[str, str]]:
        return {(t, k) for t, k, _ in self.changed}

    def without_case(self, request_id: str) -> Diff:
        """The difference outside the request case itself (its row and its event log)."""
        return Diff({a for a in self.added if a[0] != "subject_request_events"}, set(self.deleted),
                    {k: v for k, v in self.changed.items() if (k[0], k[1]) != ("subject_requests", request_id)})


def diff(before: Snapshot, after: Snapshot) -> Diff:
    d = Diff()
    for table in before:
        b, a = before[table], after[table]
        d.added |= {(table, k) for k in a.keys() - b.keys()}
        d.deleted |= {(table, k) for k in b.keys() - a.keys()}
        for key in b.keys() & a.keys():
            for column, old in b[key].items():
                new = a[key][column]
                if old == new:
                    continue
                if isinstance(old, dict | list) and isinstance(new, dict | list):
                    fo, fn = flatten(old), flatten(new)
                    for path in fo.keys() | fn.keys():
                        if fo.get(path, "<absent>") != fn.get(path, "<absent>"):
                            d.changed[(table, key, f"{column}:{path}")] = (fo.get(path), fn.get(path))
                else:
                    d.changed[(table, key, column)] = (old, new)
    return d


def keyed(ctx: AppContext, value: Any, length: int | None) -> str:
    """The declared keyed hash: "h:" and the HMAC of the value under the keyring's secret, cut to the column."""
    assert ctx.keyring is not None
    text = "h:" + ctx.keyring.keyed_hash(str(value))
    return text[:length] if length else text


# -- the people --------------------------------------------------------------------------------------


@dataclass
class Person:
    customer_id: str
    user_id: str
    token: str
    name: str
    email: str
    reg: str
    quote_id: str | None = None
    policy: dict[str, Any] | None = None
    extra_quote_id: str | None = None
    bind_key: str | None = None

    @property
    def retry_row(self) -> tuple[str, str]:
        """The retry cache row of the person's own bind (idempotency_keys, key/scope)."""
        return ("idempotency_keys", f"{self.bind_key}/bind:{self.user_id}")

    @property
    def principal(self) -> Principal:
        return Principal(self.user_id, "customer", self.customer_id)


LICENCE = "ERASA802145AB9CD"


def risk_for(name: str, reg: str, postcode: str) -> Risk:
    return Risk(vehicle(reg), (Driver("d1", name, date(1985, 2, 14), date(2004, 6, 1)),), postcode,
                make_answers({"annual_mileage": 7000, "ncd_years": 4}))


def seed(ctx: AppContext, label: str, reg: str, *, bound: bool = False, unbound_quote: bool = True,
         secrets: bool = True) -> Person:
    """A person with a login, marketing consents, sensitive fields and (optionally) a quote or a policy."""
    name, email = f"{label} Erasable", f"{label.lower()}@example.org"
    cid = customers.create_customer(ctx, SYSTEM, name=name, email=email, address=f"7 {label} Road, Leeds",
                                    postcode="LS6 2AB", phone="0113 496 0000",
                                    date_of_birth=date(1985, 2, 14))["id"]
    user, token = create_user(ctx, label, "customer", cid)
    for channel in ("email", "sms"):
        consent.record_decision(ctx, SYSTEM, cid, channel=channel, purpose="marketing", granted=True,
                                wording="Yes, send me offers about Covernote products", source="web")
    p = Person(cid, user.user_id, token, name, email, reg)
    risk = risk_for(name, reg, "LS6 2AB")
    if bound:
        q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), risk, cid))
        p.bind_key = new_id("key")  # the person binds it themselves, with their own login
        p.policy = quotes.bind_quote(ctx, p.principal, q["id"], payment_token="tok_visa", idempotency_key=p.bind_key)
        p.quote_id = q["id"]
    if unbound_quote:
        q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), risk, cid))
        if bound:
            p.extra_quote_id = q["id"]
        else:
            p.quote_id = q["id"]
    if secrets:
        sensitive.record(ctx, SYSTEM, cid, "policyholder", licence_number=LICENCE,
                         health=[{"condition": "diabetes", "notified_to_dvla": True}],
                         convictions=[{"code": "SP30", "date": "2024-05-01", "points": 3}],
                         bank_details={"sort_code": "12-34-56", "account_number": "12345678",
                                       "account_name": f"{label} Erasable"})
    return p


def bystander(ctx: AppContext) -> Person:
    """Another customer with every kind of record: nothing of theirs may change."""
    other = seed(ctx, "Olive", "OL19VEH", bound=True)
    requests.start(ctx, other.principal, other.customer_id, kind="access")
    return other


def erasure_case(ctx: AppContext, p: Person) -> str:
    """The person asks through their own login: identity verified, in progress."""
    view = requests.start(ctx, p.principal, p.customer_id, kind="erasure",
                          details={"description": "Please erase everything you hold about me"})
    assert view["status"] == "in_progress" and view["identity"]["method"] == "authenticated login"
    return str(view["id"])


def plan_and_apply(ctx: AppContext, request_id: str) -> tuple[dict[str, Any], dict[str, Any], Diff]:
    """Plan (asserting it changes nothing but the case), apply, and return the difference applying made."""
    before = snapshot(ctx)
    plan = erasure.plan(ctx, SYSTEM, request_id)
    after_plan = snapshot(ctx)
    d = diff(before, after_plan)
    assert d.without_case(request_id).empty, d
    case = d.fields("subject_requests", request_id)
    assert set(case) == {"outcome", "version"}
    assert case["outcome"] == (None, {"plan": plan["fingerprint"], "planned_at": ctx.clock.now().isoformat()})
    assert [t for t, _ in d.added] == ["subject_request_events"]
    assert plan["dry_run"] is True
    # The plan is repeatable: planning again gives the same fingerprint and changes nothing else.
    assert erasure.plan(ctx, SYSTEM, request_id)["fingerprint"] == plan["fingerprint"]
    before = snapshot(ctx)
    done = erasure.apply(ctx, SYSTEM, request_id, plan["fingerprint"])
    assert done["dry_run"] is False and done["fingerprint"] == plan["fingerprint"]
    assert done["request"]["status"] == "completed"
    assert done["request"]["version"] == requests.get(ctx, SYSTEM, request_id)["version"]  # the stored version
    return plan, done, diff(before, snapshot(ctx))


def case_changes(d: Diff, request_id: str) -> None:
    """The case is closed (status, outcome, completion), with one event; nothing else of it changes."""
    columns = {f.split(":", 1)[0] for f in d.fields("subject_requests", request_id)}
    assert columns == {"status", "outcome", "completed_at", "version"}
    assert d.changed[("subject_requests", request_id, "status")] == ("in_progress", "completed")
    assert [t for t, _ in d.added] == ["subject_request_events"]


def pattern(path: str) -> str:
    return _INDEX.sub("[]", path)


def json_changes(d: Diff, table: str, key: str) -> dict[str, set[Any]]:
    """Changed JSON paths of one row, index-free, with the set of values they now hold."""
    out: dict[str, set[Any]] = {}
    for f, (_old, new) in d.fields(table, key).items():
        if ":" in f:
            out.setdefault(pattern(f), set()).add(json.dumps(new))
    return out


def assert_untouched(d: Diff, other: Person, ctx: AppContext) -> None:
    """No row that belongs to the other customer appears in the difference."""
    with ctx.uow(read_only=True) as uow:
        rows = uow.subject_data.rows(other.customer_id)
    theirs = {(t, "/".join(str(r[c.name]) for c in metadata.tables[t].primary_key.columns))
              for t, rs in rows.items() for r in rs}
    assert theirs, "the other customer has records"
    touched = d.rows_changed() | d.deleted | d.added
    assert not theirs & touched


RISK_PATHS = {"risk:vehicle.registration", "risk:vehicle.make", "risk:vehicle.model", "risk:vehicle.year",
              "risk:vehicle.value", "risk:vehicle.abi_group", "risk:vehicle.fuel", "risk:vehicle.engine_cc",
              "risk:vehicle.co2_gkm", "risk:vehicle.mileage", "risk:drivers[].driver_id", "risk:drivers[].name",
              "risk:drivers[].date_of_birth", "risk:drivers[].licence_held_since", "risk:postcode",
              "risk:answers.annual_mileage", "risk:answers.ncd_years"}


# -- (a) only a quote and consents: everything goes ------------------------------------------------------


def test_prv4_erasure_of_a_quote_only_customer_erases_every_declared_field(db_ctx: AppContext) -> None:
    """PRV-4 (a): keyed hashes for name, e-mail, address and postcode, nulls for phone and date of birth,
    the quote's risk nulled per declaration, consent rows deleted, the data key destroyed, the login
    closed and the record marked erased; the other customer's rows untouched."""
    ctx = db_ctx
    other = bystander(ctx)
    p = seed(ctx, "Zed", "ZE19DEL")
    rid = erasure_case(ctx, p)
    before = snapshot(ctx)
    plan, done, d = plan_and_apply(ctx, rid)

    cid = p.customer_id
    row = before["customers"][cid]
    assert d.fields("customers", cid) == {
        "name": (row["name"], keyed(ctx, row["name"], 200)),
        "email": (row["email"], keyed(ctx, row["email"], 320)),
        "address": (row["address"], keyed(ctx, row["address"], None)),
        "postcode": (row["postcode"], keyed(ctx, row["postcode"], 10)),
        "phone": ("0113 496 0000", None),
        "date_of_birth": (date(1985, 2, 14), None),
        "erased_at": (None, ctx.clock.now()),
    }
    user = before["users"][p.user_id]
    assert d.fields("users", p.user_id) == {
        "name": (user["name"], keyed(ctx, user["name"], 200)),
        "token_hash": (user["token_hash"], keyed(ctx, user["token_hash"], 64)),
        "active": (True, False),
    }
    assert p.quote_id is not None
    changed = json_changes(d, "quotes", p.quote_id)
    # every declared path of the risk is nulled (its declaration says null); so are the rating inputs
    assert {k for k in changed if k.startswith("risk:")} >= RISK_PATHS
    assert set(changed) - {k for k in changed if k.startswith("risk:")} == {"rating:trace[].value"}
    assert all(v == {"null"} for v in changed.values())
    stored = ctx.uow.engine.connect().execute(  # type: ignore[attr-defined]
        metadata.tables["quotes"].select().where(metadata.tables["quotes"].c.id == p.quote_id)).one()
    assert stored.risk["vehicle"]["registration"] is None and stored.risk["drivers"][0]["name"] is None
    assert stored.premium_pence == before["quotes"][p.quote_id]["premium_pence"]  # prices are not personal
    # consents are deleted, the data key destroyed (the sensitive ciphertext can never be read again)
    consent_rows = {k for k, r in before["consent_decisions"].items() if r["customer_id"] == cid}
    assert len(consent_rows) == 2
    assert d.deleted == {("consent_decisions", k) for k in consent_rows} | {("subject_keys", cid)}
    assert d.rows_changed() == {("customers", cid), ("users", p.user_id), ("quotes", p.quote_id),
                                ("subject_requests", rid)}
    case_changes(d, rid)
    assert_untouched(d, other, ctx)

    assert done["logins_closed"] == 1 and plan["warnings"] == [] and done["warnings"] == []
    assert done["keys_dropped"] == {"subject_keys_deleted": 1, "sensitive_rows_unreadable": 1}
    assert {k["table"] for k in done["kept"]} == {"subject_requests"}
    with pytest.raises(Unauthenticated):
        authenticate(ctx, p.token)
    authenticate(ctx, other.token)
    # the outcome stored on the case names fields and reasons, never the values erased
    with ctx.uow(read_only=True) as uow:
        outcome = json.dumps(uow.requests.get(rid).outcome)  # type: ignore[union-attr]
    for value in (p.name, p.email, p.reg, "0113 496 0000", "LS6 2AB"):
        assert value not in outcome


def test_prv4_erasure_can_be_applied_once_and_never_with_a_wrong_or_stale_plan(db_ctx: AppContext) -> None:
    """PRV-4: apply without a plan, with a wrong fingerprint or a stale one is refused (409, field
    fingerprint) and changes nothing; a completed erasure cannot be applied or planned again."""
    ctx = db_ctx
    p = seed(ctx, "Sam", "SA19MEE", secrets=False)
    rid = erasure_case(ctx, p)
    before = snapshot(ctx)
    with pytest.raises(Conflict) as no_plan:
        erasure.apply(ctx, SYSTEM, rid, "0123456789abcdef")
    assert no_plan.value.issues[0].field == "fingerprint"
    assert diff(before, snapshot(ctx)).empty

    plan = erasure.plan(ctx, SYSTEM, rid)
    before = snapshot(ctx)
    with pytest.raises(Conflict) as wrong:
        erasure.apply(ctx, SYSTEM, rid, "0123456789abcdef")
    assert wrong.value.issues[0].field == "fingerprint"
    assert diff(before, snapshot(ctx)).empty

    # the records change after the plan was shown: a new consent decision the plan did not include
    consent.record_decision(ctx, SYSTEM, p.customer_id, channel="phone", purpose="feedback", granted=True,
                            wording="Yes, you may call me about my experience", source="phone")
    before = snapshot(ctx)
    with pytest.raises(Conflict) as stale:
        erasure.apply(ctx, SYSTEM, rid, plan["fingerprint"])
    assert stale.value.issues[0].field == "fingerprint" and "out of date" in stale.value.issues[0].reason
    assert diff(before, snapshot(ctx)).empty

    fresh = erasure.plan(ctx, SYSTEM, rid)
    assert fresh["fingerprint"] != plan["fingerprint"]
    erasure.apply(ctx, SYSTEM, rid, fresh["fingerprint"])
    before = snapshot(ctx)
    with pytest.raises(Conflict, match="completed"):
        erasure.apply(ctx, SYSTEM, rid, fresh["fingerprint"])
    with pytest.raises(Conflict, match="completed"):
        erasure.plan(ctx, SYSTEM, rid)
    assert diff(before, snapshot(ctx)).empty


def test_prv4_erasure_needs_an_erasure_case_in_progress_and_staff_to_apply(db_ctx: AppContext) -> None:
    """PRV-3/PRV-4: a case awaiting identity cannot be planned; an access case is not an erasure; the
    person sees the plan of their own case, but staff apply it."""
    ctx = db_ctx
    p = seed(ctx, "Ida", "ID19ENT", secrets=False, unbound_quote=False)
    postal = requests.start(ctx, SYSTEM, p.customer_id, kind="erasure", channel="post")
    with pytest.raises(Conflict, match="awaiting_identity"):
        erasure.plan(ctx, SYSTEM, postal["id"])
    access = requests.start(ctx, p.principal, p.customer_id, kind="access")
    with pytest.raises(Conflict, match="not erasure"):
        erasure.plan(ctx, SYSTEM, access["id"])
    rid = erasure_case(ctx, p)
    plan = erasure.plan(ctx, p.principal, rid)
    from covernote.kernel.errors import Forbidden, NotFound

    with pytest.raises(Forbidden):
        erasure.apply(ctx, p.principal, rid, plan["fingerprint"])
    stranger = seed(ctx, "Una", "UN19KWN", secrets=False, unbound_quote=False)
    with pytest.raises(NotFound):
        erasure.plan(ctx, stranger.principal, rid)


# -- (b) a legal hold: nothing changes -----------------------------------------------------------------


def test_prv4_issue13_item22_legal_hold_keeps_everything_and_erase_refuses_the_empty_plan(db_ctx: AppContext) -> None:
    """PRV-4 (b), PRV-6: with an active legal hold on the customer nothing of theirs changes; every kept
    field names the hold. Issue 13 item 22: applying a plan that erases nothing is refused (409, naming
    the fingerprint), saying nothing was erased; nothing changes and the case stays in progress."""
    ctx = db_ctx
    other = bystander(ctx)
    p = seed(ctx, "Hal", "HA19LDS", bound=True)
    registers.set_hold(ctx, SYSTEM, scope="customer", scope_id=p.customer_id, reason="Litigation 2026/117",
                       review_on=ctx.today() + timedelta(days=90))
    rid = erasure_case(ctx, p)
    plan = erasure.plan(ctx, SYSTEM, rid)
    before = snapshot(ctx)
    with pytest.raises(Conflict) as exc:
        erasure.apply(ctx, SYSTEM, rid, plan["fingerprint"])
    assert "nothing was erased" in exc.value.message and "still in progress" in exc.value.message
    assert [(i.field, i.reason) for i in exc.value.issues] == [("fingerprint", "the plan erases nothing")]
    d = diff(before, snapshot(ctx))
    assert d.empty, d
    assert requests.get(ctx, SYSTEM, rid)["status"] == "in_progress"
    assert plan["erased"] == [] and plan["rows_deleted"] == []
    kept = [k for k in plan["kept"] if k["table"] != "subject_requests"]
    assert {k["table"] for k in kept} == {"customers", "users", "quotes", "policies", "policy_transactions",
                                         "consent_decisions", "sensitive_data", "idempotency_keys",
                                         "mid_updates"}  # REG-1: the bound policy's MID update
    assert all(k["reason"].startswith("a legal hold applies: Litigation 2026/117") for k in kept)
    assert "logins_closed" not in plan and "keys_dropped" not in plan
    authenticate(ctx, p.token)
    assert_untouched(d, other, ctx)


# -- (c) a live policy: contract data stays, marketing goes --------------------------------------------------


def test_prv4_live_policy_keeps_contract_data_warns_and_still_erases_marketing(db_ctx: AppContext) -> None:
    """PRV-4 (c): with a live policy everything the contract needs is kept with the live_contract reason,
    the plan warns that erasure would end the cover, the marketing consents are deleted and a quote that
    never became a policy is erased."""
    ctx = db_ctx
    other = bystander(ctx)
    p = seed(ctx, "Liv", "LI19VEP", bound=True)
    assert p.policy is not None and p.extra_quote_id is not None
    rid = erasure_case(ctx, p)
    before = snapshot(ctx)
    plan, done, d = plan_and_apply(ctx, rid)

    number = p.policy["number"]
    assert len(plan["warnings"]) == 1
    assert number in plan["warnings"][0] and "would end the cover" in plan["warnings"][0]
    assert done["warnings"] == plan["warnings"]
    kept = [k for k in plan["kept"] if k["table"] != "subject_requests"]
    assert kept and all(k["reason"].startswith(f"policy {number} is live") for k in kept)
    assert {k["table"] for k in kept} >= {"customers", "users", "quotes", "policies", "policy_transactions",
                                         "sensitive_data"}
    consent_rows = {k for k, r in before["consent_decisions"].items() if r["customer_id"] == p.customer_id}
    # the consents go (marketing), and so does the retry cache of the person's own calls
    assert p.retry_row[1] in before["idempotency_keys"]
    assert d.deleted == {("consent_decisions", k) for k in consent_rows} | {p.retry_row}
    # the quote that was never bound is not needed for the contract
    assert d.rows_changed() == {("quotes", p.extra_quote_id), ("subject_requests", rid)}
    assert all(v == {"null"} for v in json_changes(d, "quotes", p.extra_quote_id).values())
    assert set(json_changes(d, "quotes", p.extra_quote_id)) >= RISK_PATHS
    assert before["customers"][p.customer_id]["erased_at"] is None
    assert snapshot(ctx)["customers"][p.customer_id]["erased_at"] is None
    case_changes(d, rid)
    authenticate(ctx, p.token)  # the login the policy is managed with stays open
    assert_untouched(d, other, ctx)


# -- (d) an open claim on an ended policy --------------------------------------------------------------------


def _claimed_and_cancelled(ctx: AppContext, label: str, reg: str) -> Person:
    p = seed(ctx, label, reg, bound=True, unbound_quote=False)
    assert p.policy is not None
    policies.record_incident(ctx, SYSTEM, p.policy["id"], kind="claim", occurred_on=ctx.today(),
                             reference=f"CLM-{label.upper()}", description="rear-ended at lights")
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=20))
    cancel(ctx, p.policy["id"], ctx.today())
    clock.advance(timedelta(days=1))
    return p


def test_prv4_open_claim_on_an_ended_policy_keeps_what_claims_need(db_ctx: AppContext) -> None:
    """PRV-4 (d): the policy ended long enough ago that its retention period is over, but a claim on it
    is still open: what claims, fraud prevention, payments and accounts need is kept, naming the claim;
    the rating inputs, the login and the marketing consents go."""
    ctx = db_ctx
    other = bystander(ctx)
    p = _claimed_and_cancelled(ctx, "Cora", "CO19RAC")
    assert p.policy is not None and p.quote_id is not None
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(days=365 * 8 + 2))  # past the seven years after the policy ended
    rid = erasure_case(ctx, p)
    before = snapshot(ctx)
    plan, done, d = plan_and_apply(ctx, rid)
    assert (done["erased"], done["kept"]) == (plan["erased"], plan["kept"])  # what was shown is what was done

    number = p.policy["number"]
    kept = [k for k in plan["kept"] if k["table"] != "subject_requests"]
    assert kept and all(k["reason"] == f"claim CLM-CORA on policy {number} is open" for k in kept)
    assert {(k["table"], k["field"]) for k in kept} >= {
        ("customers", "name"), ("customers", "email"), ("customers", "address"), ("policies", "number"),
        ("policies", "payment_token"), ("quotes", "risk:vehicle.registration"),
        ("policy_transactions", "details:event.reference")}
    assert plan["warnings"] == []
    # what changed: the login (its purpose, service access, is not a claims purpose), the rating inputs
    # (pricing) and the consents (marketing)
    user = before["users"][p.user_id]
    assert d.fields("users", p.user_id) == {  # a hashed token can never match: the login is closed too
        "name": (user["name"], keyed(ctx, user["name"], 200)), "active": (True, False),
        "token_hash": (user["token_hash"], keyed(ctx, user["token_hash"], 64))}
    assert set(json_changes(d, "quotes", p.quote_id)) == {"rating:trace[].value"}
    assert d.fields("customers", p.customer_id) == {}
    txn_changes = {pattern(f) for (t, _k, f) in d.changed if t == "policy_transactions"}
    assert txn_changes <= {"details:rating.trace[].value", "details:versions[].rating.trace[].value"}
    assert {t for (t, _k, _f) in d.changed} <= {"users", "quotes", "policy_transactions", "pending_quotes",
                                                "subject_requests"}
    assert all(pattern(f).endswith("trace[].value") for (t, _k, f) in d.changed if t == "pending_quotes")
    assert {t for t, _ in d.deleted} == {"consent_decisions", "idempotency_keys"} and p.retry_row in d.deleted
    with pytest.raises(Unauthenticated):
        authenticate(ctx, p.token)  # its token hash is gone
    case_changes(d, rid)
    assert_untouched(d, other, ctx)


def test_prv4_claim_within_retention_is_kept_and_after_both_everything_goes(db_ctx: AppContext) -> None:
    """PRV-4, PRV-5: within the retention period an ended policy with a claim keeps its records (legal
    retention or the open claim); an ended policy without claims past its retention keeps nothing."""
    ctx = db_ctx
    p = _claimed_and_cancelled(ctx, "Rita", "RI19TEN")
    assert p.policy is not None
    rid = erasure_case(ctx, p)
    plan = erasure.plan(ctx, SYSTEM, rid)
    number = p.policy["number"]
    reasons = {k["reason"] for k in plan["kept"] if k["table"] != "subject_requests"}
    assert reasons and all(r.startswith(f"policy {number} ended") or r == f"claim CLM-RITA on policy {number} is open"
                           for r in reasons)
    assert ("customers", "name") in {(k["table"], k["field"]) for k in plan["kept"]}

    q = seed(ctx, "Nora", "NO19CLM", bound=True, unbound_quote=False, secrets=False)
    assert q.policy is not None
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(days=10))
    cancel(ctx, q.policy["id"], ctx.today())
    ctx.clock.advance(timedelta(days=365 * 8 + 2))
    rid2 = erasure_case(ctx, q)
    plan2, done2, d2 = plan_and_apply(ctx, rid2)
    assert {k["table"] for k in plan2["kept"]} == {"subject_requests"}
    assert d2.fields("customers", q.customer_id)["erased_at"] == (None, ctx.clock.now())
    assert d2.fields("policies", q.policy["id"])["number"][1] == keyed(ctx, q.policy["number"], 20)
    assert done2["logins_closed"] == 1


# -- (e) a fraud marker: what fraud prevention needs stays ---------------------------------------------------


def test_prv4_fraud_marker_keeps_fraud_prevention_fields_only(db_ctx: AppContext) -> None:
    """PRV-4 (e), S1 section 10: fields declared for fraud prevention are kept (without revealing the
    marker); the rest is erased: e-mail, address and phone, the login, the consents, the rating inputs
    and the sensitive fields not needed for fraud prevention (their ciphertext deleted, the key kept
    for the licence number)."""
    ctx = db_ctx
    other = bystander(ctx)
    p = seed(ctx, "Finn", "FI19NNN")
    registers.record_marker(ctx, SYSTEM, p.customer_id, reason="Staged accident ring, ref op-nightjar")
    rid = erasure_case(ctx, p)
    before = snapshot(ctx)
    plan, done, d = plan_and_apply(ctx, rid)

    cid = p.customer_id
    row = before["customers"][cid]
    assert d.fields("customers", cid) == {
        "email": (row["email"], keyed(ctx, row["email"], 320)),
        "address": (row["address"], keyed(ctx, row["address"], None)),
        "phone": ("0113 496 0000", None),
    }
    kept = {(k["table"], k["field"]) for k in plan["kept"] if k["table"] != "subject_requests"}
    assert {("customers", "name"), ("customers", "postcode"), ("customers", "date_of_birth"),
            ("sensitive_data", "licence_number"), ("quotes", "risk:vehicle.registration"),
            ("quotes", "risk:drivers[].name")} <= kept
    assert {k["reason"] for k in plan["kept"] if k["table"] != "subject_requests"} == {
        "kept to prevent and detect fraud, as our privacy notice explains"}
    assert "nightjar" not in json.dumps(plan) and "nightjar" not in json.dumps(done)
    user = before["users"][p.user_id]
    assert d.fields("users", p.user_id) == {  # a hashed token can never match: the login is closed too
        "name": (user["name"], keyed(ctx, user["name"], 200)), "active": (True, False),
        "token_hash": (user["token_hash"], keyed(ctx, user["token_hash"], 64))}
    assert p.quote_id is not None
    assert set(json_changes(d, "quotes", p.quote_id)) == {"rating:trace[].value"}
    sens_key = next(k for k, r in before["sensitive_data"].items() if r["customer_id"] == cid)
    sens = d.fields("sensitive_data", sens_key)
    assert set(sens) == {"health", "convictions", "bank_details"}
    assert all(new is None and old is not None for old, new in sens.values())
    consent_rows = {k for k, r in before["consent_decisions"].items() if r["customer_id"] == cid}
    assert d.deleted == {("consent_decisions", k) for k in consent_rows}  # the data key stays
    assert d.rows_changed() == {("customers", cid), ("users", p.user_id), ("quotes", p.quote_id),
                                ("sensitive_data", sens_key), ("subject_requests", rid)}
    case_changes(d, rid)
    assert_untouched(d, other, ctx)
    # the licence number is still readable for fraud prevention
    reader = create_user(ctx, "Una Underwriter", "underwriter")[0]
    view = sensitive.read(ctx, Principal(reader.user_id, "underwriter"), cid, "policyholder", purpose="fraud")
    assert LICENCE in json.dumps(view)


def test_prv4_person_sees_the_plan_without_learning_of_a_hold_or_a_fraud_marker(db_ctx: AppContext) -> None:
    """PRV-4 with DPA 2018 Sch. 2 paras 2 and 19: the plan the person fetches says the data is kept where the
    law requires it, not that a hold or a fraud marker exists; staff see the reason, and the fingerprint is the
    same for both, so staff can apply what the person was shown."""
    ctx = db_ctx
    p = seed(ctx, "Ivy", "IV19HLD", bound=True)
    registers.set_hold(ctx, SYSTEM, scope="customer", scope_id=p.customer_id, reason="Litigation 2026/118",
                       review_on=ctx.today() + timedelta(days=90))
    registers.record_marker(ctx, SYSTEM, p.customer_id, reason="Staged accident ring, ref op-kestrel")
    rid = erasure_case(ctx, p)
    seen = erasure.plan(ctx, p.principal, rid)
    text = json.dumps(seen)
    # (the routine fraud checks' disclosures are shown to the person, issue 13 item 3: not the marker)
    assert "Litigation" not in text and "legal hold" not in text and "kestrel" not in text.lower()
    assert "marker" not in text and "Staged" not in text
    assert {k["reason"] for k in seen["kept"] if k["table"] != "subject_requests"} == {erasure.UNDISCLOSED}
    staff = erasure.plan(ctx, SYSTEM, rid)
    assert staff["fingerprint"] == seen["fingerprint"]
    assert any("Litigation 2026/118" in k["reason"] for k in staff["kept"])


def test_prv4_earlier_requests_details_are_erased_the_current_case_is_kept(db_ctx: AppContext) -> None:
    """PRV-4: the evidence kept is of the request being answered; what the person wrote in earlier requests
    (a correction, a trusted person's name) is erased with the rest."""
    ctx = db_ctx
    p = seed(ctx, "Jo", "JO19OLD", secrets=False)
    old = requests.start(ctx, SYSTEM, p.customer_id, kind="death_directive", channel="post",
                         identity_method="letter with ID", details={"directive": "transfer",
                                                                    "trusted_person": "Kit Trusted"})["id"]
    requests.fulfil(ctx, SYSTEM, old)
    rid = erasure_case(ctx, p)
    _plan, _done, d = plan_and_apply(ctx, rid)
    assert ("subject_requests", old, "details") in {(t, k, f.split(":")[0].split(".")[0]) for (t, k, f) in d.changed}
    assert "Kit Trusted" not in json.dumps(requests.get(ctx, SYSTEM, old))
    assert requests.get(ctx, SYSTEM, rid)["details"] == {"description": "Please erase everything you hold about me"}

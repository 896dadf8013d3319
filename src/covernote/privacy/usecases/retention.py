"""The retention sweep (PRV-5, PRV-10, TEL-8) and the dealership retention settings (S0).

The sweep applies each product's retention schedule to the records Covernote holds, as at a day
(`as_of`, default today; never a future day):

1. quotes never taken up: the product's `no_contract` rule from the person's last contact; the quote
   row is deleted;
2. policies that have ended: the product's `policy` rule from the day the policy ended; the policy, its
   transactions, its pending changes and the quote it was bound from are anonymised by each field's
   declared strategy (amounts, products and dates are not personal and stay, for statistics). Where the
   product has a `billing` rule (S2), billing data stays until that rule is due too;
3. people with nothing left to keep (no quote still open, every policy anonymised including its billing
   data): the house `no_contract` rule from their last contact; their record, logins, consent decisions
   and other personal rows are anonymised or deleted by strategy, their data key dropped, and
   `customers.erased_at` set (a complaint keeps its own copy of the complainant's details until 4.);
4. complaints closed three years ago (house rule `house:complaints`, DISP 1.9, CMP-3): the complaint, its
   letters and its clocks' free text are anonymised by each field's declared strategy (kind, team, product,
   dates, outcome, root cause and redress stay, for the complaints report). The rule appears in the report
   once a closed complaint may be due.

Anything about a person under an active legal hold or fraud marker is skipped and counted as held.
Every action is recorded in `retention_actions` in the same unit of work as the change, one unit of
work per batch: a run stopped half-way leaves finished batches done and the rest untouched, and the
next run carries on (what is done is never found again). On PostgreSQL the policy and customer stages
pipeline their batches (`_Sweep.batches`): the next batch reads while one writes, and they commit in
order. Categories with no records held (cookies, call recordings, telematics driving data, the S0
products Covernote does not run) are listed in the report as such. The report holds counts only, never
a personal value.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar, cast

from covernote.identity.usecases import Principal, require_privacy_officer, require_staff
from covernote.kernel.clock import LONDON, london_date
from covernote.kernel.errors import DomainError, FieldIssue, NotFound, ServiceUnavailable, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.kernel.retention import (
    COMPLAINT_RECORDS,
    NO_CONTRACT,
    DealershipPeriod,
    RetentionRule,
    policy_ended_on,
)
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy
from covernote.policy.domain.model import (
    is_anonymised as is_anonymised,  # the policy record's test, asked here by the sweep's readers
)
from covernote.privacy.ports import PolicyFacts, RetentionAction, RetentionRun, RetentionSetting
from covernote.privacy.usecases.results_retention import (
    AnonymisedPolicy,
    AnonymisedTerm,
    DryRunView,
    HeldCounts,
    NotHeldCategory,
    RetentionRunView,
    RetentionSettings,
    RetentionSettingView,
    RuleTally,
    SweepAnswer,
    SweepError,
    SweepReport,
)
from covernote.products.domain.model import Product

_T = TypeVar("_T")
DEFAULT_BATCH = 500
HASH_MEMO = 100_000  # keyed hashes remembered during one run
MAX_BATCH = 5000
# Record categories the sweep acts on; a product's rules for any other category concern records
# Covernote does not hold yet, and are reported as such.
SWEPT = frozenset({"policy", "billing", "no_contract"})
NOT_HELD = "no records of this category are held"
HOUSE_NO_CONTRACT = RetentionRule(
    "no_contract", "last_contact", years=2, action="anonymise",
    source="House rule for people (S2 section 9: In the absence of conclusion of a contract, we delete your "
           "personal data two (2) years after last contact with you); anonymised rather than deleted so that "
           "records pointing at the person stay consistent")
HOUSE_RULE_ID = "house:no_contract"
RETRY_CACHE = RetentionRule(
    "retry_cache", "response_stored", days=30, action="delete",
    source="House rule: an API answer stored against an Idempotency-Key (it repeats personal data declared "
           "elsewhere) is needed only while a client may retry; 30 days is far beyond any retry, and the payment "
           "provider keeps its own idempotency for money")
RETRY_CACHE_ID = "house:retry_cache"
COMPLAINTS_RULE_ID = "house:complaints"  # COMPLAINT_RECORDS: three years after a complaint closed (DISP 1.9)
assert (HOUSE_NO_CONTRACT.years, HOUSE_NO_CONTRACT.trigger) == (NO_CONTRACT.years, NO_CONTRACT.trigger)
_DEALERSHIP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$")


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` in London, in UTC: times before it are on earlier days."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _hasher(ctx: AppContext) -> Callable[[str], str]:
    """The keyring's keyed hash, remembered for the run: the same values (a make, a postcode, a name in
    a quote and again in its policy) recur across the records of a sweep."""
    if ctx.keyring is None:
        raise ServiceUnavailable("no keyring is configured: anonymisation needs its keyed-hash secret")
    return functools.lru_cache(maxsize=HASH_MEMO)(ctx.keyring.keyed_hash)


# -- the report ------------------------------------------------------------------------------------


@dataclass
class _Tally:
    rule: str
    product: str
    category: str
    period: str
    record_kind: str
    action: str
    source: str
    done: int = 0
    held: dict[str, int] = field(default_factory=lambda: {"legal_hold": 0, "fraud_marker": 0})

    def view(self) -> RuleTally:
        return {"rule": self.rule, "product": self.product, "category": self.category, "period": self.period,
                "record_kind": self.record_kind, "action": self.action, "done": self.done,
                "held": {"legal_hold": self.held["legal_hold"], "fraud_marker": self.held["fraud_marker"]},
                "source": self.source}


@dataclass
class _Report:
    as_of: date
    dry_run: bool
    batch_size: int
    tallies: dict[tuple[str, str], _Tally] = field(default_factory=dict)
    fields_changed: dict[str, int] = field(default_factory=dict)
    rows_deleted: dict[str, int] = field(default_factory=dict)
    fields_kept: dict[str, int] = field(default_factory=dict)
    not_held: list[NotHeldCategory] = field(default_factory=list)
    errors: list[SweepError] = field(default_factory=list)
    batches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)  # tallies are looked up by pipelined batches

    def tally(self, rule_id: str, record_kind: str, product: str, rule: RetentionRule) -> _Tally:
        key = (rule_id, record_kind)
        with self.lock:
            if key not in self.tallies:
                self.tallies[key] = _Tally(rule_id, product, rule.category, rule.describe(), record_kind,
                                           rule.action if record_kind != "quote" else "delete", rule.source)
            return self.tallies[key]

    def erased(self, counts: dict[str, dict[str, int]]) -> None:
        for name, target in (("changed", self.fields_changed), ("deleted", self.rows_deleted),
                             ("kept", self.fields_kept)):
            for table, n in counts.get(name, {}).items():
                target[table] = target.get(table, 0) + n

    def view(self) -> SweepReport:
        tallies = [t.view() for t in self.tallies.values()]
        done: dict[str, int] = {}
        held: HeldCounts = {"legal_hold": 0, "fraud_marker": 0}
        for t in self.tallies.values():
            key = f"{t.record_kind}:{t.action}"
            done[key] = done.get(key, 0) + t.done
            held["legal_hold"] += t.held["legal_hold"]
            held["fraud_marker"] += t.held["fraud_marker"]
        return {
            "as_of": self.as_of.isoformat(), "dry_run": self.dry_run, "batch_size": self.batch_size,
            "totals": {"done": done, "held": held, "errors": len(self.errors)},
            "rules": tallies, "fields_changed": dict(sorted(self.fields_changed.items())),
            "rows_deleted": dict(sorted(self.rows_deleted.items())),
            "fields_kept": dict(sorted(self.fields_kept.items())),
            "not_held": self.not_held, "errors": self.errors, "batches": self.batches,
        }


# -- the sweep -------------------------------------------------------------------------------------


def _no_wait() -> None:
    """A batch run on its own writes when it is ready."""


@dataclass
class _Batch:
    """What one batch did, counted in the report by the thread running the sweep once the batch is over:
    `done` if it committed, `held` whatever happened (a held record is held even if its batch fails)."""

    stage: str
    done: list[Callable[[], None]] = field(default_factory=list)
    held: list[Callable[[], None]] = field(default_factory=list)
    turn: Callable[[], None] = _no_wait  # returns once this batch may write (pipelined batches)
    committed: bool = False
    failure: BaseException | None = None


class _Abandoned(Exception):
    """A pipelined batch given up before it wrote anything: a batch before it was stopped (not failed)."""


@dataclass
class _Sweep:
    ctx: AppContext
    as_of: date
    batch_size: int
    run_id: str
    report: _Report
    hasher: Callable[[str], str]
    shared: UnitOfWork | None = None  # a dry run: every batch in one unit of work, never committed
    progress: Progress = no_progress  # hears the batches done (issue 13 item 24)
    pipelined: bool = False  # two batches of a stage at a time (a database that takes concurrent writers)
    local: threading.local = field(default_factory=threading.local)  # the batch this thread is running

    @property
    def current(self) -> _Batch:
        batch: _Batch = self.local.batch
        return batch

    @contextmanager
    def batch(self, stage: str) -> Iterator[UnitOfWork]:
        """One unit of work per batch; an error is reported (kind and stage, never values) and the sweep
        goes on with the next batch. A dry run shares one unit of work and stops at an error."""
        b = self.local.batch = _Batch(stage)
        try:
            if self.shared is not None:
                yield self.shared
            else:
                with self.ctx.uow() as uow:
                    yield uow
                    uow.commit()
            b.committed = True
        except Exception as exc:  # a batch that fails is reported; the next batch still runs
            b.failure = exc
        finally:
            self.local.batch = None
            self._settle(b)

    def batches(self, stage: str, chunks: list[list[str]], work: Callable[[UnitOfWork, list[str]], None]) -> None:
        """`work` over each chunk, in a unit of work each. One after another in a dry run or where the
        database takes one writer at a time (SQLite); otherwise pipelined, two at a time: while one batch
        writes and commits, the next reads its rows and works out their new values in another thread (the
        writing is mostly PostgreSQL's, the working out Python's). A batch writes only once every batch
        before it has committed or failed (its `turn`, which the repository calls before its first write,
        and the batch again before it commits): the batches commit in order, as one after another would,
        so a run stopped part-way leaves its first batches done and the rest untouched. The report counts
        each batch in order in this thread, exactly as one after another."""
        if self.shared is not None or not self.pipelined or len(chunks) < 2:
            for chunk in chunks:
                with self.batch(stage) as uow:
                    work(uow, chunk)
            return
        over = [threading.Event() for _ in chunks]  # committed or failed
        stopped = [len(chunks)]  # the first batch stopped (not failed): the batches after it write nothing

        def run(i: int, chunk: list[str]) -> _Batch:
            def turn() -> None:
                if i:
                    over[i - 1].wait()
                if stopped[0] < i:
                    raise _Abandoned

            b = self.local.batch = _Batch(stage, turn=turn)
            try:
                with self.ctx.uow() as uow:
                    work(uow, chunk)
                    turn()
                    uow.commit()
                b.committed = True
            except BaseException as exc:  # handed to the sweep's thread, which reports or raises it
                if not isinstance(exc, Exception):
                    stopped[0] = min(stopped[0], i)
                b.failure = exc
            finally:
                self.local.batch = None
                over[i].set()
            return b

        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="retention-sweep")
        try:
            for future in [pool.submit(run, i, chunk) for i, chunk in enumerate(chunks)]:
                self._settle(future.result())
        finally:
            stopped[0] = -1  # on the way out after a stop: what has not written yet writes nothing
            pool.shutdown(wait=True, cancel_futures=True)

    def _settle(self, b: _Batch) -> None:
        """Count a batch that is over in the report (in this, the sweep's, thread, in batch order)."""
        self.report.batches += 1
        try:
            for count in b.held:
                count()
            if b.committed:
                for count in b.done:
                    count()
            failure = b.failure
            if isinstance(failure, DomainError):
                self._error(b.stage, failure, failure.message)
            elif isinstance(failure, Exception):
                self._error(b.stage, failure, None)
            elif failure is not None:
                raise failure  # stopped (a kill, an interrupt): not caught, as when run one after another
        finally:
            self.progress(SWEEP_TASK, self.report.batches)

    def chunks(self, ids: list[str]) -> list[list[str]]:
        return [ids[start:start + self.batch_size] for start in range(0, len(ids), self.batch_size)]

    def candidates(self, find: Callable[[UnitOfWork], list[_T]]) -> list[_T]:
        """What may be due, found in one read (in the dry run's unit of work, which sees its own changes)."""
        if self.shared is not None:
            return find(self.shared)
        with self.ctx.uow(read_only=True) as uow:
            return find(uow)

    def count(self, tally: _Tally) -> None:
        self.current.done.append(functools.partial(_add_done, tally, 1))

    def hold(self, tally: _Tally, why: str) -> None:
        self.current.held.append(functools.partial(_add_held, tally, why))

    def erased(self, counts: dict[str, dict[str, int]]) -> None:
        self.current.done.append(functools.partial(self.report.erased, counts))

    def turn(self) -> None:
        """Wait until the current batch may write (see `batches`)."""
        self.current.turn()

    def _error(self, stage: str, exc: Exception, message: str | None) -> None:
        self.report.errors.append({"stage": stage, "error": type(exc).__name__, "message": message})
        if self.shared is not None:
            raise _DryRunStopped from exc

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def action(self, rule_id: str, kind: Any, record_id: str, action: Any, due_on: date) -> RetentionAction:
        return RetentionAction(new_id("rta"), self.run_id, rule_id, kind, record_id, action, due_on, self.now())

    def held(self, uow: UnitOfWork, customer_ids: set[str]) -> dict[str, str]:
        """customer id -> why it is held (a legal hold first, then a fraud marker)."""
        ids = sorted(customer_ids)
        out = {cid: "fraud_marker" for cid in uow.fraud_markers.marked_customer_ids(ids)}
        out.update({cid: "legal_hold" for cid in uow.holds.held_customer_ids(ids)})
        return out

    # -- 1. quotes never taken up ----------------------------------------------------------------

    def no_contract_rule(self, product_ref: str) -> tuple[str, str, RetentionRule]:
        try:
            product = self.ctx.catalogue.by_ref(product_ref)
        except NotFound:
            return HOUSE_RULE_ID, "house", HOUSE_NO_CONTRACT
        rule = product.retention.rule("no_contract")
        if rule is None:
            return HOUSE_RULE_ID, "house", HOUSE_NO_CONTRACT
        return f"{product.ref}:no_contract", product.ref, rule

    def quotes(self) -> None:
        rules = [r for p in self.ctx.catalogue.products if (r := p.retention.rule("no_contract"))] + [HOUSE_NO_CONTRACT]
        bounds = [b for r in rules if (b := r.latest_event_due(self.as_of)) is not None]
        if not bounds:
            return
        created_before = _start_of(max(bounds) + timedelta(days=1))
        after: str | None = None
        while True:
            before = after
            with self.batch("quotes") as uow:
                found = uow.retention.open_quotes(created_before, after, self.batch_size)
                if not found:
                    return
                after = found[-1].quote_id
                contact = uow.retention.last_contact([q.customer_id for q in found])
                due = []
                for q in found:
                    rule_id, product, rule = self.no_contract_rule(q.product_ref)
                    event = london_date(contact.get(q.customer_id, q.created_at))
                    if rule.is_due(event, self.as_of):
                        due.append((q, rule_id, self.report.tally(rule_id, "quote", product, rule),
                                    rule.action_due_on(event)))
                held = self.held(uow, {q.customer_id for q, *_ in due})
                act = []
                for q, rule_id, tally, due_on in due:
                    if q.customer_id in held:
                        self.hold(tally, held[q.customer_id])
                        continue
                    self.count(tally)
                    act.append(self.action(rule_id, "quote", q.quote_id, "delete", due_on))
                if act:
                    deleted = uow.retention.delete_quotes([a.record_id for a in act])
                    self.erased({"deleted": {"quotes": deleted}})
                    uow.retention.record_actions(act)
            if after is None or after == before:  # done, or the batch failed before it could move on
                return

    # -- 2. policies that have ended -------------------------------------------------------------

    def policies(self) -> None:
        for code in self.ctx.catalogue.codes():
            versions = self.ctx.catalogue.versions(code)
            rules = [r for p in versions for c in ("policy", "billing") if (r := p.retention.rule(c))]
            bounds = [b for r in rules if (b := r.latest_event_due(self.as_of)) is not None]
            if not bounds:
                continue
            billing = any(p.retention.rule("billing") for p in versions)
            # One set-based query finds every policy that may be due; each batch reads its facts (and
            # checks again) in the unit of work that acts.
            ended_by = max(bounds)
            candidates = self.candidates(functools.partial(_ended_policies, code, ended_by, billing))
            self.batches(f"policies:{code}", self.chunks(candidates),
                         functools.partial(self._policy_batch, code, versions, ended_by, billing))

    def _policy_batch(self, code: str, versions: list[Product], ended_by: date, billing: bool, uow: UnitOfWork,
                      chunk: list[str]) -> None:
        found = uow.retention.ended_policy_facts(chunk, code, ended_by, billing)
        if found:
            self._policies(uow, versions, found)

    def _policies(self, uow: UnitOfWork, versions: list[Product], found: list[PolicyFacts]) -> None:
        by_ref = {p.ref: p for p in versions}
        plans = []
        for f in found:
            # The schedule of the product version the policy's latest term was sold under (the notice the
            # person was given); the newest version if that one is no longer in the files.
            product = by_ref.get(f.product_ref, versions[-1])
            ended = policy_ended_on(f.term_start, f.term_end, f.cancelled_from,
                                    london_date(f.voided_at) if f.voided_at else None)
            prule, brule = product.retention.rule("policy"), product.retention.rule("billing")
            policy_due = prule is not None and not f.policy_done and prule.is_due(ended, self.as_of)
            billing_due = brule is not None and not f.billing_done and brule.is_due(ended, self.as_of)
            if not policy_due and not (billing_due and f.policy_done):
                continue
            plans.append((f, product, ended, prule, brule, policy_due, billing_due))
        held = self.held(uow, {f.customer_id for f, *_ in plans})
        act: list[RetentionAction] = []
        billing_kept: dict[str, str] = {}
        ids: list[str] = []
        for f, product, ended, prule, brule, policy_due, billing_due in plans:
            steps = []
            if policy_due:
                assert prule is not None
                steps.append(("policy", prule))
            if brule is not None and billing_due:
                steps.append(("policy_billing", brule))
            elif brule is not None:
                billing_kept[f.policy_id] = (f"billing records are kept until {brule.retain_until(ended).isoformat()} "
                                             f"({product.ref}: {brule.describe()})")
            tallies = [(kind, rule, self.report.tally(f"{product.ref}:{rule.category}", kind, product.ref, rule))
                       for kind, rule in steps]
            if f.customer_id in held:
                for *_, tally in tallies:
                    self.hold(tally, held[f.customer_id])
                continue
            ids.append(f.policy_id)
            for kind, rule, tally in tallies:
                self.count(tally)
                act.append(self.action(f"{product.ref}:{rule.category}", kind, f.policy_id, "anonymise",
                                       rule.action_due_on(ended)))
        if ids:
            self.erased(uow.retention.anonymise_policies(ids, billing_kept, self.hasher, self.turn))
            uow.retention.record_actions(act)

    # -- 4. stored API answers ---------------------------------------------------------------------

    def retry_cache(self) -> None:
        """Delete stored idempotent answers once the house rule is due. The rows go, so nothing finds them
        again; they are counted, not recorded one by one in `retention_actions`."""
        bound = RETRY_CACHE.latest_event_due(self.as_of)
        if bound is None:
            return
        tally = self.report.tally(RETRY_CACHE_ID, "retry_cache", "house", RETRY_CACHE)
        stored_before = _start_of(bound + timedelta(days=1))
        errors = len(self.report.errors)
        while True:
            with self.batch("retry_cache") as uow:
                deleted = uow.retention.delete_stored_responses(stored_before, self.batch_size)
                self.current.done.append(functools.partial(_add_done, tally, deleted))
                self.erased({"deleted": {"idempotency_keys": deleted}} if deleted else {})
            if deleted < self.batch_size or len(self.report.errors) > errors:
                return

    # -- 4. complaints (CMP-3: records kept three years after the complaint closed) -----------------

    def complaints(self) -> None:
        """Anonymise complaints, their letters and their clocks' free text once the house rule is due. The
        tally appears in the report once any closed complaint is due."""
        rule = COMPLAINT_RECORDS
        bound = rule.latest_event_due(self.as_of)
        if bound is None:
            return
        closed_before = _start_of(bound + timedelta(days=1))
        candidates = self.candidates(lambda uow: uow.complaints.closed_before(closed_before, "complaint"))
        if not candidates:
            return
        tally = self.report.tally(COMPLAINTS_RULE_ID, "complaint", "house", rule)
        for start in range(0, len(candidates), self.batch_size):
            with self.batch("complaints") as uow:
                batch = candidates[start:start + self.batch_size]
                held = self.held(uow, {c.customer_id for c in batch if c.customer_id})
                act = []
                for c in batch:
                    closed = london_date(c.closed_at)
                    if not rule.is_due(closed, self.as_of):
                        continue
                    if c.customer_id in held:
                        self.hold(tally, held[c.customer_id])
                        continue
                    self.count(tally)
                    act.append(self.action(COMPLAINTS_RULE_ID, "complaint", c.complaint_id, "anonymise",
                                           rule.action_due_on(closed)))
                if act:
                    self.erased(uow.complaints.anonymise([a.record_id for a in act], self.hasher))
                    uow.retention.record_actions(act)

    # -- 3. people with nothing left to keep -----------------------------------------------------

    def customers(self) -> None:
        bound = HOUSE_NO_CONTRACT.latest_event_due(self.as_of)
        if bound is None:
            return
        created_before = _start_of(bound + timedelta(days=1))
        billing_codes = sorted({p.code for p in self.ctx.catalogue.products if p.retention.rule("billing")})
        # One set-based query finds everyone who may be due; each batch checks its people again in the unit
        # of work that acts, so a quote or policy added meanwhile keeps the person out.
        candidates = self.candidates(lambda uow: uow.retention.settled_customers(created_before, billing_codes))
        self.batches("customers", self.chunks(candidates),
                     functools.partial(self._customer_batch, created_before, billing_codes))

    def _customer_batch(self, created_before: datetime, billing_codes: list[str], uow: UnitOfWork,
                        chunk: list[str]) -> None:
        found = uow.retention.still_settled(chunk, created_before, billing_codes)
        if found:
            self._customers(uow, found)

    def _customers(self, uow: UnitOfWork, found: list[str]) -> None:
        contact = uow.retention.last_contact(found)
        tally = self.report.tally(HOUSE_RULE_ID, "customer", "house", HOUSE_NO_CONTRACT)
        due = {cid: HOUSE_NO_CONTRACT.action_due_on(london_date(contact[cid])) for cid in found
               if cid in contact and HOUSE_NO_CONTRACT.is_due(london_date(contact[cid]), self.as_of)}
        held = self.held(uow, set(due))
        act = []
        for cid, due_on in due.items():
            if cid in held:
                self.hold(tally, held[cid])
                continue
            self.count(tally)
            act.append(self.action(HOUSE_RULE_ID, "customer", cid, "anonymise", due_on))
        if act:
            self.erased(uow.retention.anonymise_customers([a.record_id for a in act], self.hasher, self.now(),
                                                          self.turn))
            uow.retention.record_actions(act)

    # -- what the catalogue asks for ------------------------------------------------------------

    def schedule(self) -> None:
        """Every rule the sweep applies appears in the report, with zeros when nothing was due; every rule
        for records Covernote does not hold is listed as such."""
        kinds = {"no_contract": "quote", "policy": "policy", "billing": "policy_billing"}
        for product in sorted(self.ctx.catalogue.products, key=lambda p: p.ref):
            for rule in product.retention.rules:
                if rule.category in SWEPT:
                    self.report.tally(f"{product.ref}:{rule.category}", kinds[rule.category], product.ref, rule)
                else:
                    self.report.not_held.append({"product": product.ref, "category": rule.category,
                                                 "period": rule.describe(), "note": NOT_HELD})
            for entry in product.retention.subscriptions:
                self.report.not_held.append({"product": product.ref, "category": entry.category,
                                             "period": entry.describe(),
                                             "note": f"{NOT_HELD}: Covernote does not run this product"})
        self.report.tally(HOUSE_RULE_ID, "customer", "house", HOUSE_NO_CONTRACT)
        self.report.tally(RETRY_CACHE_ID, "retry_cache", "house", RETRY_CACHE)


def _add_done(tally: _Tally, n: int) -> None:
    tally.done += n


def _add_held(tally: _Tally, why: str) -> None:
    tally.held[why] += 1


def _ended_policies(code: str, ended_by: date, billing: bool, uow: UnitOfWork) -> list[str]:
    return uow.retention.ended_policies(code, ended_by, billing)


class _DryRunStopped(Exception):
    """A dry run shares one unit of work, which an error leaves unusable: the run stops there."""


SWEEP_TASK = "retention sweep: batches"


def sweep(ctx: AppContext, principal: Principal, as_of: date | None = None, dry_run: bool = False,
              batch_size: int = DEFAULT_BATCH, progress: Progress = no_progress) -> SweepAnswer:
    """Apply what is due on `as_of` (default today) and return the report; with `dry_run`, report what
    would be done and write nothing. Raises ValidationFailed naming `as_of` (a future day) or
    `batch_size`, Forbidden unless the caller is the DPO or an administrator."""
    require_privacy_officer(principal, "run the retention sweep")
    today = ctx.today()
    issues = []
    if as_of is not None and as_of > today:
        issues.append(FieldIssue("as_of", f"{as_of.isoformat()} is in the future: a sweep judges what is due up "
                                          f"to today ({today.isoformat()}), never ahead of it"))
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH:
        issues.append(FieldIssue("batch_size", f"must be a whole number from 1 to {MAX_BATCH}"))
    if issues:
        raise ValidationFailed("the retention sweep cannot run as asked", issues)
    day = as_of or today
    report = _Report(day, dry_run, batch_size)
    run = _Sweep(ctx, day, batch_size, new_id("ret"), report, _hasher(ctx), progress=progress,
                 pipelined=bool(getattr(ctx.uow, "concurrent_writes", False)))
    started = ctx.clock.now()
    if dry_run:
        with ctx.uow() as uow:
            run.shared = uow
            # Everything, the run's own row included, is done in one unit of work and rolled back.
            uow.retention.add_run(RetentionRun(run.run_id, day, started, principal.user_id, "running", {}))
            with suppress(_DryRunStopped):
                _stages(run)
            uow.rollback()
        dry: DryRunView = {"id": None, "status": "dry_run", "started_at": started.isoformat(), "finished_at": None,
                           "started_by": principal.user_id, "report": report.view()}
        return dry
    with ctx.uow() as uow:
        uow.retention.add_run(RetentionRun(run.run_id, day, started, principal.user_id, "running",
                                           dict(report.view())))
        uow.commit()
    _stages(run)
    finished = ctx.clock.now()
    with ctx.uow() as uow:
        uow.retention.finish_run(run.run_id, finished, dict(report.view()))
        uow.commit()
    return run_view(RetentionRun(run.run_id, day, started, principal.user_id, "finished", dict(report.view()),
                                 finished))




def _stages(run: _Sweep) -> None:
    # Quotes first (their deletion ends a no-contract relationship), then policies, then the people
    # left with nothing to keep: a person is judged after everything about them was.
    run.schedule()
    run.quotes()
    run.policies()
    run.complaints()
    run.customers()
    run.retry_cache()


def run_view(run: RetentionRun) -> RetentionRunView:
    return {"id": run.run_id, "as_of": run.as_of.isoformat(), "status": run.status,
            "started_at": run.started_at.isoformat(), "started_by": run.started_by,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "report": cast(SweepReport, run.report)}  # stored as _Report.view built it


def list_runs(ctx: AppContext, principal: Principal, limit: int = 50, offset: int = 0) -> list[RetentionRunView]:
    check_listing(limit, offset)
    require_staff(principal, "read retention runs")
    with ctx.uow(read_only=True) as uow:
        return [run_view(r) for r in uow.retention.runs(limit, offset)]


def get_run(ctx: AppContext, principal: Principal, run_id: str) -> RetentionRunView:
    require_staff(principal, "read retention runs")
    with ctx.uow(read_only=True) as uow:
        run = uow.retention.get_run(run_id)
    if run is None:
        raise NotFound("no such retention run", [FieldIssue("id", f"no retention run {run_id}")])
    return run_view(run)


# -- dealership settings (S0: "set by each individual dealership") ----------------------------------


def dealership_periods(ctx: AppContext) -> dict[str, tuple[Product, DealershipPeriod]]:
    """category -> (the product whose schedule states it, the period), from the product versions in force
    today, else the newest version that states it."""
    out: dict[str, tuple[Product, DealershipPeriod]] = {}
    today = ctx.today()
    ordered = sorted(ctx.catalogue.products, key=lambda p: (p.effective_on(today), p.effective_from))
    for product in ordered:
        for entry in product.retention.subscriptions:
            if isinstance(entry, DealershipPeriod):
                out[entry.category] = (product, entry)
    return out


def _setting_view(s: RetentionSetting, period: DealershipPeriod | None) -> RetentionSettingView:
    rule = period.resolve(s.years) if period is not None and period.floor_years <= s.years <= period.ceiling_years \
        else None
    return {"dealership_id": s.dealership_id, "category": s.category, "years": s.years,
            "rule": rule.describe() if rule else None,
            "example": ({"event": "2026-06-15", "kept_until": rule.retain_until(date(2026, 6, 15)).isoformat()}
                        if rule else None),
            "set_at": s.set_at.isoformat(), "set_by": s.set_by}


def list_settings(ctx: AppContext, principal: Principal) -> RetentionSettings:
    require_staff(principal, "read retention settings")
    periods = dealership_periods(ctx)
    with ctx.uow(read_only=True) as uow:
        settings = uow.retention.settings()
    return {
        "categories": [{"category": c, "product": p.ref, "floor_years": d.floor_years,
                        "ceiling_years": d.ceiling_years, "rule": d.describe(), "source": d.source}
                       for c, (p, d) in sorted(periods.items())],
        "settings": [_setting_view(s, periods.get(s.category, (None, None))[1]) for s in settings],
    }


def put_setting(ctx: AppContext, principal: Principal, dealership_id: str, category: str,
                years: int) -> RetentionSettingView:
    """Record the period a dealership chose for one S0 product whose retention each dealership sets.
    Raises ValidationFailed naming `dealership_id` or `years` (outside the floor and ceiling), NotFound
    naming `category` when no product schedule leaves that category to dealerships."""
    require_privacy_officer(principal, "set a dealership's retention period")
    if not isinstance(dealership_id, str) or not _DEALERSHIP_ID.match(dealership_id):
        raise ValidationFailed("the dealership identifier is not valid", [FieldIssue(
            "dealership_id", "1 to 60 letters, digits, '.', '_' or '-', starting with a letter or digit")])
    periods = dealership_periods(ctx)
    if category not in periods:
        raise NotFound(f"no retention category {category!r} is set by dealerships", [FieldIssue(
            "category", f"use one of {', '.join(sorted(periods)) or '(none in the product files)'}")])
    _, period = periods[category]
    try:
        period.resolve(years)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, [FieldIssue("years", i.reason) for i in exc.issues]) from exc
    setting = RetentionSetting(dealership_id, category, years, ctx.clock.now(), principal.user_id)
    with ctx.uow() as uow:
        uow.retention.put_setting(setting)
        uow.commit()
    return _setting_view(setting, period)


# -- reading an anonymised policy -------------------------------------------------------------------

def anonymised_policy_view(policy: Policy) -> dict[str, Any]:
    """A view of an anonymised policy for the read paths (GET /policies/{id}, the policy list): what stays
    after anonymisation (product, dates, amounts) without re-reading its risk, whose personal values
    are gone and can no longer be priced or parsed (PRV-5). Never raises on an anonymised policy. An
    `AnonymisedPolicy`, widened to `dict[str, Any]` for the policy context, which serves it."""
    terms: dict[int, dict[str, Any]] = {}
    for t in sorted(policy.transactions, key=lambda t: t.sequence):
        if t.kind in ("new_business", "renewal"):
            term = t.details.get("term") or {}
            terms[t.term_no] = {"term": t.term_no, "start_date": term.get("start"), "end_date": term.get("end"),
                                "product": t.details.get("product"), "cancelled_from": None, "void": False,
                                "premium": Money.zero(), "ipt": Money.zero()}
        entry = terms.get(t.term_no)
        if entry is None:
            continue
        entry["premium"] += t.premium
        entry["ipt"] += t.ipt
        if t.kind == "cancellation":
            entry["cancelled_from"] = t.effective_date.isoformat()
        elif t.kind == "voidance":
            entry["void"] = True
    views: list[AnonymisedTerm] = [
        {"term": e["term"], "start_date": e["start_date"], "end_date": e["end_date"], "product": e["product"],
         "cancelled_from": e["cancelled_from"], "void": e["void"], "premium_charged": e["premium"].to_str(),
         "ipt_charged": e["ipt"].to_str()} for _, e in sorted(terms.items())]
    view: AnonymisedPolicy = {
        "id": policy.policy_id, "number": policy.number, "customer_id": policy.customer_id,
        "product_code": policy.product_code, "status": "anonymised", "anonymised": True,
        "version": policy.version, "auto_renew": policy.auto_renew,
        "taken_out_on": policy.taken_out_on.isoformat(), "current_term": views[-1] if views else None,
        "terms": len(views), "created_at": policy.created_at.isoformat()}
    return dict(view)

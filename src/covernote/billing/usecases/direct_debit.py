"""Direct debit through Bacs (PAY-6): lodging mandates (AUDDIS 0N), the advance notices, the collection run and
the bureau's reports, with a policy's mandates, collections and returns to read.

Each job works in batches, each batch one unit of work, and is safe to kill and rerun:

- lodging: mandates are made for plans without one, then put in one lodgement submission per processing day;
  a file that got no answer is rebuilt byte for byte and submitted again (the bureau answers a file it has with
  its first reference);
- notices: an instalment gets one notice row, unique; the schedule letter (one per plan, listing every open
  instalment with its amount and date) is issued through the documents context, which stores a letter once;
- the collection run: one `dd_collections` row per instalment presentation (unique on instalment and attempt),
  written with its ledger entry and the instalment's status in the same transaction; the day's submission is
  reused until it is submitted, and its file rebuilt from its rows, so a rerun neither presents an instalment
  twice nor sends a second file;
- reports: a report file is recorded with everything it says in one transaction, unique by its SHA-256.

The collection is posted on presentation as received (Dr `cash:bacs`, Cr `billing:direct-debits-collected`, and the
memorandum of the customer's debt to the finance provider lowered) and
reversed if it comes back unpaid: the service user's bank account is credited with the contra on the entry day and
an unpaid debit is reclaimed from it later (`domain/direct_debit.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from covernote.billing.domain import arrears as ladder
from covernote.billing.domain import bacs
from covernote.billing.domain.arrears import Stage
from covernote.billing.domain.direct_debit import (
    BACS_CASH,
    CHARGE_ATTEMPT,
    INSTALMENTS_RECEIVABLE,
    AdvanceNotice,
    Collection,
    DdReturn,
    DueInstalment,
    Mandate,
    Submission,
)
from covernote.billing.domain.plans import CUSTOMER_DEBT, CUSTOMER_DEBT_CONTRA
from covernote.billing.ports import BacsBureau, BacsFileRejected, BacsReportFile, BacsUnavailable
from covernote.billing.usecases import arrears_steps
from covernote.billing.usecases import returns as return_handling
from covernote.billing.usecases.results_direct_debit import (
    CollectionRunResult,
    LodgeResult,
    NoticesResult,
    ReportsResult,
)
from covernote.documents.domain import Letter
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal, require_staff
from covernote.kernel.errors import FieldIssue, ServiceUnavailable, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.journal import RECEIVABLE, JournalEntry, Posting, reversal_of
from covernote.kernel.money import Money
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.progress import Progress, no_progress
from covernote.platform.uow import UnitOfWork
from covernote.policy.usecases.lookup import find_policy
from covernote.privacy.usecases.sensitive import POLICYHOLDER, seal, unseal_many

BATCH = 1000
NOTICE_HORIZON_WORKING_DAYS = 5  # notices go out this many working days before they must
READ_PURPOSE = "direct debit: Bacs submission"
SCHEDULE_TEMPLATES = ("dd_schedule.html", "dd_schedule.txt")
CAL = bacs.bacs_calendar()


def bureau(ctx: AppContext) -> BacsBureau:
    if ctx.bacs is None:
        raise ServiceUnavailable("no Bacs bureau is configured")
    return ctx.bacs


def notice_working_days(ctx: AppContext, product_ref: str | None = None) -> int:
    """The advance notice period (PAY-6): the product's `finance.notice_working_days` (product data, default 10
    working days, the scheme's unless agreed otherwise); 10 without a product."""
    if product_ref is not None:
        finance = ctx.catalogue.by_ref(product_ref).finance
        if finance is not None:
            return finance.notice_working_days
    return bacs.DEFAULT_NOTICE_WORKING_DAYS


# -- lodging mandates (AUDDIS) ------------------------------------------------------------------------------

def lodge_mandates(ctx: AppContext, principal: Principal, today: date | None = None,
                   progress: Progress = no_progress) -> LodgeResult:
    """Make a mandate for every active direct debit plan with bank details and none yet, lodge the pending ones
    with the bureau in one AUDDIS file (0N records) for today's cycle, and make active the mandates whose
    lodgement's entry day has passed. Safe to rerun."""
    require_staff(principal, "lodge direct debit mandates")
    today = today or ctx.today()
    now = ctx.clock.now()
    created = 0
    while True:
        with ctx.uow() as uow:
            plans = uow.direct_debit.plans_without_mandate(BATCH)
            if not plans:
                break
            counts: dict[str, int] = {}
            mandates = []
            for p in plans:
                n = counts.get(p["policy_id"]) or uow.direct_debit.mandate_count_for_policy(p["policy_id"])
                counts[p["policy_id"]] = n + 1
                mandates.append(Mandate(new_id("ddm"), p["policy_id"], p["id"], p["customer_id"],
                                        bacs.mandate_reference(p["number"], n + 1), "pending", p["account_holder"],
                                        p["sort_code"], p["account_number"], p["account_ending"], None, None, None,
                                        now, now, 1))
            uow.direct_debit.add_mandates(mandates)
            uow.commit()
        created += len(mandates)
        progress("mandates made", created, None)
    with ctx.uow() as uow:
        activated = uow.direct_debit.activate_lodged(today, now)
        uow.commit()
    result: LodgeResult = {"as_of": today.isoformat(), "mandates_created": created, "mandates_activated": activated,
                           "submission_id": None, "bureau_reference": None, "lodged": 0, "status": "nothing",
                           "message": None}
    if not CAL.is_working_day(today):
        result["message"] = f"{today} is not a Bacs working day: nothing lodged"
        return result
    cycle = bacs.cycle_for_input(CAL, today)
    for unanswered in _unanswered(ctx, "lodgement", cycle):
        result = _send(ctx, unanswered, result)
        if result["status"] == "unavailable":
            return result
    with ctx.uow() as uow:
        submission = _open_submission(uow, "lodgement", cycle, now)
        pending = uow.direct_debit.mandates(status="pending")
        if submission is None and not pending:
            return result
        if submission is None:
            submission = _new_submission(uow, "lodgement", cycle, now)
        uow.direct_debit.mark_lodging([m.mandate_id for m in pending], submission.submission_id, cycle.entry_day, now)
        uow.commit()
    return _send(ctx, submission, result)


def _unanswered(ctx: AppContext, kind: str, cycle: bacs.BacsCycle) -> list[Submission]:
    """Submissions left unfinished by an earlier run, to be settled before any new file: those sent without an
    answer (sent again unchanged: the bureau may have them and answers with their reference), and those of an
    earlier cycle that were never sent (a run killed before its file went: sent now, and if the bureau refuses
    them, their day having passed, their rows are undone so today's file presents them)."""
    with ctx.uow(read_only=True) as uow:
        sending = uow.direct_debit.submissions(kind=kind, status="sending")
        stale = [s for s in uow.direct_debit.submissions(kind=kind, status="building")
                 if s.processing_on != cycle.processing_day]
    return sorted(sending + stale, key=lambda s: (s.processing_on, s.serial))


def _open_submission(uow: UnitOfWork, kind: str, cycle: bacs.BacsCycle, now: Any) -> Submission | None:
    """The day's submission of `kind` still being built (a run that stopped before its answer), if any."""
    found = [s for s in uow.direct_debit.submissions(kind=kind, status="building", processing_on=cycle.processing_day)]
    return found[0] if found else None


def _new_submission(uow: UnitOfWork, kind: str, cycle: bacs.BacsCycle, now: Any) -> Submission:
    n = uow.direct_debit.serials_used(cycle.processing_day) + 1
    serial = ("L" if kind == "lodgement" else "C") + f"{n:05d}"
    s = Submission(new_id("dds"), kind, serial, cycle.input_day, cycle.processing_day, cycle.entry_day,  # type: ignore[arg-type]
                   "building", 0, 0, None, None, None, now, None)
    uow.direct_debit.add_submission(s)
    return s


def _records(ctx: AppContext, uow: UnitOfWork, submission: Submission) -> list[bacs.Standard18Record]:
    """The submission's records, rebuilt from its rows in a fixed order (the same bytes every time), the
    accounts unsealed for the file in one logged read per payer."""
    rows: list[dict[str, Any]]
    if submission.kind == "lodgement":
        mandates = uow.direct_debit.mandates(submission_id=submission.submission_id)
        rows = [dict(customer_id=m.customer_id, reference=m.reference, account_holder=m.account_holder,
                     sort_code=m.sort_code, account_number=m.account_number, transaction_code="0N", amount_pence=0,
                     id=m.mandate_id) for m in sorted(mandates, key=lambda m: m.mandate_id)]
    else:
        rows = uow.direct_debit.file_rows(submission.submission_id)
    opened = unseal_many(ctx, uow, SYSTEM, [(r["customer_id"], POLICYHOLDER, {
        "account_holder": r["account_holder"], "sort_code": r["sort_code"], "account_number": r["account_number"]})
        for r in rows], READ_PURPOSE)
    records = []
    for r, account in zip(rows, opened, strict=True):
        if account is None or not account.get("sort_code") or not account.get("account_number"):
            raise ValidationFailed("a mandate's bank details were erased", [FieldIssue(
                "mandate", f"{r['reference']}: the customer's data key was destroyed; cancel the mandate")])
        records.append(bacs.Standard18Record(str(account["sort_code"]), str(account["account_number"]),
                                             bacs.TransactionCode(r["transaction_code"]), int(r["amount_pence"]),
                                             r["reference"], bacs.bacs_text(str(account.get("account_holder") or ""), 18)))
    return records


def _send(ctx: AppContext, submission: Submission, result: Any) -> Any:
    """Build the submission's file, submit it and record the answer: submitted, rejected (its rows undone so
    the next run presents them again), or unavailable (left building: a rerun sends the same bytes)."""
    bacs_bureau = bureau(ctx)
    with ctx.uow() as uow:
        records = _records(ctx, uow, submission)
        uow.commit()  # the read log
    if not records:  # a run stopped between opening its submission and adding a row: nothing to send
        with ctx.uow() as uow:
            uow.direct_debit.finish_submission(submission.submission_id, status="rejected", record_count=0,
                                               total_pence=0, sha256=None, bureau_reference=None,
                                               rejection="nothing to send", now=ctx.clock.now())
            uow.commit()
        result["status"] = "nothing"
        return result
    f = bacs.Standard18File(bacs_bureau.service_user, submission.serial, submission.input_on,
                            submission.processing_on, tuple(records))
    result["submission_id"] = submission.submission_id
    total = f.debit_total
    digest = hashlib.sha256(repr(f).encode()).hexdigest()  # of the submission's values: the same file, the same
    now = ctx.clock.now()
    if submission.status == "building":  # from now on the file is frozen: a rerun sends these same bytes again
        with ctx.uow() as uow:
            uow.direct_debit.freeze_submission(submission.submission_id)
            uow.commit()
    try:
        reference = bacs_bureau.submit(f)
    except BacsUnavailable as exc:
        result.update(status="unavailable", message=f"{exc}: run again to send the same file")
        return result
    except BacsFileRejected as exc:
        with ctx.uow() as uow:
            _undo_submission(ctx, uow, submission, str(exc))
            uow.commit()
        result.update(status="rejected", message=str(exc))
        return result
    with ctx.uow() as uow:
        uow.direct_debit.finish_submission(submission.submission_id, status="submitted", record_count=len(records),
                                           total_pence=total, sha256=digest, bureau_reference=reference,
                                           rejection=None, now=now)
        uow.commit()
    result.update(status="submitted", bureau_reference=reference, message=None)
    if submission.kind == "lodgement":
        result["lodged"] = len(records)
    return result


def _undo_submission(ctx: AppContext, uow: UnitOfWork, submission: Submission, why: str) -> None:
    now = ctx.clock.now()
    if submission.kind == "lodgement":
        uow.direct_debit.unlodge(submission.submission_id, now)
    else:
        withdrawn = uow.direct_debit.withdraw_submission(submission.submission_id)
        for c in withdrawn:
            entry = uow.ledger.get(c.journal_entry_id) if c.journal_entry_id else None
            if entry is not None and uow.ledger.reversal_of(entry.entry_id) is None:
                uow.ledger.add(reversal_of(entry, new_id("je"), now,
                                           f"Bacs file {submission.serial} refused: collection withdrawn"))
        uow.direct_debit.set_instalment_status([c.instalment_id for c in withdrawn], "scheduled")
    uow.direct_debit.finish_submission(submission.submission_id, status="rejected", record_count=0, total_pence=0,
                                       sha256=None, bureau_reference=None, rejection=why[:2000], now=now)


def _collection_entry(entry_id: str, now: Any, policy_id: str, pence: int, description: str) -> JournalEntry:
    """The money (Dr `cash:bacs`, Cr `billing:direct-debits-collected`: held for the finance provider) and the
    memorandum of what the customer still owes the provider falling by the instalment (`finance:customer-debt`
    and its contra, as the plans' reconciliation expects for an instalment no longer scheduled)."""
    amount = Money.from_pence(pence)
    return JournalEntry(entry_id, now, description, policy_id, None, (
        Posting(BACS_CASH, amount, "direct debit collected"), Posting(INSTALMENTS_RECEIVABLE, -amount, "instalment"),
        Posting(CUSTOMER_DEBT, -amount, "instalment collected"), Posting(CUSTOMER_DEBT_CONTRA, amount, "memorandum")))


# -- advance notices -----------------------------------------------------------------------------------------

def send_notices(ctx: AppContext, principal: Principal, today: date | None = None,
                 progress: Progress = no_progress) -> NoticesResult:
    """Give advance notice (PAY-6) of the instalments coming due: for each plan with an open instalment due
    within the notice period and a few working days more, one schedule letter listing every open instalment not
    yet notified, with the collection date each will have (the due date moved to a working day, later if the
    notice period or the mandate's lodgement needs it), and one notice row per instalment. Safe to rerun."""
    require_staff(principal, "send direct debit advance notices")
    today = today or ctx.today()
    default_days = notice_working_days(ctx)
    due_by = CAL.add_working_days(today, default_days + NOTICE_HORIZON_WORKING_DAYS)
    plans = notices = letters = 0
    after = ""
    while True:
        with ctx.uow(read_only=True) as uow:
            batch = uow.direct_debit.needing_notice(due_by, BATCH, after)
            plan_ids = list(dict.fromkeys(i.plan_id for i in batch))
            if not plan_ids:
                break
            open_lines = uow.direct_debit.open_instalments_of_plans(plan_ids)
        after = plan_ids[-1]
        by_plan: dict[str, list[DueInstalment]] = {}
        for line in open_lines:
            by_plan.setdefault(line.plan_id, []).append(line)
        for plan_id in plan_ids:
            lines = by_plan.get(plan_id, [])
            if lines:
                notices += _notify_plan(ctx, lines, today)
                letters += 1
            plans += 1
        progress("advance notices", plans, None)
    return {"as_of": today.isoformat(), "notice_working_days": default_days, "plans": plans, "notices": notices,
            "letters": letters}


def _notify_plan(ctx: AppContext, lines: Sequence[DueInstalment], today: date) -> int:
    first = lines[0]
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, SYSTEM, first.policy_id)
        term = policy.terms()[-1]
        mandate = uow.direct_debit.mandates(references=[first.mandate_reference])[0]
    days = notice_working_days(ctx, term.product_ref)
    dated = []
    floor = today
    for line in lines:
        collect_on = bacs.planned_collection(CAL, line.due_on, today, notice_working_days=days,
                                             lodged_entry_day=line.lodged_entry_on)
        collect_on = max(collect_on, floor)  # never two collections' order swapped by the moves
        floor = collect_on + timedelta(days=1)
        dated.append((line, collect_on))
    values = {
        "service_user": bureau(ctx).service_user.name, "sent_on": today, "policy_number": policy.number,
        "reference": first.mandate_reference, "account_ending": mandate.account_ending, "notice_days": days,
        "lines": [{"collect_on": on, "amount": str(Money.from_pence(li.amount_pence)), "sequence": li.sequence,
                   "of": li.last_sequence} for li, on in dated],
        "total": str(Money.from_pence(sum(li.amount_pence for li, _ in dated))),
    }
    html = templating.render("covernote.billing", "dd_schedule.html", **values)
    text = templating.render("covernote.billing", "dd_schedule.txt", **values)
    subject = "dd:" + hashlib.sha256("|".join(li.instalment_id for li, _ in dated).encode()).hexdigest()[:36]
    issued = documents.issue_letter(ctx, SYSTEM, first.policy_id, Letter(
        "dd_advance_notice", subject, "Direct Debit: advance notice of your collections", "billing/dd_schedule",
        templating.version("covernote.billing", *SCHEDULE_TEMPLATES), term.product_ref, term.term_no, html, text))
    now = ctx.clock.now()
    with ctx.uow() as uow:
        already = {n.instalment_id for n in uow.direct_debit.notices(instalment_ids=[li.instalment_id for li, _ in dated])}
        rows = [AdvanceNotice(new_id("ddn"), li.instalment_id, li.policy_id, li.mandate_id, li.amount_pence, on, today,
                              issued["id"], now) for li, on in dated if li.instalment_id not in already]
        uow.direct_debit.add_notices(rows)
        uow.commit()
    return len(rows)


# -- the collection run --------------------------------------------------------------------------------------

def run_collections(ctx: AppContext, principal: Principal, today: date | None = None,
                    progress: Progress = no_progress, batch: int = BATCH) -> CollectionRunResult:
    """The collection run for today's Bacs input day: every open instalment whose notified collection date is on
    or before this cycle's entry day and that was never presented is presented (01 first, 17 regular, 19 last),
    in batches: each batch writes its collection rows, their ledger entries and the instalments' status together.
    Then the day's file is built from its rows and submitted. Safe to kill and rerun at any point."""
    require_staff(principal, "run the direct debit collections")
    today = today or ctx.today()
    result: CollectionRunResult = {"as_of": today.isoformat(), "input_on": None, "processing_on": None,
                                   "entry_on": None, "submission_id": None, "bureau_reference": None, "collected": 0,
                                   "total": "0.00", "status": "nothing", "message": None}
    if not CAL.is_working_day(today):
        result["status"] = "not_a_working_day"
        result["message"] = f"{today} is not a Bacs working day"
        return result
    cycle = bacs.cycle_for_input(CAL, today)
    result["input_on"] = cycle.input_day.isoformat()
    result["processing_on"] = cycle.processing_day.isoformat()
    result["entry_on"] = cycle.entry_day.isoformat()
    for unanswered in _unanswered(ctx, "collection", cycle):
        result = _send(ctx, unanswered, result)
        if result["status"] == "unavailable":
            return result
        with ctx.uow(read_only=True) as uow:
            sent = uow.direct_debit.collections(submission_id=unanswered.submission_id)
        result["collected"] = len(sent)
        result["total"] = Money.from_pence(sum(c.amount_pence for c in sent)).to_str()
    with ctx.uow() as uow:
        submission = _open_submission(uow, "collection", cycle, ctx.clock.now())
        if submission is None:
            if not (uow.direct_debit.due_for_collection(cycle.entry_day, 1)
                    or uow.direct_debit.due_re_presentations(cycle.entry_day, 1)):
                return result
            submission = _new_submission(uow, "collection", cycle, ctx.clock.now())
            uow.commit()
    done = 0
    after = ""
    while True:
        with ctx.uow() as uow:
            due = uow.direct_debit.due_for_collection(cycle.entry_day, batch, after)
            if not due:
                break
            after = due[-1].instalment_id
            _present(ctx, uow, due, submission, cycle)
            uow.commit()
        done += len(due)
        progress("direct debit collections", done, None)
    after = ""
    while True:  # the re-presentations planned for this cycle (PAY-2, PAY-6: only after ARUDD 0)
        with ctx.uow() as uow:
            again = uow.direct_debit.due_re_presentations(cycle.entry_day, batch, after)
            if not again:
                break
            after = str(again[-1].returned_collection_id)
            _present(ctx, uow, again, submission, cycle, re_presentation=True)
            _present_charges(ctx, uow, again, submission, cycle)
            uow.commit()
        done += len(again)
        progress("direct debit collections", done, None)
    with ctx.uow(read_only=True) as uow:
        presented = uow.direct_debit.collections(submission_id=submission.submission_id)
    result["collected"] = len(presented)
    result["total"] = Money.from_pence(sum(c.amount_pence for c in presented)).to_str()
    if not presented:
        with ctx.uow() as uow:
            uow.direct_debit.finish_submission(submission.submission_id, status="rejected", record_count=0,
                                               total_pence=0, sha256=None, bureau_reference=None,
                                               rejection="nothing to collect", now=ctx.clock.now())
            uow.commit()
        return result
    return _send(ctx, submission, result)


def _present(ctx: AppContext, uow: UnitOfWork, due: Sequence[DueInstalment], submission: Submission,
             cycle: bacs.BacsCycle, re_presentation: bool = False) -> None:
    now = ctx.clock.now()
    seen = uow.direct_debit.mandates_with_collections(list({d.mandate_id for d in due}))
    rows: list[Collection] = []
    entries: list[JournalEntry] = []
    for d in due:
        first = d.mandate_id not in seen
        seen.add(d.mandate_id)
        code = bacs.collection_code(first, d.sequence == d.last_sequence and not first, re_presentation)
        what = "re-presented" if re_presentation else "collected"
        entry = _collection_entry(new_id("je"), now, d.policy_id, d.amount_pence,
                                  f"Direct debit {d.mandate_reference} instalment {d.sequence}, {what} on"
                                  f" {cycle.entry_day.isoformat()}")
        entries.append(entry)
        rows.append(Collection(new_id("ddc"), d.instalment_id, 2 if re_presentation else 1, d.policy_id, d.mandate_id,
                               submission.submission_id,
                               code.value, d.amount_pence, d.due_on, cycle.processing_day, cycle.entry_day,
                               "presented", entry.entry_id, None, now))
    uow.direct_debit.add_collections(rows)
    uow.ledger.add_many(entries)
    uow.direct_debit.set_instalment_status([d.instalment_id for d in due], "collected")


def _present_charges(ctx: AppContext, uow: UnitOfWork, again: Sequence[DueInstalment], submission: Submission,
                     cycle: bacs.BacsCycle) -> None:
    """With each re-presentation, the charge for the return still owed on its arrears case, presented as an item of
    its own on the same day (S1, FEE-2: "the new date that we will take the direct debit payment and the £20
    charge"; Bacs re-presents an item unchanged, so the charge cannot ride on it): code 17, a regular collection
    under the mandate; the case's letter gave the advance notice of both (PAY-6). Posted as received (Dr
    `cash:bacs`, Cr the customer's account, where the charge was posted) and undone if returned; the case counts
    both as collected."""
    now = ctx.clock.now()
    rows: list[Collection] = []
    entries: list[JournalEntry] = []
    for d in again:
        case = uow.arrears.open_for_instalment(d.policy_id, d.instalment_id)
        if case is None or case.stage is not Stage.REPRESENTATION:
            continue
        fee = case.fee_owed
        if fee > Money.zero():
            entry = JournalEntry(new_id("je"), now, f"Direct debit {d.mandate_reference}: the charge for the returned "
                                 f"direct debit, collected on {cycle.entry_day.isoformat()}", d.policy_id,
                                 case.transaction_id, (Posting(BACS_CASH, fee, "direct debit collected"),
                                                       Posting(RECEIVABLE, -fee, "returned direct debit charge")))
            entries.append(entry)
            rows.append(Collection(new_id("ddc"), d.instalment_id, CHARGE_ATTEMPT, d.policy_id, d.mandate_id,
                                   submission.submission_id, bacs.TransactionCode.REGULAR_COLLECTION.value, fee.pence,
                                   d.due_on, cycle.processing_day, cycle.entry_day, "presented", entry.entry_id, None,
                                   now))
        uow.arrears.update(ladder.re_presented(case, fee))
        arrears_steps.presented(uow, case.case_id, now)
    uow.direct_debit.add_collections(rows)
    uow.ledger.add_many(entries)


def schedule_re_presentation(ctx: AppContext, uow: UnitOfWork, dd_return: DdReturn, today: date | None = None) -> date:
    """Plan the re-presentation of the collection an ARUDD return names (for `returns.handle_return`, PAY-2):
    the entry day `bacs.re_presentation` gives (at least 5 working days after `today`, within a month of the
    original processing day); the next collection run whose cycle reaches that day presents it again with code
    18, for the same amount. Returns the day, for the payer's letter. ValidationFailed when the reason is not
    "refer to payer" or the month has passed (PAY-6: only ARUDD 0 may be re-presented)."""
    if dd_return.kind != "ARUDD" or dd_return.collection_id is None:
        raise ValidationFailed("only a returned collection can be re-presented", [FieldIssue(
            "return", f"{dd_return.return_id} is an {dd_return.kind} item with no collection")])
    [collection] = uow.direct_debit.collections(ids=[dd_return.collection_id])
    plan = bacs.re_presentation(CAL, dd_return.reason_code, collection.processing_on, today or ctx.today())
    if plan.entry_day is None:
        raise ValidationFailed("this collection may not be re-presented", [FieldIssue("reason_code", str(plan.refused))])
    if collection.attempt != 1:
        raise ValidationFailed("a re-presentation is not presented a third time", [FieldIssue(
            "collection", f"{collection.collection_id} was itself a re-presentation")])
    uow.direct_debit.set_re_presentation(collection.collection_id, plan.entry_day)
    return plan.entry_day


# -- the bureau's reports ------------------------------------------------------------------------------------

def process_reports(ctx: AppContext, principal: Principal, today: date | None = None,
                    since: date | None = None, progress: Progress = no_progress) -> ReportsResult:
    """Fetch the bureau's reports from `since` (default: the last report processed, or 40 days back) to today
    and process each file once: AUDDIS rejections and ADDACS changes update the mandates they name; each ARUDD
    return is recorded against its collection and handed to `returns.handle_return`, in the same transaction."""
    require_staff(principal, "process the Bacs reports")
    today = today or ctx.today()
    with ctx.uow(read_only=True) as uow:
        latest = uow.direct_debit.latest_report_day()
    start = since or latest or today - timedelta(days=40)
    files = bureau(ctx).reports(start, today)
    result: ReportsResult = {"as_of": today.isoformat(), "files": 0, "already_processed": 0, "returns": 0,
                             "mandate_changes": 0, "unmatched": 0}
    for n, report_file in enumerate(files, start=1):
        with ctx.uow() as uow:
            if uow.direct_debit.report_seen(report_file.sha256):
                result["already_processed"] += 1
                continue
            counts = _record_report(ctx, uow, report_file)
            uow.commit()
        result["files"] += 1
        for key in ("returns", "mandate_changes", "unmatched"):
            result[key] += counts[key]  # type: ignore[literal-required]
        progress("Bacs reports", n, len(files))
    return result


def _record_report(ctx: AppContext, uow: UnitOfWork, f: BacsReportFile) -> dict[str, int]:
    now = ctx.clock.now()
    report = f.report
    report_id = new_id("ddr")
    items = len(report.returns) + len(report.advices)
    uow.direct_debit.add_report(report_id, f.report_id, f.kind, f.produced_on, f.sha256, items, now)
    refs = [r.reference for r in report.returns] + [a.reference for a in report.advices]
    mandates = {m.reference: m for m in uow.direct_debit.mandates(references=refs)}
    counts = {"returns": 0, "mandate_changes": 0, "unmatched": 0}
    reversed_items: list[tuple[DdReturn, Collection]] = []
    for item in report.returns:
        mandate = mandates.get(item.reference)
        collection = uow.direct_debit.find_collection(item.reference, item.original_processing_day,
                                                      item.amount_pence) if mandate else None
        matched = collection is not None and collection.status == "presented"
        dd_return = DdReturn(new_id("ddx"), report_id, "ARUDD", item.reference, item.reason_code,
                             mandate.mandate_id if mandate else None, mandate.policy_id if mandate else None,
                             collection.collection_id if matched and collection else None, item.amount_pence,
                             item.original_processing_day, None, "recorded" if matched else "unmatched", now, None)
        uow.direct_debit.add_return(dd_return)
        if not matched:
            counts["unmatched"] += 1
            continue
        counts["returns"] += 1
        assert mandate is not None
        effect = bacs.reason("ARUDD", item.reason_code).mandate
        if effect in (bacs.MandateEffect.CANCELLED, bacs.MandateEffect.SUSPENDED):
            uow.direct_debit.change_mandate(mandate.mandate_id, effect.value, "ARUDD", item.reason_code, now)
        undone = return_handling.reverse_return(ctx, uow, dd_return)
        if undone is not None:
            reversed_items.append((dd_return, undone))
    # Every return's money first, then the ladder's steps: a re-presentation and the charge presented with it that
    # both come back are asked for together, in one letter.
    for dd_return, undone in reversed_items:
        return_handling.step_for_return(ctx, uow, dd_return, undone)
    for advice in report.advices:
        mandate = mandates.get(advice.reference)
        kind = f.kind
        change = DdReturn(new_id("ddx"), report_id, kind, advice.reference, advice.reason_code,
                          mandate.mandate_id if mandate else None, mandate.policy_id if mandate else None, None, None,
                          None, advice.effective_day, "handled" if mandate else "unmatched", now,
                          now if mandate else None)
        uow.direct_debit.add_return(change)
        if mandate is None:
            counts["unmatched"] += 1
            continue
        counts["mandate_changes"] += 1
        _apply_advice(ctx, uow, mandate, kind, advice)
    return counts


def _apply_advice(ctx: AppContext, uow: UnitOfWork, mandate: Mandate, kind: str, advice: bacs.MandateAdvice) -> None:
    """What an ADDACS or AUDDIS item does to its mandate: AUDDIS rejects the instruction; ADDACS cancels it,
    suspends it, reinstates it, or gives its new account (sealed with the customer's data key)."""
    now = ctx.clock.now()
    if kind == "AUDDIS":
        uow.direct_debit.change_mandate(mandate.mandate_id, "rejected", kind, advice.reason_code, now)
        return
    effect = bacs.reason(kind, advice.reason_code).mandate
    if effect is bacs.MandateEffect.AMENDED:
        account: dict[str, str | None] = {}
        if advice.new_sort_code and advice.new_account_number:
            account = {"sort_code": seal(ctx, uow, mandate.customer_id, advice.new_sort_code),
                       "account_number": seal(ctx, uow, mandate.customer_id, advice.new_account_number),
                       "account_ending": advice.new_account_number[-4:]}
        uow.direct_debit.change_mandate(mandate.mandate_id, mandate.status, kind, advice.reason_code, now, account)
    elif effect is bacs.MandateEffect.REINSTATED:
        uow.direct_debit.change_mandate(mandate.mandate_id, "active", kind, advice.reason_code, now)
    elif effect in (bacs.MandateEffect.CANCELLED, bacs.MandateEffect.SUSPENDED):
        uow.direct_debit.change_mandate(mandate.mandate_id, effect.value, kind, advice.reason_code, now)

"""Issue 12: the renewal-invitation batch (`run_renewal_invitations`) asks per chunk, not per policy: the
chunk's NCD proofs and customers in one query each, one call to the fraud agency (`check_many`) and one insert
each for the fraud checks, markers and disclosures. On SQLite and PostgreSQL:

* the batch runs the same number of SQL statements for 1 policy as for 40;
* what it stores and answers (invitations, fraud checks, markers, disclosures, refusals and their reasons,
  an agency outage, a subject the agency does not answer, an accepted NCD proof) is what inviting the same
  policies one at a time (`invite_renewal`) stores and answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import DomainError
from covernote.lifecycle.usecases import renewals
from covernote.ncd import usecases as ncd
from covernote.ncd.usecases import ProofInput
from covernote.platform.context import AppContext
from covernote.regulatory.adapters.fraud import SimulatedFraudAgency
from covernote.regulatory.usecases import fraud
from tests.integration.test_statement_counts import counting
from tests.support import bind, new_customer

STAFF = Principal("usr_staff", "staff")
# At renewal the agency's data has changed since the quotes (made with an empty watch list): one name is
# referred, one matched (a suspected fraud: no invitation), one the agency does not answer for.
WATCH = ("name,Rae Referred,refer,60,linked application", "name,Max Matched,match,91,confirmed fraud",
         "name,Una Unanswered,unavailable,0,timeout")
NAMES = ("Ann Example", "Rae Referred", "Max Matched", "Una Unanswered", "Bea Proven")


def _agency(tmp_path: Path, *lines: str) -> SimulatedFraudAgency:
    path = tmp_path / f"watch{len(lines)}.csv"
    path.write_text("kind,value,result,score,reason\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return SimulatedFraudAgency(path)


def _policies(ctx: AppContext, names: tuple[str, ...], side: str) -> dict[str, dict[str, Any]]:
    """One policy per name; "Bea Proven" has an accepted proof of 3 years' NCD (declared 5): her renewal
    starts from the years proven (NCD-1), read by the batch for the whole chunk."""
    out = {name: bind(ctx, customer_id=new_customer(ctx, name)) for name in names}
    if "Bea Proven" in out:
        today = ctx.today()
        proof = ProofInput("insurer_letter", "Previous Insurer plc", 3, today - timedelta(days=1), "AB12 CDE", "UK",
                           today - timedelta(days=30), f"PREV-{side}")
        assert ncd.add_policy_proof(ctx, SYSTEM, out["Bea Proven"]["id"], proof)["status"] == "accepted"
    return out


def _check(c: dict[str, Any]) -> dict[str, Any]:
    """A stored check without what names its own rows (ids, the agency's running reference, the policy)."""
    return {**{k: v for k, v in c.items() if k not in ("id", "customer_id", "policy_id", "subject_ref", "marker_id",
                                                       "agency_reference", "suggested", "subject")},
            "marker": c["marker_id"] is not None, "agency_answered": c["agency_reference"] is not None,
            "subject": {k: v for k, v in c["subject"].items() if k != "reference"}}


def _stored(ctx: AppContext, policy: dict[str, Any]) -> dict[str, Any]:
    """Everything the renewal invitation of one policy left behind, comparable across policies."""
    cid, pid = policy["customer_id"], policy["id"]
    with ctx.uow(read_only=True) as uow:
        invitations = [{"request": p.request, "offer": p.result, "status": p.status, "version": p.policy_version,
                        "created_at": p.created_at, "expires_at": p.expires_at, "created_by": p.created_by}
                       for p in uow.pending.open_for(pid, "renewal")]
        markers = [(m.source, m.reason, m.recorded_by, m.policy_id == pid) for m in uow.fraud_markers.for_customer(cid)]
        disclosures = [(d.recipient, d.recipient_kind, d.purpose, d.basis, d.categories, d.via, d.recorded_by,
                        d.withheld_from_subject, d.withheld_reason, d.policy_id == pid, d.disclosed_at)
                       for d in uow.disclosures.for_customer(cid, include_withheld=True)
                       if d.recipient_kind == "fraud_agency"]  # not the card payments of the binds
    checks = [_check(c) for c in fraud.list_checks(ctx, STAFF, cid)["checks"]]
    return {"invitations": invitations, "checks": checks, "markers": markers, "disclosures": disclosures}


def _one_at_a_time(ctx: AppContext, policies: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Invite each policy through the single path; the refusals' messages by name."""
    refused = {}
    for name, policy in policies.items():
        try:
            renewals.invite_renewal(ctx, SYSTEM, policy["id"])
        except DomainError as exc:
            refused[name] = exc.message
    return refused


def test_issue12_the_batch_stores_and_answers_what_inviting_one_at_a_time_does(db_ctx, clock, tmp_path):
    db_ctx.fraud = _agency(tmp_path)  # nothing on the watch list when the policies were quoted
    batch, single = _policies(db_ctx, NAMES, "A"), _policies(db_ctx, NAMES, "B")
    clock.advance(timedelta(days=340))  # inside the 28-day invitation window of every policy
    db_ctx.fraud = _agency(tmp_path, *WATCH)
    refused = _one_at_a_time(db_ctx, single)
    assert list(refused) == ["Max Matched"]
    out = renewals.run_renewal_invitations(db_ctx, batch_size=3)  # chunks split the two sides
    # the single side's invitations are open (skipped); its refused policy is screened again, and refused again
    assert (out["invited"], out["skipped"], out["not_invited"]) == (4, 4, 2)
    assert out["not_invited_reasons"] == {refused["Max Matched"]: 2}
    for name in NAMES:
        mine, theirs = _stored(db_ctx, batch[name]), _stored(db_ctx, single[name])
        if name == "Max Matched":  # the batch's second screen of the single side's policy: the same again
            assert theirs["checks"][2] == theirs["checks"][1] and theirs["markers"][1] == theirs["markers"][0]
            assert theirs["disclosures"][2] == theirs["disclosures"][1]
            theirs = {**theirs, "checks": theirs["checks"][:2], "markers": theirs["markers"][:1],
                      "disclosures": theirs["disclosures"][:2]}
        assert mine == theirs, name
    ann, matched, unanswered, bea = (_stored(db_ctx, batch[n]) for n in ("Ann Example", "Max Matched", "Una Unanswered",
                                                                    "Bea Proven"))
    # the comparison is of real outcomes: each kind of answer, and the proof, are there
    assert [c["result"] for c in ann["checks"]] == ["clear", "clear"] and ann["invitations"]
    assert matched["invitations"] == [] and matched["checks"][1]["result"] == "match" and len(matched["markers"]) == 1
    assert unanswered["checks"][1]["result"] == "unavailable" and unanswered["invitations"]
    assert any("did not answer in time" in n for n in unanswered["checks"][1]["notes"])
    assert bea["invitations"][0]["offer"]["ncd"]["before"] == 3 and ann["invitations"][0]["offer"]["ncd"]["before"] == 5
    assert all(len(_stored(db_ctx, p)["disclosures"]) == 2 for p in batch.values())  # quote and renewal


def test_issue12_an_agency_outage_during_the_batch_is_what_it_is_one_at_a_time(db_ctx, clock):
    names = ("Ann Example", "Bea Proven", "Cy Third")
    batch, single = _policies(db_ctx, names, "A"), _policies(db_ctx, names, "B")
    clock.advance(timedelta(days=340))
    agency = db_ctx.fraud
    assert isinstance(agency, SimulatedFraudAgency)
    agency.outage = True
    assert _one_at_a_time(db_ctx, single) == {}  # an outage refuses nobody
    calls = agency.calls
    out = renewals.run_renewal_invitations(db_ctx)
    assert agency.calls == calls + 1  # one call for the chunk
    assert (out["invited"], out["skipped"], out["not_invited"]) == (3, 3, 0)
    for name in names:
        mine, theirs = _stored(db_ctx, batch[name]), _stored(db_ctx, single[name])
        assert mine == theirs, name
        assert mine["checks"][1]["result"] == "unavailable" and mine["checks"][1]["review_status"] == "open"
        assert any("outage" in n for n in mine["checks"][1]["notes"])
    agency.outage = False
    assert fraud.recheck_unavailable(db_ctx, limit=10)["rechecked"] == 6  # each batch check is re-checked alone


def test_issue12_without_an_agency_the_batch_records_each_check_unanswered_and_discloses_nothing(db_ctx, clock):
    batch, single = _policies(db_ctx, ("Ann Example",), "A"), _policies(db_ctx, ("Ann Example",), "B")
    clock.advance(timedelta(days=340))
    db_ctx.fraud = None
    assert _one_at_a_time(db_ctx, single) == {}
    assert renewals.run_renewal_invitations(db_ctx)["invited"] == 1
    mine, theirs = _stored(db_ctx, batch["Ann Example"]), _stored(db_ctx, single["Ann Example"])
    assert mine == theirs and len(mine["disclosures"]) == 1  # the quote's only
    assert any("no fraud prevention agency is configured" in n for n in mine["checks"][1]["notes"])


def _count_run(ctx: AppContext) -> tuple[int, dict[str, Any]]:
    run: dict[str, Any] = {}
    with counting(ctx) as seen:
        run.update(renewals.run_renewal_invitations(ctx, ctx.today()))
    return len(seen), run


def test_issue12_inviting_40_policies_runs_as_many_statements_as_inviting_1(db_ctx, clock, tmp_path):
    """The batch's statements do not grow with the chunk: 40 policies (each its own customer, one with an
    accepted NCD proof, one referred) run the same statements as 1."""
    db_ctx.fraud = _agency(tmp_path, WATCH[0])
    _policies(db_ctx, ("Ann Example",), "A")
    clock.advance(timedelta(days=30))
    _policies(db_ctx, ("Bea Proven", "Rae Referred", *(f"Customer {i}" for i in range(38))), "B")
    one = FixedClock(clock.now() + timedelta(days=310))  # only the first policy's window is open
    forty = FixedClock(clock.now() + timedelta(days=340))  # the first has ended; the 40 are in their window
    count_1, run_1 = _count_run(replace(db_ctx, clock=one))
    count_40, run_40 = _count_run(replace(db_ctx, clock=forty))
    assert (run_1["invited"], run_40["invited"]) == (1, 40)  # real work in both
    assert count_40 == count_1, (count_1, count_40)


def test_issue12_a_workers_key_range_runs_as_many_statements_as_the_whole_window(db_ctx, clock, tmp_path):
    """What a worker process runs for its key range (renewals._invite_range with both bounds) is what one
    process runs for the whole window: the same statements for 40 policies as for 1, and as many as the
    open-ended run (the range's pages add no statement)."""
    db_ctx.fraud = _agency(tmp_path, WATCH[0])
    policies = _policies(db_ctx, ("Bea Proven", "Rae Referred", *(f"Customer {i}" for i in range(38))), "B")
    later = replace(db_ctx, clock=FixedClock(clock.now() + timedelta(days=340)))
    today = later.today()
    window_end = today + timedelta(days=max(p.renewal.invitation_days_before for p in later.catalogue.products) + 1)
    ids = sorted(p["id"] for p in policies.values())
    with counting(later) as seen:  # 40 policies: the range after nothing, up to the last id
        tally = renewals._invite_range(later, today, window_end, SYSTEM.user_id, 500, (None, ids[-1]))
    assert tally.invited == 40
    with db_ctx.uow() as uow:  # invite them again, the open-ended way, for the count
        for policy in policies.values():
            for p in uow.pending.open_for(policy["id"], "renewal"):
                uow.pending.set_status(p.pending_id, "declined")
        uow.commit()
    count_open, run_open = _count_run(later)
    assert run_open["invited"] == 40
    assert len(seen) == count_open, (len(seen), count_open)


def test_issue12_worker_processes_on_postgresql_invite_each_policy_once_with_the_counts_of_one_process(
        db_ctx, clock, tmp_path):
    """Issue 12: on PostgreSQL the batch may run in worker processes over disjoint key ranges of the window.
    Each policy gets exactly one invitation, the counts and reasons are those of one process, the work is done
    in the workers (the parent's agency is never asked), and a second run skips every policy invited."""
    if db_ctx.uow.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        return  # SQLite runs the batch in one process
    db_ctx.fraud = _agency(tmp_path)
    batch, single = (_policies(db_ctx, ("Max Matched", *(f"Customer {side}{i}" for i in range(11))), side)
                     for side in ("A", "B"))
    clock.advance(timedelta(days=340))
    db_ctx.fraud = agency = _agency(tmp_path, WATCH[1])
    one = renewals.run_renewal_invitations(db_ctx, batch_size=2, workers=1)  # both sides, one process
    assert (one["invited"], one["skipped"], one["not_invited"]) == (22, 0, 2)
    with db_ctx.uow() as uow:  # the invitations withdrawn: the window is to invite again, by workers
        for policy in [*batch.values(), *single.values()]:
            for p in uow.pending.open_for(policy["id"], "renewal"):
                uow.pending.set_status(p.pending_id, "declined")
        uow.commit()
    calls = agency.calls
    many = renewals.run_renewal_invitations(db_ctx, batch_size=2, workers=3)  # 24 policies: 3 ranges of 8
    assert agency.calls == calls  # every chunk was screened in a worker
    assert many == one
    with db_ctx.uow(read_only=True) as uow:
        open_by_policy = {p["id"]: len(uow.pending.open_for(p["id"], "renewal")) for p in [*batch.values(),
                                                                                         *single.values()]}
    assert sorted(open_by_policy.values()) == [0, 0] + [1] * 22
    again = renewals.run_renewal_invitations(db_ctx, batch_size=2, workers=3)
    assert (again["invited"], again["skipped"], again["not_invited"]) == (0, 22, 2)

"""REG-1 on SQLite and PostgreSQL: every bind, renewal, cancellation, voidance and every adjustment that
changes the vehicle or the named drivers owes the Motor Insurance Database an update, recorded with its
7-day clock in the transaction's own unit of work; the sender gets it accepted, rejected or not answered
(tried again later); overdue and wrong registrations are impossible to miss."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from covernote.clocks import usecases as clocks
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, Forbidden, PaymentRequired, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.lifecycle.usecases import policies, quotes, renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change, Risk
from covernote.regulatory.adapters.mid import SimulatedMid
from covernote.regulatory.usecases import mid
from covernote.store.tables import policy_transactions
from tests.support import adjust, bind, cancel, driver, motor_risk, new_customer, vehicle

STAFF = Principal("usr_staff", "staff")


def _risk(reg: str) -> Risk:
    return replace(motor_risk(), vehicle=vehicle(reg))


def _updates(ctx: AppContext, policy_id: str) -> list[Any]:
    with ctx.uow(read_only=True) as uow:
        return uow.mid_updates.for_policy(policy_id)


def _sim(ctx: AppContext) -> SimulatedMid:
    assert isinstance(ctx.mid, SimulatedMid)
    return ctx.mid


def test_reg1_bind_records_a_mid_update_and_its_seven_day_clock_in_the_same_unit_of_work(db_ctx, clock):
    p = bind(db_ctx)
    [u] = _updates(db_ctx, p["id"])
    assert (u.trigger, u.status, u.rule, u.term_no) == ("new_business", "pending", "mid.update_private", 1)
    assert u.created_at == clock.now() and u.transaction_id == p["transaction_id"]
    assert u.record["policy_number"] == p["number"] and u.record["cover_start"] == "2026-11-22"
    assert u.record["cover_end"] == "2027-11-22" and u.record["status"] == "on_cover"
    assert [v["registration"] for v in u.record["vehicles"]] == ["AB12CDE"]
    assert [d["name"] for d in u.record["drivers"]] == ["Ann Example"]
    with db_ctx.uow(read_only=True) as uow:
        [d] = uow.deadlines.for_subject("mid_update", u.update_id)
    assert d.rule_code == "mid.update_private" and d.team == "underwriting" and d.started_at == clock.now()
    # 7 calendar days from Sunday 22 November 2026: due by the end of Sunday 29 November (UK)
    assert u.due_at == d.due(clock.now()).due_at and u.due_at.isoformat() == "2026-11-30T00:00:00+00:00"


def test_reg1_a_failed_bind_leaves_no_mid_update(db_ctx):
    cid = new_customer(db_ctx)
    with pytest.raises(PaymentRequired):
        bind(db_ctx, customer_id=cid, token="tok_declined")
    with db_ctx.uow(read_only=True) as uow:
        assert uow.mid_updates.page(None, None, False, None, 100, 0) == []
        assert uow.deadlines.open_due_by(db_ctx.clock.now() + timedelta(days=30), None, 10) == []


def test_reg1_vehicle_and_driver_changes_make_updates_mileage_alone_does_not(db_ctx, clock):
    p = bind(db_ctx)
    clock.advance(timedelta(days=10))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("set_answer", question="annual_mileage", value="12000"))
    assert [u.trigger for u in _updates(db_ctx, p["id"])] == ["new_business"]
    adjust(db_ctx, p["id"], db_ctx.today(), Change("replace_vehicle", vehicle=vehicle("cd19 efg")))
    clock.advance(timedelta(days=1))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Bo Second")))
    clock.advance(timedelta(days=1))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("remove_driver", driver_id="d2"))
    updates = _updates(db_ctx, p["id"])
    assert [u.trigger for u in updates] == ["new_business", "mta", "mta", "mta"]
    vehicle_change, added, removed = updates[1:]
    assert [(v["registration"], v["on_cover_from"], v["on_cover_to"]) for v in vehicle_change.record["vehicles"]] == [
        ("AB12CDE", "2026-11-22", "2026-12-02"), ("CD19EFG", "2026-12-02", "2027-11-22")]
    assert [d["name"] for d in added.record["drivers"]] == ["Ann Example", "Bo Second"]
    assert [(d["name"], d["on_cover_to"]) for d in removed.record["drivers"]] == [
        ("Ann Example", "2027-11-22"), ("Bo Second", "2026-12-04")]
    assert all(u.created_at <= clock.now() and u.status == "pending" for u in updates)


def test_reg1_cancellation_voidance_and_renewal_each_make_an_update(db_ctx, clock):
    cancelled = bind(db_ctx)
    clock.advance(timedelta(days=20))
    cancel(db_ctx, cancelled["id"], db_ctx.today())
    last = _updates(db_ctx, cancelled["id"])[-1]
    assert last.trigger == "cancellation" and last.record["status"] == "cancelled"
    assert last.record["cover_end"] == db_ctx.today().isoformat()

    void = bind(db_ctx)
    policies.void_policy(db_ctx, STAFF, void["id"], reason="staged accident", idempotency_key=new_id("key"))
    last = _updates(db_ctx, void["id"])[-1]
    assert last.trigger == "voidance" and last.record["status"] == "void"
    assert last.record["cover_end"] == last.record["cover_start"] == db_ctx.today().isoformat()

    renewed = bind(db_ctx)
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(db_ctx, SYSTEM, renewed["id"])
    renewals.confirm_renewal(db_ctx, SYSTEM, renewed["id"], offer["id"], new_id("key"))
    last = _updates(db_ctx, renewed["id"])[-1]
    assert (last.trigger, last.term_no) == ("renewal", 2)
    assert last.record["cover_start"] == offer["term"]["start"]


def test_reg1_a_warranty_is_not_reported_to_the_mid(db_ctx):
    p = bind(db_ctx, "WARRANTY")
    assert _updates(db_ctx, p["id"]) == []
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])["mid"]
    assert view["applies"] is False


def test_reg1_sender_gets_updates_accepted_meets_the_clock_and_records_a_disclosure(db_ctx, clock):
    p = bind(db_ctx)
    clock.advance(timedelta(hours=2))
    out = mid.send_pending(db_ctx)
    assert (out["sent"], out["rejected"], out["retry_later"]) == (1, 0, 0)
    [u] = _updates(db_ctx, p["id"])
    assert u.status == "sent" and u.action == "add" and u.reference and u.sent_at == clock.now()
    assert _sim(db_ctx).held(p["number"])["vehicles"][0]["registration"] == "AB12CDE"  # type: ignore[index]
    with db_ctx.uow(read_only=True) as uow:
        [d] = uow.deadlines.for_subject("mid_update", u.update_id)
        [disclosure] = [x for x in uow.disclosures.for_customer(p["customer_id"])
                        if x.recipient_kind == "motor_insurance_database"]
    assert d.met_at == clock.now() and d.state(clock.now()).value == "met_on_time"
    assert disclosure.purpose == "regulatory_reporting" and disclosure.basis == "legal_obligation"
    assert disclosure.reference == u.reference and disclosure.policy_id == p["id"] and disclosure.via == "mid"
    assert set(disclosure.categories) == {"vehicle", "identity", "contract"}
    assert not disclosure.withheld_from_subject
    # an adjustment's update is then an amendment of what the MID holds
    adjust(db_ctx, p["id"], db_ctx.today(), Change("replace_vehicle", vehicle=vehicle("CD19EFG")))
    mid.send_pending(db_ctx)
    assert _updates(db_ctx, p["id"])[-1].action == "amend"
    assert _sim(db_ctx).held(p["number"])["vehicles"][-1]["registration"] == "CD19EFG"  # type: ignore[index]
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])["mid"]
    assert view["in_step"] and not view["mismatch"] and view["flags"] == [] and view["status"] == "sent"
    assert mid.send_pending(db_ctx)["results"] == []  # nothing left to send


def test_reg1_s1_a_registration_the_mid_rejects_is_flagged_until_corrected(db_ctx, clock):
    p = bind(db_ctx, risk=_risk("ZZ12ABC"))
    out = mid.send_pending(db_ctx)
    assert out["rejected"] == 1 and out["results"][0]["reject_code"] == "invalid_registration"
    [u] = _updates(db_ctx, p["id"])
    assert u.status == "rejected" and u.reject_code == "invalid_registration" and u.reject_reason
    with db_ctx.uow(read_only=True) as uow:  # the bureau received it: a disclosure; the clock still runs
        assert [x.recipient_kind for x in uow.disclosures.for_customer(p["customer_id"])
                if x.recipient_kind == "motor_insurance_database"] == ["motor_insurance_database"]
        [d] = uow.deadlines.for_subject("mid_update", u.update_id)
    assert d.met_at is None
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])["mid"]
    assert view["status"] == "rejected" and view["mismatch"] and view["registrations_on_mid"] is None
    codes = {f["code"] for f in view["flags"]}
    assert {"rejected_by_mid", "not_on_mid", "unissued_letters"} <= codes
    flagged = mid.list_updates(db_ctx, STAFF, flagged=True)["updates"]
    assert [x["id"] for x in flagged] == [u.update_id] and flagged[0]["what_to_do"]
    assert [x["id"] for x in mid.list_updates(db_ctx, STAFF, status="rejected")["updates"]] == [u.update_id]
    # put right by an adjustment from the day cover began: the new picture (which no longer shows the wrong
    # mark) is sent as a new record and supersedes the rejected one
    clock.advance(timedelta(days=1))
    adjust(db_ctx, p["id"], date(2026, 11, 22), Change("replace_vehicle", vehicle=vehicle("AB12CDE")))
    out = mid.send_pending(db_ctx)
    assert out["sent"] == 1
    first, fix = _updates(db_ctx, p["id"])
    assert fix.status == "sent" and fix.action == "add"
    assert first.status == "superseded" and first.superseded_by == fix.update_id
    with db_ctx.uow(read_only=True) as uow:
        [d] = uow.deadlines.for_subject("mid_update", first.update_id)
    assert d.met_at == clock.now()  # within its 7 days: met on time
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])["mid"]
    assert not any(f["code"] == "rejected_by_mid" for f in view["flags"])


def test_reg1_a_correction_is_queued_only_for_a_rejected_update(db_ctx):
    p = bind(db_ctx, risk=_risk("ZZ12ABC"))
    [u] = _updates(db_ctx, p["id"])
    with pytest.raises(Conflict):
        mid.send_correction(db_ctx, STAFF, u.update_id)
    mid.send_pending(db_ctx)
    fresh = mid.send_correction(db_ctx, STAFF, u.update_id)
    assert fresh["trigger"] == "correction" and fresh["status"] == "pending" and fresh["due_at"] == u.due_at.isoformat()
    assert mid.send_pending(db_ctx)["rejected"] == 1  # still the wrong registration: the bureau still refuses
    with pytest.raises(Forbidden):
        mid.send_correction(db_ctx, Principal("usr_c", "customer", p["customer_id"]), u.update_id)


def test_reg1_no_answer_leaves_it_pending_and_it_is_tried_again_after_a_back_off(db_ctx, clock):
    p = bind(db_ctx, risk=_risk("ZX12ABC"))  # the simulator times out on the first try of this update
    out = mid.send_pending(db_ctx)
    assert out["retry_later"] == 1 and out["sent"] == 0
    [u] = _updates(db_ctx, p["id"])
    assert u.status == "pending" and u.attempts == 1 and u.last_error
    assert u.next_attempt_at == clock.now() + timedelta(minutes=5)
    with db_ctx.uow(read_only=True) as uow:  # nothing reached the bureau: no disclosure
        assert not any(x.recipient_kind == "motor_insurance_database"
                       for x in uow.disclosures.for_customer(p["customer_id"], include_withheld=True))
    assert mid.send_pending(db_ctx)["results"] == []  # still waiting out the back-off
    clock.advance(timedelta(minutes=6))
    out = mid.send_pending(db_ctx)
    assert out["sent"] == 1
    [u] = _updates(db_ctx, p["id"])
    assert u.status == "sent" and u.attempts == 2


def test_reg1_an_outage_keeps_updates_pending_in_order_per_policy(db_ctx, clock):
    p = bind(db_ctx)
    adjust(db_ctx, p["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Bo Second")))
    sim = _sim(db_ctx)
    sim.outage = True
    out = mid.send_pending(db_ctx)
    # the first gets no answer; the adjustment waits for it (the MID must hear of the policy first)
    assert (out["retry_later"], out["waiting"], out["sent"]) == (1, 1, 0)
    out = mid.send_pending(db_ctx, retry_now=True)
    assert out["retry_later"] == 1
    first = _updates(db_ctx, p["id"])[0]
    assert first.attempts == 2 and first.next_attempt_at == clock.now() + timedelta(minutes=10)
    sim.outage = False
    clock.advance(timedelta(minutes=11))
    out = mid.send_pending(db_ctx)
    assert out["sent"] == 2
    assert [(u.status, u.action) for u in _updates(db_ctx, p["id"])] == [("sent", "add"), ("sent", "amend")]


def test_reg1_overdue_updates_are_in_the_clock_report_the_mid_list_and_the_policy_view(db_ctx, clock):
    p = bind(db_ctx)
    _sim(db_ctx).outage = True
    mid.send_pending(db_ctx)
    clock.advance(timedelta(days=6))
    report = clocks.report(db_ctx, STAFF, within_hours=48, team="underwriting")
    assert [d["subject_kind"] for d in report["due_soon"]] == ["mid_update"] and report["overdue"] == []
    assert mid.list_updates(db_ctx, STAFF, overdue=True)["updates"] == []
    clock.advance(timedelta(days=2))  # past the seventh day
    report = clocks.report(db_ctx, STAFF)
    [late] = [d for d in report["overdue"] if d["subject_kind"] == "mid_update"]
    [u] = _updates(db_ctx, p["id"])
    assert late["subject_id"] == u.update_id and late["rule"] == "mid.update_private" and late["breached"]
    listed = mid.list_updates(db_ctx, STAFF, status="pending", overdue=True)["updates"]
    assert [x["id"] for x in listed] == [u.update_id] and listed[0]["overdue"]
    flags = {f["code"]: f for f in policies.get_policy(db_ctx, SYSTEM, p["id"])["mid"]["flags"]}
    assert flags["overdue"]["severity"] == "error" and flags["not_on_mid"]["severity"] == "error"
    # accepted late: no longer open, but still listed as overdue (met late) and counted as breached
    _sim(db_ctx).outage = False
    mid.send_pending(db_ctx, retry_now=True)
    assert [x["status"] for x in mid.list_updates(db_ctx, STAFF, overdue=True)["updates"]] == ["sent"]
    figures = clocks.figures(db_ctx, STAFF, team="underwriting")["teams"][0]
    assert figures["met_late"] == 1 and figures["breached"] == 1


def test_reg1_s1_a_registration_not_in_a_uk_format_is_refused_at_quote_and_flagged_on_a_stored_policy(db_ctx):
    cid = new_customer(db_ctx)
    with pytest.raises(ValidationFailed) as refused:
        quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("ECO", db_ctx.today(), _risk("NOT-A-REG"), cid))
    assert {i.field for i in refused.value.issues} == {"risk.vehicle.registration"}
    # a policy whose registration was stored wrongly (an import from an older system, say) is flagged
    p = bind(db_ctx)
    with db_ctx.uow.engine.begin() as conn:  # type: ignore[attr-defined]
        row = conn.execute(sa.select(policy_transactions.c.id, policy_transactions.c.details)
                           .where(policy_transactions.c.policy_id == p["id"])).one()
        details = dict(row.details)
        details["risk"] = {**details["risk"], "vehicle": {**details["risk"]["vehicle"], "registration": "NOT-A-REG"}}
        conn.execute(policy_transactions.update().where(policy_transactions.c.id == row.id).values(details=details))
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])["mid"]
    [flag] = [f for f in view["flags"] if f["code"] == "invalid_format"]
    assert flag["severity"] == "error" and flag["registration"] == "NOT-A-REG"
    assert view["registrations"] == ["NOT-A-REG"]


def test_reg1_the_mid_lists_are_for_staff_and_validate_their_filters(db_ctx):
    p = bind(db_ctx)
    customer = Principal("usr_c", "customer", p["customer_id"])
    with pytest.raises(Forbidden):
        mid.list_updates(db_ctx, customer)
    with pytest.raises(Forbidden):
        mid.send_pending(db_ctx, customer)
    with pytest.raises(ValidationFailed) as bad:
        mid.list_updates(db_ctx, STAFF, status="lost", limit=0)
    assert {i.field for i in bad.value.issues} == {"status", "limit"}
    [one] = mid.list_updates(db_ctx, STAFF, policy_id=p["number"])["updates"]
    shown = mid.get_update(db_ctx, STAFF, one["id"])
    assert shown["record"]["policy_number"] == p["number"] and shown["deadlines"][0]["rule"] == "mid.update_private"
    # the customer sees their policy's MID status
    assert policies.get_policy(db_ctx, customer, p["id"])["mid"]["registrations"] == ["AB12CDE"]


def test_reg1_without_a_gateway_the_sender_refuses_and_nothing_is_lost(db_ctx: AppContext, clock: FixedClock):
    from covernote.kernel.errors import ServiceUnavailable

    p = bind(db_ctx)
    db_ctx.mid = None
    with pytest.raises(ServiceUnavailable):
        mid.send_pending(db_ctx)
    assert _updates(db_ctx, p["id"])[0].status == "pending"

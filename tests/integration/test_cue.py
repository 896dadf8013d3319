"""REG-2 on SQLite and PostgreSQL: an incident or claim recorded today is reported to the Claims and
Underwriting Exchange (an outbox written with it, sent by a job, accepted, rejected or retried), with a
disclosure (PRV-6); first notification of loss reports through the same function, once per incident."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Forbidden, ValidationFailed
from covernote.lifecycle.usecases import policies
from covernote.policy.domain.risk import Change
from covernote.regulatory.adapters.cue import SimulatedCue
from covernote.regulatory.usecases import cue
from tests.support import adjust, bind, driver, motor_risk, vehicle

STAFF = Principal("usr_staff", "staff")


def _incident(ctx, policy_id: str, **kw):  # type: ignore[no-untyped-def]
    args = {"kind": "claim", "occurred_on": ctx.today(), "reference": "CLM-77",
            "description": "rear-end collision", **kw}
    return policies.record_incident(ctx, SYSTEM, policy_id, **args)


def test_reg2_a_recorded_incident_is_queued_for_cue_with_the_vehicle_and_drivers_of_the_day(db_ctx, clock):
    p = bind(db_ctx)
    clock.advance(timedelta(days=10))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Bo Second")),
           Change("replace_vehicle", vehicle=vehicle("CD19EFG")))
    clock.advance(timedelta(days=5))
    txn = _incident(db_ctx, p["id"], occurred_on=db_ctx.today() - timedelta(days=10))  # before the change
    with db_ctx.uow(read_only=True) as uow:
        [r] = uow.cue_reports.for_policy(p["id"])
    assert r.transaction_id == txn["id"] and r.status == "pending" and r.kind == "claim"
    assert r.payload == {"policy_number": p["number"], "incident_on": (db_ctx.today() - timedelta(days=10)).isoformat(),
                         "kind": "claim", "claim_type": "other", "total_loss": False, "claim_reference": "CLM-77",
                         "registration": "AB12CDE", "drivers": ["Ann Example"]}
    _incident(db_ctx, p["id"], kind="incident", reference="", occurred_on=db_ctx.today())
    with db_ctx.uow(read_only=True) as uow:
        second = uow.cue_reports.for_policy(p["id"])[1]
    assert second.payload["registration"] == "CD19EFG" and second.payload["drivers"] == ["Ann Example", "Bo Second"]


def test_reg2_sender_reports_to_cue_and_records_a_disclosure(db_ctx, clock):
    p = bind(db_ctx)
    _incident(db_ctx, p["id"])
    clock.advance(timedelta(minutes=30))
    out = cue.send_pending(db_ctx)
    assert (out["sent"], out["rejected"], out["retry_later"]) == (1, 0, 0)
    [listed] = cue.list_reports(db_ctx, STAFF, status="sent")["reports"]
    assert listed["reference"].startswith("CUE-") and listed["sent_at"] == clock.now().isoformat()
    with db_ctx.uow(read_only=True) as uow:
        [d] = [x for x in uow.disclosures.for_customer(p["customer_id"]) if x.recipient_kind == "claims_database"]
    assert d.reference == listed["reference"] and d.purpose == "fraud_prevention" and d.via == "cue"
    assert "claims_history" in d.categories
    assert cue.send_pending(db_ctx)["results"] == []


def test_reg2_rejected_and_unanswered_reports(db_ctx, clock):
    bad = bind(db_ctx, risk=replace(motor_risk(), vehicle=vehicle("ZZ12ABC")))
    _incident(db_ctx, bad["id"])
    assert cue.send_pending(db_ctx)["rejected"] == 1
    [rejected] = cue.list_reports(db_ctx, STAFF, status="rejected")["reports"]
    assert rejected["reject_code"] == "invalid_registration"
    good = bind(db_ctx)
    _incident(db_ctx, good["id"])
    sim = db_ctx.cue
    assert isinstance(sim, SimulatedCue)
    sim.outage = True
    out = cue.send_pending(db_ctx)
    assert out["retry_later"] == 1
    [waiting] = cue.list_reports(db_ctx, STAFF, status="pending")["reports"]
    assert waiting["attempts"] == 1 and waiting["last_error"]
    sim.outage = False
    assert cue.send_pending(db_ctx)["results"] == []  # waiting out the back-off
    clock.advance(timedelta(minutes=6))
    assert cue.send_pending(db_ctx)["sent"] == 1


def test_reg2_report_claim_to_cue_is_idempotent_per_incident_and_claim(db_ctx):
    """First notification of loss (claims/usecases.py) calls report_claim_to_cue with its claim id: the incident
    transaction already reported is the same report, the claim id added; a second call is a no-op."""
    p = bind(db_ctx)
    txn = _incident(db_ctx, p["id"])
    with db_ctx.uow() as uow:
        policy = uow.policies.get(p["id"])
        assert policy is not None
        r = cue.report_claim_to_cue(db_ctx, uow, policy=policy, occurred_on=db_ctx.today(),
                                    claim_id="clm_1", transaction_id=txn["id"])
        again = cue.report_claim_to_cue(db_ctx, uow, policy=policy, occurred_on=db_ctx.today(), claim_id="clm_1")
        other = cue.report_claim_to_cue(db_ctx, uow, policy=policy, occurred_on=db_ctx.today(), claim_id="clm_2",
                                        kind="incident", claim_type="windscreen")
        with pytest.raises(ValidationFailed):
            cue.report_claim_to_cue(db_ctx, uow, policy=policy, occurred_on=db_ctx.today(), kind="rumour")
        uow.commit()
    assert r is not None and again is not None and other is not None
    assert r.claim_id == "clm_1" and r.transaction_id == txn["id"] and again.report_id == r.report_id
    assert other.report_id != r.report_id and other.payload["claim_type"] == "windscreen"
    with db_ctx.uow(read_only=True) as uow:
        assert len(uow.cue_reports.for_policy(p["id"])) == 2


def test_reg2_a_warranty_claim_is_not_reported_and_the_lists_are_for_staff(db_ctx):
    w = bind(db_ctx, "WARRANTY")
    with db_ctx.uow() as uow:
        policy = uow.policies.get(w["id"])
        assert policy is not None
        assert cue.report_claim_to_cue(db_ctx, uow, policy=policy, occurred_on=db_ctx.today()) is None
    customer = Principal("usr_c", "customer", w["customer_id"])
    with pytest.raises(Forbidden):
        cue.list_reports(db_ctx, customer)
    with pytest.raises(ValidationFailed) as bad:
        cue.list_reports(db_ctx, STAFF, status="lost")
    assert bad.value.issues[0].field == "status"

"""REG-3 on SQLite and PostgreSQL: fraud checks at quote, mid-term adjustment, renewal and claim, each call
recorded with a disclosure to the agency (PRV-6, withheld from the person); clear proceeds, refer proceeds
and waits for staff review, a match is a suspected fraud (a marker) that refuses the transaction, and staff
who confirm it void the policy keeping the premium (POL-4); an agency outage never loses a check."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Conflict, Forbidden, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.lifecycle.usecases import policies, quotes, renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change, Driver
from covernote.policy.usecases.lookup import balance_of
from covernote.privacy.usecases import registers, subject_access
from covernote.regulatory.adapters.fraud import SimulatedFraudAgency, load_watchlist
from covernote.regulatory.domain.fraud import REFUSAL
from covernote.regulatory.usecases import fraud
from tests.support import adjust, bind, driver, motor_risk, new_customer, vehicle

STAFF = Principal("usr_staff", "staff")
DPO = Principal("usr_dpo", "dpo")


def _checks(ctx: AppContext, customer_id: str) -> list[dict]:  # type: ignore[type-arg]
    return fraud.list_checks(ctx, STAFF, customer_id)["checks"]


def _quote(ctx: AppContext, customer_id: str, risk=None):  # type: ignore[no-untyped-def]
    return quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), risk or motor_risk(), customer_id))


def _agency(tmp_path: Path, *lines: str) -> SimulatedFraudAgency:
    path = tmp_path / "watch.csv"
    path.write_text("kind,value,result,score,reason\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return SimulatedFraudAgency(path)


def test_reg3_prv6_issue13_item3_a_clear_check_at_quote_is_recorded_with_a_disclosure_shown_to_the_person(db_ctx):
    """REG-3, PRV-6, issue 13 item 3 (S1 section 10): a routine check's disclosure to the agency is shown to
    the person, not withheld."""
    cid = new_customer(db_ctx)
    q = _quote(db_ctx, cid)
    [c] = _checks(db_ctx, cid)
    assert (c["stage"], c["result"], c["score"], c["review_status"]) == ("quote", "clear", 0, "none")
    assert c["subject_ref"] == q["id"] and c["reasons"] == [] and c["policy_id"] is None
    assert c["subject"]["name"] == "Ann Example" and c["subject"]["registrations"] == ["AB12CDE"]
    with db_ctx.uow(read_only=True) as uow:
        [d] = uow.disclosures.for_customer(cid)  # shown to the person
    assert (d.recipient_kind, d.purpose, d.via, d.withheld_from_subject) == ("fraud_agency", "fraud_prevention",
                                                                            "fraud_check", False)
    assert d.reference == c["agency_reference"] and d.withheld_reason is None
    assert fraud.list_referrals(db_ctx, STAFF)["referrals"] == []


def test_reg3_refer_at_quote_proceeds_and_waits_for_staff_review(db_ctx):
    cid = new_customer(db_ctx, "Rita Referral")
    q = _quote(db_ctx, cid)
    assert q["status"] == "open"
    [ref] = fraud.list_referrals(db_ctx, STAFF)["referrals"]
    assert ref["result"] == "refer" and ref["score"] == 60 and ref["review_status"] == "open" and ref["reasons"]
    assert ref["marker_id"] is None and ref["suggested"]
    with pytest.raises(ValidationFailed) as bad:
        fraud.review(db_ctx, STAFF, ref["id"], "shrug", " ")
    assert {i.field for i in bad.value.issues} == {"decision", "note"}
    done = fraud.review(db_ctx, STAFF, ref["id"], "cleared", "spoke to the customer; same person, new address")
    assert done["review_status"] == "cleared" and done["reviewed_by"] == STAFF.user_id
    assert fraud.list_referrals(db_ctx, STAFF)["referrals"] == []
    assert [r["id"] for r in fraud.list_referrals(db_ctx, STAFF, status="cleared")["referrals"]] == [ref["id"]]
    with pytest.raises(Conflict):
        fraud.review(db_ctx, STAFF, ref["id"], "confirmed", "changed my mind")


@pytest.mark.parametrize(("name", "reg"), [("Mallory Fraudster", "AB12CDE"), ("Ann Example", "FR12AUD")])
def test_reg3_a_match_at_quote_refuses_it_records_a_marker_and_reveals_nothing(db_ctx, name, reg):
    cid = new_customer(db_ctx, name)
    with pytest.raises(Conflict) as refused:
        _quote(db_ctx, cid, replace(motor_risk(), vehicle=vehicle(reg)))
    assert [(i.field, i.reason) for i in refused.value.issues] == [
        ("fraud_check", "our fraud prevention checks did not pass")]
    assert REFUSAL in refused.value.message
    for entry in load_watchlist():  # nothing of the watch list reaches the customer
        assert entry.reason not in refused.value.message
    with db_ctx.uow(read_only=True) as uow:
        assert uow.quotes.page(cid, 10, 0) == []  # no quote was made
        [marker] = uow.fraud_markers.for_customer(cid)
        [d] = uow.disclosures.for_customer(cid, include_withheld=True)  # the check is kept, refusal or not
    assert marker.source == "fraud_check" and "matched" in marker.reason
    assert d.recipient_kind == "fraud_agency" and not d.withheld_from_subject  # alike for every answer
    [c] = _checks(db_ctx, cid)
    assert c["result"] == "match" and c["marker_id"] == marker.marker_id and c["review_status"] == "open"


def test_reg3_mta_refer_proceeds_and_a_match_refuses_the_change_then_staff_void_keeping_the_premium(db_ctx, clock):
    """REG-3 at MTA, POL-4: a named driver on the watch list as refer goes through, flagged; a car on it as
    match is refused and marked; staff confirm it and void the policy: the premium paid is kept."""
    p = bind(db_ctx)
    cid = p["customer_id"]
    clock.advance(timedelta(days=5))
    adjust(db_ctx, p["id"], db_ctx.today(), Change("set_answer", question="annual_mileage", value="9000"))
    mta = [c for c in _checks(db_ctx, cid) if c["stage"] == "mta"]
    assert [(c["result"], c["review_status"], c["policy_id"]) for c in mta] == [("clear", "none", p["id"])]
    adjust(db_ctx, p["id"], db_ctx.today(), Change("add_driver", driver=driver("d2", name="Rita Referral")))
    [referral] = fraud.list_referrals(db_ctx, STAFF)["referrals"]
    assert (referral["stage"], referral["result"], referral["policy_id"]) == ("mta", "refer", p["id"])
    assert "Rita Referral" in referral["subject"]["drivers"]
    with pytest.raises(Conflict) as refused:
        adjust(db_ctx, p["id"], db_ctx.today(), Change("replace_vehicle", vehicle=vehicle("FR12AUD")))
    assert refused.value.issues[0].field == "fraud_check"
    with db_ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(p["id"])
        assert policy is not None and [t.kind for t in policy.transactions] == ["new_business", "mta", "mta"]
        assert len(uow.pending.open_for(p["id"], "mta")) == 0  # no quote for the change was stored
        paid_before = balance_of(uow, p["id"])
    match = next(c for c in fraud.list_referrals(db_ctx, STAFF)["referrals"] if c["result"] == "match")
    assert match["marker_id"] and "void" in match["suggested"]
    confirmed = fraud.review(db_ctx, STAFF, match["id"], "confirmed", "car reported in a staged-accident ring")
    assert confirmed["marker_id"] == match["marker_id"]  # the check's marker stands; no second one
    void = policies.void_policy(db_ctx, STAFF, p["id"], reason="fraud confirmed (REG-3)", idempotency_key=new_id("key"))
    assert void["status"] == "void" and void["transaction"]["details"]["premium_kept"] is True
    with db_ctx.uow(read_only=True) as uow:
        assert balance_of(uow, p["id"]) == paid_before  # nothing refunded
        assert len(uow.fraud_markers.for_customer(cid)) == 1
    assert policies.get_policy(db_ctx, SYSTEM, p["id"])["status"] == "void"


def test_reg3_renewal_refer_is_invited_and_flagged_a_match_is_not_invited(db_ctx, clock, tmp_path):
    flagged = bind(db_ctx, customer_id=new_customer(db_ctx, "Rita Referral"))  # refer at quote: went ahead
    marked = bind(db_ctx, risk=replace(motor_risk(), postcode="LS6 2AB"))
    clean = bind(db_ctx)
    clock.advance(timedelta(days=350))
    # the agency's data changed since the quote: the second policy's postcode now matches
    db_ctx.fraud = _agency(tmp_path, "name,Rita Referral,refer,60,linked application",
                           "postcode,LS6 2AB,match,91,address used in confirmed fraud")
    out = renewals.run_renewal_invitations(db_ctx)
    assert out["invited"] == 2 and out["not_invited"] == 1
    assert any("fraud prevention checks" in reason for reason in out["not_invited_reasons"])
    with db_ctx.uow(read_only=True) as uow:
        assert [x.policy_id for x in uow.pending.open_for(flagged["id"], "renewal")] == [flagged["id"]]
        assert uow.pending.open_for(marked["id"], "renewal") == []
        [marker] = uow.fraud_markers.for_customer(marked["customer_id"])
    assert marker.policy_id == marked["id"]
    stages = [(c["stage"], c["result"]) for c in fraud.list_referrals(db_ctx, STAFF)["referrals"]]
    assert ("renewal", "refer") in stages and ("renewal", "match") in stages
    # a clean policy's renewal check is clear and goes ahead without a referral
    assert [(c["stage"], c["result"], c["review_status"]) for c in _checks(db_ctx, clean["customer_id"])] == [
        ("quote", "clear", "none"), ("renewal", "clear", "none")]
    with pytest.raises(Conflict):  # one at a time, too
        renewals.invite_renewal(db_ctx, SYSTEM, marked["id"])


def test_reg3_an_outage_records_the_check_as_unavailable_goes_ahead_and_is_rechecked(db_ctx, clock):
    agency = db_ctx.fraud
    assert isinstance(agency, SimulatedFraudAgency)
    agency.outage = True
    cid = new_customer(db_ctx)
    q = _quote(db_ctx, cid)  # the quote goes ahead
    assert q["status"] == "open"
    [c] = _checks(db_ctx, cid)
    assert c["result"] == "unavailable" and c["review_status"] == "open" and c["reasons"] == []
    assert any("no answer" in n for n in c["notes"]) and "recheck" in c["suggested"]
    with pytest.raises(Conflict):  # not cleared before the agency has answered
        fraud.review(db_ctx, STAFF, c["id"], "cleared", "looks fine")
    assert fraud.recheck_unavailable(db_ctx)["still_unavailable"] == 1  # still down: it stays waiting
    [still] = fraud.list_referrals(db_ctx, STAFF)["referrals"]
    agency.outage = False
    clock.advance(timedelta(hours=1))
    out = fraud.recheck_unavailable(db_ctx)
    assert out["rechecked"] == 1 and out["results"][0]["result"] == "clear"
    assert fraud.list_referrals(db_ctx, STAFF)["referrals"] == []
    checks = _checks(db_ctx, cid)
    assert [x["result"] for x in checks] == ["unavailable", "unavailable", "clear"]
    assert checks[-1]["recheck_of"] == still["id"] and checks[-1]["subject"] == c["subject"]
    assert [x["review_status"] for x in checks[:2]] == ["rechecked", "rechecked"]
    with pytest.raises(Conflict):
        fraud.recheck(db_ctx, STAFF, checks[-1]["id"])


def test_reg3_without_an_agency_configured_the_check_is_still_recorded_and_referred(db_ctx):
    db_ctx.fraud = None
    cid = new_customer(db_ctx)
    _quote(db_ctx, cid)
    [c] = _checks(db_ctx, cid)
    assert c["result"] == "unavailable" and c["review_status"] == "open"
    assert any("no fraud prevention agency is configured" in n for n in c["notes"])
    with db_ctx.uow(read_only=True) as uow:  # nothing was sent: no disclosure
        assert uow.disclosures.for_customer(cid, include_withheld=True) == []


def test_reg3_a_claim_check_never_refuses_but_a_match_is_marked_and_referred(db_ctx, tmp_path):
    """The function first notification of loss calls: `fraud_check(ctx, uow, "claim", customer, policy,
    claim id)` sends the customer and the policy's vehicles and drivers."""
    p = bind(db_ctx)
    db_ctx.fraud = _agency(tmp_path, "registration,AB12CDE,match,80,vehicle in an earlier staged claim")
    with db_ctx.uow() as uow:
        out = fraud.fraud_check(db_ctx, uow, "claim", p["customer_id"], p["id"], "clm_123")
        uow.commit()
    assert out.result == "match" and out.proceed and out.review and out.marker_id
    [c] = [x for x in _checks(db_ctx, p["customer_id"]) if x["stage"] == "claim"]
    assert c["subject_ref"] == "clm_123" and c["subject"]["registrations"] == ["AB12CDE"]
    with db_ctx.uow() as uow, pytest.raises(ValidationFailed):
        fraud.fraud_check(db_ctx, uow, "lunch", p["customer_id"], p["id"], "x")


def test_reg3_prv3_the_checks_are_for_staff_and_left_out_of_the_access_package(db_ctx):
    cid = new_customer(db_ctx, "Rita Referral")
    _quote(db_ctx, cid)
    customer = Principal("usr_c", "customer", cid)
    for call in (lambda: fraud.list_referrals(db_ctx, customer), lambda: fraud.list_checks(db_ctx, customer, cid)):
        with pytest.raises(Forbidden):
            call()
    package = subject_access.package_for_customer(db_ctx, DPO, cid)
    assert "fraud_checks" not in package["records"] and "Rita Referral" not in str(package["recipients"])
    assert "fraud_checks" in {x["register"] for x in package["not_included"]}
    assert "linked to an earlier application" not in str(package)
    assert registers.list_markers(db_ctx, STAFF, cid)["markers"] == []  # a referral is not a suspected fraud


def test_reg3_a_confirmed_referral_records_a_marker(db_ctx):
    cid = new_customer(db_ctx, "Rita Referral")
    _quote(db_ctx, cid)
    [ref] = fraud.list_referrals(db_ctx, STAFF)["referrals"]
    done = fraud.review(db_ctx, STAFF, ref["id"], "confirmed", "same person as a known ghost broker")
    assert done["marker_id"]
    [marker] = registers.list_markers(db_ctx, STAFF, cid)["markers"]
    assert marker["id"] == done["marker_id"] and marker["source"] == "fraud_check"


def test_reg3_named_drivers_of_a_quote_are_checked(db_ctx):
    cid = new_customer(db_ctx)
    risk = replace(motor_risk(), drivers=(driver(), Driver("d2", "Mallory Fraudster", motor_risk().drivers[0].date_of_birth,
                                                           motor_risk().drivers[0].licence_held_since)))
    with pytest.raises(Conflict):
        _quote(db_ctx, cid, risk)

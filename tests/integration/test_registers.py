"""Legal holds, fraud markers and the disclosure register (issue 3 parts 5 and 6; PRV-4, PRV-6, REG-4, SEC-1),
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Conflict, Forbidden, NotFound, PaymentRequired, ValidationFailed
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import policies, quotes
from covernote.privacy.ports import Disclosure
from covernote.privacy.usecases import disclosures, registers, subject_access
from covernote.privacy.usecases.disclosures import PAYMENT_PROVIDER, recipients_to_tell, record_disclosure
from tests.support import bind, cancel, motor_risk, new_customer

STAFF = Principal("usr_staff", "staff")
DPO = Principal("usr_dpo", "dpo")
UNDERWRITER = Principal("usr_uw", "underwriter")


def _not_checks(found: list[Disclosure]) -> list[Disclosure]:
    """The disclosures other than the routine fraud checks (REG-3), which every quote makes and which the
    person is shown (issue 13 item 3)."""
    return [d for d in found if d.recipient_kind != "fraud_agency"]


def _fields(exc: pytest.ExceptionInfo[Exception]) -> set[str]:
    return {i.field for i in exc.value.issues}  # type: ignore[attr-defined]


def _claim(ctx, policy_id: str, reference: str = "CLM-0001") -> None:  # type: ignore[no-untyped-def]
    policies.record_incident(ctx, STAFF, policy_id, kind="claim", occurred_on=ctx.today(), reference=reference)


# -- legal holds ------------------------------------------------------------------------------------


def test_prv4_hold_on_a_customer_a_policy_and_a_claim_resolves_the_customer(db_ctx):
    other = new_customer(db_ctx, "Olive Other")
    p = bind(db_ctx)
    cid = p["customer_id"]
    _claim(db_ctx, p["id"])
    review = db_ctx.today() + timedelta(days=90)
    on_customer = registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=cid, reason="Smith v Covernote",
                                     review_on=review)
    on_policy = registers.set_hold(db_ctx, UNDERWRITER, scope="policy", scope_id=p["number"],
                                   reason="Smith v Covernote", review_on=review)
    on_claim = registers.set_hold(db_ctx, STAFF, scope="claim", scope_id="CLM-0001", reason="Claim litigation",
                                  review_on=review)
    assert on_customer["customer_id"] == cid and on_customer["scope_id"] == cid
    assert on_policy["customer_id"] == cid and on_policy["scope_id"] == p["id"]  # a number is stored as the id
    assert on_claim["customer_id"] == cid and on_claim["scope_id"] == "CLM-0001"
    assert all(h["active"] and not h["due_for_review"] and h["set_by"] for h in (on_customer, on_policy, on_claim))
    with db_ctx.uow(read_only=True) as uow:
        assert uow.holds.held_customer_ids([cid, other]) == {cid}
        assert {h.scope for h in uow.holds.for_customer(cid)} == {"customer", "policy", "claim"}
        assert uow.holds.for_customer(other) == []


@pytest.mark.parametrize("scope, field_reason", [("customer", "no customer"), ("policy", "no policy"),
                                                 ("claim", "no claim or incident")])
def test_prv4_hold_on_a_scope_that_does_not_exist_is_404_naming_scope_id(db_ctx, scope, field_reason):
    bind(db_ctx)
    with pytest.raises(NotFound) as exc:
        registers.set_hold(db_ctx, STAFF, scope=scope, scope_id="nope-123", reason="matter",
                           review_on=db_ctx.today() + timedelta(days=1))
    assert exc.value.issues[0].field == "scope_id" and field_reason in exc.value.issues[0].reason
    with db_ctx.uow(read_only=True) as uow:
        assert uow.holds.page(False, 10, 0) == []


def test_prv4_hold_refuses_a_review_date_not_after_today_and_bad_input_naming_each_field(db_ctx):
    cid = new_customer(db_ctx)
    for review in (db_ctx.today(), db_ctx.today() - timedelta(days=1)):
        with pytest.raises(ValidationFailed) as exc:
            registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=cid, reason="matter", review_on=review)
        assert _fields(exc) == {"review_on"}
    with pytest.raises(ValidationFailed) as exc:
        registers.set_hold(db_ctx, STAFF, scope="person", scope_id=" ", reason="  ",
                           review_on=db_ctx.today())
    assert _fields(exc) == {"scope", "scope_id", "reason", "review_on"}


def test_prv4_only_staff_set_holds_and_only_the_dpo_or_admin_release_them_once(db_ctx):
    cid = new_customer(db_ctx)
    customer = Principal("usr_c", "customer", cid)
    with pytest.raises(Forbidden):
        registers.set_hold(db_ctx, customer, scope="customer", scope_id=cid, reason="x",
                           review_on=db_ctx.today() + timedelta(days=5))
    hold = registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=cid, reason="Regulator inquiry",
                              review_on=db_ctx.today() + timedelta(days=5))
    for who in (STAFF, UNDERWRITER, customer):
        with pytest.raises(Forbidden):
            registers.release_hold(db_ctx, who, hold["id"], "settled")
    with pytest.raises(ValidationFailed) as exc:
        registers.release_hold(db_ctx, DPO, hold["id"], "   ")
    assert _fields(exc) == {"reason"}
    released = registers.release_hold(db_ctx, DPO, hold["id"], "Matter settled on 2026-11-20")
    assert not released["active"] and released["released_by"] == DPO.user_id
    assert released["release_reason"] == "Matter settled on 2026-11-20"
    with pytest.raises(Conflict):
        registers.release_hold(db_ctx, SYSTEM, hold["id"], "again")
    with pytest.raises(NotFound):
        registers.release_hold(db_ctx, DPO, "hld_missing", "x")
    with db_ctx.uow(read_only=True) as uow:
        assert uow.holds.held_customer_ids([cid]) == set()


def test_prv4_holds_report_lists_active_and_those_due_for_review(db_ctx, clock):
    a, b = new_customer(db_ctx, "A"), new_customer(db_ctx, "B")
    soon = registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=a, reason="matter 1",
                              review_on=db_ctx.today() + timedelta(days=2))
    later = registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=b, reason="matter 2",
                               review_on=db_ctx.today() + timedelta(days=30))
    gone = registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=b, reason="matter 3",
                              review_on=db_ctx.today() + timedelta(days=1))
    registers.release_hold(db_ctx, DPO, gone["id"], "over")
    report = registers.list_holds(db_ctx, STAFF)
    assert [h["id"] for h in report["holds"]] == [soon["id"], later["id"]] and report["due_for_review"] == 0
    assert registers.list_holds(db_ctx, STAFF, due_for_review=True)["holds"] == []
    clock.advance(timedelta(days=2))
    due = registers.list_holds(db_ctx, STAFF, due_for_review=True)
    assert [h["id"] for h in due["holds"]] == [soon["id"]] and due["holds"][0]["due_for_review"]
    everything = registers.list_holds(db_ctx, STAFF, active=False)
    assert {h["id"] for h in everything["holds"]} == {soon["id"], later["id"], gone["id"]}
    assert [h["id"] for h in registers.list_holds(db_ctx, STAFF, customer_id=b)["holds"]] == [later["id"]]
    assert registers.get_hold(db_ctx, STAFF, gone["id"])["release_reason"] == "over"
    with pytest.raises(Forbidden):
        registers.list_holds(db_ctx, Principal("usr_c", "customer", a))


def test_prv4_a_claim_reference_on_two_customers_policies_is_refused_as_ambiguous(db_ctx):
    p1, p2 = bind(db_ctx), bind(db_ctx)
    _claim(db_ctx, p1["id"], "SHARED-1")
    _claim(db_ctx, p2["id"], "SHARED-1")
    with pytest.raises(Conflict) as exc:
        registers.set_hold(db_ctx, STAFF, scope="claim", scope_id="SHARED-1", reason="x",
                           review_on=db_ctx.today() + timedelta(days=1))
    assert _fields(exc) == {"scope_id"}


# -- fraud markers ----------------------------------------------------------------------------------


def test_s1_section10_fraud_markers_staff_record_customers_never_see_dpo_removes(db_ctx):
    p = bind(db_ctx)
    cid = p["customer_id"]
    customer = Principal("usr_c", "customer", cid)
    m = registers.record_marker(db_ctx, STAFF, cid, reason="Staged accident suspected", source="cue",
                                reference="CUE-77", policy_id=p["number"])
    assert m["policy_id"] == p["id"] and m["active"] and m["recorded_by"] == STAFF.user_id
    # A customer is refused whichever id they ask about, their own included: they never learn of a marker.
    for target in (cid, "cus_someone_else"):
        with pytest.raises(Forbidden):
            registers.list_markers(db_ctx, customer, target)
        with pytest.raises(Forbidden):
            registers.record_marker(db_ctx, customer, target, reason="x")
        with pytest.raises(Forbidden):
            registers.remove_marker(db_ctx, customer, target, m["id"], "x")
    assert [x["id"] for x in registers.list_markers(db_ctx, UNDERWRITER, cid)["markers"]] == [m["id"]]
    with pytest.raises(Forbidden):
        registers.remove_marker(db_ctx, STAFF, cid, m["id"], "unfounded")
    with pytest.raises(ValidationFailed) as exc:
        registers.remove_marker(db_ctx, DPO, cid, m["id"], " ")
    assert _fields(exc) == {"reason"}
    removed = registers.remove_marker(db_ctx, DPO, cid, m["id"], "Investigation found no fraud")
    assert not removed["active"] and removed["removed_by"] == DPO.user_id
    assert removed["removal_reason"] == "Investigation found no fraud"
    with pytest.raises(Conflict):
        registers.remove_marker(db_ctx, SYSTEM, cid, m["id"], "again")
    assert registers.list_markers(db_ctx, STAFF, cid)["markers"] == []
    assert len(registers.list_markers(db_ctx, STAFF, cid, active_only=False)["markers"]) == 1
    with db_ctx.uow(read_only=True) as uow:
        assert uow.fraud_markers.marked_customer_ids([cid]) == set()


def test_s1_section10_fraud_marker_validation_names_fields(db_ctx):
    p, other = bind(db_ctx), bind(db_ctx)
    cid = p["customer_id"]
    with pytest.raises(ValidationFailed) as exc:
        registers.record_marker(db_ctx, STAFF, cid, reason=" ", source="gossip", reference="x" * 101)
    assert _fields(exc) == {"reason", "source", "reference"}
    with pytest.raises(NotFound) as nf:
        registers.record_marker(db_ctx, STAFF, cid, reason="x", policy_id=other["id"])
    assert _fields(nf) == {"policy_id"}
    with pytest.raises(NotFound) as nf:
        registers.record_marker(db_ctx, STAFF, "cus_missing", reason="x")
    assert _fields(nf) == {"customer_id"}
    marker = registers.record_marker(db_ctx, STAFF, cid, reason="x")
    with pytest.raises(NotFound):  # the marker is another customer's
        registers.remove_marker(db_ctx, DPO, other["customer_id"], marker["id"], "wrong person")


# -- the disclosure register ------------------------------------------------------------------------


def test_prv6_bind_and_cancellation_refund_each_record_a_payment_disclosure(db_ctx):
    p = bind(db_ctx)
    cid = p["customer_id"]
    with db_ctx.uow(read_only=True) as uow:
        first = _not_checks(uow.disclosures.for_customer(cid))
    assert len(first) == 1
    d = first[0]
    assert (d.recipient, d.recipient_kind, d.purpose, d.basis) == (PAYMENT_PROVIDER, "payment_provider", "payments",
                                                                  "contract")
    assert set(d.categories) == {"financial", "identity", "contract"}
    assert d.reference == p["payment"]["reference"] and d.policy_id == p["id"] and d.via == "payments"
    cancelled = cancel(db_ctx, p["id"], db_ctx.today())
    assert cancelled["payment"]["kind"] == "refund"
    with db_ctx.uow(read_only=True) as uow:
        after = _not_checks(uow.disclosures.for_customer(cid))
        memos = [x.memo for e in uow.ledger.for_policy(p["id"]) for x in e.postings]
    assert [x.reference for x in after] == [p["payment"]["reference"], cancelled["payment"]["reference"]]
    # each disclosure names the receipt posted to the ledger in the same transaction
    assert all(any(x.reference in memo for memo in memos) for x in after)


def test_prv6_payment_disclosure_is_written_in_the_ledger_posting_unit_of_work(db_ctx):
    p = bind(db_ctx)
    cid = p["customer_id"]
    with db_ctx.uow() as uow:
        policy = uow.policies.get(p["id"])
        assert policy is not None
        out = ledger.collect(db_ctx, uow, policy, policy.transactions[0], Money.of("12.00"), "extra", "key-rollback-1")
        assert out["reference"] in [d.reference for d in _not_checks(uow.disclosures.for_customer(cid))]
        # no commit: the unit of work ends and rolls back the posting and the disclosure together
    with db_ctx.uow(read_only=True) as uow:
        assert [d.reference for d in _not_checks(uow.disclosures.for_customer(cid))] == [p["payment"]["reference"]]
        assert not any(out["reference"] in x.memo for e in uow.ledger.for_policy(p["id"]) for x in e.postings)


def test_prv6_a_declined_payment_records_no_disclosure(db_ctx):
    cid = new_customer(db_ctx)
    with pytest.raises(PaymentRequired):
        bind(db_ctx, customer_id=cid, token="tok_declined")
    with db_ctx.uow(read_only=True) as uow:
        assert _not_checks(uow.disclosures.for_customer(cid)) == []


def test_prv6_manual_disclosure_validates_and_takes_the_basis_from_the_purpose(db_ctx):
    p = bind(db_ctx)
    cid = p["customer_id"]
    with pytest.raises(ValidationFailed) as exc:
        disclosures.record_manual_disclosure(db_ctx, STAFF, cid, recipient=" ", recipient_kind="friend",
                                             purpose="curiosity", categories=["identity", "shoe_size"])
    assert _fields(exc) == {"recipient", "recipient_kind", "purpose", "categories[1]"}
    with pytest.raises(ValidationFailed) as exc:
        disclosures.record_manual_disclosure(db_ctx, STAFF, cid, recipient="Police", recipient_kind="police",
                                             purpose="fraud_prevention", categories=[])
    assert _fields(exc) == {"categories"}
    with pytest.raises(ValidationFailed) as exc:
        disclosures.record_manual_disclosure(db_ctx, STAFF, cid, recipient="Police", recipient_kind="police",
                                             purpose="fraud_prevention", categories=["identity"],
                                             disclosed_at=db_ctx.clock.now() + timedelta(minutes=5))
    assert _fields(exc) == {"disclosed_at"}
    with pytest.raises(NotFound) as nf:
        disclosures.record_manual_disclosure(db_ctx, STAFF, cid, recipient="Police", recipient_kind="police",
                                             purpose="fraud_prevention", categories=["identity"], policy_id="pol_x")
    assert _fields(nf) == {"policy_id"}
    with pytest.raises(Forbidden):
        disclosures.record_manual_disclosure(db_ctx, Principal("usr_c", "customer", cid), cid, recipient="Me",
                                             recipient_kind="other", purpose="claims", categories=["identity"])
    police = disclosures.record_manual_disclosure(
        db_ctx, STAFF, cid, recipient="West Yorkshire Police", recipient_kind="police", purpose="fraud_prevention",
        categories=["identity", "vehicle", "identity"], reference="WYP-2026-118", policy_id=p["number"],
        disclosed_at=db_ctx.clock.now() - timedelta(days=1))
    assert police["lawful_basis"] == "legitimate_interests" and police["categories"] == ["identity", "vehicle"]
    assert police["policy_id"] == p["id"] and police["via"] == "manual" and police["recorded_by"] == STAFF.user_id
    with db_ctx.uow(read_only=True) as uow:
        assert len(_not_checks(uow.disclosures.for_customer(cid))) == 2


def test_prv6_gateway_refuses_bad_values_and_writes_nothing(db_ctx):
    cid = new_customer(db_ctx)
    with db_ctx.uow() as uow:
        with pytest.raises(ValidationFailed) as exc:
            record_disclosure(uow, customer_id=cid, policy_id=None, recipient="MIB", recipient_kind="mid",
                              purpose="regulatory_reporting", categories=["vehicle"], reference=None, via="",
                              recorded_by="system", at=db_ctx.clock.now().replace(tzinfo=None))
        assert _fields(exc) == {"recipient_kind", "via", "disclosed_at"}
        record_disclosure(uow, customer_id=cid, policy_id=None, recipient="Motor Insurers' Bureau",
                          recipient_kind="motor_insurance_database", purpose="regulatory_reporting",
                          categories=["vehicle", "identity"], reference="MID-1", via="mid", recorded_by="system",
                          at=db_ctx.clock.now())
        uow.commit()
    with db_ctx.uow(read_only=True) as uow:
        [d] = uow.disclosures.for_customer(cid)
    assert d.basis == "legal_obligation" and d.categories == ("vehicle", "identity")


def test_prv6_recipients_to_tell_and_the_customer_sees_their_own_register(db_ctx, clock):
    p = bind(db_ctx)
    cid = p["customer_id"]
    clock.advance(timedelta(hours=1))
    disclosures.record_manual_disclosure(db_ctx, STAFF, cid, recipient="Reinsurer plc", recipient_kind="reinsurer",
                                         purpose="policy_administration", categories=["contract"], reference="BDX-11")
    clock.advance(timedelta(hours=1))
    cancel(db_ctx, p["id"], db_ctx.today())
    with db_ctx.uow(read_only=True) as uow:
        tell = recipients_to_tell(uow, cid)
    assert [(r["recipient"], r["recipient_kind"], r["disclosures"]) for r in tell] == [
        (PAYMENT_PROVIDER, "payment_provider", 2), ("Reinsurer plc", "reinsurer", 1),
        ("Fraud prevention agency (simulated)", "fraud_agency", 1)]  # the check at quote, shown (issue 13 item 3)
    assert tell[0]["last_disclosed_at"] == clock.now().isoformat()
    assert tell[0]["categories"] == ["contract", "financial", "identity"]
    own = disclosures.list_disclosures(db_ctx, Principal("usr_c", "customer", cid), cid)
    assert len(own["disclosures"]) == 4 and own["recipients"] == tell
    # staff see the same: the fraud check made at quote (REG-3) is shown to the person too
    assert len([d for d in disclosures.list_disclosures(db_ctx, DPO, cid)["disclosures"]
                if d["recipient_kind"] != "fraud_agency"]) == 3
    other = new_customer(db_ctx, "Other")
    with pytest.raises(NotFound):
        disclosures.list_disclosures(db_ctx, Principal("usr_o", "customer", other), cid)
    assert disclosures.list_disclosures(db_ctx, STAFF, other)["recipients"] == []


def test_prv6_an_idempotent_replay_records_no_second_disclosure(db_ctx):
    cid = new_customer(db_ctx)
    q = quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("ECO", db_ctx.today(), motor_risk(), cid))
    first = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="replay-key-001")
    again = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="replay-key-001")
    assert again["idempotent_replay"] and again["id"] == first["id"]
    with db_ctx.uow(read_only=True) as uow:
        assert [d.reference for d in _not_checks(uow.disclosures.for_customer(cid))] == [first["payment"]["reference"]]


# -- issue 3 follow-ups: the removal reason is kept; disclosures withheld from the person ---------------


def test_s1_section10_fraud_marker_removal_reason_is_stored_and_validated(db_ctx):
    """S1 section 10, PRV-4: why a marker was removed is kept with it (fraud category, keyed-hash erasure),
    required, stripped and limited to 2000 characters like every other reason."""
    from covernote.kernel.declarations import Category, Erasure, PersonalData
    from covernote.store.tables import fraud_markers

    declared = fraud_markers.c.removal_reason.info["privacy"]
    assert isinstance(declared, PersonalData)
    assert (declared.category, declared.erasure) == (Category.FRAUD, Erasure.KEYED_HASH)
    cid = new_customer(db_ctx)
    m = registers.record_marker(db_ctx, STAFF, cid, reason="Identity mismatch", source="fraud_agency",
                                reference="CIFAS-9")
    assert m["removal_reason"] is None
    for bad in ("", "   ", "x" * (registers.REASON_LIMIT + 1)):
        with pytest.raises(ValidationFailed) as exc:
            registers.remove_marker(db_ctx, DPO, cid, m["id"], bad)
        assert _fields(exc) == {"reason"}
    assert registers.list_markers(db_ctx, STAFF, cid)["markers"][0]["active"]  # nothing changed
    removed = registers.remove_marker(db_ctx, DPO, cid, m["id"], "  Agency withdrew the filing  ")
    assert removed["removal_reason"] == "Agency withdrew the filing"
    with db_ctx.uow(read_only=True) as uow:
        stored = uow.fraud_markers.get(m["id"])
    assert stored is not None and stored.removal_reason == "Agency withdrew the filing"
    [listed] = registers.list_markers(db_ctx, STAFF, cid, active_only=False)["markers"]
    assert listed["removal_reason"] == "Agency withdrew the filing" and listed["removed_by"] == DPO.user_id
    with pytest.raises(Conflict):  # the first reason stays
        registers.remove_marker(db_ctx, DPO, cid, m["id"], "another reason")
    with db_ctx.uow(read_only=True) as uow:
        assert uow.fraud_markers.get(m["id"]).removal_reason == "Agency withdrew the filing"  # type: ignore[union-attr]


def _police(ctx, cid: str, **extra):  # type: ignore[no-untyped-def]
    return disclosures.record_manual_disclosure(
        ctx, STAFF, cid, recipient="West Yorkshire Police", recipient_kind="police", purpose="fraud_prevention",
        categories=["identity", "vehicle"], reference="WYP/118/26", **extra)


def test_prv6_a_disclosure_withheld_under_dpa_sch2_para2_is_hidden_from_the_person_and_flagged_for_staff(db_ctx):
    """PRV-6, PRV-3 (DPA 2018 Sch. 2 para 2): a disclosure to the police withheld from the person is not in
    their listing nor in the recipients they are told about; staff see it flagged, with the reason."""
    p = bind(db_ctx)
    cid = p["customer_id"]
    customer = Principal("usr_c", "customer", cid)
    before = disclosures.list_disclosures(db_ctx, customer, cid)
    withheld = _police(db_ctx, cid, withhold=True, withheld_reason="  Op Kestrel: suspect not to be alerted  ")
    assert withheld["withheld_from_subject"] is True
    assert withheld["withheld_reason"] == "Op Kestrel: suspect not to be alerted"
    # the person's view is exactly what it was: nothing in it depends on the withheld disclosure
    own = disclosures.list_disclosures(db_ctx, customer, cid)
    assert own == before
    assert sorted(d["recipient_kind"] for d in own["disclosures"]) == ["fraud_agency", "payment_provider"]
    assert not any("withheld_from_subject" in d or "withheld_reason" in d for d in own["disclosures"])
    assert "West Yorkshire Police" not in str(own)
    with db_ctx.uow(read_only=True) as uow:
        assert sorted(r["recipient"] for r in recipients_to_tell(uow, cid)) == sorted([
            PAYMENT_PROVIDER, "Fraud prevention agency (simulated)"])
        assert sorted(d.recipient_kind for d in uow.disclosures.for_customer(cid)) == ["fraud_agency",
                                                                                       "payment_provider"]
        assert len([d for d in uow.disclosures.for_customer(cid, include_withheld=True)
                    if d.recipient_kind != "fraud_agency"]) == 2  # and the quote's fraud check (REG-3), shown
    # staff see everything, flagged; their recipients say how many disclosures are withheld
    staff = disclosures.list_disclosures(db_ctx, STAFF, cid)
    staff["disclosures"] = [d for d in staff["disclosures"] if d["recipient_kind"] != "fraud_agency"]  # REG-3
    staff["recipients"] = [r for r in staff["recipients"] if r["recipient_kind"] != "fraud_agency"]
    flags = {d["recipient_kind"]: (d["withheld_from_subject"], d["withheld_reason"]) for d in staff["disclosures"]}
    assert flags == {"payment_provider": (False, None),
                     "police": (True, "Op Kestrel: suspect not to be alerted")}
    assert {r["recipient"]: r["withheld"] for r in staff["recipients"]} == {PAYMENT_PROVIDER: 0,
                                                                           "West Yorkshire Police": 1}
    # a disclosure not withheld is shown to the person as before
    shown = _police(db_ctx, cid)
    assert shown["withheld_from_subject"] is False and shown["withheld_reason"] is None
    assert len(disclosures.list_disclosures(db_ctx, customer, cid)["disclosures"]) == 3  # with the fraud check


def test_prv6_withholding_is_refused_for_other_recipients_and_needs_a_reason(db_ctx):
    """PRV-6 (DPA 2018 Sch. 2 para 2): only a disclosure to the police, another law enforcement authority,
    a fraud agency or a regulator may be withheld; the reason is required then and refused otherwise;
    only staff record disclosures. Each refusal names the field and writes nothing."""
    cid = new_customer(db_ctx)
    base = {"recipient": "Reinsurer plc", "recipient_kind": "reinsurer", "purpose": "policy_administration",
            "categories": ["contract"]}
    with pytest.raises(ValidationFailed) as exc:
        disclosures.record_manual_disclosure(db_ctx, STAFF, cid, **base, withhold=True, withheld_reason="x")
    assert _fields(exc) == {"withhold"}
    with pytest.raises(ValidationFailed) as exc:
        _police(db_ctx, cid, withhold=True)
    assert _fields(exc) == {"withheld_reason"}
    with pytest.raises(ValidationFailed) as exc:
        _police(db_ctx, cid, withhold=True, withheld_reason=" " * 3)
    assert _fields(exc) == {"withheld_reason"}
    with pytest.raises(ValidationFailed) as exc:
        _police(db_ctx, cid, withhold=True, withheld_reason="x" * 2001)
    assert _fields(exc) == {"withheld_reason"}
    with pytest.raises(ValidationFailed) as exc:  # a reason without withholding is a mistake, not ignored
        _police(db_ctx, cid, withheld_reason="Op Kestrel")
    assert _fields(exc) == {"withheld_reason"}
    with pytest.raises(ValidationFailed) as exc:  # an unknown kind is named once, as recipient_kind
        disclosures.record_manual_disclosure(db_ctx, STAFF, cid, **{**base, "recipient_kind": "vigilante"},
                                             withhold=True, withheld_reason="x")
    assert _fields(exc) == {"recipient_kind"}
    with pytest.raises(Forbidden):
        disclosures.record_manual_disclosure(
            db_ctx, Principal("usr_c", "customer", cid), cid, recipient="Police", recipient_kind="police",
            purpose="fraud_prevention", categories=["identity"], withhold=True, withheld_reason="x")
    with db_ctx.uow(read_only=True) as uow:
        assert uow.disclosures.for_customer(cid, include_withheld=True) == []
    for kind in disclosures.WITHHOLDABLE_KINDS:
        d = disclosures.record_manual_disclosure(db_ctx, UNDERWRITER, cid, recipient=f"A {kind}", recipient_kind=kind,
                                                 purpose="fraud_prevention", categories=["identity"], withhold=True,
                                                 withheld_reason="Investigation in progress")
        assert d["withheld_from_subject"] and d["recipient_kind"] == kind
    assert set(disclosures.WITHHOLDABLE_KINDS) == {"police", "law_enforcement", "fraud_agency", "regulator"}
    assert disclosures.list_disclosures(db_ctx, Principal("usr_c", "customer", cid), cid) == {
        "customer_id": cid, "disclosures": [], "recipients": []}


def test_prv6_gateway_withholds_in_the_callers_unit_of_work(db_ctx):
    """PRV-6: an integration (a fraud agency check) records a withheld disclosure through the one gateway,
    in its own unit of work; it is stored flagged and left out of what the person is told."""
    cid = new_customer(db_ctx)
    with db_ctx.uow() as uow:
        d = record_disclosure(uow, customer_id=cid, policy_id=None, recipient="CIFAS", recipient_kind="fraud_agency",
                              purpose="fraud_prevention", categories=["identity"], reference="CIFAS-1",
                              via="fraud_check", recorded_by="system", at=db_ctx.clock.now(), withhold=True,
                              withheld_reason="Filed as suspected application fraud")
        uow.commit()
    with db_ctx.uow(read_only=True) as uow:
        [stored] = uow.disclosures.for_customer(cid, include_withheld=True)
        assert uow.disclosures.for_customer(cid) == [] and recipients_to_tell(uow, cid) == []
    assert stored == d and stored.withheld_from_subject and stored.withheld_reason == "Filed as suspected application fraud"


def test_prv6_withheld_disclosures_are_not_named_in_the_persons_rectification_or_erasure_outcome(db_ctx):
    """PRV-3, PRV-4 (UK GDPR art. 19 with DPA 2018 Sch. 2 para 2): the recipients listed in a case's outcome,
    which the person sees, leave out a withheld disclosure; staff find it in their own listing."""
    from covernote.privacy.usecases import erasure, requests

    p = bind(db_ctx)
    cid = p["customer_id"]
    _police(db_ctx, cid, withhold=True, withheld_reason="Op Kestrel")
    rect = requests.start(db_ctx, SYSTEM, cid, kind="rectification", channel="phone", identity_method="call back",
                          details={"corrections": {"phone": "0113 496 0002"}})
    done = requests.fulfil(db_ctx, SYSTEM, rect["id"])
    assert sorted(r["recipient_kind"] for r in done["outcome"]["recipients_to_tell"]) == ["fraud_agency",
                                                                                           "payment_provider"]
    case = requests.start(db_ctx, SYSTEM, cid, kind="erasure", channel="phone", identity_method="call back")
    plan = erasure.plan(db_ctx, SYSTEM, case["id"])
    assert sorted(r["recipient_kind"] for r in plan["recipients_to_tell"]) == ["fraud_agency", "payment_provider"]
    text = str(plan)
    assert "Kestrel" not in text and "WYP/118/26" not in text and "West Yorkshire" not in text


def test_issue13_item3_routine_fraud_checks_reach_the_person_and_are_withheld_only_case_by_case(db_ctx):
    """Issue 13 item 3 (S1 section 10: "You have a legal right to obtain details of those fraud prevention
    agencies [...] to whom we pass information about you"): the check made at quote is in the person's
    register and access package with the agency's name; staff or the DPO withhold one case by case, with
    the reason recorded (DPA 2018 Sch. 2 para 2), which takes it out of what the person sees; a customer
    may not; the reason is required; a disclosure to a reinsurer cannot be withheld; it can be shown again."""
    p = bind(db_ctx)
    cid = p["customer_id"]
    customer = Principal("usr_c", "customer", cid)
    own = disclosures.list_disclosures(db_ctx, customer, cid)["disclosures"]
    [check] = [d for d in own if d["recipient_kind"] == "fraud_agency"]
    assert (check["recipient"], check["purpose"], check["via"]) == (
        "Fraud prevention agency (simulated)", "fraud_prevention", "fraud_check")
    package = subject_access.package_for_customer(db_ctx, DPO, cid)
    assert ("Fraud prevention agency (simulated)", "fraud_agency", "fraud_prevention") in {
        (r["recipient"], r["kind"], r["purpose"]) for r in package["recipients"]}
    with pytest.raises(Forbidden):
        disclosures.set_withheld(db_ctx, customer, check["id"], withhold=True, reason="no")
    with pytest.raises(ValidationFailed) as exc:
        disclosures.set_withheld(db_ctx, DPO, check["id"], withhold=True, reason="  ")
    assert _fields(exc) == {"withheld_reason"}
    [payment] = [d for d in own if d["recipient_kind"] == "payment_provider"]
    with pytest.raises(ValidationFailed) as exc:
        disclosures.set_withheld(db_ctx, STAFF, payment["id"], withhold=True, reason="Op Wren")
    assert _fields(exc) == {"withhold"}
    with pytest.raises(NotFound) as nf:
        disclosures.set_withheld(db_ctx, STAFF, "dsc_nope", withhold=True, reason="Op Wren")
    assert _fields(nf) == {"disclosure_id"}
    done = disclosures.set_withheld(db_ctx, DPO, check["id"], withhold=True,
                                    reason="Op Wren: the agency's investigation would be alerted")
    assert done["withheld_from_subject"] is True and done["withheld_reason"].startswith("Op Wren")
    assert check["id"] not in {d["id"] for d in disclosures.list_disclosures(db_ctx, customer, cid)["disclosures"]}
    staff_view = {d["id"]: d for d in disclosures.list_disclosures(db_ctx, STAFF, cid)["disclosures"]}
    assert staff_view[check["id"]]["withheld_reason"] == "Op Wren: the agency's investigation would be alerted"
    again = disclosures.set_withheld(db_ctx, STAFF, check["id"], withhold=False)
    assert again["withheld_from_subject"] is False and again["withheld_reason"] is None
    assert check["id"] in {d["id"] for d in disclosures.list_disclosures(db_ctx, customer, cid)["disclosures"]}

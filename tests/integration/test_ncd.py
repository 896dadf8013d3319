"""NCD through the use cases, on SQLite and PostgreSQL: proof of NCD (NCD-1) recorded, checked, decided and
fed into rating; the same NCD on two vehicles; claim types that do not affect NCD (NCD-2) at renewal
(NCD-5); the NCD proof letter for a customer who leaves, and that letter accepted back as proof."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.periods import add_years
from covernote.lifecycle.usecases import policies, quotes, renewals
from covernote.ncd import usecases as ncd
from covernote.ncd.usecases import ProofInput
from covernote.policy.domain.claims import NOT_AFFECTING_NCD
from tests.support import bind, cancel, motor_risk, new_customer, vehicle

STAFF = Principal("usr_staff", "staff")


def proof(ctx: Any, **changes: Any) -> ProofInput:
    today = ctx.today()
    base = ProofInput("insurer_letter", "Previous Insurer plc", 5, today - timedelta(days=1), "AB12 CDE", "UK",
                      today - timedelta(days=30), "PREV-1")
    if changes.get("issued_on") and "ended_on" not in changes:  # a renewal notice comes before the renewal date
        changes["ended_on"] = changes["issued_on"] + timedelta(days=27)
    return replace(base, **changes)


def quote(ctx: Any, customer_id: str | None = None, reg: str = "AB12CDE", ncd_years: int = 5,
          product: str = "ECO") -> dict[str, Any]:
    risk = replace(motor_risk(ncd_years=ncd_years), vehicle=vehicle(reg))
    return quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest(product, ctx.today(), risk,
                                                                customer_id or new_customer(ctx)))


def bind_quote(ctx: Any, q: dict[str, Any]) -> dict[str, Any]:
    return quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))


def errors(p: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in p["errors"]}


# -- NCD-1: acceptance, rating and status -----------------------------------------------------------------------


def test_ncd1_accepted_proof_rerates_the_quote_on_the_proven_years_and_binds_as_proven(db_ctx):
    q = quote(db_ctx, ncd_years=5)
    fresh3 = quote(db_ctx, ncd_years=3)
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx, ncd_years=3))
    assert p["status"] == "accepted" and p["errors"] == []
    assert all(c["passed"] for c in p["conditions"])
    assert p["effect"]["rerated"] and (p["effect"]["ncd_years_before"], p["effect"]["ncd_years"]) == (5, 3)
    assert p["effect"]["premium_before"] == q["premium"] and p["effect"]["premium_after"] == fresh3["premium"]
    shown = quotes.get_quote(db_ctx, SYSTEM, q["id"])
    assert shown["premium"] == fresh3["premium"] and shown["ipt"] == fresh3["ipt"]
    assert shown["risk"]["answers"]["ncd_years"] == "3"
    assert shown["ncd"] | {} == shown["ncd"] and shown["ncd"]["status"] == "proven"
    assert (shown["ncd"]["ncd_years"], shown["ncd"]["declared_years"], shown["ncd"]["discount_percent"]) == (3, 5, "50")
    assert not shown["ncd"]["needs_review"]
    assert shown["rating"]["ncd_proof"]["explanation"][0].startswith(f"Proof {p['id']} shows 3 years of NCD (declared 5)")
    pol = bind_quote(db_ctx, q)
    assert pol["payment"]["amount"] == shown["total_payable"]
    hist = policies.policy_history(db_ctx, SYSTEM, pol["id"])
    assert hist["transactions"][0]["details"]["ncd"]["status"] == "proven"
    got = policies.get_policy(db_ctx, SYSTEM, pol["id"])
    assert got["ncd"]["status"] == "proven" and got["ncd"]["ncd_years"] == 3 and not got["ncd"]["needs_review"]
    assert ncd.policy_ncd_view(db_ctx, SYSTEM, pol["id"])["proofs"][0]["id"] == p["id"]
    with pytest.raises(Conflict) as exc:
        ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx))
    assert exc.value.issues[0].field == "quote_id"


@pytest.mark.parametrize(("days_old", "accepted"), [(None, True), (0, False), (-1, False)])
def test_ncd1_proof_age_boundary_through_the_use_case(db_ctx, days_old, accepted):
    """NCD-1: a day short of two years old is accepted; exactly two years old, and a day more, are not."""
    today = db_ctx.today()
    anniversary = add_years(today, -2)
    issued = anniversary + timedelta(days=1) if days_old is None else anniversary + timedelta(days=days_old)
    q = quote(db_ctx, ncd_years=5)
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx, issued_on=issued, ncd_years=4))
    assert (p["status"] == "accepted") is accepted
    if not accepted:
        assert set(errors(p)) == {"issued_on"} and "must be less than 2 years old (NCD-1)" in errors(p)["issued_on"]
        assert quotes.get_quote(db_ctx, SYSTEM, q["id"])["premium"] == q["premium"]  # not re-rated
        status = quotes.get_quote(db_ctx, SYSTEM, q["id"])["ncd"]
        assert status["status"] == "rejected" and status["needs_review"] and status["ncd_years"] == 5


def test_ncd1_a_rejected_proof_names_every_failed_condition_together(db_ctx):
    q = quote(db_ctx)
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], ProofInput("broker_letter", "Some Broker", None, None, None,
                                                                "Spain", db_ctx.today() - timedelta(days=900)))
    assert p["status"] == "rejected"
    assert set(errors(p)) == {"issued_on", "ncd_years", "ended_on", "registration", "country"}
    assert ncd.get_proof(db_ctx, SYSTEM, p["id"])["errors"] == p["errors"]


def test_ncd1_input_that_cannot_be_recorded_names_each_field(db_ctx):
    q = quote(db_ctx)
    with pytest.raises(ValidationFailed) as exc:
        ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx, kind="postcard", insurer=" ", ncd_years=-1,
                                                           registration="A" * 13))
    assert {i.field for i in exc.value.issues} == {"kind", "insurer", "ncd_years", "registration"}
    with pytest.raises(NotFound):
        ncd.add_quote_proof(db_ctx, SYSTEM, "quo_nope", proof(db_ctx))


def test_ncd1_a_customer_gives_proof_for_their_own_quote_only(db_ctx):
    cid = new_customer(db_ctx)
    own = quote(db_ctx, cid)
    other = quote(db_ctx)
    me = Principal("usr_c", "customer", cid)
    p = ncd.add_quote_proof(db_ctx, me, own["id"], proof(db_ctx))
    assert p["status"] == "accepted" and "in_use_on" not in p
    with pytest.raises(NotFound):
        ncd.add_quote_proof(db_ctx, me, other["id"], proof(db_ctx))
    with pytest.raises(Forbidden):
        ncd.decide_proof(db_ctx, me, p["id"], "reject", "I changed my mind")
    with pytest.raises(NotFound):
        ncd.get_proof(db_ctx, Principal("usr_x", "customer", "cus_other"), p["id"])


def test_ncd1_warranty_products_have_no_ncd_to_prove(db_ctx):
    from tests.support import warranty_risk

    q = quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("WARRANTY", db_ctx.today(), warranty_risk(),
                                                                new_customer(db_ctx)))
    with pytest.raises(ValidationFailed) as exc:
        ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx))
    assert exc.value.issues[0].field == "product"
    assert quotes.get_quote(db_ctx, SYSTEM, q["id"])["ncd"] is None


# -- NCD-1: the same NCD on two vehicles ---------------------------------------------------------------------------


def test_ncd1_the_same_proof_on_two_vehicles_is_rejected(db_ctx, clock):
    first = quote(db_ctx, reg="AB12CDE")
    one = ncd.add_quote_proof(db_ctx, SYSTEM, first["id"], proof(db_ctx))
    assert one["status"] == "accepted"
    # The same NCD (same insurer, end date and previous policy number) for another car: refused.
    second = quote(db_ctx, reg="XY12ABC")
    two = ncd.add_quote_proof(db_ctx, SYSTEM, second["id"], proof(db_ctx, insurer="PREVIOUS INSURER",
                                                                  registration="AB12CDE"))
    assert two["status"] == "rejected"
    assert errors(two) == {"proof": "the same NCD is already in use on another vehicle (NCD-1)"}
    assert two["in_use_on"] == [one["id"]]  # staff see which proof; a customer is not shown another's record
    # Staff cannot accept it by hand either.
    with pytest.raises(Conflict) as exc:
        ncd.decide_proof(db_ctx, STAFF, two["id"], "accept", "phoned the previous insurer")
    assert exc.value.issues[0].field == "proof"
    # Another quote for the same car is not another vehicle.
    again = quote(db_ctx, reg="AB 12 CDE")
    assert ncd.add_quote_proof(db_ctx, SYSTEM, again["id"], proof(db_ctx))["status"] == "accepted"
    # A different NCD (another previous policy) on the second car is fine.
    other = ncd.add_quote_proof(db_ctx, SYSTEM, second["id"], proof(db_ctx, previous_policy_number="PREV-2"))
    assert other["status"] == "accepted"


def test_ncd1_the_same_ncd_is_free_again_once_the_other_policy_ends(db_ctx, clock):
    letter = proof(db_ctx)
    first = quote(db_ctx, reg="AB12CDE")
    assert ncd.add_quote_proof(db_ctx, SYSTEM, first["id"], letter)["status"] == "accepted"
    pol = bind_quote(db_ctx, first)  # the proof given for the quote now belongs to the policy
    clock.advance(timedelta(days=20))
    second = quote(db_ctx, reg="XY12ABC")
    assert ncd.add_quote_proof(db_ctx, SYSTEM, second["id"], letter)["status"] == "rejected"
    cancel(db_ctx, pol["id"], db_ctx.today())
    assert policies.get_policy(db_ctx, SYSTEM, pol["id"])["status"] == "cancelled"
    assert ncd.add_quote_proof(db_ctx, SYSTEM, second["id"], letter)["status"] == "accepted"


def test_ncd1_an_expired_quote_no_longer_holds_the_ncd(db_ctx, clock):
    letter = proof(db_ctx)
    first = quote(db_ctx, reg="AB12CDE")
    ncd.add_quote_proof(db_ctx, SYSTEM, first["id"], letter)
    second = quote(db_ctx, reg="XY12ABC")
    assert ncd.add_quote_proof(db_ctx, SYSTEM, second["id"], letter)["status"] == "rejected"
    clock.advance(timedelta(days=31))  # the eco quote is valid for 30 days
    second = quote(db_ctx, reg="XY12ABC")
    assert ncd.add_quote_proof(db_ctx, SYSTEM, second["id"], letter)["status"] == "accepted"


# -- staff decisions -------------------------------------------------------------------------------------------


def test_ncd1_staff_accept_or_reject_with_a_note_and_the_quote_follows(db_ctx):
    q = quote(db_ctx, ncd_years=5)
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx, ncd_years=2, country=None))
    assert p["status"] == "rejected" and set(errors(p)) == {"country"}
    with pytest.raises(ValidationFailed) as exc:
        ncd.decide_proof(db_ctx, STAFF, p["id"], "maybe", " ")
    assert {i.field for i in exc.value.issues} == {"decision", "note"}
    accepted = ncd.decide_proof(db_ctx, STAFF, p["id"], "accept", "Previous insurer confirmed a UK policy by phone")
    assert accepted["status"] == "accepted" and accepted["decided_by"] == "usr_staff"
    assert accepted["decision_note"] == "Previous insurer confirmed a UK policy by phone"
    assert set(errors(accepted)) == {"country"}  # the check is kept; staff overrode it with their note
    assert quotes.get_quote(db_ctx, SYSTEM, q["id"])["ncd"]["ncd_years"] == 2
    rejected = ncd.decide_proof(db_ctx, STAFF, p["id"], "reject", "The letter was forged")
    assert rejected["status"] == "rejected"
    assert rejected["effect"]["explanation"][0] == "No proof of NCD stands accepted: rated on the 5 years declared."
    back = quotes.get_quote(db_ctx, SYSTEM, q["id"])
    assert back["premium"] == q["premium"] and back["ncd"]["status"] == "rejected"
    listed = ncd.list_proofs(db_ctx, STAFF, "rejected")["proofs"]
    assert [x["id"] for x in listed] == [p["id"]]
    with pytest.raises(Forbidden):
        ncd.list_proofs(db_ctx, Principal("u", "customer", "c"), None)


# -- policies: flagged for staff, and the renewal starts from the proven years -----------------------------------


def test_ncd1_policy_bound_on_unproven_ncd_is_flagged_then_proof_corrects_the_renewal(db_ctx, clock):
    pol = bind(db_ctx)  # declared 5 years, no proof
    hist = policies.policy_history(db_ctx, SYSTEM, pol["id"])
    assert hist["transactions"][0]["details"]["ncd"]["status"] == "declared_unproven"
    got = policies.get_policy(db_ctx, SYSTEM, pol["id"])["ncd"]
    assert got["status"] == "declared_unproven" and got["needs_review"] and got["ncd_years"] == 5
    assert got["discount_percent"] == "70"
    review = ncd.review_list(db_ctx, STAFF)
    assert [x["policy_id"] for x in review["policies"]] == [pol["id"]] and review["next_offset"] is None
    p = ncd.add_policy_proof(db_ctx, SYSTEM, pol["id"], proof(db_ctx, ncd_years=3))
    assert p["status"] == "accepted" and p["effect"] is None  # a policy is not re-priced behind anyone's back
    got = policies.get_policy(db_ctx, SYSTEM, pol["id"])["ncd"]
    assert got["status"] == "proven" and got["needs_review"]
    assert got["reason"] == "rated on 5 years of NCD but the accepted proof shows 3"
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end - timedelta(days=10))
    inv = renewals.invite_renewal(db_ctx, SYSTEM, pol["id"])
    assert inv["ncd"] == {"before": 3, "after": 4, "claims_in_term": 0}
    assert inv["explanation"][0] == ("The policy was rated on 5 years of NCD as declared; the accepted proof shows 3, "
                                     "so the renewal starts from 3 years (NCD-1).")
    renewals.confirm_renewal(db_ctx, SYSTEM, pol["id"], inv["id"], new_id("key"))
    clock.set_date(end + timedelta(days=1))
    got = policies.get_policy(db_ctx, SYSTEM, pol["id"])["ncd"]
    assert got["ncd_years"] == 4 and got["status"] == "proven" and not got["needs_review"]
    assert ncd.review_list(db_ctx, STAFF)["policies"] == []


def test_ncd1_proof_for_a_policy_that_has_ended_is_refused(db_ctx, clock):
    pol = bind(db_ctx)
    clock.set_date(date.fromisoformat(pol["current_term"]["end_date"]) + timedelta(days=1))
    with pytest.raises(Conflict) as exc:
        ncd.add_policy_proof(db_ctx, SYSTEM, pol["id"], proof(db_ctx))
    assert exc.value.issues[0].field == "policy_id"


# -- NCD-2 and NCD-5: claim types at renewal -------------------------------------------------------------------


def _invite(ctx: Any, clock: Any, pol: dict[str, Any]) -> dict[str, Any]:
    clock.set_date(date.fromisoformat(pol["current_term"]["end_date"]) - timedelta(days=10))
    return renewals.invite_renewal(ctx, SYSTEM, pol["id"])


@pytest.mark.parametrize("claim_type", sorted(NOT_AFFECTING_NCD))
def test_ncd2_each_non_affecting_claim_keeps_the_earned_year_at_renewal(ctx, clock, claim_type):
    # A claim under an optional extra needs that extra on cover (NCD-2, ADD-1): buy it with the policy.
    extras = tuple(e.code for e in ctx.catalogue.in_force("ECO", ctx.today()).extras if claim_type in e.claim_types)
    pol = bind_quote(ctx, quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest(
        "ECO", ctx.today(), motor_risk(), new_customer(ctx), None, extras)))
    clock.advance(timedelta(days=60))
    txn = policies.record_incident(ctx, SYSTEM, pol["id"], kind="claim", occurred_on=ctx.today(),
                                   claim_type=claim_type)
    assert txn["details"]["event"]["claim_type"] == claim_type
    inv = _invite(ctx, clock, pol)
    assert inv["ncd"] == {"before": 5, "after": 6, "claims_in_term": 0}
    assert any("does not affect NCD (NCD-2" in line for line in inv["explanation"])


def test_ncd2_ncd5_glass_roof_panel_and_untyped_claims_step_back_with_a_reason_each(db_ctx, clock):
    pol = bind(db_ctx)
    clock.advance(timedelta(days=60))
    day = db_ctx.today()
    policies.record_incident(db_ctx, SYSTEM, pol["id"], kind="claim", occurred_on=day, claim_type="glass_roof_panel")
    policies.record_incident(db_ctx, SYSTEM, pol["id"], kind="claim", occurred_on=day,
                             claim_type="windscreen_or_glass")
    policies.record_incident(db_ctx, SYSTEM, pol["id"], kind="claim", occurred_on=day)  # no type: other
    inv = _invite(db_ctx, clock, pol)
    assert inv["ncd"] == {"before": 5, "after": 1, "claims_in_term": 2}
    assert inv["explanation"][:4] == [
        f"glass roof panel claim on {day} affects NCD (NCD-5).",
        f"windscreen, windows or glass sunroof claim on {day} does not affect NCD (NCD-2: damage to the windscreen, "
        "windows or glass sunroof only (not glass roof panels)).",
        f"other claim on {day} affects NCD (NCD-5).",
        "2 claim(s) affecting NCD in the term: NCD steps back 5 -> 1 years (NCD-5)."]


def test_ncd2_an_unknown_claim_type_is_refused_naming_the_field(db_ctx):
    pol = bind(db_ctx)
    with pytest.raises(ValidationFailed) as exc:
        policies.record_incident(db_ctx, SYSTEM, pol["id"], kind="claim", occurred_on=db_ctx.today(),
                                 claim_type="hail")
    assert [i.field for i in exc.value.issues] == ["claim_type"]


# -- the NCD proof letter -----------------------------------------------------------------------------------------


def test_ncd_letter_after_a_claim_free_year_shows_the_earned_year_and_passes_ncd1_back_in_this_system(db_ctx, clock):
    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end + timedelta(days=3))
    letter = ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    assert (letter["ncd_years"], letter["ended_on"], letter["registration"]) == (6, end.isoformat(), "AB12CDE")
    assert (letter["insurer"], letter["policy_number"], letter["issued_on"], letter["country"]) == (
        "Illustrative Insurer plc", pol["number"], db_ctx.today().isoformat(), "UK")
    assert not letter["provisional"] and letter["ended_how"] == "expired"
    assert letter["policyholder"] == "Ann Example"
    assert all(c["passed"] for c in letter["ncd1_conditions"])
    # Fed back into this system as proof for the customer's next car (another insurer would do the same).
    q = quote(db_ctx, reg="XY12ABC", ncd_years=0)
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], ProofInput(
        letter["proof"]["kind"], letter["proof"]["insurer"], letter["proof"]["ncd_years"],
        date.fromisoformat(letter["proof"]["ended_on"]), letter["proof"]["registration"], letter["proof"]["country"],
        date.fromisoformat(letter["proof"]["issued_on"]), letter["proof"]["previous_policy_number"]))
    assert p["status"] == "accepted", p["errors"]
    assert quotes.get_quote(db_ctx, SYSTEM, q["id"])["ncd"]["ncd_years"] == 6
    # The same letter cannot also carry the NCD to a third car while that quote holds it.
    third = quote(db_ctx, reg="CD34EFG", ncd_years=0)
    assert ncd.add_quote_proof(db_ctx, SYSTEM, third["id"], ncd.ProofInput(**{
        **letter["proof"], "ended_on": end, "issued_on": db_ctx.today()}))["status"] == "rejected"
    text = ncd.letter_text(letter)
    for part in (pol["number"], "AB12CDE", "6 years", end.isoformat(), "Illustrative Insurer plc", "United Kingdom"):
        assert part in text
    page = ncd.letter_html(letter)
    assert page.startswith("<!doctype html>") and pol["number"] in page and "<td>6 years</td>" in page


def test_ncd_letter_a_part_year_earns_no_year_and_a_claim_steps_back(db_ctx, clock):
    # The breakdown claim below needs breakdown cover on the policy (NCD-2, ADD-1).
    clean = bind_quote(db_ctx, quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest(
        "ECO", db_ctx.today(), motor_risk(), new_customer(db_ctx), None, ("breakdown",))))
    claimed = bind(db_ctx)
    clock.advance(timedelta(days=100))
    yesterday = db_ctx.today() - timedelta(days=1)
    policies.record_incident(db_ctx, SYSTEM, claimed["id"], kind="claim", occurred_on=yesterday, claim_type="accident")
    policies.record_incident(db_ctx, SYSTEM, clean["id"], kind="claim", occurred_on=yesterday, claim_type="breakdown")
    for pol in (clean, claimed):
        cancel(db_ctx, pol["id"], db_ctx.today())
    a = ncd.ncd_letter(db_ctx, SYSTEM, clean["id"])
    assert a["ncd_years"] == 5 and a["ended_on"] == db_ctx.today().isoformat() and a["ended_how"] == "cancelled"
    assert "less than a full year: no year is earned" in a["explanation"][-1]
    assert "does not affect NCD (NCD-2" in a["explanation"][0]
    b = ncd.ncd_letter(db_ctx, SYSTEM, claimed["id"])
    assert b["ncd_years"] == 3 and "steps back 5 -> 3" in b["explanation"][-1]


def test_ncd_letter_is_given_only_near_or_after_the_end_and_never_for_a_void_policy(db_ctx, clock):
    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    with pytest.raises(Conflict) as exc:
        ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    assert exc.value.issues[0].field == "policy_id"
    clock.set_date(end - timedelta(days=28))  # the eco renewal invitation window
    soon = ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    assert soon["provisional"] and soon["ncd_years"] == 6
    assert soon["condition"] == f"Provided no claim that affects NCD is made before {end}."
    policies.void_policy(db_ctx, STAFF, pol["id"], reason="fraud found", idempotency_key=new_id("key"))
    with pytest.raises(Conflict):
        ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    me = Principal("usr_c", "customer", "cus_someone_else")
    with pytest.raises(NotFound):
        ncd.ncd_letter(db_ctx, me, pol["id"])


# -- privacy: where proof data is stored, and erasure ------------------------------------------------------------


def test_ncd1_prv1_proof_values_are_stored_only_at_declared_fields_and_erased_on_request(db_ctx):
    """PRV-1, PRV-4: a proof's registration and previous policy number live only in declared fields; an
    erasure hashes or nulls them by their declarations and keeps what is not personal."""
    import json as _json

    import sqlalchemy as sa

    from covernote.identity.usecases import create_user
    from covernote.kernel.declarations import PersonalData, PersonalInside
    from covernote.privacy.store.data_map import path_is_declared
    from covernote.privacy.usecases import erasure, requests
    from covernote.store.tables import metadata, ncd_proofs

    cid = new_customer(db_ctx, "Quentin Proofer")
    q = quote(db_ctx, cid, reg="QP19QPQ")
    seeded = ("QP17OLD", "QPREV-424242")
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], proof(db_ctx, registration="QP17 OLD",
                                                           previous_policy_number="QPREV-424242"))
    ncd.decide_proof(db_ctx, STAFF, p["id"], "reject", "Checked QPREV-424242 with the insurer")
    engine = db_ctx.uow.engine  # type: ignore[attr-defined]
    violations = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for column in table.columns:
                    value = row._mapping[column.name]
                    text = _json.dumps(value, default=str) if isinstance(value, dict | list) else value
                    if not isinstance(text, str) or not any(s in text for s in seeded):
                        continue
                    decl = column.info["privacy"]
                    if isinstance(decl, PersonalData):
                        continue
                    if not isinstance(decl, PersonalInside) or not any(path_is_declared(list(decl.paths), k)
                                                                       for k in _paths_with(value, seeded)):
                        violations.append(f"{table.name}.{column.name}")
    assert violations == []

    user, _ = create_user(db_ctx, "Quentin", "customer", cid)
    me = Principal(user.user_id, "customer", cid)
    rid = requests.start(db_ctx, me, cid, kind="erasure", details={"description": "erase me"})["id"]
    plan = erasure.plan(db_ctx, SYSTEM, rid)
    erasure.apply(db_ctx, SYSTEM, rid, plan["fingerprint"])
    with engine.connect() as conn:
        row = conn.execute(ncd_proofs.select().where(ncd_proofs.c.id == p["id"])).one()
    assert row.registration.startswith("h:") and row.previous_policy_number.startswith("h:")
    assert row.decision_note.startswith("h:")
    assert (row.ncd_years, row.ended_on, row.country) == (None, None, None)
    assert all(c["reason"] is None for c in row.checks["conditions"])
    assert (row.kind, row.insurer, row.status) == ("insurer_letter", "Previous Insurer plc", "rejected")


def _paths_with(value: Any, seeded: tuple[str, ...], path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _paths_with(v, seeded, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _paths_with(v, seeded, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and any(s in value for s in seeded) else []


def test_ncd1_the_same_ncd_given_for_two_cars_at_the_same_moment_is_accepted_once(db_ctx):
    """NCD-1 under concurrency: checks of proofs ending on the same day are serialised, so two requests
    racing with one letter for two different cars cannot both be accepted."""
    import threading

    letter = proof(db_ctx)
    quotes_ = [quote(db_ctx, reg=reg) for reg in ("AB12CDE", "XY12ABC", "CD34EFG", "EF56GHI")]
    barrier = threading.Barrier(len(quotes_))
    results: list[str] = []

    def give(q: dict[str, Any]) -> None:
        barrier.wait()
        results.append(ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], letter)["status"])

    threads = [threading.Thread(target=give, args=(q,)) for q in quotes_]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["accepted", "rejected", "rejected", "rejected"]


# -- issue 14: the NCD proof letter as a stored document with its PDF -------------------------------------------


def test_issue14_doc1_ncd_letter_pdf_is_issued_once_as_a_policy_document(db_ctx, clock):
    """Issue 14, DOC-1: the letter as a PDF is issued through the documents context: stored once with its
    HTML, text and PDF and their SHA-256, listed with the policy's documents; asked for again the same day
    it answers the same bytes (no second document); a later day's letter (a new issue date) is a new
    document; its large print is made from it (CMP-4); the customer gets their own, another customer
    cannot reach it."""
    import io

    import pypdf

    from covernote.documents.usecases import documents as docs

    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end + timedelta(days=3))
    first = ncd.letter_pdf(db_ctx, SYSTEM, pol["id"])
    assert first.media_type == "application/pdf" and first.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(first.content)).pages)
    for part in (pol["number"], "AB12CDE", "6 years", end.isoformat(), "Illustrative Insurer plc", "United Kingdom"):
        assert part in text, part
    again = ncd.letter_pdf(db_ctx, SYSTEM, pol["id"])
    assert (again.document_id, again.content, again.sha256) == (first.document_id, first.content, first.sha256)
    listed = docs.list_documents(db_ctx, SYSTEM, pol["id"])["documents"]
    letters = [d for d in listed if d["kind"] == "ncd_letter"]
    assert [d["id"] for d in letters] == [first.document_id]
    assert {f["format"] for f in letters[0]["formats"]} == {"html", "pdf", "txt"}
    assert letters[0]["title"] == "Proof of no-claims discount" and letters[0]["product"].startswith("ECO@")
    stored_text = docs.get_document(db_ctx, SYSTEM, first.document_id, "txt").content.decode("utf-8")
    assert stored_text == ncd.letter_text(ncd.ncd_letter(db_ctx, SYSTEM, pol["id"]))
    large = docs.get_document(db_ctx, SYSTEM, first.document_id, "pdf", large_print=True)
    assert large.content.startswith(b"%PDF") and large.content != first.content
    customer = Principal(f"usr_{pol['customer_id']}", "customer", pol["customer_id"])
    assert ncd.letter_pdf(db_ctx, customer, pol["id"]).document_id == first.document_id
    stranger = new_customer(db_ctx)
    with pytest.raises(NotFound):
        ncd.letter_pdf(db_ctx, Principal(f"usr_{stranger}", "customer", stranger), pol["id"])
    clock.set_date(end + timedelta(days=4))
    later = ncd.letter_pdf(db_ctx, SYSTEM, pol["id"])
    assert later.document_id != first.document_id
    kinds = [d["kind"] for d in docs.list_documents(db_ctx, SYSTEM, pol["id"])["documents"]]
    assert kinds.count("ncd_letter") == 2

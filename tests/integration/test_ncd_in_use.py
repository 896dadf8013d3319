"""NCD-1 on SQLite and PostgreSQL, the review follow-ups: NCD earned on a policy in this system is in use on
its car while that policy is on cover, so its (provisional) letter carries the NCD only to cover starting
when it ends; a quote whose accepted proof could not re-rate it cannot be bound; the end date shown must be
plausible and the NCD not lapsed; the letter shows the claims history and protection (NCD-2, NCD-4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Conflict
from covernote.kernel.ids import new_id
from covernote.kernel.periods import add_years
from covernote.lifecycle.usecases import policies, quotes
from covernote.ncd import usecases as ncd
from covernote.ncd.usecases import ProofInput
from tests.support import bind, motor_risk, new_customer, vehicle

STAFF = Principal("usr_staff", "staff")


def _quote(ctx: Any, reg: str, start: date, ncd_years: int = 0, extras: tuple[str, ...] = (),
           customer_id: str | None = None) -> dict[str, Any]:
    risk = replace(motor_risk(ncd_years=ncd_years), vehicle=vehicle(reg))
    return quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", start, risk, customer_id or new_customer(ctx),
                                                                extras=extras))


def _letter_proof(letter: dict[str, Any]) -> ProofInput:
    p = letter["proof"]
    return ProofInput(p["kind"], p["insurer"], p["ncd_years"], date.fromisoformat(p["ended_on"]), p["registration"],
                      p["country"], date.fromisoformat(p["issued_on"]), p["previous_policy_number"])


def _errors(p: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in p["errors"]}


def test_ncd1_a_provisional_letter_of_a_live_policy_is_refused_for_cover_that_overlaps_it(db_ctx, clock):
    """NCD-1: the NCD on a policy still on cover is in use on its car. Its provisional letter (given in the
    renewal window) carries the NCD to another car only for cover starting when the policy ends."""
    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end - timedelta(days=28))
    letter = ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    assert letter["provisional"]
    overlapping = _quote(db_ctx, "XY12ABC", db_ctx.today(), customer_id=pol["customer_id"])
    refused = ncd.add_quote_proof(db_ctx, SYSTEM, overlapping["id"], _letter_proof(letter))
    assert refused["status"] == "rejected"
    assert _errors(refused) == {"proof": "the same NCD is already in use on another vehicle (NCD-1): it was earned on "
                                         f"policy {pol['number']}, which is still on cover for another vehicle on "
                                         f"{db_ctx.today()}, when this cover starts"}
    assert refused["in_use_on"] == [pol["id"]]  # staff see which policy
    with pytest.raises(Conflict):  # and staff cannot accept it over the rule
        ncd.decide_proof(db_ctx, STAFF, refused["id"], "accept", "letter looks genuine")
    # Cover starting the day the policy ends takes the NCD over.
    after = _quote(db_ctx, "XY12ABC", end, customer_id=pol["customer_id"])
    taken = ncd.add_quote_proof(db_ctx, SYSTEM, after["id"], _letter_proof(letter))
    assert taken["status"] == "accepted", taken["errors"]
    assert quotes.get_quote(db_ctx, SYSTEM, after["id"])["ncd"]["ncd_years"] == 6
    # A day before the end is still overlapping.
    day_early = _quote(db_ctx, "CD34EFG", end - timedelta(days=1), customer_id=pol["customer_id"])
    assert ncd.add_quote_proof(db_ctx, SYSTEM, day_early["id"], _letter_proof(letter))["status"] == "rejected"


def test_issue13_item10_ncd1_another_customers_policy_number_answers_as_an_unknown_number(db_ctx, clock):
    """Issue 13 item 10, NCD-1: a proof naming another customer's live policy (our insurer, its number) is
    answered exactly as one naming a number this system does not hold: nothing says that policy is on
    cover, nor names it; the owner's own proof of it is still refused while it is on cover."""
    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end - timedelta(days=28))
    letter = _letter_proof(ncd.ncd_letter(db_ctx, SYSTEM, pol["id"]))
    stranger = new_customer(db_ctx, "Sam Stranger")
    theirs = ncd.add_quote_proof(db_ctx, SYSTEM, _quote(db_ctx, "XY12ABC", db_ctx.today(), customer_id=stranger)["id"],
                                 letter)
    unknown = ncd.add_quote_proof(db_ctx, SYSTEM, _quote(db_ctx, "XY12ABC", db_ctx.today(), customer_id=stranger)["id"],
                                  replace(letter, previous_policy_number="CN999999999"))
    assert pol["number"] not in str(theirs["conditions"]) and "still on cover" not in str(theirs)
    assert theirs["status"] == unknown["status"]
    assert theirs["conditions"] == unknown["conditions"] and theirs["errors"] == unknown["errors"]
    assert theirs["in_use_on"] == unknown["in_use_on"] == []
    own = ncd.add_quote_proof(db_ctx, SYSTEM, _quote(db_ctx, "XY12ABC", db_ctx.today(),
                                                     customer_id=pol["customer_id"])["id"], letter)
    assert own["status"] == "rejected" and "still on cover for another vehicle" in _errors(own)["proof"]


def test_ncd1_the_letter_on_the_same_car_is_not_in_use_on_another_vehicle(db_ctx, clock):
    """NCD-1: 'another vehicle' - the letter used for the same car (a new policy on it) is not refused."""
    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end - timedelta(days=10))
    letter = ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    same_car = _quote(db_ctx, "AB12CDE", db_ctx.today())
    assert ncd.add_quote_proof(db_ctx, SYSTEM, same_car["id"], _letter_proof(letter))["status"] == "accepted"


def test_ncd1_a_letter_naming_our_policy_but_another_insurer_is_not_matched_to_it(db_ctx, clock):
    """NCD-1: the policy number is ours only when the insurer is ours too (another insurer may use the same
    numbering)."""
    pol = bind(db_ctx)
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end - timedelta(days=28))
    letter = ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    other = _quote(db_ctx, "XY12ABC", db_ctx.today())
    p = ncd.add_quote_proof(db_ctx, SYSTEM, other["id"], replace(_letter_proof(letter), insurer="Another Insurer Ltd"))
    assert p["status"] == "accepted", p["errors"]


def test_ncd1_ncd3_a_quote_its_proof_could_not_re_rate_cannot_be_bound(db_ctx):
    """NCD-1, NCD-3: rated on 5 years with NCD protection; proof of 3 is accepted but the quote cannot be
    re-rated (protection needs 5 years), so binding it is refused naming the quote, and nothing is written."""
    q = _quote(db_ctx, "AB12CDE", db_ctx.today(), ncd_years=5, extras=("ncd_protection",))
    p = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], ProofInput(
        "insurer_letter", "Previous Insurer plc", 3, db_ctx.today() - timedelta(days=1), "AB12 CDE", "UK",
        db_ctx.today() - timedelta(days=20), "PREV-9"))
    assert p["status"] == "accepted" and p["effect"]["rerated"] is False
    assert "cannot be re-rated on 3 years" in p["effect"]["explanation"][-1]
    with pytest.raises(Conflict) as exc:
        quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    assert exc.value.issues[0].field == "quote_id"
    assert "rated on 5 years of NCD; proven 3" in exc.value.issues[0].reason
    assert "NCD protection" in exc.value.message or "protection" in exc.value.message.lower()
    after = quotes.get_quote(db_ctx, SYSTEM, q["id"])
    assert after["status"] == "open" and after["premium"] == q["premium"]  # not bound, not charged
    # A new quote on the proven years, without protection, binds.
    fresh = _quote(db_ctx, "AB12CDE", db_ctx.today(), ncd_years=3)
    assert quotes.bind_quote(db_ctx, SYSTEM, fresh["id"], payment_token="tok_visa",
                             idempotency_key=new_id("key"))["status"] in ("live", "pending")


def test_ncd1_the_end_date_must_be_plausible_and_the_ncd_not_lapsed(db_ctx):
    """NCD-1 (decisions where S1 is silent, docs/ncd.md): an end date more than 90 days after the issue date
    is refused; NCD earned on a policy that ended two years ago or more has lapsed, a day less has not."""
    today = db_ctx.today()
    base = ProofInput("renewal_notice", "Previous Insurer plc", 4, today + timedelta(days=20), "AB12 CDE", "UK",
                      today - timedelta(days=5), "PREV-2")
    q = _quote(db_ctx, "AB12CDE", today)
    far = ncd.add_quote_proof(db_ctx, SYSTEM, q["id"], replace(base, ended_on=base.issued_on + timedelta(days=91)))
    assert far["status"] == "rejected" and set(_errors(far)) == {"ended_on"}
    assert "91 days after" in _errors(far)["ended_on"]
    q2 = _quote(db_ctx, "AB12CDE", today)
    ok = ncd.add_quote_proof(db_ctx, SYSTEM, q2["id"], replace(base, ended_on=base.issued_on + timedelta(days=90)))
    assert ok["status"] == "accepted", ok["errors"]
    q3 = _quote(db_ctx, "AB12CDE", today)
    lapsed = ncd.add_quote_proof(db_ctx, SYSTEM, q3["id"], replace(base, ended_on=add_years(today, -2)))
    assert lapsed["status"] == "rejected" and "NCD lapses" in _errors(lapsed)["ended_on"]
    q4 = _quote(db_ctx, "AB12CDE", today)
    recent = ncd.add_quote_proof(db_ctx, SYSTEM, q4["id"], replace(
        base, ended_on=add_years(today, -2) + timedelta(days=1)))
    assert recent["status"] == "accepted", recent["errors"]


def test_ncd2_ncd4_the_letter_shows_every_claim_and_whether_the_ncd_was_protected(db_ctx, clock):
    """NCD-2, NCD-4: the leaving letter lists the claims made while insured with us, each saying whether it
    affects NCD, and whether the NCD was protected."""
    q = _quote(db_ctx, "AB12CDE", db_ctx.today(), ncd_years=5, extras=("ncd_protection",))
    pol = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.advance(timedelta(days=40))
    policies.record_incident(db_ctx, SYSTEM, pol["id"], kind="claim", occurred_on=db_ctx.today(),
                             claim_type="windscreen_or_glass")
    clock.advance(timedelta(days=1))
    policies.record_incident(db_ctx, SYSTEM, pol["id"], kind="claim", occurred_on=db_ctx.today(),
                             claim_type="accident")
    clock.set_date(end + timedelta(days=1))
    letter = ncd.ncd_letter(db_ctx, SYSTEM, pol["id"])
    assert letter["ncd_protected"] is True and letter["ncd_years"] == 5  # protected: kept at 5 despite the claim
    assert [(c["claim_type"], c["affects_ncd"]) for c in letter["claims"]] == [
        ("windscreen_or_glass", False), ("accident", True)]
    text = ncd.letter_text(letter)
    assert "Protected no-claims discount: yes" in text and "accident (affects NCD)" in text
    assert "Protected no-claims discount" in ncd.letter_html(letter)


def test_ncd1_the_quote_and_bind_answers_show_the_ncd_block(db_ctx):
    """NCD-1: the answer to creating a quote and to binding it show NCD years, discount and status."""
    q = _quote(db_ctx, "AB12CDE", db_ctx.today(), ncd_years=5)
    assert (q["ncd"]["ncd_years"], q["ncd"]["discount_percent"], q["ncd"]["status"]) == (5, "70", "declared_unproven")
    pol = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    assert pol["ncd"]["ncd_years"] == 5 and pol["ncd"]["status"] == "declared_unproven" and pol["ncd"]["needs_review"]

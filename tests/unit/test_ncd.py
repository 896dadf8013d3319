"""Pure NCD rules: which claims affect NCD (NCD-2), counting them and the renewal step-back (NCD-5),
every NCD-1 condition at its boundary, the identity of "the same NCD", and the years a leaving customer's
letter shows (earned per full year)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.kernel.periods import Period, add_years
from covernote.ncd.domain.proof import (
    NcdProof,
    ProofState,
    age_text,
    check_proof,
    insurer_key,
    is_uk,
    ncd_status,
    rated_years,
    same_ncd,
    valid_until,
    with_proven_ncd,
    years_at_end,
)
from covernote.policy.domain.cancellation import RecordedEvent
from covernote.policy.domain.claims import (
    NOT_AFFECTING_NCD,
    affects_ncd,
    claims_in,
    count_ncd_claims,
    describe_claim,
    ncd_claims,
)
from covernote.policy.domain.codec import event_from_dict, event_to_dict
from covernote.policy.domain.renewal import risk_for_renewal
from covernote.policy.domain.risk import Change
from covernote.policy.domain.term import Adjustment, TermState
from covernote.products.domain.claim_types import CLAIM_TYPES
from tests.support import motor_risk

TERM = Period(date(2026, 1, 10), date(2027, 1, 10))
NON_AFFECTING = sorted(NOT_AFFECTING_NCD)
AFFECTING = sorted(set(CLAIM_TYPES) - set(NOT_AFFECTING_NCD))


def claim(claim_type: str, on: date = date(2026, 3, 1), kind: str = "claim") -> RecordedEvent:
    return RecordedEvent(kind, on, claim_type=claim_type)  # type: ignore[arg-type]


def term(ncd: int = 5, adjustments: list[Adjustment] | None = None, term_no: int = 1) -> TermState:
    return TermState(term_no, TERM, "ECO@2024.1", motor_risk(ncd_years=ncd), Decimal("0.12"), False, TERM.start,
                     TERM.start, adjustments or [])


# -- NCD-2: claims that do not affect NCD ------------------------------------------------------------------


@pytest.mark.parametrize("claim_type", NON_AFFECTING)
def test_ncd2_each_non_affecting_claim_type_does_not_affect_ncd(claim_type):
    assert not affects_ncd(claim(claim_type))
    assert f"does not affect NCD (NCD-2: {NOT_AFFECTING_NCD[claim_type]})" in describe_claim(claim(claim_type))


def test_ncd2_the_non_affecting_types_are_exactly_s1s_four():
    assert set(NON_AFFECTING) == {"windscreen_or_glass", "legal_expenses_uninsured_loss", "breakdown", "key_cover"}


@pytest.mark.parametrize("claim_type", AFFECTING)
def test_ncd2_every_other_claim_type_affects_ncd_glass_roof_panels_included(claim_type):
    assert affects_ncd(claim(claim_type))
    assert describe_claim(claim(claim_type)).endswith("affects NCD (NCD-5).")


def test_ncd2_glass_roof_panel_is_not_a_windscreen_claim():
    assert affects_ncd(claim("glass_roof_panel")) and not affects_ncd(claim("windscreen_or_glass"))


def test_ncd2_an_incident_is_not_a_claim_and_never_affects_ncd():
    assert not affects_ncd(claim("accident", kind="incident"))


def test_ncd2_an_event_stored_before_claim_types_reads_as_other_and_affects_ncd():
    old = event_from_dict({"kind": "claim", "occurred_on": "2026-03-01", "total_loss": False, "reference": "C1"})
    assert old.claim_type == "other" and affects_ncd(old)
    assert event_from_dict(event_to_dict(claim("breakdown"))).claim_type == "breakdown"


def test_ncd2_claims_in_a_window_are_counted_half_open_and_explained_one_by_one():
    events = [claim("accident", TERM.start), claim("windscreen_or_glass", date(2026, 3, 1)),
              claim("theft", TERM.end), claim("fire", TERM.start - timedelta(days=1)),
              claim("vandalism", date(2026, 5, 5), kind="incident")]
    assert count_ncd_claims(events, TERM) == 1
    assert [e.claim_type for e in ncd_claims(events, TERM)] == ["accident"]
    split = claims_in(events, TERM)
    assert split.count == 1 and len(split.not_affecting) == 1
    assert split.lines == ("accident claim on 2026-01-10 affects NCD (NCD-5).",
                           "windscreen, windows or glass sunroof claim on 2026-03-01 does not affect NCD (NCD-2: "
                           "damage to the windscreen, windows or glass sunroof only (not glass roof panels)).")


# -- NCD-5: the step-back at renewal counts only NCD-affecting claims -------------------------------------------


@pytest.mark.parametrize("claim_type", NON_AFFECTING)
def test_ncd5_a_non_affecting_claim_still_earns_the_year_at_renewal(catalogue, claim_type):
    eco = catalogue.by_ref("ECO@2024.1")
    carried = risk_for_renewal(eco, term(5), [claim(claim_type)])
    assert (carried.ncd_before, carried.ncd_after, carried.claims_in_term) == (5, 6, 0)
    assert any("does not affect NCD (NCD-2" in line for line in carried.explanation)


def test_ncd5_one_affecting_claim_steps_5_back_to_3_and_two_to_1_with_a_reason_per_claim(catalogue):
    eco = catalogue.by_ref("ECO@2024.1")
    one = risk_for_renewal(eco, term(5), [claim("glass_roof_panel"), claim("windscreen_or_glass")])
    assert (one.ncd_after, one.claims_in_term) == (3, 1)
    assert one.explanation[:2] == (
        "glass roof panel claim on 2026-03-01 affects NCD (NCD-5).",
        "windscreen, windows or glass sunroof claim on 2026-03-01 does not affect NCD (NCD-2: damage to the "
        "windscreen, windows or glass sunroof only (not glass roof panels)).")
    two = risk_for_renewal(eco, term(5), [claim("accident"), claim("theft", date(2026, 6, 1)), claim("breakdown")])
    assert (two.ncd_after, two.claims_in_term) == (1, 2)


@given(st.lists(st.sampled_from(sorted(CLAIM_TYPES)), max_size=6), st.integers(0, 9))
def test_ncd5_the_step_back_depends_only_on_the_affecting_claims(catalogue, types, years):
    eco = catalogue.by_ref("ECO@2024.1")
    events = [claim(t, TERM.start + timedelta(days=i)) for i, t in enumerate(types)]
    with_all = risk_for_renewal(eco, term(years), events)
    only_affecting = risk_for_renewal(eco, term(years), [e for e in events if affects_ncd(e)])
    assert with_all.ncd_after == only_affecting.ncd_after
    assert with_all.claims_in_term == sum(1 for t in types if t not in NOT_AFFECTING_NCD)
    assert len([x for x in with_all.explanation if " claim on " in x]) == len(types)


# -- NCD-1: proof conditions ---------------------------------------------------------------------------------

CHECKED = date(2026, 11, 22)


def good(**changes: object) -> NcdProof:
    proof = NcdProof("insurer_letter", "Previous Insurer plc", 5, date(2026, 10, 1), "AB12 CDE", "UK",
                     date(2026, 10, 5), "PREV-123")
    issued = changes.get("issued_on")
    if isinstance(issued, date) and "ended_on" not in changes:  # a renewal notice comes before the renewal date
        changes["ended_on"] = issued + timedelta(days=27)
    return replace(proof, **changes)  # type: ignore[arg-type]


def failed(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {i.field: i.reason for i in result.issues}


def test_ncd1_a_good_proof_passes_every_condition():
    result = check_proof(good(), CHECKED, 2, in_use_elsewhere=False)
    assert result.accepted and result.issues == []
    assert [c.code for c in result.conditions] == ["age", "shows_years", "shows_end_date", "shows_registration",
                                                   "earned_in_uk", "not_in_use_elsewhere"]


def test_ncd1_age_boundary_one_day_under_two_years_is_accepted():
    issued = date(2024, 11, 23)
    result = check_proof(good(issued_on=issued), CHECKED, 2, False)
    assert result.accepted
    assert "1 year and 364 days old on 2026-11-22" in result.conditions[0].reason


def test_ncd1_proof_exactly_two_years_old_is_rejected():
    result = check_proof(good(issued_on=date(2024, 11, 22)), CHECKED, 2, False)
    assert not result.accepted
    assert failed(result) == {"issued_on": "issued on 2024-11-22: 2 years and 0 days old on 2026-11-22; proof must "
                                           "be less than 2 years old (NCD-1), so the last day it could be accepted "
                                           "was 2026-11-21"}


def test_ncd1_proof_two_years_and_one_day_old_is_rejected():
    result = check_proof(good(issued_on=date(2024, 11, 21)), CHECKED, 2, False)
    assert "2 years and 1 day old" in failed(result)["issued_on"]


def test_ncd1_age_of_a_proof_issued_on_29_february_runs_to_28_february():
    issued = date(2024, 2, 29)
    assert valid_until(issued, 2) == date(2026, 2, 28)
    assert check_proof(good(issued_on=issued), date(2026, 2, 27), 2, False).accepted
    assert not check_proof(good(issued_on=issued), date(2026, 2, 28), 2, False).accepted


def test_ncd1_proof_issued_in_the_future_or_without_an_issue_date_is_rejected():
    assert "in the future" in failed(check_proof(good(issued_on=CHECKED + timedelta(days=1)), CHECKED, 2, False))[
        "issued_on"]
    assert "not shown" in failed(check_proof(good(issued_on=None), CHECKED, 2, False))["issued_on"]
    assert check_proof(good(issued_on=CHECKED), CHECKED, 2, False).accepted  # issued today: 0 days old


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.integers(0, 1500), st.integers(1, 5))
def test_ncd1_age_rule_is_before_the_anniversary_of_the_issue_date(issued, days, max_age):
    on = issued + timedelta(days=days)
    accepted = check_proof(good(issued_on=issued), on, max_age, False).conditions[0].passed
    assert accepted == (on < add_years(issued, max_age))
    # Once too old, a proof stays too old.
    if not accepted:
        assert not check_proof(good(issued_on=issued), on + timedelta(days=1), max_age, False).conditions[0].passed


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.integers(0, 3000))
def test_ncd1_age_text_counts_whole_years_then_days(issued, days):
    on = issued + timedelta(days=days)
    years, rest = age_text(issued, on).split(" and ")
    n = int(years.split()[0])
    assert add_years(issued, n) <= on < add_years(issued, n + 1)
    assert int(rest.split()[0]) == (on - add_years(issued, n)).days


@pytest.mark.parametrize(("field", "changes", "reason"), [
    ("ncd_years", {"ncd_years": None}, "the proof must show the NCD in years (NCD-1)"),
    ("ended_on", {"ended_on": None}, "the proof must show the date the policy ended or was due to be renewed (NCD-1)"),
    ("registration", {"registration": None}, "the proof must show the car's registration number (NCD-1)"),
    ("registration", {"registration": "NOT-A-REG-1"}, "the registration shown is not a UK registration mark"),
    ("country", {"country": None}, "the proof must show the NCD was earned on a policy in the UK (NCD-1); no country "
                                   "is given"),
    ("country", {"country": "Ireland"}, "earned in Ireland: NCD is accepted only when earned on a policy in the UK "
                                        "(NCD-1)"),
    ("country", {"country": "Jersey"}, "earned in Jersey: NCD is accepted only when earned on a policy in the UK "
                                       "(NCD-1)"),
])
def test_ncd1_each_shown_detail_and_the_uk_condition_are_rejected_when_missing(field, changes, reason):
    result = check_proof(good(**changes), CHECKED, 2, False)
    assert failed(result) == {field: reason}


def test_ncd1_shows_years_zero_is_a_valid_figure():
    assert check_proof(good(ncd_years=0), CHECKED, 2, False).accepted


@pytest.mark.parametrize("country", ["UK", "uk", "GB", "United Kingdom", "Great Britain", "England", "Scotland",
                                     "Wales", "Northern Ireland", "U.K."])
def test_ncd1_uk_spellings_are_the_uk(country):
    assert is_uk(country)


def test_ncd1_in_use_on_another_vehicle_is_rejected():
    assert failed(check_proof(good(), CHECKED, 2, in_use_elsewhere=True)) == {
        "proof": "the same NCD is already in use on another vehicle (NCD-1)"}


def test_ncd1_a_rejection_names_every_failed_condition_together():
    bad = NcdProof("renewal_notice", "X", None, None, None, "France", date(2020, 1, 1))
    result = check_proof(bad, CHECKED, 2, in_use_elsewhere=True)
    assert set(failed(result)) == {"issued_on", "ncd_years", "ended_on", "registration", "country", "proof"}


# -- "the same NCD" ------------------------------------------------------------------------------------------


def test_ncd1_same_ncd_is_insurer_end_date_and_policy_number_or_registration():
    a = good()
    assert same_ncd(a, good(insurer="PREVIOUS INSURER", registration="ZZ99ZZZ"))  # same number: same NCD
    assert not same_ncd(a, good(previous_policy_number="PREV-999"))
    assert not same_ncd(a, good(ended_on=date(2026, 10, 2)))
    assert not same_ncd(a, good(insurer="Another Insurer plc"))
    assert same_ncd(good(previous_policy_number=None), good(registration="ab12cde"))  # no number: registration
    assert not same_ncd(good(previous_policy_number=None), good(registration="XY12ABC"))
    assert not same_ncd(good(ended_on=None), good(ended_on=None))


def test_ncd1_insurer_names_compare_without_case_punctuation_or_ltd():
    assert insurer_key("Previous Insurer plc") == insurer_key("previous-insurer PLC") == insurer_key("Previous Insurer")
    assert insurer_key("Acme Ltd") == insurer_key("ACME Limited")


# -- how proof feeds rating, and the status shown ----------------------------------------------------------


def test_ncd1_proven_years_are_rated_up_to_the_question_maximum():
    assert rated_years(9, 30) == 9 and rated_years(35, 30) == 30 and rated_years(4, None) == 4


def test_ncd1_status_proven_rejected_declared_or_none():
    acc = ProofState("p1", True, 5, "2026-01-01|p1")
    rej = ProofState("p2", False, 5, "2026-01-02|p2")
    assert ncd_status(5, [acc, rej])["status"] == "proven" and not ncd_status(5, [acc])["needs_review"]
    differs = ncd_status(6, [acc])
    assert differs["needs_review"] and differs["reason"] == "rated on 6 years of NCD but the accepted proof shows 5"
    assert ncd_status(5, [rej]) | {} == {"status": "rejected", "proof_id": "p2", "proven_years": None,
                                        "needs_review": True, "reason": "rated on 5 years of NCD; no proof of it was "
                                                                        "accepted"}
    assert ncd_status(3, [])["status"] == "declared_unproven" and ncd_status(3, [])["needs_review"]
    assert ncd_status(0, [])["status"] == "none" and not ncd_status(0, [])["needs_review"]


def test_ncd1_the_first_renewal_starts_from_the_proven_years():
    corrected, why = with_proven_ncd(term(5), 3)
    assert corrected.base_risk.answer("ncd_years") == "3"
    assert why == ("The policy was rated on 5 years of NCD as declared; the accepted proof shows 3, so the renewal "
                   "starts from 3 years (NCD-1).",)
    assert with_proven_ncd(term(5), 5) == (term(5), ())
    assert with_proven_ncd(term(5), None)[1] == ()
    assert with_proven_ncd(term(5, term_no=2), 3)[1] == ()
    staff_set = term(5, [Adjustment(1, date(2026, 2, 1), None, (Change("set_answer", question="ncd_years", value="3"),))])
    assert with_proven_ncd(staff_set, 3)[1] == ()


# -- the leaving customer's letter: NCD earned per full year ------------------------------------------------


def test_ncd_letter_part_year_without_claims_earns_no_year():
    covered = Period(TERM.start, date(2026, 7, 1))
    years, why = years_at_end(5, 6, claims_in([], covered), covered, ("No claims affecting NCD ...",))
    assert years == 5 and "less than a full year: no year is earned" in why[-1]


def test_ncd_letter_full_year_takes_the_renewal_rule_and_claims_step_back_even_part_year():
    assert years_at_end(5, 6, claims_in([], TERM), TERM, ("x",)) == (6, ("x",))
    covered = Period(TERM.start, date(2026, 7, 1))
    assert years_at_end(5, 3, claims_in([claim("accident")], covered), covered, ("y",)) == (3, ("y",))


@given(st.integers(0, 400), st.integers(0, 20))
def test_ncd_letter_years_never_exceed_one_more_and_part_years_never_earn(days, before):
    covered = Period(TERM.start, TERM.start + timedelta(days=days))
    years, _ = years_at_end(before, before + 1, claims_in([], covered), covered, ())
    assert years == (before + 1 if covered.end >= add_years(covered.start, 1) else before)


def test_ncd1_the_proof_age_limit_is_product_data(catalogue):
    for ref in ("ECO@2024.1", "YOUNG_DRIVER@2025.1"):
        scale = catalogue.by_ref(ref).rating.ncd
        assert scale is not None and scale.proof_max_age_years == 2

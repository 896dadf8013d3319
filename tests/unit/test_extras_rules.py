"""The extras' rules on changes and claims, pure (NCD-3, NCD-2, FEE-1, ADD-1): a mid-term change that
leaves fewer NCD years than protection needs must remove protection in the same change; a claim of a type
given only under an optional extra needs that extra on cover the day it occurred."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from covernote.extras import domain as dx
from covernote.kernel.money import Money
from covernote.kernel.periods import Period
from covernote.policy.domain.claims import NOT_AFFECTING_NCD
from covernote.policy.domain.extra_lines import ExtraCover
from covernote.policy.domain.ncd_protection import refusal_after_change
from covernote.products.domain.model import NcdProtectionRule

TERM = Period(date(2026, 11, 22), date(2027, 11, 22))
CHANGE = date(2027, 3, 2)
RULE = NcdProtectionRule(min_years=5, max_claims=2, window_years=3, claims_question="claims_last_3_years")
BEFORE = [(TERM, 5)]


def after(years: int, start: date = CHANGE, end: date = TERM.end, was: int = 5) -> list[tuple[Period, int]]:
    stretches = [(Period(TERM.start, start), was), (Period(start, end), years)]
    if end < TERM.end:
        stretches.append((Period(end, TERM.end), was))
    return stretches


def refusal(years_after: list[tuple[Period, int]], years_before: list[tuple[Period, int]] = BEFORE,
            cover: tuple[Period, ...] = (TERM,), removed: bool = False, effective: date = CHANGE) -> str | None:
    return refusal_after_change(RULE, "ncd_protection", cover, years_before, years_after, effective, removed)


# -- NCD-3: a change that lowers the NCD below protection's minimum ------------------------------------------


def test_ncd3_add1_lowering_ncd_below_the_minimum_with_protection_on_cover_is_refused_with_the_remedy():
    why = refusal(after(3))
    assert why is not None
    assert "NCD protection needs 5+ years" in why and "the change leaves 3 from 2027-03-02" in why
    assert "remove `ncd_protection` in the same change" in why
    assert "refunded pro-rata" in why and "back-date the change to the term start" in why


def test_ncd3_add1_the_same_change_removing_protection_goes_through():
    assert refusal(after(3), removed=True) is None


@pytest.mark.parametrize("years", [5, 6, 9])
def test_ncd3_a_change_that_leaves_the_minimum_or_more_keeps_protection(years):
    assert refusal(after(years)) is None


def test_ncd3_a_change_that_does_not_touch_the_years_is_not_refused_for_them():
    """Years already below the minimum before the change (not lowered by it) do not block other changes."""
    assert refusal([(TERM, 3)], years_before=[(TERM, 3)]) is None


def test_ncd3_raising_but_still_below_the_minimum_is_refused():
    assert "leaves 4" in (refusal(after(4, was=3), years_before=[(TERM, 3)]) or "")


def test_ncd3_a_temporary_change_below_the_minimum_is_refused_naming_its_years():
    assert "leaves 2 from 2027-03-02" in (refusal(after(2, end=date(2027, 4, 1))) or "")


def test_ncd3_the_fewest_years_of_several_stretches_are_named():
    stretches = [(Period(TERM.start, CHANGE), 5), (Period(CHANGE, date(2027, 5, 1)), 4),
                 (Period(date(2027, 5, 1), TERM.end), 1)]
    assert "leaves 1 from 2027-05-01" in (refusal(stretches) or "")


def test_ncd3_no_refusal_when_protection_is_not_on_cover_from_the_effective_date():
    assert refusal(after(3), cover=(Period(TERM.start, CHANGE),)) is None  # removed from the change's day
    assert refusal(after(3), cover=()) is None


def test_ncd3_days_before_the_effective_date_are_not_looked_at():
    """An earlier back-dated change lowered the years (with protection removed then); a later change from a
    day after protection ended is not refused for those earlier days."""
    lowered = [(Period(TERM.start, date(2027, 1, 1)), 5), (Period(date(2027, 1, 1), TERM.end), 3)]
    assert refusal(lowered, years_before=BEFORE, cover=(Period(TERM.start, date(2027, 1, 1)),),
                   effective=date(2027, 1, 1)) is None
    # ...while protection covering any day of the lowered stretch from the effective date is refused.
    assert refusal(lowered, years_before=BEFORE, cover=(TERM,), effective=date(2027, 1, 1)) is not None


# -- NCD-2, FEE-1, ADD-1: claims under an optional extra ---------------------------------------------------

ON = date(2027, 3, 1)
EXTRA_FOR = {"breakdown": ("breakdown", "Breakdown cover"), "key_cover": ("key_cover", "Keycare cover"),
             "legal_expenses_uninsured_loss": ("legal_expenses", "Motor legal expenses")}


def cover_of(code: str, *periods: Period) -> ExtraCover:
    return ExtraCover(code, code, "Provider", "Insurer", "standard", Money.of("20.00"), Decimal("0.12"),
                      Decimal("25"), Money.zero(), periods or (TERM,))


@pytest.fixture
def eco(catalogue):  # type: ignore[no-untyped-def]
    return catalogue.in_force("ECO", TERM.start)


def test_ncd2_add1_the_claim_types_needing_an_extra_are_s1s_three_assistances():
    """NCD-2 (S1) names them as assistance "under the optional" extras: NCD-2's exceptions but glass."""
    assert set(NOT_AFFECTING_NCD) - {"windscreen_or_glass"} == dx.EXTRA_CLAIM_TYPES


@pytest.mark.parametrize("claim_type", sorted(EXTRA_FOR))
def test_ncd2_fee1_add1_a_claim_under_an_extra_not_on_cover_is_refused_naming_the_extra(eco, claim_type):
    code, name = EXTRA_FOR[claim_type]
    why = dx.claim_not_covered(claim_type, ON, "P-000001", eco, {})
    assert why == (f"{claim_type} claims are made under the {name} extra, which policy P-000001 did not have on "
                   f"cover on {ON}")
    other = "key_cover" if code != "key_cover" else "breakdown"
    assert dx.claim_not_covered(claim_type, ON, "P-000001", eco, {other: cover_of(other)}) == why


@pytest.mark.parametrize("claim_type", sorted(EXTRA_FOR))
def test_ncd2_fee1_add1_a_claim_under_an_extra_on_cover_that_day_is_accepted(eco, claim_type):
    code, _ = EXTRA_FOR[claim_type]
    assert dx.claim_not_covered(claim_type, ON, "P-000001", eco, {code: cover_of(code)}) is None


@pytest.mark.parametrize("claim_type", sorted(EXTRA_FOR))
def test_ncd2_add1_the_extra_must_cover_the_day_itself(eco, claim_type):
    code, _ = EXTRA_FOR[claim_type]
    removed = {code: cover_of(code, Period(TERM.start, ON))}  # removed from the claim's day
    added_later = {code: cover_of(code, Period(date(2027, 3, 2), TERM.end))}
    assert dx.claim_not_covered(claim_type, ON, "P-1", eco, removed) is not None
    assert dx.claim_not_covered(claim_type, ON, "P-1", eco, added_later) is not None
    assert dx.claim_not_covered(claim_type, ON - (ON - TERM.start), "P-1", eco, removed) is None


def test_ncd2_add1_a_product_without_an_extra_for_the_type_says_so(catalogue):
    young = catalogue.in_force("YOUNG_DRIVER", TERM.start)  # sells breakdown and legal expenses, not key cover
    why = dx.claim_not_covered("key_cover", ON, "P-2", young, {})
    assert why is not None and "has no extra that covers them" in why and young.ref in why
    assert dx.claim_not_covered("breakdown", ON, "P-2", young, {"rac_breakdown": cover_of("rac_breakdown")}) is None


@pytest.mark.parametrize("claim_type", ["accident", "theft", "fire", "vandalism", "windscreen_or_glass",
                                        "glass_roof_panel", "other"])
def test_ncd2_other_claim_types_need_no_extra(eco, claim_type):
    assert dx.claim_not_covered(claim_type, ON, "P-1", eco, {}) is None

"""The checks on sensitive values (PRV-7, PRV-11), as properties: every well-formed DVLA licence number
is accepted and normalised, any malformed one is refused naming `licence_number`; endorsements, health
and bank details likewise. Pure functions: no database."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.kernel.errors import IssueCollector, ValidationFailed
from covernote.privacy.usecases.sensitive import normalise_fields, normalise_licence

TODAY = date(2026, 11, 22)
LETTERS = string.ascii_uppercase


@st.composite
def licences(draw: st.DrawFn) -> str:
    surname = draw(st.text(LETTERS, min_size=1, max_size=5))
    born = draw(st.dates(date(1920, 1, 1), date(2009, 12, 31)))
    female = draw(st.booleans())
    initials = draw(st.sampled_from(LETTERS)) + draw(st.sampled_from(LETTERS + "9"))
    digit = draw(st.sampled_from(string.digits))
    check = draw(st.text(LETTERS + string.digits, min_size=2, max_size=2))
    yy = born.year % 100
    birth = f"{yy // 10}{born.month + (50 if female else 0):02d}{born.day:02d}{yy % 10}"
    return surname.ljust(5, "9") + birth + initials + digit + check


def _licence(value: object) -> tuple[str | None, list[str]]:
    issues = IssueCollector()
    out = normalise_licence(value, issues)
    return out, [i.field for i in issues.issues]


@given(licences(), st.booleans())
def test_prv11_every_well_formed_licence_number_is_accepted_and_normalised(licence, messy):
    typed = f" {licence[:5].lower()} {licence[5:11]} {licence[11:].lower()} " if messy else licence
    assert _licence(typed) == (licence, [])


@given(licences(), st.integers(0, 15), st.sampled_from("!#/-"))
def test_prv11_a_licence_number_with_a_foreign_character_is_refused(licence, at, bad):
    broken = licence[:at] + bad + licence[at + 1:]
    assert _licence(broken) == (None, ["licence_number"])


@given(licences(), st.integers(1, 3))
def test_prv11_a_letter_after_the_surname_padding_is_refused(licence, at):
    """The surname part is letters then only 9s: 'LE9E9' is not a surname."""
    padded = licence[:at] + "9" + "A" * (4 - at) + licence[5:]
    assert _licence(padded) == (None, ["licence_number"])


@pytest.mark.parametrize(("licence", "reason"), [
    ("MORGA753116SM9I", "16 characters"),
    ("MORGA753116SM9IJX", "16 characters"),
    ("MORGA7531X6SM9IJ", "characters 6-11"),
    ("MORGA7531169M9IJ", "characters 12-13"),  # the first initial must be a letter
    ("MORGA753116SMXIJ", "character 14"),
    ("MORGA753116SM9I-", "characters 15-16"),
    ("MORGA700116SM9IJ", "date of birth"),  # month 00
    ("MORGA763116SM9IJ", "date of birth"),  # month 63
    ("MORGA702306SM9IJ", "date of birth"),  # 30 February
    ("MORGA702297SM9IJ", "date of birth"),  # 29 February 1977/2077: no leap year
])
def test_prv11_licence_number_refusals_say_which_part(licence, reason):
    issues = IssueCollector()
    assert normalise_licence(licence, issues) is None
    assert [i.field for i in issues.issues] == ["licence_number"] and reason in issues.issues[0].reason


def test_prv11_29_february_of_a_leap_year_is_a_date_of_birth():
    assert _licence("MORGA702296SM9IJ") == ("MORGA702296SM9IJ", [])  # 1976 was a leap year
    assert _licence("MORGA752296SM9IJ") == ("MORGA752296SM9IJ", [])  # a woman born then


@given(st.integers(-100, 100))
def test_prv7_conviction_points_are_0_to_11(points):
    fields = {"convictions": [{"code": "sp30", "date": "2025-01-01", "points": points}]}
    if 0 <= points <= 11:
        assert normalise_fields(fields, TODAY) == {
            "convictions": [{"code": "SP30", "date": "2025-01-01", "points": points}]}
    else:
        with pytest.raises(ValidationFailed) as err:
            normalise_fields(fields, TODAY)
        assert [i.field for i in err.value.issues] == ["convictions[0].points"]


@given(st.dates(date(1950, 1, 1), date(2030, 12, 31)))
def test_prv7_conviction_dates_are_not_in_the_future(day):
    fields = {"convictions": [{"code": "DR10", "date": day.isoformat(), "points": 3}]}
    if day <= TODAY:
        assert normalise_fields(fields, TODAY)["convictions"][0]["date"] == day.isoformat()
    else:
        with pytest.raises(ValidationFailed) as err:
            normalise_fields(fields, TODAY)
        assert [i.field for i in err.value.issues] == ["convictions[0].date"]


@pytest.mark.parametrize("code", ["SP30", "DR10", "CU80", "IN10", "TT99", "sp30"])
def test_prv7_endorsement_codes(code):
    out = normalise_fields({"convictions": [{"code": code, "date": "2024-01-01", "points": 0}]}, TODAY)
    assert out["convictions"][0]["code"] == code.upper()


def test_prv11_bank_details_are_normalised():
    out = normalise_fields({"bank_details": {"sort_code": "12-34-56", "account_number": "1234 5678",
                                             "account_name": " Ann Example "}}, TODAY)
    assert out == {"bank_details": {"sort_code": "123456", "account_number": "12345678", "account_name": "Ann Example"}}
    with pytest.raises(ValidationFailed) as err:
        normalise_fields({"bank_details": {"sort_code": 123456, "account_number": 12345678, "account_name": "A",
                                           "iban": "GB00"}}, TODAY)
    assert [i.field for i in err.value.issues] == [
        "bank_details.iban", "bank_details.sort_code", "bank_details.account_number"]


def test_prv7_health_is_a_list_of_conditions_and_whether_the_dvla_knows():
    out = normalise_fields({"health": [{"condition": " Diabetes (insulin) ", "notified_to_dvla": False}]}, TODAY)
    assert out == {"health": [{"condition": "Diabetes (insulin)", "notified_to_dvla": False}]}
    assert normalise_fields({"health": [], "convictions": None}, TODAY) == {"health": [], "convictions": None}
    with pytest.raises(ValidationFailed) as err:
        normalise_fields({"health": [{"condition": "x" * 201, "notified_to_dvla": 1}] + [{}] * 30}, TODAY)
    assert [i.field for i in err.value.issues] == ["health"]  # too many entries: said once

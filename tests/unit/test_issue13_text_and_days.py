"""Issue 13, items 6 and 13: the one rule for dates (kernel/days.py) and for text (kernel/text.py), pure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from covernote.kernel.days import age_on, check_day, check_moment, parse_day
from covernote.kernel.errors import IssueCollector
from covernote.kernel.text import clean_text


@pytest.mark.parametrize("text", ["0", "1764583200", "2026-W48-1", "20261122", "2026-11-22T10:00", "22/11/2026",
                                  "2026-02-30", "9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01", ""])
def test_issue13_item6_only_iso_days_in_range_are_dates(text: str):
    with pytest.raises(ValueError):
        parse_day(text)


def test_issue13_item6_the_range_is_1900_to_2100_inclusive():
    assert parse_day("1900-01-01") == date(1900, 1, 1) and parse_day("2100-12-31") == date(2100, 12, 31)
    with pytest.raises(ValueError, match="between 1900-01-01 and 2100-12-31"):
        check_day(date(9998, 1, 1))
    with pytest.raises(ValueError):
        check_moment(datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    assert age_on(date(1984, 3, 4), date(2026, 3, 3)) == 41 and age_on(date(1984, 3, 4), date(2026, 3, 4)) == 42


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                                  "\u2069", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\x00", "\x01", "\x1b",
                                  "\x7f", "\x80", "\x9f"])
def test_issue13_item13_hidden_and_control_characters_are_refused_even_in_multi_line_text(char: str):
    for multiline in (False, True):
        with pytest.raises(ValueError, match=f"U\\+{ord(char):04X}"):
            clean_text(f"Ann{char}Other", multiline=multiline)


def test_issue13_item13_line_breaks_only_in_multi_line_text_and_nfc_always():
    for brk in ("\n", "\r", "\t"):
        with pytest.raises(ValueError, match="multi-line"):
            clean_text(f"a{brk}b")
        assert clean_text(f"a{brk}b", multiline=True) == f"a{brk}b"
    assert clean_text("Jose\u0301") == "Jos\u00e9"
    assert clean_text("Zoë Ørsted-Łukasz 李") == "Zoë Ørsted-Łukasz 李"


def test_issue13_item13_use_cases_fed_by_the_cli_apply_the_same_rule():
    issues = IssueCollector()
    assert issues.text("name", "  Ana\u0308  ", 200) == "An\u00e4"
    issues.text("name", "Ann\u202eOther", 200)
    issues.text("note", "line one\nline two", 2000)  # a long field is multi-line
    issues.text("reference", "AB\n12", 100)
    assert [i.field for i in issues.issues] == ["name", "reference"]

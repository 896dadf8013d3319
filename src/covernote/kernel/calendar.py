"""The UK working-day calendar: weekends plus the bank holidays of a nation.

Bank holidays come from the `holidays` package (substitute days and one-off moves included), so
every clock in the system (complaints, claims letters, access requests, direct debits) counts days
the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays as _holidays


class Nation(enum.Enum):
    ENGLAND_AND_WALES = "ENG"  # Wales shares England's bank holidays
    SCOTLAND = "SCT"
    NORTHERN_IRELAND = "NIR"

    @classmethod
    def parse(cls, value: str) -> Nation:
        aliases = {"ENG": cls.ENGLAND_AND_WALES, "WLS": cls.ENGLAND_AND_WALES, "EW": cls.ENGLAND_AND_WALES,
                   "SCT": cls.SCOTLAND, "NIR": cls.NORTHERN_IRELAND}
        try:
            return aliases[value.strip().upper()]
        except KeyError as exc:
            raise ValueError(f"unknown nation {value!r}: use ENG, WLS, SCT or NIR") from exc


@lru_cache(maxsize=8)
def _bank_holidays(nation: Nation, years: tuple[int, ...]) -> frozenset[date]:
    table = _holidays.country_holidays("GB", subdiv=nation.value, years=list(years))
    return frozenset(table.keys())


class WorkingDayCalendar:
    """Working days for one UK nation: Monday to Friday except that nation's bank holidays."""

    def __init__(self, nation: Nation = Nation.ENGLAND_AND_WALES) -> None:
        self.nation = nation

    def bank_holidays(self, years: Iterable[int]) -> frozenset[date]:
        return _bank_holidays(self.nation, tuple(sorted(set(years))))

    def is_bank_holiday(self, day: date) -> bool:
        return day in self.bank_holidays((day.year,))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_bank_holiday(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (the day itself is not counted)."""
        if count < 0:
            raise ValueError("count must be zero or more")
        current = day
        remaining = count
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed since `start` by `end`."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


# Postcode areas in Scotland (Royal Mail). TD (Galashiels) and DG (Dumfries) have a few districts in England
# (TD12, TD15 around Berwick; DG16 is Scottish, CA is English): those districts are listed separately.
_SCOTTISH_AREAS = frozenset({"AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD",
                             "ZE"})
_ENGLISH_DISTRICTS = frozenset({"TD12", "TD15"})


def nation_for_postcode(postcode: str | None) -> Nation:
    """The nation whose bank holidays apply at a UK postcode: Northern Ireland for BT, Scotland for the
    Scottish postcode areas, otherwise England and Wales (also when there is no postcode, CMP-5's default)."""
    if not postcode or not postcode.strip():
        return Nation.ENGLAND_AND_WALES
    outward = postcode.strip().upper().split()[0] if " " in postcode.strip() else postcode.strip().upper()[:-3]
    area = "".join(ch for ch in outward if ch.isalpha())[:2]
    if area.startswith("BT"):
        return Nation.NORTHERN_IRELAND
    if outward in _ENGLISH_DISTRICTS:
        return Nation.ENGLAND_AND_WALES
    if area in _SCOTTISH_AREAS:
        return Nation.SCOTLAND
    return Nation.ENGLAND_AND_WALES

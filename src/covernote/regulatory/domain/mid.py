"""The Motor Insurance Database rules (REG-1). Pure.

Every bind, renewal, cancellation and voidance, and every mid-term adjustment that changes the vehicle or
the named drivers, sends the MID a full picture of the policy's term: the policy number, the cover dates,
each vehicle with its registration and the days it is on cover, and each named driver with theirs
(`snapshot`). A full picture rather than a difference, so a later update always repairs an earlier one
that was rejected.

Which clock an update runs on is a rule keyed by the risk's `use` answer (the choices are product data):
a fleet or motor-trade use runs `mid.update_fleet` (14 days), anything else `mid.update_private` (7 days).
No product offers a fleet or trade use today, so every update runs the 7-day private clock.

A wrong registration must be impossible to miss (S1 section 11: a car shown wrongly on the MID may be
seized by the police): `registration_issues` flags a mark that is not in a UK format, and a current-style
mark (AB12 CDE) whose age identifier or letters the DVLA has never issued (a likely typing slip).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from covernote.policy.domain.risk import Change, is_uk_registration, normalise_registration
from covernote.policy.domain.term import TermState, risk_timeline

PRIVATE_RULE = "mid.update_private"
FLEET_RULE = "mid.update_fleet"
# Values of the risk's `use` answer that make a fleet or motor-trade policy (14 days, UK MID rules).
FLEET_USES = frozenset({"fleet", "motor_trade", "trade"})
# MTA operations that change what the MID holds (a new car, a named driver added or removed). Mileage,
# postcode and other answers do not.
MID_CHANGE_OPS = frozenset({"replace_vehicle", "add_driver", "remove_driver"})
# The policy transaction kinds that produce an update, and what the update is called.
TRIGGERS: dict[str, str] = {"new_business": "new_business", "mta": "mta", "cancellation": "cancellation",
                            "voidance": "voidance", "renewal": "renewal"}
CORRECTION = "correction"  # staff send a fresh picture after a rejection
# What the MID is asked to do with an update, given whether it already holds the policy.
ACTIONS = ("add", "amend", "renew", "cancel")
# The bureau's rejection codes, and what staff should do about each.
REJECTIONS: dict[str, str] = {
    "invalid_registration": "the registration is not one the DVLA knows: check it against the V5C logbook and "
                            "correct it by an adjustment replacing the vehicle from the day it went on cover; the "
                            "corrected picture is then sent",
    "unknown_policy": "the MID does not hold this policy: send a correction (it is sent as a new record)",
    "duplicate_policy": "the MID already holds a record under this policy number: check with the MIB helpdesk",
    "invalid_record": "the record is incomplete or inconsistent: check the cover dates and vehicles",
}


def applies_to(product_line: str) -> bool:
    """Only motor insurance is reported to the MID (a mechanical-breakdown warranty is not)."""
    return product_line == "motor"


def clock_rule(use: str | None) -> str:
    """The clock for an update: 14 days for a fleet or trade use, 7 days otherwise (REG-1)."""
    return FLEET_RULE if (use or "").strip().lower() in FLEET_USES else PRIVATE_RULE


def mta_changes_mid(changes: Iterable[Change]) -> bool:
    """Whether an adjustment changes what the MID holds: a vehicle or a named driver."""
    return any(c.op in MID_CHANGE_OPS for c in changes)


def action_for(trigger: str, already_on_mid: bool) -> str:
    """What the MID is asked to do: a policy it does not hold yet is always added (so a correction after a
    rejected new-business record still reaches it); otherwise the trigger says."""
    if not already_on_mid:
        return "add"
    return {"cancellation": "cancel", "voidance": "cancel", "renewal": "renew"}.get(trigger, "amend")


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying again after `attempts` unanswered tries: 5 minutes, doubling, at most
    6 hours (the 7-day clock keeps running meanwhile)."""
    return min(timedelta(minutes=5) * (2 ** max(attempts - 1, 0)), timedelta(hours=6))


@dataclass(frozen=True)
class OnCover:
    """A vehicle or a named driver on cover over [on_cover_from, on_cover_to) (the second date is the first
    day without cover)."""

    key: str  # the registration, or the driver's name
    on_cover_from: date
    on_cover_to: date
    make: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class MidRecord:
    """What the MID holds for one term of a policy."""

    policy_number: str
    status: str  # on_cover, cancelled or void
    cover_start: date
    cover_end: date  # the first day without cover
    vehicles: tuple[OnCover, ...]
    drivers: tuple[OnCover, ...]

    @property
    def registrations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.key for v in self.vehicles))

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_number": self.policy_number, "status": self.status,
            "cover_start": self.cover_start.isoformat(), "cover_end": self.cover_end.isoformat(),
            "vehicles": [{"registration": v.key, "make": v.make, "model": v.model,
                          "on_cover_from": v.on_cover_from.isoformat(), "on_cover_to": v.on_cover_to.isoformat()}
                         for v in self.vehicles],
            "drivers": [{"name": d.key, "on_cover_from": d.on_cover_from.isoformat(),
                         "on_cover_to": d.on_cover_to.isoformat()} for d in self.drivers],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MidRecord:
        return cls(d["policy_number"], d["status"], date.fromisoformat(d["cover_start"]),
                   date.fromisoformat(d["cover_end"]),
                   tuple(OnCover(v["registration"], date.fromisoformat(v["on_cover_from"]),
                                 date.fromisoformat(v["on_cover_to"]), v.get("make"), v.get("model"))
                         for v in d.get("vehicles", ())),
                   tuple(OnCover(x["name"], date.fromisoformat(x["on_cover_from"]), date.fromisoformat(x["on_cover_to"]))
                         for x in d.get("drivers", ())))


def _append(out: list[OnCover], item: OnCover) -> None:
    """Add a stretch, joining it to the last one of the same key when they touch."""
    for i in range(len(out) - 1, -1, -1):
        if out[i].key == item.key and out[i].on_cover_to == item.on_cover_from:
            out[i] = OnCover(item.key, out[i].on_cover_from, item.on_cover_to, item.make or out[i].make,
                             item.model or out[i].model)
            return
    out.append(item)


def snapshot(policy_number: str, term: TermState) -> MidRecord:
    """The MID's picture of one term, from the term's risk on each stretch of it. A cancelled term's cover
    ends on the cancellation date; a void term never had cover (treated as never having existed, POL-4):
    its vehicles and drivers are listed with no days on cover, so the MID removes them."""
    if term.voided:
        status, end = "void", term.period.start
    elif term.cancelled_from is not None:
        status, end = "cancelled", term.cover_end
    else:
        status, end = "on_cover", term.period.end
    vehicles: list[OnCover] = []
    drivers: list[OnCover] = []
    for stretch, risk in risk_timeline(term.base_risk, term.period, term.adjustments):
        if stretch.start >= end > term.period.start:
            continue  # after the cover ended
        start = min(stretch.start, end)  # a term with no cover at all lists everything with no days
        stop = max(start, min(stretch.end, end))
        v = risk.vehicle
        _append(vehicles, OnCover(normalise_registration(v.registration), start, stop, v.make, v.model))
        for d in risk.drivers:
            _append(drivers, OnCover(d.name, start, stop))
    return MidRecord(policy_number, status, term.period.start, end, tuple(vehicles), tuple(drivers))


# -- registrations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationIssue:
    code: str  # invalid_format, unissued_age_identifier, unissued_letters
    registration: str
    severity: str  # error (will be refused) or warning (check it)
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "registration": self.registration, "severity": self.severity,
                "message": self.message}


def _latest_age_identifiers(today: date) -> tuple[int, int]:
    """The newest March (02..49) and September (51..99) age identifiers issued by `today`."""
    march = today.year % 100 if today.month >= 3 else today.year % 100 - 1
    september = today.year % 100 + 50 if today.month >= 9 else today.year % 100 + 49
    return march, september


def registration_issues(registration: str, today: date) -> list[RegistrationIssue]:
    """Why a registration mark may be wrong on the MID. A mark that is not a UK format is an error; a
    current-style mark (two letters, two digits, three letters, from September 2001) whose age identifier
    has not been issued (00, 01, 50, or one after `today`) or that uses letters the DVLA does not issue
    (I or Q anywhere, Z in the first two letters) is a warning: likely a typing slip (O for 0, I for 1)."""
    reg = normalise_registration(registration)
    if not is_uk_registration(reg):
        return [RegistrationIssue("invalid_format", reg, "error",
                                  "not a UK registration mark: check it against the V5C logbook")]
    out: list[RegistrationIssue] = []
    if len(reg) == 7 and reg[:2].isalpha() and reg[2:4].isdigit() and reg[4:].isalpha():
        age = int(reg[2:4])
        march, september = _latest_age_identifiers(today)
        if not ((2 <= age <= 49 and age <= march) or (51 <= age <= 99 and age <= september)):
            out.append(RegistrationIssue("unissued_age_identifier", reg, "warning",
                                         f"the age identifier {reg[2:4]} has not been issued: check the mark"))
        if any(ch in "IQ" for ch in reg[:2] + reg[4:]) or "Z" in reg[:2]:
            out.append(RegistrationIssue("unissued_letters", reg, "warning",
                                         "uses letters the DVLA does not issue in that position: check the mark"))
    return out


def record_issues(record: MidRecord, today: date) -> list[RegistrationIssue]:
    return [i for reg in record.registrations for i in registration_issues(reg, today)]


def registration_mismatch(on_policy: Sequence[str], on_mid: Sequence[str] | None) -> dict[str, list[str]]:
    """The registrations the policy covers that the MID does not hold, and those the MID holds that the
    policy no longer covers (empty lists: in step)."""
    held = set(on_mid or ())
    wanted = set(on_policy)
    return {"missing_on_mid": sorted(wanted - held), "only_on_mid": sorted(held - wanted)}

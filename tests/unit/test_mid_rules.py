"""REG-1: the Motor Insurance Database rules (regulatory/domain/mid.py) and the MID and CUE simulators
(regulatory/adapters/mid.py, cue.py): the picture of a term, which clock, which changes, registrations that may be
wrong, and a bureau that accepts, rejects, times out and answers a retry once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from covernote.kernel.periods import Period
from covernote.policy.domain.risk import Change
from covernote.policy.domain.term import Adjustment, TermState
from covernote.regulatory.adapters.cue import SimulatedCue
from covernote.regulatory.adapters.mid import SimulatedMid
from covernote.regulatory.domain import mid
from covernote.regulatory.ports import BureauRejected, BureauUnavailable
from tests.support import driver, motor_risk, vehicle

START = date(2026, 11, 22)
END = date(2027, 11, 22)


def _term(*adjustments: Adjustment, cancelled_from: date | None = None, voided: bool = False) -> TermState:
    return TermState(1, Period(START, END), "ECO@2026.7", motor_risk(), Decimal("0.12"), False, START, START,
                     list(adjustments), cancelled_from, voided)


def test_reg1_snapshot_of_a_term_lists_policy_cover_dates_vehicle_and_named_drivers() -> None:
    rec = mid.snapshot("CN-000001", _term())
    assert rec.as_dict() == {
        "policy_number": "CN-000001", "status": "on_cover", "cover_start": "2026-11-22", "cover_end": "2027-11-22",
        "vehicles": [{"registration": "AB12CDE", "make": "Toyota", "model": "Yaris", "on_cover_from": "2026-11-22",
                      "on_cover_to": "2027-11-22"}],
        "drivers": [{"name": "Ann Example", "on_cover_from": "2026-11-22", "on_cover_to": "2027-11-22"}]}
    assert mid.MidRecord.from_dict(rec.as_dict()) == rec


def test_reg1_snapshot_after_a_new_car_a_new_driver_and_a_cancellation() -> None:
    new_car = Adjustment(1, date(2027, 1, 10), None, (Change("replace_vehicle", vehicle=vehicle("cd 19 efg")),))
    temp_driver = Adjustment(2, date(2027, 2, 1), date(2027, 3, 1), (Change("add_driver", driver=driver("d2", name="Bo")),))
    rec = mid.snapshot("CN-000002", _term(new_car, temp_driver, cancelled_from=date(2027, 6, 1)))
    assert rec.status == "cancelled" and rec.cover_end == date(2027, 6, 1)
    assert [(v.key, v.on_cover_from, v.on_cover_to) for v in rec.vehicles] == [
        ("AB12CDE", START, date(2027, 1, 10)), ("CD19EFG", date(2027, 1, 10), date(2027, 6, 1))]
    assert [(d.key, d.on_cover_from, d.on_cover_to) for d in rec.drivers] == [
        ("Ann Example", START, date(2027, 6, 1)), ("Bo", date(2027, 2, 1), date(2027, 3, 1))]
    assert rec.registrations == ("AB12CDE", "CD19EFG")


def test_reg1_pol4_a_void_term_lists_its_vehicles_with_no_days_on_cover() -> None:
    rec = mid.snapshot("CN-000003", _term(voided=True))
    assert rec.status == "void" and rec.cover_end == START
    assert [(v.key, v.on_cover_from, v.on_cover_to) for v in rec.vehicles] == [("AB12CDE", START, START)]


def test_reg1_clock_rule_is_keyed_by_the_risks_use() -> None:
    assert mid.clock_rule("sdp_commuting") == mid.clock_rule(None) == mid.PRIVATE_RULE == "mid.update_private"
    assert mid.clock_rule("fleet") == mid.clock_rule("Motor_Trade") == mid.FLEET_RULE == "mid.update_fleet"


def test_reg1_only_vehicle_and_driver_changes_need_an_mta_update() -> None:
    assert mid.mta_changes_mid([Change("replace_vehicle", vehicle=vehicle("CD19EFG"))])
    assert mid.mta_changes_mid([Change("add_driver", driver=driver("d2"))])
    assert mid.mta_changes_mid([Change("remove_driver", driver_id="d2")])
    assert not mid.mta_changes_mid([Change("set_answer", question="annual_mileage", value="12000")])
    assert not mid.mta_changes_mid([Change("set_postcode", postcode="LS2 7HX")])


def test_reg1_action_adds_a_policy_the_mid_does_not_hold_yet() -> None:
    assert mid.action_for("mta", already_on_mid=False) == "add"
    assert [mid.action_for(t, True) for t in ("mta", "cancellation", "voidance", "renewal", "correction")] == [
        "amend", "cancel", "cancel", "renew", "amend"]


def test_reg1_back_off_doubles_from_five_minutes_to_six_hours() -> None:
    assert [mid.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert mid.backoff(20) == timedelta(hours=6)


@pytest.mark.parametrize(("reg", "codes"), [
    ("AB12 CDE", []), ("ab12cde", []), ("A123 BCD", []), ("ABZ 1234", []),
    ("NOT-A-REG", ["invalid_format"]), ("AB1234567", ["invalid_format"]),
    ("AB01CDE", ["unissued_age_identifier"]), ("AB27CDE", ["unissued_age_identifier"]),  # 27: March 2027
    ("AB76CDE", []), ("AB77CDE", ["unissued_age_identifier"]),  # 76: September 2026
    ("QZ12QZQ", ["unissued_letters"]), ("AI12CDE", ["unissued_letters"]), ("AB12CDZ", []),
])
def test_reg1_s1_a_wrong_registration_is_flagged(reg: str, codes: list[str]) -> None:
    """REG-1, S1 section 11: a mark not in a UK format is an error; a current-style mark whose age identifier
    or letters were never issued is a warning."""
    found = mid.registration_issues(reg, date(2026, 11, 22))
    assert [i.code for i in found] == codes
    assert all(i.severity == ("error" if i.code == "invalid_format" else "warning") for i in found)


def test_reg1_mismatch_lists_both_sides() -> None:
    assert mid.registration_mismatch(["AB12CDE"], ["AB12CDE"]) == {"missing_on_mid": [], "only_on_mid": []}
    assert mid.registration_mismatch(["CD19EFG"], ["AB12CDE"]) == {"missing_on_mid": ["CD19EFG"],
                                                                   "only_on_mid": ["AB12CDE"]}
    assert mid.registration_mismatch(["AB12CDE"], None)["missing_on_mid"] == ["AB12CDE"]


def _record(reg: str = "AB12CDE", number: str = "CN-000009") -> dict[str, object]:
    rec = mid.snapshot(number, _term())
    return {**rec.as_dict(), "vehicles": [{**rec.as_dict()["vehicles"][0], "registration": reg}]}


def test_reg1_mid_simulator_accepts_rejects_and_answers_a_retry_once() -> None:
    sim = SimulatedMid()
    first = sim.submit("mid_1", "add", _record())
    assert first.reference.startswith("MID-") and sim.submit("mid_1", "add", _record()) == first  # idempotent
    assert sim.held("CN-000009")["vehicles"][0]["registration"] == "AB12CDE"  # type: ignore[index]
    with pytest.raises(BureauRejected) as dup:
        sim.submit("mid_2", "add", _record())
    assert dup.value.code == "duplicate_policy"
    with pytest.raises(BureauRejected) as unknown:
        sim.submit("mid_3", "amend", _record(number="CN-999999"))
    assert unknown.value.code == "unknown_policy"
    with pytest.raises(BureauRejected) as bad:
        sim.submit("mid_4", "add", _record("ZZ12ABC", "CN-000010"))
    assert bad.value.code == "invalid_registration"
    with pytest.raises(BureauRejected) as again:  # a rejection is answered the same way on a retry
        sim.submit("mid_4", "add", _record("ZZ12ABC", "CN-000010"))
    assert again.value.reference == bad.value.reference
    assert sim.submit("mid_5", "amend", _record("CD19EFG")).reference != first.reference


def test_reg1_mid_simulator_times_out_then_answers_and_has_outages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    flag = tmp_path / "mid.outage"
    sim = SimulatedMid(tmp_path / "mid.sqlite", flag)
    with pytest.raises(BureauUnavailable):  # "ZX": the first try of each update times out
        sim.submit("mid_slow", "add", _record("ZX12ABC"))
    assert sim.submit("mid_slow", "add", _record("ZX12ABC")).reference.startswith("MID-")
    flag.touch()
    with pytest.raises(BureauUnavailable):
        sim.submit("mid_other", "add", _record(number="CN-000011"))
    flag.unlink()
    sim.outage = True
    with pytest.raises(BureauUnavailable):
        sim.submit("mid_other", "add", _record(number="CN-000011"))
    sim.outage = False
    assert sim.submit("mid_other", "add", _record(number="CN-000011")).reference
    # its state is on disk, as the bureau's own: a new process answers a retry the same way
    assert SimulatedMid(tmp_path / "mid.sqlite").submit("mid_other", "add", {}).reference == \
        sim.submit("mid_other", "add", {}).reference


def test_reg2_cue_simulator_accepts_rejects_and_refuses_a_duplicate() -> None:
    sim = SimulatedCue()
    payload = {"policy_number": "CN-000001", "incident_on": "2026-11-20", "kind": "claim", "registration": "AB12CDE",
               "claim_reference": "CLM-1"}
    ok = sim.report("cue_1", payload)
    assert ok.reference.startswith("CUE-") and sim.report("cue_1", payload) == ok
    with pytest.raises(BureauRejected) as dup:
        sim.report("cue_2", payload)
    assert dup.value.code == "duplicate_report"
    with pytest.raises(BureauRejected) as bad:
        sim.report("cue_3", {**payload, "registration": "ZZ12ABC", "claim_reference": "CLM-2"})
    assert bad.value.code == "invalid_registration"
    with pytest.raises(BureauRejected) as incomplete:
        sim.report("cue_4", replace_dict(payload, incident_on=None))
    assert incomplete.value.code == "invalid_record"
    sim.outage = True
    with pytest.raises(BureauUnavailable):
        sim.report("cue_5", {**payload, "claim_reference": "CLM-3"})


def replace_dict(d: dict[str, object], **changes: object) -> dict[str, object]:
    return {**d, **changes}


def test_reg1_snapshot_keeps_the_registration_normalised() -> None:
    term = _term()
    term = replace(term, base_risk=replace(term.base_risk, vehicle=vehicle("ab12 cde")))
    assert mid.snapshot("CN-1", term).registrations == ("AB12CDE",)

"""REG-3: what a fraud check's answer means at each stage (regulatory/domain/fraud.py), and the fraud agency simulator
(regulatory/adapters/fraud.py): deterministic from a watch list that holds none of the test data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from covernote.regulatory.adapters.fraud import WATCHLIST, SimulatedFraudAgency, load_watchlist
from covernote.regulatory.domain import fraud
from covernote.regulatory.domain.fraud import FraudSubject
from covernote.regulatory.ports import BureauUnavailable

ROOT = Path(__file__).resolve().parents[2]


def _subject(name: str = "Ann Example", postcode: str = "LS1 4AB", regs: tuple[str, ...] = ("AB12CDE",),
             drivers: tuple[str, ...] = (), email: str = "ann@example.org") -> dict[str, object]:
    return FraudSubject("quo_1", name, date(1985, 3, 4), email, postcode, regs, drivers).as_dict()


@pytest.mark.parametrize("stage", fraud.STAGES)
def test_reg3_clear_proceeds_refer_and_unavailable_proceed_with_a_referral(stage: str) -> None:
    assert fraud.decide(stage, "clear") == fraud.Decision(True, False, False)
    refer = fraud.decide(stage, "refer")
    assert (refer.proceed, refer.review, refer.marker) == (True, True, False)
    down = fraud.decide(stage, "unavailable")
    assert (down.proceed, down.review, down.marker, down.recheck) == (True, True, False, True)


@pytest.mark.parametrize(("stage", "proceeds"), [("quote", False), ("mta", False), ("renewal", False),
                                                 ("claim", True)])
def test_reg3_a_match_is_a_suspected_fraud_refused_except_on_a_claim(stage: str, proceeds: bool) -> None:
    d = fraud.decide(stage, "match")
    assert d.marker and d.review and d.proceed is proceeds
    with pytest.raises(ValueError):
        fraud.decide("lunch", "match")
    with pytest.raises(ValueError):
        fraud.decide(stage, "maybe")


def test_reg3_the_refusal_names_no_watch_list_detail() -> None:
    assert "fraud prevention checks" in fraud.REFUSAL
    for entry in load_watchlist():
        assert entry.reason not in fraud.REFUSAL and entry.value not in fraud.REFUSAL.lower()


def test_reg3_subject_round_trips() -> None:
    s = FraudSubject("quo_1", "Ann", date(1985, 3, 4), None, "LS1 4AB", ("AB12CDE",), ("Bo",))
    assert FraudSubject.from_dict(s.as_dict()) == s


def test_reg3_simulator_answers_from_the_watch_list() -> None:
    agency = SimulatedFraudAgency()
    clear = agency.check("frc_1", "quote", _subject())
    assert (clear.result, clear.score, clear.reasons) == ("clear", 0, ())
    match = agency.check("frc_2", "quote", _subject(name="  mallory   FRAUDSTER "))
    assert match.result == "match" and match.score == 95 and match.reasons
    refer = agency.check("frc_3", "quote", _subject(postcode="ec1a9zz"))
    assert refer.result == "refer" and refer.score == 55
    both = agency.check("frc_4", "mta", _subject(postcode="EC1A 9ZZ", regs=("FR12 AUD",)))
    assert both.result == "match" and both.score == 90 and len(both.reasons) == 2  # the worst answer wins
    driver = agency.check("frc_5", "mta", _subject(drivers=("Rita Referral",)))
    assert driver.result == "refer"
    email = agency.check("frc_6", "claim", _subject(email="Fraud@Example.invalid"))
    assert email.result == "match"
    assert agency.check("frc_2", "quote", _subject()) == match  # answered once per check id
    with pytest.raises(BureauUnavailable):
        agency.check("frc_7", "quote", _subject(name="Otto Outage"))
    agency.outage = True
    with pytest.raises(BureauUnavailable):
        agency.check("frc_8", "quote", _subject())


def test_reg3_simulator_outage_flag_file_and_a_bad_watch_list(tmp_path: Path) -> None:
    flag = tmp_path / "fraud.outage"
    agency = SimulatedFraudAgency(outage_flag=flag)
    flag.touch()
    with pytest.raises(BureauUnavailable):
        agency.check("frc_1", "quote", _subject())
    flag.unlink()
    assert agency.check("frc_1", "quote", _subject()).result == "clear"
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,value,result,score,reason\nshoe,42,match,1,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry 2"):
        SimulatedFraudAgency(bad)


def test_reg3_no_test_data_is_on_the_watch_list() -> None:
    """The simulator's answer for the test data must be clear: no name, postcode, registration or e-mail used
    in the tests or the demonstration data outside the regulatory tests is on the watch list."""
    own = {"test_fraud_rules.py", "test_fraud.py", "test_regulatory_api.py", "test_regulatory_cli.py",
           "test_mid_rules.py", "test_mid.py", "test_cue.py", "test_claims_hooks.py"}
    texts = [p.read_text(encoding="utf-8").lower() for p in [*(ROOT / "tests").rglob("*.py"),
                                                             ROOT / "src/covernote/demo.py"]
             if p.name not in own]
    for entry in load_watchlist(WATCHLIST):
        needle = entry.value
        for text in texts:
            squashed = re.sub(r"\s+", "", text) if entry.kind in ("postcode", "registration") else text
            assert needle not in squashed, f"{entry.kind} {entry.value} is used by another test"

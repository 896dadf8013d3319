"""The fraud agency simulator (REG-3) answers a retried check the same, and keeps only its most recent
answers, so a long-running service's memory levels off (issue 12: it kept every answer it ever gave)."""

from __future__ import annotations

from covernote.regulatory.adapters import fraud
from covernote.regulatory.adapters.fraud import SimulatedFraudAgency

SUBJECT = {"name": "Ann Example", "postcode": "LS1 4AB", "registrations": ["AB12CDE"], "email": "ann@example.org"}


def test_reg3_a_retried_check_gets_the_same_answer_and_reference():
    agency = SimulatedFraudAgency()
    first = agency.check("frc_1", "quote", SUBJECT)
    assert agency.check("frc_1", "quote", SUBJECT) == first
    assert agency.check("frc_2", "quote", SUBJECT).reference != first.reference


def test_reg3_the_simulator_remembers_a_bounded_number_of_answers(monkeypatch):
    monkeypatch.setattr(fraud, "REMEMBERED_ANSWERS", 50)
    agency = SimulatedFraudAgency()
    answers = {f"frc_{i}": agency.check(f"frc_{i}", "quote", SUBJECT) for i in range(200)}
    assert len(agency._answers) == 50
    assert agency.check("frc_199", "quote", SUBJECT) == answers["frc_199"]  # recent: same answer
    references = {a.reference for a in answers.values()}
    assert len(references) == 200  # references stay unique after older answers are forgotten

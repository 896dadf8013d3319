"""The fraud agency simulator (REG-3) answers a retried check the same, and keeps only its most recent
answers, so a long-running service's memory levels off (issue 12: it kept every answer it ever gave)."""

from __future__ import annotations

from covernote.regulatory.adapters import fraud
from covernote.regulatory.adapters.fraud import SimulatedFraudAgency
from covernote.regulatory.ports import BureauUnavailable, FraudRequest

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


def _asked(agency: SimulatedFraudAgency, requests: list[FraudRequest]) -> list[object]:
    """Each request asked alone: the answer, or the BureauUnavailable `check` raised."""
    out: list[object] = []
    for r in requests:
        try:
            out.append(agency.check(r.check_id, r.stage, r.subject))
        except BureauUnavailable as exc:
            out.append(exc)
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, BureauUnavailable) or isinstance(b, BureauUnavailable):
        return type(a) is type(b) and str(a) == str(b)
    return a == b


def test_issue12_check_many_answers_each_subject_as_check_does_in_one_call(tmp_path):
    """REG-3, issue 12: a batch's call answers each subject, in order, as one call each would (the same
    references issued in the same order), a subject the agency does not answer is unanswered alone, and a
    retried id gets its first answer."""
    path = tmp_path / "watch.csv"
    path.write_text("kind,value,result,score,reason\nname,Rae Referred,refer,60,linked\n"
                    "name,Una Unanswered,unavailable,0,timeout\npostcode,LS6 2AB,match,91,fraud address\n",
                    encoding="utf-8")
    subjects = [SUBJECT, {**SUBJECT, "name": "Rae Referred"}, {**SUBJECT, "name": "Una Unanswered"},
                {**SUBJECT, "postcode": "LS6 2AB"}, SUBJECT]
    requests = [FraudRequest(f"frc_{i}", "renewal", s) for i, s in enumerate(subjects)]
    requests.append(requests[1])  # a retry within the batch
    one_by_one, batch = SimulatedFraudAgency(path), SimulatedFraudAgency(path)
    expected = _asked(one_by_one, requests)
    got = batch.check_many(requests)
    assert batch.calls == 1 and len(got) == len(requests)
    assert all(_same(a, b) for a, b in zip(got, expected, strict=True)), (got, expected)
    assert [getattr(a, "result", "none") for a in got] == ["clear", "refer", "none", "match", "clear", "refer"]
    assert got[5] == got[1] and batch.check("frc_3", "renewal", subjects[3]) == got[3]


def test_issue12_check_many_during_an_outage_leaves_every_subject_unanswered(tmp_path):
    flag = tmp_path / "fraud-simulator.outage"
    agency = SimulatedFraudAgency(outage_flag=flag)
    requests = [FraudRequest(f"frc_{i}", "renewal", SUBJECT) for i in range(3)]
    flag.touch()
    got = agency.check_many(requests)
    assert [type(a) for a in got] == [BureauUnavailable] * 3
    assert all(_same(a, b) for a, b in zip(got, _asked(agency, requests), strict=True))
    flag.unlink()
    assert [a.result for a in agency.check_many(requests)] == ["clear"] * 3  # type: ignore[union-attr]

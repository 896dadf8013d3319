"""Issue 13, item 21: `salvage` stands in for each refused field so the rules judge the rest in one round; a
list item whose stand-in is `LEAVE_OUT` is left out (a faulty change of an adjustment), and a refused field
without a stand-in of its own takes that of the nearest field holding it."""

from __future__ import annotations

from pydantic import ValidationError

from covernote.platform.requests import LEAVE_OUT, salvage
from covernote.policy.schemas import AdjustmentIn

STAND_INS = {"effective_date": "1900-01-01", "changes[*]": LEAVE_OUT, "smartbox": None}


def _bad(raw: dict) -> list[tuple]:  # type: ignore[type-arg]
    try:
        AdjustmentIn.model_validate(raw)
    except ValidationError as exc:
        return [tuple(e["loc"]) for e in exc.errors()]
    raise AssertionError("expected a shape error")


def _change(question: str, value: object) -> dict[str, object]:
    return {"op": "set_answer", "question": question, "value": value}


def test_issue13_item21_salvage_leaves_faulty_changes_out_and_keeps_the_others_in_order():
    raw = {"effective_date": "2026-13-45", "reason": "r", "smartbox": "maybe",
           "changes": [_change("a", True), _change("b", 1), _change("c", [1]), _change("d", 2), {"op": "set_answer"}]}
    body, replaced = salvage(AdjustmentIn, raw, _bad(raw), STAND_INS)
    assert isinstance(body, AdjustmentIn)
    assert [(c.question, c.value) for c in body.changes] == [("b", 1), ("d", 2)]
    assert str(body.effective_date) == "1900-01-01" and body.smartbox is None
    assert replaced == {"effective_date", "smartbox", "changes[0]", "changes[2]", "changes[4]"}
    assert raw["changes"][0] == _change("a", True)  # the body sent is untouched


def test_issue13_item21_salvage_without_a_stand_in_waits_for_a_good_shape():
    raw = {"effective_date": "2026-12-01", "reason": "r", "until": "2026-02-30"}
    assert salvage(AdjustmentIn, raw, _bad(raw), STAND_INS) == (None, set())

"""Issue 13 item 12 (PAY-5): after an administrator reverses a ledger entry, reconciliation still passes,
listing the reversal as awaiting its correction; the correction is a balanced journal entry, with a
reason, posted by an administrator; a wrong correction is refused, field by field, and nothing is written."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.ledger import usecases as ledger
from covernote.platform.context import AppContext
from tests.support import bind

STAFF = Principal("usr_staff", "staff")


def charge_entry(ctx: AppContext, pol: dict[str, Any]) -> dict[str, Any]:
    statement = ledger.policy_statement(ctx, SYSTEM, pol["id"])
    return next(e for e in statement["entries"] if e["transaction_id"] == pol["transaction_id"]
                and any(x["account"] == "premium:written" for x in e["postings"]))


def entries(ctx: AppContext, pid: str) -> list[dict[str, Any]]:
    return ledger.policy_statement(ctx, SYSTEM, pid)["entries"]


def test_issue13_item12_pay5_reconciliation_passes_after_a_reversal_and_lists_it(db_ctx: AppContext) -> None:
    pol = bind(db_ctx)
    charge = charge_entry(db_ctx, pol)
    ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "posted against the wrong term")
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"] is True and report["problems"] == []
    assert [(w["policy_id"], w["entry_id"]) for w in report["awaiting_correction"]] == [(pol["id"], charge["id"])]


def test_issue13_item12_pay5_correction_reposts_and_clears_the_wait(db_ctx: AppContext) -> None:
    pol = bind(db_ctx)
    charge = charge_entry(db_ctx, pol)
    ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "reversed by mistake")
    fixed = ledger.correct_entry(db_ctx, SYSTEM, charge["id"], "reversed by mistake: posted again")
    assert fixed["corrects"] == charge["id"] and fixed["transaction_id"] == charge["transaction_id"]
    assert "posted again" in fixed["description"]
    assert sorted((p["account"], p["amount"]) for p in fixed["postings"]) == \
        sorted((p["account"], p["amount"]) for p in charge["postings"])
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"] and report["awaiting_correction"] == []
    with pytest.raises(Conflict):  # one correction per reversed entry
        ledger.correct_entry(db_ctx, SYSTEM, charge["id"], "again")


def test_issue13_item12_pay5_correction_with_its_own_postings_must_balance(db_ctx: AppContext) -> None:
    """A correction with different postings is checked against the transactions like any entry: moving
    premium to IPT makes reconciliation fail, naming the policy; the exact amounts make it pass."""
    pol = bind(db_ctx)
    charge = charge_entry(db_ctx, pol)
    ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "wrong split")
    amounts = {p["account"]: Decimal(p["amount"]) for p in charge["postings"]}
    premium, ipt = amounts["premium:written"], amounts["tax:ipt-payable"]
    before = entries(db_ctx, pol["id"])
    with pytest.raises(ValidationFailed) as bad:
        ledger.correct_entry(db_ctx, SYSTEM, charge["id"], "unbalanced",
                             [("premium:written", str(premium), ""), ("customer:receivable", "1.00", "")])
    assert [i.field for i in bad.value.issues] == ["postings"]
    with pytest.raises(ValidationFailed) as bad:
        ledger.correct_entry(db_ctx, SYSTEM, charge["id"], "",
                             [("claims:paid", "1.00", ""), ("bank", "x", ""), ("fees:admin", "1.001", "")])
    assert {i.field for i in bad.value.issues} == {"reason", "postings[0].account", "postings[1].account",
                                                  "postings[1].amount", "postings[2].amount"}
    assert entries(db_ctx, pol["id"]) == before  # nothing half-written
    lines = [(a, str(v), "corrected") for a, v in amounts.items() if a not in ("premium:written", "tax:ipt-payable")]
    wrong = ledger.correct_entry(db_ctx, SYSTEM, charge["id"], "wrong split",
                                 [*lines, ("premium:written", str(premium + ipt), ""), ("tax:ipt-payable", "0", "")])
    assert "tax:ipt-payable" not in {p["account"] for p in wrong["postings"]}  # zero lines dropped
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert not report["ok"] and {p.get("policy_id") for p in report["problems"]} == {pol["id"]}
    # a wrong correction is itself reversed and corrected
    ledger.reverse_entry(db_ctx, SYSTEM, wrong["id"], "still wrong")
    ledger.correct_entry(db_ctx, SYSTEM, wrong["id"], "the right split",
                         [*lines, ("premium:written", str(premium), ""), ("tax:ipt-payable", str(ipt), "")])
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_issue13_item12_pay5_reversing_a_duplicate_needs_no_correction(db_ctx: AppContext) -> None:
    """A reversal that puts a wrong entry right (the same charge posted twice) leaves the ledger agreeing
    with the transactions: it passes and nothing is awaited."""
    pol = bind(db_ctx)
    charge = charge_entry(db_ctx, pol)
    with db_ctx.uow() as uow:
        original = uow.ledger.get(charge["id"])
        assert original is not None
        uow.ledger.add(replace(original, entry_id=new_id("jnl")))  # a posting bug: the charge twice
        uow.commit()
    assert not ledger.reconcile(db_ctx, SYSTEM)["ok"]
    dup = next(e for e in entries(db_ctx, pol["id"]) if e["id"] != charge["id"] and e["description"] == charge["description"])
    ledger.reverse_entry(db_ctx, SYSTEM, dup["id"], "posted twice")
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"] and report["awaiting_correction"] == []


def test_issue13_item12_pay5_who_and_what_may_be_corrected(db_ctx: AppContext) -> None:
    pol = bind(db_ctx)
    charge = charge_entry(db_ctx, pol)
    with pytest.raises(Conflict):  # not reversed yet
        ledger.correct_entry(db_ctx, SYSTEM, charge["id"], "too early")
    rev = ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "wrong")
    with pytest.raises(Forbidden):
        ledger.correct_entry(db_ctx, STAFF, charge["id"], "staff may not")
    with pytest.raises(NotFound):
        ledger.correct_entry(db_ctx, SYSTEM, "jnl_missing", "no such entry")
    with pytest.raises(Conflict):  # a reversal is not corrected; it is the correction's first half
        ledger.correct_entry(db_ctx, SYSTEM, rev["id"], "a reversal")


def test_issue13_item12_pay5_a_duplicate_reversed_and_a_reversal_awaiting_correction_together(
        db_ctx: AppContext) -> None:
    """Two reversals on one policy, one complete (a charge posted twice), one awaiting its correction:
    reconciliation passes and lists one entry awaiting (the two have the same amounts, so posting either
    again puts the policy right)."""
    pol = bind(db_ctx)
    charge = charge_entry(db_ctx, pol)
    with db_ctx.uow() as uow:
        original = uow.ledger.get(charge["id"])
        assert original is not None
        dup = replace(original, entry_id=new_id("jnl"))
        uow.ledger.add(dup)
        uow.commit()
    ledger.reverse_entry(db_ctx, SYSTEM, dup.entry_id, "posted twice")
    ledger.reverse_entry(db_ctx, SYSTEM, charge["id"], "to be posted again")
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"] and len(report["awaiting_correction"]) == 1
    assert report["awaiting_correction"][0]["entry_id"] in {charge["id"], dup.entry_id}

"""PAY-3 from the command line: `covernote billing notices list|run|withdraw` over the demonstration data (its
Smartbox return refund is notified, not paid at once; its adjustment's charge was taken on its day)."""

from __future__ import annotations

import json

from tests.e2e.test_cli import cli  # noqa: F401  (the fixture)


def test_pay3_notices_listed_run_and_authority_withdrawn_from_the_command_line(cli):  # noqa: F811
    cli("db", "upgrade")
    demo = cli("demo")
    assert "cn_demo_staff_token" in demo
    notices = json.loads(cli("billing", "notices", "list", "--json"))
    by_status = {(n["kind"], n["status"]) for n in notices}
    assert ("refund", "pending") in by_status  # the Smartbox return's fee refund, 14 days after its letter
    assert ("charge", "taken") in by_status  # the adjustment's charge, taken on its day by the nightly step
    pending = next(n for n in notices if n["status"] == "pending")
    out = cli("billing", "notices", "list", "--due", pending["due_on"])
    assert pending["id"] in out and "Visa ending 4242" in out
    run = json.loads(cli("billing", "notices", "run", "--json"))
    assert run["taken"] == run["paid"] == 0 and run["failed"] == []  # nothing due today
    policies = json.loads(cli("policy", "list", "--json"))
    live = next(p for p in policies if p["status"] == "live")
    out = cli("billing", "notices", "withdraw", live["number"])
    assert "authority withdrawn" in out
    shown = json.loads(cli("billing", "notices", "list", "--policy", live["number"], "--json"))
    assert shown["authority"]["in_force"] is False
    err = cli("billing", "notices", "withdraw", live["number"], code=2)
    assert "already withdrawn" in err
    assert "problems: 0" in cli("ledger", "reconcile")

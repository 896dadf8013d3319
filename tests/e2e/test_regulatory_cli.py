"""REG-1, REG-2, REG-3 from the command line, on SQLite and PostgreSQL, with the embedded simulators as a
running installation has them (their state in the data folder, an outage while a flag file exists):
`covernote mid list|show|send|correction`, `covernote jobs mid-send|cue-send|fraud-recheck`,
`covernote cue list|send`, `covernote fraud referrals|checks|review|recheck`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Cli = Callable[..., str]



def _policy(cli: Cli, tmp_path: Path, name: str, reg: str, key: str, code: int = 0) -> dict[str, str] | None:
    customer = json.loads(cli("customers", "create", "--name", name, "--email", "x@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    risk = tmp_path / f"risk-{key}.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": reg, "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
                    "abi_group": 12},
        "drivers": [{"name": name, "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    out = cli("quote", "create", "--product", "ECO", "--customer", customer["id"], "--risk-file", str(risk), "--json",
              code=code)
    if code:
        return {"customer_id": customer["id"], "output": out}
    quote = json.loads(out)
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key", key, "--json"))
    return {"id": policy["id"], "number": policy["number"], "customer_id": customer["id"]}


def test_reg1_mid_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    good = _policy(cli, tmp_path, "Dee", "LS19ABC", "cli-mid-1")
    bad = _policy(cli, tmp_path, "Eve", "ZZ19ABC", "cli-mid-2")
    assert good and bad
    listed = cli("mid", "list", "--status", "pending")
    assert good["number"] in listed and "LS19ABC" in listed and "new_business" in listed
    outage = tmp_path / "var" / "mid-simulator.outage"
    outage.touch()
    out = cli("jobs", "mid-send", code=3)  # nothing got through: the job says so
    assert "retry later 2" in out and "did not answer" in out
    outage.unlink()
    out = cli("jobs", "mid-send", "--retry-now")
    assert "sent 1" in out and "rejected 1" in out
    data = json.loads(cli("mid", "list", "--status", "rejected", "--json"))
    [rejected] = data["updates"]
    assert rejected["policy_number"] == bad["number"] and rejected["reject_code"] == "invalid_registration"
    shown = cli("mid", "show", rejected["id"])
    assert "REJECTED invalid_registration" in shown
    assert "FLAGS" in cli("mid", "list", "--flagged")
    policy = json.loads(cli("policy", "show", good["id"], "--json"))
    assert policy["mid"]["in_step"] is True
    fresh = json.loads(cli("mid", "correction", rejected["id"], "--json"))
    assert fresh["trigger"] == "correction"
    err = cli("mid", "list", "--status", "lost", code=2)
    assert "status" in err
    assert "no such MID update" in cli("mid", "show", "mid_nope", code=2)


def test_reg2_reg3_cue_and_fraud_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path, "Rita Referral", "LS19ABD", "cli-fraud-1")  # referred, goes ahead
    assert p
    out = cli("fraud", "referrals")
    assert "refer" in out and p["customer_id"] in out
    [ref] = json.loads(cli("fraud", "referrals", "--json"))["referrals"]
    reviewed = cli("fraud", "review", ref["id"], "--decision", "cleared", "--note", "checked the licence")
    assert "cleared" in reviewed
    assert "decision" in cli("fraud", "review", ref["id"], "--decision", "perhaps", "--note", "x", code=2)
    refused = _policy(cli, tmp_path, "Mallory Fraudster", "LS19ABE", "cli-fraud-2", code=2)
    assert refused and "fraud prevention checks" in refused["output"] and "fraud_check" in refused["output"]
    assert "fraud register" not in refused["output"]
    checks = cli("fraud", "checks", "--customer", refused["customer_id"])
    assert "match" in checks
    assert "re-checked 0" in cli("jobs", "fraud-recheck")
    cli("policy", "incident", p["id"], "--kind", "claim", "--occurred-on", "2020-01-01", code=2)  # before cover
    cli("policy", "incident", p["id"], "--kind", "incident", "--occurred-on",
        json.loads(cli("policy", "show", p["id"], "--json"))["current_term"]["start_date"])
    assert "pending" in cli("cue", "list")
    assert "sent 1" in cli("jobs", "cue-send")
    assert "CUE-" in cli("cue", "list", "--status", "sent")

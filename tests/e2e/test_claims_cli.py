"""Claims from the command line (CLM-1..4), on SQLite and PostgreSQL: `covernote claims notify|show|list|status|
reserve|pay|documents|receive|correspondence`; a refusal prints the message with each field and exits 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Cli = Callable[..., str]



def _policy(cli: Cli, tmp_path: Path) -> dict[str, str]:
    customer = json.loads(cli("customers", "create", "--name", "Dee Driver", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({
        "vehicle": {"registration": "LS19ABC", "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
                    "abi_group": 12, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": 110},
        "drivers": [{"name": "Dee Driver", "date_of_birth": "1980-01-01", "licence_held_since": "2000-01-01"}],
        "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key",
                            "cli-claims-bind", "--json"))
    return {"id": policy["id"], "number": policy["number"]}


def test_clm1_clm3_notify_from_the_command_line_refuses_a_theft_without_references(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    now = datetime.now(UTC).isoformat()
    out = cli("claims", "notify", p["number"], "--type", "theft", "--occurred-at", now, "--what", "the car",
              "--how", "taken from the drive overnight", "--not-injured", "--total-loss", code=2)
    assert "error: the claim cannot be notified" in out
    assert "crime_reference: is required for a theft claim" in out and "police_incident_number:" in out
    out = cli("claims", "notify", p["number"], "--type", "accident", "--occurred-at", now, "--what", "wing",
              "--how", "scraped a bollard", code=2)
    assert "anyone_injured: is required" in out
    out = cli("claims", "notify", p["number"], "--type", "accident", "--occurred-at", "last night", "--what", "x",
              "--how", "y", "--not-injured", code=2)
    assert "--occurred-at: use YYYY-MM-DDTHH:MM" in out
    assert cli("claims", "list") == "no claims\n"


def test_clm1_clm2_clm4_a_claim_from_notification_to_settlement_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    parties = tmp_path / "parties.json"
    parties.write_text(json.dumps([
        {"role": "third_party", "name": "Otto Other", "address": "8 Street, Leeds", "phone": "07700 900777",
         "vehicle_registration": "OT20 HER", "insurer": "Other Insurance", "policy_number": "OI-1"},
        {"role": "witness", "name": "Wes Witness", "phone": "07700 900778"}]))
    c = json.loads(cli("claims", "notify", p["id"], "--type", "accident", "--occurred-at",
                       datetime.now(UTC).isoformat(), "--what", "front bumper", "--how", "hit at a roundabout",
                       "--injured", "--injury-details", "Otto Other: bruised knee", "--location", "Leeds ring road",
                       "--parties-file", str(parties), "--json"))
    assert c["status"] == "notified" and c["policyholder"]["name"] == "Dee Driver"
    assert [x["role"] for x in c["parties"]] == ["third_party", "witness"]
    shown = cli("claims", "show", c["id"])
    assert "accident claim on policy" in shown and "third_party: Otto Other" in shown and "[OT20 HER" in shown
    assert "injured: yes (details held encrypted" in shown and "bruised knee" not in shown
    assert f"GET /claims/{c['id']}/injury-details" in shown  # issue 13, item 11: no CLI read as administrator
    assert c["id"] in cli("claims", "list", "--status", "notified", "--policy", p["number"])
    letter = json.loads(cli("claims", "correspondence", c["id"], "--direction", "in", "--channel", "letter",
                            "--summary", "asks for an update", "--json"))
    assert letter["clocks"][0]["rule"] == "claim.correspondence_reply"
    replied = cli("claims", "correspondence", c["id"], "--direction", "out", "--channel", "email", "--summary",
                  "update sent", "--answers", letter["id"])
    assert "met_on_time" in replied
    cli("claims", "reserve", c["id"], "1500.00", "--note", "first estimate")
    out = cli("claims", "status", c["id"], "settled", code=2)
    assert "error: a notified claim cannot become settled" in out and "status:" in out
    cli("claims", "status", c["id"], "under_assessment")
    cli("claims", "documents", c["id"], "repair invoice", "photos")
    cli("claims", "status", c["id"], "settlement_agreed", "--amount", "1320.75")
    cli("claims", "receive", c["id"], "photos")
    shown = cli("claims", "receive", c["id"], "repair invoice")
    assert "Pay an agreed settlement once the documents are in" in shown
    out = cli("claims", "pay", c["id"], "1320.7x", "--payee", "Dee Driver", "--idempotency-key", "cli-pay-1", code=2)
    assert "AMOUNT: pounds and pence" in out
    paid = json.loads(cli("claims", "pay", c["id"], "1320.75", "--payee", "Dee Driver", "--idempotency-key",
                          "cli-claim-pay-1", "--json"))
    assert paid["status"] == "settled" and paid["reserve"] == "0.00"
    assert "met_on_time" in json.dumps([d["state"] for d in paid["clocks"]])
    assert "problems: 0" in cli("ledger", "reconcile")  # exits 1 on a problem (PAY-5)

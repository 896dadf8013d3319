"""`covernote claims ...`: first notification of loss (CLM-1, CLM-3) and claim handling (CLM-2, CLM-4) from the
command line: notify, show, list, status, reserve, pay, documents, receive, correspondence. The same rules and
field names as the API; a refusal prints each field and reason and exits 2.

    covernote claims notify CN000000018 --type theft --occurred-at 2026-11-20T23:30 \\
        --what "the car" --how "taken from the drive overnight" --not-injured \\
        --crime-reference 14/123456/26 --police-incident-number 1234-20112026
    covernote claims status CLM_ID settlement_agreed --amount 5400.00
    covernote claims pay CLM_ID 5400.00 --payee "Ann Example" --idempotency-key pay-0001
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict

from covernote.claims import usecases as claims
from covernote.claims.domain import Notification, Party
from covernote.claims.results import ClaimSummary, ClaimView
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, parse_moment, read_json, show
from covernote.kernel.money import Money, MoneyError


class _PartyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    vehicle_registration: str | None = None
    insurer: str | None = None
    policy_number: str | None = None


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    return parse_moment(value, option, "use YYYY-MM-DDTHH:MM (UK time), or with an offset")


def _amount(value: str, option: str) -> Money:
    try:
        return Money.of(value)
    except MoneyError:
        fail(f"{value!r} is not an amount", [(option, "pounds and pence, e.g. 1250.00")])
        raise


def _claim_summary(c: ClaimView) -> str:
    lines = [f"{c['id']}  {c['claim_type_label']} claim on policy {c['policy_number']}: {c['status']}"
             + (" (total loss)" if c["total_loss"] else ""),
             f"  policyholder: {c['policyholder']['name']}, {c['policyholder']['address']} "
             f"{c['policyholder']['postcode']}",
             f"  occurred {c['occurred_at']}" + (f" at {c['location']}" if c["location"] else ""),
             f"  what: {c['loss_description']}", f"  how: {c['circumstances']}",
             f"  injured: {'yes' if c['anyone_injured'] else 'no'}"
             + (f" (details held encrypted; claims handlers read them: GET /claims/{c['id']}/injury-details)" if c["injury_details"] else "")]
    if c["crime_reference"]:
        lines.append(f"  crime reference: {c['crime_reference']}")
    if c["police_incident_number"]:
        lines.append(f"  police incident number: {c['police_incident_number']}")
    for p in c["parties"]:
        vehicle = " ".join(x for x in (p["vehicle_registration"], p["insurer"], p["policy_number"]) if x)
        lines.append(f"  {p['role']}: {', '.join(x for x in (p['name'], p['address'], p['phone']) if x)}"
                     + (f" [{vehicle}]" if vehicle else ""))
    money = f"  paid {c['paid']}" + (f", reserve {c['reserve']}" if "reserve" in c else "")
    if c["settlement_amount"]:
        money += f", settlement agreed {c['settlement_amount']}"
    lines.append(money)
    for d in c["documents"]:
        lines.append(f"  document {d['name']}: " + (f"received {d['received_at']}" if d["received"] else "awaited"))
    for k in c["clocks"]:
        lines.append(f"  clock {k['name']}: due {k['due_text']}, {k['state']}")
    lines.append(f"  next: {', '.join(c['next_statuses']) or 'final'}")
    return "\n".join(lines)


def _list_summary(rows: list[ClaimSummary]) -> str:
    if not rows:
        return "no claims"
    return "\n".join(f"{c['id']}  {c['status']:17} {c['policy_number']:14} {c['claim_type']:30} "
                     f"occurred {c['occurred_on']}  paid {c['paid']}" for c in rows)


def register(app: typer.Typer) -> None:
    """Add `covernote claims` and its commands."""
    claims_app = typer.Typer(help="Claims: first notification of loss, handling, reserves, payments, letters.",
                             no_args_is_help=True)
    app.add_typer(claims_app, name="claims")

    @claims_app.command("notify")
    @handles_errors
    def notify(policy_id: Annotated[str, typer.Argument(help="Policy id or number")],
               claim_type: Annotated[str, typer.Option("--type", help="accident, theft, fire, vandalism, "
                                                       "malicious_damage, windscreen_or_glass, ... or other")],
               occurred_at: Annotated[str, typer.Option(help="When it happened: YYYY-MM-DDTHH:MM, UK time")],
               what: Annotated[str, typer.Option(help="What was lost or damaged")],
               how: Annotated[str, typer.Option(help="How it happened")],
               injured: Annotated[bool | None, typer.Option("--injured/--not-injured",
                                                            help="Whether anyone was injured (say which)")] = None,
               injury_details: Annotated[str | None, typer.Option(help="Who was hurt and how")] = None,
               location: Annotated[str | None, typer.Option(help="Where it happened")] = None,
               crime_reference: Annotated[str | None, typer.Option(
                   help="Required for theft, malicious damage and vandalism")] = None,
               police_incident_number: Annotated[str | None, typer.Option(help="Required for theft")] = None,
               total_loss: Annotated[bool, typer.Option("--total-loss", help="The car is a total loss")] = False,
               parties_file: Annotated[Path | None, typer.Option(
                   help="JSON list of other people: role (third_party, witness, injured), name, address, phone, "
                        "vehicle_registration, insurer, policy_number")] = None,
               idempotency_key: Annotated[str | None, typer.Option(help="Makes a retry safe")] = None,
               as_json: JsonOpt = False) -> None:
        """First notification of loss (CLM-1, CLM-3)."""
        parties: list[_PartyFile] = read_json(parties_file, _PartyFile, "parties_file") if parties_file else []
        if not isinstance(parties, list):
            fail("the parties file must hold a JSON list", [("parties_file", "a list of people")])
        n = Notification(claim_type, _when(occurred_at, "--occurred-at"), what, how, injured, injury_details,
                         crime_reference, police_incident_number, location, total_loss,
                         tuple(Party(**p.model_dump()) for p in parties))
        show(claims.notify(context(), operator(), policy_id, n, idempotency_key), as_json, _claim_summary)

    @claims_app.command("show")
    @handles_errors
    def show_one(claim_id: str, as_json: JsonOpt = False) -> None:
        """The claim with every field, documents, correspondence, money and clocks."""
        show(claims.get_claim(context(), operator(), claim_id), as_json, _claim_summary)

    # No `claims injury-details` command: the command line acts as an administrator, and administrators read
    # no sensitive data (PRV-7; issue 13, item 11). Claims handlers and the DPO read them over REST.

    @claims_app.command("list")
    @handles_errors
    def list_all(status: Annotated[str | None, typer.Option(help="notified, under_assessment, settlement_agreed, "
                                                            "settled or closed")] = None,
                 policy: Annotated[str | None, typer.Option(help="A policy id or number")] = None,
                 limit: int = 50, offset: int = 0, as_json: JsonOpt = False) -> None:
        """Claims, newest first."""
        show(claims.list_claims(context(), operator(), status, policy, limit, offset), as_json, _list_summary)

    @claims_app.command("status")
    @handles_errors
    def status(claim_id: str, new_status: Annotated[str, typer.Argument(
                   metavar="STATUS", help="under_assessment, settlement_agreed, settled or closed")],
               amount: Annotated[str | None, typer.Option(help="settlement_agreed: the amount")] = None,
               reason: Annotated[str | None, typer.Option(help="closed: withdrawn, declined or no_payment")] = None,
               note: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
        """Move the claim on; closing stops its clocks."""
        show(claims.change_status(context(), operator(), claim_id, new_status, note=note, reason=reason,
                                  amount=None if amount is None else _amount(amount, "--amount")),
             as_json, _claim_summary)

    @claims_app.command("reserve")
    @handles_errors
    def reserve(claim_id: str, amount: str, note: Annotated[str | None, typer.Option()] = None,
                as_json: JsonOpt = False) -> None:
        """Set the outstanding reserve; the change is posted to the ledger."""
        show(claims.set_reserve(context(), operator(), claim_id, _amount(amount, "AMOUNT"), note), as_json,
             _claim_summary)

    @claims_app.command("pay")
    @handles_errors
    def pay(claim_id: str, amount: str, payee: Annotated[str, typer.Option(help="Who is paid")],
            idempotency_key: Annotated[str, typer.Option(help="Unique per payment: a retry does not pay twice")],
            reference: Annotated[str | None, typer.Option(help="The bank payment's reference")] = None,
            note: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
        """Record a payment: posted, off the reserve, meeting the 24-hour settlement payment clock."""
        show(claims.record_payment(context(), operator(), claim_id, _amount(amount, "AMOUNT"), payee,
                                   reference=reference, note=note, idempotency_key=idempotency_key),
             as_json, _claim_summary)

    @claims_app.command("documents")
    @handles_errors
    def documents(claim_id: str, names: Annotated[list[str], typer.Argument(help="Documents needed")],
                  as_json: JsonOpt = False) -> None:
        """Add documents the settlement needs to the checklist."""
        show(claims.request_documents(context(), operator(), claim_id, names), as_json, _claim_summary)

    @claims_app.command("receive")
    @handles_errors
    def receive(claim_id: str, name: str,
                received_at: Annotated[str | None, typer.Option(help="When it came in (default now)")] = None,
                as_json: JsonOpt = False) -> None:
        """Record a document on the checklist as received."""
        show(claims.receive_document(context(), operator(), claim_id, name, _when(received_at, "--received-at")),
             as_json, _claim_summary)

    @claims_app.command("correspondence")
    @handles_errors
    def correspondence(claim_id: str,
                       direction: Annotated[str, typer.Option(help="in or out")],
                       channel: Annotated[str, typer.Option(help="letter, email or phone")],
                       summary: Annotated[str, typer.Option(help="What it said")],
                       at: Annotated[str | None, typer.Option(help="When it was received (in) or sent (out)")] = None,
                       answers: Annotated[list[str] | None, typer.Option(
                           "--answers", help="Outbound: an inbound item this replies to (repeat)")] = None,
                       as_json: JsonOpt = False) -> None:
        """Record a letter, e-mail or call; an inbound letter or e-mail starts a five-working-day reply clock."""
        when = _when(at, "--at")
        out = claims.add_correspondence(context(), operator(), claim_id, direction=direction, channel=channel,
                                        summary=summary, received_at=when if direction == "in" else None,
                                        sent_at=when if direction != "in" else None, answers=answers or [])
        show(out, as_json, lambda d: f"{d['id']}  {d['direction']} {d['channel']} recorded" + "".join(
            f"\n  clock {c['name']}: due {c['due_text']}, {c['state']}" for c in d["clocks"]))

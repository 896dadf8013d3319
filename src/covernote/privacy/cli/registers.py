"""`covernote privacy ...`: Legal holds, fraud markers, the disclosure register and the breach register (PRV-6, PRV-8).

    covernote privacy holds list|set|release
    covernote privacy fraud-markers list|add|remove
    covernote privacy disclosures list|record|withhold
    covernote privacy breaches list|show|record|assess|report-ico|notify|close

Times given without a zone are read as UK time (Europe/London)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, parse_date, parse_moment, show
from covernote.kernel.clock import LONDON
from covernote.privacy.usecases import breaches, disclosures, registers
from covernote.privacy.usecases.results_registers import (
    BreachDetail,
    BreachView,
    DisclosureView,
    HoldView,
    MarkerView,
)


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    moment = parse_moment(text, option, "use ISO 8601, e.g. 2026-03-28T23:30 or 2026-03-28T23:30:00Z")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LONDON)



def _hold_line(h: HoldView) -> str:
    state = "active" if h["active"] else f"released {h['released_at']}"
    due = "  DUE FOR REVIEW" if h["due_for_review"] else ""
    return f"{h['id']}  {h['scope']} {h['scope_id']}  customer {h['customer_id']}  review {h['review_on']}  {state}{due}"


def _breach_line(b: BreachView) -> str:
    report = (f"reported {b['ico_reported_at']} ({b['ico_reference']})" if b["ico_reported_at"]
              else "no report needed" if b["ico_report_required"] is False
              else f"ICO due {b['ico_due_at']} ({b['hours_left']} h left)")
    flag = "  OVERDUE" if b["overdue"] else ""
    state = f"CLOSED {b['closed_at']}" if b["closed"] else "open"
    return (f"{b['id']}  {b['title']}  {state}  risk {b['risk']}  {report}{flag}  affected {b['affected_count']}"
            f"  told {b['notified_count']}  still to tell {b['still_to_tell']}")


def _breach_summary(b: BreachDetail) -> str:
    lines = [_breach_line(b), f"  aware {b['aware_at']}  categories {', '.join(b['categories'])}"]
    if b["closed"]:
        lines.append(f"  closed by {b['closed_by']}: {b['closure_note']}")
    for a in b.get("affected", []):
        told = f"told {a['notified_at']} by {a['notified_channel']}" if a["notified_at"] else "not told"
        lines.append(f"  {a['customer_id']}  {told}  via {', '.join(a['found_via'])}")
    for u in b["scope"].get("unmapped", []):
        lines.append(f"  check by hand: {u['field']} ({u['reason']})")
    return "\n".join(lines)


def register(privacy_app: typer.Typer) -> None:
    """Add this area's commands to `covernote privacy`."""
    holds_app = typer.Typer(help="Legal holds: keep a customer, policy or claim from erasure and retention.",
                            no_args_is_help=True)
    markers_app = typer.Typer(help="Fraud markers (S1 section 10).", no_args_is_help=True)
    disclosures_app = typer.Typer(help="The disclosure register (PRV-6).", no_args_is_help=True)
    breaches_app = typer.Typer(help="The breach register (PRV-8).", no_args_is_help=True)
    privacy_app.add_typer(holds_app, name="holds")
    privacy_app.add_typer(markers_app, name="fraud-markers")
    privacy_app.add_typer(disclosures_app, name="disclosures")
    privacy_app.add_typer(breaches_app, name="breaches")

    # -- holds ---------------------------------------------------------------------------------------

    @holds_app.command("list")
    @handles_errors
    def holds_list(all_holds: Annotated[bool, typer.Option("--all", help="Released holds too")] = False,
                   due: Annotated[bool, typer.Option("--due", help="Only those due for review")] = False,
                   customer: Annotated[str | None, typer.Option(help="Only this customer's")] = None,
                   as_json: JsonOpt = False) -> None:
        """The holds report: active holds, soonest review first."""
        data = registers.list_holds(context(), operator(), active=not all_holds, due_for_review=due,
                                    customer_id=customer, limit=1000)
        show(data, as_json, lambda d: "\n".join(
            [f"{d['count']} hold(s), {d['due_for_review']} due for review on {d['as_of']}"]
            + [_hold_line(h) for h in d["holds"]]))

    @holds_app.command("set")
    @handles_errors
    def holds_set(scope: Annotated[str, typer.Option(help="customer, policy or claim")],
                  scope_id: Annotated[str, typer.Option("--id", help="Customer id, policy id or number, claim reference")],
                  reason: Annotated[str, typer.Option(help="The legal matter")],
                  review_on: Annotated[str, typer.Option(help="Review date, YYYY-MM-DD, after today")],
                  as_json: JsonOpt = False) -> None:
        data = registers.set_hold(context(), operator(), scope=scope, scope_id=scope_id, reason=reason,
                                  review_on=parse_date(review_on, "--review-on"))
        show(data, as_json, _hold_line)

    @holds_app.command("release")
    @handles_errors
    def holds_release(hold_id: str, reason: Annotated[str, typer.Option(help="Why the hold ends")],
                      as_json: JsonOpt = False) -> None:
        data = registers.release_hold(context(), operator(), hold_id, reason)
        show(data, as_json, _hold_line)

    # -- fraud markers -------------------------------------------------------------------------------

    def _marker_line(m: MarkerView) -> str:
        state = "active" if m["active"] else f"removed {m['removed_at']} ({m['removal_reason']})"
        return f"{m['id']}  {m['source']}  {m['reference'] or '-'}  {m['recorded_at']}  {state}  {m['reason']}"

    @markers_app.command("list")
    @handles_errors
    def markers_list(customer_id: str, all_markers: Annotated[bool, typer.Option("--all")] = False,
                     as_json: JsonOpt = False) -> None:
        data = registers.list_markers(context(), operator(), customer_id, not all_markers)
        show(data, as_json, lambda d: "\n".join(_marker_line(m) for m in d["markers"]) or "no fraud markers")

    @markers_app.command("add")
    @handles_errors
    def markers_add(customer_id: str, reason: Annotated[str, typer.Option()],
                    source: Annotated[str, typer.Option()] = "staff", reference: str | None = None,
                    policy: str | None = None, as_json: JsonOpt = False) -> None:
        data = registers.record_marker(context(), operator(), customer_id, reason=reason, source=source,
                                       reference=reference, policy_id=policy)
        show(data, as_json, _marker_line)

    @markers_app.command("remove")
    @handles_errors
    def markers_remove(customer_id: str, marker_id: str, reason: Annotated[str, typer.Option()],
                       as_json: JsonOpt = False) -> None:
        data = registers.remove_marker(context(), operator(), customer_id, marker_id, reason)
        show(data, as_json, _marker_line)

    # -- disclosures ---------------------------------------------------------------------------------

    def _disclosure_line(d: DisclosureView) -> str:
        withheld = f"  WITHHELD FROM THE PERSON: {d['withheld_reason']}" if d.get("withheld_from_subject") else ""
        return (f"{d['disclosed_at']}  {d['recipient']} ({d['recipient_kind']})  {d['purpose']}/{d['lawful_basis']}"
                f"  {', '.join(d['categories'])}  ref {d['reference'] or '-'}  via {d['via']}{withheld}")

    @disclosures_app.command("list")
    @handles_errors
    def disclosures_list(customer_id: str, as_json: JsonOpt = False) -> None:
        data = disclosures.list_disclosures(context(), operator(), customer_id)
        show(data, as_json, lambda d: "\n".join(
            [_disclosure_line(x) for x in d["disclosures"]] + ["who must be told of a correction or erasure:"]
            + [f"  {r['recipient']} ({r['recipient_kind']}), last {r['last_disclosed_at']}" for r in d["recipients"]]))

    @disclosures_app.command("record")
    @handles_errors
    def disclosures_record(customer_id: str, recipient: Annotated[str, typer.Option()],
                           kind: Annotated[str, typer.Option("--kind", help="police, reinsurer, broker...")],
                           purpose: Annotated[str, typer.Option(help="A purpose code of the data map")],
                           category: Annotated[list[str], typer.Option(help="Repeat for each category sent")],
                           reference: str | None = None, policy: str | None = None,
                           at: Annotated[str | None, typer.Option(help="When it was sent (default now)")] = None,
                           withhold: Annotated[bool, typer.Option(
                               "--withhold", help="Keep it from the person (DPA 2018 Sch. 2 para 2): police, "
                                                  "law_enforcement, fraud_agency or regulator only")] = False,
                           withheld_reason: Annotated[str | None, typer.Option(
                               help="Required with --withhold: why telling the person would prejudice the "
                                    "prevention or detection of crime")] = None,
                           as_json: JsonOpt = False) -> None:
        data = disclosures.record_manual_disclosure(
            context(), operator(), customer_id, recipient=recipient, recipient_kind=kind, purpose=purpose,
            categories=category, reference=reference, policy_id=policy, disclosed_at=_when(at, "--at"),
            withhold=withhold, withheld_reason=withheld_reason)
        show(data, as_json, _disclosure_line)

    @disclosures_app.command("withhold")
    @handles_errors
    def disclosures_withhold(disclosure_id: str,
                             reason: Annotated[str | None, typer.Option(
                                 help="Why telling the person would prejudice the prevention or detection of "
                                      "crime (required unless --release)")] = None,
                             release: Annotated[bool, typer.Option(
                                 "--release", help="Show the disclosure to the person again")] = False,
                             as_json: JsonOpt = False) -> None:
        """Withhold one disclosure from the person, case by case, with the reason (DPA 2018 Sch. 2 para 2),
        or show it again with --release."""
        data = disclosures.set_withheld(context(), operator(), disclosure_id, withhold=not release, reason=reason)
        show(data, as_json, _disclosure_line)

    # -- breaches ------------------------------------------------------------------------------------

    @breaches_app.command("list")
    @handles_errors
    def breaches_list(open_only: Annotated[bool, typer.Option("--open", help="Only open breaches")] = False,
                      closed_only: Annotated[bool, typer.Option("--closed", help="Only closed breaches")] = False,
                      as_json: JsonOpt = False) -> None:
        if open_only and closed_only:
            fail("choose one", [("--open/--closed", "give one of them, or neither for every breach")])
        closed = True if closed_only else False if open_only else None
        data = breaches.list_breaches(context(), operator(), limit=1000, closed=closed)
        show(data, as_json, lambda d: "\n".join(
            [f"{d['count']} breach(es), {d['open']} open, {d['overdue']} overdue"]
            + [_breach_line(b) for b in d["breaches"]]))

    @breaches_app.command("show")
    @handles_errors
    def breaches_show(breach_id: str, as_json: JsonOpt = False) -> None:
        show(breaches.get_breach(context(), operator(), breach_id), as_json, _breach_summary)

    @breaches_app.command("record")
    @handles_errors
    def breaches_record(title: Annotated[str, typer.Option(help="What happened, without naming people")],
                        description: Annotated[str, typer.Option()],
                        aware_at: Annotated[str, typer.Option(help="When it became known (the 72 hours start)")],
                        category: Annotated[list[str], typer.Option(help="Repeat for each category involved")],
                        occurred_at: str | None = None,
                        product: Annotated[list[str] | None, typer.Option(help="Only people with this product")] = None,
                        customer: Annotated[list[str] | None, typer.Option(help="Only this customer")] = None,
                        created_from: Annotated[str | None, typer.Option(help="Records written from")] = None,
                        created_to: Annotated[str | None, typer.Option(help="Records written before")] = None,
                        as_json: JsonOpt = False) -> None:
        """Record a breach; the people affected are found from the data map."""
        aware = _when(aware_at, "--aware-at")
        assert aware is not None
        data = breaches.record_breach(
            context(), operator(), title=title, description=description, aware_at=aware, categories=category,
            occurred_at=_when(occurred_at, "--occurred-at"), product_codes=product or [],
            customer_ids=customer or [], created_from=_when(created_from, "--created-from"),
            created_to=_when(created_to, "--created-to"))
        show(data, as_json, _breach_summary)

    @breaches_app.command("assess")
    @handles_errors
    def breaches_assess(breach_id: str, risk: Annotated[str, typer.Option(help="unlikely, risk or high")],
                        reason: str | None = None, as_json: JsonOpt = False) -> None:
        show(breaches.assess_breach(context(), operator(), breach_id, risk=risk, reason=reason), as_json, _breach_line)

    @breaches_app.command("report-ico")
    @handles_errors
    def breaches_report(breach_id: str, reference: Annotated[str, typer.Option(help="The ICO's reference")],
                        at: Annotated[str | None, typer.Option(help="When it was reported (default now)")] = None,
                        as_json: JsonOpt = False) -> None:
        data = breaches.report_to_ico(context(), operator(), breach_id, reference=reference,
                                      reported_at=_when(at, "--at"))
        show(data, as_json, _breach_line)

    @breaches_app.command("notify")
    @handles_errors
    def breaches_notify(breach_id: str, channel: Annotated[str, typer.Option(help="email, post, phone, sms...")],
                        customer: Annotated[list[str] | None, typer.Option(help="Only this person (repeat)")] = None,
                        at: Annotated[str | None, typer.Option(help="When they were told (default now)")] = None,
                        as_json: JsonOpt = False) -> None:
        """Record that the people affected (all, or those named with --customer) were told."""
        data = breaches.record_notifications(context(), operator(), breach_id, channel=channel,
                                             customer_ids=customer or None, notified_at=_when(at, "--at"))
        show(data, as_json, lambda d: f"{d['newly_notified']} newly told, {d['already_notified']} already told\n"
                                      + _breach_line(d["breach"]))

    @breaches_app.command("close")
    @handles_errors
    def breaches_close(breach_id: str,
                       note: Annotated[str, typer.Option(help="The closing summary: what was done, without names")],
                       as_json: JsonOpt = False) -> None:
        """Close a breach once the report and notifications its risk decision calls for are recorded."""
        show(breaches.close_breach(context(), operator(), breach_id, note=note), as_json, _breach_summary)

"""`covernote billing commission disclose` and `covernote billing report commission` (PAY-7): the
commission a customer's policies earn, as the disclosure S3 promises on request (printed, or issued as a
stored letter), and the commission report per policy transaction as CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from covernote.billing.results import CommissionDisclosure, CommissionReport
from covernote.billing.usecases import commission
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, format_or_json, handles_errors, parse_date, show


def disclosure_summary(d: CommissionDisclosure) -> str:
    lines = [f"Commission earned from {d['customer_name']} ({d['customer_id']}), as at {d['as_at']}"]
    for p in d["policies"]:
        lines.append(f"  {p['number']}  {p['product_name']} ({p['product']}), insured by {p['insurer']}")
        core = (f"{p['core_percent']}% of {p['core_premium']}" if p["core_percent"] is not None
                else "none (sold direct)")
        lines.append(f"    core premium:         {core} = {p['core_earned']}")
        for x in p["extras"]:
            how = f"{x['percent']}% of {x['premium']}" if x["percent"] is not None else x["premium"]
            fee = f" + {x['per_sale']} per sale" if x["per_sale"] != "0.00" else ""
            lines.append(f"    {x['name'][:21] + ':':22}{how}{fee} = {x['earned']}")
        lines.append(f"    finance introduction: {p['finance_introduction']}")
        lines.append(f"    total:                {p['total']}")
    if not d["policies"]:
        lines.append("  no policies")
    lines.append(f"  total commission: {d['total']}")
    return "\n".join(lines)


def report_summary(r: CommissionReport) -> str:
    lines = [f"Commission booked {r['start']} to {r['end']} (to exclusive)",
             f"  {'posted':10} {'policy':12} {'kind':12} {'premium':>10} {'core':>8} {'extras':>8} {'finance':>8} "
             f"{'total':>8}"]
    for x in r["rows"]:
        lines.append(f"  {x['posted_on']:10} {x['policy_number']:12} {x['transaction_kind'] or '-':12} "
                     f"{x['premium']:>10} {x['core_commission']:>8} {x['extras_commission']:>8} "
                     f"{x['finance_commission']:>8} {x['total_commission']:>8}")
    t = r["totals"]
    lines.append(f"  {'total':36} {t['premium']:>10} {t['core_commission']:>8} {t['extras_commission']:>8} "
                 f"{t['finance_commission']:>8} {t['total_commission']:>8}")
    return "\n".join(lines)


def register(billing_app: typer.Typer, report_app: typer.Typer) -> None:
    """Add `covernote billing commission ...` and `covernote billing report commission`."""
    commission_app = typer.Typer(help="Commission (PAY-7): what a customer's policies earn, disclosed on request.",
                                 no_args_is_help=True)
    billing_app.add_typer(commission_app, name="commission")

    @commission_app.command("disclose")
    @handles_errors
    def disclose(
        customer: Annotated[str | None, typer.Option(help="The customer's id")] = None,
        policy: Annotated[str | None, typer.Option(help="A policy's id or number: its customer's disclosure")] = None,
        letter: Annotated[bool, typer.Option("--letter", help="Issue it as a stored letter filed with --policy")] = False,
        fmt: Annotated[str, typer.Option("--format", help="table, json or text (the letter's words)")] = "table",
        as_json: JsonOpt = False,
    ) -> None:
        """The commission earned on each of the customer's policies: core premium, extras (percentage and
        per-sale fees) and finance introduction."""
        fmt = format_or_json(fmt, as_json, "table")
        if fmt not in ("table", "json", "text"):
            fail("unknown format", [("--format", "use table, json or text")])
        if (customer is None) == (policy is None):
            fail("say whose disclosure", [("--customer", "give --customer or --policy, not both")])
        if letter and policy is None:
            fail("the letter is filed with a policy", [("--policy", "is required with --letter")])
        ctx, who = context(), operator()
        if letter and policy is not None:
            doc = commission.disclosure_letter(ctx, who, policy)
            show(doc, fmt == "json", lambda d: f"issued {d['id']}: {d['title']} (policy {d['policy_id']}, "
                                                f"formats {', '.join(f['format'] for f in d['formats'])})")
            return
        data = (commission.policy_disclosure(ctx, who, policy) if policy is not None
                else commission.commission_disclosure(ctx, who, str(customer)))
        if fmt == "text":
            about = policy or (data["policies"][0]["policy_id"] if data["policies"] else None)
            brand, fscs = commission.letterhead_of(ctx, who, about) if about else ("", None)
            typer.echo(commission.letter_text(data, brand, fscs), nl=False)
            return
        show(data, fmt == "json", disclosure_summary)

    @report_app.command("commission")
    @handles_errors
    def report(
        start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
        end: Annotated[str, typer.Option("--to", help="Day after the last, YYYY-MM-DD")],
        fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "csv",
        output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Per policy transaction: premium written and commission booked (core, extras, finance) on the days
        [from, to), as CSV by default."""
        fmt = format_or_json(fmt, as_json, "csv")
        if fmt not in ("table", "json", "csv"):
            fail("unknown format", [("--format", "use table, json or csv")])
        data = commission.commission_report(context(), operator(), parse_date(start, "--from"), parse_date(end, "--to"))
        text = (commission.commission_csv(data) if fmt == "csv" else json.dumps(data, indent=2) + "\n"
                if fmt == "json" else report_summary(data) + "\n")
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {output}")

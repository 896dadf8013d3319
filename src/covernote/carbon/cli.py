"""`covernote carbon ...`: carbon offsetting for eco policies (ECO-1): a policy's offsets, the customer's
yearly statement (JSON or printable HTML) and the insurer's portfolio report (JSON or CSV)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.carbon.usecases import offsets as carbon
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, parse_date, show, write_out


def _offsets_summary(data: dict[str, Any]) -> str:
    lines = [f"{data['number']} ({data['product_code']})"]
    now = data["current"]
    if now:
        flag = " (estimated g/km)" if now["estimated"] else ""
        lines.append(f"  car on cover: {now['gkm']} g/km{flag} x {now['annual_mileage']:,} miles a year = "
                     f"{now['estimated_annual_co2_tonnes']} t CO2 a year; offset {now['annual_offset_tonnes']} t a year")
    for y in data["years"]:
        lines.append(f"  policy year {y['policy_year']} ({y['from']} to {y['to']}): {y['offset_tonnes']} t offset, "
                     f"cost {y['cost']}{' (estimated)' if y['estimated'] else ''}")
        lines += [f"    {r['effective_date']}  {r['kind']:10} {r['tonnes']:>9} t  {r['cost']:>8}" for r in y["records"]]
    return "\n".join(lines)


def _statement_summary(s: dict[str, Any]) -> str:
    lines = [f"Carbon offset statement: policy {s['number']}, policy year {s['policy_year']} ({s['from']} to {s['to']})",
             f"  offset {s['offset_tonnes']} t CO2, cost {s['cost']}{' (estimated)' if s['estimated'] else ''}"]
    lines += [f"  {p['code']:10} {p['name']} ({p['country']}), {p['share_percent']}%: {p['tonnes']} t, {p['cost']}"
              for p in s["projects"]]
    for st in (s["figures"] or {}).get("stretches", []):
        lines.append(f"  {st['from']} to {st['to']}: {st['vehicle']['registration']} {st['working']}"
                     f"{' (estimate: ' + st['estimate_basis'] + ')' if st['estimated'] else ''}")
    lines += [f"  note: {n}" for n in s["notes"]]
    return "\n".join(lines)


def _portfolio_summary(r: dict[str, Any]) -> str:
    t = r["totals"]
    lines = [f"Carbon offsets recorded from {r['from']} up to {r['to']}: {t['tonnes']} t, cost {t['cost']} "
             f"{r['currency']}; {t['policies']} policies, {t['policy_years']} policy years, "
             f"{t['estimated_policy_years']} estimated"]
    lines += [f"  {p['code']:10} {p['name']} ({p['country']}): {p['tonnes']} t, {p['cost']}, {p['policies']} policies"
              for p in r["projects"]]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `covernote carbon` and its commands."""
    carbon_app = typer.Typer(help="Carbon offsetting for eco policies (ECO-1).", no_args_is_help=True)
    app.add_typer(carbon_app, name="carbon")

    @carbon_app.command("policy")
    @handles_errors
    def policy(policy_id: Annotated[str, typer.Argument(help="Policy id or number")], as_json: JsonOpt = False) -> None:
        """A policy's carbon offset: the car on cover now and every purchase and change, year by year."""
        show(carbon.policy_offsets(context(), operator(), policy_id), as_json, _offsets_summary)

    @carbon_app.command("statement")
    @handles_errors
    def statement(policy_id: Annotated[str, typer.Argument(help="Policy id or number")],
                  year: Annotated[int | None, typer.Option(help="Policy year number (1 = the first); default the "
                                                                "latest that has begun")] = None,
                  fmt: Annotated[str, typer.Option("--format", help="text, json or html")] = "text",
                  output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
                  as_json: JsonOpt = False) -> None:
        """The customer's yearly carbon statement: tonnes per project, the inputs, the estimate flag."""
        if fmt not in ("text", "json", "html"):
            fail("unknown format", [("--format", "use text, json or html")])
        s = carbon.statement(context(), operator(), policy_id, year)
        if fmt == "html":
            write_out(carbon.statement_html(s), output)
        elif fmt == "json" or as_json or output is not None:
            write_out(json.dumps(s, indent=2) + "\n", output)
        else:
            show(s, False, _statement_summary)

    @carbon_app.command("portfolio")
    @handles_errors
    def portfolio(start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
                  end: Annotated[str, typer.Option("--to", help="The day after the last, YYYY-MM-DD")],
                  fmt: Annotated[str, typer.Option("--format", help="text, json or csv")] = "text",
                  output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
                  as_json: JsonOpt = False) -> None:
        """The insurer's report of offsets recorded in a period: tonnes, cost and policies per project."""
        if fmt not in ("text", "json", "csv"):
            fail("unknown format", [("--format", "use text, json or csv")])
        report = carbon.portfolio(context(), operator(), parse_date(start, "--from"), parse_date(end, "--to"))
        if fmt == "csv":
            write_out(carbon.portfolio_csv(report), output)
        elif fmt == "json" or as_json or output is not None:
            write_out(json.dumps(report, indent=2) + "\n", output)
        else:
            show(report, False, _portfolio_summary)

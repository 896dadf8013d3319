"""`covernote extras`: the optional extras a product offers, and the Consumer Duty fair-value report per
extra (ADD-1, PAY-7). Choosing extras is part of `quote create --extra`, `policy adjust --add-extra /
--remove-extra` and `policy confirm-renewal --extras`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.extras.results import FairValueReport
from covernote.extras.usecases import fair_value_csv, fair_value_report
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, format_or_json, handles_errors, parse_date, show


def _offer_summary(product: dict[str, Any]) -> str:
    lines = [f"{product['ref']}  {product['name']}"]
    for e in product["extras"]:
        prices = ", ".join(f"{k} {v}" for k, v in e["prices_by_term"].items())
        lines.append(f"  {e['code']:16} {e['name']:32} {e['annual_price']:>8} a year{'; ' + prices if prices else ''}"
                     f"  IPT {e['ipt']}  commission {e['commission_percent']}%"
                     + (f" + {e['commission_per_sale']} per sale" if e["commission_per_sale"] != "0.00" else ""))
        lines.append(f"  {'':16} provided by {e['provider']}, insured by {e['insurer']}")
        if e["ncd_protection"]:
            rule = e["ncd_protection"]
            lines.append(f"  {'':16} for {rule['min_years']}+ years of NCD and at most {rule['max_claims']} claims in "
                         f"{rule['window_years']} years; new business or renewal only (NCD-3)")
    if not product["extras"]:
        lines.append("  no optional extras")
    return "\n".join(lines)


def _report_summary(r: FairValueReport) -> str:
    lines = [f"Fair value of optional extras, {r['from']} to {r['to']} (to exclusive)"
             + (f", product {r['product']}" if r["product"] else "")]
    lines.append(f"  {'product':13} {'extra':16} {'policies':>8} {'sales':>5} {'premium':>10} {'IPT':>8} "
                 f"{'commission':>10} {'comm %':>6} {'claims':>6} {'paid':>6}")
    for x in r["rows"]:
        lines.append(f"  {x['product_code']:13} {x['extra_code']:16} {x['policies_on_cover']:>8} {x['sales']:>5} "
                     f"{x['premium_written']:>10} {x['ipt']:>8} {x['commission']:>10} "
                     f"{x['commission_percent_of_premium'] or '-':>6} {x['claims_recorded']:>6} {x['claims_paid']:>6}")
    lines += [f"  note: {n}" for n in r["notes"]]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `covernote extras ...`."""
    extras_app = typer.Typer(help="Optional extras: what products offer, and the fair-value report.",
                             no_args_is_help=True)
    app.add_typer(extras_app, name="extras")

    @extras_app.command("list")
    @handles_errors
    def extras_list(product: Annotated[str, typer.Argument(help="Product code, e.g. ECO")],
                    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
                    as_json: JsonOpt = False) -> None:
        """The product's optional extras: provider, insurer, prices, IPT, commission and documents."""
        from covernote.products.usecases import get_product

        ctx = context()
        data = get_product(ctx, product, parse_date(on, "on") if on else None)
        if as_json:
            show(data["extras"], True)
        else:
            show(data, False, _offer_summary)

    @extras_app.command("fair-value")
    @handles_errors
    def extras_fair_value(
        start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
        end: Annotated[str, typer.Option("--to", help="Day after the last, YYYY-MM-DD")],
        product: Annotated[str | None, typer.Option(help="One product code; default every product")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
        output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Per extra: policies, sales, premium written net of refunds, IPT, commission and claims
        (Consumer Duty fair-value evidence)."""
        fmt = format_or_json(fmt, as_json, "table")
        if fmt not in ("table", "json", "csv"):
            fail("unknown format", [("--format", "use table, json or csv")])
        report = fair_value_report(context(), operator(), product, parse_date(start, "--from"), parse_date(end, "--to"))
        text = (fair_value_csv(report) if fmt == "csv" else json.dumps(report, indent=2) + "\n" if fmt == "json"
                else _report_summary(report) + "\n")
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {output}")

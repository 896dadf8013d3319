"""`covernote telematics review ...`: the 90-day premium review (TEL-4): run the daily step now, list a policy's
reviews. Mounted by cli/main.py on the telematics group: `telematics_app.add_typer(rerating.app, name="review")`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, parse_optional_date, show
from covernote.telematics.ports.rerating import PeriodScores
from covernote.telematics.usecases import rerating

app = typer.Typer(help="The 90-day premium review of Smartbox policies (TEL-4).", no_args_is_help=True)


def scores_source() -> PeriodScores | None:
    """Where the period scores come from: None, the stored day scores (`usecases/wiring.StoredPeriodScores`)."""
    return None


def _line(v: dict[str, Any]) -> str:
    if v["status"] == "no_score":
        return f"  {v['policy_id']}  {v['review_on']}  no change: {v.get('reason', '')}"
    return (f"  {v['policy_id']}  {v['review_on']}  score {v.get('score')} (was {v.get('previous_score')})  "
            f"loading {v.get('loading_before'):+}% -> {v.get('loading_after'):+}%"
            f"{' (capped)' if v.get('capped') else ''}  premium {v.get('premium')}  IPT {v.get('ipt')}")


@app.command("run")
@handles_errors
def run(as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD, default today")] = None,
        as_json: JsonOpt = False) -> None:
    """The daily review step now: every Smartbox policy whose review date has come without a review is reviewed.
    Safe to rerun. Exit 1 if a review failed."""
    out = rerating.reviews_due(context(), operator(), parse_optional_date(as_of, "as_of"), scores_source())
    show(out, as_json, lambda d: "\n".join(
        [f"telematics reviews for {d['as_of']}: {len(d['reviewed'])} reviewed, {len(d['no_score'])} without a "
         f"score, {len(d['failed'])} failed"]
        + [_line(dict(v)) for v in [*d["reviewed"], *d["no_score"]]]
        + [f"  FAILED {f['policy_id']} {f['review_on']}: {f['reason']}" for f in d["failed"]]))
    if out["failed"]:
        raise typer.Exit(1)


@app.command("list")
@handles_errors
def list_reviews(policy: Annotated[str, typer.Argument(help="The policy's id or number")],
                 as_json: JsonOpt = False) -> None:
    """A policy's reviews of its current term and the review dates to come."""
    out = rerating.list_reviews(context(), operator(), policy)
    show(out, as_json, lambda d: "\n".join(
        [f"policy {d['policy_id']}: {len(d['reviews'])} reviews; next: {', '.join(d['upcoming']) or 'none'}"]
        + [_line(dict(v)) for v in d["reviews"]]))

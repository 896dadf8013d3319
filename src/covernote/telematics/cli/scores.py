"""`covernote telematics score ...` (TEL-3, TEL-10): run the scoring of pending device-days, show a policy's
score and periods, replay a stored day with its recorded versions."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, parse_date, parse_optional_date, show
from covernote.interfaces.progress import terminal_progress
from covernote.telematics.api.scores import settings_sources
from covernote.telematics.usecases import scores

scores.use_default_sources(settings_sources)

score_app = typer.Typer(help="Driving scores: run, show, replay (TEL-3, TEL-10).", no_args_is_help=True)


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _period_line(p: dict[str, Any]) -> str:
    return (f"  {p['start']} to {p['end']}: score {_fmt(p['score'])} (speed {_fmt(p['speed'])}, time of day "
            f"{_fmt(p['time_of_day'])}, eco {_fmt(p['eco'])}, duration {_fmt(p['duration'])}); "
            f"{p['journeys']} journey(s), {p['distance_km']:.1f} km; events: "
            + (", ".join(f"{k} {n}" for k, n in p["event_counts"].items() if n) or "none"))


def _policy_summary(data: dict[str, Any]) -> str:
    cur = data["current"]
    head = f"Policy {data['number']}: " + (f"current score {_fmt(cur['score'])}" if cur else "no current period")
    return "\n".join([head] + [_period_line(p) for p in data["periods"]])


def _run_summary(r: dict[str, Any]) -> str:
    lines = [f"Scoring up to {r['as_of']}: {r['device_days']} device-day(s); {r['scored']} scored, "
             f"{r['unchanged']} unchanged, {r['unassigned']} on no policy, {len(r['failed'])} failed"]
    return "\n".join(lines + [f"  FAILED {k}: {v}" for k, v in sorted(r["failed"].items())])


def _replay_summary(r: dict[str, Any]) -> str:
    v = r["versions"]
    said = "matches" if r["matches"] else f"does NOT match: {r['reason']}"
    return (f"Device {r['device_id']} on {r['day']} (ruleset {v['ruleset']}, map {v['map_version'][:12]}, "
            f"code {v['code_version']}): replay {said}; stored {_fmt(r['stored_score'])}, "
            f"replayed {_fmt(r['replayed_score'])}")


@score_app.command("run")
@handles_errors
def run(as_of: Annotated[str | None, typer.Option("--as-of", help="Score device-days up to this UK day "
                                                                  "(default today)")] = None,
        as_json: JsonOpt = False) -> None:
    """Score every device-day whose positions are new or changed since scored."""
    day = parse_optional_date(as_of, "--as-of")
    with terminal_progress() as progress:
        out = scores.score_pending(context(), operator(), day, progress=progress)
    show(out, as_json, _run_summary)
    if out["failed"]:
        raise typer.Exit(1)


@score_app.command("show")
@handles_errors
def show_policy(policy: Annotated[str, typer.Argument(help="Policy id or number")], as_json: JsonOpt = False) -> None:
    """The policy's current 90-day score and each period begun so far."""
    show(scores.policy_score(context(), operator(), policy), as_json, _policy_summary)


@score_app.command("replay")
@handles_errors
def replay(device: Annotated[str, typer.Argument(help="The Smartbox's IMEI")],
           day: Annotated[str, typer.Argument(help="The UK day, e.g. 2026-06-10")], as_json: JsonOpt = False) -> None:
    """Score a stored day again with its recorded versions and say whether it matches (TEL-10)."""
    out = scores.replay_day(context(), operator(), device, parse_date(day, "DAY"))
    show(out, as_json, _replay_summary)
    if not out["matches"]:
        raise typer.Exit(1)


def register(parent: typer.Typer) -> None:
    """Add `score` and its commands to `covernote telematics`."""
    parent.add_typer(score_app, name="score")


# `covernote telematics` while no other part of the context has made the group (the integrator may merge them).
telematics_app = typer.Typer(help="Telematics: the Smartbox's driving scores.", no_args_is_help=True)
register(telematics_app)

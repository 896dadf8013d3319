"""`covernote ncd ...`: proof of no-claims discount (NCD-1) and the NCD proof letter; and
`covernote policy incident` to record a claim with its type (NCD-2).

    covernote ncd proof add --quote ID | --policy ID --kind ... --insurer ... [--years N --ended-on D
                            --registration R --country UK --issued-on D --previous-policy-number P]
        (exit 0: accepted; 1: recorded but rejected, the failed conditions on stderr; 2: bad input)
    covernote ncd proof show|list|decide
    covernote ncd status --quote ID | --policy ID
    covernote ncd reviews
    covernote ncd letter POLICY [--format text|json|html] [--output FILE]
    covernote policy incident POLICY --kind claim --occurred-on D --claim-type windscreen_or_glass
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import (
    JsonOpt,
    context,
    fail,
    format_or_json,
    handles_errors,
    parse_optional_date,
    show,
    write_out,
)
from covernote.ncd import usecases as ncd


def _proof_summary(p: dict[str, Any]) -> str:
    on = f"quote {p['quote_id']}" if p["quote_id"] else f"policy {p['policy_id']}"
    lines = [f"{p['id']}  {p['status'].upper()}  {p['kind']} from {p['insurer']} for {on}",
             f"  shows {p['ncd_years'] if p['ncd_years'] is not None else '-'} years, ended {p['ended_on'] or '-'}, "
             f"registration {p['registration'] or '-'}, earned in {p['country'] or '-'}, issued {p['issued_on'] or '-'}"]
    lines += [f"  {'ok  ' if c['passed'] else 'FAIL'} {c['field']}: {c['reason']}" for c in p["conditions"]]
    if p["decision_note"]:
        lines.append(f"  decided by {p['decided_by']}: {p['decision_note']}")
    for line in (p["effect"] or {}).get("explanation", []):
        lines.append(f"  {line}")
    return "\n".join(lines)


def _status_summary(d: dict[str, Any]) -> str:
    n = d["ncd"]
    if n is None:
        return "this product has no no-claims discount"
    flag = "  NEEDS REVIEW" if n["needs_review"] else ""
    lines = [f"NCD {n['ncd_years']} years ({n['discount_percent']}% discount): {n['status']}{flag}", f"  {n['reason']}"]
    lines += [f"  proof {p['id']} {p['status']}" for p in d["proofs"]]
    return "\n".join(lines)


def _reviews_summary(r: dict[str, Any]) -> str:
    lines = [f"{len(r['policies'])} of {r['scanned']} policies scanned need a look (as of {r['as_of']})"]
    lines += [f"  {p['number']}  {p['status']}  {p['reason']}" for p in r["policies"]]
    if r["next_offset"] is not None:
        lines.append(f"  more: --offset {r['next_offset']}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `covernote ncd` and `covernote policy incident`."""
    ncd_app = typer.Typer(help="No-claims discount: proof (NCD-1), status, reviews, the NCD proof letter.",
                          no_args_is_help=True)
    proof_app = typer.Typer(help="Proofs of NCD given for a quote or a policy.", no_args_is_help=True)
    app.add_typer(ncd_app, name="ncd")
    ncd_app.add_typer(proof_app, name="proof")

    @proof_app.command("add")
    @handles_errors
    def proof_add(kind: Annotated[str, typer.Option(help="insurer_letter, broker_letter or renewal_notice")],
                  insurer: Annotated[str, typer.Option(help="The insurer or broker that issued it")],
                  quote: Annotated[str | None, typer.Option(help="The open quote it is for")] = None,
                  policy: Annotated[str | None, typer.Option(help="The policy it is for (id or number)")] = None,
                  years: Annotated[int | None, typer.Option(help="Years of NCD shown")] = None,
                  ended_on: Annotated[str | None, typer.Option(help="Date the policy ended or was due to renew")] = None,
                  registration: Annotated[str | None, typer.Option(help="Registration shown")] = None,
                  country: Annotated[str | None, typer.Option(help="Where it was earned, e.g. UK")] = None,
                  issued_on: Annotated[str | None, typer.Option(help="The document's issue date")] = None,
                  previous_policy_number: Annotated[str | None, typer.Option(help="Previous policy number")] = None,
                  as_json: JsonOpt = False) -> None:
        """Record proof of NCD and check every NCD-1 condition. A rejected proof is recorded and shown, and
        the command exits 1 naming each condition failed on stderr ("proof rejected: country: ...")."""
        if (quote is None) == (policy is None):
            fail("say what the proof is for", [("--quote/--policy", "give exactly one")])
        inp = ncd.ProofInput(kind, insurer, years, parse_optional_date(ended_on, "--ended-on"), registration, country,
                             parse_optional_date(issued_on, "--issued-on"), previous_policy_number)
        ctx, who = context(), operator()
        data = (ncd.add_quote_proof(ctx, who, quote, inp) if quote is not None
                else ncd.add_policy_proof(ctx, who, policy or "", inp))
        show(data, as_json, _proof_summary)
        if data["status"] != "accepted":
            failed = "; ".join(f"{e['field']}: {e['reason']}" for e in data["errors"]) or "see the conditions above"
            typer.echo(f"proof rejected: {failed}", err=True)
            raise typer.Exit(1)

    @proof_app.command("show")
    @handles_errors
    def proof_show(proof_id: str, as_json: JsonOpt = False) -> None:
        show(ncd.get_proof(context(), operator(), proof_id), as_json, _proof_summary)

    @proof_app.command("list")
    @handles_errors
    def proof_list(status: Annotated[str | None, typer.Option(help="accepted or rejected")] = None,
                   limit: int = 50, offset: int = 0, as_json: JsonOpt = False) -> None:
        data = ncd.list_proofs(context(), operator(), status, limit, offset)
        show(data, as_json, lambda d: "\n".join(_proof_summary(p).splitlines()[0] for p in d["proofs"]) or "no proofs")

    @proof_app.command("decide")
    @handles_errors
    def proof_decide(proof_id: str, note: Annotated[str, typer.Option(help="What was checked, and why")],
                     accept: Annotated[bool, typer.Option("--accept/--reject", help="Accept or reject")],
                     as_json: JsonOpt = False) -> None:
        """Staff: accept or reject a proof after checking it by hand."""
        show(ncd.decide_proof(context(), operator(), proof_id, "accept" if accept else "reject", note), as_json,
             _proof_summary)

    @ncd_app.command("status")
    @handles_errors
    def status(quote: Annotated[str | None, typer.Option(help="A quote id")] = None,
               policy: Annotated[str | None, typer.Option(help="A policy id or number")] = None,
               as_json: JsonOpt = False) -> None:
        """The NCD years and discount rated, whether proven, rejected or declared, and the proofs."""
        if (quote is None) == (policy is None):
            fail("say which quote or policy", [("--quote/--policy", "give exactly one")])
        ctx, who = context(), operator()
        data = ncd.quote_ncd_view(ctx, who, quote) if quote is not None else ncd.policy_ncd_view(ctx, who, policy or "")
        show(data, as_json, _status_summary)

    @ncd_app.command("reviews")
    @handles_errors
    def reviews(limit: int = 100, offset: int = 0, as_json: JsonOpt = False) -> None:
        """Policies in force whose NCD needs a look: not proven, rejected, or proven at other years."""
        show(ncd.review_list(context(), operator(), limit, offset), as_json, _reviews_summary)

    @ncd_app.command("letter")
    @handles_errors
    def letter(policy_id: Annotated[str, typer.Argument(help="Policy id or number")],
               fmt: Annotated[str, typer.Option("--format", help="text, json, html or pdf")] = "text",
               output: Annotated[Path | None, typer.Option(help="Write to this file (required for pdf)")] = None,
               as_json: JsonOpt = False) -> None:
        """The NCD proof letter for a policy that has ended, been cancelled, or is about to end. As a PDF it is
        issued as one of the policy's documents (stored once; `covernote documents list POLICY` shows it)."""
        fmt = format_or_json(fmt, as_json, "text")
        if fmt not in ("text", "json", "html", "pdf"):
            fail("unknown format", [("--format", "use text, json, html or pdf")])
        if fmt == "pdf":
            if output is None:
                fail("a PDF is written to a file", [("--output", "give the file to write, e.g. --output ncd.pdf")])
            assert output is not None
            f = ncd.letter_pdf(context(), operator(), policy_id)
            try:
                output.write_bytes(f.content)
            except OSError as exc:
                fail("the output file cannot be written", [("--output", f"{output}: {exc.strerror or exc}")])
            typer.echo(f"wrote {output} ({len(f.content):,} bytes, sha256 {f.sha256}, document {f.document_id})")
            return
        data = ncd.ncd_letter(context(), operator(), policy_id)
        text = (ncd.letter_html(data) if fmt == "html" else json.dumps(data, indent=2) + "\n" if fmt == "json"
                else ncd.letter_text(data))
        write_out(text, output)

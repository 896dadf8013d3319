"""`covernote customers|quote|policy ...`: customers, new-business quotes and policies from quote to
bind, adjustment, cancellation, renewal and voidance; and `covernote jobs renewal-invitations|auto-renewals`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from covernote.billing.usecases.settle import monthly_choice
from covernote.identity.usecases import operator
from covernote.interfaces.cli import (
    JsonOpt,
    context,
    handles_errors,
    parse_date,
    parse_optional_date,
    read_json,
    show,
)
from covernote.interfaces.progress import terminal_progress
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import adjustments, cancellations, policies, quotes, renewals
from covernote.policy.schemas import ChangeIn, CustomerIn, RiskIn, TermIn
from covernote.policy.usecases import customers, search
from covernote.products.domain.claim_types import CLAIM_TYPES
from covernote.settings import Settings

customers_app = typer.Typer(help="Customers.", no_args_is_help=True)
quote_app = typer.Typer(help="New-business quotes.", no_args_is_help=True)
policy_app = typer.Typer(help="Policies: bind, adjust, cancel, renew, void, history, statement.", no_args_is_help=True)


# -- customers --------------------------------------------------------------------------------------


@customers_app.command("create")
@handles_errors
def customers_create(name: Annotated[str, typer.Option()], email: Annotated[str, typer.Option()],
                     address: Annotated[str, typer.Option()], postcode: Annotated[str, typer.Option()],
                     phone: str | None = None, as_json: JsonOpt = False) -> None:
    body = CustomerIn(name=name, email=email, address=address, postcode=postcode, phone=phone)
    data = customers.create_customer(context(), operator(), **body.model_dump())
    show(data, as_json, lambda d: f"customer {d['id']}  {d['name']}")


@customers_app.command("list")
@handles_errors
def customers_list(as_json: JsonOpt = False) -> None:
    data = customers.list_customers(context(), operator(), 500, 0)
    show(data, as_json, lambda d: "\n".join(f"{c['id']}  {c['name']}  {c['postcode']}" for c in d))


def _page_note(d: dict[str, Any]) -> str:
    return f"\nmore: --offset {d['next_offset']}" if d["next_offset"] is not None else ""


@customers_app.command("search")
@handles_errors
def customers_search(query: Annotated[str, typer.Argument(help="Part of a name, a policy number, a registration "
                                                                "or a postcode")],
                     limit: int = 50, offset: int = 0, as_json: JsonOpt = False) -> None:
    """Find customers by name, policy number, registration or postcode (case and spaces do not matter)."""
    data = search.search_customers(context(), operator(), query, limit, offset)
    show(data, as_json, lambda d: ("\n".join(
        f"{c['id']}  {c['name'] or '(erased)'}  {c['postcode'] or ''}" for c in d["customers"])
        or f"no customer matches {d['q']!r}") + _page_note(d))


# -- quotes and policies ----------------------------------------------------------------------------


def _ncd_lines(d: dict[str, Any]) -> list[str]:
    """The NCD rated and whether it is proven (NCD-1), and NCD protection (NCD-3, NCD-4), as the JSON shows
    them: nothing where the view has no `ncd` or `ncd_protection`."""
    lines = []
    if "ncd" in d:
        n = d["ncd"]
        if n is None:
            lines.append("  NCD: none (the product has no no-claims discount)")
        else:
            proven = n.get("proven_years")
            shown = f", proof shows {proven} years" if proven is not None and proven != n["ncd_years"] else ""
            lines.append(f"  NCD {n['ncd_years']} years, {n.get('discount_percent') or 0}% discount: "
                         f"{n['status']}{shown}{'  NEEDS REVIEW' if n.get('needs_review') else ''}")
    p = d.get("ncd_protection")
    if p is not None and p.get("offered"):
        if "protected" in p:  # a policy: is the NCD protected now
            state = "protected" if p["protected"] else "not protected"
        elif p.get("selected"):
            state = "selected"
        else:
            state = ("not selected (eligible)" if p.get("eligible")
                     else "not selected; not eligible: " + "; ".join(p.get("reasons") or []))
        lines.append(f"  NCD protection: {state}")
    return lines


def _carbon_lines(d: dict[str, Any]) -> list[str]:
    """An eco quote's or policy's estimated CO2 and offset (ECO-1), as the JSON's `carbon` shows them."""
    c = d.get("carbon")
    if not c:
        return []
    source = (f"estimated from {c['gkm']} g/km by the product's table" if c.get("estimated")
              else f"{c['gkm']} g/km from the vehicle record")
    return [f"  CO2 {c['estimated_annual_co2_tonnes']} t a year ({source}, {c['annual_mileage']} miles); "
            f"offset {c['offset_percent']}%: {c['policy_year_offset_tonnes']} t for the policy year"]


def _quote_summary(q: dict[str, Any]) -> str:
    withdrawal = q.get("withdrawal") or {}
    lines = [f"quote {q['id']}  {q['product']}  {q['start_date']} -> {q['end_date']}  {q['status']}",
             *([f"  withdrawn {withdrawal['withdrawn_at']} by {withdrawal['withdrawn_by']}"
                + (f": {withdrawal['reason']}" if withdrawal.get("reason") else "")] if withdrawal else []),
             f"  premium {q['premium']}  IPT {q['ipt']} ({q['ipt_rate']})  fees "
             f"{', '.join(f['name'] + ' ' + f['amount'] for f in q['fees']) or 'none'}",
             *[f"  extra {x['name']} ({x['provider']}, insured by {x['insurer']}): {x['premium']} + IPT {x['ipt']} "
               f"= {x['total']}" for x in q.get("extras", [])],
             *_ncd_lines(q), *_carbon_lines(q),
             f"  total payable {q['total_payable']}   expires {q['expires_at']}", "  rating:"]
    for step in q["rating"]["trace"]:
        lines.append(f"    {step['step']:45} {step['value']:>10} {step['row']:>14} x{step['factor'] or '':<6} = {step['amount_after']}")
    return "\n".join(lines)


@quote_app.command("create")
@handles_errors
def quote_create(product: Annotated[str, typer.Option()], customer: Annotated[str, typer.Option()],
                 risk_file: Annotated[Path, typer.Option(help="JSON: vehicle, drivers, postcode, answers")],
                 start: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
                 term_months: int | None = None, term_days: int | None = None,
                 extra: Annotated[list[str] | None, typer.Option(help="An optional extra to buy (repeat)")] = None,
                 as_json: JsonOpt = False) -> None:
    """Price a risk for new business and show the explained premium."""
    ctx = context()
    risk = read_json(risk_file, RiskIn, "risk")
    term = None
    if term_months or term_days:
        t = TermIn(unit="months" if term_months else "days", length=term_months or term_days or 0)
        term = quotes.Term(t.unit, t.length)
    data = quotes.create_quote(ctx, operator(), quotes.QuoteRequest(
        product.upper(), parse_date(start, "start") if start else ctx.today(), risk.to_domain(), customer, term,
        tuple(extra or ())))
    show(data, as_json, _quote_summary)


@quote_app.command("show")
@handles_errors
def quote_show(quote_id: str, as_json: JsonOpt = False) -> None:
    show(quotes.get_quote(context(), operator(), quote_id), as_json, _quote_summary)


@quote_app.command("withdraw")
@handles_errors
def quote_withdraw(quote_id: str,
                   reason: Annotated[str | None, typer.Option(help="Why (at most 500 characters)")] = None,
                   as_json: JsonOpt = False) -> None:
    """Withdraw an open quote: it can no longer be bound, and the NCD proven on it is free again (NCD-1)."""
    show(quotes.withdraw_quote(context(), operator(), quote_id, reason), as_json, _quote_summary)


def _policy_summary(p: dict[str, Any]) -> str:
    t = p.get("current_term") or {}
    return (f"policy {p['number']} ({p['id']})  {p['product_code']}  {p['status']}  version {p['version']}\n"
            f"  term {t.get('start_date')} -> {t.get('end_date')}  premium {t.get('premium_charged')}  "
            f"IPT {t.get('ipt_charged')}  balance {p.get('balance')}  auto-renew {p['auto_renew']}"
            + "".join(f"\n  extra {x['name']} ({x['provider']}): {x['premium']} + IPT {x['ipt']} = {x['total']}"
                      f"{'' if x['on_cover'] else ' (not on cover now)'}" for x in p.get("extras", []))
            + "".join(f"\n{line}" for line in (*_ncd_lines(p), *_carbon_lines(p))))


@policy_app.command("bind")
@handles_errors
def policy_bind(quote_id: str, token: Annotated[str, typer.Option(help="Payment token, e.g. tok_visa")],
                idempotency_key: Annotated[str, typer.Option()], as_json: JsonOpt = False,
                monthly: Annotated[bool, typer.Option(help="Pay monthly by direct debit under premium finance (PAY-1): "
                                                           "the deposit from the card, the rest in instalments")] = False,
                account_holder: Annotated[str | None, typer.Option(help="With --monthly: the name on the account")] = None,
                sort_code: Annotated[str | None, typer.Option(help="With --monthly: 6 digits")] = None,
                account_number: Annotated[str | None, typer.Option(help="With --monthly: 8 digits")] = None,
                collection_day: Annotated[int | None, typer.Option(help="With --monthly: 1 to 28")] = None) -> None:
    """Bind a quote into a policy and take payment (with --monthly: the deposit, the rest financed)."""
    choice = None
    if monthly:
        choice = monthly_choice({"account_holder": account_holder, "sort_code": sort_code,
                                 "account_number": account_number}, collection_day or 0)
    elif any(v is not None for v in (account_holder, sort_code, account_number, collection_day)):
        raise ValidationFailed("the bank account and collection day are for monthly payment",
                               [FieldIssue("monthly", "add --monthly, or leave out the bank account")])
    data = quotes.bind_quote(context(), operator(), quote_id, payment_token=token, idempotency_key=idempotency_key,
                             monthly=choice)
    show(data, as_json, _bound_summary)


def _bound_summary(d: dict[str, Any]) -> str:
    pay = d["payment"]
    out = _policy_summary(d) + f"\n  payment {pay['amount']} {pay['status']}"
    plan = pay.get("plan")
    if plan and plan.get("agreement"):
        a = plan["agreement"]
        out += (f"\n  monthly by direct debit from the account ending {plan['account_ending']}: deposit {a['deposit']}, "
                f"credit {a['credit']}, interest {a['interest']}, total payable {a['total_payable']}, "
                f"APR {a['apr_percent']}%, {a['instalment_count']} instalments from {plan['instalments'][0]['due_on']}")
    return out


@policy_app.command("show")
@handles_errors
def policy_show(policy: str, as_json: JsonOpt = False) -> None:
    show(policies.get_policy(context(), operator(), policy), as_json, _policy_summary)


@policy_app.command("list")
@handles_errors
def policy_list(as_json: JsonOpt = False) -> None:
    data = policies.list_policies(context(), operator(), 500, 0)
    show(data, as_json, lambda d: "\n".join(f"{p['number']}  {p['product_code']:13} {p['status']:9} {p['start_date']} -> {p['end_date']}" for p in d))


@policy_app.command("search")
@handles_errors
def policy_search(query: Annotated[str, typer.Argument(help="A policy number, a registration, a postcode or part "
                                                             "of the customer's name")],
                  limit: int = 50, offset: int = 0, as_json: JsonOpt = False) -> None:
    """Find policies by number, registration, postcode or customer name (case and spaces do not matter)."""
    data = search.search_policies(context(), operator(), query, limit, offset)
    show(data, as_json, lambda d: ("\n".join(
        f"{p['number']}  {p['product_code']:13} {p['status']:9} {p['registration'] or '':8} {p['postcode'] or '':8} "
        f"{p['customer_name'] or '(erased)'}" for p in d["policies"]) or f"no policy matches {d['q']!r}")
        + _page_note(d))


@policy_app.command("history")
@handles_errors
def policy_history(policy: str, as_json: JsonOpt = False) -> None:
    data = policies.policy_history(context(), operator(), policy)
    show(data, as_json, lambda d: "\n".join(
        f"{t['sequence']:3} {t['recorded_at'][:19]} {t['kind']:13} from {t['effective_date']} premium {t['premium']:>9} "
        f"IPT {t['ipt']:>8}  by {t['by']['user_id']}: {t['reason']}" for t in d["transactions"]))


@policy_app.command("statement")
@handles_errors
def policy_statement(policy: str, as_json: JsonOpt = False) -> None:
    ctx = context()
    pid = policies.get_policy(ctx, operator(), policy)["id"]
    data = ledger.policy_statement(ctx, operator(), pid)
    show(data, as_json, lambda d: "\n".join(
        [f"{ln['posted_at'][:19]}  {ln['amount']:>10}  {ln['balance']:>10}  {ln['description']}" for ln in d["lines"]]
        + [f"balance {d['balance']} ({d['balance_meaning']})"]))


_CONFIRM = {"cancellation": "confirm-cancellation", "adjustment": "confirm-adjustment", "renewal": "confirm-renewal"}


def confirm_command(d: dict[str, Any]) -> str:
    """The exact command that confirms a pending quote (a cancellation, adjustment or renewal). Its
    idempotency key is derived from the quote, so running it twice confirms once."""
    command = _CONFIRM.get(str(d["kind"]), f"confirm-{d['kind']}")
    return (f"covernote policy {command} {d['policy_id']} {d['id']} "
            f"--idempotency-key {command.removeprefix('confirm-')}-{d['id']}")


def _pending_summary(d: dict[str, Any]) -> str:
    """A quoted change: only quoted, nothing done yet, and the command that confirms it (issue 13 item 22)."""
    lines = [f"{d['kind']} quote {d['id']} on policy {d['policy_id']} (confirm before {d['expires_at']})"]
    lines += [f"  {x}" for x in d.get("explanation", [])]
    lines.append(f"This only quotes the {d['kind']}: nothing has changed yet. To confirm it, run:")
    lines.append(f"  {confirm_command(d)}")
    return "\n".join(lines)


@policy_app.command("adjust")
@handles_errors
def policy_adjust(policy: str, effective: Annotated[str, typer.Option()],
                  reason: Annotated[str, typer.Option()],
                  changes_file: Annotated[Path | None, typer.Option(help="JSON list of changes")] = None,
                  until: str | None = None,
                  smartbox: Annotated[str | None, typer.Option(help="retained or new")] = None,
                  add_extra: Annotated[list[str] | None, typer.Option(help="An optional extra to add (repeat)")] = None,
                  remove_extra: Annotated[list[str] | None, typer.Option(help="An optional extra to remove (repeat)")] = None,
                  as_json: JsonOpt = False) -> None:
    """Quote a mid-term adjustment (confirm it with confirm-adjustment)."""
    changes = read_json(changes_file, ChangeIn, "changes") if changes_file is not None else []
    if not isinstance(changes, list):
        changes = [changes]
    req = adjustments.AdjustmentRequest(parse_date(effective, "effective"), tuple(c.to_domain() for c in changes),
                                        parse_date(until, "until") if until else None, smartbox, reason,  # type: ignore[arg-type]
                                        tuple(add_extra or ()), tuple(remove_extra or ()))
    show(adjustments.quote_adjustment(context(), operator(), policy, req), as_json, _pending_summary)


@policy_app.command("confirm-adjustment")
@handles_errors
def policy_confirm_adjustment(policy: str, quote_id: str, idempotency_key: Annotated[str, typer.Option()],
                              as_json: JsonOpt = False) -> None:
    data = adjustments.confirm_adjustment(context(), operator(), policy, quote_id, idempotency_key)
    show(data, as_json, lambda d: f"adjusted: premium now {d['premium_after']}; paid {d['payment']['amount']}")


@policy_app.command("cancel")
@handles_errors
def policy_cancel(policy: str, effective: Annotated[str, typer.Option()], reason: Annotated[str, typer.Option()],
                  by: str = "customer", as_json: JsonOpt = False) -> None:
    """Quote a cancellation (confirm it with confirm-cancellation)."""
    data = cancellations.quote_cancellation(context(), operator(), policy,
                                            cancellations.CancelInput(parse_date(effective, "effective"), reason, by))
    show(data, as_json, _pending_summary)


@policy_app.command("confirm-cancellation")
@handles_errors
def policy_confirm_cancellation(policy: str, quote_id: str, idempotency_key: Annotated[str, typer.Option()],
                                as_json: JsonOpt = False) -> None:
    data = cancellations.confirm_cancellation(context(), operator(), policy, quote_id, idempotency_key)
    show(data, as_json, lambda d: f"cancelled from {d['cover_ends']}; refund {d['refund']['refund_total']}")


@policy_app.command("renew")
@handles_errors
def policy_renew(policy: str, as_json: JsonOpt = False) -> None:
    """Show (making it if needed) the renewal invitation."""
    show(renewals.invite_renewal(context(), operator(), policy), as_json, _pending_summary)


@policy_app.command("confirm-renewal")
@handles_errors
def policy_confirm_renewal(policy: str, quote_id: str, idempotency_key: Annotated[str, typer.Option()],
                           extras: Annotated[str | None, typer.Option(
                               help="Extras to renew with, comma-separated codes, or 'none'; default: those carried "
                                    "forward")] = None,
                           as_json: JsonOpt = False) -> None:
    chosen = None if extras is None else tuple(c.strip() for c in extras.split(",") if c.strip() and c.strip() != "none")
    show(renewals.confirm_renewal(context(), operator(), policy, quote_id, idempotency_key, chosen), as_json,
         _policy_summary)


@policy_app.command("auto-renew")
@handles_errors
def policy_auto_renew(policy: str, on: Annotated[bool, typer.Option("--on/--off")],
                      idempotency_key: Annotated[str, typer.Option()],
                      reason: Annotated[str, typer.Option(help="Why, recorded in the policy's history")] = "",
                      version: Annotated[int | None, typer.Option(help="The version you read; a stale one is refused")] = None,
                      as_json: JsonOpt = False) -> None:
    """Switch automatic renewal on or off (POL-3): a transaction in the policy's history (POL-1)."""
    show(policies.set_auto_renew(context(), operator(), policy, on, version, reason=reason,
                                 idempotency_key=idempotency_key), as_json, _policy_summary)


@policy_app.command("void")
@handles_errors
def policy_void(policy: str, reason: Annotated[str, typer.Option()], idempotency_key: Annotated[str, typer.Option()],
                as_json: JsonOpt = False) -> None:
    """Void for fraud: the premium paid is kept (POL-4)."""
    data = policies.void_policy(context(), operator(), policy, reason=reason, idempotency_key=idempotency_key)
    show(data, as_json, lambda d: f"policy {d['policy_id']} is void; premium kept")


# -- jobs -------------------------------------------------------------------------------------------


def register_jobs(jobs_app: typer.Typer) -> None:
    """Add `covernote jobs renewal-invitations` and `covernote jobs auto-renewals`."""

    @jobs_app.command("renewal-invitations")
    @handles_errors
    def jobs_renewal_invitations(as_of: str | None = None, batch_size: int = 500,
                                 workers: Annotated[int | None, typer.Option(
                                     min=1, help="worker processes (default COVERNOTE_BATCH_WORKERS: 2 on "
                                                 "PostgreSQL); SQLite always runs one")] = None,
                                 as_json: JsonOpt = False) -> None:
        """Invite every policy inside its product's invitation window (idempotent)."""
        ctx = context()
        with terminal_progress() as progress:
            result = renewals.run_renewal_invitations(
                ctx, parse_date(as_of, "as_of") if as_of else None, batch_size, operator(), progress,
                None if workers is None else replace(Settings.from_env(), batch_workers=workers).workers_for_batches())
        show(result, as_json, lambda r: (
            f"renewal invitations as of {r['as_of']}: {r['invited']} invited, {r['skipped']} skipped, "
            f"{r['not_invited']} not invited" + "".join(f"\n  {k}: {v}" for k, v in r["not_invited_reasons"].items())))

    @jobs_app.command("auto-renewals")
    @handles_errors
    def jobs_auto_renewals(as_of: str | None = None, as_json: JsonOpt = False) -> None:
        """Renew, at expiry, policies with auto-renewal on and an open invitation."""
        with terminal_progress() as progress:
            result = renewals.run_auto_renewals(context(), parse_date(as_of, "as_of") if as_of else None, progress)
        show(result, as_json, lambda r: f"auto-renewals as of {r['as_of']}: {r['renewed']} renewed, "
                                        f"{len(r['failed'])} failed" + "".join(f"\n  failed: {f}" for f in r["failed"]))


@policy_app.command("incident")
@handles_errors
def incident(policy_id: Annotated[str, typer.Argument(help="Policy id or number")],
             occurred_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
             kind: Annotated[str, typer.Option(help="claim, or incident (one that may lead to a claim)")] = "claim",
             claim_type: Annotated[str, typer.Option(help=", ".join(CLAIM_TYPES))] = "other",
             reference: str = "", description: str = "", total_loss: bool = False,
             as_json: JsonOpt = False) -> None:
    """Record a claim or an incident, with its type (NCD-2: some claims do not affect NCD)."""
    day = parse_optional_date(occurred_on, "--occurred-on")
    assert day is not None
    data = policies.record_incident(context(), operator(), policy_id, kind=kind, occurred_on=day,
                                    total_loss=total_loss, reference=reference, description=description,
                                    claim_type=claim_type)
    show(data, as_json, lambda d: f"{d['details']['event']['kind']} recorded: {d['details']['event']['claim_type']} on "
                                  f"{d['effective_date']} ({d['id']})")

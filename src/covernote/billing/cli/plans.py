"""`covernote billing plan ...`: how a policy's term is paid (PAY-1, PAY-7): show the plan and its premium-finance
agreement, move a policy to monthly payment, follow up a referred application."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from covernote.billing.usecases import plans
from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, handles_errors, show
from covernote.kernel.ids import new_id


def plan_summary(v: dict[str, Any]) -> str:
    """The plan as the operator reads it: the agreement's figures and each instalment."""
    if v["kind"] == "annual_card" and v["plan_id"] is None:
        return f"{v['number']} term {v['term']}: paid annually by card"
    lines = [f"{v['number']} term {v['term']}: monthly by direct debit ({v['status']}), collection day "
             f"{v['collection_day']}, account ending {v['account_ending']}"]
    a = v["agreement"]
    if a is not None:
        lines.append(f"  {a['provider']} {a['reference']}: {a['decision']}"
                     + (f" ({a['decision_reason']})" if a["decision_reason"] else ""))
        lines.append(f"  cash price {a['cash_price']}, deposit {a['deposit']}, credit {a['credit']}, interest "
                     f"{a['interest']} ({a['flat_rate_percent']}% flat), total payable {a['total_payable']}, "
                     f"APR {a['apr_percent']}%")
        lines.append(f"  commission {a['commission']} ({a['commission_percent']}% of the credit); collected "
                     f"{a['collected']}, to collect {a['to_collect']}, returned {a['returned']}, paid by card "
                     f"{a['paid_otherwise']}, refunded {a['refunded']}, arrears {a['arrears']}")
    lines += [f"  {i['sequence']:>2}. {i['due_on']}  {i['amount']:>9}  {i['status']}" for i in v["instalments"]]
    return "\n".join(lines)


def register(billing_app: typer.Typer) -> None:
    """Add `covernote billing plan` and its commands."""
    plan_app = typer.Typer(help="Payment plans and premium finance (PAY-1, PAY-7).", no_args_is_help=True)
    billing_app.add_typer(plan_app, name="plan")

    @plan_app.command("show")
    @handles_errors
    def plan_show(policy: Annotated[str, typer.Argument(help="Policy id or number")], as_json: JsonOpt = False) -> None:
        """How the policy's current term is paid, with the agreement and its instalments."""
        show(plans.payment_plan(context(), operator(), policy), as_json, plan_summary)

    @plan_app.command("open")
    @handles_errors
    def plan_open(policy: Annotated[str, typer.Argument(help="Policy id or number")],
                  account_holder: Annotated[str, typer.Option(help="The name on the bank account")],
                  sort_code: Annotated[str, typer.Option(help="6 digits, e.g. 12-34-56")],
                  account_number: Annotated[str, typer.Option(help="8 digits")],
                  collection_day: Annotated[int, typer.Option(help="Day of the month, 1 to 28")],
                  idempotency_key: Annotated[str | None, typer.Option(
                      help="Repeat it to retry the same request (default: a new request)")] = None,
                  as_json: JsonOpt = False) -> None:
        """Move the policy's current term to monthly payment, financed by the product's provider after a credit
        search: accepted, referred or declined, as the provider decides."""
        out = plans.switch_to_monthly(
            context(), operator(), policy,
            {"account_holder": account_holder, "sort_code": sort_code, "account_number": account_number},
            collection_day, idempotency_key or new_id("cli-plan"))
        show(out, as_json, lambda o: plan_summary(o["plan"]) + (
            f"\n  card: {o['payment']['kind']} {o['payment']['amount']}" if "payment" in o else ""))

    @plan_app.command("referral")
    @handles_errors
    def plan_referral(policy: Annotated[str, typer.Argument(help="Policy id or number")],
                      as_json: JsonOpt = False) -> None:
        """Ask the provider for its decision on a referred application."""
        show(plans.decide_referral(context(), operator(), policy), as_json, plan_summary)

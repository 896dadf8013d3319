"""Payment plans and premium finance through the use cases, on SQLite and PostgreSQL (PAY-1, PAY-7): a
policy moved to monthly payment gets the provider's decision after a credit search (kept in the disclosure
register whatever the outcome), the agreement's figures worked out by hand, its instalments, its ledger entries
and documents; a declined or referred applicant; a provider that does not answer; re-planning after an
adjustment and a cancellation without rewriting any instalment; the ledger still reconciles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from covernote.billing.usecases import plans
from covernote.identity.usecases import SYSTEM
from covernote.kernel.calendar import WorkingDayCalendar
from covernote.kernel.money import Money, Rounding
from covernote.ledger import usecases as ledger
from covernote.platform.context import AppContext
from covernote.store.tables import payment_plans
from tests.support import bind, new_customer

BANK = {"account_holder": "Ann Example", "sort_code": "12-34-56", "account_number": "12345678"}


def monthly(ctx: AppContext, name: str = "Ann Example", day: int = 5) -> tuple[dict[str, Any], dict[str, Any]]:
    policy = bind(ctx, "YOUNG_DRIVER", customer_id=new_customer(ctx, name))
    out = plans.switch_to_monthly(ctx, SYSTEM, policy["id"], BANK, day, f"plan-{policy['id']}")
    return policy, out


def test_pay1_a_policy_moved_to_monthly_gets_the_agreement_worked_out_by_hand(db_ctx: AppContext) -> None:
    """PAY-1, PAY-7: the young-driver product's terms (10% deposit, at least 50.00; 9.9% flat; 10 instalments;
    4% commission) on the term's cash price; the card refunded what the provider now finances; the ledger
    shows the provider's part, the commission and the customer's debt to the provider, and reconciles."""
    policy, out = monthly(db_ctx)
    paid = Money.of(policy["payment"]["amount"])  # the whole term, by card at bind
    plan = out["plan"]
    a = plan["agreement"]
    assert plan["kind"] == "monthly_direct_debit" and plan["status"] == "active"
    assert a["provider"] == "Close Brothers Premium Finance" and a["decision"] == "accepted"
    deposit = (paid * Decimal("0.10")).round_pence(Rounding.HALF_UP).max(Money.of("50.00"))
    credit = paid - deposit
    interest = (credit * Decimal("0.099")).round_pence(Rounding.HALF_UP)
    assert (a["cash_price"], a["deposit"], a["credit"], a["interest"]) == (
        paid.to_str(), deposit.to_str(), credit.to_str(), interest.to_str())
    assert a["total_payable"] == (paid + interest).to_str()
    assert a["commission"] == (credit * Decimal("0.04")).round_pence(Rounding.HALF_UP).to_str()
    amounts = [Money.of(i["amount"]) for i in plan["instalments"]]
    assert len(amounts) == 10 and sum(m.pence for m in amounts) == (credit + interest).pence
    assert len({m.pence for m in amounts[1:]}) == 1 and amounts[0] >= amounts[1]
    # the first instalment on the 5th, after the mandate's lodging and 10 working days' notice
    first = date.fromisoformat(plan["instalments"][0]["due_on"])
    assert first.day == 5 and first >= WorkingDayCalendar().add_working_days(db_ctx.today(), 13)
    assert Decimal(a["apr_percent"]) > Decimal(a["flat_rate_percent"])
    # the card is refunded the credit: the customer's account is square
    assert out["payment"]["kind"] == "refund" and out["payment"]["amount"] == credit.to_str()
    st = ledger.policy_statement(db_ctx, SYSTEM, policy["id"])
    assert st["balance"] == "0.00"
    assert st["accounts"]["finance:provider-receivable"] == credit.to_str()
    assert st["accounts"]["finance:customer-debt"] == (credit + interest).to_str()
    assert st["accounts"]["finance:commission"] == "-" + a["commission"]
    assert ledger.reconcile(db_ctx)["ok"], ledger.reconcile(db_ctx)["problems"]
    # the documents: the pre-contract information and the agreement, stored once each
    assert a["pre_contract_document_id"] and a["agreement_document_id"]
    # the bank account is sealed: the database holds no sort code or account number in clear
    with db_ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        row = conn.execute(sa.select(payment_plans).where(payment_plans.c.policy_id == policy["id"])).one()
    assert "12345678" not in str(row.account_number) and "123456" not in str(row.sort_code)
    assert row.account_ending == "5678" and plan["account_ending"] == "5678"

"""Payment plans and premium finance through the use cases, on SQLite and PostgreSQL (PAY-1, PAY-7): a
policy moved to monthly payment gets the provider's decision after a credit search (kept in the disclosure
register whatever the outcome), the agreement's figures worked out by hand, its instalments, its ledger entries
and documents; a declined or referred applicant; a provider that does not answer; re-planning after an
adjustment and a cancellation without rewriting any instalment; the ledger still reconciles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from covernote.billing.usecases import plans
from covernote.identity.usecases import SYSTEM
from covernote.kernel.calendar import WorkingDayCalendar
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, ServiceUnavailable, ValidationFailed
from covernote.kernel.money import Money, Rounding
from covernote.ledger import usecases as ledger
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change
from covernote.store.tables import payment_plans
from tests.support import adjust, bind, cancel, new_customer

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
    # the collection run's read: the scheduled instalments due on a day, a page at a time
    with db_ctx.uow(read_only=True) as uow:
        due = uow.plans.due_on(first)
        assert [(r.policy_id, r.sequence, r.amount) for r in due] == [(policy["id"], 1, amounts[0])]
        assert uow.plans.due_on(first, after=due[0].instalment_id) == []
        assert uow.plans.due_on(first - timedelta(days=1)) == []
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


def _last_replan(ctx: AppContext, policy_id: str) -> dict[str, Any] | None:
    """What the settle dispatch will do after a transaction of a monthly-paid term: re-plan it."""
    with ctx.uow() as uow:
        policy = uow.policies.get(policy_id)
        assert policy is not None
        out = plans.replan(ctx, uow, policy, policy.transactions[-1])
        uow.commit()
    return dict(out) if out is not None else None


def _all_versions(ctx: AppContext, policy_id: str) -> list[tuple[int, int, str, str]]:
    with ctx.uow(read_only=True) as uow:
        [plan] = uow.plans.plans_for(policy_id)
        return [(r.sequence, r.version, r.amount.to_str(), r.status)
                for r in uow.plans.instalments(plan.plan_id, current_only=False)]


def test_pay1_an_adjustment_re_plans_the_open_instalments_without_rewriting_them(db_ctx: AppContext) -> None:
    """PAY-1: after an adjustment the open instalments get new versions that carry the change and its interest
    (9.9% x change x 10/10 with none collected); the first versions are kept, marked superseded; the instalments
    to collect plus the deposit equal the new total plus interest to the penny; the ledger reconciles."""
    policy, out = monthly(db_ctx)
    before = out["plan"]["agreement"]
    # East London rates higher than Manchester: an additional premium (the lifecycle still takes it by card
    # until the settle dispatch sends a monthly-paid term's change here instead)
    adjust(db_ctx, policy["id"], db_ctx.today(), Change("set_postcode", postcode="E1 6AN"))
    r = _last_replan(db_ctx, policy["id"])
    assert r is not None and r["cause"] == "adjustment"
    change = Money.of(r["cash_price"]) - Money.of(before["cash_price"])
    assert change > Money.zero()
    extra_interest = (change * Decimal("0.099")).round_pence(Rounding.HALF_UP)
    assert Money.of(r["interest"]) == Money.of(before["interest"]) + extra_interest
    to_collect = Money.of(r["to_collect"])
    assert Money.of(before["deposit"]) + to_collect == Money.of(r["cash_price"]) + Money.of(r["interest"])
    versions = _all_versions(db_ctx, policy["id"])
    assert [v for v in versions if v[1] == 1 and v[3] == "superseded"]  # the agreed versions stand, superseded
    assert sum(Money.of(v[2]).pence for v in versions if v[3] == "scheduled") == to_collect.pence
    view = plans.payment_plan(db_ctx, SYSTEM, policy["id"])
    assert view["agreement"] is not None and view["agreement"]["to_collect"] == r["to_collect"]
    assert {i["version"] for i in view["instalments"]} == {2}
    assert ledger.reconcile(db_ctx)["ok"], ledger.reconcile(db_ctx)["problems"]


def test_pay1_a_cancellation_settles_the_plan(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-1: cancelled, no instalment stays open, the plan ends, the interest for instalments not yet due is
    not charged; what the customer paid beyond what they now owe is a refund, or what they owe is arrears."""
    bind(db_ctx, "YOUNG_DRIVER")  # paid by the same card, so its token holds enough for the lifecycle's refund
    policy, _ = monthly(db_ctx)
    clock.advance(timedelta(days=20))
    done = cancel(db_ctx, policy["id"], db_ctx.today())
    r = done["payment"].get("replan")  # the cancellation's settle re-planned the term (billing.settle)
    assert r is not None and r["cause"] == "cancellation"
    assert r["interest"] == "0.00"  # no instalment had fallen due
    assert all(i["status"] in ("cancelled", "superseded") for i in r["instalments"])
    assert Money.of(r["refund_due"]).is_zero() or Money.of(r["arrears"]).is_zero()
    with db_ctx.uow(read_only=True) as uow:
        [plan] = uow.plans.plans_for(policy["id"])
    assert plan.status == "ended"
    assert _last_replan(db_ctx, policy["id"]) is None  # nothing left to re-plan
    assert ledger.reconcile(db_ctx)["ok"], ledger.reconcile(db_ctx)["problems"]


def test_pay1_a_declined_applicant_keeps_annual_payment_and_the_search_is_recorded(db_ctx: AppContext) -> None:
    """PAY-1 (S3): declined, the plan is kept as declined with the reason, no instalment, no money moved, and
    the credit search is in the disclosure register all the same."""
    policy, out = monthly(db_ctx, name="Jo Declined")
    plan = out["plan"]
    assert plan["status"] == "declined" and plan["instalments"] == [] and "payment" not in out
    assert plan["agreement"] is not None
    assert plan["agreement"]["decision_reason"] == "the credit search did not meet the lending criteria"
    st = ledger.policy_statement(db_ctx, SYSTEM, policy["id"])
    assert not any(k.startswith("finance:") for k in st["accounts"])
    with db_ctx.uow(read_only=True) as uow:
        found = [d for d in uow.disclosures.for_customer(policy["customer_id"]) if d.recipient_kind == "finance_provider"]
    assert len(found) == 1 and found[0].recipient == "Close Brothers Premium Finance"
    assert found[0].reference == plan["agreement"]["reference"]
    # asked again (a new request), a declined term may apply again: one more search
    again = plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], BANK, 5, "plan-again-1")
    assert again["plan"]["status"] == "declined"


def test_pay1_a_referred_application_starts_once_the_provider_accepts(db_ctx: AppContext) -> None:
    """PAY-1: referred, nothing is collected; staff ask again, and once the provider's underwriters accept,
    the plan starts with its instalments, ledger entries and documents."""
    policy, out = monthly(db_ctx, name="Kim Referred")
    assert out["plan"]["status"] == "referred" and out["plan"]["instalments"] == []
    assert plans.decide_referral(db_ctx, SYSTEM, policy["id"])["status"] == "referred"  # still with underwriters
    reference = out["plan"]["agreement"]["reference"]
    db_ctx.finance.underwrite(reference, accept=True)  # type: ignore[union-attr]
    view = plans.decide_referral(db_ctx, SYSTEM, policy["id"])
    assert view["status"] == "active" and len(view["instalments"]) == 10
    assert view["agreement"] is not None and view["agreement"]["agreement_document_id"]
    assert ledger.policy_statement(db_ctx, SYSTEM, policy["id"])["balance"] == "0.00"
    assert ledger.reconcile(db_ctx)["ok"]
    with pytest.raises(Conflict):
        plans.decide_referral(db_ctx, SYSTEM, policy["id"])


def test_pay1_a_provider_that_does_not_answer_changes_nothing(db_ctx: AppContext) -> None:
    """PAY-1: the provider times out: 503-style ServiceUnavailable, no plan, no search recorded."""
    policy = bind(db_ctx, "YOUNG_DRIVER", customer_id=new_customer(db_ctx, "Lee Timeout"))
    with pytest.raises(ServiceUnavailable):
        plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], BANK, 5, "plan-timeout-1")
    view = plans.payment_plan(db_ctx, SYSTEM, policy["id"])
    assert view["kind"] == "annual_card" and view["plan_id"] is None


def test_pay1_the_same_request_again_is_answered_as_before(db_ctx: AppContext) -> None:
    """PAY-1: a retried switch (same idempotency key) replays the answer: one plan, one search, one refund."""
    policy, out = monthly(db_ctx)
    again = plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], BANK, 5, f"plan-{policy['id']}")
    assert again["idempotent_replay"] is True and again["plan"]["plan_id"] == out["plan"]["plan_id"]
    with pytest.raises(Conflict):  # a new request for a term already paid monthly
        plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], BANK, 5, "plan-second-1")
    with db_ctx.uow(read_only=True) as uow:
        assert len(uow.plans.plans_for(policy["id"])) == 1


def test_pay1_bad_requests_name_their_field(db_ctx: AppContext) -> None:
    """PAY-1: a bad bank account or collection day, or a product sold annually only, is refused naming the field."""
    policy = bind(db_ctx, "YOUNG_DRIVER")
    with pytest.raises(ValidationFailed) as bad:
        plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], {**BANK, "sort_code": "12-34"}, 5, "plan-bad-1")
    assert [i.field for i in bad.value.issues] == ["bank.sort_code"]
    with pytest.raises(ValidationFailed) as bad:
        plans.switch_to_monthly(db_ctx, SYSTEM, policy["id"], BANK, 31, "plan-bad-2")
    assert [i.field for i in bad.value.issues] == ["collection_day"]
    annual = bind(db_ctx, "WARRANTY")
    with pytest.raises(ValidationFailed) as bad:
        plans.switch_to_monthly(db_ctx, SYSTEM, annual["id"], BANK, 5, "plan-bad-3")
    assert [i.field for i in bad.value.issues] == ["kind"]


def test_pay1_prv4_a_monthly_plan_is_in_the_erasure_plan_kept_while_the_policy_is_live(db_ctx: AppContext) -> None:
    """PAY-1, PRV-4: the plan's bank account, collection day and the provider's decision are the customer's data:
    an erasure case finds them through the policy and keeps them, naming the live policy."""
    from covernote.privacy.usecases import erasure
    from tests.integration.test_erasure import erasure_case, seed

    p = seed(db_ctx, "Mo", "MO19NTH", bound=True)
    assert p.policy is not None
    out = plans.switch_to_monthly(db_ctx, SYSTEM, p.policy["id"], BANK, 7, "plan-erasure-1")
    assert out["plan"]["status"] == "active"
    plan = erasure.plan(db_ctx, SYSTEM, erasure_case(db_ctx, p))
    kept = {(k["table"], k["field"]) for k in plan["kept"]}
    assert {("payment_plans", "sort_code"), ("payment_plans", "account_number"), ("payment_plans", "account_holder"),
            ("payment_plans", "collection_day"), ("finance_agreements", "decision")} <= kept
    assert all(k["reason"].startswith(f"policy {p.policy['number']} is live") for k in plan["kept"]
               if k["table"] in ("payment_plans", "finance_agreements"))


def test_pay1_at_bind_the_plan_takes_the_deposit_by_card(db_ctx: AppContext) -> None:
    """PAY-1: as the bind will call it: the transaction's charge posted and nothing yet paid (here: the card
    payment reversed), open_monthly_plan in the same unit of work takes the deposit by card, the provider pays
    the rest, and the customer's account is square."""
    policy = bind(db_ctx, "YOUNG_DRIVER")
    st = ledger.policy_statement(db_ctx, SYSTEM, policy["id"])
    [payment] = [e for e in st["entries"] if e["description"].startswith("Payment received")]
    ledger.reverse_entry(db_ctx, SYSTEM, payment["id"], "as if the bind had not taken the card yet")
    with db_ctx.uow() as uow:
        record = uow.policies.get(policy["id"])
        assert record is not None
        out = plans.open_monthly_plan(db_ctx, uow, SYSTEM, record, record.transactions[-1], plans.bank_account(BANK),
                                      20, payment_key="bind-style-1")
        uow.commit()
    a = out["plan"]["agreement"]
    assert a is not None and out["payment"]["kind"] == "charge" and out["payment"]["amount"] == a["deposit"]
    assert all(i["due_on"].endswith("-20") for i in out["plan"]["instalments"])
    assert ledger.policy_statement(db_ctx, SYSTEM, policy["id"])["balance"] == "0.00"
    assert ledger.reconcile(db_ctx)["ok"]
    assert plans.issue_finance_documents(db_ctx, SYSTEM, policy["id"])[1]["kind"] == "finance_agreement"


def test_pay1_a_monthly_payer_is_financed_again_at_renewal(db_ctx: AppContext, clock: FixedClock) -> None:
    """PAY-1: at renewal a customer who paid monthly gets a new agreement for the new term, on the same account
    (read back unsealed for the Bacs files, the read logged) and collection day, its first instalment about a
    month after the renewal date; a customer who paid annually is left alone."""
    from covernote.lifecycle.usecases import renewals

    policy, out = monthly(db_ctx, day=9)
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(db_ctx, SYSTEM, policy["id"])
    renewals.confirm_renewal(db_ctx, SYSTEM, policy["id"], offer["id"], "plan-renew-1")
    with db_ctx.uow() as uow:
        record = uow.policies.get(policy["id"])
        assert record is not None
        renewal = record.transactions[-1]
        assert renewal.kind == "renewal"
        opened = plans.renew_monthly_plan(db_ctx, uow, SYSTEM, record, renewal, payment_key="plan-renew-1")
        assert opened is not None
        new_plan = uow.plans.current_plan(record.policy_id, renewal.term_no)
        assert new_plan is not None
        account = plans.bank_account_of(db_ctx, uow, SYSTEM, new_plan)
        uow.commit()
    assert account == plans.BankAccount("Ann Example", "123456", "12345678")
    plan = opened["plan"]
    assert plan["status"] == "active" and plan["term"] == 2 and plan["account_ending"] == "5678"
    assert plan["agreement"] is not None and plan["agreement"]["reference"] != out["plan"]["agreement"]["reference"]
    first = date.fromisoformat(plan["instalments"][0]["due_on"])
    assert first.day == 9 and timedelta(days=14) <= first - renewal.effective_date <= timedelta(days=46)
    assert ledger.reconcile(db_ctx)["ok"], ledger.reconcile(db_ctx)["problems"]
    annual = bind(db_ctx, "YOUNG_DRIVER")
    with db_ctx.uow(read_only=True) as uow:
        rec = uow.policies.get(annual["id"])
        assert rec is not None
        assert plans.renew_monthly_plan(db_ctx, uow, SYSTEM, rec, rec.transactions[-1], payment_key="x-1") is None



"""Optional extras through a policy's life on SQLite and PostgreSQL (ADD-1, PAY-7, NCD-3, FEE-1): bought
at bind, added and removed by MTA pro-rata, refunded on cancellation the way the core premium is, carried
forward, removed or added at renewal, each on its own ledger accounts with its commission, and the
fair-value report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from covernote.extras.usecases import fair_value_csv, fair_value_report
from covernote.identity.usecases import SYSTEM
from covernote.kernel.errors import ValidationFailed
from covernote.kernel.ids import new_id
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import adjustments, cancellations, policies, quotes, renewals
from tests.support import motor_risk, new_customer, run_notices_after, young_risk

START = date(2026, 11, 22)  # the fixed clock's day; a 365-day term to 2027-11-22


def pence(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), ROUND_HALF_UP)


def pro_rata(price: str, days: int, term_days: int = 365) -> Decimal:
    """By hand: price x days on cover / days in term, rounded half-up to the penny."""
    return pence(Decimal(price) * days / term_days)


def buy(ctx, product: str = "ECO", extras: tuple[str, ...] = ("breakdown",), **answers: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    risk = young_risk(**answers) if product == "YOUNG_DRIVER" else motor_risk(**answers)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest(product, ctx.today(), risk, new_customer(ctx), None, extras))
    return quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))


def mta(ctx, pid: str, day: date, add: tuple[str, ...] = (), remove: tuple[str, ...] = ()) -> tuple[dict, dict]:  # type: ignore[no-untyped-def, type-arg]
    q = adjustments.quote_adjustment(ctx, SYSTEM, pid, adjustments.AdjustmentRequest(
        day, (), None, None, "extras", add, remove))
    return q, adjustments.confirm_adjustment(ctx, SYSTEM, pid, q["id"], new_id("key"))


def by_code(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {x["code"]: x for x in lines}


def test_add1_extras_bought_at_bind_are_their_own_lines_and_ledger_accounts(db_ctx):
    """ADD-1, PAY-7: each extra has its provider, insurer, price, IPT and documents, separate from the core
    premium (no NCD on extras); its premium, IPT and commission post to its own accounts."""
    q = quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("ECO", START, motor_risk(), new_customer(db_ctx),
                                                                None, ("breakdown", "legal_expenses")))
    lines = by_code(q["extras"])
    assert lines["breakdown"].items() >= {"provider": "RAC", "insurer": "Illustrative Breakdown Insurer",
                                          "price": "79.99", "premium": "79.99", "ipt": "9.60", "total": "89.59",
                                          "commission": "20.00", "action": "bought"}.items()
    assert lines["legal_expenses"]["premium"] == "29.99" and lines["legal_expenses"]["ipt"] == "3.60"
    assert lines["breakdown"]["documents"][0]["reference"] == "ECO-BRK-PW-2024.1"
    assert q["extras_total"] == "123.18"
    assert Decimal(q["total_payable"]) == Decimal(q["premium"]) + Decimal(q["ipt"]) + Decimal("123.18")
    assert {a["code"] for a in q["extras_available"]} == {"breakdown", "legal_expenses", "key_cover", "ncd_protection"}
    assert q["ncd_protection"]["offered"] and q["ncd_protection"]["eligible"] and not q["ncd_protection"]["selected"]
    p = quotes.bind_quote(db_ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    assert p["payment"]["amount"] == q["total_payable"]
    assert [x["code"] for x in p["extras"]] == ["breakdown", "legal_expenses"]
    assert p["extras"][0]["on_cover"] and p["extras"][0]["documents"]
    accounts = ledger.policy_statement(db_ctx, SYSTEM, p["id"])["accounts"]
    assert accounts["extras:breakdown:premium"] == "-79.99" and accounts["extras:breakdown:ipt"] == "-9.60"
    assert accounts["extras:breakdown:commission"] == "-20.00"
    assert accounts["extras:breakdown:commission-due"] == "20.00"
    assert accounts["extras:legal_expenses:commission"] == "-9.00"  # 30% of 29.99 = 8.997
    assert accounts["premium:written"] == f"-{q['premium']}"  # the core premium carries no extra
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_add1_extra_added_by_mta_mid_term_then_refunded_on_cancellation_to_the_penny(db_ctx, clock):
    """ADD-1: key cover added 100 days in, priced pro-rata by days like the core premium; cancellation 50
    days later refunds each extra pro-rata (FEE-6 for each extra: refund + earned = paid)."""
    p = buy(db_ctx)
    clock.advance(timedelta(days=100))
    day = db_ctx.today()
    assert day == date(2027, 3, 2)
    q, done = mta(db_ctx, p["id"], day, add=("key_cover",))
    [key] = q["extras"]
    # By hand: 19.99 x 265 days (2027-03-02 to 2027-11-22) / 365 = 14.5130... -> 14.51; IPT 12% = 1.7412 -> 1.74;
    # commission 25% = 3.6275 -> 3.63.
    assert (pro_rata("19.99", 265), pence(Decimal("14.51") * Decimal("0.12"))) == (Decimal("14.51"), Decimal("1.74"))
    assert (key["premium"], key["ipt"], key["total"], key["commission"]) == ("14.51", "1.74", "16.25", "3.63")
    assert key["cover"] == [{"from": "2027-03-02", "to": "2027-11-22"}] and key["action"] == "added"
    assert q["premium"] == "0.00"  # the core premium does not change
    assert q["total"] == "31.25"  # 14.51 + 1.74 + the 15.00 administration fee (FEE-2)
    assert done["payment"]["amount"] == "31.25"
    assert run_notices_after(db_ctx, days=14)["taken"] == 1  # PAY-3: taken 14 days after its letter

    clock.advance(timedelta(days=50))
    effective = db_ctx.today()
    assert effective == date(2027, 4, 21)
    cq = cancellations.quote_cancellation(db_ctx, SYSTEM, p["id"], cancellations.CancelInput(effective, "sold the car"))
    lines = by_code(cq["extras"])
    # Breakdown: 150 of 365 days on cover: 79.99 x 150 / 365 = 32.8726 -> 32.87 earned; paid 79.99, refund 47.12.
    # IPT earned 32.87 x 12% = 3.9444 -> 3.94; paid 9.60, refund 5.66.
    assert pro_rata("79.99", 150) == Decimal("32.87")
    assert (lines["breakdown"]["premium"], lines["breakdown"]["ipt"]) == ("-47.12", "-5.66")
    assert lines["breakdown"]["commission"] == "-11.78"  # commission kept 25% of 32.87 = 8.2175 -> 8.22; was 20.00
    # Key cover: 50 days (2027-03-02 to 2027-04-21): 19.99 x 50 / 365 = 2.7383 -> 2.74; paid 14.51, refund 11.77.
    # IPT earned 2.74 x 12% = 0.3288 -> 0.33; paid 1.74, refund 1.41.
    assert pro_rata("19.99", 50) == Decimal("2.74")
    assert (lines["key_cover"]["premium"], lines["key_cover"]["ipt"]) == ("-11.77", "-1.41")
    assert cq["extras_refund"] == "65.96"  # 47.12 + 5.66 + 11.77 + 1.41
    core_refund = Decimal(cq["refund"]["premium"]) + Decimal(cq["refund"]["ipt"])
    assert Decimal(cq["refund_total"]) == core_refund + Decimal("65.96") - Decimal("50.00")  # FEE-1 fee after 14 days
    done = cancellations.confirm_cancellation(db_ctx, SYSTEM, p["id"], cq["id"], new_id("key"))
    assert (done["payment"]["kind"], done["payment"]["amount"]) == ("refund", cq["refund_total"])
    assert done["payment"]["status"] == "notified"  # PAY-3: paid to the card 14 days after its letter
    assert run_notices_after(db_ctx, days=14)["paid"] == 1
    accounts = ledger.policy_statement(db_ctx, SYSTEM, p["id"])["accounts"]
    assert accounts["extras:breakdown:premium"] == "-32.87" and accounts["extras:key_cover:premium"] == "-2.74"
    assert accounts["extras:breakdown:ipt"] == "-3.94" and accounts["extras:key_cover:ipt"] == "-0.33"
    assert accounts["customer:receivable"] == "0.00"
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])
    assert by_code(view["extras"])["key_cover"]["cover"] == [{"from": "2027-03-02", "to": "2027-04-21"}]
    assert by_code(view["extras"])["key_cover"]["total"] == "3.07"  # 2.74 + 0.33 kept


def test_add1_removing_an_extra_mid_term_returns_its_premium_pro_rata(db_ctx, clock):
    p = buy(db_ctx)
    clock.advance(timedelta(days=100))
    q, _ = mta(db_ctx, p["id"], db_ctx.today(), remove=("breakdown",))
    [brk] = q["extras"]
    # Kept: 79.99 x 100 / 365 = 21.9151 -> 21.92, so 79.99 - 21.92 = 58.07 comes back; IPT 2.63 kept of 9.60.
    assert pro_rata("79.99", 100) == Decimal("21.92")
    assert (brk["premium"], brk["ipt"], brk["action"]) == ("-58.07", "-6.97", "removed")
    assert q["total"] == "-50.04"  # -58.07 - 6.97 + 15.00 fee
    view = policies.get_policy(db_ctx, SYSTEM, p["id"])
    assert by_code(view["extras"])["breakdown"]["on_cover"] is False
    assert by_code(view["extras"])["breakdown"]["premium"] == "21.92"
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_ncd3_protection_cannot_be_added_by_mta_and_bad_extras_name_their_field(db_ctx, clock):
    p = buy(db_ctx)
    clock.advance(timedelta(days=10))
    with pytest.raises(ValidationFailed) as err:
        mta(db_ctx, p["id"], db_ctx.today(), add=("ncd_protection", "sunroof"))
    reasons = {(i.field, i.reason.split(":")[0]) for i in err.value.issues}
    assert ("add_extras", "No-claims discount protection can be bought only at new business or at renewal, not by "
                          "a mid-term change (NCD-3)") in reasons
    assert any(i.field == "add_extras" and "'sunroof' is not an extra" in i.reason for i in err.value.issues)
    with pytest.raises(ValidationFailed) as err:
        mta(db_ctx, p["id"], db_ctx.today(), add=("breakdown",), remove=("key_cover",))
    assert {i.field for i in err.value.issues} == {"add_extras", "remove_extras"}  # already on; not on


def test_ncd3_protection_at_new_business_needs_five_years_and_at_most_two_claims(db_ctx):
    cid = new_customer(db_ctx)

    def quote(**answers: Any) -> dict[str, Any]:
        return quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("ECO", START, motor_risk(**answers), cid, None,
                                                                       ("ncd_protection",)))
    assert quote(ncd_years=5, claims_last_3_years=2)["extras"][0]["code"] == "ncd_protection"
    with pytest.raises(ValidationFailed) as err:
        quote(ncd_years=4, claims_last_3_years=3)
    assert [i.field for i in err.value.issues] == ["extras", "extras"]
    assert "5 or more years" in err.value.issues[0].reason and "no more than 2 claims" in err.value.issues[1].reason
    with pytest.raises(ValidationFailed) as err:
        quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("YOUNG_DRIVER", START, young_risk(), cid, None,
                                                                 ("breakdown",)))
    assert err.value.issues[0].field == "extras" and "rac_breakdown" in err.value.issues[0].reason


def test_fee1_a_claim_means_no_refund_of_extras_either(db_ctx, clock):
    """FEE-1 (S1): after a claim "no refund will be given and all premiums would be due": extras too."""
    p = buy(db_ctx, extras=("breakdown", "key_cover"))
    clock.advance(timedelta(days=30))
    policies.record_incident(db_ctx, SYSTEM, p["id"], kind="claim", occurred_on=db_ctx.today(), claim_type="accident")
    cq = cancellations.quote_cancellation(db_ctx, SYSTEM, p["id"], cancellations.CancelInput(db_ctx.today(), "x"))
    assert cq["method"] == "no_refund"
    assert all(x["premium"] == "0.00" and x["ipt"] == "0.00" for x in cq["extras"])
    assert "FEE-1" in cq["extras"][0]["explanation"]
    cancellations.confirm_cancellation(db_ctx, SYSTEM, p["id"], cq["id"], new_id("key"))
    accounts = ledger.policy_statement(db_ctx, SYSTEM, p["id"])["accounts"]
    assert accounts["extras:breakdown:premium"] == "-79.99" and accounts["extras:key_cover:premium"] == "-19.99"


def _renewal(ctx, clock, pid: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    clock.set_date(date(2027, 11, 10))
    return renewals.invite_renewal(ctx, SYSTEM, pid)


def test_add1_renewal_carries_extras_forward_and_they_can_be_removed_or_added(db_ctx, clock):
    p = buy(db_ctx, extras=("breakdown", "ncd_protection"))
    inv = _renewal(db_ctx, clock, p["id"])
    carried = by_code(inv["extras"])
    assert set(carried) == {"breakdown", "ncd_protection"}
    assert carried["breakdown"]["action"] == "renewed"
    assert carried["breakdown"]["cover"] == [{"from": "2027-11-22", "to": "2028-11-22"}]
    assert Decimal(inv["total"]) == Decimal(inv["premium"]) + Decimal(inv["ipt"]) + sum(
        Decimal(x["total"]) for x in inv["extras"])
    available = by_code(inv["extras_available"])
    assert available["key_cover"]["available"] and available["ncd_protection"]["available"]
    assert inv["ncd_protection"]["years_after"] == 6 and inv["ncd_protection"]["protected"] is True
    with pytest.raises(ValidationFailed) as err:
        renewals.confirm_renewal(db_ctx, SYSTEM, p["id"], inv["id"], new_id("key"), ("sunroof",))
    assert err.value.issues[0].field == "extras"
    renewed = renewals.confirm_renewal(db_ctx, SYSTEM, p["id"], inv["id"], new_id("key"), ("key_cover", "breakdown"))
    lines = by_code(renewed["extras"])
    assert set(lines) == {"key_cover", "breakdown"}  # NCD protection removed, key cover added
    assert lines["key_cover"]["premium"] == "19.99"
    assert renewed["ncd_protection"] == {"offered": True, "protected": False}
    core = Decimal(inv["premium"]) + Decimal(inv["ipt"])
    assert Decimal(renewed["payment"]["amount"]) == core + Decimal("89.59") + Decimal("22.39")  # 19.99 + 2.40 IPT
    txns = policies.policy_history(db_ctx, SYSTEM, p["id"])["transactions"]
    assert [x["action"] for x in txns[-1]["details"]["extras"]] == ["bought", "renewed"]
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_add1_renewal_accepted_without_a_choice_keeps_the_extras_carried_forward(db_ctx, clock):
    """As automatic renewal does; an empty choice renews with no extras."""
    p = buy(db_ctx, extras=("legal_expenses",))
    none = buy(db_ctx, extras=("legal_expenses",))
    inv = _renewal(db_ctx, clock, p["id"])
    renewed = renewals.confirm_renewal(db_ctx, SYSTEM, p["id"], inv["id"], new_id("key"))
    assert [x["code"] for x in renewed["extras"]] == ["legal_expenses"]
    inv = renewals.invite_renewal(db_ctx, SYSTEM, none["id"])
    renewed = renewals.confirm_renewal(db_ctx, SYSTEM, none["id"], inv["id"], new_id("key"), ())
    assert renewed["extras"] == []


def test_pay7_legal_expenses_commission_includes_the_fee_per_policy_sold(db_ctx, clock):
    """S3: a percentage of the extra's premium plus, for legal expenses, a fee for each policy sold."""
    p = buy(db_ctx, "YOUNG_DRIVER", ("legal_expenses",))
    [le] = p["extras"]
    assert (le["premium"], le["commission"]) == ("24.99", "10.00")  # 30% of 24.99 = 7.497 -> 7.50, + 2.50
    clock.advance(timedelta(days=3))
    cq = cancellations.quote_cancellation(db_ctx, SYSTEM, p["id"], cancellations.CancelInput(db_ctx.today(), "x"))
    [line] = cq["extras"]
    # 3 of 365 days earn 24.99 x 3 / 365 = 0.2054 -> 0.21; commission kept 0.06 + the 2.50 fee.
    assert line["premium"] == "-24.78" and line["commission"] == "-7.44"


def test_consumer_duty_fair_value_report_per_extra(db_ctx, clock):
    """Premium written net of refunds, IPT, commission, policies and claims of the extra's own types."""
    a = buy(db_ctx, extras=("breakdown", "ncd_protection"))
    b = buy(db_ctx, extras=("breakdown",))
    clock.advance(timedelta(days=40))
    policies.record_incident(db_ctx, SYSTEM, a["id"], kind="claim", occurred_on=db_ctx.today(), claim_type="breakdown")
    policies.record_incident(db_ctx, SYSTEM, b["id"], kind="claim", occurred_on=db_ctx.today(), claim_type="accident")
    mta(db_ctx, b["id"], db_ctx.today(), remove=("breakdown",))
    report = fair_value_report(db_ctx, SYSTEM, "eco", date(2026, 11, 1), date(2027, 11, 1))
    rows = {r["extra_code"]: r for r in report["rows"]}
    brk = rows["breakdown"]
    # b's breakdown: kept 79.99 x 40 / 365 = 8.7660 -> 8.77, so 71.22 came back.
    assert brk["premium_written"] == str(Decimal("79.99") + pro_rata("79.99", 40))
    assert (brk["policies_on_cover"], brk["sales"], brk["claims_recorded"], brk["claims_paid"]) == (2, 2, 1, "0.00")
    assert rows["ncd_protection"]["claims_recorded"] == 0  # the breakdown claim does not affect NCD (NCD-2)
    assert rows["key_cover"]["premium_written"] == "0.00" and rows["key_cover"]["policies_on_cover"] == 0
    assert "claims module" in report["notes"][-1]
    csv = fair_value_csv(report).splitlines()
    assert csv[0].startswith("from,to,product_code,extra_code")
    assert any(",breakdown," in ln for ln in csv[1:])
    later = fair_value_report(db_ctx, SYSTEM, None, date(2027, 11, 1), date(2028, 1, 1))
    assert all(r["premium_written"] == "0.00" for r in later["rows"])
    with pytest.raises(ValidationFailed) as err:
        fair_value_report(db_ctx, SYSTEM, None, date(2027, 1, 1), date(2027, 1, 1))
    assert err.value.issues[0].field == "to"


def test_add1_an_extra_removed_before_cancellation_is_not_refunded_again(db_ctx, clock):
    p = buy(db_ctx, extras=("breakdown", "key_cover"))
    clock.advance(timedelta(days=20))
    mta(db_ctx, p["id"], db_ctx.today(), remove=("key_cover",))
    clock.advance(timedelta(days=20))
    cq = cancellations.quote_cancellation(db_ctx, SYSTEM, p["id"], cancellations.CancelInput(db_ctx.today(), "x"))
    assert [x["code"] for x in cq["extras"]] == ["breakdown"]
    cancellations.confirm_cancellation(db_ctx, SYSTEM, p["id"], cq["id"], new_id("key"))
    accounts = ledger.policy_statement(db_ctx, SYSTEM, p["id"])["accounts"]
    assert accounts["extras:key_cover:premium"] == f"-{pro_rata('19.99', 20)}"  # 1.0953 -> 1.10 kept
    assert accounts["extras:breakdown:premium"] == f"-{pro_rata('79.99', 40)}"
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]

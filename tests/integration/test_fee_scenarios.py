"""Fees and refunds through the use cases, on the ECO (S1) and YOUNG_DRIVER (S3) products' figures.

Every expected amount is computed here in whole pence from the bound premium and the days on cover:
earned premium = round_half_up(premium x days_on_cover / days_in_term), its IPT = round_half_up(earned x
12%), refund = premium + IPT paid - earned - earned IPT - fees kept (FEE-1, FEE-4, FEE-5, FEE-6, POL-5).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from covernote.billing.usecases import notices
from covernote.identity.usecases import SYSTEM
from covernote.kernel.errors import ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import adjustments, cancellations, policies, quotes, renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change, Vehicle
from tests.support import adjust, bind, motor_risk, new_customer, run_notices_after, young_risk

IPT_RATE = Decimal("0.12")  # UK standard rate from 1 June 2017 (POL-6), as of the policies' dates


# -- independent pence arithmetic ----------------------------------------------------------------

def p(text: str) -> int:
    """'123.45' -> 12345 pence."""
    value = Decimal(text) * 100
    assert value == value.to_integral_value(), text
    return int(value)


def fmt(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def rhu(numerator: int | Decimal, denominator: int | Decimal = 1) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ipt(premium_pence: int) -> int:
    return rhu(Decimal(premium_pence) * IPT_RATE)


def pro_rata(premium_pence: int, days_on_cover: int, days_in_term: int) -> tuple[int, int]:
    earned = rhu(premium_pence * days_on_cover, days_in_term)
    return earned, ipt(earned)


# -- helpers ------------------------------------------------------------------------------------

def term_money(view: dict[str, Any]) -> tuple[int, int, int, date, date]:
    """(premium, ipt, days_in_term, start, end) of the policy's current term; checks IPT is 12% of premium."""
    term = view["current_term"]
    premium, tax = p(term["premium_charged"]), p(term["ipt_charged"])
    assert tax == ipt(premium), "POL-6: IPT is 12% of the premium, rounded half-up"
    start, end = date.fromisoformat(term["start_date"]), date.fromisoformat(term["end_date"])
    return premium, tax, (end - start).days, start, end


def cancel_now(ctx: AppContext, policy_id: str, effective: date | None = None, by: str = "customer") -> dict[str, Any]:
    q = cancellations.quote_cancellation(ctx, SYSTEM, policy_id,
                                         cancellations.CancelInput(effective or ctx.today(), "customer asked", by))
    return cancellations.confirm_cancellation(ctx, SYSTEM, policy_id, q["id"], new_id("key"))


def box_return(ctx: AppContext, policy_id: str, on: date) -> dict[str, Any]:
    return cancellations.record_box_return(ctx, SYSTEM, policy_id, on, new_id("key"))


def assert_settled(ctx: AppContext, policy_id: str) -> dict[str, Any]:
    """PAY-5/FEE-6: once the notices are taken or paid on their day (PAY-3: 14 days after their letters, by the
    daily step), the ledger reconciles, nothing is outstanding, the policy's account is at zero."""
    run = run_notices_after(ctx, days=14)
    assert run["failed"] == [] and run["unavailable"] == []
    report = ledger.reconcile(ctx, SYSTEM)
    assert report["ok"], report["problems"]
    assert report["outstanding_balances"] == []
    statement = ledger.policy_statement(ctx, SYSTEM, policy_id)
    assert statement["balance"] == "0.00"
    return statement


def paid_out(statement: dict[str, Any]) -> int:
    """Net cash taken from the customer on this policy (payments less refunds), from the cash account."""
    return p(statement["accounts"].get("cash:payment-provider", "0.00"))


def fee_codes(fees: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["code"], f["amount"]) for f in fees)


def new_car(reg: str = "NW21CAR") -> Vehicle:
    return Vehicle(reg, "Ford", "Fiesta", 2021, Money.of("14000"), abi_group=18, fuel="petrol", engine_cc=1000,
                   co2_gkm=120, mileage=15000)


# -- FEE-1 / POL-5: ECO cancellation inside and after the 14-day cooling-off ------------------------

@pytest.mark.parametrize(("day", "fee", "code", "within"), [
    (14, 3500, "cancellation_cooling_off", True),
    (15, 5000, "cancellation", False),
])
def test_fee1_fee6_eco_cancellation_fee_35_within_14_days_of_documents_50_after(db_ctx, clock, day, fee, code, within):
    """FEE-1, POL-5, FEE-6: request on day 14 after documents -> GBP 35 + time on cover; day 15 -> GBP 50."""
    pol = bind(db_ctx)
    premium, tax, term_days, start, _ = term_money(pol)
    clock.advance(timedelta(days=day))
    assert (db_ctx.today() - start).days == day
    out = cancel_now(db_ctx, pol["id"])
    earned, earned_ipt = pro_rata(premium, day, term_days)
    refund = premium + tax - earned - earned_ipt - fee
    r = out["refund"]
    assert r["within_cooling_off"] is within
    assert r["method"] == "pro_rata"
    assert (r["days_on_cover"], r["days_in_term"]) == (day, term_days)
    assert (p(r["earned"]["premium"]), p(r["earned"]["ipt"])) == (earned, earned_ipt)
    assert fee_codes(r["cancellation_fees"]) == [(code, fmt(fee))]
    assert r["refund_total"] == fmt(refund)
    assert out["payment"]["kind"] == "refund" and out["payment"]["amount"] == fmt(refund)
    # FEE-6: refund + earned premium and IPT + fees kept == paid
    assert refund + earned + earned_ipt + fee == premium + tax
    statement = assert_settled(db_ctx, pol["id"])
    assert paid_out(statement) == premium + tax - refund
    assert statement["accounts"][f"fees:{code}"] == fmt(-fee)
    assert statement["accounts"]["premium:written"] == fmt(-earned)
    assert statement["accounts"]["tax:ipt-payable"] == fmt(-earned_ipt)


def test_pol5_fee1_cooling_off_runs_from_documents_received_later(ctx, clock):
    """POL-5: cooling-off runs 14 days from the later of conclusion and documents: documents on day 3 make
    day 17 still within (fee 35) and day 18 after it (fee 50)."""
    pol = bind(ctx, documents_on=ctx.today() + timedelta(days=3))
    premium, tax, term_days, _, _ = term_money(pol)
    clock.advance(timedelta(days=17))
    q = cancellations.quote_cancellation(ctx, SYSTEM, pol["id"], cancellations.CancelInput(ctx.today(), "x"))
    assert q["within_cooling_off"] is True
    assert fee_codes(q["cancellation_fees"]) == [("cancellation_cooling_off", "35.00")]
    clock.advance(timedelta(days=1))
    out = cancel_now(ctx, pol["id"])
    earned, earned_ipt = pro_rata(premium, 18, term_days)
    assert out["refund"]["within_cooling_off"] is False
    assert out["payment"]["amount"] == fmt(premium + tax - earned - earned_ipt - 5000)
    assert_settled(ctx, pol["id"])


@pytest.mark.parametrize(("kind", "total_loss", "days_before_cancel"), [
    ("claim", False, 40),
    ("incident", False, 40),
    ("claim", True, 10),
])
def test_fee1_eco_claim_or_incident_means_no_refund_and_no_fee(ctx, clock, kind, total_loss, days_before_cancel):
    """FEE-1: with a claim, or an incident that may lead to one (or a total-loss claim within 14 days), no
    refund at all and all premium is due; no cancellation fee is added on top (FEE-6 still balances)."""
    pol = bind(ctx)
    premium, tax, _, _, _ = term_money(pol)
    clock.advance(timedelta(days=days_before_cancel - 2))
    policies.record_incident(ctx, SYSTEM, pol["id"], kind=kind, occurred_on=ctx.today() - timedelta(days=1),
                             total_loss=total_loss, reference="REF-1")
    clock.advance(timedelta(days=2))
    out = cancel_now(ctx, pol["id"])
    r = out["refund"]
    assert r["within_cooling_off"] is (days_before_cancel <= 14)
    assert r["method"] == "no_refund"
    assert r["cancellation_fees"] == []
    assert r["refund_total"] == "0.00" and r["amount_due_from_customer"] == "0.00"
    assert (p(r["earned"]["premium"]), p(r["earned"]["ipt"])) == (premium, tax)
    assert out["payment"]["kind"] == "none"
    assert out["transaction"]["premium"] == "0.00" and out["transaction"]["ipt"] == "0.00"
    statement = assert_settled(ctx, pol["id"])
    assert paid_out(statement) == premium + tax  # FEE-6: 0 refund + all earned + 0 fees == paid
    assert statement["accounts"]["premium:written"] == fmt(-premium)
    assert not any(a.startswith("fees:") for a in statement["accounts"])


@pytest.mark.parametrize("kind", ["claim", "incident"])
def test_issue13_item1_fee1_eco_claim_within_14_days_refunds_less_35_and_time_on_cover(ctx, clock, kind):
    """Issue 13 item 1, FEE-1 (S1): within 14 days of the documents only a total-loss claim forfeits the
    refund; a claim that is not a total loss (or an incident) gets premium + IPT - time on cover - GBP 35."""
    pol = bind(ctx)
    premium, tax, term_days, _, _ = term_money(pol)
    clock.advance(timedelta(days=5))
    policies.record_incident(ctx, SYSTEM, pol["id"], kind=kind, occurred_on=ctx.today() - timedelta(days=1),
                             reference="REF-1")
    clock.advance(timedelta(days=5))
    out = cancel_now(ctx, pol["id"])
    r = out["refund"]
    earned, earned_ipt = pro_rata(premium, 10, term_days)
    refund = premium + tax - earned - earned_ipt - 3500
    assert (r["within_cooling_off"], r["method"]) == (True, "pro_rata")
    assert fee_codes(r["cancellation_fees"]) == [("cancellation_cooling_off", "35.00")]
    assert r["refund_total"] == fmt(refund)
    assert out["payment"]["kind"] == "refund" and out["payment"]["amount"] == fmt(refund)
    assert any("only a total-loss claim means no refund" in line for line in r["explanation"])
    statement = assert_settled(ctx, pol["id"])
    assert paid_out(statement) == premium + tax - refund


# -- FEE-2 / FEE-4: MTA fees ---------------------------------------------------------------------

@pytest.mark.parametrize(("product", "fee_code", "fee"), [("ECO", "mta_admin", 1500), ("YOUNG_DRIVER", "mta", 2500)])
def test_fee2_fee4_mta_fee_with_pro_rata_additional_premium(ctx, clock, product, fee_code, fee):
    """FEE-2 (ECO GBP 15 per change), FEE-4 (YOUNG_DRIVER MTA GBP 25), POL-2: a mileage change on day 100
    charges round(old x 100/365 + new x 265/365) - old, its IPT, and the fee."""
    cid = new_customer(ctx)
    base = motor_risk() if product == "ECO" else young_risk()
    changed = motor_risk(mileage=12000) if product == "ECO" else young_risk(annual_mileage=12000)
    new_quote = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest(product, ctx.today(), changed, cid))
    new_premium = p(new_quote["premium"])
    pol = bind(ctx, product, base, customer_id=cid)
    premium, tax, term_days, _, _ = term_money(pol)
    assert new_premium > premium  # the mileage band 10001-15000 rates higher
    clock.advance(timedelta(days=100))
    out = adjust(ctx, pol["id"], ctx.today(), Change("set_answer", question="annual_mileage", value="12000"))
    after = rhu(premium * 100 + new_premium * (term_days - 100), term_days)
    extra, extra_ipt = after - premium, ipt(after) - tax
    assert out["premium_after"] == fmt(after)
    txn = out["transaction"]
    assert (p(txn["premium"]), p(txn["ipt"])) == (extra, extra_ipt)
    assert fee_codes(txn["fees_charged"]) == [(fee_code, fmt(fee))]
    assert out["total"] == fmt(extra + extra_ipt + fee)
    assert out["payment"]["kind"] == "charge" and out["payment"]["amount"] == fmt(extra + extra_ipt + fee)
    statement = assert_settled(ctx, pol["id"])
    assert statement["accounts"][f"fees:{fee_code}"] == fmt(-fee)


@pytest.mark.parametrize(("smartbox", "fee_code", "fee"), [
    ("retained", "vehicle_change_box_retained", 5000),
    ("new", "vehicle_change_new_box", 7500),
])
def test_fee4_young_driver_vehicle_change_fee_replaces_mta_fee(ctx, smartbox, fee_code, fee):
    """FEE-4: change of vehicle keeping the box GBP 50, with a new box GBP 75, instead of the GBP 25 MTA fee."""
    cid = new_customer(ctx)
    changed = young_risk()
    changed = type(changed)(new_car(), changed.drivers, changed.postcode, changed.answers)
    new_premium = p(quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("YOUNG_DRIVER", ctx.today(), changed, cid))["premium"])
    pol = bind(ctx, "YOUNG_DRIVER", customer_id=cid)
    premium, tax, _, start, _ = term_money(pol)
    out = adjust(ctx, pol["id"], start, Change("replace_vehicle", vehicle=new_car()), smartbox=smartbox)
    txn = out["transaction"]
    assert fee_codes(txn["fees_charged"]) == [(fee_code, fmt(fee))]
    assert (p(txn["premium"]), p(txn["ipt"])) == (new_premium - premium, ipt(new_premium) - tax)
    due = new_premium - premium + ipt(new_premium) - tax + fee
    assert out["total"] == fmt(due)
    assert out["payment"]["amount"] == fmt(abs(due))
    assert_settled(ctx, pol["id"])


def test_fee4_young_driver_vehicle_change_must_say_smartbox(ctx):
    """FEE-4: which vehicle-change fee applies depends on the box, so a vehicle change without `smartbox`
    is refused naming that field."""
    pol = bind(ctx, "YOUNG_DRIVER")
    with pytest.raises(ValidationFailed) as err:
        adjustments.quote_adjustment(ctx, SYSTEM, pol["id"], adjustments.AdjustmentRequest(
            ctx.today(), (Change("replace_vehicle", vehicle=new_car()),), None, None, "new car"))
    assert "smartbox" in [i.field for i in err.value.issues]


# -- FEE-4 / FEE-5: YOUNG_DRIVER cancellation and the Smartbox return -------------------------------

@pytest.mark.parametrize(("returned_after", "box_refund"), [(14, 5000), (15, 0)])
def test_fee5_young_driver_cooling_off_cancel_box_returned_in_time_refunds_half_arrangement(
        ctx, clock, returned_after, box_refund):
    """FEE-4/FEE-5/FEE-6: within cooling-off the GBP 100 arrangement fee is kept and no cancellation fee is
    charged; returning the box within 14 days of cancellation refunds GBP 50.00, on day 15 nothing."""
    pol = bind(ctx, "YOUNG_DRIVER")
    premium, tax, term_days, _, _ = term_money(pol)
    assert fee_codes(pol["fees"]) == [("arrangement", "100.00")]
    first = assert_settled(ctx, pol["id"])
    assert paid_out(first) == premium + tax + 10000
    clock.advance(timedelta(days=10))
    out = cancel_now(ctx, pol["id"])
    earned, earned_ipt = pro_rata(premium, 10, term_days)
    refund = premium + tax - earned - earned_ipt
    r = out["refund"]
    assert r["within_cooling_off"] is True
    assert r["cancellation_fees"] == []
    assert fee_codes(r["fees_kept"]) == [("arrangement", "100.00")]
    assert r["refund_total"] == fmt(refund) and out["payment"]["amount"] == fmt(refund)
    assert r["box_return"] == {"by": (ctx.today() + timedelta(days=14)).isoformat(), "further_refund": "50.00"}
    assert refund + earned + earned_ipt + 10000 == premium + tax + 10000  # FEE-6
    assert_settled(ctx, pol["id"])

    cancelled_on = ctx.today()
    clock.advance(timedelta(days=returned_after))
    back = box_return(ctx, pol["id"], cancelled_on + timedelta(days=returned_after))
    assert back["in_time"] is (box_refund > 0)
    refunded = sum(p(f["amount"]) for f in back["transaction"]["fees_refunded"])
    assert refunded == box_refund
    assert back["payment"]["amount"] == fmt(box_refund) and back["payment"]["kind"] == ("refund" if box_refund else "none")
    statement = assert_settled(ctx, pol["id"])
    kept = 10000 - box_refund
    assert paid_out(statement) == earned + earned_ipt + kept  # FEE-6: refunds + earned + kept == paid
    assert statement["accounts"]["fees:arrangement"] == fmt(-kept)


@pytest.mark.parametrize(("smartbox", "kept_fees", "refunded_fees", "box_refund"), [
    ("new", [("arrangement", "100.00"), ("vehicle_change_new_box", "75.00")], [], 8750),
    ("retained", [("arrangement", "100.00")], [("vehicle_change_box_retained", "50.00")], 5000),
])
def test_fee4_fee5_young_driver_vehicle_change_fees_on_cooling_off_cancellation(
        ctx, clock, smartbox, kept_fees, refunded_fees, box_refund):
    """FEE-4/FEE-5/FEE-6: cancelled within cooling-off after a change of vehicle on day 2: the retained-box
    fee is refunded with the premium; a new-box fee is kept and, like the arrangement fee, half of it comes
    back when the box is returned within 14 days (50.00 + 37.50)."""
    cid = new_customer(ctx)
    base = young_risk()
    changed = type(base)(new_car(), base.drivers, base.postcode, base.answers)
    new_premium = p(quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("YOUNG_DRIVER", ctx.today(), changed, cid))["premium"])
    pol = bind(ctx, "YOUNG_DRIVER", customer_id=cid)
    premium, _, term_days, _, _ = term_money(pol)
    clock.advance(timedelta(days=2))
    change = adjust(ctx, pol["id"], ctx.today(), Change("replace_vehicle", vehicle=new_car()), smartbox=smartbox)
    assert change["payment"]["status"] == "notified"  # PAY-3: to be taken 14 days after its letter
    clock.advance(timedelta(days=8))
    out = cancel_now(ctx, pol["id"])
    paid_premium = rhu(premium * 2 + new_premium * (term_days - 2), term_days)
    earned = rhu(premium * 2 + new_premium * 8, term_days)
    refund = paid_premium + ipt(paid_premium) - earned - ipt(earned) + sum(p(a) for _, a in refunded_fees)
    r = out["refund"]
    assert r["within_cooling_off"] is True and r["cancellation_fees"] == []
    assert fee_codes(r["fees_kept"]) == sorted(kept_fees)
    assert fee_codes(r["refund"]["fees"]) == refunded_fees
    # PAY-3: the change's charge was not yet taken: the cancellation cancels its notice and refunds the rest
    charge = p(change["payment"]["amount"])
    assert r["refund_total"] == fmt(refund) and out["payment"]["amount"] == fmt(refund - charge)
    assert out["payment"]["kind"] == "refund" and out["payment"]["status"] == "settled"
    assert [n["status"] for n in notices.policy_notices(ctx, SYSTEM, pol["id"])["notices"]] == ["cancelled"]
    assert r["box_return"]["further_refund"] == fmt(box_refund)
    back = box_return(ctx, pol["id"], ctx.today())
    assert back["payment"]["amount"] == fmt(box_refund)
    statement = assert_settled(ctx, pol["id"])
    kept = sum(p(a) for _, a in kept_fees) - box_refund
    assert paid_out(statement) == earned + ipt(earned) + kept  # FEE-6


def _young_after_cooling_off(ctx, clock) -> tuple[dict[str, Any], int, int, int, int]:
    pol = bind(ctx, "YOUNG_DRIVER")
    premium, tax, term_days, _, _ = term_money(pol)
    clock.advance(timedelta(days=20))
    out = cancel_now(ctx, pol["id"])
    earned, earned_ipt = pro_rata(premium, 20, term_days)
    refund = premium + tax - earned - earned_ipt - 5000
    r = out["refund"]
    assert r["within_cooling_off"] is False
    assert fee_codes(r["cancellation_fees"]) == [("cancellation", "50.00")]
    assert fee_codes(r["fees_kept"]) == [("arrangement", "100.00")]
    assert r["refund_total"] == fmt(refund) and out["payment"]["amount"] == fmt(refund)
    assert refund + earned + earned_ipt + 10000 + 5000 == premium + tax + 10000  # FEE-6
    assert_settled(ctx, pol["id"])
    return pol, premium, tax, earned, earned_ipt


def test_fee4_fee6_young_driver_cancel_after_cooling_off_charges_50_box_late_refunds_nothing(ctx, clock):
    """FEE-4/FEE-6: after cooling-off a GBP 50 cancellation fee is charged and the arrangement fee kept;
    a box returned on day 15 after cancellation refunds nothing."""
    pol, _, _, earned, earned_ipt = _young_after_cooling_off(ctx, clock)
    cancelled_on = ctx.today()
    clock.advance(timedelta(days=15))
    back = box_return(ctx, pol["id"], cancelled_on + timedelta(days=15))
    assert back["in_time"] is False and back["payment"]["kind"] == "none"
    statement = assert_settled(ctx, pol["id"])
    assert paid_out(statement) == earned + earned_ipt + 10000 + 5000


def test_fee5_young_driver_after_cooling_off_box_in_time_refunds_half_the_cancellation_fee_only(ctx, clock):
    """FEE-5: after cooling-off, returning the box within 14 days refunds 50% of the GBP 50 cancellation fee
    (25.00); FEE-4: the arrangement fee is non-refundable after cooling-off."""
    pol, _, _, earned, earned_ipt = _young_after_cooling_off(ctx, clock)
    cancelled_on = ctx.today()
    clock.advance(timedelta(days=14))
    back = box_return(ctx, pol["id"], cancelled_on + timedelta(days=14))
    assert back["in_time"] is True
    assert fee_codes(back["transaction"]["fees_refunded"]) == [("cancellation", "25.00")]
    assert back["payment"]["amount"] == "25.00"
    statement = assert_settled(ctx, pol["id"])
    assert paid_out(statement) == earned + earned_ipt + 10000 + 2500


# -- insurer cancellation notice -------------------------------------------------------------------

def test_pol1_insurer_cancellation_needs_product_notice_of_7_days(ctx, clock):
    """POL-1: an insurer cancellation needs the product's 7 days' notice: 6 days is refused naming
    effective_date; 7 days is accepted and refunds pro-rata less the after-cooling-off fee."""
    pol = bind(ctx)
    premium, tax, term_days, _, _ = term_money(pol)
    clock.advance(timedelta(days=30))
    with pytest.raises(ValidationFailed) as err:
        cancellations.quote_cancellation(ctx, SYSTEM, pol["id"], cancellations.CancelInput(
            ctx.today() + timedelta(days=6), "non-disclosure", "insurer"))
    assert "effective_date" in [i.field for i in err.value.issues]
    out = cancel_now(ctx, pol["id"], ctx.today() + timedelta(days=7), by="insurer")
    earned, earned_ipt = pro_rata(premium, 37, term_days)
    assert out["refund"]["days_on_cover"] == 37
    assert out["refund"]["refund_total"] == fmt(premium + tax - earned - earned_ipt - 5000)
    assert_settled(ctx, pol["id"])


# -- POL-4: voidance keeps the premium --------------------------------------------------------------

def test_pol4_void_for_fraud_keeps_all_premium(db_ctx, clock):
    """POL-4: on voidance for fraud no refund is posted, the account stays at zero and the status is void."""
    pol = bind(db_ctx, "YOUNG_DRIVER")
    premium, tax, _, _, _ = term_money(pol)
    clock.advance(timedelta(days=30))
    out = policies.void_policy(db_ctx, SYSTEM, pol["id"], reason="false claims history", idempotency_key=new_id("key"))
    assert out["status"] == "void"
    assert out["transaction"]["premium"] == "0.00" and out["transaction"]["fees_refunded"] == []
    assert policies.get_policy(db_ctx, SYSTEM, pol["id"])["status"] == "void"
    statement = assert_settled(db_ctx, pol["id"])
    assert not any(e["description"].startswith("Refund") for e in statement["entries"])
    assert paid_out(statement) == premium + tax + 10000
    assert statement["accounts"]["premium:written"] == fmt(-premium)
    with pytest.raises(ValidationFailed):
        cancellations.quote_cancellation(db_ctx, SYSTEM, pol["id"], cancellations.CancelInput(db_ctx.today(), "x"))


# -- POL-3: renewal ----------------------------------------------------------------------------------

def _invite_near_end(ctx, clock, pol: dict[str, Any], days_before: int = 20) -> dict[str, Any]:
    end = date.fromisoformat(pol["current_term"]["end_date"])
    clock.set_date(end - timedelta(days=days_before))
    return renewals.invite_renewal(ctx, SYSTEM, pol["id"])


@pytest.mark.parametrize(("product", "fees"), [("ECO", []), ("YOUNG_DRIVER", [("renewal", "50.00")])])
def test_pol3_renewal_shows_last_year_capped_at_new_business_price_and_charges_renewal_fee(
        db_ctx, clock, product, fees):
    """POL-3, FEE-4: the invitation shows last year's premium, the renewal premium is no more than the
    equivalent new-business premium, YOUNG_DRIVER charges its GBP 50 renewal fee, NCD earns a year."""
    pol = bind(db_ctx, product)
    premium, _, _, _, end = term_money(pol)
    inv = _invite_near_end(db_ctx, clock, pol)
    assert inv["last_year_premium"] == fmt(premium)
    assert p(inv["premium"]) <= p(inv["equivalent_new_business_premium"])
    assert fee_codes(inv["fees"]) == fees
    assert inv["term"]["start"] == end.isoformat()
    ncd_before = 5 if product == "ECO" else 0
    assert inv["ncd"] == {"before": ncd_before, "after": ncd_before + 1, "claims_in_term": 0}
    renewed = renewals.confirm_renewal(db_ctx, SYSTEM, pol["id"], inv["id"], new_id("key"))
    new_premium = p(inv["premium"])
    due = new_premium + ipt(new_premium) + sum(p(a) for _, a in fees)
    assert renewed["payment"]["amount"] == fmt(due)
    assert renewed["terms"] == 2
    hist = policies.policy_history(db_ctx, SYSTEM, pol["id"])
    assert [t["kind"] for t in hist["transactions"]] == ["new_business", "renewal"]
    assert hist["terms"][1]["versions"][0]["risk"]["answers"]["ncd_years"] == str(ncd_before + 1)
    assert_settled(db_ctx, pol["id"])


def test_pol3_ncd_5_to_6_claim_free_and_stepped_back_after_a_claim(ctx, clock):
    """POL-3/NCD-5: a claim-free ECO year takes NCD 5 -> 6; a claim in the term steps 5 back to 3."""
    clean = bind(ctx)
    claimed = bind(ctx)
    clock.advance(timedelta(days=60))
    policies.record_incident(ctx, SYSTEM, claimed["id"], kind="claim", occurred_on=ctx.today())
    inv = _invite_near_end(ctx, clock, clean)
    assert inv["ncd"] == {"before": 5, "after": 6, "claims_in_term": 0}
    inv2 = renewals.invite_renewal(ctx, SYSTEM, claimed["id"])
    assert inv2["ncd"] == {"before": 5, "after": 3, "claims_in_term": 1}
    assert p(inv2["premium"]) > p(inv["premium"])


def test_pol3_auto_renew_off_is_not_renewed(ctx, clock):
    """POL-3: the customer switches auto-renewal off; run_auto_renewals then leaves the policy alone."""
    pol = bind(ctx)
    view = policies.set_auto_renew(ctx, SYSTEM, pol["id"], False, idempotency_key="auto-renew-off-1")
    assert view["auto_renew"] is False
    inv = _invite_near_end(ctx, clock, pol)
    assert inv["auto_renew"] is False
    end = date.fromisoformat(pol["current_term"]["end_date"])
    for day in (end - timedelta(days=1), end):
        clock.set_date(day)
        assert renewals.run_auto_renewals(ctx)["renewed"] == 0
    assert policies.get_policy(ctx, SYSTEM, pol["id"])["terms"] == 1


def test_pol3_auto_renew_on_renews_on_last_day_of_cover(ctx, clock):
    """POL-3: with auto-renewal on and an open invitation, run_auto_renewals on the last day of cover renews."""
    pol = bind(ctx)
    _, _, _, _, end = term_money(pol)
    inv = _invite_near_end(ctx, clock, pol)
    clock.set_date(end - timedelta(days=1))
    report = renewals.run_auto_renewals(ctx)
    assert report == {"as_of": (end - timedelta(days=1)).isoformat(), "renewed": 1, "failed": []}
    view = policies.get_policy(ctx, SYSTEM, pol["id"])
    assert view["terms"] == 2
    assert view["current_term"]["premium_charged"] == inv["premium"]
    assert_settled(ctx, pol["id"])

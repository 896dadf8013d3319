"""PAY-7 through the use cases on SQLite and PostgreSQL: commission on the core premium posted with every
transaction (new business, adjustment, cancellation, renewal) as its own pair of postings, checked by the
reconciliation; the disclosure on request (customer and staff) and its stored letter; the commission
report. And a property test on SQLite: over any sequence of adjustments and a cancellation, the commission
posted is the rate times the net premium written, to the penny, and the ledger reconciles."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.billing.usecases import commission
from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Forbidden, NotFound, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.kernel.journal import COMMISSION_EARNED, COMMISSION_WITHHELD, JournalEntry, Posting
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import policies, quotes, renewals
from covernote.policy.domain.risk import Change
from tests.conftest import START
from tests.integration.test_state_machine import fresh_ctx
from tests.support import adjust, bind, cancel, new_customer, young_risk

RATE = Decimal("12.5")


def pence(text: str) -> int:
    return int(Decimal(text) * 100)


def rate_of(premium_pence: int) -> int:
    """By hand: 12.5% of the net premium, rounded half-up once."""
    return int((Decimal(premium_pence) * RATE / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def accounts(ctx, pid: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return ledger.policy_statement(ctx, SYSTEM, pid)["accounts"]


def check_commission(ctx, pid: str) -> int:  # type: ignore[no-untyped-def]
    """The policy's commission accounts hold 12.5% of each term's net premium written (from its
    transactions), rounded once per term, summed; returns it."""
    by_term: dict[int, int] = {}
    for t in policies.policy_history(ctx, SYSTEM, pid)["transactions"]:
        by_term[t["term"]] = by_term.get(t["term"], 0) + pence(t["premium"])
    a = accounts(ctx, pid)
    assert sum(by_term.values()) == -pence(a["premium:written"])
    want = sum(rate_of(premium) for premium in by_term.values())
    assert -pence(a.get(COMMISSION_EARNED, "0")) == want
    assert pence(a.get(COMMISSION_WITHHELD, "0")) == want
    return want


def buy_young(ctx, customer_id: str | None = None, extras: tuple[str, ...] = ("legal_expenses",)) -> dict:  # type: ignore[no-untyped-def, type-arg]
    cid = customer_id or new_customer(ctx)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("YOUNG_DRIVER", ctx.today(), young_risk(), cid, None, extras))
    return quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))


def test_pay7_new_business_posts_commission_on_the_core_premium_and_reconciles(db_ctx):
    """PAY-7 (S3): a percentage of the premium from the insurer, posted as its own pair: withheld from
    the premium remitted and earned; the customer's account is unchanged by it."""
    p = buy_young(db_ctx)
    premium = pence(p["current_term"]["premium_charged"])
    a = accounts(db_ctx, p["id"])
    assert -pence(a[COMMISSION_EARNED]) == rate_of(premium) > 0
    assert pence(a[COMMISSION_WITHHELD]) == rate_of(premium)
    assert a["customer:receivable"] == "0.00"  # paid in full by card: commission changes nothing owed
    assert a["extras:legal_expenses:commission"] == "-10.00"  # 30% of 24.99 = 7.50 (7.497) + 2.50 per sale
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"], report["problems"]


def test_pay7_eco_is_sold_direct_and_posts_no_core_commission(db_ctx):
    p = bind(db_ctx, "ECO")
    assert COMMISSION_EARNED not in accounts(db_ctx, p["id"])
    assert ledger.reconcile(db_ctx, SYSTEM)["ok"]


def test_pay7_commission_follows_adjustments_and_is_returned_pro_rata_on_cancellation(db_ctx, clock):
    p = buy_young(db_ctx, extras=())
    start = date.fromisoformat(p["current_term"]["start_date"])
    before = check_commission(db_ctx, p["id"])
    clock.advance(timedelta(days=40))
    adjust(db_ctx, p["id"], start + timedelta(days=40), Change("set_answer", question="annual_mileage", value="15000"))
    after_mta = check_commission(db_ctx, p["id"])
    assert after_mta > before  # more premium, more commission
    clock.advance(timedelta(days=60))
    cancel(db_ctx, p["id"], start + timedelta(days=100))
    left = check_commission(db_ctx, p["id"])
    assert 0 < left < after_mta  # returned in proportion with the premium refunded
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"], report["problems"]


def test_pay7_a_renewal_earns_commission_on_its_own_term(db_ctx, clock):
    p = buy_young(db_ctx, extras=())
    clock.set_date(date(2027, 11, 10))
    inv = renewals.invite_renewal(db_ctx, SYSTEM, p["id"])
    renewals.confirm_renewal(db_ctx, SYSTEM, p["id"], inv["id"], new_id("key"))
    first, second = pence(p["current_term"]["premium_charged"]), pence(inv["premium"])
    a = accounts(db_ctx, p["id"])
    assert -pence(a[COMMISSION_EARNED]) == rate_of(first) + rate_of(second)  # rounded once per term
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert report["ok"], report["problems"]


def test_pay7_reconciliation_finds_commission_that_differs_from_the_rate_times_the_premium(db_ctx):
    p = buy_young(db_ctx, extras=())
    with db_ctx.uow() as uow:
        uow.ledger.add(JournalEntry(new_id("jnl"), db_ctx.clock.now(), "a stray commission", p["id"], None, (
            Posting(COMMISSION_WITHHELD, Money.of("1.00")), Posting(COMMISSION_EARNED, Money.of("-1.00")))))
        uow.commit()
    report = ledger.reconcile(db_ctx, SYSTEM)
    assert not report["ok"]
    assert {x.get("account") for x in report["problems"]} == {COMMISSION_EARNED, COMMISSION_WITHHELD}


def test_pay7_disclosure_lists_each_policy_core_extras_and_finance_for_the_customer_and_staff(db_ctx):
    cid = new_customer(db_ctx, "Ann Example")
    yd = buy_young(db_ctx, cid)
    eco = bind(db_ctx, "ECO", customer_id=cid)
    other = buy_young(db_ctx)
    me = Principal("usr_ann", "customer", cid)
    d = commission.commission_disclosure(db_ctx, me, cid)
    by_number = {x["number"]: x for x in d["policies"]}
    assert set(by_number) == {yd["number"], eco["number"]}
    young = by_number[yd["number"]]
    assert young["core_percent"] == "12.5"
    assert pence(young["core_earned"]) == rate_of(pence(yd["current_term"]["premium_charged"]))
    extras = {x["code"]: x for x in young["extras"]}
    assert extras["legal_expenses"] == {"code": "legal_expenses", "name": "Legal expenses insurance",
                                        "insurer": "Illustrative Legal Insurer", "percent": "30", "per_sale": "2.50",
                                        "premium": "24.99", "earned": "10.00"}
    assert extras["rac_breakdown"]["earned"] == "0.00" and extras["rac_breakdown"]["percent"] == "25"
    assert young["finance_introduction"] == "0.00"  # a card payer: no finance provider
    assert by_number[eco["number"]]["core_percent"] is None
    assert Decimal(d["total"]) == sum(Decimal(x["total"]) for x in d["policies"])
    assert commission.commission_disclosure(db_ctx, SYSTEM, cid) == d  # staff see the same
    assert commission.policy_disclosure(db_ctx, me, yd["number"]) == d  # by policy number too
    with pytest.raises(NotFound):  # another customer's does not exist to Ann
        commission.commission_disclosure(db_ctx, me, other["customer_id"])
    with pytest.raises(NotFound):
        commission.policy_disclosure(db_ctx, me, other["id"])


def test_pay7_disclosure_shows_finance_introduction_commission_posted_by_premium_finance(db_ctx):
    """The finance provider's commission, on whatever `commission:finance*` accounts premium finance posts
    it, appears once posted (the provider's debt for it is not counted twice)."""
    p = buy_young(db_ctx, extras=())
    with db_ctx.uow() as uow:
        uow.ledger.add(JournalEntry(new_id("jnl"), db_ctx.clock.now(), "finance introduction", p["id"], None, (
            Posting("commission:finance-introduction:due", Money.of("42.10")),
            Posting("commission:finance-introduction", Money.of("-42.10")))))
        uow.commit()
    d = commission.commission_disclosure(db_ctx, SYSTEM, p["customer_id"])
    assert d["policies"][0]["finance_introduction"] == "42.10"


def test_pay7_the_disclosure_letter_is_stored_once_with_the_policys_documents(db_ctx):
    cid = new_customer(db_ctx)
    p = buy_young(db_ctx, cid)
    me = Principal("usr_ann", "customer", cid)
    first = commission.disclosure_letter(db_ctx, me, p["id"])
    again = commission.disclosure_letter(db_ctx, me, p["id"])
    assert first["id"] == again["id"] and first["kind"] == "commission_disclosure"
    assert {f["format"] for f in first["formats"]} >= {"pdf", "html", "txt"}
    listed = documents.list_documents(db_ctx, me, p["id"])
    assert first["id"] in {x["id"] for x in listed["documents"]}
    text = documents.get_document(db_ctx, me, first["id"], "txt").content.decode()
    assert p["number"] in text and "12.5% of the premium" in text
    assert documents.get_document(db_ctx, me, first["id"], "pdf").content.startswith(b"%PDF")


def test_pay7_commission_report_per_transaction_for_staff_only(db_ctx, clock):
    p = buy_young(db_ctx)
    start = date.fromisoformat(p["current_term"]["start_date"])
    clock.advance(timedelta(days=30))
    cancel(db_ctx, p["id"], start + timedelta(days=30))
    report = commission.commission_report(db_ctx, SYSTEM, START, START + timedelta(days=60))
    rows = [r for r in report["rows"] if r["policy_id"] == p["id"]]
    kinds = [r["transaction_kind"] for r in rows]
    assert kinds[0] == "new_business" and "cancellation" in kinds
    nb = rows[0]
    assert nb["premium"] == p["current_term"]["premium_charged"]
    assert pence(nb["core_commission"]) == rate_of(pence(nb["premium"]))
    assert nb["extras_commission"] == "10.00" and nb["extras_premium"] == "24.99"
    assert sum(pence(r["core_commission"]) for r in rows) == check_commission(db_ctx, p["id"])
    csv = commission.commission_csv(report)
    assert csv.splitlines()[0].startswith("posted_on,policy_number") and p["number"] in csv
    assert commission.commission_report(db_ctx, SYSTEM, START + timedelta(days=100), START + timedelta(days=101))[
        "rows"] == []
    with pytest.raises(Forbidden):
        commission.commission_report(db_ctx, Principal("usr_c", "customer", p["customer_id"]), START, START)
    with pytest.raises(ValidationFailed) as err:
        commission.commission_report(db_ctx, SYSTEM, START, START)
    assert err.value.issues[0].field == "to"


# -- the property ------------------------------------------------------------------------------------------

FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MILEAGES = st.sampled_from(["2000", "6000", "9000", "12000", "17000", "19000"])


@FAST
@given(steps=st.lists(st.tuples(st.integers(1, 60), MILEAGES), min_size=1, max_size=4),
       renew=st.booleans(), renewed_miles=st.one_of(st.none(), MILEAGES),
       cancel_after=st.one_of(st.none(), st.integers(1, 60)))
def test_pay7_over_any_sequence_of_transactions_commission_is_the_rate_times_the_net_premium(
        steps, renew, renewed_miles, cancel_after):
    """PAY-7, PAY-5: after any sequence of adjustments (each a change of mileage some days on), maybe a
    renewal (and a change in the renewed term) and maybe a cancellation, the commission posted is
    round_half_up(12.5% x each term's net premium written) to the penny, and the whole ledger reconciles."""
    clock = FixedClock(START)
    ctx, folder = fresh_ctx(clock)
    try:
        p = buy_young(ctx, extras=())
        day = date.fromisoformat(p["current_term"]["start_date"])
        for gap, miles in steps:
            clock.advance(timedelta(days=gap))
            day += timedelta(days=gap)
            adjust(ctx, p["id"], day, Change("set_answer", question="annual_mileage", value=miles))
        if renew:
            clock.set_date(date(2027, 11, 10))
            inv = renewals.invite_renewal(ctx, SYSTEM, p["id"])
            renewals.confirm_renewal(ctx, SYSTEM, p["id"], inv["id"], new_id("key"))
            day = date(2027, 11, 22) + timedelta(days=20)  # 20 days into the renewed term
            clock.set_date(day)
            if renewed_miles is not None:
                adjust(ctx, p["id"], day, Change("set_answer", question="annual_mileage", value=renewed_miles))
        if cancel_after is not None:
            clock.advance(timedelta(days=cancel_after))
            cancel(ctx, p["id"], day + timedelta(days=cancel_after))
        check_commission(ctx, p["id"])
        report = ledger.reconcile(ctx, SYSTEM)
        assert report["ok"], report["problems"]
    finally:
        ctx.uow.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)

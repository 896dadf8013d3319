"""TEL-4: the 90-day premium review through the lifecycle, on SQLite and PostgreSQL (db_ctx): the adjustment and
its money, the ledger, the card payer's 14-day notice, the letter, idempotence, the REST and CLI edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from covernote.documents.usecases import documents
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Forbidden, ValidationFailed
from covernote.kernel.money import Money
from covernote.ledger import usecases as ledger
from covernote.platform.context import AppContext
from covernote.telematics.ports.rerating import PeriodScoreValue
from covernote.telematics.usecases import rerating
from tests.support import bind


class FakeScores:
    """The scores helper's stored scores stand-in: a score per period start, None for no data."""

    def __init__(self, by_end: dict[date, Decimal | None]) -> None:
        self.by_end = by_end
        self.asked: list[tuple[str, date, date]] = []

    def period(self, policy_id: str, start: date, end: date) -> PeriodScoreValue | None:
        self.asked.append((policy_id, start, end))
        score = self.by_end.get(end)
        return None if score is None else PeriodScoreValue(score, 42)


def _bound(ctx: AppContext, clock: FixedClock) -> tuple[dict, date]:  # type: ignore[type-arg]
    policy = bind(ctx, "YOUNG_DRIVER")
    start = date.fromisoformat(policy["term"]["start"]) if "term" in policy else ctx.today()
    return policy, start


def _policy_id(policy: dict) -> str:  # type: ignore[type-arg]
    return str(policy.get("id") or policy["policy_id"])


def _notices(ctx: AppContext, policy_id: str) -> list:  # type: ignore[type-arg]
    with ctx.uow(read_only=True) as uow:
        return list(uow.payment_notices.for_policy(policy_id))


def test_tel4_a_worse_score_at_day_90_is_an_increase_noticed_14_days_ahead_and_made_once(
        db_ctx: AppContext, clock: FixedClock) -> None:
    """TEL-4, PAY-3: day 90, a score 10 points below the baseline: the loading rises by 10% (1% a point), the
    adjustment charges the rest of the term pro rata with IPT, the ledger reconciles, a card payer gets a 14-day
    notice (nothing taken now), the letter is issued; run again, nothing changes."""
    policy, start = _bound(db_ctx, clock)
    pid = _policy_id(policy)
    review_on = start + timedelta(days=90)
    clock.set_date(review_on, 9)
    scores = FakeScores({review_on: Decimal("60")})
    before = _notices(db_ctx, pid)
    run = rerating.reviews_due(db_ctx, SYSTEM, review_on, scores)
    assert [v["review_on"] for v in run["reviewed"]] == [review_on.isoformat()] and not run["failed"]
    view = run["reviewed"][0]
    assert (view["score"], view["previous_score"], view["against_baseline"]) == ("60.00", "70.00", True)
    assert (view["loading_before"], view["loading_after"], view["capped"]) == (0, 10, False)
    annual_before, annual_after = Money.of(view["premium_before"]), Money.of(view["premium_after"])
    assert annual_after > annual_before
    premium = Money.of(view["premium"])
    assert premium > Money.zero() and Money.of(view["ipt"]) > Money.zero()
    # the rest of the term, pro rata, within a penny of the annual difference times the days left
    with db_ctx.uow(read_only=True) as uow:
        term_days = uow.policies.get(pid).term().period.days  # type: ignore[union-attr]
    left = term_days - 90
    expected = (annual_after - annual_before) * Decimal(left) / Decimal(term_days)
    assert abs((premium - expected).amount) <= Decimal("0.01")
    # no adjustment fee on a review; the total is premium plus IPT
    assert Money.of(view["total"]) == premium + Money.of(view["ipt"])
    # PAY-3: a notice to take it 14 days after its letter; nothing taken now
    new = [n for n in _notices(db_ctx, pid) if n not in before]
    assert len(new) == 1 and new[0].kind == "charge" and new[0].amount == Money.of(view["total"])
    assert new[0].status == "pending" and new[0].due_on == db_ctx.today() + timedelta(days=14)
    assert view["payment"]["kind"] != "payment" or view["payment"]["status"] != "taken"
    assert ledger.reconcile(db_ctx)["problems"] == []
    # DOC-1: the letter, one of the policy's documents
    docs = [d for d in documents.list_documents(db_ctx, SYSTEM, pid)["documents"] if d["kind"] == "telematics_review"]
    assert len(docs) == 1 and view["document_id"] == docs[0]["id"]
    # the same review run twice changes nothing
    again = rerating.reviews_due(db_ctx, SYSTEM, review_on, scores)
    assert again["reviewed"] == [] and again["no_score"] == []
    same = rerating.review(db_ctx, SYSTEM, pid, review_on, scores)
    assert same["transaction_id"] == view["transaction_id"]
    assert len(_notices(db_ctx, pid)) == len(before) + 1
    listed = rerating.list_reviews(db_ctx, SYSTEM, pid)
    assert [v["review_on"] for v in listed["reviews"]] == [review_on.isoformat()]
    assert listed["upcoming"][0] == (start + timedelta(days=180)).isoformat()
    assert ledger.reconcile(db_ctx)["problems"] == []


def test_tel4_a_better_score_gives_a_refund_notice(db_ctx: AppContext, clock: FixedClock) -> None:
    """TEL-4, PAY-3: a score 8 points above the baseline: an 8% discount from day 90, a refund noticed."""
    policy, start = _bound(db_ctx, clock)
    pid = _policy_id(policy)
    review_on = start + timedelta(days=90)
    clock.set_date(review_on, 9)
    view = rerating.review(db_ctx, SYSTEM, pid, review_on, FakeScores({review_on: Decimal("78")}))
    assert (view["loading_after"], Money.of(view["premium"]) < Money.zero()) == (-8, True)
    refunds = [n for n in _notices(db_ctx, pid) if n.transaction_id == view["transaction_id"]]
    assert len(refunds) == 1 and refunds[0].kind == "refund" and refunds[0].amount == abs(Money.of(view["total"]))
    assert ledger.reconcile(db_ctx)["problems"] == []


def test_tel4_no_score_no_change_and_the_review_says_why(db_ctx: AppContext, clock: FixedClock) -> None:
    """TEL-4: the box sent nothing: no adjustment, the review and its letter say why; tried again next day."""
    policy, start = _bound(db_ctx, clock)
    pid = _policy_id(policy)
    review_on = start + timedelta(days=90)
    clock.set_date(review_on, 9)
    run = rerating.reviews_due(db_ctx, SYSTEM, review_on, FakeScores({}))
    assert run["reviewed"] == [] and len(run["no_score"]) == 1 and "no driving score" in run["no_score"][0]["reason"]
    assert rerating.list_reviews(db_ctx, SYSTEM, pid)["reviews"] == []
    later = rerating.reviews_due(db_ctx, SYSTEM, review_on + timedelta(days=1), FakeScores({review_on: Decimal(70)}))
    assert [v["loading_after"] for v in later["reviewed"]] == [0]


def test_tel4_later_reviews_compare_with_the_last_and_the_cap_holds(db_ctx: AppContext, clock: FixedClock) -> None:
    """TEL-4: each review compares with the last reviewed score; worsening every period stops at the 50% cap."""
    policy, start = _bound(db_ctx, clock)
    pid = _policy_id(policy)
    ends = [start + timedelta(days=90 * k) for k in (1, 2, 3, 4)]
    scores = FakeScores({ends[0]: Decimal(50), ends[1]: Decimal(30), ends[2]: Decimal(10), ends[3]: Decimal(0)})
    loadings = []
    for end in ends:
        clock.set_date(end, 9)
        loadings += [v["loading_after"] for v in rerating.reviews_due(db_ctx, SYSTEM, end, scores)["reviewed"]]
    assert loadings == [15, 30, 45, 50]
    last = rerating.list_reviews(db_ctx, SYSTEM, pid)["reviews"][-1]
    assert last["capped"] is True and last["previous_score"] == "10.00"
    assert ledger.reconcile(db_ctx)["problems"] == []


def test_tel4_guards(db_ctx: AppContext, clock: FixedClock) -> None:
    """TEL-4: a review only on a review date, staff only; the loading is never set by an ordinary adjustment."""
    from covernote.identity.usecases import Principal
    from covernote.lifecycle.usecases import adjustments
    from covernote.policy.domain.risk import Change

    policy, start = _bound(db_ctx, clock)
    pid = _policy_id(policy)
    with pytest.raises(ValidationFailed) as exc:
        rerating.review(db_ctx, SYSTEM, pid, start + timedelta(days=91), FakeScores({}))
    assert exc.value.issues[0].field == "review_on"
    with pytest.raises(Forbidden):
        rerating.review(db_ctx, Principal("u1", "customer", "c1"), pid, start + timedelta(days=90), FakeScores({}))
    with pytest.raises(ValidationFailed) as exc:
        adjustments.quote_adjustment(db_ctx, SYSTEM, pid, adjustments.AdjustmentRequest(
            start + timedelta(days=1), (Change("set_answer", question="telematics_loading_percent", value="-50"),),
            reason="cheaper please"))
    assert any("90-day review" in i.reason for i in exc.value.issues)
    # nor by a new-business quote: a policy starts without a loading
    from dataclasses import replace

    from covernote.lifecycle.usecases import quotes
    from tests.support import new_customer, young_risk

    loaded = replace(young_risk(), answers=tuple(sorted({**young_risk().answers_dict(),
                                                         "telematics_loading_percent": "-50"}.items())))
    with pytest.raises(ValidationFailed) as exc:
        quotes.create_quote(db_ctx, SYSTEM, quotes.QuoteRequest("YOUNG_DRIVER", db_ctx.today(), loaded,
                                                                new_customer(db_ctx)))
    assert [i.field for i in exc.value.issues] == ["risk.answers.telematics_loading_percent"]


def test_tel4_the_rest_resources(ctx: AppContext, clock: FixedClock) -> None:
    """TEL-4: GET a policy's reviews (the customer their own, another's 404), staff POST a review and the run
    (a customer 403; a date that is not a review date 422 naming `review_on`)."""
    from fastapi.testclient import TestClient

    from covernote.api.app import create_app
    from covernote.identity.usecases import create_user
    from covernote.telematics.api import rerating as api

    policy, start = _bound(ctx, clock)
    pid = _policy_id(policy)
    other, _ = _bound(ctx, clock)
    _, staff = create_user(ctx, "Staff", "staff")
    _, customer = create_user(ctx, "Ann", "customer", customer_id=policy["customer_id"])
    review_on = start + timedelta(days=90)
    clock.set_date(review_on, 9)
    app = create_app(ctx)
    app.dependency_overrides[api.period_scores] = lambda: FakeScores({review_on: Decimal("65")})
    client = TestClient(app)
    s, c = {"Authorization": f"Bearer {staff}"}, {"Authorization": f"Bearer {customer}"}
    assert client.post("/telematics/reviews/run", json={}, headers=c).status_code == 403
    bad = client.post(f"/policies/{pid}/telematics/reviews", json={"review_on": "2027-01-01"}, headers=s)
    assert bad.status_code == 422 and "review_on" in bad.text
    run = client.post("/telematics/reviews/run", json={"as_of": review_on.isoformat()}, headers=s)
    assert run.status_code == 200 and len(run.json()["reviewed"]) == 2
    mine = client.get(f"/policies/{pid}/telematics/reviews", headers=c)
    assert mine.status_code == 200 and mine.json()["reviews"][0]["loading_after"] == 5
    got = mine.json()["reviews"][0]
    assert Money.of(got["premium_after"]) > Money.of(got["premium_before"])
    assert client.get(f"/policies/{_policy_id(other)}/telematics/reviews", headers=c).status_code == 404


def test_tel4_the_commands(ctx: AppContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """TEL-4: `review run [--as-of DAY]` and `review list POLICY`; a bad day exits non-zero naming it."""
    from typer.testing import CliRunner

    from covernote.telematics.cli import rerating as cli

    policy, start = _bound(ctx, clock)
    pid = _policy_id(policy)
    review_on = start + timedelta(days=90)
    monkeypatch.setattr(cli, "context", lambda migrate=False: ctx)
    monkeypatch.setattr(cli, "operator", lambda: SYSTEM)
    monkeypatch.setattr(cli, "scores_source", lambda: FakeScores({review_on: Decimal("90")}))
    runner = CliRunner()
    out = runner.invoke(cli.app, ["run", "--as-of", review_on.isoformat()])
    assert out.exit_code == 0 and "1 reviewed" in out.stdout and "-15%" in out.stdout
    listed = runner.invoke(cli.app, ["list", pid])
    assert listed.exit_code == 0 and review_on.isoformat() in listed.stdout
    bad = runner.invoke(cli.app, ["run", "--as-of", "someday"])
    assert bad.exit_code != 0 and "as_of" in bad.output


def test_tel4_a_direct_debit_payer_has_the_remaining_instalments_re_planned(db_ctx: AppContext,
                                                                           clock: FixedClock) -> None:
    """TEL-4, PAY-1: a monthly direct debit payer's review re-plans the instalments left (no card notice)."""
    from covernote.billing.usecases import plans

    policy, start = _bound(db_ctx, clock)
    pid = _policy_id(policy)
    plans.switch_to_monthly(db_ctx, SYSTEM, pid, {
        "account_holder": "Ann Example", "sort_code": "20-00-00", "account_number": "55779911"}, 5, "dd-plan-rr")
    review_on = start + timedelta(days=90)
    clock.set_date(review_on, 9)
    before = _notices(db_ctx, pid)
    view = rerating.review(db_ctx, SYSTEM, pid, review_on, FakeScores({review_on: Decimal("50")}))
    assert view["loading_after"] == 15 and "replan" in view["payment"]
    assert _notices(db_ctx, pid) == before
    assert ledger.reconcile(db_ctx)["problems"] == []

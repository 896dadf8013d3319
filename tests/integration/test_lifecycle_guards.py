"""Guards found by review: payments never taken twice, cooling-off cannot be stretched, renewals only
in their window, changes after an accepted renewal, and inputs that must be refused, not crash."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.kernel.errors import Conflict, Forbidden, ValidationFailed
from covernote.ledger import usecases as ledger
from covernote.lifecycle.usecases import adjustments, cancellations, policies, quotes, renewals
from covernote.policy.domain.risk import Change, make_answers
from covernote.uow import SqlUnitOfWork
from tests.support import bind, cancel, motor_risk, new_customer, young_risk


def _operations(ctx) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return ctx.payments._db.execute("SELECT kind, pence FROM operations ORDER BY rowid").fetchall()


def test_pay3_a_retry_after_a_failed_commit_never_charges_twice(ctx, monkeypatch):
    """PAY-3/POL-1: the payment is taken, the commit fails; the client retries with the same key."""
    cid = new_customer(ctx)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))
    real_commit = SqlUnitOfWork.commit
    failures = iter([True])

    def flaky_commit(self):  # type: ignore[no-untyped-def]
        if not self.read_only and next(failures, False):
            raise Conflict("simulated commit failure")
        return real_commit(self)

    monkeypatch.setattr(SqlUnitOfWork, "commit", flaky_commit)
    with pytest.raises(Conflict):
        quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="retry-key-0001")
    policy = quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="retry-key-0001")
    assert _operations(ctx) == [("charge", round(float(q["total_payable"]) * 100))]
    assert policy["payment"]["amount"] == q["total_payable"]


def test_pol5_documents_date_is_staff_only_and_bounded(ctx):
    cid = new_customer(ctx)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))
    customer = Principal("u1", "customer", cid)
    with pytest.raises(ValidationFailed) as err:
        quotes.bind_quote(ctx, customer, q["id"], payment_token="tok_visa", idempotency_key="docs-key-0001",
                          documents_on=ctx.today() + timedelta(days=5))
    assert err.value.issues[0].field == "documents_on"
    with pytest.raises(ValidationFailed):
        quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="docs-key-0002",
                          documents_on=date(9999, 12, 1))
    bound = quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key="docs-key-0003",
                              documents_on=ctx.today() + timedelta(days=5))
    assert bound["status"] == "live"


def test_pol3_renewal_only_in_its_window_and_never_stacked(ctx, clock):
    p = bind(ctx)
    with pytest.raises(ValidationFailed) as err:
        renewals.invite_renewal(ctx, SYSTEM, p["id"])
    assert "renewal opens on" in err.value.issues[0].reason
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(ctx, SYSTEM, p["id"])
    renewals.confirm_renewal(ctx, SYSTEM, p["id"], offer["id"], "renew-key-0001")
    with pytest.raises(ValidationFailed) as err:
        renewals.invite_renewal(ctx, SYSTEM, p["id"])
    assert "already renewed" in err.value.issues[0].reason
    with pytest.raises(ValidationFailed) as err:
        renewals.run_renewal_invitations(ctx, ctx.today() + timedelta(days=300))
    assert err.value.issues[0].field == "as_of"


def test_pol2_after_an_accepted_renewal_a_change_in_the_old_term_is_refused_with_the_reason(ctx, clock):
    p = bind(ctx)
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(ctx, SYSTEM, p["id"])
    renewals.confirm_renewal(ctx, SYSTEM, p["id"], offer["id"], "renew-key-0002")
    with pytest.raises(ValidationFailed) as err:
        adjustments.quote_adjustment(ctx, SYSTEM, p["id"], adjustments.AdjustmentRequest(
            ctx.today(), (Change("set_answer", question="annual_mileage", value="9000"),), reason="more miles"))
    assert err.value.issues[0].field == "effective_date" and "renewal" in err.value.message
    renewal_start = date.fromisoformat(offer["term"]["start"])
    q = adjustments.quote_adjustment(ctx, SYSTEM, p["id"], adjustments.AdjustmentRequest(
        renewal_start, (Change("set_answer", question="annual_mileage", value="9000"),), reason="more miles"))
    assert q["effective_date"] == renewal_start.isoformat()


def test_pol4_voidance_voids_the_live_term_and_an_accepted_renewal(ctx, clock):
    p = bind(ctx)
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(ctx, SYSTEM, p["id"])
    renewals.confirm_renewal(ctx, SYSTEM, p["id"], offer["id"], "renew-key-0003")
    out = policies.void_policy(ctx, SYSTEM, p["id"], reason="fraud", idempotency_key="void-key-0001")
    assert out["terms_voided"] == [1, 2]
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(p["id"])
    assert policy is not None and not policy.is_on_cover(ctx.today()) and policy.status(ctx.today()) == "void"
    assert ledger.reconcile(ctx, SYSTEM)["ok"]


def test_pol5_cancelling_from_the_day_cover_ends_anyway_is_refused(ctx):
    p = bind(ctx)
    end = date.fromisoformat(p["current_term"]["end_date"])
    with pytest.raises(ValidationFailed) as err:
        cancellations.quote_cancellation(ctx, SYSTEM, p["id"], cancellations.CancelInput(end, "stop"))
    assert err.value.issues[0].field == "effective_date" and "renewal" in err.value.issues[0].reason


def test_fee5_box_return_is_recorded_by_staff_and_not_before_the_cancellation(ctx, clock):
    p = bind(ctx, "YOUNG_DRIVER", young_risk())
    clock.advance(timedelta(days=3))
    cancel(ctx, p["id"], ctx.today())
    customer = Principal("u2", "customer", p["customer_id"])
    with pytest.raises(Forbidden):
        cancellations.record_box_return(ctx, customer, p["id"], ctx.today(), "box-key-0001")
    with pytest.raises(ValidationFailed) as err:
        cancellations.record_box_return(ctx, SYSTEM, p["id"], date(2000, 1, 1), "box-key-0002")
    assert err.value.issues[0].field == "returned_on"


def test_pol5_a_cancellation_quoted_in_cooling_off_and_confirmed_next_day_keeps_its_terms(ctx, clock):
    """FEE-1: the request day decides; a customer confirming the next day still pays the 35.00 fee."""
    p = bind(ctx)
    customer = Principal("u3", "customer", p["customer_id"])
    clock.advance(timedelta(days=14))
    q = cancellations.quote_cancellation(ctx, customer, p["id"], cancellations.CancelInput(ctx.today(), "changed mind"))
    assert q["within_cooling_off"] and q["cancellation_fees"][0]["amount"] == "35.00"
    clock.advance(timedelta(days=1))
    done = cancellations.confirm_cancellation(ctx, customer, p["id"], q["id"], "cancel-key-next-day")
    assert done["refund"]["cancellation_fees"][0]["amount"] == "35.00"


def test_ncd1_a_customer_cannot_change_their_own_ncd_years_mid_term(ctx):
    p = bind(ctx, risk=motor_risk(ncd_years=0))
    customer = Principal("u4", "customer", p["customer_id"])
    with pytest.raises(ValidationFailed) as err:
        adjustments.quote_adjustment(ctx, customer, p["id"], adjustments.AdjustmentRequest(
            ctx.today(), (Change("set_answer", question="ncd_years", value="9"),), reason="more NCD"))
    assert err.value.issues[0].field == "changes" and "NCD-1" in err.value.issues[0].reason


def test_prd6_integer_answers_written_as_decimals_are_read_as_integers(ctx):
    cid = new_customer(ctx)
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(ncd_years="5.0"), cid))  # type: ignore[arg-type]
    assert q["risk"]["answers"]["ncd_years"] == "5"
    with pytest.raises(ValidationFailed) as err:
        quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(ncd_years="5.5"), cid))  # type: ignore[arg-type]
    assert err.value.issues[0].field == "risk.answers.ncd_years"


def test_pol1_a_policy_cancelled_from_its_future_start_is_cancelled_at_once(ctx):
    p = bind(ctx, start=ctx.today() + timedelta(days=10))
    assert p["status"] == "pending"
    cancel(ctx, p["id"], ctx.today() + timedelta(days=10))
    assert policies.get_policy(ctx, SYSTEM, p["id"])["status"] == "cancelled"


def test_pol5_a_product_without_cooling_off_never_reports_being_within_it(ctx):
    p = bind(ctx, "FULLCOVER", replace(motor_risk(), answers=make_answers({"annual_mileage": 8000})))
    q = cancellations.quote_cancellation(ctx, SYSTEM, p["id"], cancellations.CancelInput(ctx.today(), "sold"))
    assert q["within_cooling_off"] is False


def test_pol3_a_declined_renewal_cannot_then_be_confirmed(ctx, clock):
    p = bind(ctx)
    clock.advance(timedelta(days=350))
    offer = renewals.invite_renewal(ctx, SYSTEM, p["id"])
    renewals.decline_renewal(ctx, SYSTEM, p["id"], offer["id"])
    with pytest.raises(Conflict):
        renewals.confirm_renewal(ctx, SYSTEM, p["id"], offer["id"], "renew-key-0004")


def test_ux1_statement_by_number_huge_offsets_and_nul_characters_are_not_500s(db_ctx):
    _, token = create_user(db_ctx, "Staff", "staff")
    p = bind(db_ctx)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        assert client.get(f"/policies/{p['number']}/statement", headers=headers).status_code == 200
        assert client.get("/policies?offset=100000000000000000000", headers=headers).status_code == 422
        for path in ("/policies/abc%00", "/quotes/abc%00"):
            r = client.get(path, headers=headers)
            assert r.status_code in (404, 422), (path, r.status_code, r.text)
        r = client.post("/customers", headers=headers,
                        json={"name": "Nul\u0000Name", "email": "n@example.org", "address": "1 Road", "postcode": "M1 1AE"})
        assert r.status_code in (201, 422), r.text

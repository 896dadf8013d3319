"""The extras' rules through the REST API and the command line (NCD-3, NCD-2, FEE-1, ADD-1):

- a staff change that lowers the NCD below NCD protection's minimum is refused (quote and confirmation)
  unless the same change removes protection, which is then refunded pro-rata and no longer protects the
  NCD at renewal;
- a breakdown, key cover or legal-expenses uninsured-loss claim is recorded only while the policy has the
  extra that covers it, and a refused one writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

import covernote.lifecycle.cli as lifecycle_cli
import covernote.ncd.cli as ncd_cli
from covernote.cli.main import app as cli_app
from covernote.identity.usecases import SYSTEM
from covernote.lifecycle.usecases.pending import store_pending
from covernote.policy.usecases.lookup import load_policy
from tests.e2e.conftest import Api, quote_body

START = date(2026, 11, 22)  # the fixed clock's day: a 365-day term to 2027-11-22
TO_THREE_YEARS = [{"op": "set_answer", "question": "ncd_years", "value": 3}]


def bind(api: Api, extras: list[str], key: str, product: str = "ECO") -> dict[str, Any]:
    body = quote_body(api.customer_id, start=START.isoformat(), product=product)
    body["extras"] = extras
    q = api.post("/quotes", body)
    assert q.status_code == 201, q.json()
    r = api.post("/policies", {"quote_id": q.json()["id"], "payment": {"token": "tok_visa"}}, key=key)
    assert r.status_code == 201, r.json()
    return r.json()  # type: ignore[no-any-return]


def errors(r: Any) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in r.json()["errors"]}


def pence(x: Decimal) -> str:
    return str(x.quantize(Decimal("0.01"), ROUND_HALF_UP))


def transactions(api: Api, policy_id: str) -> list[dict[str, Any]]:
    return api.get(f"/policies/{policy_id}/history").json()["transactions"]  # type: ignore[no-any-return]


# -- NCD-3, ADD-1: lowering the NCD below protection's minimum -------------------------------------------------


def test_ncd3_add1_mta_lowering_ncd_below_protections_minimum_needs_protection_removed(api, clock):
    """NCD-3: an ECO policy with 5 years and NCD protection; staff change the NCD to 3 years 100 days in.
    Alone: 422 naming `changes`, saying what to do. With protection removed in the same change: accepted,
    45.00 x 265 / 365 = 32.67 (32.671) returned with 3.92 IPT (5.40 - 1.48), and at renewal the NCD is not
    protected: the claim in the term steps it back."""
    policy = bind(api, ["ncd_protection", "breakdown"], "rules-bind-ncd3")
    assert policy["ncd_protection"] == {"offered": True, "protected": True}
    clock.advance(timedelta(days=100))
    day = clock.now().date().isoformat()
    before = transactions(api, policy["id"])

    refused = api.post(f"/policies/{policy['id']}/adjustments",
                       {"effective_date": day, "reason": "NCD proof shows 3 years", "changes": TO_THREE_YEARS})
    assert refused.status_code == 422, refused.json()
    assert set(errors(refused)) == {"changes"}
    why = errors(refused)["changes"]
    assert "NCD protection needs 5+ years" in why and "leaves 3" in why
    assert "remove `ncd_protection` in the same change" in why and "refunded pro-rata" in why
    assert "back-date the change to the term start" in why
    assert transactions(api, policy["id"]) == before

    mq = api.post(f"/policies/{policy['id']}/adjustments",
                  {"effective_date": day, "reason": "NCD proof shows 3 years", "changes": TO_THREE_YEARS,
                   "remove_extras": ["ncd_protection"]})
    assert mq.status_code == 201, mq.json()
    [line] = mq.json()["extras"]
    kept = Decimal("45.00") * 100 / 365
    assert pence(kept) == "12.33" and pence(Decimal("45.00") - Decimal(pence(kept))) == "32.67"
    assert (line["code"], line["action"], line["premium"], line["ipt"]) == ("ncd_protection", "removed", "-32.67",
                                                                             "-3.92")
    assert "return premium -32.67" in line["explanation"]
    done = api.post(f"/policies/{policy['id']}/adjustments/{mq.json()['id']}/confirm", key="rules-mta-ncd3")
    assert done.status_code == 200, done.json()
    after = api.get(f"/policies/{policy['id']}").json()
    assert after["ncd_protection"] == {"offered": True, "protected": False}
    assert api.get(f"/policies/{policy['id']}/statement").json()["accounts"]["extras:ncd_protection:premium"] == "-12.33"

    clock.advance(timedelta(days=30))
    claim = api.post(f"/policies/{policy['id']}/incidents", {"kind": "claim", "claim_type": "accident",
                                                             "occurred_on": clock.now().date().isoformat()})
    assert claim.status_code == 201, claim.json()
    clock.set_date(date.fromisoformat(policy["current_term"]["end_date"]) - timedelta(days=10))
    inv = api.post(f"/policies/{policy['id']}/renewals")
    assert inv.status_code == 201, inv.json()
    ncd = inv.json()["ncd_protection"]
    assert ncd["protected"] is False and ncd["protection"]["had_protection"] is False
    assert (ncd["years_before"], ncd["years_after"]) == (3, 1)  # one claim steps 3 back to 1 (NCD-5)
    assert [x["code"] for x in inv.json()["extras"]] == ["breakdown"]


def test_ncd3_add1_a_pending_mta_that_would_keep_protection_below_the_minimum_is_refused_on_confirmation(api, clock):
    """NCD-3: a quote stored before the rule (so never checked) cannot be confirmed either."""
    policy = bind(api, ["ncd_protection"], "rules-bind-ncd3-confirm")
    clock.advance(timedelta(days=100))
    day = clock.now().date().isoformat()
    request = {"effective_date": day, "until": None, "smartbox": None, "reason": "old quote",
               "changes": [{"op": "set_answer", "question": "ncd_years", "value": "3"}],
               "add_extras": [], "remove_extras": []}
    with api.ctx.uow() as uow:
        pol = load_policy(uow, SYSTEM, policy["id"])
        pending = store_pending(api.ctx, uow, pol, "mta", request, {"total": "0.00"}, "usr_old")
        uow.commit()
    before = transactions(api, policy["id"])
    r = api.post(f"/policies/{policy['id']}/adjustments/{pending['id']}/confirm", key="rules-mta-old")
    assert r.status_code == 422 and "NCD protection needs 5+ years" in errors(r)["changes"]
    assert transactions(api, policy["id"]) == before


def test_ncd3_add1_backdated_to_the_term_start_the_protection_is_refunded_in_full(api, clock):
    policy = bind(api, ["ncd_protection"], "rules-bind-ncd3-full")
    clock.advance(timedelta(days=20))
    mq = api.post(f"/policies/{policy['id']}/adjustments",
                  {"effective_date": START.isoformat(), "reason": "NCD was 3 years from the start",
                   "changes": TO_THREE_YEARS, "remove_extras": ["ncd_protection"]})
    assert mq.status_code == 201, mq.json()
    [line] = mq.json()["extras"]
    assert (line["premium"], line["ipt"]) == ("-45.00", "-5.40")


def test_ncd3_add1_an_ncd_change_that_keeps_the_minimum_keeps_protection(api, clock):
    policy = bind(api, ["ncd_protection"], "rules-bind-ncd3-keep")
    clock.advance(timedelta(days=10))
    mq = api.post(f"/policies/{policy['id']}/adjustments",
                  {"effective_date": clock.now().date().isoformat(), "reason": "NCD proof shows 6 years",
                   "changes": [{"op": "set_answer", "question": "ncd_years", "value": 6}]})
    assert mq.status_code == 201, mq.json()
    assert mq.json()["extras"] == []


# -- NCD-2, FEE-1, ADD-1: claims under an optional extra -------------------------------------------------------

EXTRA_FOR = {"breakdown": ("breakdown", "Breakdown cover"), "key_cover": ("key_cover", "Keycare cover"),
             "legal_expenses_uninsured_loss": ("legal_expenses", "Motor legal expenses")}


@pytest.mark.parametrize("claim_type", sorted(EXTRA_FOR))
def test_ncd2_fee1_add1_a_claim_under_an_extra_needs_the_extra_on_cover(api, clock, claim_type):
    """Without the extra: 422 naming `claim_type`, and nothing written (so it cannot forfeit the FEE-1
    refund). With it: recorded, and not affecting NCD (NCD-2)."""
    code, name = EXTRA_FOR[claim_type]
    plain = bind(api, [], f"rules-plain-{code}")
    covered = bind(api, [code], f"rules-covered-{code}")
    clock.advance(timedelta(days=99))
    on = clock.now().date().isoformat()
    before = transactions(api, plain["id"])
    version = api.get(f"/policies/{plain['id']}").json()["version"]

    r = api.post(f"/policies/{plain['id']}/incidents", {"kind": "claim", "occurred_on": on, "claim_type": claim_type})
    assert r.status_code == 422, r.json()
    assert errors(r) == {"claim_type": f"{claim_type} claims are made under the {name} extra, which policy "
                                       f"{plain['number']} did not have on cover on {on}"}
    incident = api.post(f"/policies/{plain['id']}/incidents", {"kind": "incident", "occurred_on": on,
                                                               "claim_type": claim_type})
    assert incident.status_code == 422 and set(errors(incident)) == {"claim_type"}
    assert transactions(api, plain["id"]) == before
    assert api.get(f"/policies/{plain['id']}").json()["version"] == version
    quote = api.post(f"/policies/{plain['id']}/cancellations", {"effective_date": on, "reason": "sold"}).json()
    assert Decimal(quote["refund_total"]) > 0  # FEE-1: no claim recorded, so the refund stands

    ok = api.post(f"/policies/{covered['id']}/incidents", {"kind": "claim", "occurred_on": on,
                                                            "claim_type": claim_type})
    assert ok.status_code == 201, ok.json()
    assert ok.json()["details"]["event"]["claim_type"] == claim_type


def test_ncd2_add1_a_claim_after_the_extra_was_removed_is_refused_one_before_is_recorded(api, clock):
    policy = bind(api, ["breakdown"], "rules-removed-bind")
    clock.advance(timedelta(days=50))
    removed_on = clock.now().date()
    mq = api.post(f"/policies/{policy['id']}/adjustments", {"effective_date": removed_on.isoformat(),
                                                            "reason": "no longer wanted", "remove_extras": ["breakdown"]})
    assert api.post(f"/policies/{policy['id']}/adjustments/{mq.json()['id']}/confirm", key="rules-removed-mta"
                    ).status_code == 200
    clock.advance(timedelta(days=5))
    late = api.post(f"/policies/{policy['id']}/incidents", {"kind": "claim", "claim_type": "breakdown",
                                                            "occurred_on": removed_on.isoformat()})
    assert late.status_code == 422 and f"did not have on cover on {removed_on}" in errors(late)["claim_type"]
    earlier = (removed_on - timedelta(days=1)).isoformat()
    ok = api.post(f"/policies/{policy['id']}/incidents", {"kind": "claim", "claim_type": "breakdown",
                                                          "occurred_on": earlier})
    assert ok.status_code == 201, ok.json()


def test_ncd2_add1_a_product_with_no_extra_for_the_type_says_so(api):
    policy = bind(api, [], "rules-young", product="YOUNG_DRIVER")  # breakdown and legal expenses, no key cover
    r = api.post(f"/policies/{policy['id']}/incidents", {"kind": "claim", "claim_type": "key_cover",
                                                         "occurred_on": START.isoformat()})
    assert r.status_code == 422 and "has no extra that covers them" in errors(r)["claim_type"]


def test_ncd2_add1_the_command_line_refuses_a_claim_under_an_extra_not_on_cover(api, monkeypatch):
    monkeypatch.setattr(ncd_cli, "context", lambda migrate=False: api.ctx)
    monkeypatch.setattr(lifecycle_cli, "context", lambda migrate=False: api.ctx)
    policy = bind(api, [], "rules-cli")
    before = transactions(api, policy["id"])
    result = CliRunner().invoke(cli_app, ["policy", "incident", policy["id"], "--occurred-on", START.isoformat(),
                                          "--claim-type", "breakdown"])
    assert result.exit_code == 2, result.output
    assert "claim_type: breakdown claims are made under the Breakdown cover extra" in result.output
    assert transactions(api, policy["id"]) == before

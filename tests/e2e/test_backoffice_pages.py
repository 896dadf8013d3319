"""Issue 14 part 3 (UX-2): the staff back office's pages through FastAPI's TestClient, on the demonstration
data: who may open them (a customer none; each action the roles its use case allows), CSRF, and bad input
answered with a message naming the field, never a 500. The browser tests are in test_backoffice_browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.demo import DEMO_SIGN_INS, DEMO_TOKENS, load_demo
from covernote.identity.usecases import SYSTEM, create_user
from covernote.identity.usecases import web as sign_in_rules
from tests.conftest import START, make_ctx

DPO = ("dora.dpo", "dpo-test-password")
UNDERWRITER = ("uma.underwriter", "underwriter-password")


@dataclass
class Office:
    client: TestClient
    ctx: Any

    def api(self, path: str, role: str = "staff") -> Any:
        r = self.client.get(path, headers={"Authorization": f"Bearer {DEMO_TOKENS[role]}"})
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, catalogue: Any, sqlite_template: Any) -> Iterator[Office]:
    import shutil

    from covernote.kernel.clock import FixedClock

    path = tmp_path_factory.mktemp("backoffice") / "covernote.db"
    shutil.copyfile(sqlite_template, path)
    ctx = make_ctx(f"sqlite:///{path}", catalogue, FixedClock(START))
    load_demo(ctx)
    for (login, password), role in ((DPO, "dpo"), (UNDERWRITER, "underwriter")):
        user, _ = create_user(ctx, login, role)
        sign_in_rules.set_password(ctx, SYSTEM, user.user_id, login, password)
    with TestClient(create_app(ctx), raise_server_exceptions=False, base_url="http://127.0.0.1") as client:
        yield Office(client, ctx)
    ctx.uow.engine.dispose()


def signed_in(office: Office, login: str, password: str) -> str:
    """Sign in through the back office's form; the session's CSRF token, read from a page's form."""
    office.client.cookies.clear()
    form = office.client.get("/backoffice/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    r = office.client.post("/backoffice/sign-in", data={"csrf_token": token.group(1), "login": login,
                                                         "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = office.client.get(r.headers["location"])
    return csrf_of(page.text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def staff(office: Office) -> str:
    return signed_in(office, *DEMO_SIGN_INS["staff"])


def test_issue14_ux2_signed_out_the_back_office_asks_for_a_staff_sign_in(office: Office) -> None:
    office.client.cookies.clear()
    r = office.client.get("/backoffice/search", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/backoffice/sign-in"
    form = office.client.get("/backoffice/sign-in")
    assert form.status_code == 200 and "Staff sign-in" in form.text
    assert "form-action 'self'" in form.headers["content-security-policy"]  # forms may post to the service


def test_issue14_ux2_the_demo_staff_sign_in_opens_the_back_office(office: Office) -> None:
    staff(office)
    r = office.client.get("/backoffice/search")
    assert r.status_code == 200 and "Signed in as" in r.text and "(staff)" in r.text


def test_issue14_ux2_a_customer_signed_in_gets_no_back_office_page(office: Office) -> None:
    signed_in(office, *DEMO_SIGN_INS["customer"])
    some_policy = office.api("/policies?limit=1")[0]
    for path in ("/backoffice/search?q=Example", "/backoffice/queues", f"/backoffice/policies/{some_policy['id']}",
                 f"/backoffice/customers/{some_policy['customer_id']}", "/backoffice/no-such-page"):
        r = office.client.get(path)
        assert r.status_code == 403, path
        assert "for staff only" in r.text
    # Nor may they post a back office form, CSRF token or not.
    r = office.client.post(f"/backoffice/policies/{some_policy['id']}/cancel", data={"effective_date": "2027-01-01"})
    assert r.status_code == 403


def test_issue14_ux2_search_needs_two_characters_named_on_the_field(office: Office) -> None:
    staff(office)
    r = office.client.get("/backoffice/search", params={"q": "x"})
    assert r.status_code == 422
    assert 'href="#q">Search for</a>: give 2 to' in r.text and 'aria-invalid="true"' in r.text


def test_issue14_ux2_search_by_registration_name_number_and_postcode_find_the_policy(office: Office) -> None:
    staff(office)
    policy = office.api("/search/policies?q=Gus")["policies"][0]
    for q in (policy["registration"], policy["registration"].replace(" ", "").lower(), policy["number"],
              "gus", policy["postcode"]):
        r = office.client.get("/backoffice/search", params={"q": q})
        assert r.status_code == 200, q
        assert f'href="/backoffice/policies/{policy["id"]}"' in r.text, q
        assert f'href="/backoffice/customers/{policy["customer_id"]}"' in r.text, q


def test_issue14_ux2_the_customer_page_shows_the_whole_picture(office: Office) -> None:
    staff(office)
    gus = office.api("/search/customers?q=Gus")["customers"][0]
    r = office.client.get(f"/backoffice/customers/{gus['id']}")
    assert r.status_code == 200, r.text
    complaint = office.api("/complaints")["complaints"][0]
    claim = office.api("/claims")[0]
    for heading in ("Open deadlines", "Policies", "Claims", "Complaints", "Data subject requests", "Consents"):
        assert f"<h2>{heading}</h2>" in r.text
    assert f'/backoffice/complaints/{complaint["id"]}' in r.text and f'/backoffice/claims/{claim["id"]}' in r.text
    assert "Send a final response" in r.text  # the complaint's open clock
    assert office.client.get("/backoffice/customers/cus_nobody").status_code == 404


def test_issue14_ux2_work_queues_per_team_link_to_their_subjects(office: Office) -> None:
    staff(office)
    r = office.client.get("/backoffice/queues", params={"team": "claims"})
    assert r.status_code == 200 and "Work queues" in r.text
    report = office.api("/clocks/report?team=claims")
    for d in report["overdue"] + report["due_soon"]:
        assert d["subject_id"] in r.text
    requests = office.client.get("/backoffice/queues", params={"team": "requests"})
    assert requests.status_code == 200
    for case in office.api("/privacy/requests?open_only=true")["requests"]:
        assert f'/backoffice/requests/{case["id"]}' in requests.text
    unknown = office.client.get("/backoffice/queues", params={"team": "nobody"})
    assert unknown.status_code == 404 and "There is no team nobody" in unknown.text
    for hours in ("lots", "9999"):  # the report's window, judged by the use case, named
        bad = office.client.get("/backoffice/queues", params={"team": "claims", "hours": hours})
        assert bad.status_code == 422 and "Due within: from 0 to 2160" in bad.text, hours
    week = office.client.get("/backoffice/queues", params={"team": "complaints_claims", "hours": "720"})
    assert week.status_code == 200 and "Due within 30 days" in week.text
def test_issue14_ux2_a_post_without_the_csrf_token_is_refused_and_does_nothing(office: Office) -> None:
    staff(office)
    complaint = office.api("/complaints")["complaints"][0]
    r = office.client.post(f"/backoffice/complaints/{complaint['id']}/final-response",
                           data={"outcome": "upheld", "explanation": "x", "root_cause": "service"})
    assert r.status_code == 403 and "security token" in r.text
    assert office.api(f"/complaints/{complaint['id']}")["outcome"] is None


def _complaint(office: Office) -> str:
    """A new complaint on Gus's policy, recorded through the REST API."""
    policy = office.api("/search/policies?q=Gus")["policies"][0]
    r = office.client.post("/complaints", headers={"Authorization": f"Bearer {DEMO_TOKENS['staff']}"}, json={
        "kind": "sales_service", "description": "My renewal letter was late", "name": "Gus Claim",
        "address": "2 Castle St, Leeds", "policy_number": policy["number"], "received_via": "phone"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_issue14_ux2_a_final_response_with_bad_fields_names_each_and_sends_nothing(office: Office) -> None:
    token = staff(office)
    complaint_id = _complaint(office)
    # The request's shape first, as the REST API judges it: the outcome is required.
    r = office.client.post(f"/backoffice/complaints/{complaint_id}/final-response", data={
        "csrf_token": token, "outcome": "", "explanation": "Sorry.", "root_cause": "no_such_cause", "redress": "lots"})
    assert r.status_code == 422, r.text
    assert 'href="#outcome">Outcome</a>' in r.text and 'id="outcome-error"' in r.text
    # Then the use case's rules, as it names them: an amount that is not one, a root cause it does not know.
    r = office.client.post(f"/backoffice/complaints/{complaint_id}/final-response", data={
        "csrf_token": token, "outcome": "upheld", "explanation": "Sorry.", "root_cause": "no_such_cause",
        "redress": "lots"})
    assert r.status_code == 422, r.text
    assert 'href="#redress">Redress</a>' in r.text
    r = office.client.post(f"/backoffice/complaints/{complaint_id}/final-response", data={
        "csrf_token": token, "outcome": "upheld", "explanation": "Sorry.", "root_cause": "no_such_cause",
        "redress": "25.00"})
    assert r.status_code == 422, r.text
    assert 'href="#root-cause">Root cause</a>' in r.text
    assert 'value="Sorry."' not in r.text and ">Sorry.</textarea>" in r.text  # what was typed is kept
    assert office.api(f"/complaints/{complaint_id}")["letters"] == []  # nothing sent


def test_issue14_ux2_staff_answer_a_complaint_and_the_rest_api_shows_the_letter(office: Office) -> None:
    token = staff(office)
    complaint_id = _complaint(office)
    r = office.client.post(f"/backoffice/complaints/{complaint_id}/final-response", data={
        "csrf_token": token, "outcome": "partly_upheld", "explanation": "The letter was sent late; we apologise.",
        "root_cause": "administration_error", "redress": "25.00"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = office.client.get(r.headers["location"])
    assert "The final response was sent." in page.text and "Final response to your complaint</a>" in page.text
    seen = office.api(f"/complaints/{complaint_id}")
    assert seen["outcome"] == "partly_upheld" and seen["redress"] == "25.00"
    assert [x["kind"] for x in seen["letters"]] == ["final_response"]


def test_issue14_ux2_bad_input_on_each_form_is_named_never_a_500(office: Office) -> None:
    token = staff(office)
    policy = office.api("/search/policies?q=Gus")["policies"][0]
    claim = office.api("/claims")[0]
    cases = [
        (f"/backoffice/policies/{policy['id']}/cancel", {"effective_date": "31/01/2027", "reason": "sold the car"},
         'href="#effective-date">First day without cover</a>'),
        (f"/backoffice/policies/{policy['id']}/cancel", {"effective_date": "2027-01-31", "reason": "",
                                                         "by": "someone"}, 'href="#by">Cancelled by</a>'),
        (f"/backoffice/claims/{claim['id']}/status", {"status": "settlement_agreed", "amount": "lots"},
         'href="#amount">Settlement amount</a>'),
        (f"/backoffice/complaints/{_complaint(office)}/progress", {"note": ""}, "What has happened"),
    ]
    for path, data, named in cases:
        r = office.client.post(path, data={"csrf_token": token, **data})
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert named in r.text, (path, r.text)
    # What a use case refuses is said as it says it: a claim cannot jump to settled.
    r = office.client.post(f"/backoffice/claims/{claim['id']}/status", data={"csrf_token": token, "status": "settled"})
    assert r.status_code in (409, 422) and "settled" in r.text
    # Unknown records answer 404.
    for path in ("/backoffice/claims/clm_nope", "/backoffice/complaints/cmp_nope", "/backoffice/requests/dsr_nope",
                 "/backoffice/policies/pol_nope", "/backoffice/deadlines/dl_nope"):
        assert office.client.get(path).status_code == 404, path


def test_issue14_ux2_a_customer_with_a_valid_token_still_may_not_act(office: Office) -> None:
    token = signed_in(office, *DEMO_SIGN_INS["customer"])
    mine = office.api("/policies", "customer")[0]
    r = office.client.post(f"/backoffice/policies/{mine['id']}/cancel",
                           data={"csrf_token": token, "effective_date": "2027-01-31", "reason": "x"})
    assert r.status_code == 403
    assert office.api(f"/policies/{mine['id']}", "customer")["status"] != "cancelled"


def test_issue14_ux2_a_cancellation_is_quoted_with_its_refund_then_confirmed_once(office: Office) -> None:
    token = staff(office)
    policy = next(p for p in office.api("/policies?limit=100") if p["status"] == "live")
    today = office.ctx.today().isoformat()
    quote = office.client.post(f"/backoffice/policies/{policy['id']}/cancel",
                               data={"csrf_token": token, "effective_date": today, "reason": "sold the car",
                                     "by": "customer", "requested_on": today})
    assert quote.status_code == 200, quote.text
    assert "Refund to the customer" in quote.text and "How it is worked out" in quote.text
    assert office.api(f"/policies/{policy['id']}")["status"] == "live"  # nothing cancelled yet
    confirm = re.search(r'action="(/backoffice/policies/[^"]+/confirm)"', quote.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', quote.text)
    assert confirm and key
    for _ in range(2):  # posted twice: cancelled once
        done = office.client.post(confirm.group(1), data={"csrf_token": token, "idempotency_key": key.group(1)})
        assert done.status_code == 200, done.text
        assert "is cancelled" in done.text
    history = office.api(f"/policies/{policy['id']}/history")
    assert [t["kind"] for t in history["transactions"]].count("cancellation") == 1


def test_issue14_ux2_prv4_the_dpo_sees_the_erasure_plan_then_applies_that_plan(office: Office) -> None:
    token = signed_in(office, *DPO)
    case = next(q for q in office.api("/privacy/requests?open_only=true")["requests"] if q["kind"] == "erasure")
    shown = office.client.get(f"/backoffice/requests/{case['id']}")
    assert shown.status_code == 200 and "Show the erasure plan" in shown.text
    wrong = office.client.post(f"/backoffice/requests/{case['id']}/erasure", data={"csrf_token": token,
                                                                                  "fingerprint": "0" * 16})
    assert wrong.status_code == 409 and "fingerprint" in wrong.text  # the plan must be shown first
    plan = office.client.post(f"/backoffice/requests/{case['id']}/erasure-plan", data={"csrf_token": token})
    assert plan.status_code == 200 and "Nothing has been erased" in plan.text
    assert office.api(f"/privacy/requests/{case['id']}", "dpo")["status"] == "in_progress"
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', plan.text)
    assert fingerprint
    done = office.client.post(f"/backoffice/requests/{case['id']}/erasure",
                              data={"csrf_token": token, "fingerprint": fingerprint.group(1)})
    assert done.status_code == 200, done.text
    assert "Erasure applied" in done.text
    assert office.api(f"/privacy/requests/{case['id']}", "dpo")["status"] == "completed"
    erased = office.client.get(f"/backoffice/customers/{case['customer_id']}")  # still a page, never a 500
    assert erased.status_code == 200, erased.text
    assert "Hal Erase" not in erased.text


def test_issue14_ux2_pol2_an_adjustment_is_priced_before_it_is_confirmed_once(office: Office) -> None:
    token = staff(office)
    policy = next(p for p in office.api("/policies?limit=100") if p["status"] == "live")
    today = office.ctx.today().isoformat()
    form = office.client.get(f"/backoffice/policies/{policy['id']}/adjust")
    assert form.status_code == 200 and 'name="question"' in form.text
    nothing = office.client.post(f"/backoffice/policies/{policy['id']}/adjust",
                                 data={"csrf_token": token, "effective_date": today, "reason": "moved"})
    assert nothing.status_code == 422 and 'href="#postcode">New postcode</a>' in nothing.text
    bad = office.client.post(f"/backoffice/policies/{policy['id']}/adjust",
                             data={"csrf_token": token, "effective_date": today, "reason": "moved",
                                   "postcode": "NOT A POSTCODE"})
    assert bad.status_code == 422 and 'href="#postcode">New postcode</a>' in bad.text, bad.text
    quote = office.client.post(f"/backoffice/policies/{policy['id']}/adjust",
                               data={"csrf_token": token, "effective_date": today, "reason": "moved",
                                     "postcode": "M1 1AE"})
    assert quote.status_code == 200, quote.text
    assert "Premium after" in quote.text and "How it is worked out" in quote.text
    assert office.api(f"/policies/{policy['id']}/history")["transactions"][-1]["kind"] != "adjustment"
    confirm = re.search(r'action="(/backoffice/policies/[^"]+/confirm)"', quote.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', quote.text)
    assert confirm and key
    for _ in range(2):  # posted twice: changed once
        done = office.client.post(confirm.group(1), data={"csrf_token": token, "idempotency_key": key.group(1)})
        assert done.status_code == 200, done.text
        assert "is changed" in done.text
    kinds = [t["kind"] for t in office.api(f"/policies/{policy['id']}/history")["transactions"]]
    assert kinds.count("mta") + kinds.count("adjustment") == 1, kinds


def test_issue14_ux2_a_mid_update_deadline_links_to_the_update_and_its_policy(office: Office) -> None:
    staff(office)
    update = office.api("/mid/updates")["updates"][0]
    r = office.client.get(f"/backoffice/mid/{update['id']}")
    assert r.status_code == 200, r.text
    assert f'href="/backoffice/policies/{update["policy_id"]}"' in r.text
    queue = office.client.get("/backoffice/queues", params={"team": "underwriting", "hours": "720"})
    report = office.api("/clocks/report?team=underwriting&within_hours=720")
    for d in report["overdue"] + report["due_soon"]:
        assert f'href="/backoffice/mid/{d["subject_id"]}"' in queue.text
    assert office.client.get("/backoffice/mid/mid_nope").status_code == 404


def test_issue14_sec1_signing_in_to_the_back_office_again_ends_the_browsers_previous_session(office: Office) -> None:
    signed_in(office, *DEMO_SIGN_INS["customer"])
    customer_session = office.client.cookies.get("covernote_session")
    assert customer_session
    form = office.client.get("/backoffice/sign-in")
    office.client.post("/backoffice/sign-in", data={"csrf_token": csrf_of(form.text),
                                                    "login": DEMO_SIGN_INS["staff"][0],
                                                    "password": DEMO_SIGN_INS["staff"][1]}, follow_redirects=False)
    assert office.client.cookies.get("covernote_session") != customer_session
    assert sign_in_rules.signed_in(office.ctx, customer_session) is None  # ended on the server

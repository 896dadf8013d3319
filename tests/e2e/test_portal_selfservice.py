"""Issue 14 part 2 (UX-2): the portal's self-service pages through the app (TestClient; the browser tests are in
test_portal_browser.py): a mid-term adjustment priced before it is confirmed and confirmed once; a claim
notified and followed; a complaint made and followed; consents given and withdrawn; an access request started
and its package downloaded. Refusals and bad input are answered on the page naming the field and the reason
(never a 500), a post without the CSRF token does nothing, and another customer's record answers 404 like an
unknown one."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.claims import usecases as claims
from covernote.claims.domain import Notification
from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.identity.usecases import SYSTEM, create_user
from covernote.identity.usecases import web as portal
from covernote.lifecycle.usecases import policies
from covernote.privacy.usecases import consent, requests
from tests.e2e.conftest import Api
from tests.support import bind, new_customer

PASSWORD = "correct horse battery"


class Customer:
    """A signed-in customer with a live policy, and the CSRF token of their session."""

    def __init__(self, api: Any) -> None:
        self.api, self.client, self.ctx = api, api.client, api.ctx
        self.customer_id = new_customer(api.ctx, "Dana Driver")
        user, _ = create_user(api.ctx, "Dana Driver", "customer", self.customer_id)
        self.user_id = user.user_id
        portal.set_password(api.ctx, SYSTEM, user.user_id, "dana@example.org", PASSWORD)
        self.policy = bind(api.ctx, customer_id=self.customer_id)
        session = portal.sign_in(api.ctx, "dana@example.org", PASSWORD)
        self.client.cookies.set("covernote_session", session["session_id"])
        self.csrf = session["csrf_token"]

    def get(self, path: str) -> Any:
        return self.client.get(path, follow_redirects=False)

    def post(self, path: str, form: dict[str, str], csrf: bool = True) -> Any:
        data = {**form, **({"csrf_token": self.csrf} if csrf else {})}
        return self.client.post(path, data=data, follow_redirects=False)


@pytest.fixture
def api(db_ctx: Any) -> Iterator[Api]:
    """The app over SQLite and, where configured, PostgreSQL (the pages' use cases on both stores)."""
    with TestClient(create_app(db_ctx), raise_server_exceptions=False) as client:
        yield Api(client, db_ctx)


@pytest.fixture
def me(api: Api) -> Customer:
    return Customer(api)


def _alert(text: str) -> str:
    """The error summary's text, tags removed."""
    found = re.search(r'<div class="error" role="alert".*?</div>', text, re.S)
    assert found, text
    said = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))))
    return said.replace(" :", ":")


def _others(me: Customer) -> dict[str, str]:
    """Another customer's policy, claim, complaint and data request."""
    other = bind(me.ctx)
    when = me.ctx.clock.now() - timedelta(hours=2)
    claim = claims.notify(me.ctx, SYSTEM, other["id"], Notification(
        "accident", when, "Rear bumper", "Hit while parked", False))
    complaint = complaints.record(me.ctx, SYSTEM, NewComplaint(
        "sales_service", "Slow answer", "Other Person", "2 Low Road, Leeds", "letter", None,
        customer_id=other["customer_id"]))
    request = requests.start(me.ctx, SYSTEM, other["customer_id"], kind="access", channel="post",
                             identity_method="passport seen")
    return {"policy": other["id"], "claim": claim["id"], "complaint": complaint["id"], "request": request["id"]}


def test_issue14_ux2_another_customers_records_answer_404_like_unknown_ones(me: Customer) -> None:
    theirs = _others(me)
    pairs = [(f"/portal/policies/{theirs['policy']}/adjust", "/portal/policies/pol_nosuch0000/adjust"),
             (f"/portal/policies/{theirs['policy']}/claim", "/portal/policies/pol_nosuch0000/claim"),
             (f"/portal/claims/{theirs['claim']}", "/portal/claims/clm_nosuch0000"),
             (f"/portal/complaints/{theirs['complaint']}", "/portal/complaints/cmp_nosuch0000"),
             (f"/portal/privacy/requests/{theirs['request']}", "/portal/privacy/requests/dsr_nosuch0000"),
             (f"/portal/privacy/requests/{theirs['request']}/package?format=json",
              "/portal/privacy/requests/dsr_nosuch0000/package?format=json")]
    for mine_not, unknown in pairs:
        a, b = me.get(mine_not), me.get(unknown)
        assert a.status_code == b.status_code == 404, mine_not
        assert a.text == b.text  # the same page: nothing says the record exists
        for value in theirs.values():
            assert value not in a.text
    # Forms posted at another's policy change nothing and answer the same 404.
    posted = me.post(f"/portal/policies/{theirs['policy']}/claim", {
        "claim_type": "accident", "occurred_at": "2026-11-01T10:00", "loss_description": "x", "circumstances": "y",
        "anyone_injured": "no"})
    assert posted.status_code == 404
    assert len(claims.list_claims(me.ctx, SYSTEM, None, theirs["policy"])) == 1


def test_issue14_ux2_an_adjustment_is_priced_explained_then_confirmed_once(me: Customer) -> None:
    pid = me.policy["id"]
    form = me.get(f"/portal/policies/{pid}/adjust")
    assert form.status_code == 200 and "Change policy" in form.text
    today = me.ctx.today()
    # Bad input, named on the page by the form's own labels: a date that is no date, a car's year in words.
    bad = me.post(f"/portal/policies/{pid}/adjust", {"effective_date": "someday", "reason": "New car",
                                                     "vehicle.registration": "LS22 NEW", "vehicle.make": "Kia",
                                                     "vehicle.model": "Ceed", "vehicle.year": "twenty",
                                                     "vehicle.value": "9000"})
    assert bad.status_code == 422
    said = _alert(bad.text)
    assert "Date the change starts" in said and "Year of manufacture" in said
    # The use case's rule, said as it says it: no back-dating online.
    back = me.post(f"/portal/policies/{pid}/adjust", {"effective_date": (today - timedelta(days=1)).isoformat(),
                                                      "reason": "Moved", "address.postcode": "M1 1AE"})
    assert back.status_code == 422 and "cannot be back-dated online" in _alert(back.text)
    # The product's rules on the changed risk, named on the form's own fields.
    ruled = me.post(f"/portal/policies/{pid}/adjust", {
        "effective_date": today.isoformat(), "reason": "Moved, and my son drives", "address.postcode": "ZZZ",
        "driver.name": "Sam Driver", "driver.date_of_birth": "2001-05-05", "driver.licence_held_since": "1999-01-01"})
    assert ruled.status_code == 422
    said = _alert(ruled.text)
    assert "New postcode where the car is kept: 'ZZZ' is not a UK postcode" in said
    assert "Driving licence held since: cannot be before the date of birth" in said
    nothing = me.post(f"/portal/policies/{pid}/adjust", {"effective_date": today.isoformat(), "reason": "Moved"})
    assert nothing.status_code == 422 and "at least one change" in _alert(nothing.text)

    quoted = me.post(f"/portal/policies/{pid}/adjust", {"effective_date": today.isoformat(), "reason": "Moved house",
                                                        "address.postcode": "M1 1AE"})
    assert quoted.status_code == 200, quoted.text
    assert "The price of your change" in quoted.text and "How it is worked out" in quoted.text
    assert "postcode M1 1AE" in quoted.text
    history = policies.policy_history(me.ctx, SYSTEM, pid)
    assert not [t for t in history["transactions"] if t["kind"] == "mta"]  # only quoted so far
    action = re.search(r'action="(/portal/policies/[^"]+/confirm)"', quoted.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', quoted.text)
    assert action and key
    first = me.post(action.group(1), {"idempotency_key": key.group(1)})
    again = me.post(action.group(1), {"idempotency_key": key.group(1)})  # a double click
    assert first.status_code == again.status_code == 200 and "is changed" in first.text
    history = policies.policy_history(me.ctx, SYSTEM, pid)
    assert len([t for t in history["transactions"] if t["kind"] == "mta"]) == 1
    # PAY-3: the money is not "charged": the page says what will be taken (or paid) from which card on which day,
    # and the policy page lists it among the payments to come
    due = today + timedelta(days=14)  # the change's fee at least is owed: a charge
    assert "We will take GBP" in first.text and f"card ending 4242 on {due.day} {due:%B %Y}" in first.text
    page = me.get(f"/portal/policies/{pid}")
    assert "Payments to come" in page.text and f"card ending 4242 on {due.day} {due:%B %Y}" in page.text


def test_issue14_ux2_a_claim_is_notified_with_its_fields_checked_and_followed(me: Customer) -> None:
    pid = me.policy["id"]
    assert me.get(f"/portal/policies/{pid}/claim").status_code == 200
    when = (me.ctx.clock.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    theft = {"claim_type": "theft", "occurred_at": when, "loss_description": "The car",
             "circumstances": "Taken from the drive overnight", "anyone_injured": "no"}
    refused = me.post(f"/portal/policies/{pid}/claim", theft)
    assert refused.status_code == 422
    said = _alert(refused.text)
    assert "Crime reference" in said and "Police incident number" in said  # CLM-3: the use case's rule
    badly = me.post(f"/portal/policies/{pid}/claim", {**theft, "occurred_at": "last tuesday"})
    assert badly.status_code == 422 and "When it happened" in _alert(badly.text)
    # Without the CSRF token: refused, nothing recorded.
    assert me.post(f"/portal/policies/{pid}/claim", theft, csrf=False).status_code == 403
    assert claims.list_claims(me.ctx, SYSTEM, None, pid) == []

    done = me.post(f"/portal/policies/{pid}/claim", {**theft, "crime_reference": "CR/123/26",
                                                    "police_incident_number": "INC-998"})
    assert done.status_code == 303
    claim_url = done.headers["location"]
    shown = me.get(claim_url)
    assert shown.status_code == 200 and "Theft" in shown.text and "CR/123/26" in shown.text
    listed = me.get("/portal/claims")
    claim_id = claim_url.rsplit("/", 1)[1]
    assert claim_id in listed.text
    # Followed: what the handler writes is on the claim's page.
    claims.add_correspondence(me.ctx, SYSTEM, claim_id, direction="out", channel="letter",
                              summary="We have asked the police for their report")
    assert "We have asked the police for their report" in me.get(claim_url).text
    # The same form posted twice (its idempotency key is the form's) notifies once.
    key = "portal-fixed-key-for-the-test"
    for _ in range(2):
        me.post(f"/portal/policies/{pid}/claim", {**theft, "crime_reference": "CR/9", "police_incident_number": "I-9",
                                                  "idempotency_key": key})
    assert len(claims.list_claims(me.ctx, SYSTEM, None, pid)) == 2


def test_issue14_ux2_a_complaint_is_made_with_bad_input_named_and_followed(me: Customer) -> None:
    form = me.get("/portal/complaints/new")
    assert form.status_code == 200
    assert 'value="1 High Street, Leeds"' in form.text and 'value="Dana Driver"' in form.text  # their own, to change
    bad = me.post("/portal/complaints/new", {"kind": "sales_service", "description": "", "name": "Dana Driver",
                                             "address": "", "alternative_format": "smoke_signals"})
    assert bad.status_code == 422
    said = _alert(bad.text)
    assert "What went wrong" in said and "Your address" in said
    made = me.post("/portal/complaints/new", {"kind": "sales_service", "description": "Nobody answered my call",
                                              "name": "Dana Driver", "address": "1 High Street, Leeds",
                                              "policy_number": me.policy["number"]})
    assert made.status_code == 303
    page = me.get(made.headers["location"])
    assert page.status_code == 200 and "Nobody answered my call" in page.text and "Received" in page.text
    mine = complaints.list_complaints(me.ctx, SYSTEM)["complaints"]
    assert [c["policy_number"] for c in mine] == [me.policy["number"]]
    complaint_id = made.headers["location"].rsplit("/", 1)[1]
    assert complaint_id in me.get("/portal/complaints").text
    # Its letters: the acknowledgement staff send is listed, and its text read on a portal page.
    sent = complaints.acknowledge(me.ctx, SYSTEM, complaint_id)
    letter_id = sent["letters"][0]["id"]
    page = me.get(made.headers["location"])
    assert f"/portal/complaints/{complaint_id}/letters/{letter_id}" in page.text
    letter = me.get(f"/portal/complaints/{complaint_id}/letters/{letter_id}")
    assert letter.status_code == 200 and "Dana Driver" in letter.text
    assert me.get(f"/portal/complaints/{complaint_id}/letters/ltr_nosuch").status_code == 404


def test_issue14_ux2_prv2_consents_are_given_and_withdrawn_with_the_words_shown(me: Customer) -> None:
    page = me.get("/portal/privacy")
    assert page.status_code == 200 and "How we may contact you" in page.text
    given = me.post("/portal/privacy/consents", {"channel": "email", "purpose": "marketing", "granted": "yes"})
    assert given.status_code == 303
    held = consent.consents(me.ctx, SYSTEM, me.customer_id)
    row = next(c for c in held["current"] if (c["channel"], c["purpose"]) == ("email", "marketing"))
    assert row["granted"] and row["decision"] is not None
    # The words recorded with the decision are the page's own (PRV-2: what the person was shown).
    assert row["decision"]["wording"] == "Yes, you may contact me by e-mail with news and offers about our insurance."
    assert "News and offers about our insurance" in page.text and "E-mail" in page.text
    withdrawn = me.post("/portal/privacy/consents", {"channel": "email", "purpose": "marketing", "granted": "no"})
    assert withdrawn.status_code == 303
    held = consent.consents(me.ctx, SYSTEM, me.customer_id)
    row = next(c for c in held["current"] if (c["channel"], c["purpose"]) == ("email", "marketing"))
    assert not row["granted"] and row["decision"] is not None and row["decision"]["source"] == "web"
    bad = me.post("/portal/privacy/consents", {"channel": "pigeon", "purpose": "marketing", "granted": "yes"})
    assert bad.status_code == 422 and "channel" in _alert(bad.text)
    assert me.post("/portal/privacy/consents", {"channel": "sms", "purpose": "marketing", "granted": "yes"},
                   csrf=False).status_code == 403


def test_issue14_ux2_prv3_an_access_request_is_started_and_its_package_downloaded(me: Customer) -> None:
    refused = me.post("/portal/privacy/requests", {"kind": "rectification"})
    assert refused.status_code == 422  # a kind customers do not start: named on the form, not a 404
    assert "recorded by staff" in _alert(refused.text)
    assert me.post("/portal/privacy/requests", {}).status_code == 422
    started = me.post("/portal/privacy/requests", {"kind": "access"})
    assert started.status_code == 303
    case_url = started.headers["location"]
    case = me.get(case_url)
    assert case.status_code == 200 and "Download your data (HTML)" in case.text
    page = me.get(f"{case_url}/package?format=html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "attachment" in page.headers["content-disposition"] and "Your personal data" in page.text
    assert "Dana Driver" in page.text
    data = me.get(f"{case_url}/package?format=json")
    assert data.status_code == 200 and data.json()["subject"]["customer_id"] == me.customer_id
    assert me.get(f"{case_url}/package?format=pdf").status_code == 422
    assert "completed" in me.get(case_url).text  # producing the package answered the request
    # A portability export, as the REST route serves it.
    moved = me.post("/portal/privacy/requests", {"kind": "portability"})
    export = me.get(f"{moved.headers['location']}/export?format=csv")
    assert export.status_code == 200 and export.text.startswith("record,id,field,value")
    erase = me.post("/portal/privacy/requests", {"kind": "erasure"})
    assert erase.status_code == 303 and "privacy team" in me.get(erase.headers["location"]).text
    listed = me.get("/portal/privacy").text
    for started_url in (case_url, moved.headers["location"], erase.headers["location"]):
        assert started_url in listed
    # A request staff recorded that still waits for proof of identity: not released, said so (409, not a 500).
    waiting = requests.start(me.ctx, SYSTEM, me.customer_id, kind="access", channel="post")
    held = me.get(f"/portal/privacy/requests/{waiting['id']}/package?format=html")
    assert held.status_code == 409 and "identity" in held.text
    assert "not ready yet" in me.get(f"/portal/privacy/requests/{waiting['id']}").text

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

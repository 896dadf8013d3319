"""Issue 14 part 2 (UX-2): the portal's self-service pages in a real browser, with the fixtures of
test_portal_browser.py (Debian's Chromium against a real `covernote serve --demo`; never a downloaded browser):
a customer notifies a claim and sees it listed, makes a complaint, withdraws a consent, starts an access request
and downloads the package, and asks for an adjustment and sees its price. Every page is checked with axe-core
for WCAG 2.2 AA violations, the error states included.

Set COVERNOTE_PORTAL_SCREENSHOTS to a folder to save the screenshots docs/portal.md shows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_portal_browser import (  # noqa: F401  (fixtures, used by name)
    Portal,
    accessible,
    browser,
    page,
    portal,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

from playwright.sync_api import Browser, Page  # noqa: E402

API = {"Authorization": "Bearer cn_demo_customer_token"}


def test_issue14_ux2_a_customer_notifies_a_claim_and_sees_it_listed(page: Page, portal: Portal) -> None:  # noqa: F811
    policy_id, number = portal.own_policy
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.goto(f"{portal.url}/portal/policies/{policy_id}")
    page.get_by_role("link", name="Notify a claim").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Notify a claim"
    accessible(page, "claim form")

    when = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("What happened").select_option("theft")
    page.get_by_label("When it happened").fill(when)
    page.get_by_label("What was lost or damaged").fill("The car and a child seat")
    page.get_by_label("How it happened").fill("Taken from outside the house overnight")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Notify the claim").click()
    said = page.get_by_role("alert").inner_text()
    assert "Crime reference" in said and "Police incident number" in said  # CLM-3, named on the form
    accessible(page, "claim form with errors")

    page.get_by_label("Crime reference").fill("CR/4411/26")
    page.get_by_label("Police incident number").fill("INC-20261207-9")
    page.get_by_role("button", name="Notify the claim").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Claim clm_")
    claim_id = page.get_by_role("heading", level=1).inner_text().removeprefix("Claim ")
    shown = page.locator("main").inner_text()
    assert "Theft" in shown and number in shown and "CR/4411/26" in shown
    accessible(page, "claim page")
    screenshot(page, "portal-claim.png")

    page.get_by_role("link", name="Your claims").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your claims"
    assert page.get_by_role("link", name=claim_id).is_visible()
    accessible(page, "claims list")
    mine = httpx.get(f"{portal.url}/claims", headers=API).json()
    assert claim_id in [c["id"] for c in mine]  # the customer's own claim, through the API


def test_issue14_ux2_a_customer_makes_a_complaint(page: Page, portal: Portal) -> None:  # noqa: F811
    _, number = portal.own_policy
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.get_by_role("link", name="Complaints").click()
    accessible(page, "complaints list")
    page.get_by_role("link", name="Make a complaint").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Make a complaint"
    accessible(page, "complaint form")
    page.get_by_label("What it is about").select_option("sales_service")
    page.get_by_label("The policy it is about").select_option(number)
    page.get_by_label("What went wrong").fill("   ")  # blank: the browser sends it, the REST model refuses it
    page.get_by_label("Your address").fill("   ")
    page.get_by_role("button", name="Send my complaint").click()
    said = page.get_by_role("alert").inner_text()
    assert "What went wrong" in said and "Your address" in said
    accessible(page, "complaint form with errors")

    page.get_by_label("What went wrong").fill("I waited forty minutes on the phone to change my address.")
    page.get_by_label("Your address").fill("1 High Street, Leeds")
    page.get_by_label("Letters in another format").select_option("large_print")
    page.get_by_role("button", name="Send my complaint").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Complaint cmp_")
    shown = page.locator("main").inner_text()
    assert "forty minutes" in shown and "Large print" in shown and number in shown
    accessible(page, "complaint page")
    screenshot(page, "portal-complaint.png")
    mine = httpx.get(f"{portal.url}/complaints", headers=API).json()["complaints"]
    assert heading.removeprefix("Complaint ") in [c["id"] for c in mine]


def test_issue14_ux2_prv2_a_customer_withdraws_a_consent(page: Page, portal: Portal) -> None:  # noqa: F811
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.get_by_role("link", name="Your privacy").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your privacy"
    accessible(page, "privacy page")
    what = "consent to news and offers about our insurance by e-mail"
    if page.get_by_role("button", name=f"Give {what}").count():  # not given yet: give it first
        page.get_by_role("button", name=f"Give {what}").click()
        assert "Your choice is recorded." in page.get_by_role("status").inner_text()
    page.get_by_role("button", name=f"Withdraw {what}").click()
    assert "Your choice is recorded." in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name=f"Give {what}").is_visible()
    accessible(page, "privacy page after a change")
    screenshot(page, "portal-privacy.png")
    customer_id = httpx.get(f"{portal.url}/policies", headers=API).json()[0]["customer_id"]
    held = httpx.get(f"{portal.url}/customers/{customer_id}/consents", headers=API).json()
    row = next(c for c in held["current"] if (c["channel"], c["purpose"]) == ("email", "marketing"))
    assert row["granted"] is False and row["decision"]["source"] == "web"
    assert row["decision"]["wording"] == "No, do not contact me by e-mail with news and offers about our insurance."


def test_issue14_ux2_prv3_a_customer_starts_an_access_request_and_downloads_the_package(
        page: Page, portal: Portal) -> None:  # noqa: F811
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.goto(f"{portal.url}/portal/privacy")
    page.get_by_role("button", name="Send my request").click()  # nothing chosen: said on the form
    assert "What you are asking for" in page.get_by_role("alert").inner_text()
    accessible(page, "privacy page with an error")
    page.get_by_label("A copy of the personal data we hold about you").check()
    page.get_by_role("button", name="Send my request").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Your request dsr_")
    accessible(page, "access request page")
    screenshot(page, "portal-access-request.png")
    with page.expect_download() as html_download:
        page.get_by_role("link", name="Download your data (HTML)").click()
    html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert "<h1>Your personal data</h1>" in html
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download your data (JSON)").click()
    package = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert package["request"]["kind"] == "access" and package["records"]
    page.reload()
    assert "completed" in page.locator("main").inner_text()


def test_issue14_ux2_a_customer_sees_the_price_of_an_adjustment_before_confirming(
        page: Page, portal: Portal) -> None:  # noqa: F811
    policy_id, number = portal.own_policy
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.goto(f"{portal.url}/portal/policies/{policy_id}")
    page.get_by_role("link", name="Change this policy").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Change policy {number}"
    accessible(page, "adjustment form")
    page.get_by_label("Why it changes").fill("Moved house")
    page.get_by_label("New postcode where the car is kept").fill("ZZZ")  # the product's rule names it
    page.get_by_role("button", name="See the price").click()
    assert "New postcode where the car is kept" in page.get_by_role("alert").inner_text()
    assert "is not a UK postcode" in page.get_by_role("alert").inner_text()
    accessible(page, "adjustment form with errors")
    page.get_by_label("New postcode where the car is kept").fill("M1 1AE")
    page.get_by_role("button", name="See the price").click()
    assert page.get_by_role("heading", level=1).inner_text() == "The price of your change"
    assert "How it is worked out" in page.locator("main").inner_text()
    accessible(page, "adjustment price")
    screenshot(page, "portal-adjustment-quote.png")
    before = httpx.get(f"{portal.url}/policies/{policy_id}/history", headers=API).json()["transactions"]
    assert not [t for t in before if t["kind"] == "mta" and t["reason"] == "Moved house"]  # only quoted
    page.get_by_role("button", name="Confirm the change").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Policy {number} is changed"
    accessible(page, "adjustment confirmed")
    after = httpx.get(f"{portal.url}/policies/{policy_id}/history", headers=API).json()["transactions"]
    assert len([t for t in after if t["kind"] == "mta" and t["reason"] == "Moved house"]) == 1


def test_issue14_ux2_the_self_service_forms_work_without_javascript(browser: Browser,  # noqa: F811
                                                                   portal: Portal) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, portal, *portal.sign_ins["customer"])
        page.goto(f"{portal.url}/portal/privacy")
        what = "consent to surveys about our service by text message"
        before = "Give" if page.get_by_role("button", name=f"Give {what}").count() else "Withdraw"
        after = "Withdraw" if before == "Give" else "Give"
        page.get_by_role("button", name=f"{before} {what}").click()
        assert "Your choice is recorded." in page.get_by_role("status").inner_text()
        assert page.get_by_role("button", name=f"{after} {what}").is_visible()
        page.get_by_role("link", name="Complaints").click()
        page.get_by_role("link", name="Make a complaint").click()
        page.get_by_label("What went wrong").fill("The letter about my renewal came after the renewal date.")
        page.get_by_role("button", name="Send my complaint").click()  # the address is the customer's own, filled in
        assert page.get_by_role("heading", level=1).inner_text().startswith("Complaint cmp_")
    finally:
        context.close()

"""Issue 14 part 3 (UX-2): the staff back office in a real browser. Playwright drives Debian's Chromium
(/usr/bin/chromium; never a downloaded browser) against a real `covernote serve --demo`, with the portal's
browser fixtures (tests/e2e/test_portal_browser.py) and the staff sign-in that command prints. Every page
visited is checked with axe-core for WCAG 2.2 AA violations.

Set COVERNOTE_PORTAL_SCREENSHOTS to a folder to save the screenshots docs/backoffice.md shows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.test_portal_browser import Portal, accessible, browser, page, portal, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

from playwright.sync_api import Page  # noqa: E402

__all__ = ["browser", "page", "portal"]  # the portal's fixtures, used here by name
STAFF_TOKEN = "cn_demo_staff_token"  # the demo's public staff token, for checking through the REST API


def rest(portal: Portal, path: str) -> Any:
    r = httpx.get(f"{portal.url}{path}", headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert r.status_code == 200, r.text
    return r.json()


def staff_sign_in(page: Page, portal: Portal) -> None:
    page.goto(f"{portal.url}/backoffice")
    assert page.url.endswith("/backoffice/sign-in")
    page.get_by_label("User name").fill(portal.sign_ins["staff"][0])
    page.get_by_label("Password").fill(portal.sign_ins["staff"][1])
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/backoffice/search"), page.url


def test_issue14_ux2_staff_find_a_policy_by_registration_and_answer_the_customers_complaint(
        page: Page, portal: Portal) -> None:
    gus = rest(portal, "/search/policies?q=Gus")["policies"][0]
    complaint = next(c for c in rest(portal, "/complaints")["complaints"] if c["status"] == "acknowledged")

    page.goto(f"{portal.url}/backoffice")
    accessible(page, "staff sign-in page")
    staff_sign_in(page, portal)
    accessible(page, "search page")

    page.get_by_label("Search for").fill(gus["registration"].replace(" ", "").lower())  # as a caller reads it out
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name=gus["number"]).is_visible()
    accessible(page, "search results")
    page.get_by_role("link", name=gus["number"]).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Policy {gus['number']}"
    accessible(page, "staff policy page")

    page.locator("dl.facts").get_by_role("link", name=gus["customer_name"]).click()
    assert page.get_by_role("heading", level=1).inner_text() == gus["customer_name"]
    main = page.locator("main").inner_text()
    for heading in ("Open deadlines", "Policies", "Claims", "Complaints", "Data subject requests", "Consents"):
        assert heading in main
    accessible(page, "customer page")
    screenshot(page, "backoffice-customer.png")

    page.get_by_role("link", name=complaint["id"]).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Complaint {complaint['id']}"
    accessible(page, "complaint page")
    final = page.locator("form", has=page.get_by_role("heading", name="Final response"))
    final.get_by_label("Outcome", exact=True).select_option("upheld")
    final.get_by_label("Explanation").fill("We should have called you back within two days. We are sorry.")
    final.get_by_label("Root cause", exact=True).select_option("claim_delay")
    final.get_by_label("Redress (optional)").fill("a hundred")  # not an amount: named, nothing sent
    final.get_by_role("button", name="Send the final response").click()
    assert "Redress" in page.get_by_role("alert").inner_text()
    accessible(page, "complaint page with an error")
    final.get_by_label("Redress (optional)").fill("100.00")
    final.get_by_role("button", name="Send the final response").click()
    assert "The final response was sent." in page.get_by_role("status").inner_text()
    accessible(page, "complaint answered")

    # The outcome and the letter are the complaint's, through the REST API too.
    seen = rest(portal, f"/complaints/{complaint['id']}")
    assert seen["status"] == "final_response_sent" and seen["outcome"] == "upheld" and seen["redress"] == "100.00"
    letter = next(x for x in seen["letters"] if x["kind"] == "final_response")
    page.get_by_role("link", name="Final response to your complaint").click()
    assert "Financial Ombudsman Service" in page.locator("main").inner_text()
    assert letter["id"] in page.url
    accessible(page, "letter page")


def test_issue14_ux2_work_queues_per_team_link_to_their_subjects(page: Page, portal: Portal) -> None:
    staff_sign_in(page, portal)
    page.get_by_role("link", name="Work queues").click()
    accessible(page, "claims queue")
    for team in ("Claims complaints", "Sales and service complaints", "Underwriting operations", "Data protection",
                 "Data subject requests"):
        page.get_by_role("navigation", name="Teams").get_by_role("link", name=team).click()
        assert page.get_by_role("navigation", name="Teams").get_by_role("link", name=team).get_attribute(
            "aria-current") == "page"
        accessible(page, f"{team} queue")
    page.get_by_role("navigation", name="Teams").get_by_role("link", name="Claims handling").click()
    page.get_by_label("Due soon means due within").select_option("720")
    page.get_by_role("button", name="Show").click()
    report = rest(portal, "/clocks/report?team=claims&within_hours=720")
    item = (report["overdue"] + report["due_soon"])[0]
    assert item["subject_id"] in page.locator("main").inner_text()
    accessible(page, "claims queue over 30 days")
    screenshot(page, "backoffice-queue.png")
    page.get_by_role("link", name=f"{item['subject_kind'].replace('_', ' ')} {item['subject_id']}").first.click()
    assert item["subject_id"] in page.locator("main").inner_text()
    accessible(page, f"the {item['subject_kind']} a queue item links to")

    update = rest(portal, "/mid/updates")["updates"][0]
    page.goto(f"{portal.url}/backoffice/mid/{update['id']}")
    assert page.get_by_role("heading", level=1).inner_text() == "Motor Insurance Database update"
    accessible(page, "MID update page")

    page.goto(f"{portal.url}/backoffice/queues?team=requests")
    case = rest(portal, "/privacy/requests?open_only=true")["requests"][0]
    page.get_by_role("link", name=case["id"]).click()
    assert case["id"] in page.get_by_role("heading", level=1).inner_text()
    accessible(page, "data subject request page")


def test_issue14_ux2_a_cancellation_shows_the_refund_before_it_is_confirmed(page: Page, portal: Portal) -> None:
    policy = next(p for p in rest(portal, "/policies?limit=100") if p["status"] == "live"
                  and p["id"] not in (portal.own_policy[0], portal.others_policy[0]))
    staff_sign_in(page, portal)
    page.goto(f"{portal.url}/backoffice/policies/{policy['id']}")
    page.get_by_role("link", name="Quote a cancellation").click()
    accessible(page, "cancellation form")
    page.get_by_label("Reason").fill("The car was sold")
    page.get_by_role("button", name="Quote the cancellation").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Cancellation quote"
    assert "Refund to the customer" in page.locator("main").inner_text()
    accessible(page, "cancellation quote")
    assert rest(portal, f"/policies/{policy['id']}")["status"] == "live"  # nothing done before confirming
    page.get_by_role("button", name="Confirm cancellation").click()
    assert "is cancelled" in page.get_by_role("heading", level=1).inner_text()
    accessible(page, "cancelled")


def test_issue14_ux2_a_customer_signed_in_cannot_open_a_back_office_page(page: Page, portal: Portal) -> None:
    sign_in(page, portal, *portal.sign_ins["customer"])
    assert page.url.endswith("/portal/policies")
    customer_id = rest(portal, f"/policies/{portal.own_policy[0]}")["customer_id"]
    for path in ("/backoffice/search", "/backoffice/queues", f"/backoffice/customers/{customer_id}",
                 f"/backoffice/policies/{portal.own_policy[0]}"):
        answer = page.goto(f"{portal.url}{path}")
        assert answer is not None and answer.status == 403, path
        assert "for staff only" in page.locator("main").inner_text()
    accessible(page, "the back office refusing a customer")


def test_issue14_ux2_a_back_office_post_without_its_csrf_token_is_refused(page: Page, portal: Portal) -> None:
    recorded = httpx.post(f"{portal.url}/complaints", headers={"Authorization": f"Bearer {STAFF_TOKEN}"}, json={
        "kind": "sales_service", "description": "Nobody answered my letter", "name": "Ann Example",
        "address": "1 High St, Leeds", "received_via": "letter"})
    assert recorded.status_code == 201, recorded.text
    complaint = recorded.json()
    staff_sign_in(page, portal)
    answer = page.request.post(f"{portal.url}/backoffice/complaints/{complaint['id']}/acknowledge",
                               form={"note": "no token"})
    assert answer.status == 403 and "security token" in answer.text()
    forged = page.request.post(f"{portal.url}/backoffice/complaints/{complaint['id']}/acknowledge",
                               form={"csrf_token": "forged"})
    assert forged.status == 403
    assert rest(portal, f"/complaints/{complaint['id']}")["letters"] == []  # nothing was sent


def test_issue14_ux2_a_change_of_address_is_priced_before_it_is_confirmed(page: Page, portal: Portal) -> None:
    policy = next(p for p in rest(portal, "/policies?limit=100") if p["status"] == "live"
                  and p["id"] not in (portal.own_policy[0], portal.others_policy[0]))
    staff_sign_in(page, portal)
    page.goto(f"{portal.url}/backoffice/policies/{policy['id']}")
    page.get_by_role("link", name="Quote a change").click()
    accessible(page, "adjustment form")
    page.get_by_label("Reason", exact=True).fill("Moved house")
    page.get_by_label("New postcode (optional)").fill("not a postcode")
    page.get_by_role("button", name="Quote the change").click()
    assert "New postcode" in page.get_by_role("alert").inner_text()
    accessible(page, "adjustment form with an error")
    page.get_by_label("New postcode (optional)").fill("M1 1AE")
    page.get_by_role("button", name="Quote the change").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Adjustment quote"
    accessible(page, "adjustment quote")
    page.get_by_role("button", name="Confirm the change").click()
    assert "is changed" in page.get_by_role("heading", level=1).inner_text()
    accessible(page, "adjusted")


def test_issue14_ux2_prv4_staff_see_an_erasure_plan_before_applying_it(page: Page, portal: Portal) -> None:
    case = next(q for q in rest(portal, "/privacy/requests?open_only=true")["requests"] if q["kind"] == "erasure")
    staff_sign_in(page, portal)
    page.goto(f"{portal.url}/backoffice/requests/{case['id']}")
    page.get_by_role("button", name="Show the erasure plan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Erasure plan"
    accessible(page, "erasure plan")
    assert rest(portal, f"/privacy/requests/{case['id']}")["status"] == "in_progress"  # nothing erased yet
    page.get_by_role("button", name="Apply this erasure plan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Erasure applied"
    accessible(page, "erasure applied")
    assert rest(portal, f"/privacy/requests/{case['id']}")["status"] == "completed"


def test_issue14_ux2_a_claim_moves_on_from_its_page(page: Page, portal: Portal) -> None:
    claim = rest(portal, "/claims")[0]
    staff_sign_in(page, portal)
    page.goto(f"{portal.url}/backoffice/claims/{claim['id']}")
    accessible(page, "claim page")
    page.get_by_label("New status").select_option("under_assessment")
    page.get_by_role("button", name="Change the status").click()
    assert "The claim's status was changed." in page.get_by_role("status").inner_text()
    page.get_by_label("New status").select_option("settlement_agreed")
    page.get_by_label("Settlement amount").fill("1,850")  # not an amount as the API takes it: named
    page.get_by_role("button", name="Change the status").click()
    assert "Settlement amount" in page.get_by_role("alert").inner_text()
    accessible(page, "claim page with an error")
    page.get_by_label("Settlement amount").fill("1850.00")
    page.get_by_role("button", name="Change the status").click()
    assert "The claim's status was changed." in page.get_by_role("status").inner_text()
    seen = rest(portal, f"/claims/{claim['id']}")
    assert seen["status"] == "settlement_agreed" and seen["settlement_amount"] == "1850.00"
    accessible(page, "claim changed")


def test_issue14_ux2_the_back_office_works_without_javascript(browser: Any, portal: Portal) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        staff_sign_in(page, portal)
        page.get_by_label("Search for").fill("Gus")
        page.get_by_role("button", name="Search").click()
        assert page.get_by_role("link", name="Gus Claim").first.is_visible()
        page.get_by_role("link", name="Work queues").click()
        page.get_by_label("Due soon means due within").select_option("168")
        page.get_by_role("button", name="Show").click()
        assert "hours=168" in page.url
        update = rest(portal, "/mid/updates")["updates"][0]
        page.goto(f"{portal.url}/backoffice/mid/{update['id']}")
        assert page.get_by_role("heading", level=1).inner_text() == "Motor Insurance Database update"
        page.get_by_role("button", name="Sign out").click()
        assert page.url.endswith("/backoffice/sign-in?signed_out=1")
        assert "You have signed out." in page.locator("main").inner_text()
    finally:
        context.close()


def test_issue14_doc1_staff_work_the_print_queue_from_printed_to_posted(page: Page, portal: Portal) -> None:
    """DOC-1, CMP-4: a large-print paper copy asked for through the REST API is on the back office's print queue
    with its customer, document and address; staff open the document, mark it printed, then posted."""
    own_id = portal.own_policy[0]
    cert = next(d for d in rest(portal, f"/policies/{own_id}/documents")["documents"] if d["kind"] == "certificate")
    asked = httpx.post(f"{portal.url}/documents/{cert['id']}/paper-copies", json={"large_print": True},
                       headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert asked.status_code == 201, asked.text
    copy = asked.json()
    name = copy["addressee"]["name"]

    staff_sign_in(page, portal)
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Print queue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Print queue"
    row = page.locator(f"#copy-{copy['id']}")
    for shown in (name, copy["addressee"]["postcode"], "Large print", "Certificate of motor insurance"):
        assert shown in row.inner_text(), shown
    accessible(page, "print queue")
    screenshot(page, "backoffice-print-queue.png")
    link = row.locator("th a").first
    assert link.get_attribute("href") == f"/portal/documents/{cert['id']}?format=pdf&large_print=1"
    assert "large print PDF for" in link.inner_text() or "large print PDF for" in (link.text_content() or "")

    row.locator("button").filter(has_text=f"Printed: Certificate of motor insurance for {name}").click()
    assert f"Paper copy {copy['id']} marked printed." in page.get_by_role("status").inner_text()
    accessible(page, "print queue after marking a copy printed")
    page.get_by_role("link", name="To post").click()
    page.locator(f"#copy-{copy['id']}").locator("button").filter(
        has_text=f"Posted: Certificate of motor insurance for {name}").click()
    assert f"Paper copy {copy['id']} marked posted." in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Posted", exact=True).click()
    assert "Posted " in page.locator(f"#copy-{copy['id']}").inner_text()
    accessible(page, "posted copies")
    queue = httpx.get(f"{portal.url}/print-queue?status=posted", headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert copy["id"] in {x["id"] for x in queue.json()["items"]}  # the same through the REST print queue

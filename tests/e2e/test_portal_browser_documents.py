"""Issue 14 (DOC-1, UX-2, CMP-4, SEC-1): the browser test the issue requires, with the fixtures of
test_portal_browser.py (Debian's Chromium against a real `covernote serve --demo`; never a downloaded browser).
In one scenario a customer signs in, gets a quote and buys a policy, opens the new policy's documents,
downloads the certificate (its PDF's text, read with pypdf, holds the fields the Road Traffic Act requires) and
downloads it again byte for byte, asks for a large-print paper copy, then quotes a cancellation, sees the
refund and confirms it. And a customer cannot reach another customer's policy page or document by changing the
URL: both answer 404, the same page as an unknown id. axe-core checks each new page.

Set COVERNOTE_PORTAL_SCREENSHOTS to a folder to save the screenshot docs/portal.md shows."""

# ruff: noqa: F811  (the fixtures imported from test_portal_browser are used by name)
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pypdf
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

from playwright.sync_api import Page  # noqa: E402

CUSTOMER_API = {"Authorization": "Bearer cn_demo_customer_token"}
STAFF_API = {"Authorization": "Bearer cn_demo_staff_token"}


def _buy(page: Page, portal: Portal, registration: str) -> str:
    """Get a quote for an eco car policy and buy it; the new policy's id."""
    page.get_by_role("link", name="Get a quote").click()
    page.get_by_role("link", name="Eco comprehensive car insurance").click()
    field = page.get_by_label
    field("Postcode where the car is kept").fill("LS1 5HD")
    field("Registration").fill(registration)
    field("Make").fill("Toyota")
    field("Model").fill("Corolla")
    field("Year of manufacture").fill("2021")
    field("Value").fill("15000")
    field("ABI group").fill("15")
    field("CO2 emissions").fill("110")
    field("Driver's full name").fill("Ann Example")
    field("Driver's date of birth").fill("1984-03-04")
    field("Driving licence held since").fill("2003-06-01")
    field("Annual mileage").fill("8000")
    page.get_by_role("button", name="Get my price").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your quote"
    total = page.locator("dt:has-text('Total to pay') + dd").inner_text()
    field("Card token").fill("tok_visa")
    page.get_by_role("button", name=f"Buy for {total}").click()
    assert re.search(r"/portal/policies/pol_\w+$", page.url), page.url
    return page.url.rsplit("/", 1)[1]


def _download(page: Page, title: str, link_text: str) -> tuple[str, bytes]:
    """Click the download link `link_text` in the row of the document `title`; the file's name and bytes."""
    row = page.locator("table.documents tbody tr").filter(has=page.locator("th", has_text=title)).first
    with page.expect_download() as info:
        row.get_by_role("link").filter(has_text=re.compile(f"^{re.escape(link_text)}:")).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages).split())


def test_issue14_doc1_ux2_a_customer_buys_downloads_the_certificate_and_cancels(page: Page,
                                                                              portal: Portal) -> None:
    sign_in(page, portal, *portal.sign_ins["customer"])
    policy_id = _buy(page, portal, "LS21 DOC")
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Policy ")

    page.get_by_role("link", name="Your documents").click()
    assert page.url.endswith(f"/portal/policies/{policy_id}/documents")
    assert page.get_by_role("heading", level=1).inner_text() == "Your documents"
    table = page.locator("table.documents").inner_text()
    today = date.today().isoformat()
    for title in ("Certificate of motor insurance", "Policy schedule", "Statement of fact"):
        assert title in table
    assert f"New policy from {today}" in table
    accessible(page, "documents page")
    screenshot(page, "portal-documents.png")

    # The certificate: a PDF stating what the Road Traffic Act requires a certificate to state.
    cert = "Certificate of motor insurance"
    name, pdf = _download(page, cert, "PDF")
    assert re.fullmatch(r"certificate-doc_\w+\.pdf", name), name
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    bought = httpx.get(f"{portal.url}/policies/{policy_id}", headers=CUSTOMER_API).json()
    holder = httpx.get(f"{portal.url}/customers/{bought['customer_id']}", headers=CUSTOMER_API).json()["name"]
    end = date.fromisoformat(bought["current_term"]["end_date"])
    start = date.today()
    for required in ("Registration mark of vehicle LS21DOC (Toyota Corolla, 2021)",
                     f"Name of policyholder {holder}",
                     "Persons or classes of persons entitled to drive The following persons: Ann Example",
                     "Limitations as to use", "commencement of insurance ",
                     f"on {start.day} {start:%B %Y}", "expiry of insurance 23:59 on",
                     "I hereby certify that the policy to which this certificate relates satisfies the "
                     "requirements of the relevant law", ", Authorised Insurers"):
        assert required in text, (required, text)
    assert re.search(r"expiry of insurance 23:59 on \d{1,2} \w+ \d{4}", text), text
    assert f"{(end - timedelta(days=1)).day} {(end - timedelta(days=1)):%B %Y}" in text or \
        f"{end.day} {end:%B %Y}" in text, text
    # Downloaded again: byte for byte the document issued.
    again_name, again = _download(page, cert, "PDF")
    assert again_name == name and again == pdf
    # Large print and plain text are there too (CMP-4).
    large_name, large = _download(page, cert, "Large-print PDF")
    assert large_name.endswith("-large-print.pdf") and large.startswith(b"%PDF-") and large != pdf
    _, txt = _download(page, cert, "Plain text")
    assert "I hereby certify" in txt.decode("utf-8")

    # A paper copy, in large print, asked for and listed.
    page.get_by_label("Document").select_option(label=f"{cert} (New policy from {today}, issued {today})")
    page.get_by_label("In large print").check()
    page.get_by_role("button", name="Post me a paper copy").click()
    assert "Your large-print paper copy is asked for" in page.get_by_role("status").inner_text()
    copies = page.locator("#paper-copies + table").inner_text()
    assert "Certificate of motor insurance" in copies and "Large print" in copies
    assert "Waiting to be printed" in copies
    accessible(page, "documents page with a paper copy asked for")

    # Then the customer cancels: the refund is shown before anything is cancelled, then confirmed.
    page.goto(f"{portal.url}/portal/policies/{policy_id}")
    page.get_by_role("link", name="Cancel this policy").click()
    last_day = (date.today() + timedelta(days=10)).isoformat()
    page.get_by_label("First day without cover").fill(last_day)
    page.get_by_label("Reason").fill("Bought it to test the documents")
    page.get_by_role("button", name="See my refund").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your refund if you cancel"
    refund = page.locator("dt:has-text('Refund to you') + dd").inner_text()
    assert refund.startswith("£")
    page.get_by_role("button", name="Confirm cancellation").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Policy {number} is cancelled"
    assert refund in page.locator("main").inner_text()
    after = httpx.get(f"{portal.url}/policies/{policy_id}", headers=CUSTOMER_API).json()
    assert after["current_term"]["cancelled_from"] == last_day
    # The cancellation's letter joins the policy's documents.
    page.goto(f"{portal.url}/portal/policies/{policy_id}/documents")
    assert "Cancellation and refund" in page.locator("table.documents").inner_text()
    accessible(page, "documents page after a cancellation")


def test_issue14_sec1_another_customers_policy_and_document_answer_404_like_unknown_ones(page: Page,
                                                                                         portal: Portal) -> None:
    other_id, other_number = portal.others_policy
    listed = httpx.get(f"{portal.url}/policies/{other_id}/documents", headers=STAFF_API)
    assert listed.status_code == 200, listed.text
    theirs = listed.json()["documents"][0]["id"]
    sign_in(page, portal, *portal.sign_ins["customer"])

    def shown(path: str) -> tuple[int, str]:
        answer = page.goto(f"{portal.url}{path}")
        assert answer is not None
        return answer.status, page.locator("main").inner_text()

    unknown = shown("/portal/policies/pol_doesnotexist000000")
    assert unknown[0] == 404
    for path in (f"/portal/policies/{other_id}", f"/portal/policies/{other_id}/documents",
                 f"/portal/documents/{theirs}?format=pdf", f"/portal/documents/{theirs}?format=html&large_print=1"):
        assert shown(path) == unknown, path
        assert other_number not in page.content() and theirs not in page.content()
    assert shown("/portal/documents/doc_doesnotexist000000?format=pdf") == unknown
    accessible(page, "not-found page for another customer's document")

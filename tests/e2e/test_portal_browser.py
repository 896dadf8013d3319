"""Issue 14 (UX-2, SEC-1): the customer portal in a real browser. Playwright drives Debian's Chromium
(/usr/bin/chromium; never a downloaded browser) against a real `covernote serve --demo` on a free port, signed
in with the sign-ins that command prints. Every page is checked with axe-core for WCAG 2.2 AA violations.

Set COVERNOTE_PORTAL_SCREENSHOTS to a folder to save the screenshots docs/portal.md shows."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import free_port, wait_for_health

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

if not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":  # in CI, .ci/run installs it: never skipped
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@dataclass
class Portal:
    url: str
    sign_ins: dict[str, tuple[str, str]]  # role -> (user name, password), as `serve --demo` printed them
    own_policy: tuple[str, str]  # the demo customer's policy: id, number
    others_policy: tuple[str, str]  # another customer's policy: id, number


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("portal")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERNOTE_")} | {
        "COVERNOTE_DATA_DIR": str(tmp / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp / 'portal.db'}"}
    log_path = tmp / "serve.log"
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "from covernote.cli.main import app; app(prog_name='covernote')",
                             "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_health(proc, port, log_path, seconds=120)
        printed = log_path.read_text()
        # Item 3: `serve --demo` prints the demo customer's and a demo staff member's sign-in.
        sign_ins = {role: (login, password) for role, login, password in
                    re.findall(r"^  (customer|staff)\s+user name (\S+)  password (\S+)", printed, re.M)}
        assert set(sign_ins) == {"customer", "staff"}, printed
        url = f"http://127.0.0.1:{port}"
        mine = httpx.get(f"{url}/policies", headers={"Authorization": "Bearer cn_demo_customer_token"}).json()
        every = httpx.get(f"{url}/policies?limit=100", headers={"Authorization": "Bearer cn_demo_staff_token"}).json()
        own = mine[0]
        other = next(p for p in every if p["customer_id"] != own["customer_id"])
        yield Portal(url, sign_ins, (own["id"], own["number"]), (other["id"], other["number"]))
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=True)
    p = context.new_page()
    yield p
    context.close()


def accessible(page: Page, what: str) -> None:
    """No WCAG 2.2 AA violation that axe-core finds on the page as shown (once it has loaded: a form's post may
    still be navigating when the test asks)."""
    page.wait_for_load_state("load")
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    violations: list[dict[str, Any]] = result.response["violations"]
    assert result.response["passes"], f"{what}: axe-core checked nothing"
    assert not violations, f"{what}: {result.generate_report()}"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("COVERNOTE_PORTAL_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def sign_in(page: Page, portal: Portal, login: str, password: str) -> None:
    page.goto(f"{portal.url}/portal")
    page.get_by_label("User name").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_issue14_ux2_a_customer_signs_in_sees_their_policy_and_signs_out(page: Page, portal: Portal) -> None:
    policy_id, number = portal.own_policy
    page.goto(f"{portal.url}/portal/policies")
    assert page.url.endswith("/portal/sign-in")  # signed out: the sign-in page
    accessible(page, "sign-in page")
    screenshot(page, "portal-sign-in.png")

    sign_in(page, portal, *portal.sign_ins["customer"])
    assert page.url.endswith("/portal/policies")
    assert page.get_by_role("heading", level=1).inner_text() == "Your policies"
    accessible(page, "policies page")
    cookie = next(c for c in page.context.cookies() if c["name"] == "covernote_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"

    page.get_by_role("link", name=number).click()
    assert page.url.endswith(f"/portal/policies/{policy_id}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Policy {number}"
    body = page.locator("main").inner_text()
    for expected in ("Current term", "Premium", "Balance", "Registration", "Drivers", "Status"):
        assert expected in body
    accessible(page, "policy page")
    screenshot(page, "portal-policy.png")

    page.get_by_role("link", name="Payments and statement").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Payments and statement"
    assert "Payment received" in page.locator("main").inner_text()
    accessible(page, "statement page")

    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/portal/sign-in?signed_out=1")
    assert "You have signed out." in page.locator("main").inner_text()
    # The session ended on the server: its id, replayed from anywhere, is refused.
    again = httpx.get(f"{portal.url}/portal/policies", cookies={"covernote_session": cookie["value"]})
    assert again.status_code == 303 and again.headers["location"] == "/portal/sign-in"


def test_issue14_sec1_a_customer_cannot_open_another_customers_policy_by_its_url(page: Page,
                                                                                 portal: Portal) -> None:
    sign_in(page, portal, *portal.sign_ins["customer"])
    other_id, other_number = portal.others_policy
    theirs = page.goto(f"{portal.url}/portal/policies/{other_id}")
    assert theirs is not None and theirs.status == 404
    shown = page.locator("main").inner_text()
    assert other_number not in page.content()
    unknown = page.goto(f"{portal.url}/portal/policies/pol_doesnotexist000000")
    assert unknown is not None and unknown.status == 404
    assert page.locator("main").inner_text() == shown  # the same answer as a policy that does not exist
    statement = page.goto(f"{portal.url}/portal/policies/{other_id}/statement")
    assert statement is not None and statement.status == 404
    accessible(page, "not-found page")


def test_issue14_sec1_a_post_without_the_csrf_token_is_refused(page: Page, portal: Portal) -> None:
    sign_in(page, portal, *portal.sign_ins["customer"])
    # The sign-out form with its token removed, as a forged form from another site would be.
    page.locator("form[action='/portal/sign-out'] input[name='csrf_token']").evaluate("e => e.remove()")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Form not accepted"
    refused = page.request.post(f"{portal.url}/portal/sign-out", form={"csrf_token": "not-the-token"},
                                max_redirects=0)
    assert refused.status == 403
    # Neither post did anything: the session is still signed in.
    assert page.goto(f"{portal.url}/portal/policies") is not None
    assert page.url.endswith("/portal/policies")
    # A sign-in posted without the token its form carries is refused too (login CSRF).
    assert page.request.post(f"{portal.url}/portal/sign-in", form={"login": "x", "password": "y"},
                             max_redirects=0).status == 403


def test_issue14_sec1_five_wrong_passwords_lock_the_account_saying_when_to_retry(page: Page, portal: Portal) -> None:
    login, password = portal.sign_ins["staff"]  # staff sign in the same way (the back office follows)
    said = []
    for _ in range(5):
        sign_in(page, portal, login, "not the password")
        said.append(page.get_by_role("alert").inner_text())
    assert "The user name or password is not right." in said[0]
    assert "try again in 15 minutes" in said[-1]
    accessible(page, "sign-in page with an error")
    sign_in(page, portal, login, password)  # the right password, while locked
    assert page.url.endswith("/portal/sign-in")
    assert "try again in" in page.get_by_role("alert").inner_text()
    # A user name nobody has answers the same way: a lock-out does not tell who has an account.
    unknown = []
    for _ in range(5):
        sign_in(page, portal, "nobody.here", "not the password")
        unknown.append(page.get_by_role("alert").inner_text())
    assert unknown == said


def test_issue14_ux2_the_pages_work_without_javascript(browser: Browser, portal: Portal) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, portal, *portal.sign_ins["customer"])
        assert page.url.endswith("/portal/policies")
        page.get_by_role("link", name=portal.own_policy[1]).click()
        assert page.get_by_role("heading", level=1).inner_text() == f"Policy {portal.own_policy[1]}"
        page.get_by_role("button", name="Sign out").click()
        assert page.url.endswith("/portal/sign-in?signed_out=1")
    finally:
        context.close()


def test_issue14_ux2_a_customer_gets_a_quote_and_buys_it(page: Page, portal: Portal) -> None:
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.get_by_role("link", name="Get a quote").click()
    accessible(page, "product choice")
    page.get_by_role("link", name="Eco comprehensive car insurance").click()
    accessible(page, "quote form")
    field = page.get_by_label
    field("Postcode where the car is kept").fill("LS1 5HD")
    field("Registration").fill("LS21 BUY")
    field("Make").fill("Toyota")
    field("Model").fill("Corolla")
    field("Year of manufacture").fill("2021")
    field("Value").fill("15000")
    field("ABI group").fill("15")
    field("CO2 emissions").fill("110")
    field("Driver's full name").fill("Ann Example")
    field("Driver's date of birth").fill("1984-03-04")
    field("Driving licence held since").fill("2003-06-01")
    field("Annual mileage").fill("500")  # below the product's minimum: its rule says so
    page.get_by_role("button", name="Get my price").click()
    assert "Annual mileage: must be at least 1000" in page.get_by_role("alert").inner_text()
    accessible(page, "quote form with errors")
    field("Annual mileage").fill("8000")
    page.get_by_role("button", name="Get my price").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your quote"
    total = page.locator("dt:has-text('Total to pay') + dd").inner_text()
    assert total.startswith("£")
    accessible(page, "quote")
    screenshot(page, "portal-quote.png")

    field("Card token").fill("tok_declined")
    page.get_by_role("button", name=f"Buy for {total}").click()
    assert "declined" in page.get_by_role("alert").inner_text()  # nothing bought; the quote is still open
    field("Card token").fill("tok_visa")
    page.get_by_role("button", name=f"Buy for {total}").click()
    assert re.search(r"/portal/policies/pol_\w+$", page.url)
    assert "LS21BUY" in page.locator("main").inner_text()
    policy_id = page.url.rsplit("/", 1)[1]
    bought = httpx.get(f"{portal.url}/policies/{policy_id}",
                       headers={"Authorization": "Bearer cn_demo_customer_token"})
    assert bought.status_code == 200 and bought.json()["status"] == "live"  # the customer's own, through the API


def test_issue14_ux2_a_customer_quotes_a_cancellation_sees_the_refund_then_confirms(page: Page,
                                                                                    portal: Portal) -> None:
    """Last in this module: it cancels the demo customer's policy (from ten days on, so it is still live)."""
    from datetime import date, timedelta

    policy_id, number = portal.own_policy
    sign_in(page, portal, *portal.sign_ins["customer"])
    page.goto(f"{portal.url}/portal/policies/{policy_id}")
    page.get_by_role("link", name="Cancel this policy").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Cancel policy {number}"
    accessible(page, "cancellation form")

    page.get_by_label("Reason").fill("   ")  # the REST request's own rules judge the form
    page.get_by_label("First day without cover").fill("2020-01-01")
    page.get_by_role("button", name="See my refund").click()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    accessible(page, "cancellation form with errors")

    last_day = (date.today() + timedelta(days=10)).isoformat()
    page.get_by_label("First day without cover").fill(last_day)
    page.get_by_label("Reason").fill("Sold the car")
    page.get_by_role("button", name="See my refund").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your refund if you cancel"
    shown = page.locator("main").inner_text()
    assert "Refund to you" in shown and last_day in shown and "How it is worked out" in shown
    accessible(page, "cancellation quote")
    screenshot(page, "portal-cancellation-quote.png")
    # Only quoted: the policy is not cancelled yet.
    api = {"Authorization": "Bearer cn_demo_customer_token"}
    assert httpx.get(f"{portal.url}/policies/{policy_id}", headers=api).json()["current_term"]["cancelled_from"] is None
    refund = page.locator("dt:has-text('Refund to you') + dd").inner_text()

    page.get_by_role("button", name="Confirm cancellation").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Policy {number} is cancelled"
    assert refund in page.locator("main").inner_text()
    accessible(page, "cancellation confirmed")
    after = httpx.get(f"{portal.url}/policies/{policy_id}", headers=api).json()
    assert after["current_term"]["cancelled_from"] == last_day

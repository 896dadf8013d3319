"""The staff back office's pages (issue 14 part 3, UX-2): sign-in and sign-out, search for customers and
policies, the customer's whole picture, a staff policy page, and the work queues of the clock engine.

Staff sign in with the portal's mechanism (identity/usecases/web.py: argon2id passwords, server-side sessions,
CSRF, lock-out); the session is the same cookie. Each page calls the use cases the staff REST routes call,
with the signed-in staff member's Principal, so the roles are the use cases' own: what a use case refuses
(Forbidden) answers 403 as the REST API does, what does not exist 404. A customer signed in to the portal gets
no back-office page (403). No rule of the business is made here. The actions (complaint letters, claims,
cancellations, erasure) are in web/backoffice_actions.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from covernote.billing.usecases import arrears
from covernote.billing.usecases import notices as payment_notices
from covernote.claims import usecases as claims
from covernote.clocks import usecases as clocks
from covernote.clocks.domain import TEAMS
from covernote.complaints.usecases import complaints
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from covernote.lifecycle.usecases import policies
from covernote.policy.usecases import customers, search
from covernote.privacy.usecases import consent, requests
from covernote.regulatory.usecases import mid
from covernote.web import common
from covernote.web.session import (
    CSRF_FIELD,
    SIGN_IN_COOKIE,
    FormRefused,
    check_token,
    new_token,
    read_form,
    set_cookie,
)

PREFIX = "/backoffice"
PORTAL = "/portal"
HOME = f"{PREFIX}/search"
SIGN_IN = f"{PREFIX}/sign-in"
SEARCH_LIMIT = 25
CUSTOMER_POLICIES = 50  # a customer's policies on their page; more than any one customer holds
CUSTOMER_LIST = 100  # their claims, complaints and requests, each
ARREARS_QUEUE = 200  # the open arrears cases the credit control queue lists, oldest first
# The work queues: the clock engine's teams, and the data protection officer's requests (their own clock).
QUEUES: dict[str, str] = {**TEAMS, "requests": "data subject requests"}
QUEUE_HOURS = 48  # due within this many hours counts as due soon (the REST report's default)
REQUEST_QUEUE = 500  # open data subject requests shown, oldest first, before the page says there are more
QUEUE_WINDOWS = {"24": "a day", "48": "two days", "168": "a week", "720": "30 days"}

router = APIRouter(prefix=PREFIX, include_in_schema=False)
_templates = common.templates
_STYLESHEET = (Path(__file__).parent / "static" / "backoffice.css").read_bytes()
ctx_of, run, to, signed_in, _sentence = common.ctx_of, common.run, common.to, common.signed_in, common.sentence


def page(request: Request, template: str, status: int = 200, who: SignedIn | None = None,
         headers: dict[str, str] | None = None, **values: Any) -> HTMLResponse:
    html = _templates.get_template(f"backoffice/{template}").render(
        who=who, csrf_field=CSRF_FIELD, csrf_token=who.csrf_token if who else "", prefix=PREFIX, portal=PORTAL,
        **values)
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, who: SignedIn | None, status: int, title: str, message: str,
               issues: list[str] | None = None) -> HTMLResponse:
    return page(request, "error.html", status, who, title=title, message=message, issues=issues or [])


def refused(request: Request, who: SignedIn | None, why: str) -> HTMLResponse:
    return error_page(request, who, 403, "Form not accepted",
                      f"This form was not accepted: {why}. Go back, reload the page and try again.")


def explained(request: Request, who: SignedIn, e: DomainError) -> HTMLResponse:
    """A refusal a use case explains, shown as it says it, with the status the REST API answers."""
    if isinstance(e, NotFound):
        return error_page(request, who, 404, "Not found", _sentence(e.message))
    if isinstance(e, Forbidden):
        return error_page(request, who, 403, "Not allowed", _sentence(e.message),
                          [f"{i.field}: {i.reason}" for i in e.issues])
    return error_page(request, who, 409 if isinstance(e, Conflict) else 422, "Not possible", _sentence(e.message),
                      [f"{i.field}: {i.reason}" for i in e.issues])


async def staff_page(request: Request, render: Callable[[SignedIn], Awaitable[Response]]) -> Response:
    """A back-office page: the sign-in page for anyone not signed in; 403 for a signed-in customer (the
    back office is for staff, as every staff use case says); the use case's own answer for what it refuses;
    403 for a form posted without the session's CSRF token (nothing done)."""
    who = await signed_in(request)
    if who is None:
        return to(SIGN_IN)
    if not who.principal.is_staff:
        return error_page(request, who, 403, "Not allowed",
                          "The back office is for staff only. Your own policies are in the customer portal.")
    try:
        return await render(who)
    except FormRefused as e:
        return refused(request, who, str(e))
    except DomainError as e:
        return explained(request, who, e)


async def form_of(request: Request, who: SignedIn) -> dict[str, str]:
    """A posted form's fields, refused (FormRefused: 403, nothing done) without the session's CSRF token."""
    form = await read_form(request)
    check_token(form, who.csrf_token)
    return form


# -- sign-in and sign-out ------------------------------------------------------------------------------------


@router.get("")
async def backoffice(request: Request) -> Response:
    return to(HOME if await signed_in(request) else SIGN_IN)


@router.get("/backoffice.css")
async def stylesheet() -> Response:
    return Response(_STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


def _sign_in_form(request: Request, status: int, error: str | None = None, message: str | None = None,
                  login: str = "", headers: dict[str, str] | None = None) -> HTMLResponse:
    token = new_token()
    answer = page(request, "sign_in.html", status, None, headers, title="Staff sign-in", error=error,
                  message=message, login=login, sign_in_token=token)
    set_cookie(request, answer, SIGN_IN_COOKIE, token)
    return answer


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    who = await signed_in(request)
    if who is not None and who.principal.is_staff:
        return to(HOME)
    signed_out = request.query_params.get("signed_out") == "1"
    return _sign_in_form(request, 200, message="You have signed out." if signed_out else None)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    return await common.sign_in(request, HOME, _sign_in_form, refused)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    return await common.sign_out(request, SIGN_IN, refused)


# -- search ----------------------------------------------------------------------------------------------------


@router.get("/search")
async def search_page(request: Request) -> Response:
    """Customers and policies by name, policy number, registration or postcode (the REST search's use cases)."""
    async def render(who: SignedIn) -> Response:
        q = request.query_params.get("q")
        if q is None:
            return page(request, "search.html", 200, who, title="Search", q="", errors={}, found=None)
        try:
            found_customers = await run(search.search_customers, ctx_of(request), who.principal, q, SEARCH_LIMIT, 0)
            found_policies = await run(search.search_policies, ctx_of(request), who.principal, q, SEARCH_LIMIT, 0)
        except ValidationFailed as e:
            return page(request, "search.html", 422, who, title="Search", q=q, found=None,
                        errors={i.field: i.reason for i in e.issues})
        return page(request, "search.html", 200, who, title=f"Search: {found_policies['q']}", q=q, errors={},
                    found={"customers": found_customers["customers"], "policies": found_policies["policies"]},
                    limit=SEARCH_LIMIT)

    return await staff_page(request, render)


# -- the customer's whole picture, and a policy --------------------------------------------------------------


@router.get("/customers/{customer_id}")
async def customer_page(request: Request, customer_id: str) -> Response:
    """Details, policies (status, term, premium, balance), claims, complaints, data subject requests,
    consents and open deadlines: each from the use case its REST resource calls."""
    async def render(who: SignedIn) -> Response:
        ctx, me = ctx_of(request), who.principal
        person = await run(customers.get_customer, ctx, me, customer_id)
        summaries = await run(policies.list_policies, ctx, me, CUSTOMER_POLICIES, 0, customer_id)
        held = [await run(policies.get_policy, ctx, me, p["id"]) for p in summaries]
        their_claims = [c for p in summaries
                        for c in await run(claims.list_claims, ctx, me, None, p["id"], CUSTOMER_LIST, 0)]
        their_complaints = await run(complaints.list_complaints, ctx, me, None, None, CUSTOMER_LIST, 0, customer_id)
        their_requests = await run(requests.list_requests, ctx, me, customer_id, False, False, CUSTOMER_LIST, 0)
        consents = await run(consent.consents, ctx, me, customer_id)
        deadlines = await run(clocks.open_for_customer, ctx, me, customer_id)
        return page(request, "customer.html", 200, who, title=f"Customer: {person['name']}", person=person,
                    policies=held, claims=their_claims, complaints=their_complaints["complaints"],
                    requests=their_requests["requests"], consents=consents, deadlines=deadlines)

    return await staff_page(request, render)


@router.get("/policies/{policy_id}")
async def policy_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        ctx, me = ctx_of(request), who.principal
        view = await run(policies.get_policy, ctx, me, policy_id)
        term = view.get("current_term") or {}
        versions = term.get("versions") or []
        person = await run(customers.get_customer, ctx, me, view["customer_id"])
        its_claims = await run(claims.list_claims, ctx, me, None, view["id"], CUSTOMER_LIST, 0)
        payment = await run(payment_notices.policy_notices, ctx, me, view["id"])  # PAY-3: notices and authority
        return page(request, "policy.html", 200, who, title=f"Policy {view['number']}", policy=view, term=term,
                    latest=versions[-1] if versions else None, person=person, claims=its_claims, payment=payment)

    return await staff_page(request, render)


# -- work queues ------------------------------------------------------------------------------------------------


def subject_link(d: dict[str, Any]) -> str:
    """Where a deadline's subject is seen: its claim, complaint or MID update; for others (a claim's letter
    awaiting a reply), the deadline itself, whose note names the claim."""
    kind, subject = d["subject_kind"], d["subject_id"]
    if kind == "claim":
        return f"{PREFIX}/claims/{subject}"
    if kind == "complaint":
        return f"{PREFIX}/complaints/{subject}"
    if kind == "mid_update":
        return f"{PREFIX}/mid/{subject}"
    return f"{PREFIX}/deadlines/{d['id']}"


_templates.globals["subject_link"] = subject_link
_templates.globals["team_names"] = TEAMS


@router.get("/queues")
async def queues_page(request: Request) -> Response:
    """Due soon and overdue per team: the clock engine's report (`GET /clocks/report`) for a team, or the data
    subject requests' own clock (`GET /privacy/requests?open_only=true`). `hours`: what counts as due soon."""
    async def render(who: SignedIn) -> Response:
        team = request.query_params.get("team", "claims")
        hours_text = request.query_params.get("hours", str(QUEUE_HOURS))
        values: dict[str, Any] = {"title": "Work queues", "queues": QUEUES, "team": team, "hours": hours_text,
                                  "windows": QUEUE_WINDOWS, "report": None, "cases": None, "problem": None,
                                  "request_limit": REQUEST_QUEUE, "arrears": None}
        if team not in QUEUES:
            return page(request, "queues.html", 404, who, **{**values, "team": None,
                                                               "problem": f"There is no team {team}: choose one "
                                                                          "of the teams above."})
        values["title"] = f"Work queue: {QUEUES[team]}"
        if team == "requests":
            cases = await run(requests.list_requests, ctx_of(request), who.principal, None, True, False,
                              REQUEST_QUEUE, 0)
            values["cases"] = sorted(cases["requests"],
                                     key=lambda q: (not q["timing"]["overdue"], q["timing"]["effective_due_on"]))
            return page(request, "queues.html", 200, who, **values)
        try:  # the use case judges the window, as GET /clocks/report's within_hours
            hours = int(hours_text) if hours_text.strip().isdigit() and len(hours_text) < 10 else -1
            values["report"] = await run(clocks.report, ctx_of(request), who.principal, hours, team)
            if team == "credit_control":  # PAY-2: the open arrears cases themselves, beside their clocks
                values["arrears"] = await run(arrears.list_cases, ctx_of(request), who.principal, "open",
                                              ARREARS_QUEUE, 0)
        except ValidationFailed as e:
            values["problem"] = "; ".join(f"{'Due within' if i.field == 'within_hours' else i.field}: {i.reason}"
                                          for i in e.issues)
            return page(request, "queues.html", 422, who, **values)
        return page(request, "queues.html", 200, who, **values)

    return await staff_page(request, render)


@router.get("/deadlines/{deadline_id}")
async def deadline_page(request: Request, deadline_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        view = await run(clocks.get, ctx_of(request), who.principal, deadline_id)
        return page(request, "deadline.html", 200, who, title=f"Deadline: {view['name']}", deadline=view)

    return await staff_page(request, render)


@router.get("/mid/{update_id}")
async def mid_update_page(request: Request, update_id: str) -> Response:
    """A Motor Insurance Database update: its policy, state, the bureau's answer and its clock (`GET
    /mid/updates/{id}`)."""
    async def render(who: SignedIn) -> Response:
        view = await run(mid.get_update, ctx_of(request), who.principal, update_id)
        return page(request, "mid_update.html", 200, who, title=f"MID update {view['id']}", update=view)

    return await staff_page(request, render)


async def unknown(request: Request, rest: str) -> Response:
    """Any other address under /backoffice: the back office's own 404 page (staff only)."""
    async def render(who: SignedIn) -> Response:
        return error_page(request, who, 404, "Page not found", "There is no such page.")

    return await staff_page(request, render)

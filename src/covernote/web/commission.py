"""The portal's "commission we earn" page (issue 15, PAY-7): linked from the policy page, it shows what the
intermediary earns on each of the customer's policies (S3: "we will be pleased to provide this information
upon request"), through the same use case as `GET /policies/{id}/commission-disclosure`, with the signed-in
user's Principal (another customer's policy answers the portal's 404 page). The letter link issues the
disclosure as a stored letter among the policy's documents (once per day and figures) and downloads it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from covernote.billing.usecases import commission
from covernote.identity.usecases.web import SignedIn
from covernote.web.pages import PREFIX, ctx_of, page, run, signed_in_page, to

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/policies/{policy_id}/commission")
async def commission_page(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        data = await run(commission.policy_disclosure, ctx_of(request), who.principal, policy_id)
        return page(request, "commission.html", 200, who, title="Commission we earn", disclosure=data,
                    policy_id=policy_id)

    return await signed_in_page(request, render)


@router.get("/policies/{policy_id}/commission/letter")
async def commission_letter(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        doc = await run(commission.disclosure_letter, ctx_of(request), who.principal, policy_id)
        return to(f"{PREFIX}/documents/{doc['id']}?format=pdf")

    return await signed_in_page(request, render)

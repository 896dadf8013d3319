"""The portal's card payment of a returned direct debit's arrears (issue 15, PAY-2): the policy page says
"payment overdue: pay now" with the form; the payment goes through the use case the REST route calls
(`arrears.pay_arrears`), with the signed-in user's Principal and an idempotency key made with the page, so a
form posted twice pays once. A declined card changes nothing and says so."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from covernote.billing.usecases import arrears
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import Conflict, NotFound, PaymentRequired, ValidationFailed
from covernote.web.pages import PREFIX, ctx_of, form_page, policy_page, run
from covernote.web.session import check_token, read_form

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.post("/policies/{policy_id}/arrears/payment")
async def pay(request: Request, policy_id: str) -> Response:
    async def render(who: SignedIn) -> Response:
        form = await read_form(request)
        check_token(form, who.csrf_token)
        token = form.get("payment_token", "").strip()
        values = {"payment_token": token}
        if not token:
            return await policy_page(request, who, policy_id, 422, values=values,
                                     errors={"payment_token": "Enter the card's payment token"})
        try:
            paid = await run(arrears.pay_arrears, ctx_of(request), who.principal, policy_id, token,
                             form.get("idempotency_key"))
        except PaymentRequired as e:  # declined: nothing changed
            return await policy_page(request, who, policy_id, 402, values=values,
                                     problem=e.message[:1].upper() + e.message[1:] + ". Nothing was paid.")
        except ValidationFailed as e:
            return await policy_page(request, who, policy_id, 422, values=values,
                                     errors={i.field: i.reason for i in e.issues}, problem=e.message)
        except (Conflict, NotFound) as e:
            return await policy_page(request, who, policy_id, 409, values=values, problem=e.message)
        return await policy_page(request, who, policy_id, paid=paid)

    return await form_page(request, render)

"""The back office's print queue (issue 14; DOC-1, CMP-4): the paper copies customers and staff asked for, by
status (to print, to post, posted, cancelled), each with the customer, the document (opened as stored, in the
size asked for), the address it goes to and when it was asked for; and, for each, **Printed**, **Posted** and
**Cancel** forms posted with the session's CSRF token.

Every read and change goes through the use cases the REST print queue calls (`printing.print_queue`,
`printing.mark_print_request`: `GET /print-queue`, `POST /print-queue/{id}`) with the signed-in staff member's
Principal, so the roles are theirs (staff only); the posted status is judged first by the REST request's own model
(`PrintStatusIn`). A step back or a repeat (a copy marked twice in two tabs) answers the use case's 409 page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from covernote.documents.api import PrintStatusIn
from covernote.documents.usecases import printing
from covernote.identity.usecases.web import SignedIn
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.web.backoffice import PREFIX, ctx_of, error_page, form_of, page, run, staff_page, to

router = APIRouter(prefix=PREFIX, include_in_schema=False)
QUEUE = f"{PREFIX}/print-queue"
QUEUE_LIMIT = 200  # copies shown, oldest first, before the page says there are more
# The statuses as tabs, and what each means to the print room.
TABS = {"requested": "To print", "printed": "To post", "posted": "Posted", "cancelled": "Cancelled"}
DONE = {"printed": "marked printed", "posted": "marked posted", "cancelled": "cancelled"}
# What a staff member may do with a copy in each status (the use case's NEXT, as buttons).
ACTIONS = {"requested": (("printed", "Printed"), ("posted", "Posted"), ("cancelled", "Cancel")),
           "printed": (("posted", "Posted"), ("cancelled", "Cancel")), "posted": (), "cancelled": ()}


@router.get("/print-queue")
async def print_queue(request: Request) -> Response:
    async def render(who: SignedIn) -> Response:
        status = request.query_params.get("status", "requested")
        if status not in TABS:
            return error_page(request, who, 422, "Not possible", "There is no such list of paper copies.",
                              [f"status: use {', '.join(TABS)}"])
        queue = await run(printing.print_queue, ctx_of(request), who.principal, status, QUEUE_LIMIT, 0)
        done_id, done = request.query_params.get("done"), request.query_params.get("did")
        message = (f"Paper copy {done_id} {DONE[done]}." if done_id and done in DONE else None)
        return page(request, "print_queue.html", 200, who, title=f"Print queue: {TABS[status].lower()}",
                    section="print", shown=status, tabs=TABS, items=queue["items"], actions=ACTIONS[status],
                    limit=QUEUE_LIMIT, message=message)

    return await staff_page(request, render)


@router.post("/print-queue/{request_id}")
async def mark(request: Request, request_id: str) -> Response:
    """Mark a copy printed or posted, or cancel it (the REST route's use case); back to the list it was on."""
    async def render(who: SignedIn) -> Response:
        form = await form_of(request, who)
        try:
            body = PrintStatusIn.model_validate({"status": form.get("status", "")})
        except ValidationError as e:
            raise ValidationFailed("choose what happened to the copy",
                                   [FieldIssue("status", "use printed, posted or cancelled")]) from e
        back = form.get("from", "requested")
        done = await run(printing.mark_print_request, ctx_of(request), who.principal, request_id, body.status)
        return to(f"{QUEUE}?status={back if back in TABS else 'requested'}&done={done['id']}&did={body.status}")

    return await staff_page(request, render)

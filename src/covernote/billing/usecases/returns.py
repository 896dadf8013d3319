"""What happens when a direct debit comes back unpaid (PAY-2, FEE-2): one function per return, called by the
report processing (`direct_debit.process_reports`) in the same transaction that recorded the return.

Helper H5 (issue 15 part 3) owns this module: the GBP 20 fee, the letter with the new collection date, the
re-presentation (only after ARUDD 0 "refer to payer", PAY-6), payment by card and cancellation for non-payment.
Until that work is merged it does only what direct debit itself must: the collection is marked returned, its
ledger entry reversed, the instalment marked returned, and the return marked handled.
"""

from __future__ import annotations

from covernote.billing.domain.direct_debit import DdReturn
from covernote.kernel.ids import new_id
from covernote.kernel.journal import reversal_of
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork


def handle_return(ctx: AppContext, uow: UnitOfWork, dd_return: DdReturn) -> None:
    """Apply an ARUDD return recorded against its collection (`dd_return.collection_id` set): reverse the
    collection's ledger entry, mark the collection and its instalment returned, mark the return handled."""
    if dd_return.collection_id is None:
        return
    collection = uow.direct_debit.collections(ids=[dd_return.collection_id])[0]
    now = ctx.clock.now()
    reversal_id = None
    if collection.journal_entry_id is not None:
        entry = uow.ledger.get(collection.journal_entry_id)
        if entry is not None and uow.ledger.reversal_of(entry.entry_id) is None:
            reversal = reversal_of(entry, new_id("je"), now,
                                   f"direct debit returned unpaid (ARUDD {dd_return.reason_code})")
            uow.ledger.add(reversal)
            reversal_id = reversal.entry_id
    uow.direct_debit.mark_collection(collection.collection_id, "returned", reversal_id)
    uow.direct_debit.set_instalment_status([collection.instalment_id], "returned")
    uow.direct_debit.mark_return(dd_return.return_id, "handled", now)

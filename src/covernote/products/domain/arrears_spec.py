"""What a product says happens when a direct debit comes back unpaid (PAY-2, FEE-2), as product data: how
many working days after the return the collection is presented again (the letter gives that date), how long
the bank has to return a re-presentation before it counts as paid, how many days the customer has to pay by
card once the re-presentation has failed (or the return may not be re-presented), and which of the
product's fees is the returned-direct-debit charge. The notice of cancellation that follows is the
product's insurer notice (`cancellation.insurer_notice_days`), the same notice any insurer cancellation
gives.

The ladder that uses these numbers is billing's (`billing/domain/arrears.py`); kept here, apart from it, so
that the product model can hold it and the product loader can check it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArrearsRules:
    """`representation_working_days`: working days from the day the return is received to the new collection
    date (PAY-6: the customer gets the letter with that date as the advance notice of the new collection).
    `return_window_working_days`: working days after a collection date within which the paying bank may
    still return it (a re-presentation not returned by then has been paid).
    `card_payment_days`: calendar days the customer has to ring and pay by card (S1) before notice of
    cancellation is sent.
    `fee_event`: the fee schedule's `charged_on` event whose fee is charged on each return (FEE-2)."""

    representation_working_days: int
    return_window_working_days: int
    card_payment_days: int
    fee_event: str = "returned_direct_debit"

"""How billing's records are shown: a notice, a policy's authority."""

from __future__ import annotations

from datetime import date

from covernote.billing.domain.notices import PaymentAuthority, PaymentNotice, outstanding_after_withdrawal
from covernote.billing.results import AuthorityView, NoticeView
from covernote.platform.templating import long_date


def notice_summary(n: PaymentNotice) -> str:
    """One sentence for the customer: what happens to which card on which day (or what they owe)."""
    card = f"your {n.card_brand} card ending {n.card_last4}"
    if n.status == "pending":
        verb = f"we will take GBP {n.amount.to_str()} from {card}" if n.kind == "charge" else \
            f"we will pay GBP {n.amount.to_str()} to {card}"
        return f"{verb[0].upper()}{verb[1:]} on {long_date(n.due_on)}."
    if n.status == "taken":
        return f"GBP {n.amount.to_str()} was taken (receipt {n.receipt_reference})."
    if n.status == "paid":
        return f"GBP {n.amount.to_str()} was paid to {card} (receipt {n.receipt_reference})."
    if n.status == "withdrawn":
        return f"GBP {n.amount.to_str()} is owed: the continuous payment authority was withdrawn, so it was not " \
               f"taken from {card}; pay it another way."
    if n.status == "failed":
        what = "taken from" if n.kind == "charge" else "paid to"
        return f"GBP {n.amount.to_str()} could not be {what} {card} on {long_date(n.due_on)}: {n.reason}."
    return f"GBP {n.amount.to_str()}: cancelled ({n.reason})."


def notice_view(n: PaymentNotice) -> NoticeView:
    return {"id": n.notice_id, "policy_id": n.policy_id, "transaction_id": n.transaction_id, "kind": n.kind,
            "amount": n.amount.to_str(), "card": f"{n.card_brand} ending {n.card_last4}", "card_brand": n.card_brand,
            "card_last4": n.card_last4, "sent_on": n.sent_on.isoformat() if n.sent_on else None,
            "due_on": n.due_on.isoformat(), "status": n.status, "document_id": n.document_id,
            "receipt_reference": n.receipt_reference, "reason": n.reason, "summary": notice_summary(n)}


def authority_view(policy_id: str, a: PaymentAuthority | None, notices: list[PaymentNotice],
                   today: date) -> AuthorityView:
    """The authority as shown; a policy bound before billing recorded authorities has one in force (S3: it is
    part of the terms of business it was bound on)."""
    owed = outstanding_after_withdrawal(notices)
    lines: list[str] = []
    if a is None or a.in_force:
        lines.append("Additional premiums and refunds are taken from or paid to the card on file, each notified in "
                     "writing 14 days before (S3, PAY-3).")
    else:
        lines.append("The customer withdrew the continuous payment authority: nothing more is taken from the card.")
        if a.cancellation_due_on is not None:
            lines.append(f"Nothing was paid another way by {a.answer_by}: the policy's cancellation was asked for "
                         f"on {a.cancellation_due_on}.")
        elif a.answer_by is not None and not owed.is_zero():
            lines.append(f"GBP {owed.to_str()} is owed; unless it is paid another way by {a.answer_by}, the policy "
                         "is cancelled with the cancellation fee.")
    return {"policy_id": policy_id, "in_force": a is None or a.in_force,
            "granted_at": a.granted_at.isoformat() if a else None,
            "withdrawn_at": a.withdrawn_at.isoformat() if a and a.withdrawn_at else None,
            "withdrawn_by": a.withdrawn_by if a else None,
            "answer_by": a.answer_by.isoformat() if a and a.answer_by else None,
            "owed": owed.to_str(), "letter_document_id": a.letter_document_id if a else None,
            "cancellation_due_on": a.cancellation_due_on.isoformat() if a and a.cancellation_due_on else None,
            "explanation": lines}

"""The `arrears:` section of a product file (PAY-2, FEE-2), validated strictly: unknown keys are refused, the
numbers are bounded, and the fee event it names must charge exactly one fee of the product's schedule when the
product charges for a returned direct debit at all. A problem is reported as `file: arrears.<field>: reason`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from covernote.products.domain.arrears_spec import ArrearsRules
from covernote.products.store.strict import StrictDoc


class ArrearsDoc(StrictDoc):
    # PAY-6: the letter with the new date is the advance notice of the re-presentation, so at most a few weeks.
    representation_working_days: int = Field(ge=1, le=20, strict=True)
    return_window_working_days: int = Field(ge=1, le=10, strict=True)
    card_payment_days: int = Field(ge=1, le=60, strict=True)
    fee_event: str = "returned_direct_debit"


def arrears_problems(doc: Any) -> list[tuple[str, str]]:
    """What a product with an `arrears` section also needs (`doc` is the whole ProductDoc): at most one fee
    charged on its fee event (the charge the letter states), and notice before an insurer cancellation
    (the ladder's last step is that notice)."""
    section: ArrearsDoc | None = doc.arrears
    if section is None:
        return []
    out: list[tuple[str, str]] = []
    charged = [f.code for f in doc.fees if f.charged_on == section.fee_event]
    if len(charged) > 1:
        out.append(("arrears.fee_event", f"{len(charged)} fees ({', '.join(charged)}) are charged on "
                                         f"{section.fee_event!r}: the letter states one charge"))
    if doc.cancellation.insurer_notice_days < 1:
        out.append(("cancellation.insurer_notice_days", "a product with an arrears ladder must give notice before "
                                                        "cancelling for non-payment (at least 1 day)"))
    return out


def arrears_rules(d: ArrearsDoc) -> ArrearsRules:
    return ArrearsRules(d.representation_working_days, d.return_window_working_days, d.card_payment_days,
                        d.fee_event)

"""Complaint letters from templates (DOC-2, CMP-2..4): the acknowledgement, progress update, summary
resolution communication, final response and eight-week letter, each as plain text and as a printable
HTML page.

The wording is in `src/covernote/complaints/templates/` (Jinja2, rendered through the one environment every
context uses, `platform/templating.py`; issue 14): one file per kind of letter for its body, `fos.txt` for
the Financial Ombudsman Service's details (S3), and `letter.txt` / `letter.html` for the page around the
body. Every value is worked out here and filled in whole; the HTML template is autoescaped, so each value
is shown as text. Who the letter is from (the brand, the team's contact point) is product data: the product
file's `contacts:` section.

Formats (CMP-4): standard print; large print (the HTML page in an 18-point font, 1.5 line spacing, no
justification, following common clear-print guidance); audio and Braille are produced by the
transcription provider from this letter, so their page says so at the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from covernote.clocks.domain import TEAMS
from covernote.complaints import domain as rules
from covernote.complaints.domain import Complaint
from covernote.kernel.clock import london_date
from covernote.kernel.money import Money
from covernote.platform import templating
from covernote.products.domain.notices import BrandContacts

_TEMPLATES = ("acknowledgement", "progress_update", "summary_resolution", "final_response", "eight_week", "fos",
              "letter")
FONT = {"large_print": ("18pt", "34em")}
DEFAULT_FONT = ("11pt", "42em")
CHANNEL_WORDS = {"letter": "by letter", "email": "by e-mail", "phone": "by telephone", "web": "through our website"}
OUTCOME_WORDS = {"upheld": "upheld", "partly_upheld": "partly upheld", "not_upheld": "not upheld"}


_long_date = templating.long_date


def render(template: str, /, **values: Any) -> str:
    """Template `name` (`acknowledgement`, `letter`, `letter.html`...; `.txt` when none is given), filled in."""
    return templating.render("covernote.complaints", template if "." in template else f"{template}.txt", **values)


def fos_block() -> str:
    return render("fos", fos_website=rules.FOS_WEBSITE, fos_address=rules.FOS_ADDRESS,
                  fos_phones=" or ".join(rules.FOS_PHONES), fos_email=rules.FOS_EMAIL).strip()


@dataclass(frozen=True)
class Letter:
    title: str
    text: str
    html: str


def production_note(fmt: str, sent_at: datetime) -> str | None:
    """What the page says about who produces the letter: for audio and Braille, the provider."""
    if fmt not in rules.PROVIDER_FORMATS:
        return None
    return (f"To be produced in {rules.FORMATS[fmt]} by the transcription provider from this text: the "
            f"complainant asked for responses in {rules.FORMATS[fmt]} (CMP-4). Sent to the provider on "
            f"{_long_date(london_date(sent_at))}.")


def letterhead(contacts: BrandContacts, team: str) -> str:
    """Who the letter is from, as lines: the brand, the team's contact point of the product (its addressee
    and postal address), and its telephone line with opening hours and e-mail where the product gives them
    (DOC-2: product data, quoted from the source documents)."""
    point = contacts.point(rules.TEAM_CONTACT_POINTS.get(team, "complaints"))
    lines = [contacts.brand, point.name, *point.address]
    phone = point.phone_line()
    if phone:
        lines.append(f"Telephone: {phone}")
    if point.email:
        lines.append(f"E-mail: {point.email}")
    return "\n".join(lines)


def compose(kind: str, c: Complaint, *, contacts: BrandContacts, fmt: str, sent_at: datetime,
            final_due: date | None = None, policy_number: str | None = None, note: str = "") -> Letter:
    """The letter of `kind` for complaint `c` as it stands (after the change the letter reports), produced
    in `fmt`, sent at `sent_at`, from the product's `contacts` (the complaint's product, or the catalogue's
    default for a complaint that names none)."""
    sent_on = london_date(sent_at)
    values: dict[str, Any] = {
        "received_on": _long_date(london_date(c.received_at)),
        "received_via": CHANNEL_WORDS.get(c.received_via, c.received_via),
        "description": c.description.strip(),
        "kind_name": rules.KIND_NAMES[c.kind],
        "team_name": TEAMS.get(c.team, c.team),
        "final_due": _long_date(final_due) if final_due else "eight weeks after we received your complaint",
        "fos_block": fos_block(),
        "fos_website": rules.FOS_WEBSITE,
        "fos_by": _long_date(rules.fos_refer_by(sent_on)),
        "resolution": (c.resolution or "").strip(),
        "explanation": (c.resolution or "").strip(),
        "outcome": OUTCOME_WORDS.get(c.outcome or "", c.outcome or ""),
        # "other" has no wording for the complainant: the explanation says it.
        "root_cause_line": f"The complaint concerned {rules.ROOT_CAUSES[c.root_cause]}."
        if c.root_cause in rules.ROOT_CAUSES and c.root_cause != "other" else "",
        "redress": _redress(c.redress),
        "note": note.strip(),
    }
    body = re.sub(r"\n{3,}", "\n\n", render(kind, **values)).strip()
    title = rules.LETTER_KINDS[kind].capitalize()
    font, width = FONT.get(fmt, DEFAULT_FONT)
    page = {
        "letterhead": letterhead(contacts, c.team),
        "sent_on": _long_date(sent_on), "name": c.name, "address": c.address + (f"\n{c.postcode}" if c.postcode else ""), "reference": c.complaint_id,
        "title": title, "team_name": TEAMS.get(c.team, c.team).capitalize(),
        "policy_number": policy_number or c.policy_number, "format": fmt,
    }
    text = render("letter", **page, body=body,
                  format_label=rules.FORMATS[fmt].upper() if fmt != "standard" else "")
    paragraphs = [para.splitlines() for para in body.split("\n\n") if para.strip()]
    page_html = render("letter.html", **page, paragraphs=paragraphs, font_size=font, width=width,
                       production_note=production_note(fmt, sent_at))
    return Letter(title, text.rstrip() + "\n", page_html)


def _redress(redress: Money | None) -> str:
    if redress is None or redress.is_zero():
        return "We are not making a payment to you."
    return f"To put things right we will pay you £{redress.amount:,.2f}."

"""Complaint letters from templates (DOC-2, CMP-2..4): the acknowledgement, progress update, summary
resolution communication, final response and eight-week letter, each as plain text and as a printable
HTML page.

The wording is in `src/covernote/complaints/templates/` (standard-library `string.Template`: `$name`
placeholders): one file per kind of letter for its body, `fos.txt` for the Financial Ombudsman Service's
details (S3), and `letter.txt` / `letter.html` for the page around the body. Every value is worked out
here and substituted whole; the HTML escapes each value.

Formats (CMP-4): standard print; large print (the HTML page in an 18-point font, 1.5 line spacing, no
justification, following common clear-print guidance); audio and Braille are produced by the
transcription provider from this letter, so their page says so at the top.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from covernote.clocks.domain import TEAMS
from covernote.complaints import domain as rules
from covernote.complaints.domain import Complaint
from covernote.kernel.clock import london_date
from covernote.kernel.money import Money
from covernote.products.domain.notices import BrandContacts

_TEMPLATES = ("acknowledgement", "progress_update", "summary_resolution", "final_response", "eight_week", "fos",
              "letter")
FONT = {"large_print": ("18pt", "34em")}
DEFAULT_FONT = ("11pt", "42em")
CHANNEL_WORDS = {"letter": "by letter", "email": "by e-mail", "phone": "by telephone", "web": "through our website"}
OUTCOME_WORDS = {"upheld": "upheld", "partly_upheld": "partly upheld", "not_upheld": "not upheld"}


@cache
def template(name: str) -> Template:
    """A template by name (`acknowledgement`, `letter`, `letter.html`...), read once."""
    filename = name if "." in name else f"{name}.txt"
    text = resources.files("covernote").joinpath("complaints", "templates", filename).read_text(encoding="utf-8")
    return Template(text)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def fos_block() -> str:
    return template("fos").substitute(
        fos_website=rules.FOS_WEBSITE, fos_address=rules.FOS_ADDRESS, fos_phones=" or ".join(rules.FOS_PHONES),
        fos_email=rules.FOS_EMAIL).strip()


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
    body = re.sub(r"\n{3,}", "\n\n", template(kind).substitute(values)).strip()
    title = rules.LETTER_KINDS[kind].capitalize()
    number = policy_number or c.policy_number
    page = {
        "letterhead": letterhead(contacts, c.team),
        "sent_on": _long_date(sent_on), "name": c.name, "address": c.address + (f"\n{c.postcode}" if c.postcode else ""), "reference": c.complaint_id,
        "title": title, "team_name": TEAMS.get(c.team, c.team).capitalize(),
    }
    text = template("letter").substitute(page, body=body,
                                         policy_line=f"Policy number: {number}\n" if number else "")
    if fmt != "standard":
        text = f"[{rules.FORMATS[fmt].upper()}]\n" + text
    note_text = production_note(fmt, sent_at)
    font, width = FONT.get(fmt, DEFAULT_FONT)
    esc = {k: html.escape(str(v)) for k, v in page.items()}
    paragraphs = "\n".join("<p>" + "<br>".join(html.escape(line) for line in para.splitlines()) + "</p>"
                           for para in body.split("\n\n") if para.strip())
    page_html = template("letter.html").substitute(
        esc, body=paragraphs, font_size=font, width=width, format_class=f"format-{fmt}",
        policy_html=f"<br>Policy number: {html.escape(number)}" if number else "",
        production_note=f'<p class="note">{html.escape(note_text)}</p>' if note_text else "")
    return Letter(title, text.rstrip() + "\n", page_html)


def _redress(redress: Money | None) -> str:
    if redress is None or redress.is_zero():
        return "We are not making a payment to you."
    return f"To put things right we will pay you £{redress.amount:,.2f}."

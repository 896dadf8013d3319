"""A complaint's letters as issued documents (issue 14; DOC-1, DOC-2, CMP-4): each letter, as it was sent (its
HTML page and its text, from `complaint_letters`), is stored once by the documents context with its PDF and
SHA-256, so the complainant and staff download it as PDF, HTML, plain text or large print, and ask for a paper
copy, like any other document.

When: right after the action that sent the letter commits (acknowledgement, progress update, summary
resolution, final response, the eight-week job), outside its transaction, so rendering the PDF can never undo
or slow the letter's own recording (a rendering failure is logged and the letter stays without its document);
and, for any letter still without one, when the complaint's documents are listed. The document holds the letter
exactly as sent: its HTML and text are the stored ones, never composed again."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import cache

from covernote.complaints import domain as rules
from covernote.complaints.domain import Complaint
from covernote.complaints.ports import ComplaintLetter
from covernote.documents.domain import Letter, Owner
from covernote.documents.results import DocumentView
from covernote.documents.usecases import documents
from covernote.identity.usecases import Principal
from covernote.platform import templating
from covernote.platform.context import AppContext

log = logging.getLogger("covernote.complaints")
KIND = "complaint_letter"  # the documents' kind for a complaint's letter; its subject is the letter's id
# Every template a complaint letter is composed from (complaints/usecases/letters.py).
_SOURCES = ("acknowledgement.txt", "progress_update.txt", "summary_resolution.txt", "final_response.txt",
            "eight_week.txt", "fos.txt", "letter.txt", "letter.html")


@cache
def template_version() -> str:
    """A SHA-256 of the complaint letters' template sources: the wording a letter issued now was written in."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + templating.source("covernote.complaints", name).encode("utf-8") + b"\0")
    return digest.hexdigest()


def owner(c: Complaint) -> Owner:
    """The complaint as the owner of its letters' documents: the customer it concerns, if any; no policy (the
    letters are the complaint's records, kept as long as the complaint, not the policy's)."""
    return Owner("complaint", c.complaint_id, c.customer_id)


def as_letter(letter: ComplaintLetter) -> Letter:
    """The letter as sent, to issue: its stored HTML page and text."""
    title = rules.LETTER_KINDS.get(letter.kind, letter.kind).capitalize()
    return Letter(KIND, letter.letter_id, title, f"complaints/{letter.kind}", template_version(), None, None,
                  letter.body_html, letter.body)


def issue_missing(ctx: AppContext, principal: Principal, c: Complaint, letters: Sequence[ComplaintLetter],
                  issued: set[str]) -> list[DocumentView]:
    """Issue the documents of the complaint's letters not yet issued (`issued`: the letter ids that have one).
    A letter erased or anonymised (no text left) is not issued; one that cannot be rendered is logged and left
    for the next listing. Never raises for a rendering failure: the letter was sent either way."""
    out: list[DocumentView] = []
    for letter in letters:
        if letter.letter_id in issued or not letter.body or not letter.body_html:
            continue
        try:
            out.append(documents.issue_owned_letter(ctx, principal, owner(c), as_letter(letter)))
        except Exception:  # a letter that cannot be rendered: logged, tried again on the next listing
            log.exception("the document of letter %s of complaint %s cannot be issued", letter.letter_id,
                          c.complaint_id)
    return out

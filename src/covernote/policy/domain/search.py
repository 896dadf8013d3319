"""What a staff search's words can mean (issue 13 item 20): a name, a policy number, a registration or
a postcode. Registrations and postcodes are compared as stored (normalised: capitals, registrations
without spaces, postcodes with one space before the inward code), so "ab12 cde", "AB12CDE" and
" ab 12cde " find the same car, and "ls15hd" and "LS1 5HD" the same postcode. Pure: no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.policy.domain.model import ANONYMISED_MARK
from covernote.policy.domain.risk import normalise_postcode, normalise_registration

MIN_QUERY, MAX_QUERY = 2, 100
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{3,18}$")
_REGISTRATION = re.compile(r"^(?=.*[0-9])[A-Z0-9]{2,8}$")  # any mark: matched exactly, so no false friend


@dataclass(frozen=True)
class SearchTerms:
    """Each reading of one query that applies; None where the words cannot be one."""

    query: str
    name: str  # lower case, inner spaces collapsed: matched anywhere in a name, case-blind
    number: str | None
    registration: str | None
    postcode: str | None


def search_terms(q: str) -> SearchTerms:
    """The readings of `q`, or ValidationFailed naming `q` when it is too short, too long or has control
    characters."""
    text = unicodedata.normalize("NFC", q)
    tidy = " ".join(text.split())
    if not MIN_QUERY <= len(tidy) <= MAX_QUERY or any(unicodedata.category(ch).startswith("C") for ch in tidy):
        raise ValidationFailed("the search cannot be made",
                               [FieldIssue("q", f"give {MIN_QUERY} to {MAX_QUERY} printable characters: part of a "
                                                "name, a policy number, a registration or a postcode")])
    compact = normalise_registration(tidy)
    number = compact if _NUMBER.match(compact) else None
    registration = compact if _REGISTRATION.match(compact) else None
    postcode = normalise_postcode(tidy) if compact.isalnum() and compact.isascii() else None
    if postcode is not None and not _POSTCODE.match(postcode):
        postcode = None
    return SearchTerms(tidy, tidy.lower(), number, registration, postcode)


def is_erased(value: str) -> bool:
    """Whether a stored value was erased (replaced by its keyed hash): shown as nothing, never matched."""
    return value.startswith(ANONYMISED_MARK)

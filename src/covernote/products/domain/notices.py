"""What a product tells its customers about whom to contact and what their data rights are, as product
data quoted from the source documents: the brand, the firm's contact points for complaints (address,
telephone line, opening hours) that letters are written from (DOC-2, CMP-2), and the privacy notice's
rights, its data-protection contact and the supervisory authority's contacts that access packages give
(PRV-3).

Kept apart from the product model so the model holds them without knowing how letters or packages are
written; loaded and checked by `products/store/notices.py`."""

from __future__ import annotations

from dataclasses import dataclass

# The contact points every product names: sales, service or administration complaints, and claims
# complaints (S3, "What to do if you need to complain").
CONTACT_POINTS = ("complaints", "claims_complaints")

# The rights a privacy notice may state (UK GDPR arts. 13-22; S2's
# right to give directives about one's data after death).
RIGHTS = ("information", "access", "rectification", "erasure", "restriction", "objection", "portability",
          "withdraw_consent", "complaint", "post_mortem_directives")


@dataclass(frozen=True)
class ContactPoint:
    """Where a customer writes or telephones: the addressee, the postal address (lines), the telephone
    line and its opening hours (either may be absent where the source states none), and an e-mail."""

    name: str
    address: tuple[str, ...]
    phone: str | None = None
    hours: str | None = None
    email: str | None = None
    source: str = ""

    def phone_line(self) -> str | None:
        """The telephone number with its opening hours, as a letter prints it."""
        if self.phone is None:
            return None
        return f"{self.phone} ({self.hours})" if self.hours else self.phone


@dataclass(frozen=True)
class BrandContacts:
    """The brand a product is sold under and its contact points, by `CONTACT_POINTS` name."""

    brand: str
    points: tuple[tuple[str, ContactPoint], ...]
    source: str = ""
    # The product whose contacts answer a complaint that names no product (exactly one in a catalogue).
    default_for_complaints: bool = False
    # REG-5: the Financial Services Compensation Scheme statement every policy document prints, in the
    # brand's own words (None where the file gives none: the documents then say nothing about the FSCS).
    fscs: str | None = None

    def point(self, name: str) -> ContactPoint:
        return dict(self.points)[name]


@dataclass(frozen=True)
class Regulator:
    """The supervisory authority a person may complain to, as the notice gives it."""

    name: str
    website: str | None
    phones: tuple[str, ...]
    address: str | None
    source: str


@dataclass(frozen=True)
class StatedRight:
    """One right, in the notice's own words."""

    code: str
    text: str


@dataclass(frozen=True)
class PrivacyNotice:
    """A privacy notice's rights (word for word, in the notice's order), whom to contact to exercise them,
    and the regulator."""

    notice: str
    rights: tuple[StatedRight, ...]
    contact: str
    regulator: Regulator
    source: str = ""

    def right(self, code: str) -> StatedRight | None:
        return next((r for r in self.rights if r.code == code), None)

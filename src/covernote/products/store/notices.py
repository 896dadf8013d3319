"""The `contacts:` and `privacy_notice:` sections of a product file, validated strictly: unknown keys are
refused, every contact point letters need is present with an addressee and a postal address, every right
is one the package knows, and the regulator can be reached somehow. files.py loads them with the rest of
the file; a problem is reported as `file: contacts.<field>: reason` or `file: privacy_notice.<field>:
reason`, and a file without either section is reported as missing it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from covernote.products.domain.notices import (
    CONTACT_POINTS,
    RIGHTS,
    BrandContacts,
    ContactPoint,
    PrivacyNotice,
    Regulator,
    StatedRight,
)
from covernote.products.store.strict import StrictDoc, only_known

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ]{5,20}[0-9]$")]


class ContactPointDoc(StrictDoc):
    name: Line
    address: list[Line] = Field(min_length=1)
    phone: Phone | None = None
    hours: Line | None = None
    email: Line | None = None
    source: Text

    @model_validator(mode="after")
    def _hours_need_a_line(self) -> ContactPointDoc:
        if self.hours is not None and self.phone is None:
            raise ValueError("opening hours are given but no telephone line")
        return self


class ContactsDoc(StrictDoc):
    """Whom the product's customers write to and telephone (DOC-2: the letterhead of every letter)."""

    brand: Line
    source: Text
    default_for_complaints: bool = False
    points: dict[str, ContactPointDoc]
    # REG-5: the FSCS statement policy documents print (compulsory cover 100%, other cover 90%).
    fscs: Text | None = None

    @field_validator("points")
    @classmethod
    def _known(cls, points: dict[str, ContactPointDoc]) -> dict[str, ContactPointDoc]:
        only_known(points, CONTACT_POINTS, "contact point(s)")
        missing = [p for p in CONTACT_POINTS if p not in points]
        if missing:
            raise ValueError(f"missing contact point(s) {missing}: letters need {', '.join(CONTACT_POINTS)}")
        return points


class RegulatorDoc(StrictDoc):
    name: Line
    website: Line | None = None
    phones: list[Phone] = []
    address: Text | None = None
    source: Text

    @model_validator(mode="after")
    def _reachable(self) -> RegulatorDoc:
        if self.website is None and not self.phones and self.address is None:
            raise ValueError("give at least a website, a telephone number or a postal address")
        return self


class PrivacyNoticeDoc(StrictDoc):
    """The notice's rights word for word, whom to contact to exercise them, and the regulator (PRV-3)."""

    notice: Text
    source: Text
    rights: dict[str, Text] = Field(min_length=1)
    contact: Text
    regulator: RegulatorDoc

    @field_validator("rights")
    @classmethod
    def _rights(cls, rights: dict[str, str]) -> dict[str, str]:
        only_known(rights, RIGHTS, "right(s)")
        if "access" not in rights:
            raise ValueError("the right of access must be stated (the access package quotes it)")
        return rights


def notice_problems(doc: Any) -> list[tuple[str, str]]:
    """The sections every product needs (`doc` is the whole ProductDoc)."""
    out: list[tuple[str, str]] = []
    if doc.contacts is None:
        out.append(("contacts", "missing: the brand and the complaint contact points (address, telephone, "
                                "opening hours) letters are written from"))
    if doc.privacy_notice is None:
        out.append(("privacy_notice", "missing: the notice's rights, its contact and the regulator's contacts, "
                                      "which access packages give"))
    return out


def brand_contacts(doc: ContactsDoc) -> BrandContacts:
    return BrandContacts(
        brand=doc.brand,
        points=tuple((name, ContactPoint(p.name, tuple(p.address), p.phone, p.hours, p.email, p.source))
                     for name, p in ((n, doc.points[n]) for n in CONTACT_POINTS)),
        source=doc.source, default_for_complaints=doc.default_for_complaints, fscs=doc.fscs)


def privacy_notice(doc: PrivacyNoticeDoc) -> PrivacyNotice:
    r = doc.regulator
    return PrivacyNotice(
        notice=doc.notice,
        rights=tuple(StatedRight(code, text) for code, text in doc.rights.items()),  # the notice's own order
        contact=doc.contact,
        regulator=Regulator(r.name, r.website, tuple(r.phones), r.address, r.source),
        source=doc.source)

"""The set of loaded product versions, and which one is in force on a date."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from covernote.kernel.errors import FieldIssue, NotFound, ValidationFailed
from covernote.products.domain.model import Product, TaxTable
from covernote.products.domain.notices import BrandContacts, PrivacyNotice


@dataclass(frozen=True)
class Catalogue:
    products: tuple[Product, ...]
    tax: TaxTable

    def codes(self) -> list[str]:
        return sorted({p.code for p in self.products})

    @cached_property
    def _by_code(self) -> dict[str, tuple[Product, ...]]:
        """Each code's versions, oldest first: sorted once (the products never change), not on every look-up."""
        by_code: dict[str, list[Product]] = {}
        for p in sorted(self.products, key=lambda p: p.effective_from):
            by_code.setdefault(p.code, []).append(p)
        return {code: tuple(found) for code, found in by_code.items()}

    @cached_property
    def _by_ref(self) -> dict[str, Product]:
        """Each version by its ref; the first of its code's versions when two share one, as a search finds."""
        refs: dict[str, Product] = {}
        for found in self._by_code.values():
            for p in found:
                refs.setdefault(p.ref, p)
        return refs

    def versions(self, code: str) -> list[Product]:
        found = self._by_code.get(code)
        if not found:
            raise NotFound(f"no product {code!r}", [FieldIssue("product", f"unknown product code {code!r}")])
        return list(found)

    def in_force(self, code: str, on: date) -> Product:
        """The version of `code` in force on `on`; raises if none is."""
        for p in self.versions(code):
            if p.effective_on(on):
                return p
        raise ValidationFailed(
            f"product {code} has no version in force on {on}",
            [FieldIssue("start_date", f"product {code} is not on sale for cover starting {on}")],
        )

    def by_ref(self, ref: str) -> Product:
        found = self._by_ref.get(ref)
        if found is not None:
            return found
        self.versions(ref.partition("@")[0])  # an unknown code is named as such
        raise NotFound(f"no product version {ref!r}")

    def _as_of(self, code: str, on: date) -> Product:
        """The version of `code` in force on `on`, or the latest one that started by then (or the first)."""
        versions = self.versions(code)
        started = [p for p in versions if p.effective_from <= on] or versions[:1]
        return next((p for p in started if p.effective_on(on)), started[-1])

    def contacts_for(self, code: str | None, on: date) -> BrandContacts:
        """The brand and contact points letters about product `code` are written from on `on` (DOC-2); for
        no product (or one no longer in the catalogue), the product marked `default_for_complaints`."""
        if code is not None and code in self._by_code:
            contacts = self._as_of(code, on).contacts
            if contacts is not None:
                return contacts
        for c in self.codes():
            contacts = self._as_of(c, on).contacts
            if contacts is not None and contacts.default_for_complaints:
                return contacts
        raise LookupError("no product's contacts answer complaints that name no product")

    def notice_for(self, ref: str) -> PrivacyNotice | None:
        """The privacy notice of a product version (PRV-3); None for a version no longer loaded."""
        found = self._by_ref.get(ref)
        return None if found is None else found.privacy_notice

    def current(self, on: date) -> list[Product]:
        out = []
        for code in self.codes():
            try:
                out.append(self.in_force(code, on))
            except ValidationFailed:
                continue
        return out


def check_overlaps(products: list[Product]) -> list[tuple[Product, str]]:
    """Problems with effective dating: two versions of a product in force on the same day, each with
    the product version it concerns."""
    problems: list[tuple[Product, str]] = []
    by_code: dict[str, list[Product]] = {}
    for p in products:
        by_code.setdefault(p.code, []).append(p)
    for code, versions in by_code.items():
        versions.sort(key=lambda p: p.effective_from)
        seen = set()
        for p in versions:
            if p.version in seen:
                problems.append((p, f"{code}: version {p.version} defined twice"))
            seen.add(p.version)
        for a, b in itertools.pairwise(versions):
            if a.effective_to is None or a.effective_to > b.effective_from:
                problems.append((a,
                    f"{code}: version {a.version} (from {a.effective_from}) is still in force when "
                    f"version {b.version} starts on {b.effective_from}; give {a.version} an effective_to"
                ))
    return problems

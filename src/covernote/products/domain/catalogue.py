"""The set of loaded product versions, and which one is in force on a date."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from covernote.kernel.errors import FieldIssue, NotFound, ValidationFailed
from covernote.products.domain.model import Product, TaxTable


@dataclass(frozen=True)
class Catalogue:
    products: tuple[Product, ...]
    tax: TaxTable

    def codes(self) -> list[str]:
        return sorted({p.code for p in self.products})

    def versions(self, code: str) -> list[Product]:
        found = sorted((p for p in self.products if p.code == code), key=lambda p: p.effective_from)
        if not found:
            raise NotFound(f"no product {code!r}", [FieldIssue("product", f"unknown product code {code!r}")])
        return found

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
        code, _, version = ref.partition("@")
        for p in self.versions(code):
            if p.version == version:
                return p
        raise NotFound(f"no product version {ref!r}")

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

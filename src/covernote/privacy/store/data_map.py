"""The data map, generated from the declarations on the schema's columns (PRV-1)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from covernote.kernel.declarations import DeclaredField, NotPersonal, PersonalData, PersonalInside, expand
from covernote.store.tables import metadata


def undeclared(md: sa.MetaData = metadata) -> list[str]:
    """Columns with no privacy declaration: each must say what it holds before it can be stored."""
    return [f"{t.name}.{c.name}" for t in md.sorted_tables for c in t.columns
            if not isinstance(c.info.get("privacy"), PersonalData | NotPersonal | PersonalInside)]


def declared_fields(md: sa.MetaData = metadata) -> list[DeclaredField]:
    out: list[DeclaredField] = []
    for t in md.sorted_tables:
        for c in t.columns:
            out.extend(expand(f"{t.name}.{c.name}", c.info["privacy"]))
    return out


def json_patterns(md: sa.MetaData = metadata) -> dict[str, list[str]]:
    """table.column -> the declared paths inside each structured column."""
    return {f"{t.name}.{c.name}": sorted(c.info["privacy"].paths) for t in md.sorted_tables for c in t.columns
            if isinstance(c.info.get("privacy"), PersonalInside)}


def path_is_declared(patterns: list[str], path: str) -> bool:
    """Whether a concrete JSON path (`drivers[0].name`) matches a declared one (`drivers[].name`,
    `answers.*`)."""
    concrete = re.sub(r"\[\d+\]", "[]", path)
    for pattern in patterns:
        regex = "^" + re.escape(pattern).replace(r"\[\]", r"\[\]").replace(r"\*", r"[^.]+") + "$"
        if re.match(regex, concrete):
            return True
    return False


class SqlDataInventory:
    """The DataInventory port over this schema."""

    def fields(self) -> list[DeclaredField]:
        return declared_fields()

    def undeclared(self) -> list[str]:
        return undeclared()

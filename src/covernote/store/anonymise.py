"""Apply the declared erasure strategies to stored rows (PRV-4, PRV-5).

One engine for erasure on request and for the retention sweep: for each row matched, every field
declared personal (and every declared path inside a structured field) is erased by its own strategy,
unless `keep` gives a reason to keep it. The result lists every field changed, so a caller can report
exactly what was done, and a second run changes nothing (erased values are recognised).

Strategies:
* `null`: the value becomes NULL; a column that cannot be NULL gets an empty string (text) or keeps
  the row shape with an empty object (JSON);
* `keyed_hash`: the value becomes `h:` and the HMAC-SHA256 of it under the keyring's secret, cut to the
  column's length: the same value always gives the same hash, so records stay linkable for fraud and
  accounting but cannot be read back;
* `delete_row`: the whole row is deleted (any such field not kept deletes the row);
* `encrypt_then_drop_key`: the value is encrypted with the person's data key; erasing deletes that key
  (see privacy/usecases/sensitive.py), so nothing changes in the row here and the field is reported as made unreadable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.kernel.declarations import Erasure, PersonalData, PersonalInside, visit_declared

HASH_PREFIX = "h:"
# A reason to keep one field of one row, or None to erase it: keep(location, declaration, row).
Keep = Callable[[str, PersonalData, Any], str | None]
Hasher = Callable[[str], str]


@dataclass(frozen=True)
class FieldChange:
    table: str
    row_id: str
    field: str  # column, or column:json.path with the index of each list element
    strategy: str

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "row_id": self.row_id, "field": self.field, "strategy": self.strategy}


@dataclass(frozen=True)
class KeptField:
    table: str
    row_id: str
    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "row_id": self.row_id, "field": self.field, "reason": self.reason}


@dataclass
class ErasureResult:
    """What an erasure did. The lists say it field by field (for a person's erasure plan and report);
    the counts say it table by table, and are all a caller asking for no detail gets (the sweep)."""

    changed: list[FieldChange]
    kept: list[KeptField]
    deleted_rows: list[tuple[str, str]]
    changed_n: dict[str, int] = field(default_factory=dict)
    kept_n: dict[str, int] = field(default_factory=dict)
    deleted_n: dict[str, int] = field(default_factory=dict)

    def merge(self, other: ErasureResult) -> None:
        self.changed.extend(other.changed)
        self.kept.extend(other.kept)
        self.deleted_rows.extend(other.deleted_rows)
        for mine, theirs in ((self.changed_n, other.changed_n), (self.kept_n, other.kept_n),
                             (self.deleted_n, other.deleted_n)):
            for table, n in theirs.items():
                mine[table] = mine.get(table, 0) + n

    def counts(self) -> dict[str, dict[str, int]]:
        return {"changed": dict(self.changed_n), "deleted": dict(self.deleted_n), "kept": dict(self.kept_n)}


def is_erased(value: Any) -> bool:
    return value in (None, "", {}, []) or (isinstance(value, str) and value.startswith(HASH_PREFIX))


def hashed(value: Any, hasher: Hasher, length: int | None) -> str:
    text = HASH_PREFIX + hasher(str(value))
    return text[:length] if length else text


def _row_id(table: sa.Table, row: Any) -> str:
    return "/".join(str(getattr(row, c.name)) for c in table.primary_key.columns)


class _Eraser:
    """The erasure of one table's rows: counts always, and each field changed or kept with `detail`."""

    def __init__(self, table: sa.Table, keep: Keep, hasher: Hasher, detail: bool) -> None:
        self.table, self.keep, self.hasher, self.detail = table, keep, hasher, detail
        self.result = ErasureResult([], [], [])
        self.changed = self.kept = 0

    def change(self, row_id: str, field_name: str, strategy: Erasure) -> None:
        self.changed += 1
        if self.detail:
            self.result.changed.append(FieldChange(self.table.name, row_id, field_name, strategy.value))

    def keep_field(self, row_id: str, field_name: str, reason: str) -> None:
        self.kept += 1
        if self.detail:
            self.result.kept.append(KeptField(self.table.name, row_id, field_name, reason))

    def json(self, doc: Any, paths: Mapping[str, PersonalData], column: str, row: Any, row_id: str) -> bool:
        """Erase every declared path of `doc` in place (the document was read for this erasure alone);
        whether anything changed."""
        before = self.changed

        def visit(container: Any, key: Any, pattern: str, decl: PersonalData, concrete: str | None) -> None:
            node = container[key]
            if is_erased(node):
                return
            reason = self.keep(f"{column}:{pattern}", decl, row)
            if reason is not None:
                self.keep_field(row_id, f"{column}:{concrete}", reason)
                return
            # keyed hash, or null (a delete_row inside a document: the value goes)
            container[key] = hashed(node, self.hasher, None) if decl.erasure is Erasure.KEYED_HASH else None
            self.change(row_id, f"{column}:{concrete}", decl.erasure)

        visit_declared(doc, paths, visit, with_paths=self.detail)
        return self.changed > before


def erase_rows(conn: Connection, table: sa.Table, where: Any, keep: Keep, hasher: Hasher,
               detail: bool = True) -> ErasureResult:
    """Erase the personal fields of the rows of `table` matching `where`, field by field, by their
    declared strategies; `keep` decides what stays and why. With `detail` the result lists every field
    changed or kept; without, only counts per table (a sweep over many rows)."""
    eraser = _Eraser(table, keep, hasher, detail)
    result = eraser.result
    rows = conn.execute(table.select().where(where)).all()
    declared: list[tuple[sa.Column[Any], PersonalData | PersonalInside, str]] = [
        (c, d, f"{table.name}.{c.name}") for c in table.columns
        if isinstance(d := c.info.get("privacy"), PersonalData | PersonalInside)]
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    deletes: list[dict[str, Any]] = []
    for row in rows:
        row_id = _row_id(table, row) if detail else ""
        values: dict[str, Any] = {}
        delete = False
        for column, decl, location in declared:
            current = getattr(row, column.name)
            if isinstance(decl, PersonalInside):
                if current is not None and eraser.json(current, decl.paths, column.name, row, row_id):
                    values[column.name] = current
                continue
            if decl.erasure is not Erasure.DELETE_ROW and is_erased(current):
                continue
            reason = keep(location, decl, row)
            if reason is not None:
                eraser.keep_field(row_id, column.name, reason)
                continue
            eraser.change(row_id, column.name, decl.erasure)
            if decl.erasure is Erasure.DELETE_ROW:
                delete = True
            elif decl.erasure is Erasure.ENCRYPT_DROP_KEY:
                pass  # the person's data key is deleted instead (privacy/usecases/sensitive.py)
            elif decl.erasure is Erasure.KEYED_HASH:
                values[column.name] = hashed(current, hasher, getattr(column.type, "length", None))
            elif column.nullable:
                values[column.name] = None
            elif isinstance(column.type, sa.String | sa.Text):
                values[column.name] = ""
            else:
                values[column.name] = {}
        key = {f"pk_{c.name}": getattr(row, c.name) for c in table.primary_key.columns}
        if delete:
            deletes.append(key)
            if detail:
                result.deleted_rows.append((table.name, row_id or _row_id(table, row)))
        elif values:
            updates.setdefault(tuple(sorted(values)), []).append({**key, **{f"v_{k}": v for k, v in values.items()}})
    # The writes, batched: one statement per set of columns changed, sent with executemany.
    pk_match = sa.and_(*(c == sa.bindparam(f"pk_{c.name}") for c in table.primary_key.columns))
    for columns, params in updates.items():
        conn.execute(table.update().where(pk_match).values({c: sa.bindparam(f"v_{c}") for c in columns}), params)
    if deletes:
        conn.execute(table.delete().where(pk_match), deletes)
    for counts, n in ((result.changed_n, eraser.changed), (result.kept_n, eraser.kept),
                      (result.deleted_n, len(deletes))):
        if n:
            counts[table.name] = n
    return result

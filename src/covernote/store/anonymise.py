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
  (see app/sensitive.py), so nothing changes in the row here and the field is reported as made unreadable.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covernote.domain.privacy.declarations import (
    Erasure,
    NotPersonal,
    PersonalData,
    PersonalInside,
    iter_declared,
)

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
    changed: list[FieldChange]
    kept: list[KeptField]
    deleted_rows: list[tuple[str, str]]

    def merge(self, other: ErasureResult) -> None:
        self.changed.extend(other.changed)
        self.kept.extend(other.kept)
        self.deleted_rows.extend(other.deleted_rows)


def is_erased(value: Any) -> bool:
    return value in (None, "", {}, []) or (isinstance(value, str) and value.startswith(HASH_PREFIX))


def hashed(value: Any, hasher: Hasher, length: int | None) -> str:
    text = HASH_PREFIX + hasher(str(value))
    return text[:length] if length else text


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _set_path(doc: Any, concrete: str, value: Any) -> None:
    """Set the value at a concrete path (`drivers[0].name`) inside a JSON document."""
    tokens: list[str | int] = [int(i) if i else k for k, i in _TOKEN.findall(concrete)]
    node = doc
    for token in tokens[:-1]:
        node = node[token]
    node[tokens[-1]] = value


def _row_id(table: sa.Table, row: Any) -> str:
    return "/".join(str(getattr(row, c.name)) for c in table.primary_key.columns)


def _erase_json(value: Any, paths: Mapping[str, PersonalData], column: str, keep: Keep, row: Any,
                hasher: Hasher, table: str, row_id: str, result: ErasureResult) -> Any:
    """A copy of `value` with every declared path erased (or kept, with the reason)."""
    doc = copy.deepcopy(value)
    for concrete, pattern, decl, node in iter_declared(value, paths):
        if is_erased(node):
            continue
        field = f"{column}:{concrete}"
        reason = keep(f"{column}:{pattern}", decl, row)
        if reason is not None:
            result.kept.append(KeptField(table, row_id, field, reason))
            continue
        # keyed hash, or null (a delete_row inside a document: the value goes)
        _set_path(doc, concrete, hashed(node, hasher, None) if decl.erasure is Erasure.KEYED_HASH else None)
        result.changed.append(FieldChange(table, row_id, field, decl.erasure.value))
    return doc


def erase_rows(conn: Connection, table: sa.Table, where: Any, keep: Keep, hasher: Hasher,
               rows: Iterable[Any] | None = None) -> ErasureResult:
    """Erase the personal fields of the rows of `table` matching `where` (or the given `rows`, already
    read), field by field, by their declared strategies; `keep` decides what stays and why."""
    result = ErasureResult([], [], [])
    if rows is None:
        rows = conn.execute(table.select().where(where)).all()
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    deletes: list[dict[str, Any]] = []
    for row in rows:
        row_id = _row_id(table, row)
        values: dict[str, Any] = {}
        delete = False
        for column in table.columns:
            decl = column.info.get("privacy")
            location = f"{table.name}.{column.name}"
            current = getattr(row, column.name)
            if isinstance(decl, NotPersonal) or decl is None:
                continue
            if isinstance(decl, PersonalInside):
                if current is None:
                    continue
                before = len(result.changed)
                new = _erase_json(current, decl.paths, column.name, keep, row, hasher, table.name, row_id, result)
                if len(result.changed) > before:
                    values[column.name] = new
                continue
            assert isinstance(decl, PersonalData)
            if decl.erasure is not Erasure.DELETE_ROW and is_erased(current):
                continue
            reason = keep(location, decl, row)
            if reason is not None:
                result.kept.append(KeptField(table.name, row_id, column.name, reason))
                continue
            if decl.erasure is Erasure.DELETE_ROW:
                delete = True
                result.changed.append(FieldChange(table.name, row_id, column.name, decl.erasure.value))
            elif decl.erasure is Erasure.ENCRYPT_DROP_KEY:
                result.changed.append(FieldChange(table.name, row_id, column.name, decl.erasure.value))
            elif decl.erasure is Erasure.KEYED_HASH:
                values[column.name] = hashed(current, hasher, getattr(column.type, "length", None))
                result.changed.append(FieldChange(table.name, row_id, column.name, decl.erasure.value))
            else:
                if column.nullable:
                    values[column.name] = None
                elif isinstance(column.type, sa.String | sa.Text):
                    values[column.name] = ""
                else:
                    values[column.name] = {}
                result.changed.append(FieldChange(table.name, row_id, column.name, decl.erasure.value))
        key = {f"pk_{c.name}": getattr(row, c.name) for c in table.primary_key.columns}
        if delete:
            deletes.append(key)
            result.deleted_rows.append((table.name, row_id))
        elif values:
            updates.setdefault(tuple(sorted(values)), []).append({**key, **{f"v_{k}": v for k, v in values.items()}})
    # The writes, batched: one statement per set of columns changed, sent with executemany.
    pk_match = sa.and_(*(c == sa.bindparam(f"pk_{c.name}") for c in table.primary_key.columns))
    for columns, params in updates.items():
        conn.execute(table.update().where(pk_match).values({c: sa.bindparam(f"v_{c}") for c in columns}), params)
    if deletes:
        conn.execute(table.delete().where(pk_match), deletes)
    return result

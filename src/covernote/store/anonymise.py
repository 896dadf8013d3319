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
from pydantic_core import from_json, to_json
from sqlalchemy.engine import Connection

from covernote.kernel.declarations import Erasure, PersonalData, PersonalInside, declared_trie, visit_declared
from covernote.store.bulk import is_json, q, sql_type

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
    """None, an empty text, object or list, or a keyed hash: nothing personal is left to erase. Asked of
    every declared value a sweep meets, so it tests the value's type before comparing."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value or value.startswith(HASH_PREFIX)
    if isinstance(value, dict | list):
        return not value
    return False


def keep_nothing(_location: str, _declaration: PersonalData, _row: Any) -> str | None:
    """The `keep` of an erasure that keeps no field (the sweep's): erase_rows then skips asking it."""
    return None


def hashed(value: Any, hasher: Hasher, length: int | None) -> str:
    text = HASH_PREFIX + hasher(str(value))
    return text[:length] if length else text


def erased_inside(value: Any, decl: PersonalData, hasher: Hasher) -> str | None:
    """A declared value inside a document, erased: its keyed hash, or null (a delete_row inside a document:
    the value goes)."""
    return hashed(value, hasher, None) if decl.erasure is Erasure.KEYED_HASH else None


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

    def json(self, doc: Any, paths: Mapping[str, PersonalData], column: str, row: Any, row_id: str,
             trie: Any = None) -> bool:
        """Erase every declared path of `doc` in place (the document was read for this erasure alone);
        whether anything changed. `trie`: the paths' `declared_trie`, where the caller has it."""
        before = self.changed
        if self.keep is keep_nothing and not self.detail:
            # The sweep's case, met for every declared value of every document it rewrites: nothing is
            # kept and nothing is listed, so only the values change and the count goes up.
            changed = _erase_inside(doc, declared_trie(paths) if trie is None else trie, self.hasher)
            self.changed += changed
            return changed > 0

        def visit(container: Any, key: Any, pattern: str, decl: PersonalData, concrete: str | None) -> None:
            node = container[key]
            if is_erased(node):
                return
            reason = self.keep(f"{column}:{pattern}", decl, row)
            if reason is not None:
                self.keep_field(row_id, f"{column}:{concrete}", reason)
                return
            container[key] = erased_inside(node, decl, self.hasher)
            self.change(row_id, f"{column}:{concrete}", decl.erasure)

        visit_declared(doc, paths, visit, with_paths=self.detail)
        return self.changed > before


def _erase_inside(node: Any, trie: Any, hasher: Hasher) -> int:
    """Erase in place every declared value under `node` (a document, or part of one, reached by the
    declared paths' trie), keeping nothing; how many values changed. The walk of `visit_declared`
    (a value matching a declared path is not looked into; a `wild` step takes every key) with the
    erasure done inline, as `_Eraser.json` does through its visit: a keyed hash or null."""
    n = 0
    if isinstance(node, dict):
        wild = trie.wild
        if wild is not None:
            children = trie.children
            for key in node:
                child = children.get(key)
                decl = child.leaf[1] if child is not None and child.leaf is not None else wild[1]
                value = node[key]
                if not is_erased(value):
                    node[key] = erased_inside(value, decl, hasher)
                    n += 1
            return n
        for key, child in trie.children.items():
            if key not in node:
                continue
            leaf = child.leaf
            if leaf is not None:
                value = node[key]
                if not is_erased(value):
                    node[key] = erased_inside(value, leaf[1], hasher)
                    n += 1
            elif child.children or child.wild is not None:
                n += _erase_inside(node[key], child, hasher)
    elif isinstance(node, list):
        child = trie.children.get("[]")
        if child is None:
            return 0
        leaf = child.leaf
        if leaf is not None:
            for i, value in enumerate(node):
                if not is_erased(value):
                    node[i] = erased_inside(value, leaf[1], hasher)
                    n += 1
        else:
            for item in node:
                n += _erase_inside(item, child, hasher)
    return n


def erase_rows(conn: Connection, table: sa.Table, where: Any, keep: Keep, hasher: Hasher,
               detail: bool = True) -> ErasureResult:
    """Erase the personal fields of the rows of `table` matching `where`, field by field, by their
    declared strategies; `keep` decides what stays and why. With `detail` the result lists every field
    changed or kept; without, only counts per table (a sweep over many rows), and only the primary key
    and the declared columns are read (all `keep` may look at then).

    The writes are one statement per set of columns changed and one for the rows deleted, whatever the
    number of rows: on PostgreSQL an UPDATE joined to the new values sent as one JSON recordset and a
    DELETE by key arrays, elsewhere one statement sent with executemany."""
    planned = plan_erasure(conn, table, where, keep, hasher, detail)
    planned.write(conn)
    return planned.result


@dataclass
class PlannedErasure:
    """One table's erasure, read and worked out but not yet written (`plan_erasure`): the new values of
    its rows, the keys of the rows to delete, and what the erasure does (`result`). `write` writes it."""

    table: sa.Table
    result: ErasureResult
    updates: dict[tuple[str, ...], list[dict[str, Any]]]
    deletes: list[dict[str, Any]]

    def write(self, conn: Connection) -> None:
        table, updates, deletes = self.table, self.updates, self.deletes
        postgresql = conn.dialect.name == "postgresql"
        pk_match = sa.and_(*(c == sa.bindparam(f"pk_{c.name}") for c in table.primary_key.columns))
        for columns, params in updates.items():
            if not (postgresql and _update_as_recordset(conn, table, columns, params)):
                # One statement per set of columns changed, sent with executemany.
                conn.execute(table.update().where(pk_match).values({c: sa.bindparam(f"v_{c}") for c in columns}),
                             params)
        if deletes and postgresql:
            _delete_by_arrays(conn, table, deletes)
        elif deletes:
            conn.execute(table.delete().where(pk_match), deletes)


def plan_erasure(conn: Connection, table: sa.Table, where: Any, keep: Keep, hasher: Hasher,
                 detail: bool = True) -> PlannedErasure:
    """`erase_rows` up to its writes: the rows are read and their new values worked out; nothing is
    written until the plan's `write`. The retention sweep reads and works out a batch's every table
    before writing any (so the next batch's reading can overlap this one's writing)."""
    eraser = _Eraser(table, keep, hasher, detail)
    result = eraser.result
    declared: list[tuple[sa.Column[Any], PersonalData | PersonalInside, str]] = [
        (c, d, f"{table.name}.{c.name}") for c in table.columns
        if isinstance(d := c.info.get("privacy"), PersonalData | PersonalInside)]
    pk = list(table.primary_key.columns)
    postgresql = conn.dialect.name == "postgresql"
    # The sweep's reads on PostgreSQL take each JSON document as its text and decode it with pydantic_core:
    # the values json.loads gives (the driver's own decoder), at a fraction of the cost.
    as_text = {c.name for c, _, _ in declared if postgresql and not detail and is_json(c)}
    read = table.select() if detail else sa.select(*pk, *(
        sa.cast(c, sa.Text).label(c.name) if c.name in as_text else c for c, _, _ in declared if c not in pk))
    # Values by position: a row's attribute lookup by name costs more than the rest of the loop.
    position = {name: i for i, name in enumerate(read.selected_columns.keys())}
    fields = [(position[c.name], c, d, location, c.name in as_text,
               declared_trie(d.paths) if isinstance(d, PersonalInside) else None, getattr(c.type, "length", None))
              for c, d, location in declared]
    keys = [(f"pk_{c.name}", position[c.name]) for c in pk]
    rows = conn.execute(read.where(where)).all()
    asks = keep is not keep_nothing
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    deletes: list[dict[str, Any]] = []
    for row in rows:
        row_id = _row_id(table, row) if detail else ""
        values: dict[str, Any] = {}
        delete = False
        for i, column, decl, location, text, trie, length in fields:
            current = row[i]
            if text and current is not None:
                current = from_json(current)
            if isinstance(decl, PersonalInside):
                if current is not None and eraser.json(current, decl.paths, column.name, row, row_id, trie):
                    values[column.name] = current
                continue
            if decl.erasure is not Erasure.DELETE_ROW and is_erased(current):
                continue
            reason = keep(location, decl, row) if asks else None
            if reason is not None:
                eraser.keep_field(row_id, column.name, reason)
                continue
            eraser.change(row_id, column.name, decl.erasure)
            if decl.erasure is Erasure.DELETE_ROW:
                delete = True
            elif decl.erasure is Erasure.ENCRYPT_DROP_KEY:
                pass  # the person's data key is deleted instead (privacy/usecases/sensitive.py)
            elif decl.erasure is Erasure.KEYED_HASH:
                values[column.name] = hashed(current, hasher, length)
            elif column.nullable:
                values[column.name] = None
            elif isinstance(column.type, sa.String | sa.Text):
                values[column.name] = ""
            else:
                values[column.name] = {}
        key = {name: row[i] for name, i in keys}
        if delete:
            deletes.append(key)
            if detail:
                result.deleted_rows.append((table.name, row_id or _row_id(table, row)))
        elif values:
            updates.setdefault(tuple(sorted(values)), []).append({**key, **{f"v_{k}": v for k, v in values.items()}})
    for counts, n in ((result.changed_n, eraser.changed), (result.kept_n, eraser.kept),
                      (result.deleted_n, len(deletes))):
        if n:
            counts[table.name] = n
    return PlannedErasure(table, result, updates, deletes)


# -- PostgreSQL: a batch's rows in one statement -----------------------------------------------------
#
# The new values of a batch's rows go as one JSON parameter, an array of objects (key columns, then the
# columns changed), which `jsonb_to_recordset` turns back into rows typed as the table's columns: a JSON
# document stays a document, a keyed hash a text, None a NULL. One text parameter, not an array per
# column: the driver escapes every quote of a text array element by element. The parameter is parsed once,
# as jsonb (with `json_to_recordset` PostgreSQL parsed each document's text again for its jsonb column: half
# the time of the UPDATE of a batch of policy transactions). It is encoded by pydantic_core, which writes the
# same values as json.dumps. PostgreSQL stores a jsonb document by value, not by its text, so the rows end
# exactly as the row-by-row UPDATE left them.


def _update_as_recordset(conn: Connection, table: sa.Table, columns: tuple[str, ...],
                         rows: list[dict[str, Any]]) -> bool:
    """One UPDATE for every row of `rows`; False (nothing written) where a value is not one this sends
    exactly as the column's own type would: a JSON column given None (SQLAlchemy stores JSON null), or a
    value other than None, text or a JSON document."""
    pk = list(table.primary_key.columns)
    for name in columns:
        json_column = is_json(table.c[name])
        for r in rows:
            v = r[f"v_{name}"]
            if (v is None and json_column) or not (v is None or isinstance(v, str) or json_column):
                return False
    fields = [(f"k{i}", f"pk_{c.name}", c) for i, c in enumerate(pk)] + \
             [(f"v{i}", f"v_{name}", table.c[name]) for i, name in enumerate(columns)]
    doc = to_json([{short: r[long] for short, long, _ in fields} for r in rows]).decode()
    shape = ", ".join(f"{short} {sql_type(conn, c)}" for short, _, c in fields)
    sets = ", ".join(f"{q(conn, name)} = v.v{i}" for i, name in enumerate(columns))
    match = " AND ".join(f"t.{q(conn, c.name)} = v.k{i}" for i, c in enumerate(pk))
    conn.execute(sa.text(f"UPDATE {q(conn, table.name)} AS t SET {sets} "
                         f"FROM jsonb_to_recordset(CAST(:rows AS JSONB)) AS v({shape}) WHERE {match}"), {"rows": doc})
    return True


def _delete_by_arrays(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    pk = list(table.primary_key.columns)
    arrays, params = [], {}
    for i, c in enumerate(pk):
        arrays.append(f"CAST(:k{i} AS {sql_type(conn, c)}[])")
        params[f"k{i}"] = [r[f"pk_{c.name}"] for r in rows]
    names = ", ".join(f"k{i}" for i in range(len(pk)))
    keys = ", ".join(f"t.{q(conn, c.name)}" for c in pk)
    conn.execute(sa.text(f"DELETE FROM {q(conn, table.name)} AS t WHERE ({keys}) IN "
                         f"(SELECT {names} FROM unnest({', '.join(arrays)}) AS v({names}))"), params)

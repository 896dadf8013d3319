"""Many rows in one statement on PostgreSQL (issue 12): a batch's rows go as one JSON parameter, an array of
objects, which `jsonb_to_recordset` turns back into rows typed as the table's columns. One text parameter
rather than an array per column, which the driver would escape value by value. Elsewhere (SQLite) the
rows go with executemany, one statement text for the batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic_core import to_json
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection


def is_json(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.JSON) or isinstance(getattr(column.type, "impl", None), sa.JSON)


def sql_type(conn: Connection, column: sa.Column[Any]) -> str:
    """The column's type as the dialect spells it (`VARCHAR(40)`, `JSONB`, `TIMESTAMP WITH TIME ZONE`)."""
    return str(column.type.dialect_impl(conn.dialect).compile(dialect=conn.dialect))


def q(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def any_of(conn: Connection, column: Any, ids: Sequence[str | int]) -> Any:
    """`column IN ids`: as `= ANY(array)` on PostgreSQL, one parameter whatever the number of ids (a
    statement the driver prepares once, where an IN list of a batch's ids is hundreds of parameters). The
    array goes as its text (`{"a","b"}`), cast to the column's array type: the driver adapts a list element
    by element, 600 µs for a batch's 500 ids, sent with each of the twenty-odd statements of a batch."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.cast(sa.literal(array_text(ids), sa.Text), postgresql.ARRAY(column.type)))
    return column.in_(list(ids))


def array_text(values: Sequence[str | int]) -> str:
    """PostgreSQL's text form of a one-dimensional array of keys: every element quoted, a backslash or a
    double quote in it escaped by a backslash."""
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _plain(column: sa.Column[Any], value: Any) -> Any:
    """The value as JSON gives it to a column of its type; an aware datetime keeps its offset."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused for {column}: Covernote stores aware UTC datetimes")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool) or is_json(column):
        return value
    raise TypeError(f"{type(value).__name__} is not sent in bulk to {column}")


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (each with the same keys: column names) in one statement. JSON columns are not sent
    this way (SQLAlchemy stores None in them as JSON null)."""
    if not rows:
        return
    columns = [table.c[name] for name in rows[0]]
    if conn.dialect.name != "postgresql" or any(is_json(c) for c in columns):
        conn.execute(table.insert(), list(rows))
        return
    # Plain str keys: a column's name is SQLAlchemy's str subclass, which pydantic_core inspects value by value.
    keyed = [(str(c.name), c) for c in columns]
    doc = to_json([{name: _plain(c, r[name]) for name, c in keyed} for r in rows]).decode()
    names = ", ".join(q(conn, c.name) for c in columns)
    shape = ", ".join(f"{q(conn, c.name)} {sql_type(conn, c)}" for c in columns)
    conn.execute(sa.text(f"INSERT INTO {q(conn, table.name)} ({names}) SELECT {names} "
                         f"FROM jsonb_to_recordset(CAST(:rows AS JSONB)) AS v({shape})"), {"rows": doc})


__all__ = ["any_of", "insert_rows", "is_json", "q", "sql_type"]

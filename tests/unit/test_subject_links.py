"""PRV-3: every table that can hold something about a person says how its rows about one customer are
found, so the access package and erasure cannot miss a table added later."""

from __future__ import annotations

from covernote.kernel.declarations import PersonalData, PersonalInside
from covernote.privacy.store.subject_data import LINKS, UNLINKED
from covernote.store.tables import metadata


def test_prv3_every_table_is_linked_to_the_person_or_declared_unlinked() -> None:
    names = {t.name for t in metadata.sorted_tables}
    assert names == set(LINKS) | UNLINKED, "add the new table to LINKS (or UNLINKED, with a reason)"
    assert not set(LINKS) & UNLINKED


def test_prv3_unlinked_tables_hold_no_personal_data_and_no_person_reference() -> None:
    for name in UNLINKED:
        table = metadata.tables[name]
        for column in table.columns:
            assert not isinstance(column.info["privacy"], PersonalData | PersonalInside), f"{name}.{column.name}"
            assert column.name not in ("customer_id", "policy_id"), f"{name}.{column.name} refers to a person"

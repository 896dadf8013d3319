"""PRV-1/PRV-9 against real data: personal values entered through the use cases are stored only in
declared places. A new place that copies them (a JSON path, a column) fails here until declared."""

from __future__ import annotations

import contextlib
import json
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from covernote.kernel.declarations import PersonalData, PersonalInside
from covernote.kernel.money import Money
from covernote.policy.domain.risk import Change, Driver, Risk, Vehicle, make_answers
from covernote.privacy.store.data_map import path_is_declared
from covernote.store.tables import metadata
from tests.support import adjust, bind, cancel

NAME, DRIVER_NAME, REG, NEW_REG, DOB = "Zebedee Quill", "Ottoline Vex", "QZ12QZQ", "QX21QXQ", "1983-07-19"
SEEDED = (NAME, DRIVER_NAME, REG, NEW_REG, DOB)


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return [(path, value)]


def test_prv1_seeded_personal_values_are_stored_only_at_declared_fields(ctx, clock):
    from covernote.identity.usecases import SYSTEM
    from covernote.policy.usecases import customers

    cid = customers.create_customer(ctx, SYSTEM, name=NAME, email="zq@example.org", address="1 Quill Row",
                                    postcode="LS1 5HD")["id"]
    risk = Risk(Vehicle(REG, "Ford", "Ka", 2019, Money.of("5000"), abi_group=6),
                (Driver("zq", NAME, date.fromisoformat(DOB), date(2003, 1, 1)),), "LS1 5HD",
                make_answers({"annual_mileage": 7000, "ncd_years": 3}))
    p = bind(ctx, risk=risk, customer_id=cid)
    clock.advance(timedelta(days=20))
    adjust(ctx, p["id"], ctx.today(), Change("add_driver", driver=Driver("ov", DRIVER_NAME, date(1990, 2, 2), date(2010, 2, 2))),
           Change("replace_vehicle", vehicle=Vehicle(NEW_REG, "Kia", "Rio", 2021, Money.of("9000"), abi_group=9)))
    clock.advance(timedelta(days=5))
    cancel(ctx, p["id"], ctx.today())

    found: list[str] = []
    violations: set[str] = set()
    engine = ctx.uow.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for column in table.columns:
                    value = row._mapping[column.name]
                    declaration = column.info["privacy"]
                    if isinstance(value, str) and value.startswith(("{", "[")):
                        with contextlib.suppress(ValueError):
                            value = json.loads(value)
                    for path, leaf in _leaves(value) if isinstance(value, dict | list) else [("", value)]:
                        if not isinstance(leaf, str) or not any(s in leaf for s in SEEDED):
                            continue
                        where = f"{table.name}.{column.name}" + (f":{path}" if path else "")
                        found.append(where)
                        if isinstance(declaration, PersonalData):
                            continue
                        if not isinstance(declaration, PersonalInside):
                            violations.add(f"{where}: declared not personal")
                        elif not path_is_declared(list(declaration.paths), path):
                            violations.add(f"{where}: undeclared path")
    assert sorted(violations) == []
    assert "customers.name" in found
    assert any(f.startswith("policy_transactions.details:adjustment.changes[0].driver.name") for f in found)

"""Complaints and the privacy core, on SQLite and PostgreSQL (PRV-1, PRV-3, PRV-4, PRV-5; CMP-3: records
kept three years): the complainant's fields are declared personal and stored only where declared; a
complaint about one of our policies is linked to the customer (LINKS), so it is in their access package;
erasure on request keeps it while it is open and for three years after it closed; the retention sweep then
anonymises it, its letters and its clocks' free text, and the figures stay."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.kernel.clock import LONDON
from covernote.kernel.declarations import NotPersonal, PersonalData, PersonalInside
from covernote.kernel.errors import Conflict
from covernote.platform.context import AppContext
from covernote.privacy.store.data_map import path_is_declared
from covernote.privacy.usecases import erasure, registers, requests, retention, subject_access
from covernote.store.tables import metadata
from tests.support import bind, new_customer

STAFF = Principal("usr_staff", "staff")
DPO = Principal("usr_dpo", "dpo")
NAME, ADDRESS, PHONE, STORY = "Quintessa Vowle", "9 Zephyr Lane, Leeds", "0113 496 0999", "Xylophone repairs"


def uk(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def add(ctx: AppContext, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(kind="claim", description=f"{STORY} took too long", name=NAME, address=ADDRESS,
                                  received_via="letter", postcode="LS1 4AB", phone=PHONE)
    values.update(over)
    return complaints.record(ctx, STAFF, NewComplaint(**values))


def rows(ctx: AppContext, table: str, **where: Any) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    with ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        q = t.select().where(*(t.c[k] == v for k, v in where.items()))
        return [dict(r._mapping) for r in conn.execute(q)]


def test_prv1_complainant_fields_are_declared_personal_for_the_complaints_purpose():
    c = metadata.tables["complaints"]
    for column in ("description", "name", "address", "postcode", "phone", "email", "policy_number",
                   "alternative_format", "root_cause_note", "resolution", "withdrawal_reason"):
        decl = c.c[column].info["privacy"]
        assert isinstance(decl, PersonalData) and decl.purposes == ("complaints",), column
    assert isinstance(c.c["history"].info["privacy"], PersonalInside)
    letters = metadata.tables["complaint_letters"]
    assert isinstance(letters.c["body"].info["privacy"], PersonalData)
    assert isinstance(letters.c["body_html"].info["privacy"], PersonalData)
    for column in ("kind", "team", "status", "outcome", "root_cause", "redress_pence", "received_at"):
        assert isinstance(c.c[column].info["privacy"], NotPersonal), column


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return [(path, value)]


def test_prv1_complaint_values_are_stored_only_in_declared_fields(ctx):
    c = add(ctx, email="qv@example.org", received_via="email")
    complaints.acknowledge(ctx, STAFF, c["id"])
    complaints.progress(ctx, STAFF, c["id"], f"Spoke to {NAME} about the {STORY}", send_letter=True)
    complaints.final_response(ctx, STAFF, c["id"], "upheld", f"{NAME}, we are sorry", "claim_delay",
                              root_cause_note=f"{NAME} waited")
    violations: set[str] = set()
    found: set[str] = set()
    with ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for column in table.columns:
                    value, decl = row._mapping[column.name], column.info["privacy"]
                    if isinstance(value, str) and value.startswith(("{", "[")):
                        with contextlib.suppress(ValueError):
                            value = json.loads(value)
                    for path, leaf in _leaves(value) if isinstance(value, dict | list) else [("", value)]:
                        if not isinstance(leaf, str) or not any(s in leaf for s in (NAME, ADDRESS, PHONE, STORY)):
                            continue
                        where = f"{table.name}.{column.name}" + (f":{path}" if path else "")
                        found.add(where.split("[")[0])
                        if isinstance(decl, PersonalData):
                            continue
                        if not isinstance(decl, PersonalInside) or not path_is_declared(list(decl.paths), path):
                            violations.add(where)
    assert sorted(violations) == []
    assert {"complaints.name", "complaints.address", "complaints.phone", "complaints.description",
            "complaint_letters.body", "complaint_letters.body_html", "complaints.history:"} <= found


def test_prv3_a_complaint_about_our_policy_is_linked_to_the_customer_and_in_their_access_package(db_ctx):
    pol = bind(db_ctx)
    mine = add(db_ctx, policy_number=pol["number"])
    complaints.acknowledge(db_ctx, STAFF, mine["id"])
    stranger = add(db_ctx, name="Not A Customer")
    package = subject_access.package_for_customer(db_ctx, DPO, pol["customer_id"])
    assert [r["id"] for r in package["records"]["complaints"]] == [mine["id"]]
    assert [r["complaint_id"] for r in package["records"]["complaint_letters"]] == [mine["id"]]
    assert stranger["id"] not in json.dumps(package)
    used = {f["field"] for f in package["how_your_data_is_used"]}
    assert {"complaints.name", "complaints.address", "complaint_letters.body"} <= used


def _erasure_plan(ctx: AppContext, customer_id: str) -> dict[str, Any]:
    """The person asks through their own login (identity verified); the plan (dry run) of the erasure."""
    user, _ = create_user(ctx, "Quin", "customer", customer_id)
    me = Principal(user.user_id, "customer", customer_id)
    case = requests.start(ctx, me, customer_id, kind="erasure", details={"description": "erase me"})
    return erasure.plan(ctx, SYSTEM, case["id"]) | {"request_id": case["id"]}


def test_prv4_erasure_keeps_a_complaint_while_open_and_three_years_after_it_closed(db_ctx, clock):
    clock.set(uk(date(2026, 12, 1)))
    cid = new_customer(db_ctx, NAME)
    c = add(db_ctx, customer_id=cid)
    plan = _erasure_plan(db_ctx, cid)
    kept = {(k["table"], k["field"]): k["reason"] for k in plan["kept"]}
    assert "is still being handled" in kept[("complaints", "name")]
    complaints.final_response(db_ctx, STAFF, c["id"], "not_upheld", "Explained.", "communication")
    clock.set(uk(date(2029, 11, 30)))
    plan = _erasure_plan(db_ctx, cid)
    kept = {(k["table"], k["field"]): k["reason"] for k in plan["kept"]}
    assert "three years after it closed (FCA DISP 1.9) (until 2029-12-01)" in kept[("complaints", "name")]
    assert ("complaint_letters", "body") in kept
    clock.set(uk(date(2029, 12, 2)))
    plan = _erasure_plan(db_ctx, cid)
    erased = {(e["table"], e["field"]) for e in plan["erased"]}
    assert {("complaints", "name"), ("complaints", "address"), ("complaint_letters", "body")} <= erased
    done = erasure.apply(db_ctx, SYSTEM, plan["request_id"], plan["fingerprint"])
    assert done["dry_run"] is False
    row = rows(db_ctx, "complaints", id=c["id"])[0]
    assert row["name"].startswith("h:") and row["phone"] is None and row["outcome"] == "not_upheld"


def test_prv5_sweep_anonymises_a_complaint_three_years_after_it_closed_and_keeps_the_figures(db_ctx, clock):
    clock.set(uk(date(2026, 12, 1)))
    pol = bind(db_ctx)
    closed = add(db_ctx, policy_number=pol["number"])
    complaints.acknowledge(db_ctx, STAFF, closed["id"])
    complaints.final_response(db_ctx, STAFF, closed["id"], "upheld", f"Sorry, {NAME}.", "claim_delay",
                              redress="80.00")
    still_open = add(db_ctx)
    clock.set(uk(date(2027, 1, 10)))
    later = add(db_ctx)
    complaints.withdraw(db_ctx, STAFF, later["id"], "sorted")

    clock.set(uk(date(2029, 12, 1)))  # three years after 1 December 2026: the last day kept
    assert retention.sweep(db_ctx, DPO)["report"]["totals"]["done"].get("complaint:anonymise", 0) == 0
    clock.set(uk(date(2029, 12, 2)))
    report = retention.sweep(db_ctx, DPO)["report"]
    assert report["totals"]["done"]["complaint:anonymise"] == 1 and report["errors"] == []
    rule = next(r for r in report["rules"] if r["rule"] == "house:complaints")
    assert rule["period"] == "3 years after complaint closed, then anonymise" and "DISP 1.9" in rule["source"]

    row = rows(db_ctx, "complaints", id=closed["id"])[0]
    assert row["name"].startswith("h:") and row["address"].startswith("h:") and row["phone"] is None
    assert row["description"] == "" and row["resolution"] is None and row["policy_number"].startswith("h:")
    assert (row["kind"], row["outcome"], row["root_cause"], row["redress_pence"]) == ("claim", "upheld",
                                                                                        "claim_delay", 8000)
    assert all(r["body"] is None and r["body_html"] is None for r in rows(db_ctx, "complaint_letters",
                                                                          complaint_id=closed["id"]))
    assert rows(db_ctx, "complaints", id=still_open["id"])[0]["name"] == NAME  # open: kept
    assert rows(db_ctx, "complaints", id=later["id"])[0]["name"] == NAME  # closed in 2027: not yet
    view = complaints.get(db_ctx, STAFF, closed["id"])
    assert view["anonymised"] and view["outcome"] == "upheld"
    with pytest.raises(Conflict) as exc:
        complaints.progress(db_ctx, STAFF, closed["id"], "more")
    assert exc.value.issues[0].field == "complaint_id"
    r = complaints.report(db_ctx, STAFF, date(2026, 12, 1), date(2026, 12, 2))
    assert r["total"]["complaints"] == 2 and r["total"]["redress_total"] == "80.00"
    assert r["total"]["final_response"]["met_on_time"] == 1
    again = retention.sweep(db_ctx, DPO)["report"]
    assert again["totals"]["done"].get("complaint:anonymise", 0) == 0  # done once


def test_prv5_a_complaint_of_a_customer_under_legal_hold_is_held(db_ctx, clock):
    clock.set(uk(date(2026, 12, 1)))
    pol = bind(db_ctx)
    c = add(db_ctx, policy_number=pol["number"])
    complaints.withdraw(db_ctx, STAFF, c["id"], "sorted")
    clock.set(uk(date(2029, 12, 2)))
    registers.set_hold(db_ctx, STAFF, scope="customer", scope_id=pol["customer_id"], reason="litigation",
                       review_on=date(2030, 6, 1))
    report = retention.sweep(db_ctx, DPO)["report"]
    rule = next(r for r in report["rules"] if r["rule"] == "house:complaints")
    assert rule["done"] == 0 and rule["held"]["legal_hold"] == 1
    assert rows(db_ctx, "complaints", id=c["id"])[0]["name"] == NAME

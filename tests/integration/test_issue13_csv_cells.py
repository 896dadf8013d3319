"""Issue 13 item 14: no CSV Covernote writes carries a cell a spreadsheet would run as a formula.

Every CSV writer goes through `covernote.kernel.csv_cells` (one function, one place); each of the six
CSV outputs (portability export, data map, record of processing, complaints report, carbon portfolio,
fair-value report) is given a value starting with `=`, `+`, `-`, `@`, a tab or a carriage return and
writes it with a leading single quote (PRV-3 for the portability export)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from covernote.carbon.usecases import offsets
from covernote.complaints.domain import DIMENSIONS
from covernote.complaints.usecases import complaints
from covernote.extras import usecases as extras
from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.kernel.csv_cells import safe_cell
from covernote.kernel.declarations import DeclaredField, NotPersonal
from covernote.platform.context import AppContext
from covernote.policy.usecases import customers
from covernote.privacy.usecases import data_map, processing_record, requests, subject_access

SRC = Path(__file__).resolve().parents[2] / "src" / "covernote"
STAFF = Principal("usr_staff", "staff")
EVIL = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
        "\tindented=1", "\r=1"]


def cells(text: str) -> set[str]:
    return {c for row in csv.reader(io.StringIO(text, newline="")) for c in row}


def assert_neutralised(text: str) -> None:
    found = cells(text)
    for value in EVIL:
        assert "'" + value in found, value
        assert value not in found, value


@pytest.mark.parametrize("value", EVIL)
def test_issue13_item14_formula_starts_get_a_single_quote(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Smith", "", "-12.50", "-3", "12", "a=b", "O'Neil", None, 5, -5])
def test_issue13_item14_other_cells_and_plain_numbers_are_unchanged(value: Any) -> None:
    """A plain number (a refund of -12.50) cannot be a formula: money columns stay numbers."""
    assert safe_cell(value) == value


def test_issue13_item14_every_csv_writer_goes_through_csv_cells() -> None:
    """One function in one place: no module but kernel/csv_cells.py makes its own csv writer."""
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.name != "csv_cells.py" and re.search(r"csv\.(writer|DictWriter)\(", p.read_text())]
    assert offenders == []


def test_issue13_item14_fair_value_csv() -> None:
    rows = [{c: EVIL[i % len(EVIL)] for i, c in enumerate(extras.REPORT_COLUMNS)}]
    report: Any = {"from": "2026-11-01", "to": "2026-12-01", "rows": rows}
    assert_neutralised(extras.fair_value_csv(report))


def test_issue13_item14_complaints_report_csv() -> None:
    figures = {k: 0 for k in ("complaints", "open", "closed", "withdrawn", "summary_resolutions", "final_responses",
                              "eight_week_letters")}
    figures["redress_total"] = "-2+3"
    clock = {"met_on_time": 0, "breached": 0, "open": 0, "stopped": 0}
    f = {**figures, "acknowledgement": clock, "final_response": clock}
    data = {f"by_{d}": [{d: v, **f} for v in EVIL] for d in DIMENSIONS}
    data["total"] = f
    assert_neutralised(complaints.report_csv(data))


def test_issue13_item14_carbon_portfolio_csv() -> None:
    projects = [{"code": v, "name": v, "country": v, "tonnes": "1.0", "cost": "2.00", "policies": 1} for v in EVIL]
    report: Any = {"from": "2026-11-01", "to": "2026-12-01", "currency": "GBP", "projects": projects,
                   "totals": {"tonnes": "6.0", "cost": "12.00", "policies": 6, "policy_years": 6,
                              "estimated_policy_years": 0}}
    assert_neutralised(offsets.portfolio_csv(report))


def test_issue13_item14_data_map_csv(db_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    fields = [DeclaredField(v, NotPersonal(v)) for v in EVIL]
    monkeypatch.setattr(data_map, "declared_fields", lambda ctx: fields)
    assert_neutralised(data_map.data_map_csv(db_ctx, STAFF, include_not_personal=True))


def test_issue13_item14_record_of_processing_csv(db_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    record: Any = {"generated_at": "x", "products": [{
        "product": {"code": "ECO", "version": "1"},
        "categories": [], "purposes": [], "retention": [],
        "recipients": [{"recipient": v, "kind": v, "source": v} for v in EVIL]}]}
    monkeypatch.setattr(processing_record, "record_of_processing", lambda ctx, who, product=None: record)
    assert_neutralised(processing_record.record_of_processing_csv(db_ctx, STAFF))


def test_issue13_item14_prv3_portability_csv_neutralises_what_the_person_typed(db_ctx: AppContext) -> None:
    """PRV-3: the portability export is the CSV a person's own text reaches: a name, address or phone
    starting with a formula character is exported with a leading quote, the JSON export unchanged."""
    name, address, phone = "-Smith+Jones", "@SUM(1+1)*cmd|' /C calc'!A0", "+44 7700 900123"
    cid = customers.create_customer(db_ctx, SYSTEM, name=name, email="f@example.org", address=address,
                                    postcode="YO1 7HH", phone=phone, date_of_birth=date(1979, 8, 23))["id"]
    user, _ = create_user(db_ctx, "Formula", "customer", cid)
    me = Principal(user.user_id, "customer", cid)
    case = requests.start(db_ctx, me, cid, kind="portability")
    found = cells(subject_access.portability_export(db_ctx, me, case["id"], "csv"))
    for value in (name, address, phone):
        assert "'" + value in found and value not in found, value

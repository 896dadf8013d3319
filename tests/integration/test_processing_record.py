"""PRV-1: the record of processing per product, generated from the field declarations (the data map) and
the product data: S0's retention table for FULLCOVER exactly as the seed states it, S1's purposes and
bases for ECO, S2's periods for WARRANTY, telematics only for YOUNG_DRIVER. Exported as JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from covernote.identity.usecases import Principal
from covernote.kernel.declarations import PersonalData
from covernote.kernel.errors import Forbidden, NotFound, ValidationFailed
from covernote.platform.context import AppContext
from covernote.privacy.usecases import processing_record, retention

STAFF = Principal("usr_staff", "staff")
DPO = Principal("usr_dpo", "dpo")
SET_BY_DEALERSHIP = ("Set by each individual dealership subscribed to the product. Please consult with the "
                     "dealership you are dealing with.")
S0_TABLE = [("FullCover", "7 Years + current year"), ("FullCompliance", "6 Years + current year"),
            ("FullControl", "4 Years + current year"), ("FullForecast", "6 Years + current year"),
            ("FullCycle", SET_BY_DEALERSHIP), ("FullAuction", SET_BY_DEALERSHIP), ("FullAppraisal", SET_BY_DEALERSHIP)]

# S1 section 6, each purpose with the basis it states (section 6) or that section 7 gives it.
S1_PURPOSES = {
    "to administer any claims and/or complaints in relation to a claim": "contract",
    "to manage your policy": "contract",
    "to assess risk and set prices": "legitimate_interests",
    "to prevent and detect fraud and crime": "legitimate_interests",
    "to comply with our legal obligations": "legal_obligation",
    "to communicate with you and resolve any complaints that you may have": "legal_obligation",
    "to send to you Co-op Group membership offers where appropriate": "consent",
    "to decide how much risk to keep and how much risk we should pass to another insurer": "legitimate_interests",
}


def one(ctx: AppContext, code: str) -> dict[str, Any]:
    data = processing_record.record_of_processing(ctx, STAFF, code)
    assert len(data["products"]) == 1
    return data["products"][0]  # type: ignore[no-any-return]


def test_prv1_s0_retention_table_for_fullcover_exactly_as_the_seed(db_ctx: AppContext) -> None:
    rec = one(db_ctx, "FULLCOVER")
    assert [(r["product"], r["retention_period"]) for r in rec["retention_table"]] == S0_TABLE
    for row in rec["retention_table"]:
        assert row["source"].startswith("S0 retention table")
    assert rec["product"]["ref"] == "FULLCOVER@2025.1"
    assert {r["recipient"] for r in rec["recipients"]} >= {"our insurance broker",
                                                            "MyLicence, a licence validation service, to verify licences"}
    # S0's lawful-basis table, purpose by purpose in its own words
    stated = {p["statement"]: p["basis_stated"] for p in rec["purposes"]}
    assert stated["To prevent, investigate and prosecute crime, fraud and money laundering"] == \
        "To comply with legal obligations for prevention of financial crime and money laundering"
    assert stated["For any other purpose we bring to your attention and to which you agree."] == "With your consent"


def test_prv1_s0_dealership_settings_appear_resolved_in_the_fullcover_record(db_ctx: AppContext) -> None:
    retention.put_setting(db_ctx, DPO, "dealer-leeds", "FullAppraisal", 2)
    rec = one(db_ctx, "FULLCOVER")
    assert rec["dealership_settings"] == [{"dealership_id": "dealer-leeds", "category": "FullAppraisal", "years": 2,
                                           "rule": "2 years + current year after last contact, then delete"}]
    assert "dealership_settings" not in one(db_ctx, "ECO")


def test_prv1_s1_purposes_and_bases_for_eco(db_ctx: AppContext) -> None:
    rec = one(db_ctx, "ECO")
    assert rec["product"]["ref"] == "ECO@2026.7"  # the version in force on the clock's day (2026-11-22)
    purposes = {p["statement"]: p for p in rec["purposes"]}
    assert len(purposes) == 17  # every purpose S1 section 6 lists
    for statement, basis in S1_PURPOSES.items():
        assert purposes[statement]["lawful_basis"] == basis, statement
        assert purposes[statement]["source"].startswith("S1 section 6")
    manage = purposes["to manage your policy"]
    assert manage["basis_stated"] == "on the basis that processing is necessary to perform our Ecoinsurance contract with you"
    assert manage["covernote_purpose"]["code"] == "policy_administration"
    assert "contact" in manage["categories"] and "vehicle" in manage["categories"]
    offers = purposes["to send to you Co-op Group membership offers where appropriate"]
    assert offers["covernote_purpose"] is None and "processes no data" in offers["note"]
    # S1 section 8's recipients, and the Motor Insurance Database (section 11)
    recipients = {r["recipient"] for r in rec["recipients"]}
    assert "reinsurers" in recipients and "claims handling agencies" in recipients
    assert "the Motor Insurance Database, managed by the Motor Insurers' Bureau" in recipients
    policy = next(r for r in rec["retention"] if r["category"] == "policy")
    assert policy["period"] == "7 years after policy ended, then anonymise"


def test_prv1_s2_periods_for_warranty(db_ctx: AppContext) -> None:
    rec = one(db_ctx, "WARRANTY")
    periods = {r["category"]: (r["period"], r["source"]) for r in rec["retention"]}
    assert periods["billing"][0] == "10 years after policy ended, then anonymise"
    assert periods["no_contract"][0] == "2 years after last contact, then delete"
    assert periods["cookies"][0] == "13 months after cookie set, then delete"
    assert periods["call_recordings"][0] == "6 months after call recorded, then delete"
    assert all(source.startswith("S2 section 9") for _, source in periods.values())
    held = {r["category"]: r["held"] for r in rec["retention"]}
    assert held["billing"] and held["policy"] and not held["cookies"] and not held["call_recordings"]
    # S2 section 3's categories; a warranty has no named drivers, so none of their fields
    categories = {c["category"]: c for c in rec["categories"]}
    assert set(categories) >= {"identity", "contact", "vehicle", "contract", "financial", "location", "connection"}
    assert "named_driver" not in categories["identity"]["subjects"]
    assert not categories["location"]["held"] and categories["location"]["fields"] == []


def test_prv1_categories_come_from_the_field_declarations(db_ctx: AppContext) -> None:
    assert db_ctx.inventory is not None
    declared = [f for f in db_ctx.inventory.fields() if isinstance(f.declaration, PersonalData)]
    rec = one(db_ctx, "ECO")
    for c in rec["categories"]:
        expected = sorted(f.location for f in declared if f.declaration.category.value == c["category"])
        assert sorted(f["field"] for f in c["fields"]) == expected, c["category"]
    health = next(c for c in rec["categories"] if c["category"] == "health")
    assert health["special_category"] and health["held"]
    # DVLA-notifiable conditions (underwriting) and injuries in a claim (CLM-1), each on an insurance condition
    assert {f["field"] for f in health["fields"]} == {"sensitive_data.health", "claims.injury_details"}
    assert any(p["code"] == "special_category_underwriting" and p["lawful_basis"] == "insurance_condition"
               for p in rec["data_map_purposes"])


def test_tel8_telematics_is_collected_only_by_young_driver(db_ctx: AppContext) -> None:
    everything = processing_record.record_of_processing(db_ctx, STAFF)
    telematics = {p["product"]["code"] for p in everything["products"]
                  for c in p["categories"] if c["category"] == "telematics"}
    assert telematics == {"YOUNG_DRIVER"}
    yd = one(db_ctx, "YOUNG_DRIVER")
    rules = {r["category"]: r for r in yd["retention"]}
    assert rules["telematics_driving_data"]["period"] == "14 days after policy ended, then anonymise"
    assert not rules["telematics_driving_data"]["held"]
    assert any(r["recipient"].startswith("Markerstudy Group") for r in yd["recipients"])


def test_prv1_csv_export_has_a_row_per_statement(db_ctx: AppContext) -> None:
    text = processing_record.record_of_processing_csv(db_ctx, STAFF, "WARRANTY")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(processing_record.CSV_COLUMNS)
    assert {r["product"] for r in rows} == {"WARRANTY"}
    retention_rows = {r["item"]: r for r in rows if r["section"] == "retention"}
    assert retention_rows["billing"]["period"] == "10 years after policy ended, then anonymise"
    assert retention_rows["cookies"]["action"] == "delete"
    assert {"category", "purpose", "recipient", "retention"} <= {r["section"] for r in rows}
    s0 = [(r["item"], r["period"]) for r in csv.DictReader(io.StringIO(
        processing_record.record_of_processing_csv(db_ctx, STAFF, "FULLCOVER"))) if r["section"] == "retention_table"]
    assert s0 == S0_TABLE


def test_prv1_a_version_can_be_asked_for_and_unknown_products_are_refused(db_ctx: AppContext) -> None:
    assert one(db_ctx, "ECO@2024.1")["product"]["version"] == "2024.1"
    with pytest.raises(NotFound) as caught:
        processing_record.record_of_processing(db_ctx, STAFF, "NOPE")
    assert caught.value.issues[0].field == "product"
    with pytest.raises(ValidationFailed):
        processing_record.check_format("xml")
    with pytest.raises(Forbidden):
        processing_record.record_of_processing(db_ctx, Principal("c", "customer", "cus_1"), "ECO")

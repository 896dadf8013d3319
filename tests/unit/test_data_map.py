"""PRV-1, PRV-9: every stored field declares what it holds; the data map is generated from that."""

import pytest
import sqlalchemy as sa

from covernote.kernel.declarations import Category, Erasure, NotPersonal, PersonalData, ProvidedBy, Subject
from covernote.privacy.store.data_map import declared_fields, path_is_declared, undeclared
from covernote.store.tables import metadata


def test_prv1_every_column_of_every_table_declares_whether_it_holds_personal_data():
    assert undeclared() == []


def test_prv1_a_new_column_without_a_declaration_is_caught():
    md = sa.MetaData()
    sa.Table("claims", md, sa.Column("id", sa.String, primary_key=True, info={"privacy": NotPersonal("an id")}),
             sa.Column("claimant_name", sa.String))
    assert undeclared(md) == ["claims.claimant_name"]


def test_prv1_the_data_map_covers_the_customer_and_named_drivers():
    rows = {f.location: f.as_dict() for f in declared_fields()}
    name = rows["customers.name"]
    assert name["subject"] == "customer" and name["category"] == "identity" and name["erasure"] == "keyed_hash"
    assert {p["lawful_basis"] for p in name["purposes"]} >= {"contract", "legitimate_interests"}
    driver = rows["policy_transactions.details:risk.drivers[].name"]
    assert driver["subject"] == "named_driver"
    assert driver["provided_by"] == "policyholder"  # PRV-9: entered by the customer about someone else
    assert rows["policy_transactions.details:risk.drivers[].licence_held_since"]["category"] == "driving_licence"
    assert rows["policies.payment_token"]["category"] == "financial"
    assert rows["postings.amount_pence"]["personal"] is False


def test_prv7_special_category_data_needs_a_recorded_condition():
    with pytest.raises(ValueError, match="PRV-7"):
        PersonalData(Subject.CUSTOMER, Category.HEALTH, ("policy_administration",), ProvidedBy.DATA_SUBJECT, Erasure.NULL)
    ok = PersonalData(Subject.CUSTOMER, Category.HEALTH, ("special_category_underwriting",), ProvidedBy.DATA_SUBJECT,
                      Erasure.ENCRYPT_DROP_KEY)
    assert ok.special


def test_prv1_purposes_must_be_declared():
    with pytest.raises(ValueError, match="purposes"):
        PersonalData(Subject.CUSTOMER, Category.CONTACT, ("selling_lists",), ProvidedBy.DATA_SUBJECT, Erasure.NULL)


@pytest.mark.parametrize(("path", "declared"), [
    ("drivers[0].name", True), ("drivers[12].date_of_birth", True), ("answers.ncd_years", True),
    ("vehicle.registration", True), ("vehicle.colour", False), ("drivers[0].email", False),
])
def test_prv1_concrete_json_paths_match_declared_patterns(path, declared):
    patterns = sorted(metadata.tables["quotes"].c.risk.info["privacy"].paths)
    assert path_is_declared(patterns, path) is declared

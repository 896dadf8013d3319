"""Issue 14 (DOC-1, CMP-4, REG-5), pure: which documents a policy's history calls for, the facts a
certificate prints, and the templates: autoescaped HTML, plain text, large print, template versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from covernote.documents.domain import (
    Invitation,
    certificate_facts,
    due_documents,
    letterhead,
    long_date,
    money,
)
from covernote.documents.usecases import render
from covernote.kernel.money import Money
from covernote.policy.domain.codec import adjustment_to_dict, risk_to_dict
from covernote.policy.domain.model import Actor, Customer, Policy, PolicyTransaction
from covernote.policy.domain.risk import Change, Driver
from covernote.policy.domain.term import Adjustment
from covernote.products.store.files import load_catalogue
from tests.unit.builders import motor_risk, vehicle

PRODUCTS = Path(__file__).resolve().parents[2] / "products"
BOUND = datetime(2026, 11, 22, 14, 30, tzinfo=UTC)  # 14:30 in London (GMT in November)
CUSTOMER = Customer("cus_1", "Ann <b>Example</b>", "ann@example.org", None, None, "1 High Street, Leeds", "LS1 4AB",
                    BOUND)


@pytest.fixture(scope="module")
def eco() -> Any:
    return load_catalogue(PRODUCTS).by_ref("ECO@2026.7")


def _txn(seq: int, kind: str, effective: date, details: dict[str, Any], term_no: int = 1) -> PolicyTransaction:
    return PolicyTransaction(f"txn_{seq}", "pol_1", seq, term_no, kind, effective, BOUND, Actor("system", "admin"),  # type: ignore[arg-type]
                             "test", Money.zero(), Money.zero(), (), (), details)


def _policy(*extra: PolicyTransaction, start: date = date(2026, 11, 22)) -> Policy:
    risk = replace(motor_risk(use="sdp_commuting"), drivers=(Driver("d1", "Ann Example", date(1985, 3, 4), date(2004, 6, 1)),
                                                             Driver("d2", "Bob Example", date(1987, 1, 2), date(2006, 1, 1))))
    nb = _txn(1, "new_business", start, {
        "product": "ECO@2026.7", "term": {"start": start.isoformat(), "end": start.replace(year=start.year + 1).isoformat()},
        "risk": risk_to_dict(risk), "ipt_rate": "0.12", "concluded_on": start.isoformat(), "documents_on": start.isoformat()})
    return Policy("pol_1", "CN000000001", "cus_1", "ECO", True, start, "tok", BOUND, transactions=[nb, *extra])


def _mta(seq: int, effective: date, *changes: Change) -> PolicyTransaction:
    adj = Adjustment(1, effective, None, changes, f"txn_{seq}")
    return _txn(seq, "mta", effective, {"adjustment": adjustment_to_dict(adj)})


def test_doc1_new_business_calls_for_a_certificate_and_a_schedule_and_an_issued_one_is_not_due_again() -> None:
    policy = _policy()
    due = due_documents(policy, True, [], date(2026, 11, 22), set())
    assert [(d.kind, d.subject) for d in due] == [("certificate", "txn_1"), ("schedule", "txn_1"),
                                                  ("statement_of_fact", "txn_1")]
    assert due_documents(policy, True, [], date(2026, 11, 22), {(d.kind, d.subject) for d in due}) == []
    # a product that is not motor insurance has no certificate (the warranty)
    assert [d.kind for d in due_documents(policy, False, [], date(2026, 11, 22), set())] == ["schedule", "statement_of_fact"]


def test_doc1_an_adjustment_supersedes_an_unissued_certificate_and_brings_its_own_and_a_letter() -> None:
    policy = _policy(_mta(2, date(2026, 12, 1), Change("replace_vehicle", vehicle=vehicle("CD34EFG"))))
    due = due_documents(policy, True, [], date(2026, 12, 1), set())
    # the first certificate no longer states the cover, so it is not issued late; the schedule still is
    assert [(d.kind, d.subject) for d in due] == [("schedule", "txn_1"), ("statement_of_fact", "txn_1"),
                                                  ("certificate", "txn_2"), ("mta_letter", "txn_2")]


def test_doc1_no_certificate_is_issued_late_after_the_cover_ended_but_letters_are() -> None:
    policy = _policy(_txn(2, "cancellation", date(2026, 12, 10), {"cancelled_by": "customer", "result": {}}))
    due = due_documents(policy, True, [], date(2026, 12, 20), set())
    assert [(d.kind, d.subject) for d in due] == [("schedule", "txn_1"), ("statement_of_fact", "txn_1"),
                                                  ("cancellation_letter", "txn_2")]


def test_doc1_each_renewal_invitation_calls_for_a_renewal_notice() -> None:
    inv = Invitation("ren_1", BOUND, BOUND, {"premium": "1.00"})
    due = due_documents(_policy(), True, [inv], date(2026, 11, 22),
                        {("certificate", "txn_1"), ("schedule", "txn_1"), ("statement_of_fact", "txn_1")})
    assert [(d.kind, d.subject, d.invitation) for d in due] == [("renewal_notice", "ren_1", inv)]


def test_doc1_certificate_states_what_the_road_traffic_act_requires(eco: Any) -> None:
    policy = _policy()
    facts = certificate_facts(policy, policy.transactions[0], CUSTOMER, eco, date(2026, 11, 22))
    assert facts["vehicle"]["registration"] == "AB12CDE" and facts["policyholder"] == CUSTOMER.name
    assert facts["drivers"] == ["Ann Example", "Bob Example"] and facts["use"] == "sdp_commuting"
    # cover bought today starts at the moment it was bought; it expires at the end of the term's last day
    assert facts["starts"] == "14:30 on 22 November 2026" and facts["expires"] == "23:59 on 21 November 2027"
    assert facts["certificate_number"] == "CN000000001-1"


def test_doc1_an_adjustments_certificate_shows_the_car_from_the_change_and_starts_that_day(eco: Any) -> None:
    mta = _mta(2, date(2026, 12, 1), Change("replace_vehicle", vehicle=vehicle("CD34EFG")))
    policy = _policy(mta)
    facts = certificate_facts(policy, mta, CUSTOMER, eco, date(2026, 11, 22))
    # recorded on 22 November for 1 December: cover under it starts at the start of that day
    assert facts["vehicle"]["registration"] == "CD34EFG" and facts["starts"] == "00:00 on 1 December 2026"
    assert facts["replaces_earlier"] is True
    # the new-business certificate, read as it was, still shows the first car
    assert certificate_facts(policy, policy.transactions[0], CUSTOMER, eco, date(2026, 11, 22))["vehicle"]["registration"] == "AB12CDE"


def test_reg5_the_fscs_statement_and_letterhead_are_product_data(eco: Any) -> None:
    head = letterhead(eco)
    assert head["brand"] == "Co-op Ecoinsurance" and head["address"][0] == "CIS Building"
    assert "100% of a claim" in head["fscs"] and "90% of a claim" in head["fscs"]
    assert letterhead(replace(eco, contacts=replace(eco.contacts, fscs=None)))["fscs"] is None


def test_doc1_html_is_autoescaped_and_plain_text_is_not_markup(eco: Any) -> None:
    policy = _policy()
    facts = certificate_facts(policy, policy.transactions[0], CUSTOMER, eco, date(2026, 11, 22))
    html = render.render_html("certificate", facts, "Certificate of motor insurance")
    assert "Ann &lt;b&gt;Example&lt;/b&gt;" in html and "<b>Example</b>" not in html
    text = render.render_text("certificate", facts, "Certificate of motor insurance")
    assert "2. Name of policyholder: Ann <b>Example</b>" in text and "<td>" not in text
    assert "Authorised Insurers" in text and "Illustrative Insurer plc" in text and "100% of a claim" in text
    assert "travel between home and a permanent place of work" in text  # the use limitation for sdp_commuting


def test_cmp4_large_print_adds_a_larger_stylesheet_over_the_documents_own(eco: Any) -> None:
    policy = _policy()
    facts = certificate_facts(policy, policy.transactions[0], CUSTOMER, eco, date(2026, 11, 22))
    html = render.render_html("certificate", facts, "Certificate of motor insurance")
    large = render.large_print_html(html)
    assert "font-size: 18pt !important" in large and "font-size: 18pt" not in html
    assert large.index("18pt") > large.index("font-size: 10pt")  # after the document's own, so it wins
    assert render.large_print_version("certificate") != render.template_version("certificate")


def test_doc1_the_template_version_names_the_sources_and_differs_per_kind() -> None:
    versions = {kind: render.template_version(kind) for kind in ("certificate", "schedule", "statement_of_fact", "ipid",
                                                                 "mta_letter", "cancellation_letter", "renewal_notice")}
    assert len(set(versions.values())) == 7 and all(len(v) == 64 for v in versions.values())


def test_doc1_amounts_and_dates_as_documents_write_them() -> None:
    assert money(Money.of("1234.5")) == "£1,234.50" and money("-3.20") == "-£3.20"
    assert long_date(date(2027, 1, 5)) == "5 January 2027"


def test_doc1_the_statement_of_fact_shows_what_the_customer_told_us_in_words(eco: Any) -> None:
    from covernote.documents.domain import statement_of_fact_facts

    policy = _policy()
    facts = statement_of_fact_facts(policy, policy.transactions[0], CUSTOMER, eco, date(2026, 11, 22))
    text = render.render_text("statement_of_fact", facts, "Statement of fact")
    assert "- Ann Example (policyholder), born 4 March 1985, licence held since 1 June 2004" in text
    assert "Bob Example" in text and "born 2 January 1987" in text
    assert "Use of the car: Social, domestic and pleasure, and commuting" in text
    assert "Years of no-claims discount: 5" in text and "reasonable care" in text


def test_doc1_the_ipid_comes_with_new_business_where_the_product_file_gives_its_wording(eco: Any) -> None:
    from covernote.documents.domain import ipid_facts

    policy = _policy()
    due = due_documents(policy, True, [], date(2026, 11, 22), set(), ipid=eco.ipid is not None)
    assert [d.kind for d in due] == ["certificate", "schedule", "statement_of_fact", "ipid"]
    text = render.render_text("ipid", ipid_facts(policy, policy.transactions[0], CUSTOMER, eco, date(2026, 11, 22)),
                              "Insurance product information document")
    for heading in ("WHAT IS THIS TYPE OF INSURANCE?", "WHAT IS INSURED?", "WHAT IS NOT INSURED?",
                    "ARE THERE ANY RESTRICTIONS ON COVER?", "WHERE AM I COVERED?", "WHAT ARE MY OBLIGATIONS?",
                    "WHEN AND HOW DO I PAY?", "WHEN DOES THE COVER START AND END?", "HOW DO I CANCEL THE CONTRACT?"):
        assert heading in text
    # from the product file: its own wording, the covers, the extras' prices, the cancellation fees (FEE-1)
    assert "The EU, for up to 30 days a year (S1)." in text and "- EU driving: Cover to drive in the EU" in text
    assert "Breakdown cover (RAC), £79.99 a year" in text
    assert "within 14 days" in text and "cancellation fee after 14 days, £50.00" in text
    assert "Ann <b>Example</b>" not in text  # product-level: no addressee


def test_doc1_a_product_file_without_ipid_wording_gives_no_ipid() -> None:
    catalogue = load_catalogue(PRODUCTS)
    assert catalogue.by_ref("WARRANTY@2025.1").ipid is None and catalogue.by_ref("YOUNG_DRIVER@2025.1").ipid is not None
    assert [d.kind for d in due_documents(_policy(), False, [], date(2026, 11, 22), set(), ipid=False)] == [
        "schedule", "statement_of_fact"]


@pytest.mark.parametrize("ref", ["ECO@2026.7", "YOUNG_DRIVER@2025.1", "FULLCOVER@2025.1"])
def test_doc1_a_certificate_with_the_most_drivers_fits_one_a4_sheet(ref: str) -> None:
    import io

    import pypdf

    product = load_catalogue(PRODUCTS).by_ref(ref)
    policy = _policy()
    facts = certificate_facts(policy, policy.transactions[0], CUSTOMER, product, date(2026, 11, 22))
    facts["drivers"] = [f"Driver Number{n} Longname-Doublebarrel" for n in range(product.max_drivers)]
    pdf = render.render("certificate", facts, "Certificate of motor insurance").pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Authorised Insurers" in text and "Financial Services Compensation Scheme" in text
    assert all(f"Driver Number{n}" in text for n in range(product.max_drivers))

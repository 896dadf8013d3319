"""PRV-5, PRV-10, TEL-8: retention rules are product data. The S0 table, S1's seven years, S2's periods and
S3's fourteen days of driving data are read from `products/` and checked against the seeds; a bad entry
is refused at load naming the file, the field and the reason."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from covernote.cli.main import app
from covernote.kernel.declarations import Category, Erasure, PersonalData, ProvidedBy, Subject
from covernote.kernel.retention import (
    CALL_RECORDINGS,
    COOKIES,
    NO_CONTRACT,
    RECORD_CATEGORIES,
    S0_RETENTION,
    TELEMATICS_DRIVING_DATA,
    DealershipPeriod,
    RetentionRule,
    is_billing_data,
    policy_ended_on,
    s0_period,
)
from covernote.products.domain.catalogue import Catalogue
from covernote.products.domain.model import Product
from covernote.products.store.files import ProductFileError, ProductFileProblem, load_catalogue

PRODUCTS = Path(__file__).resolve().parents[2] / "products"

# S0, "Product Subscription / Retention Period", row by row, in the seed's words.
S0_TABLE = [
    ("FullCover", "7 Years + current year"),
    ("FullCompliance", "6 Years + current year"),
    ("FullControl", "4 Years + current year"),
    ("FullForecast", "6 Years + current year"),
    ("FullCycle", "Set by each individual dealership subscribed to the product. Please consult with the "
                  "dealership you are dealing with."),
    ("FullAuction", "Set by each individual dealership subscribed to the product. Please consult with the "
                    "dealership you are dealing with."),
    ("FullAppraisal", "Set by each individual dealership subscribed to the product. Please consult with the "
                      "dealership you are dealing with."),
]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(PRODUCTS)


def current(cat: Catalogue, code: str) -> Product:
    return cat.versions(code)[-1]


def rule(cat: Catalogue, code: str, category: str) -> RetentionRule:
    found = current(cat, code).retention.rule(category)
    assert found is not None, f"{code} has no {category} rule"
    return found


# -- the seeds, exactly ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "period"), S0_TABLE)
def test_prv5_s0_table_row_is_in_the_fullcover_product_data_exactly(cat: Catalogue, name: str, period: str) -> None:
    fullcover = current(cat, "FULLCOVER")
    assert fullcover.processing is not None and fullcover.processing.product_name == "FullCover"
    if name == "FullCover":
        entry: RetentionRule | DealershipPeriod | None = fullcover.retention.rule("policy")
    else:
        entry = next((s for s in fullcover.retention.subscriptions if s.category == name), None)
    assert entry is not None
    assert s0_period(entry) == period
    assert f"{name} - {period}" in entry.source
    # the product data agrees with the domain's own copy of the seed schedule
    seed = S0_RETENTION[name]
    if isinstance(seed, DealershipPeriod):
        assert isinstance(entry, DealershipPeriod)
        assert (entry.floor_years, entry.ceiling_years, entry.rounding) == (seed.floor_years, seed.ceiling_years,
                                                                          seed.rounding)
    else:
        assert isinstance(entry, RetentionRule)
        assert (entry.years, entry.months, entry.days, entry.rounding) == (seed.years, 0, 0, "end_of_year")


def test_prv5_s0_table_has_exactly_the_seven_rows_in_order(cat: Catalogue) -> None:
    fullcover = current(cat, "FULLCOVER")
    assert ["FullCover"] + [s.category for s in fullcover.retention.subscriptions] == [n for n, _ in S0_TABLE]


@pytest.mark.parametrize("code", ["ECO", "YOUNG_DRIVER"])
def test_prv5_s1_seven_years_for_products_under_the_s1_notice(cat: Catalogue, code: str) -> None:
    for product in cat.versions(code):
        r = product.retention.rule("policy")
        assert r is not None
        assert (r.trigger, r.years, r.months, r.days, r.rounding) == ("policy_ended", 7, 0, 0, "none")
        assert r.action == "anonymise"
        assert "up to seven years" in r.source and r.source.startswith("S1 section 12")


def test_prv5_s2_periods_for_warranty_exactly(cat: Catalogue) -> None:
    w = current(cat, "WARRANTY")
    billing, none, cookies, calls = (rule(cat, "WARRANTY", c) for c in
                                     ("billing", "no_contract", "cookies", "call_recordings"))
    assert (billing.trigger, billing.years) == ("policy_ended", 10) and "ten (10) years" in billing.source
    assert (none.trigger, none.years, none.action) == ("last_contact", 2, "delete") and "two (2) years" in none.source
    assert (cookies.trigger, cookies.months, cookies.action) == ("cookie_set", 13, "delete")
    assert "thirteen (13) months" in cookies.source
    assert (calls.trigger, calls.months, calls.action) == ("call_recorded", 6, "delete")
    assert "six (6) months" in calls.source
    # the same periods as the domain's copies of the seed
    for product_rule, seed in ((none, NO_CONTRACT), (cookies, COOKIES), (calls, CALL_RECORDINGS)):
        assert (product_rule.years, product_rule.months, product_rule.days, product_rule.trigger) == \
            (seed.years, seed.months, seed.days, seed.trigger)
    assert w.retention.rule("telematics_driving_data") is None


def test_tel8_driving_data_only_for_young_driver_and_anonymised_14_days_after_the_end(cat: Catalogue) -> None:
    yd = rule(cat, "YOUNG_DRIVER", "telematics_driving_data")
    assert (yd.trigger, yd.years, yd.months, yd.days, yd.action) == ("policy_ended", 0, 0, 14, "anonymise")
    seed = TELEMATICS_DRIVING_DATA
    assert (yd.years, yd.months, yd.days, yd.rounding) == (seed.years, seed.months, seed.days, seed.rounding)
    assert "14 days after the policy cancellation" in yd.source
    for code in ("ECO", "WARRANTY", "FULLCOVER"):
        assert current(cat, code).retention.rule("telematics_driving_data") is None


def test_prv5_every_product_states_policy_and_no_contract_and_prv10_call_recordings(cat: Catalogue) -> None:
    for product in cat.products:
        for category in ("policy", "no_contract", "call_recordings"):
            r = product.retention.rule(category)
            assert r is not None, f"{product.ref} {category}"
            assert r.source, f"{product.ref} {category} cites no source"
            assert r.trigger in RECORD_CATEGORIES[category].triggers


# -- retention dates per product --------------------------------------------------------------------


@pytest.mark.parametrize(("code", "category", "event", "last_kept"), [
    # S1: seven years from the day the policy ended.
    ("ECO", "policy", date(2026, 3, 1), date(2033, 3, 1)),
    ("YOUNG_DRIVER", "policy", date(2024, 2, 29), date(2031, 2, 28)),
    # S0: seven years + the current year: to the end of the seventh year after.
    ("FULLCOVER", "policy", date(2026, 1, 1), date(2033, 12, 31)),
    ("FULLCOVER", "policy", date(2026, 12, 31), date(2033, 12, 31)),
    # S2: the contract's records six years (judgement), billing ten.
    ("WARRANTY", "policy", date(2026, 3, 1), date(2032, 3, 1)),
    ("WARRANTY", "billing", date(2026, 3, 1), date(2036, 3, 1)),
    ("WARRANTY", "no_contract", date(2025, 5, 31), date(2027, 5, 31)),
    ("WARRANTY", "cookies", date(2025, 1, 31), date(2026, 2, 28)),
    ("WARRANTY", "call_recordings", date(2025, 8, 31), date(2026, 2, 28)),
    # S3 / TEL-8: fourteen days after the end, across a year end.
    ("YOUNG_DRIVER", "telematics_driving_data", date(2026, 12, 20), date(2027, 1, 3)),
])
def test_prv5_retention_dates_per_product(cat: Catalogue, code: str, category: str, event: date,
                                          last_kept: date) -> None:
    r = rule(cat, code, category)
    assert r.retain_until(event) == last_kept
    assert r.action_due_on(event) == last_kept + timedelta(days=1)
    assert not r.is_due(event, last_kept) and r.is_due(event, last_kept + timedelta(days=1))
    latest = r.latest_event_due(last_kept + timedelta(days=1))
    assert latest is not None and latest >= event  # with rounding, later events of the year fall due too
    assert r.latest_event_due(last_kept) is None or r.latest_event_due(last_kept) < event  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(st.dates(date(1995, 1, 1), date(2060, 12, 31)), st.integers(0, 10), st.integers(0, 14),
       st.integers(0, 40), st.booleans())
def test_prv5_latest_event_due_is_the_boundary_between_due_and_not_due(
        today: date, years: int, months: int, days: int, end_of_year: bool) -> None:
    r = RetentionRule("x", "policy_ended", years, months, days, "end_of_year" if end_of_year else "none")
    latest = r.latest_event_due(today)
    if latest is None:
        assert not r.is_due(date(1900, 1, 1), today)
        return
    assert r.is_due(latest, today)
    assert latest == today or not r.is_due(latest + timedelta(days=1), today)
    assert r.is_due(latest - timedelta(days=30), today)


@pytest.mark.parametrize(("start", "end", "cancelled", "voided", "ended"), [
    (date(2025, 3, 1), date(2026, 3, 1), None, None, date(2026, 3, 1)),  # expiry: the term's end date
    (date(2025, 3, 1), date(2026, 3, 1), date(2025, 9, 10), None, date(2025, 9, 10)),  # cancelled mid-term
    (date(2025, 3, 1), date(2026, 3, 1), date(2025, 2, 1), None, date(2025, 3, 1)),  # cancelled before it began
    (date(2025, 3, 1), date(2026, 3, 1), date(2026, 5, 1), None, date(2026, 3, 1)),  # never after the term's end
    (date(2025, 3, 1), date(2026, 3, 1), None, date(2025, 6, 2), date(2025, 6, 2)),  # voided: the day it was
])
def test_prv5_a_policy_ends_on_its_first_day_without_cover(start: date, end: date, cancelled: date | None,
                                                           voided: date | None, ended: date) -> None:
    assert policy_ended_on(start, end, cancelled, voided) == ended


def test_prv5_billing_data_is_what_serves_payments_or_accounts() -> None:
    def decl(*purposes: str) -> PersonalData:
        return PersonalData(Subject.CUSTOMER, Category.FINANCIAL, purposes, ProvidedBy.THIRD_PARTY, Erasure.NULL)

    assert is_billing_data(decl("payments"))
    assert is_billing_data(decl("policy_administration", "accounting"))
    assert not is_billing_data(decl("policy_administration", "fraud_prevention"))


# -- a bad entry is refused at load ---------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "products"
    shutil.copytree(PRODUCTS, target)
    return target


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _problem(folder: Path, file: str, field: str) -> ProductFileProblem:
    with pytest.raises(ProductFileError) as info:
        load_catalogue(folder)
    found = [p for p in info.value.problems if p.file == file and p.field == field]
    assert found, f"no problem for {file}: {field} in {info.value.problems}"
    assert found[0].reason
    return found[0]


@pytest.mark.parametrize(("file", "change", "field", "words"), [
    ("warranty-2025.yaml", lambda d: d["retention"]["cookies"].update(trigger="cookie_eaten"),
     "retention.cookies.trigger", "cookie_set"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(years=-10),
     "retention.billing.years", "greater than or equal"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(years="ten"),
     "retention.billing.years", "integer"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(years=7.5),
     "retention.billing.years", "integer"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(action="shred"),
     "retention.billing.action", "delete"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(rounding="end_of_month"),
     "retention.billing.rounding", "end_of_year"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].pop("source"),
     "retention.billing.source", "required"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(source="  "),
     "retention.billing.source", "at least 1"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(weeks=3),
     "retention.billing.weeks", "not permitted"),
    ("warranty-2025.yaml", lambda d: d["retention"].update(polcy=d["retention"]["billing"]),
     "retention.polcy", "unknown record category"),
    ("warranty-2025.yaml", lambda d: d["retention"]["cookies"].update(trigger="policy_ended"),
     "retention.cookies.trigger", "cookie_set"),
    ("warranty-2025.yaml", lambda d: d["retention"]["policy"].update(action="delete"),
     "retention.policy.action", "can only be anonymised"),
    ("warranty-2025.yaml", lambda d: d["retention"]["no_contract"].update(action="anonymise"),
     "retention.no_contract.action", "can only be deleted"),
    ("warranty-2025.yaml", lambda d: d["retention"]["billing"].update(years=1),
     "retention.billing", "cannot be shorter"),
    ("warranty-2025.yaml", lambda d: d["retention"]["cookies"].update(months=0),
     "retention.cookies", "0 days"),
    ("warranty-2025.yaml", lambda d: d["retention"].pop("policy"), "retention", "policy"),
    ("fullcover-2025.yaml", lambda d: d["subscription_retention"]["FullCycle"]["set_by_dealership"].update(
        floor_years=9), "subscription_retention.FullCycle.set_by_dealership.ceiling_years", "below the floor"),
    ("fullcover-2025.yaml", lambda d: d["subscription_retention"]["FullControl"].pop("years"),
     "subscription_retention.FullControl", "either years or set_by_dealership"),
    ("fullcover-2025.yaml", lambda d: d["processing"]["purposes"]["crime"].update(purpose="spying"),
     "processing.purposes.crime.purpose", "spying"),
    ("fullcover-2025.yaml", lambda d: d["processing"]["purposes"]["crime"].update(basis="whim"),
     "processing.purposes.crime.basis", "legal_obligation"),
    ("fullcover-2025.yaml", lambda d: d["processing"]["categories"].update(horoscope="star sign"),
     "processing.categories.horoscope", "unknown category"),
    ("fullcover-2025.yaml", lambda d: d.pop("processing"), "processing", "required"),
], ids=lambda v: v if isinstance(v, str) and "." in v else None)
def test_prv5_a_bad_retention_or_processing_entry_is_refused_naming_file_field_reason(
        folder: Path, file: str, change: Any, field: str, words: str) -> None:
    _edit(folder / file, change)
    problem = _problem(folder, file, field)
    assert words in problem.reason


def test_prv5_a_bad_entry_in_the_shared_s1_notice_is_refused_for_each_product_that_includes_it(folder: Path) -> None:
    _edit(folder / "_s1_privacy.yaml", lambda d: d["retention"]["policy"].update(trigger="policy_renewed"))
    with pytest.raises(ProductFileError) as info:
        load_catalogue(folder)
    files = {p.file for p in info.value.problems if p.field == "retention.policy.trigger"}
    assert files == {"eco-2024.yaml", "eco-2026.yaml", "young-driver-2025.yaml"}


def test_prv5_include_of_a_missing_file_or_in_a_loop_is_refused(folder: Path) -> None:
    text = (folder / "young-driver-2025.yaml").read_text(encoding="utf-8")
    (folder / "young-driver-2025.yaml").write_text(text.replace("include: [_s1_privacy.yaml]",
                                                                "include: [_s9_privacy.yaml]"), encoding="utf-8")
    assert "_s9_privacy.yaml" in _problem(folder, "young-driver-2025.yaml", "include").reason
    (folder / "young-driver-2025.yaml").write_text(text.replace("include: [_s1_privacy.yaml]",
                                                                "include: [young-driver-2025.yaml]"), encoding="utf-8")
    assert "loop" in _problem(folder, "young-driver-2025.yaml", "extends").reason
    (folder / "young-driver-2025.yaml").write_text(text.replace("include: [_s1_privacy.yaml]", "include: nope"),
                                                   encoding="utf-8")
    assert "list" in _problem(folder, "young-driver-2025.yaml", "include").reason


def test_prv5_an_included_notice_is_extended_by_key_not_replaced(cat: Catalogue) -> None:
    yd, eco = current(cat, "YOUNG_DRIVER"), current(cat, "ECO")
    assert yd.processing is not None and eco.processing is not None
    eco_keys = {p.key for p in eco.processing.purposes}
    assert eco_keys < {p.key for p in yd.processing.purposes}
    assert yd.processing.collects("telematics") and not eco.processing.collects("telematics")
    assert {r.category for r in eco.retention.rules} < {r.category for r in yd.retention.rules}


def test_prv5_products_check_reports_a_bad_retention_entry(folder: Path, tmp_path: Path) -> None:
    _edit(folder / "warranty-2025.yaml", lambda d: d["retention"]["billing"].update(trigger="billing_day"))
    result = CliRunner().invoke(app, ["products", "check", str(folder)],
                                env={"COVERNOTE_DATA_DIR": str(tmp_path / "var")})
    assert result.exit_code == 2, result.output
    assert "warranty-2025.yaml: retention.billing.trigger" in result.output

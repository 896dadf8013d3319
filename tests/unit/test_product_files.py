"""PRD-1: products are versioned data loaded from `products/`; a bad file is refused naming the file,
the field and the reason. Fee figures are exactly as the seeds state (FEE-1, FEE-2, FEE-4, FEE-5), and
IPT rates are configuration (POL-6)."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from covernote.kernel.errors import NotFound, ValidationFailed
from covernote.kernel.money import Money
from covernote.products.domain.catalogue import Catalogue
from covernote.products.store.files import (
    ProductFileError,
    ProductFileProblem,
    load_catalogue,
    load_product_file,
)

PRODUCTS = Path(__file__).resolve().parents[2] / "products"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(PRODUCTS)


# -- the seed products load -----------------------------------------------------------------------

def test_prd1_catalogue_loads_the_four_products_and_two_eco_versions(cat: Catalogue) -> None:
    assert cat.codes() == ["ECO", "FULLCOVER", "WARRANTY", "YOUNG_DRIVER"]
    eco = cat.versions("ECO")
    assert [p.version for p in eco] == ["2024.1", "2026.7"]
    assert [p.ref for p in eco] == ["ECO@2024.1", "ECO@2026.7"]
    assert eco[0].effective_to == date(2026, 7, 1)
    assert eco[1].effective_from == date(2026, 7, 1) and eco[1].effective_to is None


def test_prd1_later_eco_version_extends_the_earlier(cat: Catalogue) -> None:
    old, new = cat.versions("ECO")
    assert old.rating.base_rates == {"comprehensive": Money.of("640.00")}
    assert new.rating.base_rates == {"comprehensive": Money.of("680.00")}
    assert old.rating.table_version == "eco-rates-2024.1"
    assert new.rating.table_version == "eco-rates-2026.7"
    # everything not restated is inherited: fees, covers, questions, cancellation and the shared factors
    assert new.fees == old.fees
    assert new.covers == old.covers
    assert new.questions == old.questions
    assert new.cancellation == old.cancellation
    assert new.rating.factors == old.rating.factors
    assert [f.variable for f in new.rating.factors] == [
        "driver_age", "years_licensed", "vehicle_group", "vehicle_value", "postcode_area", "annual_mileage",
        "voluntary_excess", "use"]
    assert new.rating.ncd is not None and new.rating.ncd.discount_for(5) == (5, Decimal("70"))


@pytest.mark.parametrize(("day", "version"), [
    (date(2024, 1, 1), "2024.1"),
    (date(2026, 6, 30), "2024.1"),
    (date(2026, 7, 1), "2026.7"),
    (date(2030, 1, 1), "2026.7"),
])
def test_prd1_in_force_picks_the_version_by_date(cat: Catalogue, day: date, version: str) -> None:
    assert cat.in_force("ECO", day).version == version


def test_prd1_in_force_before_first_version_and_unknown_code_are_refused(cat: Catalogue) -> None:
    with pytest.raises(ValidationFailed):
        cat.in_force("ECO", date(2023, 12, 31))
    with pytest.raises(NotFound):
        cat.in_force("NOPE", date(2026, 1, 1))
    assert cat.by_ref("ECO@2024.1").rating.table_version == "eco-rates-2024.1"
    with pytest.raises(NotFound):
        cat.by_ref("ECO@1999.1")


def _fees(cat: Catalogue, code: str) -> dict[str, tuple[Money, str]]:
    return {f.code: (f.amount, f.charged_on) for f in cat.versions(code)[0].fees}


def test_fee1_fee2_eco_fee_schedule_exactly_as_s1(cat: Catalogue) -> None:
    for product in cat.versions("ECO"):
        assert {f.code: (f.amount, f.charged_on) for f in product.fees} == {
            "cancellation_cooling_off": (Money.of("35.00"), "cancellation_within_cooling_off"),
            "cancellation": (Money.of("50.00"), "cancellation_after_cooling_off"),
            "mta_admin": (Money.of("15.00"), "mta"),
            "returned_direct_debit": (Money.of("20.00"), "returned_direct_debit"),
        }
        assert product.cancellation.cooling_off_days == 14
        assert set(product.cancellation.no_refund_if) == {"claim", "incident"}
        assert product.cancellation.no_refund_rules(True) == ("total_loss",)  # issue 13 item 1, FEE-1
        assert [f.code for f in product.fees_for({"cancellation_within_cooling_off"})] == ["cancellation_cooling_off"]
        assert [f.code for f in product.fees_for({"cancellation_after_cooling_off"})] == ["cancellation"]


def test_fee3_eco_short_period_table_applies_before_july_2012(cat: Catalogue) -> None:
    sp = cat.versions("ECO")[0].cancellation.short_period
    assert sp is not None
    assert sp.applies_before == date(2012, 7, 1)
    assert sp.percent_for(1) == Decimal("20")
    assert sp.percent_for(4) == Decimal("50")
    assert sp.percent_for(12) == Decimal("100")
    assert sp.percent_for(0) == Decimal("0")


def test_fee4_young_driver_fee_schedule_exactly_as_s3(cat: Catalogue) -> None:
    assert _fees(cat, "YOUNG_DRIVER") == {
        "arrangement": (Money.of("100.00"), "new_business"),
        "renewal": (Money.of("50.00"), "renewal"),
        "vehicle_change_box_retained": (Money.of("50.00"), "vehicle_change_box_retained"),
        "vehicle_change_new_box": (Money.of("75.00"), "vehicle_change_new_box"),
        "mta": (Money.of("25.00"), "mta"),
        "cancellation": (Money.of("50.00"), "cancellation_after_cooling_off"),
    }
    yd = cat.versions("YOUNG_DRIVER")[0]
    # a change of vehicle is charged instead of the plain MTA fee
    assert [f.code for f in yd.fees_for({"mta", "vehicle_change_new_box"})] == ["vehicle_change_new_box"]
    assert [f.code for f in yd.fees_for({"mta", "vehicle_change_box_retained"})] == ["vehicle_change_box_retained"]
    assert [f.code for f in yd.fees_for({"mta"})] == ["mta"]
    # no fee on a cancellation within cooling-off
    assert yd.fees_for({"cancellation_within_cooling_off"}) == ()


def test_fee5_young_driver_box_return_refund_half_of_arrangement_renewal_new_box_and_cancellation(cat: Catalogue) -> None:
    yd = cat.versions("YOUNG_DRIVER")[0]
    percents = {f.code: f.box_return_refund_percent for f in yd.fees}
    assert percents == {"arrangement": Decimal("50"), "renewal": Decimal("50"), "vehicle_change_box_retained": Decimal("0"),
                        "vehicle_change_new_box": Decimal("50"), "mta": Decimal("0"), "cancellation": Decimal("50")}
    assert yd.cancellation.box_return_days == 14
    assert yd.telematics is True


def test_pol6_ipt_rates_from_tax_file(cat: Catalogue) -> None:
    assert cat.tax.rate("standard", date(2017, 6, 1)) == Decimal("0.12")
    assert cat.tax.rate("standard", date(2026, 11, 22)) == Decimal("0.12")
    assert cat.tax.rate("standard", date(2017, 5, 31)) == Decimal("0.10")
    assert cat.tax.rate("standard", date(2016, 1, 1)) == Decimal("0.095")
    assert cat.tax.rate("higher", date(2026, 11, 22)) == Decimal("0.20")
    assert cat.tax.rate("exempt", date(2026, 11, 22)) == Decimal("0")
    with pytest.raises(LookupError):
        cat.tax.rate("standard", date(2010, 1, 1))
    ipt = {p.code: p.ipt for p in cat.products}
    assert ipt == {"ECO": "standard", "YOUNG_DRIVER": "standard", "WARRANTY": "higher", "FULLCOVER": "higher"}


def test_prd5_fullcover_has_no_ncd_and_no_cooling_off(cat: Catalogue) -> None:
    fc = cat.versions("FULLCOVER")[0]
    assert fc.rating.ncd is None  # `ncd: null` overrides the shared table
    assert fc.cancellation.cooling_off_days == 0
    assert fc.rating.minimum_premium == Money.of("15.00")


# -- bad files are refused naming file, field and reason ------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "products"
    shutil.copytree(PRODUCTS, target)
    return target


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _problems(folder: Path) -> list[ProductFileProblem]:
    with pytest.raises(ProductFileError) as info:
        load_catalogue(folder)
    problems = info.value.problems
    assert problems
    for p in problems:
        assert str(p) in str(info.value)
    return problems


def _find(problems: list[ProductFileProblem], file: str, field: str) -> ProductFileProblem:
    found = [p for p in problems if p.file == file and p.field == field]
    assert found, f"no problem for {file}: {field} in {problems}"
    assert found[0].reason
    return found[0]


def test_prd1_copied_folder_loads_unchanged(folder: Path) -> None:
    assert load_catalogue(folder).codes() == ["ECO", "FULLCOVER", "WARRANTY", "YOUNG_DRIVER"]


def test_prd1_wrong_type_is_refused(folder: Path) -> None:
    _edit(folder / "young-driver-2025.yaml", lambda d: d["fees"][4].update(amount="lots"))
    p = _find(_problems(folder), "young-driver-2025.yaml", "fees[4].amount")
    assert "decimal" in p.reason.lower()


def test_prd1_negative_fee_is_refused(folder: Path) -> None:
    _edit(folder / "eco-2024.yaml", lambda d: d["fees"][0].update(amount="-35.00"))
    p = _find(_problems(folder), "eco-2024.yaml", "fees[0].amount")
    assert "greater than or equal" in p.reason


def test_prd1_unknown_key_is_refused(folder: Path) -> None:
    _edit(folder / "warranty-2025.yaml", lambda d: d.update(colour="blue"))
    p = _find(_problems(folder), "warranty-2025.yaml", "colour")
    assert "not permitted" in p.reason


def test_prd1_unknown_nested_key_is_refused(folder: Path) -> None:
    _edit(folder / "warranty-2025.yaml", lambda d: d["cancellation"].update(cooling_off_weeks=2))
    _find(_problems(folder), "warranty-2025.yaml", "cancellation.cooling_off_weeks")


def test_fee1_fee_charged_on_unknown_event_is_refused(folder: Path) -> None:
    _edit(folder / "eco-2024.yaml", lambda d: d["fees"][2].update(charged_on="whenever"))
    p = _find(_problems(folder), "eco-2024.yaml", "fees[2].charged_on")
    assert "must be one of" in p.reason and "mta" in p.reason


def test_prd1_fee_instead_of_unknown_fee_is_refused(folder: Path) -> None:
    _edit(folder / "young-driver-2025.yaml", lambda d: d["fees"][2].update(instead_of=["nope"]))
    p = _find(_problems(folder), "young-driver-2025.yaml", "fees[2].instead_of")
    assert "nope" in p.reason


def test_prd6_factor_on_unknown_variable_is_refused(folder: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["rating"]["factors"][1]["variable"] = "star_sign"
    _edit(folder / "warranty-2025.yaml", change)
    p = _find(_problems(folder), "warranty-2025.yaml", "rating.factors[1].variable")
    assert "star_sign" in p.reason


def test_prd6_gapped_bands_are_refused(folder: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["rating"]["factors"][0]["bands"][1]["from"] = 5  # 0-4, then 5-8: 4..5 is a gap
    _edit(folder / "warranty-2025.yaml", change)
    p = _find(_problems(folder), "warranty-2025.yaml", "rating.factors[0].bands")
    assert "gap" in p.reason


def test_prd6_overlapping_bands_are_refused(folder: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["rating"]["factors"][1]["bands"][0]["to"] = 50000  # to 50000, next from 40000
    _edit(folder / "warranty-2025.yaml", change)
    _find(_problems(folder), "warranty-2025.yaml", "rating.factors[1].bands")


def test_prd6_missing_base_rate_is_refused(folder: Path) -> None:
    _edit(folder / "young-driver-2025.yaml", lambda d: d["rating"]["base_rates"].pop("third_party_fire_theft"))
    p = _find(_problems(folder), "young-driver-2025.yaml", "rating.base_rates")
    assert "third_party_fire_theft" in p.reason


def test_fee3_falling_short_period_table_is_refused(folder: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["cancellation"]["short_period"]["percent_retained_by_months"][5] = "10"
    _edit(folder / "eco-2024.yaml", change)
    _find(_problems(folder), "eco-2024.yaml", "cancellation.short_period.percent_retained_by_months")


def test_fee5_box_refund_without_box_return_days_is_refused(folder: Path) -> None:
    _edit(folder / "young-driver-2025.yaml", lambda d: d["cancellation"].pop("box_return_days"))
    _find(_problems(folder), "young-driver-2025.yaml", "cancellation.box_return_days")


def test_prd1_overlapping_versions_of_one_product_are_refused(folder: Path) -> None:
    _edit(folder / "eco-2024.yaml", lambda d: d.update(effective_to=date(2026, 12, 1)))
    problems = _problems(folder)
    overlap = [p for p in problems if p.field == "effective_to"]
    assert len(overlap) == 1 and overlap[0].file == "eco-2024.yaml"
    assert "ECO" in overlap[0].reason and "2024.1" in overlap[0].reason and "2026.7" in overlap[0].reason


def test_prd1_overlapping_versions_problem_names_the_file(folder: Path) -> None:
    _edit(folder / "eco-2024.yaml", lambda d: d.update(effective_to=None))
    problems = [p for p in _problems(folder) if "2024.1" in p.reason]
    assert problems and all(p.file in ("eco-2024.yaml", "eco-2026.yaml") for p in problems)


def test_prd1_same_version_twice_is_refused(folder: Path) -> None:
    shutil.copyfile(folder / "warranty-2025.yaml", folder / "warranty-copy.yaml")
    problems = _problems(folder)
    assert any("WARRANTY" in p.reason and "defined twice" in p.reason for p in problems)


def test_prd1_effective_to_before_effective_from_is_refused(folder: Path) -> None:
    _edit(folder / "warranty-2025.yaml", lambda d: d.update(effective_to=date(2024, 1, 1)))
    _find(_problems(folder), "warranty-2025.yaml", "effective_to")


def test_prd1_invalid_yaml_is_refused(folder: Path) -> None:
    (folder / "warranty-2025.yaml").write_text("code: WARRANTY\nfees: [unclosed\n", encoding="utf-8")
    p = _find(_problems(folder), "warranty-2025.yaml", "-")
    assert "not valid YAML" in p.reason


def test_prd1_extends_a_missing_file_is_refused(folder: Path) -> None:
    text = (folder / "eco-2026.yaml").read_text(encoding="utf-8").replace("extends: eco-2024.yaml", "extends: eco-2019.yaml")
    (folder / "eco-2026.yaml").write_text(text, encoding="utf-8")
    p = _find(_problems(folder), "eco-2026.yaml", "extends")
    assert "eco-2019.yaml" in p.reason


def test_prd1_extends_loop_is_refused(folder: Path) -> None:
    text = (folder / "eco-2024.yaml").read_text(encoding="utf-8").replace("extends: _motor_rating.yaml", "extends: eco-2026.yaml")
    (folder / "eco-2024.yaml").write_text(text, encoding="utf-8")
    problems = _problems(folder)
    assert any(p.field == "extends" and "loop" in p.reason for p in problems)


def test_prd1_every_bad_file_is_named_at_once(folder: Path) -> None:
    _edit(folder / "warranty-2025.yaml", lambda d: d.update(colour="blue"))
    _edit(folder / "young-driver-2025.yaml", lambda d: d["fees"][0].update(charged_on="whenever"))
    problems = _problems(folder)
    assert {p.file for p in problems} >= {"warranty-2025.yaml", "young-driver-2025.yaml"}


def test_pol6_bad_tax_file_is_refused(folder: Path) -> None:
    _edit(folder / "tax.yaml", lambda d: d["ipt"][0].update(rate="1.5"))
    _find(_problems(folder), "tax.yaml", "ipt[0].rate")


def test_pol6_missing_tax_file_is_refused(folder: Path) -> None:
    (folder / "tax.yaml").unlink()
    p = _find(_problems(folder), "tax.yaml", "-")
    assert "missing" in p.reason


def test_pol6_product_without_an_ipt_rate_in_force_is_refused(folder: Path) -> None:
    _edit(folder / "tax.yaml", lambda d: d.update(ipt=[r for r in d["ipt"] if r["treatment"] == "standard"]))
    problems = _problems(folder)
    assert any(p.field == "ipt" and p.file == "warranty-2025.yaml" for p in problems)
    assert any(p.field == "ipt" and p.file == "fullcover-2025.yaml" for p in problems)


def test_prd1_load_product_file_direct_error_names_file(folder: Path) -> None:
    _edit(folder / "warranty-2025.yaml", lambda d: d.pop("covers"))
    with pytest.raises(ProductFileError) as info:
        load_product_file(folder / "warranty-2025.yaml")
    assert any(p.file == "warranty-2025.yaml" and p.field == "covers" for p in info.value.problems)


def test_prd1_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProductFileError):
        load_catalogue(tmp_path / "nowhere")


# -- issue 13 items 2 and 4: contacts and privacy notices are product data --------------------------

def test_issue13_item2_item4_every_product_has_its_sources_contacts_and_notice() -> None:
    """Issue 13 items 2 and 4 (DOC-2, PRV-3): each product carries its brand's contact points and its
    notice's rights and regulator, quoted from its source."""
    cat = load_catalogue(PRODUCTS)
    on = date(2026, 12, 7)
    eco = cat.in_force("ECO", on)
    assert eco.contacts is not None and eco.contacts.brand == "Co-op Ecoinsurance"
    assert eco.contacts.point("complaints").phone == "03457 46 46 46"
    yd = cat.in_force("YOUNG_DRIVER", on).contacts
    assert yd is not None and yd.point("complaints").hours == "9am 5pm Monday to Friday"
    assert cat.contacts_for(None, on) == yd
    s1 = eco.privacy_notice
    assert s1 is not None and s1.regulator.phones == ("0303 123 1113", "01625 545 745")
    assert s1.regulator.address == "Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF"
    assert [r.code for r in s1.rights][:3] == ["access", "withdraw_consent", "rectification"]  # S1's own order
    s2 = cat.in_force("WARRANTY", on).privacy_notice
    assert s2 is not None
    after_death = s2.right("post_mortem_directives")
    assert after_death is not None and after_death.text.startswith(
        "Right to define the fate of your post-mortem data: you can define directives relating to the fate of "
        "your personal data after your death")


@pytest.mark.parametrize("section", ["contacts", "privacy_notice"])
def test_issue13_item2_item4_products_check_names_a_missing_section(folder: Path, section: str) -> None:
    """Issue 13 items 2 and 4: a product file without its contacts or privacy notice is reported with the
    file, the field and why it is needed."""
    _edit(folder / "warranty-2025.yaml", lambda d: d.pop(section))
    p = _find(_problems(folder), "warranty-2025.yaml", section)
    assert p.reason.startswith("missing")


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda d: d["contacts"]["points"].pop("claims_complaints"), "contacts.points", "missing contact point"),
    (lambda d: d["contacts"]["points"]["complaints"].update(phone="call us"), "contacts.points.complaints.phone",
     "pattern"),
    (lambda d: d["contacts"]["points"]["complaints"].update(hours="9 to 5"), "contacts.points.complaints",
     "no telephone line"),
    (lambda d: d["contacts"].update(colour="blue"), "contacts.colour", "extra"),
    (lambda d: d["privacy_notice"]["rights"].update(fly="you may fly"), "privacy_notice.rights", "unknown right"),
    (lambda d: d["privacy_notice"]["rights"].pop("access"), "privacy_notice.rights", "right of access"),
    (lambda d: d["privacy_notice"]["regulator"].update(website=None, phones=[], address=None),
     "privacy_notice.regulator", "at least"),
    (lambda d: d["contacts"].update(default_for_complaints=True), "contacts.default_for_complaints", "only one"),
])
def test_issue13_item2_item4_products_check_names_a_malformed_section(folder: Path, change: Any, field: str,
                                                                     words: str) -> None:
    """Issue 13 items 2 and 4: a malformed contacts or privacy_notice section is reported with the file, the
    field and the reason."""
    _edit(folder / "warranty-2025.yaml", change)
    p = _find(_problems(folder), "warranty-2025.yaml", field)
    assert words.lower() in p.reason.lower(), p.reason

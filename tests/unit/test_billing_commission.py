"""PAY-7, pure: commission on the core premium as product data and its rounding rule (property tests over
any sequence of premium changes), its ledger postings, the disclosure read from a policy's ledger totals
(core, extras, finance introduction by account prefix), the commission report's rows and CSV, and the
disclosure letter's wording."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from covernote.billing.domain.commission import (
    BookedPosting,
    ExtraRate,
    finance_commission,
    is_finance_income,
    policy_commission,
    report_rows,
    totals_of,
)
from covernote.billing.usecases.commission import commission_csv, letter_html, letter_text, policy_view
from covernote.kernel.journal import COMMISSION_EARNED, COMMISSION_WITHHELD, PREMIUM, commission_lines
from covernote.kernel.money import Money, sum_money
from covernote.products.domain.commission_spec import CommissionSpec, core_commission
from covernote.products.store.files import ProductFileError, load_catalogue, load_product_file
from tests.unit.builders import PRODUCTS

SPEC = CommissionSpec(Decimal("12.5"))


def by_hand(pence: int, percent: Decimal) -> int:
    """percent / 100 x pence, rounded half-up (away from zero at an exact half) to whole pence."""
    return int((Decimal(pence) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# -- the rule ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("premium", "percent", "want"), [
    ("900.00", "12.5", "112.50"),
    ("0.04", "12.5", "0.01"),  # 0.005: an exact half penny rounds up
    ("0.03", "12.5", "0.00"),  # 0.00375
    ("-0.04", "12.5", "-0.01"),  # a half penny returned rounds away from zero too
    ("1234.57", "7.25", "89.51"),  # 89.506325
])
def test_pay7_core_commission_is_the_rate_times_the_net_premium_rounded_half_up_once(premium, percent, want):
    assert core_commission(Money.of(premium), Decimal(percent)) == Money.of(want)


PERCENTS = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99.9999"), places=4)
CHANGES = st.lists(st.integers(min_value=-150_000, max_value=150_000), min_size=1, max_size=12)


@given(percent=PERCENTS, changes=CHANGES)
def test_pay7_commission_over_any_sequence_of_premium_changes_is_the_rate_times_the_net_premium(percent, changes):
    """PAY-7: whatever the sequence of additional and return premiums on a term, the commission its
    transactions earn adds up to exactly round_half_up(rate x net premium written) to the penny."""
    spec = CommissionSpec(percent)
    written, posted = 0, Money.zero()
    for change in changes:
        posted = posted + spec.change(Money.from_pence(written), Money.from_pence(written + change))
        written += change
    assert posted.pence == by_hand(written, percent)
    assert posted == spec.on_term(Money.from_pence(written))


@given(percent=PERCENTS, premium=st.integers(min_value=0, max_value=500_000), change=st.integers(-200_000, 200_000))
def test_pay7_an_adjustment_and_its_reverse_return_the_commission_to_the_penny(percent, premium, change):
    spec = CommissionSpec(percent)
    there = spec.change(Money.from_pence(premium), Money.from_pence(premium + change))
    back = spec.change(Money.from_pence(premium + change), Money.from_pence(premium))
    assert (there + back).is_zero()


@given(premium=st.integers(min_value=1, max_value=500_000), earned_days=st.integers(0, 365))
def test_pay7_a_cancellation_returns_commission_pro_rata_with_the_premium(premium, earned_days):
    """A pro-rata cancellation leaves the earned premium; the commission left is the rate times it."""
    earned = by_hand(premium * earned_days, Decimal(100) / 365)  # pro-rata premium, rounded once
    returned = SPEC.change(Money.from_pence(premium), Money.from_pence(earned))
    assert (SPEC.on_term(Money.from_pence(premium)) + returned).pence == by_hand(earned, Decimal("12.5"))
    assert returned <= Money.zero()


def test_pay7_commission_postings_are_a_pair_that_leaves_the_customers_account_alone():
    lines = commission_lines(Money.of("112.50"), "Illustrative Insurer plc")
    assert [(p.account, p.amount) for p in lines] == [(COMMISSION_WITHHELD, Money.of("112.50")),
                                                      (COMMISSION_EARNED, Money.of("-112.50"))]
    assert sum_money([p.amount for p in lines]).is_zero()
    assert "Illustrative Insurer plc" in lines[0].memo


# -- product data ------------------------------------------------------------------------------------------


def test_pay7_the_young_driver_product_states_its_core_commission_and_the_others_sell_direct():
    cat = load_catalogue(PRODUCTS)
    (yd,) = cat.versions("YOUNG_DRIVER")
    assert yd.commission is not None and yd.commission.core_percent == Decimal("12.5")
    assert "percentage of the total annual premium" in yd.commission.source  # S3, word for word
    for code in ("ECO", "FULLCOVER", "WARRANTY"):
        assert all(p.commission is None for p in cat.versions(code))


def _broken(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    folder = tmp_path / "products"
    shutil.copytree(PRODUCTS, folder)
    path = folder / "young-driver-2025.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(("section", "field"), [
    ({"core_percent": "0", "source": "S3"}, "commission.core_percent"),
    ({"core_percent": "100", "source": "S3"}, "commission.core_percent"),
    ({"core_percent": "12.12345", "source": "S3"}, "commission.core_percent"),
    ({"core_percent": "12.5"}, "commission.source"),
    ({"core_percent": "12.5", "source": "S3", "on_ipt": True}, "commission.on_ipt"),
])
def test_pay7_a_bad_commission_section_is_refused_naming_file_and_field(tmp_path, section, field):
    path = _broken(tmp_path, lambda d: d.__setitem__("commission", section))
    with pytest.raises(ProductFileError) as info:
        load_product_file(path)
    assert any(p.file == "young-driver-2025.yaml" and p.field == field for p in info.value.problems), \
        info.value.problems


# -- the disclosure ----------------------------------------------------------------------------------------

RATES = [ExtraRate("rac_breakdown", "RAC breakdown cover", "Illustrative Breakdown Insurer", Decimal(25), Money.zero()),
         ExtraRate("legal_expenses", "Legal expenses insurance", "Illustrative Legal Insurer", Decimal(30),
                   Money.of("2.50"))]


def test_pay7_disclosure_reads_core_extras_and_finance_commission_from_the_ledger():
    t = {PREMIUM: Money.of("-900.00"), COMMISSION_EARNED: Money.of("-112.50"), COMMISSION_WITHHELD: Money.of("112.50"),
         "extras:legal_expenses:premium": Money.of("-24.99"), "extras:legal_expenses:commission": Money.of("-10.00"),
         "extras:legal_expenses:commission-due": Money.of("10.00"),
         "commission:finance-introduction": Money.of("-31.20"),
         "commission:finance-introduction:due": Money.of("31.20"), "customer:receivable": Money.of("0.00")}
    c = policy_commission("pol_1", "CN-1", "YOUNG_DRIVER@2025.1", "Young driver", "Illustrative Insurer plc",
                          Decimal("12.5"), RATES, t)
    assert (c.core_premium, c.core_earned, c.finance_earned) == (Money.of("900.00"), Money.of("112.50"),
                                                                 Money.of("31.20"))
    extras = {e.code: e for e in c.extras}
    assert extras["legal_expenses"].earned == Money.of("10.00") and extras["legal_expenses"].per_sale == Money.of("2.50")
    assert extras["rac_breakdown"].earned.is_zero()  # sold by the product, not bought: its terms still shown
    assert c.total == Money.of("153.70")
    view = policy_view(c)
    assert view["core_percent"] == "12.5" and view["finance_introduction"] == "31.20" and view["total"] == "153.70"


def test_pay7_finance_introduction_commission_is_read_by_prefix_without_the_providers_debt():
    assert is_finance_income("commission:finance-introduction")
    assert is_finance_income("commission:finance")
    assert not is_finance_income("commission:finance-introduction:due")
    assert not is_finance_income("commission:finance-receivable")
    assert not is_finance_income(COMMISSION_EARNED)
    assert finance_commission({"commission:finance": Money.of("-5.00"),
                               "commission:finance:receivable": Money.of("5.00")}) == Money.of("5.00")
    assert finance_commission({}) == Money.zero()


def test_pay7_a_product_sold_direct_discloses_no_core_commission_and_says_why():
    c = policy_commission("pol_2", "CN-2", "ECO@2024.1", "Eco", "CIS", None, [], {PREMIUM: Money.of("-500.00")})
    assert c.core_earned.is_zero() and c.total.is_zero() and "sells it direct" in c.notes[0]


# -- the report --------------------------------------------------------------------------------------------


def _posting(entry: str, account: str, amount: str, kind: str = "new_business", day: int = 1) -> BookedPosting:
    return BookedPosting(entry, date(2026, 12, day), "pol_" + entry, "CN-" + entry, "txn_" + entry, kind, account,
                         Money.of(amount))


def test_pay7_report_has_one_row_per_entry_with_premium_and_each_commission():
    rows = report_rows([
        _posting("2", PREMIUM, "100.00", "cancellation", day=3), _posting("2", COMMISSION_EARNED, "12.50", "cancellation", day=3),
        _posting("1", PREMIUM, "-900.00"), _posting("1", COMMISSION_EARNED, "-112.50"),
        _posting("1", "extras:rac_breakdown:premium", "-64.99"), _posting("1", "extras:rac_breakdown:commission", "-16.25"),
        _posting("1", "commission:finance-introduction", "-20.00"),
        _posting("1", "commission:finance-introduction:due", "20.00"),  # the provider's debt: not income
        _posting("1", "customer:receivable", "1000.00"),  # not a report account
    ])
    assert [r.entry_id for r in rows] == ["1", "2"]
    first, second = rows
    assert (first.premium, first.core_commission, first.extras_premium, first.extras_commission,
            first.finance_commission, first.total_commission) == (
        Money.of("900.00"), Money.of("112.50"), Money.of("64.99"), Money.of("16.25"), Money.of("20.00"),
        Money.of("148.75"))
    assert (second.premium, second.core_commission, second.total_commission) == (
        Money.of("-100.00"), Money.of("-12.50"), Money.of("-12.50"))
    assert totals_of(rows)["total_commission"] == Money.of("136.25")


def test_pay7_report_csv_has_a_header_and_a_row_per_entry_with_formula_cells_neutralised():
    report = {"start": "2026-12-01", "end": "2027-01-01", "totals": {}, "notes": [], "rows": [
        {"posted_on": "2026-12-01", "policy_id": "pol_1", "policy_number": "=HYPERLINK(1)", "transaction_id": None,
         "transaction_kind": "new_business", "entry_id": "jnl_1", "premium": "900.00", "core_commission": "112.50",
         "extras_premium": "0.00", "extras_commission": "0.00", "finance_commission": "0.00",
         "total_commission": "112.50"}]}
    lines = commission_csv(report).splitlines()  # type: ignore[arg-type]
    assert lines[0].startswith("posted_on,policy_number,policy_id,transaction_id,transaction_kind,entry_id,premium")
    assert lines[1] == "2026-12-01,'=HYPERLINK(1),pol_1,,new_business,jnl_1,900.00,112.50,0.00,0.00,0.00,112.50"


# -- the letter --------------------------------------------------------------------------------------------


def test_pay7_the_disclosure_letter_names_each_policy_rate_and_amount_in_html_and_text():
    c = policy_commission("pol_1", "CN-00042", "YOUNG_DRIVER@2025.1", "Young driver", "Illustrative Insurer plc",
                          Decimal("12.5"), RATES, {PREMIUM: Money.of("-900.00"), COMMISSION_EARNED: Money.of("-112.50"),
                                                   "extras:legal_expenses:premium": Money.of("-24.99"),
                                                   "extras:legal_expenses:commission": Money.of("-10.00")})
    data = {"customer_id": "cus_1", "customer_name": "Ann <Example>", "as_at": "2026-12-07",
            "policies": [policy_view(c)], "total": "122.50", "explanation": ["How it works."]}
    text = letter_text(data, "Co-op Young Driver Insurance")  # type: ignore[arg-type]
    html = letter_html(data, "Co-op Young Driver Insurance")  # type: ignore[arg-type]
    for page in (text, html):
        assert "CN-00042" in page and "12.5% of the premium" in page and "112.50" in page
        assert "30% of its premium 24.99" in page and "plus 2.50 for each policy sold" in page
        assert "finance provider" in page and "122.50" in page
    assert "Ann &lt;Example&gt;" in html and "Ann <Example>" in text  # HTML escaped, text as given

"""Money (kernel): exact amounts, named rounding, whole-pence allocation.

Money underpins every figure the requirements state (FEE-*, NCD-4, POL-6) and the ledger's
"reconciles to the penny" (PAY-5).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.kernel.money import Money, MoneyError, Rounding, allocate, sum_money

PENCE = st.integers(min_value=-10**9, max_value=10**9)
SETTINGS = settings(max_examples=200, deadline=None)


# -- refusing inexact or meaningless operations (PAY-5: the ledger never loses a penny) -------------

@pytest.mark.parametrize("bad", [0.1, 1.0, float("nan"), True, False])
def test_pay5_money_refuses_float_and_bool_amounts(bad: object) -> None:
    with pytest.raises(MoneyError):
        Money(bad)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.of(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0.5, True])
def test_pay5_money_refuses_float_and_bool_multipliers(bad: object) -> None:
    with pytest.raises(MoneyError):
        Money.of("10.00") * bad  # type: ignore[operator]


def test_pay5_money_refuses_non_finite_and_garbage_strings() -> None:
    for bad in ("NaN", "Infinity", "lots", ""):
        with pytest.raises(MoneyError):
            Money.of(bad)
    with pytest.raises(MoneyError):
        Money(Decimal("Infinity"))


def test_pay5_money_refuses_mixed_currencies() -> None:
    gbp, eur = Money.of("1.00"), Money.of("1.00", "EUR")
    for op in (lambda: gbp + eur, lambda: gbp - eur, lambda: gbp < eur, lambda: gbp.ratio(eur),
               lambda: sum_money([gbp, eur])):
        with pytest.raises(MoneyError):
            op()


def test_pay5_money_refuses_money_times_money_and_money_over_money() -> None:
    with pytest.raises(MoneyError):
        Money.of("2.00") * Money.of("3.00")  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money.of("2.00") / Money.of("3.00")  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money.of("2.00") / 0


def test_pay5_currency_must_be_iso_code() -> None:
    for bad in ("gbp", "GB", "GBPX", "G1P"):
        with pytest.raises(MoneyError):
            Money.of("1", bad)


@SETTINGS
@given(a=PENCE, b=PENCE)
def test_pay5_addition_is_exact_in_pence(a: int, b: int) -> None:
    assert (Money.from_pence(a) + Money.from_pence(b)).pence == a + b
    assert (Money.from_pence(a) - Money.from_pence(b)).pence == a - b


# -- pence round trip -----------------------------------------------------------------------------

@SETTINGS
@given(p=PENCE)
def test_pay5_from_pence_and_pence_round_trip(p: int) -> None:
    m = Money.from_pence(p)
    assert m.pence == p
    assert m.amount == Decimal(p) / 100
    assert m.is_whole_pence


def test_pay5_from_pence_refuses_non_int() -> None:
    for bad in (1.5, True, "12", Decimal(3)):
        with pytest.raises(MoneyError):
            Money.from_pence(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["0.001", "12.345", "-0.005", "1.0000001"])
def test_pay5_pence_raises_on_unrounded_amount(amount: str) -> None:
    m = Money.of(amount)
    assert not m.is_whole_pence
    with pytest.raises(MoneyError):
        _ = m.pence


def test_pay5_pence_accepts_trailing_zeros() -> None:
    assert Money.of("12.3400000").pence == 1234
    assert Money.of("-7").pence == -700


# -- named rounding -------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "mode", "expected"), [
    ("0.005", Rounding.HALF_UP, "0.01"),
    ("0.015", Rounding.HALF_UP, "0.02"),
    ("0.004", Rounding.HALF_UP, "0.00"),
    ("-0.005", Rounding.HALF_UP, "-0.01"),
    ("0.005", Rounding.HALF_EVEN, "0.00"),
    ("0.015", Rounding.HALF_EVEN, "0.02"),
    ("0.025", Rounding.HALF_EVEN, "0.02"),
    ("0.019", Rounding.DOWN, "0.01"),
    ("-0.019", Rounding.DOWN, "-0.01"),
    ("0.011", Rounding.UP, "0.02"),
    ("-0.011", Rounding.UP, "-0.02"),
    ("1.00", Rounding.UP, "1.00"),
])
def test_pay5_round_pence_named_modes(amount: str, mode: Rounding, expected: str) -> None:
    assert Money.of(amount).round_pence(mode).amount == Decimal(expected)


@SETTINGS
@given(units=st.integers(min_value=-10**12, max_value=10**12), mode=st.sampled_from(list(Rounding)))
def test_pay5_round_pence_gives_whole_pence_within_a_penny(units: int, mode: Rounding) -> None:
    exact = Money(Decimal(units) / 10000)  # four decimal places
    rounded = exact.round_pence(mode)
    assert rounded.is_whole_pence
    assert abs(rounded.amount - exact.amount) < Decimal("0.01")
    if mode in (Rounding.HALF_UP, Rounding.HALF_EVEN):
        assert abs(rounded.amount - exact.amount) <= Decimal("0.005")
    if mode is Rounding.DOWN:
        assert abs(rounded.amount) <= abs(exact.amount)
    if mode is Rounding.UP:
        assert abs(rounded.amount) >= abs(exact.amount)


def test_pay5_to_str_two_places() -> None:
    assert Money.of("1234.5").to_str() == "1234.50"
    assert Money.of("0.005").to_str() == "0.01"
    assert str(Money.of("-1234.5")) == "-GBP 1,234.50"


# -- allocation -----------------------------------------------------------------------------------

@SETTINGS
@given(total=PENCE, weights=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12)
       .filter(lambda ws: sum(ws) > 0))
def test_pay5_allocate_whole_pence_sum_exactly_and_near_exact_shares(total: int, weights: list[int]) -> None:
    money = Money.from_pence(total)
    parts = allocate(money, weights)
    assert len(parts) == len(weights)
    assert all(p.is_whole_pence for p in parts)
    assert sum(p.pence for p in parts) == total
    total_w = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        exact = Decimal(total) * w / total_w  # in pence
        assert abs(Decimal(part.pence) - exact) < 1
        if w == 0:
            assert part.pence == 0


def test_pay5_allocate_known_split_and_negative_total() -> None:
    assert [p.pence for p in allocate(Money.of("1.00"), [1, 1, 1])] == [34, 33, 33]
    assert [p.pence for p in allocate(Money.of("-1.00"), [1, 1, 1])] == [-34, -33, -33]
    assert [p.pence for p in allocate(Money.of("0.05"), [Decimal("0.7"), Decimal("0.3")])] == [4, 1]


def test_pay5_allocate_refuses_bad_weights_and_unrounded_totals() -> None:
    for weights in ([], [0, 0], [1, -1]):
        with pytest.raises(MoneyError):
            allocate(Money.of("1.00"), weights)
    with pytest.raises(MoneyError):
        allocate(Money.of("1.005"), [1, 1])


def test_issue12_arithmetic_and_to_str_answer_as_the_checking_constructor_does():
    """Issue 12: Money made by arithmetic skips re-checking an amount and currency already checked, and
    to_str quantizes once; both give exactly what the checking constructor and the two-step format gave."""
    import random
    from decimal import Decimal

    from covernote.kernel.money import Money, Rounding

    rng = random.Random(12)
    for _ in range(2000):
        a = Money.of(Decimal(rng.randint(-10**9, 10**9)) / Decimal(10 ** rng.randint(0, 6)))
        b = Money.of(Decimal(rng.randint(-10**7, 10**7)) / 100)
        f = Decimal(rng.randint(1, 10**6)) / Decimal(10 ** rng.randint(0, 5))
        for made, expected in ((a + b, a.amount + b.amount), (a - b, a.amount - b.amount), (-a, -a.amount),
                               (abs(a), abs(a.amount)), (a * f, a.amount * f), (a / f, a.amount / f),
                               (a.round_pence(Rounding.HALF_EVEN), a.amount.quantize(Decimal("0.01"), "ROUND_HALF_EVEN"))):
            assert made == Money(expected) and type(made.amount) is Decimal and made.currency == "GBP"
        old = f"{a.round_pence(Rounding.HALF_UP).amount:.2f}" if not a.is_whole_pence else f"{a.amount:.2f}"
        assert a.to_str() == old
    assert Money.of("12.5").to_str() == "12.50" and Money.of("-0.005").to_str() == "-0.01"
    assert Money(Decimal("1E+2")).to_str() == "100.00" and (Money.of("1") * 100).to_str() == "100.00"

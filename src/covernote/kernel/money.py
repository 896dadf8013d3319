"""Money: exact amounts in one currency.

Amounts are held as `Decimal` so that intermediate results (a pro-rata share, a rate applied) keep full
precision; they become whole pence only at a named rounding point (`round_pence`). What is stored and
posted is always whole pence (`pence`), which refuses an amount that was never rounded.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")

Number = int | Decimal


class Rounding(enum.Enum):
    """Named rounding modes; every rounding in Covernote names one of these."""

    HALF_UP = ROUND_HALF_UP
    HALF_EVEN = ROUND_HALF_EVEN
    DOWN = ROUND_DOWN
    UP = ROUND_UP


class MoneyError(ValueError):
    """An operation on money that would lose exactness or mix currencies."""


_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _as_decimal(value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise MoneyError(f"money refuses {type(value).__name__} {value!r}: use a str, int or Decimal")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"money refuses a non-finite amount {value!r}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        if not _PLAIN.fullmatch(value.strip()):  # "1e2" or "1_000" is not how money is written
            raise MoneyError(f"not an amount of money: {value!r} (write it as digits, e.g. \"150.00\")")
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount of money: {value!r}") from exc
        if not result.is_finite():
            raise MoneyError(f"money refuses a non-finite amount {value!r}")
        return result
    raise MoneyError(f"money refuses {type(value).__name__} {value!r}")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Refuses floats, mixed currencies and Money * Money."""

    amount: Decimal
    currency: str = "GBP"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _as_decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise MoneyError(f"currency must be a 3-letter ISO code, not {self.currency!r}")

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "GBP") -> Money:
        """`Money.of("12.34")`: pounds (or the currency's major unit) written exactly."""
        return cls(_as_decimal(amount), currency)

    @classmethod
    def from_pence(cls, pence: int, currency: str = "GBP") -> Money:
        if isinstance(pence, bool) or not isinstance(pence, int):
            raise MoneyError(f"pence must be an int, not {pence!r}")
        return cls(Decimal(pence) / 100, currency)

    @classmethod
    def zero(cls, currency: str = "GBP") -> Money:
        return cls(Decimal(0), currency)

    # -- reading ------------------------------------------------------------------------------
    @property
    def pence(self) -> int:
        """Whole pence; raises if the amount has not been rounded to pence."""
        scaled = self.amount * 100
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{self.amount} {self.currency} is not a whole number of pence: round it first")
        return int(scaled)

    @property
    def is_whole_pence(self) -> bool:
        return self.amount * 100 == (self.amount * 100).to_integral_value()

    def round_pence(self, rounding: Rounding) -> Money:
        """Round to whole pence with the named mode."""
        return _checked(self.amount.quantize(PENNY, rounding=rounding.value), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    # -- arithmetic ---------------------------------------------------------------------------
    def _check(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return _checked(self.amount + self._check(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return _checked(self.amount - self._check(other).amount, self.currency)

    def __neg__(self) -> Money:
        return _checked(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return _checked(abs(self.amount), self.currency)

    def __mul__(self, factor: Number) -> Money:
        if isinstance(factor, Money):
            raise MoneyError("Money * Money has no meaning")
        return _checked(self.amount * _as_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Number) -> Money:
        if isinstance(divisor, Money):
            raise MoneyError("Money / Money: use ratio()")
        d = _as_decimal(divisor)
        if d == 0:
            raise MoneyError("division of money by zero")
        return _checked(self.amount / d, self.currency)

    def ratio(self, other: Money) -> Decimal:
        """self / other as a plain Decimal."""
        other = self._check(other)
        if other.amount == 0:
            raise MoneyError("ratio to zero money")
        return self.amount / other.amount

    # -- comparison ---------------------------------------------------------------------------
    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._check(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._check(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._check(other).amount

    def max(self, other: Money) -> Money:
        return self if self >= other else other

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{self.currency} {abs(self.amount):,.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def to_str(self) -> str:
        """The amount as a plain decimal string with two places, e.g. '1234.50' (for JSON)."""
        return f"{self.amount.quantize(PENNY, rounding=ROUND_HALF_UP):.2f}"  # whole pence: the amount as it is


def _checked(amount: Decimal, currency: str) -> Money:
    """Money made by arithmetic on Money: the amount is a finite Decimal (Decimal arithmetic on finite amounts
    gives finite ones, or raises) and the currency was checked when its operand was made, so neither is
    checked again (the rating of every quote and renewal makes dozens)."""
    made = object.__new__(Money)
    object.__setattr__(made, "amount", amount)
    object.__setattr__(made, "currency", currency)
    return made


def sum_money(items: list[Money] | tuple[Money, ...], currency: str = "GBP") -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total


def split_units(total: int, weights: Sequence[Decimal]) -> list[int]:
    """Split a whole number of units (pence, kilograms) by weights into whole parts that add up to it
    exactly. Largest-remainder method: each part gets the floor of its share, and the units left over go
    one each to the parts with the largest remainders (ties to the earlier part). A negative total is
    split as its magnitude, negated. Raises ValueError on negative weights or a zero sum."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("allocation needs non-negative weights with a positive sum")
    sign = -1 if total < 0 else 1
    whole = abs(total)
    total_w = sum(weights)
    raw = [Decimal(whole) * w / total_w for w in weights]
    floors = [int(r.to_integral_value(rounding=ROUND_DOWN)) for r in raw]
    left = whole - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * f for f in floors]


def allocate(total: Money, weights: list[Decimal] | list[int]) -> list[Money]:
    """Split a whole-pence total by weights into whole-pence parts that add up to it exactly
    (`split_units`)."""
    try:
        parts = split_units(total.pence, [_as_decimal(w) for w in weights])
    except ValueError as exc:
        raise MoneyError(str(exc)) from exc
    return [Money.from_pence(p, total.currency) for p in parts]

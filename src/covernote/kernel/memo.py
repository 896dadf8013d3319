"""A bounded memo for pure computations over immutable inputs (a product version's rating of a risk, an
extra's price for a term): the same answer as computing afresh, without computing it again (issue 12)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedMemo(Generic[V]):
    """Answers by key, at most `size` of them; when full, the older half is forgotten.

    Objects named by identity in a key (`id(product)`) are `pinned`: kept alive with the answer and
    compared on a hit, so an id reused by another object after the first is collected is never a hit."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: dict[Hashable, tuple[tuple[object, ...], V]] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Hashable, pinned: tuple[object, ...], make: Callable[[], V]) -> V:
        hit = self._answers.get(key)
        if hit is not None and len(hit[0]) == len(pinned) and all(a is b for a, b in zip(hit[0], pinned, strict=True)):
            return hit[1]
        answer = make()
        if len(self._answers) >= self.size:
            for old in list(self._answers)[: max(1, self.size // 2)]:
                self._answers.pop(old, None)
        self._answers[key] = (pinned, answer)
        return answer

    def clear(self) -> None:
        self._answers.clear()

"""Issue 12: the renewal batch's worker processes each take a key range of the window; the ranges are
disjoint and cover every policy (so no two workers ever invite the same policy, and none is missed)."""

from __future__ import annotations

from covernote.lifecycle.usecases.renewals import _key_ranges


def _holders(ranges: list[tuple[str | None, str | None]], key: str) -> int:
    return sum(1 for after, through in ranges
               if (after is None or key > after) and (through is None or key <= through))


def test_issue12_key_ranges_are_disjoint_and_cover_every_id_and_any_added_later() -> None:
    for n in range(0, 30):
        ids = [f"pol_{i:03d}" for i in range(n)]
        for size in range(1, 7):
            ranges = _key_ranges(ids, size)
            assert len(ranges) == max(1, -(-n // size))
            for key in [*ids, "pol_", "pol_0005", "pol_999", "a", "z"]:  # the ids, and ids added meanwhile
                assert _holders(ranges, key) == 1, (n, size, key, ranges)

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


def test_issue12_jsonb_text_is_the_value_json_dumps_gives_with_shared_lists_encoded_once() -> None:
    """The batch's pending quotes go to PostgreSQL as JSON text in which a list shared by several results (a
    chunk's offers share their extras on offer) is encoded once: each result reads back as the same value."""
    import json

    from covernote.store.bulk import jsonb_text

    shared_list = [{"code": "breakdown", "price": "30.00", "reasons": [], "line": {"why": "Bought \u2019for\u2019"}}]
    docs = [{"term": {"start": "2026-01-01"}, "extras_available": shared_list, "extras": [], "total": "1.00"},
            {"extras_available": shared_list, "explanation": ["a \"quoted\" line"], "auto_renew": None},
            {"extras_available": shared_list}, {}]
    shared: dict[int, tuple[object, str]] = {}
    assert [json.loads(jsonb_text(d, shared)) for d in docs] == docs
    assert len(shared) == 2  # the shared list once, the one explanation list once

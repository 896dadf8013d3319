"""Issue 12: the catalogue finds a product version by ref, and a code's versions, from an index built once
(the renewal batch looked them up five times a policy, each time sorting every product); the answers are
those of searching the versions in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from covernote.kernel.errors import NotFound
from covernote.products.domain.catalogue import Catalogue


def test_issue12_by_ref_and_versions_answer_as_a_search_of_the_sorted_versions(catalogue):
    for code in catalogue.codes():
        expected = sorted((p for p in catalogue.products if p.code == code), key=lambda p: p.effective_from)
        assert catalogue.versions(code) == expected
        catalogue.versions(code).clear()  # a caller's list is its own
        assert catalogue.versions(code) == expected
        for p in expected:
            assert catalogue.by_ref(p.ref) is next(q for q in expected if q.version == p.version)
    with pytest.raises(NotFound, match="no product 'NOPE'"):
        catalogue.by_ref("NOPE@1")
    code = catalogue.codes()[0]
    with pytest.raises(NotFound, match="no product version"):
        catalogue.by_ref(f"{code}@no-such-version")


def test_issue12_two_versions_sharing_a_ref_resolve_to_the_earlier_as_before(catalogue):
    first = catalogue.versions(catalogue.codes()[0])[0]
    twin = replace(first, effective_from=date(1990, 1, 1))
    doubled = Catalogue((first, twin), catalogue.tax)
    assert doubled.by_ref(first.ref) is twin and doubled.versions(first.code) == [twin, first]

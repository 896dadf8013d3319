"""PRV-2: consent per channel and purpose, latest decision wins, withdrawal at once, opt-in by default."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.kernel.errors import ValidationFailed
from covernote.privacy.domain.consent import (
    Channel,
    ConsentDecision,
    ConsentPurpose,
    Source,
    current,
    may_contact,
    validate_decision,
)

T0 = datetime(2026, 11, 22, 9, tzinfo=UTC)
WORDING = "Tick to hear about our offers by e-mail."


def decision(granted: bool, at: datetime, channel: Channel = Channel.EMAIL, n: int = 0) -> ConsentDecision:
    return ConsentDecision("cus_1", channel, ConsentPurpose.MARKETING, granted, WORDING, Source.WEB, at, "u", f"con_{n:05d}")  # real ids sort in recording order


def test_prv2_no_decision_means_no_contact():
    assert may_contact([], Channel.EMAIL, ConsentPurpose.MARKETING, T0) is False


def test_prv2_withdrawal_stops_contact_from_the_moment_it_is_recorded():
    history = [decision(True, T0, n=1), decision(False, T0 + timedelta(days=3), n=2)]
    assert may_contact(history, Channel.EMAIL, ConsentPurpose.MARKETING, T0 + timedelta(days=3) - timedelta(seconds=1))
    assert not may_contact(history, Channel.EMAIL, ConsentPurpose.MARKETING, T0 + timedelta(days=3))


def test_prv2_channels_are_independent():
    history = [decision(True, T0, Channel.EMAIL, 1), decision(False, T0, Channel.SMS, 2)]
    assert may_contact(history, Channel.EMAIL, ConsentPurpose.MARKETING, T0)
    assert not may_contact(history, Channel.SMS, ConsentPurpose.MARKETING, T0)
    assert not may_contact(history, Channel.MAIL, ConsentPurpose.MARKETING, T0)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), min_size=1, max_size=20))
def test_prv2_the_latest_decision_at_or_before_a_moment_decides(events):
    history = [decision(g, T0 + timedelta(minutes=m), n=i) for i, (g, m) in enumerate(events)]
    probe = T0 + timedelta(minutes=5_000)
    before = [(m, i, g) for i, (g, m) in enumerate(events) if m <= 5_000]
    expected = max(before)[2] if before else False
    assert may_contact(history, Channel.EMAIL, ConsentPurpose.MARKETING, probe) is expected
    assert (current(history, probe) != {}) is bool(before)


def test_prv2_a_decision_needs_its_wording_and_known_channel_purpose_source():
    with pytest.raises(ValidationFailed) as err:
        validate_decision("pigeon", "selling", "telepathy", "ok", T0)
    assert {i.field for i in err.value.issues} == {"channel", "purpose", "source", "wording"}

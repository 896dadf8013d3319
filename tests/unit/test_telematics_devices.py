"""TEL-1: the Smartbox's lifecycle (every allowed transition and every refusal), the IMEI check (Luhn), the
photo's type and size; TEL-8: the data-use window; the clock rules' numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covernote.clocks.domain import RULES, TEAMS, Unit, compute_due
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.telematics.domain.devices import (
    ALLOWED,
    DEACTIVATION_RULE,
    INSTALLATION_RULE,
    MAX_PHOTO_BYTES,
    Device,
    DeviceState,
    check_imei,
    check_photo,
    data_use_window,
    imei_check_digit,
    is_valid_imei,
    meets,
    photo_type,
    uk_midnight,
)
from covernote.telematics.usecases import devices as devices_uc
from covernote.telematics.usecases import ingest

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _device(state: DeviceState = DeviceState.DISPATCHED) -> Device:
    return Device("tdev_1", "490154203237518", "pol_1", "cus_1", "AB12CDE", state, "h" * 64, NOW, date(2026, 12, 1),
                  date(2026, 12, 1))


# Each operation, applied to a device; the state it leads to.
OPERATIONS = {
    "photo": (lambda d: d.photo_uploaded("k", "s", "image/jpeg", NOW), DeviceState.INSTALLED),
    "accept": (lambda d: d.accepted(NOW), DeviceState.ACTIVE),
    "reject": (lambda d: d.rejected("blurred"), DeviceState.DISPATCHED),
    "vehicle_changed": (lambda d: d.vehicle_changed("XY34ZZZ", date(2027, 1, 5)), DeviceState.DISPATCHED),
    "faulty": (lambda d: d.faulty(NOW), DeviceState.FAULTY),
    "removed": (lambda d: d.removed(NOW), DeviceState.REMOVED),
    "deactivate": (lambda d: d.deactivated(NOW), DeviceState.DEACTIVATED),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("state", list(DeviceState))
def test_tel1_every_transition_is_allowed_or_refused_naming_the_state(operation: str, state: DeviceState) -> None:
    change, target = OPERATIONS[operation]
    d = _device(state)
    if state in ALLOWED[operation]:
        assert change(d).state is target
    else:
        with pytest.raises(Conflict) as exc:
            change(d)
        assert state.value in exc.value.message and exc.value.issues[0].field == "state"


def test_tel1_the_happy_path_and_a_rejection() -> None:
    d = _device().photo_uploaded("devices/x/p.jpg", "abc", "image/jpeg", NOW)
    back = d.rejected("  the box is not visible ")
    assert back.state is DeviceState.DISPATCHED and back.rejection_reason == "the box is not visible"
    again = back.photo_uploaded("devices/x/q.jpg", "def", "image/png", NOW)
    assert again.rejection_reason is None and again.photo_sha256 == "def"
    active = again.accepted(NOW)
    assert active.state is DeviceState.ACTIVE and active.activated_at == NOW
    with pytest.raises(ValidationFailed) as exc:
        again.rejected("   ")
    assert exc.value.issues[0].field == "reason"


def test_tel1_a_change_of_vehicle_needs_a_new_photo_and_counts_from_the_change() -> None:
    active = _device(DeviceState.ACTIVE)
    active = replace(active, photo_key="k", referred_at=NOW)
    moved = active.vehicle_changed("XY34ZZZ", date(2027, 1, 5))
    assert (moved.state, moved.registration, moved.installation_from, moved.photo_key, moved.referred) == (
        DeviceState.DISPATCHED, "XY34ZZZ", date(2027, 1, 5), None, False)


def test_tel1_referral_is_recorded_once_and_only_before_activation() -> None:
    d = _device().referred_to_staff(NOW)
    assert d.referred and d.referred_at == NOW
    assert d.referred_to_staff(datetime(2027, 1, 1, tzinfo=UTC)).referred_at == NOW
    with pytest.raises(Conflict):
        _device(DeviceState.ACTIVE).referred_to_staff(NOW)


@pytest.mark.parametrize("state", list(DeviceState))
def test_tel2_data_is_accepted_only_from_an_installed_or_active_box(state: DeviceState) -> None:
    d = _device(state)
    if state in (DeviceState.INSTALLED, DeviceState.ACTIVE):
        d.check_accepts_data()
        return
    with pytest.raises(Conflict) as exc:
        d.check_accepts_data()
    if state is DeviceState.DEACTIVATED:
        assert "no data is accepted after deactivation" in exc.value.message
    else:
        assert state.value in exc.value.message


def test_tel1_clock_operations_meet_their_rules() -> None:
    assert meets("accept") == (INSTALLATION_RULE,)
    assert meets("deactivate") == (DEACTIVATION_RULE,)
    assert meets("reject") == ()


# -- IMEI -------------------------------------------------------------------------------------------------------
def _luhn_ok(number: str) -> bool:
    """Luhn the textbook way (an independent check of `imei_check_digit`): double every second digit from the
    right, sum all digits of the results, the total must end in 0."""
    digits = [int(c) for c in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += sum(divmod(d * 2, 10)) if i % 2 else d
    return total % 10 == 0


@pytest.mark.parametrize("imei", ["490154203237518", "356938035643809", "352099001761481"])
def test_tel1_known_imeis_pass(imei: str) -> None:
    assert is_valid_imei(imei) and check_imei(f" {imei} ") == imei


@pytest.mark.parametrize(("value", "why"), [("49015420323751", "15 digits"), ("4901542032375180", "15 digits"),
                                             ("49015420323751X", "15 digits"), ("490154203237517", "Luhn"),
                                             ("\uff14" + "90154203237518", "15 digits")])
def test_tel1_bad_imeis_are_refused_naming_the_field(value: str, why: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_imei(value)
    assert exc.value.issues[0].field == "imei" and why in exc.value.issues[0].reason


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_tel1_property_the_check_digit_makes_a_luhn_valid_imei_and_no_other_digit_does(first14: str) -> None:
    check = imei_check_digit(first14)
    assert is_valid_imei(first14 + str(check)) and _luhn_ok(first14 + str(check))
    for other in set(range(10)) - {check}:
        assert not is_valid_imei(first14 + str(other))


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.integers(0, 14), st.integers(1, 9))
def test_tel1_property_any_single_digit_error_is_caught(imei: str, pos: int, delta: int) -> None:
    valid = imei[:14] + str(imei_check_digit(imei[:14]))
    wrong = valid[:pos] + str((int(valid[pos]) + delta) % 10) + valid[pos + 1:]
    assert not is_valid_imei(wrong)


# -- photos -----------------------------------------------------------------------------------------------------
def test_tel1_photo_type_is_judged_by_its_bytes_and_size() -> None:
    assert (photo_type(JPEG), photo_type(PNG), photo_type(b"GIF89a....")) == ("image/jpeg", "image/png", None)
    assert check_photo(JPEG) == "image/jpeg" and check_photo(PNG) == "image/png"
    for bad, why in ((b"", "empty"), (b"%PDF-1.7", "JPEG or PNG"), (JPEG + b"\x00" * MAX_PHOTO_BYTES, "at most")):
        with pytest.raises(ValidationFailed) as exc:
            check_photo(bad)
        assert exc.value.issues[0].field == "photo" and why in exc.value.issues[0].reason


# -- TEL-8 and the clock rules -----------------------------------------------------------------------------------
def test_tel8_the_data_use_window_ends_14_days_after_the_cover() -> None:
    assert data_use_window(date(2026, 1, 1), None) == (date(2026, 1, 1), None)
    assert data_use_window(date(2026, 1, 1), date(2026, 6, 1)) == (date(2026, 1, 1), date(2026, 6, 15))
    assert uk_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # BST
    assert uk_midnight(date(2026, 12, 1)) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def test_tel1_the_two_clock_rules_are_14_calendar_days_for_the_telematics_team() -> None:
    for code in (INSTALLATION_RULE, DEACTIVATION_RULE):
        rule = RULES[code]
        assert (rule.amount, rule.unit, rule.team, rule.pausable, rule.window) == (
            14, Unit.CALENDAR_DAYS, "telematics", False, False)
        assert rule.team in TEAMS and "TEL-1" in rule.source
    # a policy starting on 1 December 2026 (UK midnight): the box is due by the end of 15 December
    due = compute_due(RULES[INSTALLATION_RULE], uk_midnight(date(2026, 12, 1)))
    assert due.due_on == date(2026, 12, 15)


# -- ingestion's counting (TEL-2, TEL-8), on an in-memory sink ---------------------------------------------------
class _Sink:
    """An idempotent position sink on (device, seq), as the Parquet store is."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], int] = {}

    def append(self, table: Any) -> Any:
        keys = list(zip(table.column("device_id").to_pylist(), table.column("seq").to_pylist(), strict=True))
        ts = table.column("ts").cast(pa.int64()).to_pylist()
        new = 0
        for k, t in zip(keys, ts, strict=True):
            if k not in self.rows:
                self.rows[k] = t
                new += 1
        return SimpleNamespace(stored=new, duplicates=len(keys) - new)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(-3 * 86_400, 3 * 86_400), st.booleans()), max_size=80),
       st.integers(-20, 5), st.one_of(st.none(), st.integers(-10, 20)))
def test_tel2_tel8_property_every_position_is_counted_once_and_only_the_window_is_stored(
        fixes: list[tuple[int, int, bool]], start_offset: int, end_offset: int | None) -> None:
    """Whatever the batch (repeats, bad fixes, future times, times outside the cover and its 14 days after):
    received = stored + duplicates + each refusal; only fixes inside the data-use window and not from the future
    are stored; the same batch again stores nothing."""
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    today = date(2026, 12, 1)
    cover_from = today + timedelta(days=start_offset)
    cover_until = None if end_offset is None else max(cover_from, today + timedelta(days=end_offset))
    d = replace(_device(DeviceState.ACTIVE), cover_from=cover_from, cover_until=cover_until)
    rows = [{"seq": seq, "ts": now + timedelta(seconds=dt), "lat": 53.8 if ok else 0.0, "lon": -1.5 if ok else 0.0,
             "speed_kph": 30.0, "heading_deg": None, "hdop": None, "satellites": None, "ignition": True,
             "accel_long": None, "accel_lat": None} for seq, dt, ok in fixes]
    sink = _Sink()
    ctx = SimpleNamespace(clock=SimpleNamespace(now=lambda: now))
    devices_uc.attach(ctx, devices_uc.TelematicsStores(photos=None, positions=sink))  # type: ignore[arg-type]
    table = ingest.positions_from_rows(rows, d.imei, now)
    r = ingest._store(ctx, table, {d.imei: d}, now)  # type: ignore[arg-type]
    refusals = r["invalid_fix"] + r["future_time"] + r["outside_data_use"] + r["unknown_device"] + r["not_accepting"]
    assert r["received"] == len(rows) == r["stored"] + r["duplicates"] + refusals
    lo, hi = data_use_window(cover_from, cover_until)
    for t in sink.rows.values():
        at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=t)
        assert uk_midnight(lo) <= at <= now + timedelta(minutes=5)
        assert hi is None or at < uk_midnight(hi)
    assert r["stored"] == len(sink.rows)
    again = ingest._store(ctx, table, {d.imei: d}, now)  # type: ignore[arg-type]
    assert again["stored"] == 0 and again["duplicates"] == r["stored"] + r["duplicates"]

"""TEL-1 on SQLite and PostgreSQL: the 14-day installation clock (met by an accepted photo; missed: the policy is
referred and the breach is in the telematics queue), a change of vehicle's new clock, a faulty box replaced
free, the 14-day deactivation clock after the policy ends, and no data after deactivation; the table is linked
for access and erasure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from covernote.clocks import usecases as clocks
from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.platform.context import AppContext
from covernote.privacy.store.subject_data import LINKS
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.adapters.photos import LocalPhotoStore
from covernote.telematics.usecases import devices, ingest
from tests.support import bind, cancel

IMEI = "490154203237518"
IMEI_2 = "356938035643809"
JPEG = b"\xff\xd8\xff\xe0" + b"\x11" * 64


@pytest.fixture
def tel(db_ctx: AppContext, tmp_path: Path) -> AppContext:
    return devices.attach(db_ctx, devices.TelematicsStores(LocalPhotoStore(tmp_path / "photos"),
                                                           ParquetPositionStore(tmp_path / "positions"), "s3cret"))


def _deadline(view: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(x for x in view["deadlines"] if x["rule"] == rule and x["stopped_at"] is None)


def test_tel1_installation_clock_met_by_the_accepted_photo(tel: AppContext, clock: FixedClock) -> None:
    pid = bind(tel, start=tel.today())["id"]
    out = devices.dispatch(tel, SYSTEM, pid, IMEI)
    d = out["device"]
    assert d["state"] == "dispatched" and d["installation_from"] == tel.today().isoformat() and out["token"]
    due = _deadline(d, "telematics.installation")
    assert due["due_at"] == d["installation_due"] and due["team"] == "telematics"
    assert due["due_on"] == (tel.today() + timedelta(days=14)).isoformat()
    clock.advance(timedelta(days=5))
    shown = devices.upload_photo(tel, SYSTEM, IMEI, JPEG)
    assert (shown["state"], shown["photo_type"]) == ("installed", "image/jpeg")
    assert devices.photo(tel, SYSTEM, IMEI) == (JPEG, "image/jpeg")
    active = devices.accept(tel, SYSTEM, IMEI)
    assert active["state"] == "active" and active["installation_due"] is None
    assert _deadline(active, "telematics.installation")["state"] == "met_on_time"
    clock.advance(timedelta(days=30))
    assert devices.check(tel, SYSTEM)["referred"] == []


def test_tel1_a_missed_installation_refers_the_policy_and_shows_in_the_queue(tel: AppContext,
                                                                             clock: FixedClock) -> None:
    pid = bind(tel, start=tel.today())["id"]
    devices.dispatch(tel, SYSTEM, pid, IMEI)
    clock.advance(timedelta(days=14))  # the 14th day: still in time
    assert devices.check(tel, SYSTEM)["referred"] == []
    clock.advance(timedelta(days=1))
    first = devices.check(tel, SYSTEM)
    assert first["referred"] == [IMEI] and first["checked"] == 1
    assert devices.check(tel, SYSTEM)["referred"] == []  # recorded once
    shown = devices.show(tel, SYSTEM, IMEI)
    assert shown["referred"] and _deadline(shown, "telematics.installation")["state"] == "overdue"
    report = clocks.report(tel, SYSTEM, within_hours=48, team="telematics")
    assert [x["subject_id"] for x in report["overdue"]] == [shown["id"]]
    # a photo accepted late still activates the box; the clock records it met late
    devices.upload_photo(tel, SYSTEM, IMEI, JPEG)
    assert _deadline(devices.accept(tel, SYSTEM, IMEI), "telematics.installation")["state"] == "met_late"


def test_tel1_a_rejected_photo_keeps_the_clock_and_a_change_of_vehicle_starts_a_new_one(tel: AppContext,
                                                                                       clock: FixedClock) -> None:
    pid = bind(tel, start=tel.today())["id"]
    devices.dispatch(tel, SYSTEM, pid, IMEI)
    devices.upload_photo(tel, SYSTEM, IMEI, JPEG)
    back = devices.reject(tel, SYSTEM, IMEI, "the box is not in the picture")
    assert back["state"] == "dispatched" and back["rejection_reason"] == "the box is not in the picture"
    with pytest.raises(Conflict):
        devices.accept(tel, SYSTEM, IMEI)
    devices.upload_photo(tel, SYSTEM, IMEI, JPEG)
    devices.accept(tel, SYSTEM, IMEI)
    clock.advance(timedelta(days=40))
    moved = devices.vehicle_changed(tel, SYSTEM, IMEI, "XY34 ZZZ", tel.today())
    assert (moved["state"], moved["registration"], moved["installation_from"]) == (
        "dispatched", "XY34ZZZ", tel.today().isoformat())
    open_ones = [x for x in moved["deadlines"] if x["rule"] == "telematics.installation" and x["met_at"] is None
                 and x["stopped_at"] is None]
    assert len(open_ones) == 1 and open_ones[0]["due_on"] == (tel.today() + timedelta(days=14)).isoformat()
    with pytest.raises(ValidationFailed):
        devices.vehicle_changed(tel, SYSTEM, IMEI, "not a reg!", tel.today())


def test_tel1_a_faulty_box_is_replaced_free(tel: AppContext, clock: FixedClock) -> None:
    pid = bind(tel, start=tel.today())["id"]
    devices.dispatch(tel, SYSTEM, pid, IMEI)
    with pytest.raises(Conflict) as exc:  # one live box per policy
        devices.dispatch(tel, SYSTEM, pid, IMEI_2)
    assert exc.value.issues[0].field == "policy_id"
    clock.advance(timedelta(days=3))
    new = devices.dispatch_replacement(tel, SYSTEM, IMEI, IMEI_2)
    assert new["device"]["state"] == "dispatched" and new["device"]["installation_from"] == tel.today().isoformat()
    old = devices.show(tel, SYSTEM, IMEI)
    assert old["state"] == "faulty" and new["device"]["replaces_id"] == old["id"]
    assert all(x["stopped_at"] for x in old["deadlines"])  # the old box's clock no longer applies
    assert [d["imei"] for d in devices.for_policy(tel, SYSTEM, pid)] == [IMEI, IMEI_2]
    with pytest.raises(Conflict):  # the IMEI of a box in use cannot be dispatched again
        devices.dispatch(tel, SYSTEM, bind(tel, start=tel.today())["id"], IMEI_2)


def test_tel1_deactivation_clock_after_the_policy_ends_then_no_data(tel: AppContext, clock: FixedClock) -> None:
    start = tel.today()
    pid = bind(tel, start=start)["id"]
    token = devices.dispatch(tel, SYSTEM, pid, IMEI)["token"]
    devices.upload_photo(tel, SYSTEM, IMEI, JPEG)
    devices.accept(tel, SYSTEM, IMEI)
    ends = start + timedelta(days=30)
    cancel(tel, pid, ends)
    clock.advance(timedelta(days=10))
    assert devices.check(tel, SYSTEM)["deactivation_started"] == []  # still in force
    clock.set_date(ends + timedelta(days=1))
    assert devices.check(tel, SYSTEM)["deactivation_started"] == [IMEI]
    assert devices.check(tel, SYSTEM)["deactivation_started"] == []  # once
    shown = devices.show(tel, SYSTEM, IMEI)
    assert shown["cover_until"] == ends.isoformat()
    due = _deadline(shown, "telematics.deactivation")
    assert (due["team"], due["due_on"]) == ("telematics", (ends + timedelta(days=14)).isoformat())
    off = devices.deactivate(tel, SYSTEM, IMEI)
    assert off["state"] == "deactivated" and _deadline(off, "telematics.deactivation")["state"] == "met_on_time"
    with pytest.raises(Conflict) as exc:
        ingest.authenticate_device(tel, IMEI, token)
    assert "no data is accepted after deactivation" in exc.value.message
    with pytest.raises(Conflict):
        devices.deactivate(tel, SYSTEM, IMEI)


def test_tel1_customers_see_only_their_own_box_and_staff_act(tel: AppContext) -> None:
    pid = bind(tel, start=tel.today())["id"]
    owner = devices.dispatch(tel, SYSTEM, pid, IMEI)["device"]
    with tel.uow(read_only=True) as uow:
        cid = uow.policies.get(pid).customer_id  # type: ignore[union-attr]
    me, other = Principal("u1", "customer", cid), Principal("u2", "customer", "cus_other")
    assert devices.show(tel, me, IMEI)["id"] == owner["id"]
    assert devices.upload_photo(tel, me, IMEI, JPEG)["state"] == "installed"
    with pytest.raises(NotFound):
        devices.show(tel, other, IMEI)
    with pytest.raises(NotFound):
        devices.upload_photo(tel, other, IMEI, JPEG)
    with pytest.raises(Forbidden):
        devices.accept(tel, me, IMEI)


def test_tel1_the_devices_table_is_linked_for_access_and_erasure() -> None:
    assert "telematics_devices" in LINKS

"""Smartboxes in SQL (TEL-1): telematics/ports/devices.py DeviceRepository. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection, Row

from covernote.kernel.errors import Conflict
from covernote.store.tables import telematics_devices as t
from covernote.telematics.domain.devices import LIVE, Device, DeviceState

_LIVE = [s.value for s in LIVE]


def _row(d: Device) -> dict[str, Any]:
    return dict(imei=d.imei, policy_id=d.policy_id, customer_id=d.customer_id, registration=d.registration,
                state=d.state.value, token_hash=d.token_hash, dispatched_at=d.dispatched_at,
                installation_from=d.installation_from, cover_from=d.cover_from, cover_until=d.cover_until,
                photo_key=d.photo_key, photo_sha256=d.photo_sha256, photo_type=d.photo_type, photo_at=d.photo_at,
                rejection_reason=d.rejection_reason, referred_at=d.referred_at, activated_at=d.activated_at,
                ended_at=d.ended_at, replaces_id=d.replaces_id)


def _device(r: Row[Any]) -> Device:
    return Device(r.id, r.imei, r.policy_id, r.customer_id, r.registration, DeviceState(r.state), r.token_hash,
                  r.dispatched_at, r.installation_from, r.cover_from, r.cover_until, r.photo_key, r.photo_sha256,
                  r.photo_type, r.photo_at, r.rejection_reason, r.referred_at, r.activated_at, r.ended_at,
                  r.replaces_id, r.version)


class DeviceRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, device: Device) -> None:
        self.conn.execute(t.insert(), dict(id=device.device_id, version=device.version, **_row(device)))

    def update(self, device: Device) -> Device:
        done = self.conn.execute(t.update().where(t.c.id == device.device_id, t.c.version == device.version)
                                 .values(version=device.version + 1, **_row(device)))
        if done.rowcount != 1:
            raise Conflict("the device was changed meanwhile; try again")
        return replace(device, version=device.version + 1)

    def get(self, device_id: str) -> Device | None:
        r = self.conn.execute(t.select().where(t.c.id == device_id)).first()
        return None if r is None else _device(r)

    def by_imei(self, imei: str) -> Device | None:
        q = t.select().where(t.c.imei == imei).order_by(t.c.dispatched_at.desc(), t.c.id.desc()).limit(1)
        r = self.conn.execute(q).first()
        return None if r is None else _device(r)

    def by_imeis(self, imeis: Sequence[str]) -> dict[str, Device]:
        if not imeis:
            return {}
        q = t.select().where(t.c.imei.in_(list(imeis))).order_by(t.c.dispatched_at, t.c.id)
        return {d.imei: d for d in (_device(r) for r in self.conn.execute(q))}  # the newest wins

    def for_policy(self, policy_id: str) -> list[Device]:
        q = t.select().where(t.c.policy_id == policy_id).order_by(t.c.dispatched_at, t.c.id)
        return [_device(r) for r in self.conn.execute(q)]

    def live(self, limit: int) -> list[Device]:
        q = t.select().where(t.c.state.in_(_LIVE)).order_by(t.c.dispatched_at, t.c.id).limit(limit)
        return [_device(r) for r in self.conn.execute(q)]

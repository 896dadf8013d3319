"""What the Smartbox's use cases need from outside (TEL-1, TEL-2): the devices' table, the store of installation
photos and the store of positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pyarrow as pa

from covernote.telematics.domain.devices import Device


class DeviceRepository(Protocol):
    """Smartboxes in SQL (telematics/store/devices.py). `update` is optimistic: Conflict when the row changed
    since it was read."""

    def add(self, device: Device) -> None: ...
    def update(self, device: Device) -> Device: ...
    def get(self, device_id: str) -> Device | None: ...
    def by_imei(self, imei: str) -> Device | None:
        """The newest device with this IMEI (a box is registered once; a replacement has its own IMEI)."""
        ...
    def by_imeis(self, imeis: Sequence[str]) -> dict[str, Device]: ...
    def for_policy(self, policy_id: str) -> list[Device]: ...
    def live(self, limit: int) -> list[Device]:
        """Devices still dispatched, installed or active (the daily check), oldest first."""
        ...


class PhotoStore(Protocol):
    """Bytes by key (installation photos, TEL-1): a local folder (telematics/adapters/photos.py) or an object
    store behind the same port."""

    def put(self, key: str, data: bytes) -> str:
        """Store the bytes under `key` (replacing any), returning their SHA-256 (hex)."""
        ...
    def get(self, key: str) -> bytes:
        """The bytes under `key`; KeyError when there are none."""
        ...


class AppendResult(Protocol):
    @property
    def stored(self) -> int: ...
    @property
    def duplicates(self) -> int: ...


class PositionSink(Protocol):
    """Where ingested positions go (TEL-2): adapters/parquet_store.ParquetPositionStore, idempotent on
    (device_id, seq)."""

    def append(self, table: pa.Table) -> AppendResult: ...

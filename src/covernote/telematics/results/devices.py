"""The typed results of the Smartbox's use cases (TEL-1) and of ingestion (TEL-2)."""

from __future__ import annotations

from typing_extensions import TypedDict

from covernote.clocks.results import DeadlineView


class DeviceView(TypedDict):
    """A Smartbox as staff and its customer see it (TEL-1): its state, the vehicle, the photo's facts (not its
    bytes), whether the policy was referred for a missed installation, and the box's clocks."""

    id: str
    imei: str
    policy_id: str
    registration: str
    state: str
    accepts_data: bool
    dispatched_at: str
    installation_from: str
    installation_due: str | None
    cover_from: str
    cover_until: str | None
    photo_sha256: str | None
    photo_type: str | None
    photo_at: str | None
    rejection_reason: str | None
    referred: bool
    referred_at: str | None
    activated_at: str | None
    ended_at: str | None
    replaces_id: str | None
    deadlines: list[DeadlineView]


class DeviceDispatched(TypedDict):
    """A box dispatched, with its ingestion token: shown once; only its hash is kept."""

    device: DeviceView
    token: str


class DeviceCheck(TypedDict):
    """The daily check of live boxes (TEL-1): policies referred for a missed installation, deactivation clocks
    started for policies that ended."""

    checked: int
    referred: list[str]
    deactivation_started: list[str]


class IngestResult(TypedDict):
    """What an ingested batch became (TEL-2): `received` positions, `stored` new ones, `duplicates` already
    stored or repeated in the batch, and those refused by screening (`invalid_fix`, `future_time`), by the
    data-use window (`outside_data_use`, TEL-8) or, for forwarded batches, for an `unknown_device` or one
    `not_accepting` data (not fitted, or deactivated)."""

    received: int
    stored: int
    duplicates: int
    invalid_fix: int
    future_time: int
    outside_data_use: int
    unknown_device: int
    not_accepting: int

"""The Smartbox's lifecycle (TEL-1), pure: one record per box, tied to a policy and the vehicle it is fitted to.

    dispatched --photo--> installed --accept--> active
         ^                   |
         +------reject-------+            (a rejected photo: awaiting a new photo, the reason kept)
    dispatched | installed | active --vehicle_changed--> dispatched (the box goes into the new vehicle)
    dispatched | installed | active --faulty--> faulty   (replaced free: a new box is dispatched)
    dispatched | installed | active | faulty --removed--> removed
    any but deactivated --deactivate--> deactivated      (no data is accepted after it)

Why a rejection goes back to `dispatched` rather than to a state of its own: what the customer must do next is
the same as after dispatch (fit the box, upload a photo) and the installation clock keeps running; the reason
is kept so the app can say what was wrong. A refused transition raises Conflict naming the state, so the edge
answers 409 saying why.

The two 14-day clocks (the installation from the policy's start or a change of vehicle, the deactivation from
the policy's end) are the clock engine's rules `telematics.installation` and `telematics.deactivation`
(clocks/domain.py); this module only says which transitions meet them (`meets`).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from covernote.kernel.clock import LONDON
from covernote.kernel.errors import Conflict, FieldIssue, ValidationFailed

INSTALLATION_RULE = "telematics.installation"
DEACTIVATION_RULE = "telematics.deactivation"
DATA_USE_DAYS = 14  # TEL-8: driving data is used while the policy is in force and up to 14 days after
MAX_PHOTO_BYTES = 8 * 1024 * 1024  # an installation photo (a phone's JPEG is 2 to 5 MiB)
SUBJECT_KIND = "telematics_device"  # the clock engine's subject kind for a device's deadlines


class DeviceState(enum.StrEnum):
    DISPATCHED = "dispatched"  # sent to the customer; awaiting the installation photo
    INSTALLED = "installed"  # the customer uploaded a photo; awaiting staff
    ACTIVE = "active"  # staff accepted the photo: the box's data is used
    FAULTY = "faulty"  # replaced free of charge by a new box
    REMOVED = "removed"  # taken out of the vehicle (the policy ended, the vehicle sold)
    DEACTIVATED = "deactivated"  # switched off: no data accepted

    @property
    def accepts_data(self) -> bool:
        """TEL-2: positions are taken from a box once it is fitted (installed or active), never after."""
        return self in (DeviceState.INSTALLED, DeviceState.ACTIVE)


LIVE = frozenset({DeviceState.DISPATCHED, DeviceState.INSTALLED, DeviceState.ACTIVE})

# Which states each operation may start from (the lifecycle diagram above).
ALLOWED: dict[str, frozenset[DeviceState]] = {
    "photo": frozenset({DeviceState.DISPATCHED, DeviceState.INSTALLED}),
    "accept": frozenset({DeviceState.INSTALLED}),
    "reject": frozenset({DeviceState.INSTALLED}),
    "vehicle_changed": LIVE,
    "faulty": LIVE,
    "removed": LIVE | {DeviceState.FAULTY},
    "deactivate": frozenset(DeviceState) - {DeviceState.DEACTIVATED},
    "refer": frozenset({DeviceState.DISPATCHED, DeviceState.INSTALLED}),
}


def imei_check_digit(first14: str) -> int:
    """The Luhn check digit of an IMEI's first 14 digits (3GPP TS 23.003, annex B): from the right, every
    second digit is doubled (the digits of the product summed), and the check digit brings the sum to a
    multiple of ten."""
    total = 0
    for i, ch in enumerate(reversed(first14)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10


def is_valid_imei(value: str) -> bool:
    """TEL-1: 15 ASCII digits whose last is the Luhn check digit of the other 14."""
    return (len(value) == 15 and value.isascii() and value.isdigit()
            and imei_check_digit(value[:14]) == int(value[14]))


def check_imei(value: str, field_name: str = "imei") -> str:
    """The IMEI, trimmed, or ValidationFailed naming the field and what is wrong."""
    v = value.strip()
    if not (len(v) == 15 and v.isascii() and v.isdigit()):
        raise ValidationFailed("not an IMEI", [FieldIssue(field_name, "an IMEI is 15 digits")])
    if not is_valid_imei(v):
        raise ValidationFailed("not an IMEI", [FieldIssue(field_name, "the IMEI's check digit (Luhn) is wrong")])
    return v


def photo_type(data: bytes) -> str | None:
    """The image type by its magic bytes (`image/jpeg`, `image/png`), or None: the name or the type a client
    claims is not trusted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check_photo(data: bytes, field_name: str = "photo", max_bytes: int = MAX_PHOTO_BYTES) -> str:
    """TEL-1: an installation photo must be a JPEG or PNG of at most `max_bytes`; returns its type, or
    ValidationFailed naming the field."""
    if not data:
        raise ValidationFailed("no photo", [FieldIssue(field_name, "the photo is empty")])
    if len(data) > max_bytes:
        raise ValidationFailed("photo too large", [FieldIssue(
            field_name, f"the photo is {len(data)} bytes; at most {max_bytes} are accepted")])
    kind = photo_type(data)
    if kind is None:
        raise ValidationFailed("not a photo", [FieldIssue(field_name, "the photo must be a JPEG or PNG image")])
    return kind


def hash_device_token(token: str) -> str:
    """A device token is long and random: one SHA-256 keeps it unreadable at rest (as API tokens are)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Device:
    """One Smartbox on one policy (TEL-1). `cover_from`/`cover_until` are the policy's cover as last known
    (the first day, the first day without cover) for the data-use window of TEL-8; `installation_from` is
    the day the running installation clock counts from (the policy's start or the change of vehicle)."""

    device_id: str
    imei: str
    policy_id: str
    customer_id: str
    registration: str
    state: DeviceState
    token_hash: str
    dispatched_at: datetime
    installation_from: date
    cover_from: date
    cover_until: date | None = None
    photo_key: str | None = None
    photo_sha256: str | None = None
    photo_type: str | None = None
    photo_at: datetime | None = None
    rejection_reason: str | None = None
    referred_at: datetime | None = None
    activated_at: datetime | None = None
    ended_at: datetime | None = None  # faulty, removed or deactivated
    replaces_id: str | None = None  # the faulty box this one replaces
    version: int = 1

    @property
    def referred(self) -> bool:
        """The installation was not proved in time: the policy was referred to staff (TEL-1)."""
        return self.referred_at is not None

    def _require(self, operation: str) -> None:
        if self.state not in ALLOWED[operation]:
            allowed = ", ".join(sorted(s.value for s in ALLOWED[operation]))
            raise Conflict(f"the device is {self.state.value}: {operation} is not possible",
                           [FieldIssue("state", f"{operation} needs the device {allowed}; it is {self.state.value}")])

    def photo_uploaded(self, key: str, sha256: str, kind: str, at: datetime) -> Device:
        self._require("photo")
        return replace(self, state=DeviceState.INSTALLED, photo_key=key, photo_sha256=sha256, photo_type=kind,
                       photo_at=at, rejection_reason=None)

    def accepted(self, at: datetime) -> Device:
        self._require("accept")
        return replace(self, state=DeviceState.ACTIVE, activated_at=at)

    def rejected(self, reason: str) -> Device:
        self._require("reject")
        if not reason.strip():
            raise ValidationFailed("a reason is needed", [FieldIssue("reason", "say what is wrong with the photo")])
        return replace(self, state=DeviceState.DISPATCHED, rejection_reason=reason.strip())

    def vehicle_changed(self, registration: str, on: date) -> Device:
        self._require("vehicle_changed")
        return replace(self, state=DeviceState.DISPATCHED, registration=registration, installation_from=on,
                       photo_key=None, photo_sha256=None, photo_type=None, photo_at=None, rejection_reason=None,
                       activated_at=None, referred_at=None)

    def faulty(self, at: datetime) -> Device:
        self._require("faulty")
        return replace(self, state=DeviceState.FAULTY, ended_at=at)

    def removed(self, at: datetime) -> Device:
        self._require("removed")
        return replace(self, state=DeviceState.REMOVED, ended_at=at)

    def deactivated(self, at: datetime) -> Device:
        self._require("deactivate")
        if self.state is DeviceState.DEACTIVATED:  # pragma: no cover - refused by _require
            return self
        return replace(self, state=DeviceState.DEACTIVATED, ended_at=self.ended_at or at)

    def referred_to_staff(self, at: datetime) -> Device:
        self._require("refer")
        return self if self.referred_at is not None else replace(self, referred_at=at)

    def cover_ended(self, until: date) -> Device:
        return replace(self, cover_until=until)

    def check_accepts_data(self) -> None:
        """TEL-2: Conflict unless the box is installed or active; after deactivation, saying no data is
        accepted."""
        if self.state is DeviceState.DEACTIVATED:
            raise Conflict("no data is accepted after deactivation",
                           [FieldIssue("state", "the device is deactivated: no data is accepted after deactivation")])
        if not self.state.accepts_data:
            raise Conflict(f"the device is {self.state.value}: it sends no data",
                           [FieldIssue("state", f"positions are accepted from an installed or active device; "
                                                f"it is {self.state.value}")])


def meets(operation: str) -> tuple[str, ...]:
    """The clock rules an operation meets: accepting the photo proves the installation; deactivating meets the
    deactivation's. (A box that goes faulty, removed or deactivated has any other clock of its stopped: it no
    longer applies, which is neither met nor breached.)"""
    return {"accept": (INSTALLATION_RULE,), "deactivate": (DEACTIVATION_RULE,)}.get(operation, ())


def data_use_window(cover_from: date, cover_until: date | None) -> tuple[date, date | None]:
    """TEL-8: the UK days whose driving data may be used: from the cover's first day to the 14th day after
    the cover's end (the first day without cover + 14 is the first day outside); open-ended while in force."""
    return cover_from, None if cover_until is None else cover_until + timedelta(days=DATA_USE_DAYS)


def uk_midnight(day: date) -> datetime:
    """The instant a UK day begins (Europe/London), in UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


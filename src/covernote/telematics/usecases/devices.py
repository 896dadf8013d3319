"""The Smartbox's use cases (TEL-1): dispatch a box to a policy (its ingestion token shown once), the customer's
installation photo, staff's accept or reject, a change of vehicle, a faulty box replaced free, removal,
deactivation, and the daily check that refers a missed installation to staff and starts the deactivation clock
once the policy has ended.

The installation clock (`telematics.installation`, 14 calendar days) starts from the policy's first day (or the
change of vehicle, or the day a replacement box is dispatched) and is met when staff accept the photo; a breach
shows in the `telematics` team's work queue, and the daily check records the referral on the device. The
deactivation clock (`telematics.deactivation`, 14 days) starts from the policy's first day without cover and is
met by the deactivation.

The photo store and the position store are outside systems: bootstrap attaches them to the context
(`attach`), as it wires the other outside systems.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from covernote.clocks import usecases as clocks
from covernote.identity.usecases import Principal, check_customer, require_staff
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ServiceUnavailable, ValidationFailed
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.risk import is_uk_registration, normalise_registration
from covernote.policy.usecases.lookup import find_policy
from covernote.telematics.domain.devices import (
    DEACTIVATION_RULE,
    INSTALLATION_RULE,
    LIVE,
    SUBJECT_KIND,
    Device,
    DeviceState,
    check_imei,
    check_photo,
    hash_device_token,
    meets,
    uk_midnight,
)
from covernote.telematics.ports.devices import PhotoStore, PositionSink
from covernote.telematics.results.devices import DeviceCheck, DeviceDispatched, DeviceView


@dataclass(frozen=True)
class TelematicsStores:
    """The outside systems of the Smartbox's edges: the installation photos, the positions (Parquet) and the
    shared secret a Traccar server sends with its forwarded positions (None: Traccar forwarding is off)."""

    photos: PhotoStore
    positions: PositionSink
    traccar_secret: str | None = None


def attach(ctx: AppContext, stores: TelematicsStores) -> AppContext:
    """Wire the stores on the context (bootstrap, tests): `AppContext.telematics`, kept by dataclasses.replace."""
    ctx.telematics = stores
    return ctx


def stores(ctx: AppContext) -> TelematicsStores:
    found = ctx.telematics
    if not isinstance(found, TelematicsStores):
        raise ServiceUnavailable("the telematics stores are not configured")
    return found


# -- views ------------------------------------------------------------------------------------------------------
def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def view(ctx: AppContext, uow: UnitOfWork, d: Device) -> DeviceView:
    deadlines = clocks.for_subject(ctx, uow, SUBJECT_KIND, d.device_id)
    due = next((x["due_at"] for x in reversed(deadlines) if x["rule"] == INSTALLATION_RULE
                and x["met_at"] is None and x["stopped_at"] is None), None)
    return {"id": d.device_id, "imei": d.imei, "policy_id": d.policy_id, "registration": d.registration,
            "state": d.state.value, "accepts_data": d.state.accepts_data, "dispatched_at": d.dispatched_at.isoformat(),
            "installation_from": d.installation_from.isoformat(), "installation_due": due,
            "cover_from": d.cover_from.isoformat(), "cover_until": _iso(d.cover_until),
            "photo_sha256": d.photo_sha256, "photo_type": d.photo_type, "photo_at": _iso(d.photo_at),
            "rejection_reason": d.rejection_reason, "referred": d.referred, "referred_at": _iso(d.referred_at),
            "activated_at": _iso(d.activated_at), "ended_at": _iso(d.ended_at), "replaces_id": d.replaces_id,
            "deadlines": deadlines}


def _device(uow: UnitOfWork, principal: Principal, imei: str) -> Device:
    d = uow.telematics_devices.by_imei(imei.strip())
    if d is None:
        raise NotFound("no such device", [FieldIssue("imei", f"no device {imei} that you can see")])
    check_customer(principal, d.customer_id, "device")
    return d


# -- clocks -----------------------------------------------------------------------------------------------------
def _start_installation(uow: UnitOfWork, d: Device) -> None:
    clocks.start(uow, INSTALLATION_RULE, SUBJECT_KIND, d.device_id, uk_midnight(d.installation_from),
                 customer_id=d.customer_id, note=f"Smartbox {d.imei} in {d.registration}")


def _close_clocks(uow: UnitOfWork, d: Device, operation: str, at: datetime) -> None:
    """Meet the clocks the operation meets; once the box is no longer live, stop whatever else still runs."""
    for rule in meets(operation):
        clocks.meet(uow, SUBJECT_KIND, d.device_id, rule, at)
    if d.state not in LIVE:
        clocks.stop_open(uow, SUBJECT_KIND, d.device_id, at, f"the device is {d.state.value}")


# -- dispatch ---------------------------------------------------------------------------------------------------
def _cover(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy_id: str) -> tuple[str, str, str, date,
                                                                                              date | None]:
    """(policy id, customer id, registration, first day of cover, first day without cover once ended)."""
    policy = find_policy(uow, principal, policy_id)
    terms = [t for t in policy.terms() if not t.voided]
    if not terms:
        raise Conflict("the policy has no cover", [FieldIssue("policy_id", "the policy is void")])
    status = policy.status(ctx.today())
    until = terms[-1].cover_end if status in ("cancelled", "expired") else None
    return (policy.policy_id, policy.customer_id, terms[-1].base_risk.vehicle.registration, terms[0].period.start,
            until)


def _registration(value: str) -> str:
    reg = normalise_registration(value)
    if not is_uk_registration(reg):
        raise ValidationFailed("not a registration", [FieldIssue("registration", f"{value!r} is not a UK registration")])
    return reg


def _dispatch(ctx: AppContext, uow: UnitOfWork, principal: Principal, policy_id: str, imei: str,
              registration: str | None, replaces: Device | None) -> tuple[Device, str]:
    imei = check_imei(imei)
    pid, customer_id, reg, cover_from, cover_until = _cover(ctx, uow, principal, policy_id)
    if cover_until is not None:
        raise Conflict("the policy has ended", [FieldIssue("policy_id", "no box is dispatched to an ended policy")])
    same = uow.telematics_devices.by_imei(imei)
    if same is not None and same.state is not DeviceState.DEACTIVATED:
        raise Conflict("the IMEI is in use", [FieldIssue("imei", f"device {imei} is {same.state.value} on a policy")])
    live = [d for d in uow.telematics_devices.for_policy(pid) if d.state in LIVE]
    if live:
        raise Conflict("the policy has a box", [FieldIssue(
            "policy_id", f"device {live[0].imei} is {live[0].state.value} on the policy; report it faulty first")])
    now = ctx.clock.now()
    token = secrets.token_urlsafe(32)
    # The clock counts from the policy's start, or from today for a replacement (a faulty box is no fault of
    # the customer's) and for a box dispatched after the start (it cannot be fitted before it arrives).
    start = max(cover_from, ctx.today()) if replaces is not None else cover_from
    d = Device(new_id("tdev"), imei, pid, customer_id, _registration(registration) if registration else reg,
               DeviceState.DISPATCHED, hash_device_token(token), now, start, cover_from,
               replaces_id=None if replaces is None else replaces.device_id)
    uow.telematics_devices.add(d)
    _start_installation(uow, d)
    return d, token


def dispatch(ctx: AppContext, principal: Principal, policy_id: str, imei: str,
             registration: str | None = None) -> DeviceDispatched:
    """Staff: register the box sent to the policy's customer (TEL-1), fitted to the policy's vehicle (or the
    registration given), and start the 14-day installation clock from the policy's start. The device token
    for ingestion is in the answer once; only its hash is kept."""
    require_staff(principal, "dispatch a Smartbox")
    with ctx.uow() as uow:
        d, token = _dispatch(ctx, uow, principal, policy_id, imei, registration, None)
        shown = view(ctx, uow, d)
        uow.commit()
    return {"device": shown, "token": token}


# -- transitions ------------------------------------------------------------------------------------------------
def _transition(ctx: AppContext, principal: Principal, imei: str, operation: str, staff: bool,
                change: Callable[[Device, datetime], Device]) -> DeviceView:
    if staff:
        require_staff(principal, f"{operation} a Smartbox")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        d = change(_device(uow, principal, imei), now)
        d = uow.telematics_devices.update(d)
        _close_clocks(uow, d, operation, now)
        shown = view(ctx, uow, d)
        uow.commit()
    return shown


def upload_photo(ctx: AppContext, principal: Principal, imei: str, data: bytes) -> DeviceView:
    """The customer (their own policy's box) or staff: the installation photo (TEL-1), a JPEG or PNG of at most
    8 MiB (422 naming `photo` otherwise). The box becomes installed, awaiting staff."""
    kind = check_photo(data)
    with ctx.uow(read_only=True) as uow:
        d = _device(uow, principal, imei)
        d.photo_uploaded("-", "-", kind, ctx.clock.now())  # refuse before storing bytes for a box that cannot
    key = f"devices/{d.device_id}/photo-{hashlib.sha256(data).hexdigest()[:16]}.{kind.split('/')[1]}"
    sha = stores(ctx).photos.put(key, data)
    return _transition(ctx, principal, imei, "photo", False, lambda dev, now: dev.photo_uploaded(key, sha, kind, now))


def photo(ctx: AppContext, principal: Principal, imei: str) -> tuple[bytes, str]:
    """The installation photo's bytes and type (staff, or the customer whose box it is)."""
    with ctx.uow(read_only=True) as uow:
        d = _device(uow, principal, imei)
    if d.photo_key is None or d.photo_type is None:
        raise NotFound("no photo", [FieldIssue("photo", "no installation photo has been uploaded")])
    try:
        return stores(ctx).photos.get(d.photo_key), d.photo_type
    except KeyError as exc:
        raise NotFound("no photo", [FieldIssue("photo", "the photo is no longer kept")]) from exc


def accept(ctx: AppContext, principal: Principal, imei: str) -> DeviceView:
    """Staff: the photo shows the box fitted: the box is active and the installation clock is met (TEL-1)."""
    return _transition(ctx, principal, imei, "accept", True, lambda d, now: d.accepted(now))


def reject(ctx: AppContext, principal: Principal, imei: str, reason: str) -> DeviceView:
    """Staff: the photo does not show the box fitted; the customer is asked for another (the clock runs on)."""
    return _transition(ctx, principal, imei, "reject", True, lambda d, now: d.rejected(reason))


def removed(ctx: AppContext, principal: Principal, imei: str) -> DeviceView:
    """Staff: the box was taken out of the vehicle."""
    return _transition(ctx, principal, imei, "removed", True, lambda d, now: d.removed(now))


def deactivate(ctx: AppContext, principal: Principal, imei: str) -> DeviceView:
    """Staff: switch the box off (TEL-1); no data is accepted from it afterwards; the deactivation clock is met."""
    return _transition(ctx, principal, imei, "deactivate", True, lambda d, now: d.deactivated(now))


def vehicle_changed(ctx: AppContext, principal: Principal, imei: str, registration: str, on: date) -> DeviceView:
    """Staff: the policy's vehicle changed on `on`: the box goes into the new vehicle, a new photo is needed and a
    new 14-day installation clock runs from the change (TEL-1)."""
    reg = _registration(registration)
    require_staff(principal, "record a change of vehicle")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        d = _device(uow, principal, imei).vehicle_changed(reg, on)
        d = uow.telematics_devices.update(d)
        clocks.stop_open(uow, SUBJECT_KIND, d.device_id, now, "the vehicle changed", INSTALLATION_RULE)
        _start_installation(uow, d)
        shown = view(ctx, uow, d)
        uow.commit()
    return shown


def faulty(ctx: AppContext, principal: Principal, imei: str, replacement_imei: str | None = None) -> DeviceView:
    """Staff: the box is faulty (TEL-1); it is replaced free: with `replacement_imei` the new box is dispatched
    to the same policy in the same transaction, its installation clock from today. Returns the faulty box (the
    replacement's token is issued by `dispatch_replacement`)."""
    shown, _ = _faulty(ctx, principal, imei, replacement_imei)
    return shown


def dispatch_replacement(ctx: AppContext, principal: Principal, imei: str,
                         replacement_imei: str) -> DeviceDispatched:
    """Staff: report the box faulty and dispatch its free replacement; the replacement's token shown once."""
    _, replacement = _faulty(ctx, principal, imei, replacement_imei)
    assert replacement is not None
    return replacement


def _faulty(ctx: AppContext, principal: Principal, imei: str,
            replacement_imei: str | None) -> tuple[DeviceView, DeviceDispatched | None]:
    require_staff(principal, "report a Smartbox faulty")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        d = uow.telematics_devices.update(_device(uow, principal, imei).faulty(now))
        _close_clocks(uow, d, "faulty", now)
        replacement: DeviceDispatched | None = None
        if replacement_imei is not None:
            new, token = _dispatch(ctx, uow, principal, d.policy_id, replacement_imei, d.registration, d)
            replacement = {"device": view(ctx, uow, new), "token": token}
        shown = view(ctx, uow, d)
        uow.commit()
    return shown, replacement


def show(ctx: AppContext, principal: Principal, imei: str) -> DeviceView:
    """The box as it stands (staff, or the customer whose box it is)."""
    with ctx.uow(read_only=True) as uow:
        return view(ctx, uow, _device(uow, principal, imei))


def for_policy(ctx: AppContext, principal: Principal, policy_id: str) -> list[DeviceView]:
    """Every box the policy has had, oldest first."""
    with ctx.uow(read_only=True) as uow:
        policy = find_policy(uow, principal, policy_id)
        return [view(ctx, uow, d) for d in uow.telematics_devices.for_policy(policy.policy_id)]


# -- the daily check --------------------------------------------------------------------------------------------
def check(ctx: AppContext, principal: Principal, limit: int = 10_000) -> DeviceCheck:
    """Staff or the daily job (TEL-1): for each live box, refer the policy to staff when its installation clock
    is breached (recorded on the device once; the breach itself is in the `telematics` work queue), and when the
    policy's cover has ended, record the end (the data-use window of TEL-8 closes 14 days later) and start the
    14-day deactivation clock from the first day without cover. Safe to repeat."""
    require_staff(principal, "check the Smartboxes")
    now = ctx.clock.now()
    referred: list[str] = []
    ending: list[str] = []
    with ctx.uow() as uow:
        devices = uow.telematics_devices.live(limit)
        for d in devices:
            _, _, _, _, until = _cover(ctx, uow, principal, d.policy_id)
            if until is not None and d.cover_until is None:
                d = uow.telematics_devices.update(d.cover_ended(until))
                if not clocks.open_on(uow, SUBJECT_KIND, d.device_id, DEACTIVATION_RULE):
                    clocks.start(uow, DEACTIVATION_RULE, SUBJECT_KIND, d.device_id, uk_midnight(until),
                                 customer_id=d.customer_id, note=f"Smartbox {d.imei}: the policy ended on {until}")
                ending.append(d.imei)
            if d.referred or d.state is DeviceState.ACTIVE:
                continue
            breached = any(x.state(now).breached for x in clocks.open_on(uow, SUBJECT_KIND, d.device_id,
                                                                          INSTALLATION_RULE))
            if breached:
                uow.telematics_devices.update(d.referred_to_staff(now))
                referred.append(d.imei)
        uow.commit()
    return {"checked": len(devices), "referred": referred, "deactivation_started": ending}


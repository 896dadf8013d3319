"""REST resources: the Smartbox (TEL-1) and ingestion (TEL-2).

Staff dispatch a box to a policy (its device token shown once), accept or reject the installation photo, record
a change of vehicle, a faulty box (replaced free), removal and deactivation, and run the daily check. The
customer sees their own policy's box and uploads its installation photo. The box itself posts its positions
with its token (`Authorization: Bearer <device token>`); a Traccar server forwards positions with the shared
secret (`X-Traccar-Secret`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from covernote.identity.api import Caller, Ctx
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.platform.api.contract import conflicts, documented
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import RequestBody, Text
from covernote.telematics.adapters.traccar import from_traccar
from covernote.telematics.results.devices import DeviceCheck, DeviceDispatched, DeviceView, IngestResult
from covernote.telematics.usecases import devices, ingest

router = APIRouter(tags=["telematics"], route_class=OneHopRoute)

Imei = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{15}$")]
BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: documented("The device token (or the Traccar secret) is missing or wrong"),
    429: documented("Too many refused tokens from this address within a minute; retry after `Retry-After` seconds"),
    503: documented("The position store is not configured, or the database is unavailable")}
NOT_ACCEPTING = conflicts("The device is not fitted (dispatched, faulty, removed) or is deactivated: no data is "
                          "accepted after deactivation")
TRANSITION = conflicts("The device's state does not allow the operation (the problem names the state)")


class DispatchIn(RequestBody):
    policy_id: Text = Field(description="The policy (id or number) the box is for")
    imei: Imei = Field(description="The box's IMEI: 15 digits, the last a Luhn check digit")
    registration: Text | None = Field(None, description="The vehicle it is for (default: the policy's vehicle)")


class RejectIn(RequestBody):
    reason: Text = Field(description="What is wrong with the photo, as the customer will be told")


class FaultyIn(RequestBody):
    replacement_imei: Imei | None = Field(None, description="The free replacement box dispatched now, if any")


class VehicleChangeIn(RequestBody):
    registration: Text = Field(description="The new vehicle's registration")
    on: date = Field(description="The day the change of vehicle takes effect: the new 14-day clock counts from it")


class PositionIn(TypedDict):
    """One fix as a box sends it (docs/telematics.md, "The position table"): units km/h, degrees, m/s^2."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    seq: Annotated[int, Field(ge=0, description="The device's own sequence number (the identity, with the IMEI)")]
    ts: Annotated[datetime, Field(description="When the fix was taken, with its UTC offset")]
    lat: Annotated[float, Field(description="WGS84 degrees")]
    lon: Annotated[float, Field(description="WGS84 degrees")]
    speed_kph: float | None
    heading_deg: float | None
    hdop: float | None
    satellites: Annotated[int, Field(ge=0, le=255)] | None
    ignition: bool | None
    accel_long: float | None
    accel_lat: float | None


class PositionsIn(BaseModel):
    """A batch of positions (TEL-2). Not a RequestBody: it holds no text, and skipping the text rule's walk over
    every row keeps a 1,000-position batch's parsing in pydantic's compiled core."""

    model_config = ConfigDict(extra="forbid")
    positions: list[PositionIn] = Field(min_length=1, max_length=10_000)


@router.post("/telematics/devices", status_code=201, responses=conflicts(
    "The IMEI is in use, the policy already has a live box, or the policy has ended"))
def dispatch(ctx: Ctx, who: Caller, body: DispatchIn) -> DeviceDispatched:
    """Staff: register the box dispatched to the policy's customer (TEL-1) and start its 14-day installation
    clock from the policy's start. `token` is the box's ingestion token, shown once; only its hash is kept."""
    return devices.dispatch(ctx, who, body.policy_id, body.imei, body.registration)


@router.get("/telematics/devices/{imei}")
def show(ctx: Ctx, who: Caller, imei: str) -> DeviceView:
    """The box (staff, or the customer whose policy it is on): its state, vehicle, photo, referral and clocks."""
    return devices.show(ctx, who, imei)


@router.get("/policies/{policy_id}/telematics/devices")
def policy_devices(ctx: Ctx, who: Caller, policy_id: str) -> list[DeviceView]:
    """Every box the policy has had, oldest first (staff, or the policyholder)."""
    return devices.for_policy(ctx, who, policy_id)


@router.put("/telematics/devices/{imei}/photo", responses=TRANSITION)
def upload_photo(ctx: Ctx, who: Caller, imei: str,
                 photo: Annotated[bytes, Body(media_type="image/jpeg", description="The photo's bytes (JPEG or "
                                                                                   "PNG, at most 8 MiB)")]) -> DeviceView:
    """The customer (their own policy's box) or staff: the installation photo (TEL-1). The type is judged by the
    bytes (JPEG or PNG), not the Content-Type; 422 naming `photo` for another type, an empty or too large body."""
    return devices.upload_photo(ctx, who, imei, photo)


@router.get("/telematics/devices/{imei}/photo", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def get_photo(ctx: Ctx, who: Caller, imei: str) -> Response:
    """The installation photo's bytes (staff, or the customer whose box it is)."""
    data, kind = devices.photo(ctx, who, imei)
    return Response(data, media_type=kind)


@router.post("/telematics/devices/{imei}/accept", responses=TRANSITION)
def accept(ctx: Ctx, who: Caller, imei: str) -> DeviceView:
    """Staff: the photo shows the box fitted: active; the installation clock is met."""
    return devices.accept(ctx, who, imei)


@router.post("/telematics/devices/{imei}/reject", responses=TRANSITION)
def reject(ctx: Ctx, who: Caller, imei: str, body: RejectIn) -> DeviceView:
    """Staff: the photo does not show the box fitted: back to awaiting a photo, the reason kept."""
    return devices.reject(ctx, who, imei, body.reason)


@router.post("/telematics/devices/{imei}/faulty", responses=TRANSITION)
def faulty(ctx: Ctx, who: Caller, imei: str, body: FaultyIn) -> DeviceView | DeviceDispatched:
    """Staff: the box is faulty; with `replacement_imei` its free replacement is dispatched (the answer is then
    the replacement with its token, shown once), otherwise the faulty box."""
    if body.replacement_imei:
        return devices.dispatch_replacement(ctx, who, imei, body.replacement_imei)
    return devices.faulty(ctx, who, imei)


@router.post("/telematics/devices/{imei}/vehicle-change", responses=TRANSITION)
def vehicle_change(ctx: Ctx, who: Caller, imei: str, body: VehicleChangeIn) -> DeviceView:
    """Staff: the policy's vehicle changed: the box goes into the new vehicle and a new 14-day clock starts."""
    return devices.vehicle_changed(ctx, who, imei, body.registration, body.on)


@router.post("/telematics/devices/{imei}/removed", responses=TRANSITION)
def removed(ctx: Ctx, who: Caller, imei: str) -> DeviceView:
    """Staff: the box was taken out of the vehicle."""
    return devices.removed(ctx, who, imei)


@router.post("/telematics/devices/{imei}/deactivate", responses=TRANSITION)
def deactivate(ctx: Ctx, who: Caller, imei: str) -> DeviceView:
    """Staff: switch the box off; no data is accepted after deactivation; the deactivation clock is met."""
    return devices.deactivate(ctx, who, imei)


@router.post("/telematics/devices/check")
def check(ctx: Ctx, who: Caller) -> DeviceCheck:
    """Staff: the daily check now: refer missed installations, start deactivation clocks for ended policies."""
    return devices.check(ctx, who)


def _bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@router.post("/telematics/devices/{imei}/positions", responses={**BAD_TOKEN, **NOT_ACCEPTING})
def post_positions(ctx: Ctx, imei: str, body: PositionsIn,
                   authorization: Annotated[str | None, Header(description="Bearer <the device token>")] = None
                   ) -> IngestResult:
    """The box's batch of positions (TEL-2), with its device token: screened (invalid fixes, future times,
    repeats), held to the data-use window (TEL-8: `outside_data_use`) and stored once per (device, seq): the
    same batch again stores nothing. 401 for a bad token, 409 for a box not fitted or deactivated."""
    return ingest.ingest_device(ctx, imei, _bearer(authorization), body.positions)  # type: ignore[arg-type]


@router.post("/telematics/traccar", responses=BAD_TOKEN)
def traccar(ctx: Ctx, body: Annotated[dict[str, Any] | list[dict[str, Any]], Body(
                description="Traccar's JSON position forwarding: {\"position\": {...}, \"device\": {...}}, or a list")],
            x_traccar_secret: Annotated[str | None, Header(description="The shared forwarding secret")] = None
            ) -> IngestResult:
    """Positions a Traccar server forwards (TEL-2), for boxes registered by IMEI (Traccar's `uniqueId`); those of
    unknown boxes or boxes not accepting data are counted, not stored. 401 without the shared secret."""
    ingest.check_traccar_secret(ctx, x_traccar_secret)
    payloads = body if isinstance(body, list) else [body]
    try:
        table = from_traccar(payloads, ctx.clock.now())
    except ValueError as exc:
        raise ValidationFailed("not a Traccar position", [FieldIssue("body", str(exc))]) from exc
    return ingest.ingest_forwarded(ctx, table)

"""`covernote telematics device ...` and `covernote telematics ingest FILE`: the Smartbox's lifecycle (TEL-1)
and a file of one device's positions ingested as if the box had sent them (TEL-2)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import typer

from covernote.identity.usecases import operator
from covernote.interfaces.cli import JsonOpt, context, fail, handles_errors, show
from covernote.telematics.usecases import devices, ingest


def _device_summary(d: dict[str, Any]) -> str:
    lines = [f"Smartbox {d['imei']} ({d['id']}) on policy {d['policy_id']}, vehicle {d['registration']}: {d['state']}"
             + (" (data accepted)" if d["accepts_data"] else "")]
    if d["installation_due"]:
        lines.append(f"  installation due by {d['installation_due']} (counting from {d['installation_from']})")
    if d["photo_at"]:
        lines.append(f"  photo {d['photo_type']} uploaded {d['photo_at']} (sha256 {d['photo_sha256']})")
    if d["rejection_reason"]:
        lines.append(f"  photo rejected: {d['rejection_reason']}")
    if d["referred"]:
        lines.append(f"  REFERRED to staff {d['referred_at']}: the installation was not proved in time")
    lines += [f"  clock {x['rule']}: {x['state']}, due {x['due_at']}" for x in d["deadlines"]]
    return "\n".join(lines)


def _dispatched(r: dict[str, Any]) -> str:
    return _device_summary(r["device"]) + f"\n  device token (shown once): {r['token']}"


def _counts(r: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in r.items())


def _json_positions(path: Path) -> tuple[str | None, pa.Table]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail("the file is not readable JSON", [("FILE", f"{path}: {exc}")])
        raise  # pragma: no cover - fail exits
    imei = data.get("imei") if isinstance(data, dict) else None
    rows = data.get("positions") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        fail("the file holds no positions", [("FILE", "a list of positions, or an object with `positions`")])
        raise typer.Exit(2)  # pragma: no cover - fail exits
    parsed: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        try:
            ts = datetime.fromisoformat(str(r.get("ts")))
        except ValueError:
            fail("a position has no valid time", [(f"positions[{i}].ts", f"{r.get('ts')!r} is not an ISO 8601 time")])
        if ts.tzinfo is None:
            fail("a position's time has no offset", [(f"positions[{i}].ts", "give the UTC offset (Z or +00:00)")])
        parsed.append({**r, "ts": ts})
    return (str(imei) if imei else None), ingest.positions_sent(parsed)


def _parquet_positions(path: Path) -> tuple[str | None, pa.Table]:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        fail("the file is not readable Parquet", [("FILE", f"{path}: {exc}")])
        raise  # pragma: no cover - fail exits
    imei = None
    if "device_id" in table.column_names:
        ids = pc.unique(table.column("device_id")).to_pylist()
        if len(ids) != 1:
            fail("the file holds positions of several devices", [("device_id", "one device per file")])
        imei = str(ids[0])
    return imei, table


def register(app: typer.Typer) -> None:
    """Add `covernote telematics device ...` and `covernote telematics ingest` (to the `telematics` group, made
    here if no other module has made it)."""
    tel = next((g.typer_instance for g in app.registered_groups if g.name == "telematics"), None)
    if tel is None:
        tel = typer.Typer(help="Telematics (issue 16): the Smartbox, positions, scores.", no_args_is_help=True)
        app.add_typer(tel, name="telematics")
    device_app = typer.Typer(help="The Smartbox's lifecycle (TEL-1).", no_args_is_help=True)
    tel.add_typer(device_app, name="device")

    @device_app.command("dispatch")
    @handles_errors
    def dispatch(policy: Annotated[str, typer.Argument(help="Policy id or number")],
                 imei: Annotated[str, typer.Option(help="The box's IMEI (15 digits, Luhn-checked)")],
                 registration: Annotated[str | None, typer.Option(help="The vehicle (default: the policy's)")] = None,
                 as_json: JsonOpt = False) -> None:
        """Register the box sent to the policy's customer; prints its device token once."""
        show(devices.dispatch(context(), operator(), policy, imei, registration), as_json, _dispatched)

    @device_app.command("show")
    @handles_errors
    def show_device(imei: str, as_json: JsonOpt = False) -> None:
        """The box: state, vehicle, photo, referral, clocks."""
        show(devices.show(context(), operator(), imei), as_json, _device_summary)

    @device_app.command("photo")
    @handles_errors
    def photo(imei: str, file: Annotated[Path, typer.Argument(help="A JPEG or PNG, at most 8 MiB")],
              as_json: JsonOpt = False) -> None:
        """Upload the installation photo (the box becomes installed, awaiting staff)."""
        try:
            data = file.read_bytes()
        except OSError as exc:
            fail("the photo cannot be read", [("FILE", f"{file}: {exc.strerror or exc}")])
        show(devices.upload_photo(context(), operator(), imei, data), as_json, _device_summary)

    @device_app.command("accept")
    @handles_errors
    def accept(imei: str, as_json: JsonOpt = False) -> None:
        """Accept the photo: the box is active; the installation clock is met."""
        show(devices.accept(context(), operator(), imei), as_json, _device_summary)

    @device_app.command("reject")
    @handles_errors
    def reject(imei: str, reason: Annotated[str, typer.Option(help="What is wrong with the photo")],
               as_json: JsonOpt = False) -> None:
        """Reject the photo: the customer is asked for another."""
        show(devices.reject(context(), operator(), imei, reason), as_json, _device_summary)

    @device_app.command("faulty")
    @handles_errors
    def faulty(imei: str, replacement: Annotated[str | None, typer.Option(
                   help="The IMEI of the free replacement dispatched now")] = None,
               as_json: JsonOpt = False) -> None:
        """The box is faulty; with --replacement its free replacement is dispatched (its token printed once)."""
        if replacement:
            show(devices.dispatch_replacement(context(), operator(), imei, replacement), as_json, _dispatched)
        else:
            show(devices.faulty(context(), operator(), imei), as_json, _device_summary)

    @device_app.command("vehicle-changed")
    @handles_errors
    def vehicle_changed(imei: str, registration: Annotated[str, typer.Option(help="The new vehicle")],
                        on: Annotated[str, typer.Option(help="The day of the change (YYYY-MM-DD)")],
                        as_json: JsonOpt = False) -> None:
        """The policy's vehicle changed: a new photo is needed within 14 days of the change."""
        try:
            day = date.fromisoformat(on)
        except ValueError:
            fail("not a date", [("--on", "give the day as YYYY-MM-DD")])
        show(devices.vehicle_changed(context(), operator(), imei, registration, day), as_json, _device_summary)

    @device_app.command("deactivate")
    @handles_errors
    def deactivate(imei: str, as_json: JsonOpt = False) -> None:
        """Switch the box off: no data is accepted after deactivation."""
        show(devices.deactivate(context(), operator(), imei), as_json, _device_summary)

    @device_app.command("check")
    @handles_errors
    def check(as_json: JsonOpt = False) -> None:
        """The daily check: refer missed installations, start deactivation clocks for ended policies."""
        show(devices.check(context(), operator()), as_json,
             lambda r: f"{r['checked']} box(es) checked; referred: {', '.join(r['referred']) or 'none'}; "
                       f"deactivation clock started: {', '.join(r['deactivation_started']) or 'none'}")

    @tel.command("ingest")
    @handles_errors
    def ingest_file(file: Annotated[Path, typer.Argument(help="A JSON or Parquet file of one device's positions")],
                    imei: Annotated[str | None, typer.Option(help="The device (else the file's imei/device_id)")] = None,
                    as_json: JsonOpt = False) -> None:
        """Ingest one device's positions from a file as if the box had sent them (TEL-2); prints the counts."""
        if not file.is_file():
            fail("no such file", [("FILE", str(file))])
        found, table = (_parquet_positions(file) if file.suffix.lower() == ".parquet" else _json_positions(file))
        device = imei or found
        if not device:
            fail("which device?", [("--imei", "give the IMEI (the file does not name one)")])
            return  # pragma: no cover - fail exits
        show(ingest.ingest_table(context(), device, table), as_json, _counts)

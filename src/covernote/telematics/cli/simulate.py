"""`covernote telematics simulate`: a seeded Smartbox's days of driving on a map (TEL-2, TEL-3 demo and test
data), written as Parquet (POSITION_SCHEMA), as the ingestion body's JSON (a list of positions) or as Traccar's
position-forwarding JSON (what `adapters/traccar.py` reads). The integrator mounts `app` under `telematics`.

The map is the Ashcombe fixture (`src/covernote/telematics/data/ashcombe.osm`) unless `--map` names another extract.
The same options and seed always give the same positions (`domain/simulator.py`).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.parquet as pq
import typer

from covernote.interfaces.cli import JsonOpt, fail, show
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.positions import KPH_PER_KNOT
from covernote.telematics.domain.simulator import DEFAULT_DEVICE, Speeding, default_plan, simulate_days

FIXTURE = ASHCOMBE_OSM

app = typer.Typer(help="Simulate a Smartbox's trips on a map (TEL-2, TEL-3 demo and test data).")


def parse_speeding(value: str) -> Speeding:
    """`WAY:MPH`: cruise MPH over the limit on OSM way WAY (e.g. `1006:8`)."""
    way, sep, over = value.partition(":")
    try:
        if not sep:
            raise ValueError
        return Speeding(int(way), float(over))
    except ValueError:
        raise typer.BadParameter(f"--speeding {value!r}: expected WAY:MPH, e.g. 1006:8") from None


def _iso(ts: datetime) -> str:
    """Jackson's rendering of a Traccar date: ISO 8601 with milliseconds and an offset."""
    return ts.astimezone(UTC).isoformat(timespec="milliseconds")


def ingestion_json(table: pa.Table) -> list[dict[str, Any]]:
    """The positions as the ingestion body holds them: one object per position, the position table's columns
    (times ISO 8601 UTC), without `received_at` (Covernote stamps it when it accepts them)."""
    rows = table.drop_columns(["received_at"]).to_pylist()
    for row in rows:
        row["ts"] = row["ts"].astimezone(UTC).isoformat()
    return rows


def traccar_json(table: pa.Table, traccar_device_id: int = 1) -> list[dict[str, Any]]:
    """The positions as a Traccar server forwards them (`forward.type=json`): `{"position", "device"}` per
    position, speed in knots, `seq` as Traccar's position id."""
    out = []
    for row in table.to_pylist():
        attributes: dict[str, Any] = {"ignition": row["ignition"], "sat": row["satellites"], "hdop": row["hdop"]}
        out.append({
            "position": {
                "id": row["seq"], "deviceId": traccar_device_id, "protocol": "simulator",
                "fixTime": _iso(row["ts"]), "deviceTime": _iso(row["ts"]), "serverTime": _iso(row["received_at"]),
                "valid": True, "latitude": row["lat"], "longitude": row["lon"],
                "speed": row["speed_kph"] / KPH_PER_KNOT, "course": row["heading_deg"],
                "attributes": {k: v for k, v in attributes.items() if v is not None}},
            "device": {"id": traccar_device_id, "uniqueId": row["device_id"], "name": f"Smartbox {row['device_id']}"},
        })
    return out


@app.callback(invoke_without_command=True)
def simulate(
    device: Annotated[str, typer.Option(help="The box's IMEI")] = DEFAULT_DEVICE,
    first_day: Annotated[str, typer.Option("--from", help="The first UK day, YYYY-MM-DD")] = "2026-06-01",
    days: Annotated[int, typer.Option(min=1, max=366, help="How many days")] = 1,
    seed: Annotated[int, typer.Option(help="The same seed gives the same positions")] = 1,
    speeding: Annotated[list[str] | None, typer.Option(
        help="WAY:MPH: cruise MPH over the limit on that OSM way (repeatable)")] = None,
    night: Annotated[bool, typer.Option(help="Add a trip at about 23:30 local time each day")] = False,
    long: Annotated[bool, typer.Option(help="Add a drive of two hours and more each day")] = False,
    map_path: Annotated[Path, typer.Option("--map", help="An OSM extract (.osm or .osm.pbf)")] = FIXTURE,
    output: Annotated[Path | None, typer.Option(help="FILE.parquet (positions) or FILE.json (ingestion body)")] = None,
    traccar: Annotated[Path | None, typer.Option(help="FILE.json in Traccar's position-forwarding form")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate DAYS days of a young driver's trips from --from, seeded, and write them."""
    over = [parse_speeding(v) for v in speeding or []]
    try:
        day0 = date.fromisoformat(first_day)
    except ValueError:
        raise typer.BadParameter(f"--from {first_day!r}: expected a day, YYYY-MM-DD") from None
    if output is None and traccar is None:
        fail("nothing to write", [("--output", "give --output FILE.parquet|FILE.json or --traccar FILE.json")])
    if output is not None and output.suffix not in (".parquet", ".json"):
        fail("unknown output format", [("--output", f"{output.name}: must end in .parquet or .json")])
    if not map_path.is_file():
        fail("no such map", [("--map", str(map_path))])
    plans = [default_plan(seed * 31 + k, night=night, long=long, speeding=over) for k in range(days)]
    result = simulate_days(load_network(map_path), device, day0, days, seed, plans=plans)
    table = result.table
    if output is not None:
        if output.suffix == ".parquet":
            pq.write_table(table, output)
        else:
            output.write_text(json.dumps(ingestion_json(table)))
    if traccar is not None:
        traccar.write_text(json.dumps(traccar_json(table)))
    record = {"device": device, "from": day0.isoformat(), "days": days, "seed": seed, "positions": table.num_rows,
              "output": None if output is None else str(output), "traccar": None if traccar is None else str(traccar),
              "injections": [{"kind": i.kind, "start": i.start.isoformat(), "end": i.end.isoformat(), "lat": i.lat,
                              "lon": i.lon, "way_id": i.way_id} for i in result.injections]}
    show(record, as_json, lambda r: f"{r['positions']} positions, {len(r['injections'])} injected behaviours, device "
                                    f"{r['device']}, {r['days']} day(s) from {r['from']}")

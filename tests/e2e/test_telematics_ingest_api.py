"""TEL-1, TEL-2 through the REST app: the box dispatched, its photo uploaded by the customer and accepted by
staff; a batch of positions stored, the same batch again storing nothing, screening's and the data-use
window's counts (TEL-8), a bad token 401, an invalid body 422 naming the field, a box not fitted or deactivated
409; Traccar's forwarding stored with the shared secret and refused without it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from covernote.api.app import create_app
from covernote.kernel.ids import new_id
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.adapters.photos import LocalPhotoStore
from covernote.telematics.usecases import devices
from tests.e2e.conftest import Api, field_names, quote_body
from tests.e2e.test_arrears_cli import _policy as _cli_policy
from tests.e2e.test_arrears_cli import cli, env  # noqa: F401 (fixtures)

IMEI = "490154203237518"
IMEI_2 = "356938035643809"
JPEG = b"\xff\xd8\xff\xe0" + b"\x22" * 64
SECRET = "traccar-shared-secret"


@pytest.fixture
def tapi(ctx: Any, tmp_path: Path) -> Any:
    devices.attach(ctx, devices.TelematicsStores(LocalPhotoStore(tmp_path / "photos"),
                                                 ParquetPositionStore(tmp_path / "positions"), SECRET))
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        a = Api(client, ctx)
        a.store = ParquetPositionStore(tmp_path / "positions")  # type: ignore[attr-defined]
        yield a


def _policy(api: Any) -> str:
    q = api.post("/quotes", quote_body(api.customer_id), token=api.customer).json()
    r = api.post("/policies", {"quote_id": q["id"], "payment": {"token": "tok_visa"}}, token=api.customer,
                 key=new_id("key"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _fitted(api: Any, imei: str = IMEI) -> str:
    """A box dispatched to a new policy, its photo uploaded by the customer; returns the device token."""
    pid = _policy(api)
    r = api.post("/telematics/devices", {"policy_id": pid, "imei": imei})
    assert r.status_code == 201, r.text
    token = str(r.json()["token"])
    up = api.client.put(f"/telematics/devices/{imei}/photo", content=JPEG,
                        headers={**api.headers(api.customer), "Content-Type": "image/jpeg"})
    assert up.status_code == 200 and up.json()["state"] == "installed", up.text
    return token


def _batch(now: datetime, n: int, first_seq: int = 0) -> list[dict[str, Any]]:
    return [{"seq": first_seq + i, "ts": (now - timedelta(minutes=30) + timedelta(seconds=i)).isoformat(),
             "lat": 53.8 + i * 1e-5, "lon": -1.55, "speed_kph": 40.0, "heading_deg": 90.0, "hdop": 0.9,
             "satellites": 9, "ignition": True, "accel_long": 0.1, "accel_lat": -0.2} for i in range(n)]


def _post(api: Any, imei: str, token: str | None, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post(f"/telematics/devices/{imei}/positions", json=body, headers=headers)


def test_tel1_dispatch_photo_accept_over_rest(tapi: Any) -> None:
    pid = _policy(tapi)
    assert tapi.post("/telematics/devices", {"policy_id": pid, "imei": IMEI}, token=tapi.customer).status_code == 403
    bad = tapi.post("/telematics/devices", {"policy_id": pid, "imei": "490154203237517"})
    assert bad.status_code == 422 and "imei" in field_names(bad)
    r = tapi.post("/telematics/devices", {"policy_id": pid, "imei": IMEI})
    assert r.status_code == 201 and r.json()["device"]["state"] == "dispatched"
    gif = tapi.client.put(f"/telematics/devices/{IMEI}/photo", content=b"GIF89a" + b"\0" * 10,
                          headers={**tapi.headers(tapi.customer), "Content-Type": "image/jpeg"})
    assert gif.status_code == 422 and "photo" in field_names(gif)
    assert tapi.post(f"/telematics/devices/{IMEI}/accept").status_code == 409  # no photo yet
    _ = tapi.client.put(f"/telematics/devices/{IMEI}/photo", content=JPEG,
                        headers={**tapi.headers(tapi.customer), "Content-Type": "image/jpeg"})
    assert tapi.get(f"/telematics/devices/{IMEI}", token=tapi.customer).json()["state"] == "installed"
    photo = tapi.client.get(f"/telematics/devices/{IMEI}/photo", headers=tapi.headers())
    assert photo.status_code == 200 and photo.content == JPEG and photo.headers["content-type"] == "image/jpeg"
    assert tapi.post(f"/telematics/devices/{IMEI}/accept", token=tapi.customer).status_code == 403
    active = tapi.post(f"/telematics/devices/{IMEI}/accept").json()
    assert active["state"] == "active" and active["deadlines"][0]["state"] == "met_on_time"
    assert [d["imei"] for d in tapi.get(f"/policies/{pid}/telematics/devices", token=tapi.customer).json()] == [IMEI]


def test_tel2_a_batch_is_stored_once_and_counted(tapi: Any) -> None:
    token = _fitted(tapi)
    now = tapi.ctx.clock.now()
    batch = _batch(now, 50)
    batch[3]["lat"], batch[3]["lon"] = 0.0, 0.0  # no fix
    batch[4]["ts"] = (now + timedelta(hours=2)).isoformat()  # the box's clock runs ahead
    batch.append(dict(batch[10]))  # a repeat within the batch
    batch.append({**batch[11], "seq": 999, "ts": (now - timedelta(days=400)).isoformat()})  # before the cover
    r = _post(tapi, IMEI, token, {"positions": batch})
    assert r.status_code == 200, r.text
    assert r.json() == {"received": 52, "stored": 48, "duplicates": 1, "invalid_fix": 1, "future_time": 1,
                        "outside_data_use": 1, "unknown_device": 0, "not_accepting": 0}
    day = tapi.ctx.today()
    stored = tapi.store.read_day(IMEI, day)
    assert stored.num_rows == 48 and stored.column("device_id").unique().to_pylist() == [IMEI]
    again = _post(tapi, IMEI, token, {"positions": batch}).json()
    assert (again["stored"], again["duplicates"]) == (0, 49)
    assert tapi.store.read_day(IMEI, day).num_rows == 48


def test_tel2_refusals_401_409_422(tapi: Any) -> None:
    token = _fitted(tapi)
    body = {"positions": _batch(tapi.ctx.clock.now(), 3)}
    assert _post(tapi, IMEI, "wrong-token", body).status_code == 401
    assert _post(tapi, IMEI, None, body).status_code == 401
    assert _post(tapi, IMEI_2, token, body).status_code == 401  # another IMEI: the same answer as a bad token
    missing = _post(tapi, IMEI, token, {"positions": [{k: v for k, v in body["positions"][0].items() if k != "lat"}]})
    assert missing.status_code == 422 and any("lat" in f for f in field_names(missing))
    extra = _post(tapi, IMEI, token, {"positions": [{**body["positions"][0], "altitude": 3}]})
    assert extra.status_code == 422 and any("altitude" in f for f in field_names(extra))
    assert _post(tapi, IMEI, token, {"positions": []}).status_code == 422
    assert tapi.post(f"/telematics/devices/{IMEI}/deactivate").json()["state"] == "deactivated"
    off = _post(tapi, IMEI, token, body)
    assert off.status_code == 409 and "no data is accepted after deactivation" in off.text

    pid = _policy(tapi)
    token_2 = tapi.post("/telematics/devices", {"policy_id": pid, "imei": IMEI_2}).json()["token"]
    not_fitted = _post(tapi, IMEI_2, token_2, body)
    assert not_fitted.status_code == 409 and "dispatched" in not_fitted.text


def _traccar(seq: int, imei: str, at: datetime, knots: float = 20.0) -> dict[str, Any]:
    return {"position": {"id": seq, "deviceId": 7, "fixTime": at.isoformat(timespec="milliseconds"), "valid": True,
                         "latitude": 53.8, "longitude": -1.55 + seq * 1e-5, "speed": knots, "course": 10.0,
                         "attributes": {"ignition": True, "sat": 8, "hdop": 1.1}},
            "device": {"id": 7, "uniqueId": imei, "name": "Smartbox"}}


def test_tel2_traccar_forwarding_is_stored_for_registered_boxes(tapi: Any) -> None:
    _fitted(tapi)
    at = tapi.ctx.clock.now().astimezone(UTC) - timedelta(minutes=5)
    url = "/telematics/traccar"
    one = _traccar(1, IMEI, at)
    assert tapi.client.post(url, json=one).status_code == 401
    assert tapi.client.post(url, json=one, headers={"X-Traccar-Secret": "nope"}).status_code == 401
    ok = tapi.client.post(url, json=one, headers={"X-Traccar-Secret": SECRET})
    assert ok.status_code == 200 and ok.json()["stored"] == 1, ok.text
    many = [_traccar(i, IMEI, at + timedelta(seconds=i)) for i in range(1, 6)] + [_traccar(1, "111111111111116", at)]
    r = tapi.client.post(url, json=many, headers={"X-Traccar-Secret": SECRET}).json()
    assert (r["stored"], r["duplicates"], r["unknown_device"]) == (4, 1, 1)
    stored = tapi.store.read_day(IMEI, tapi.ctx.today())
    assert stored.num_rows == 5 and stored.column("speed_kph")[0].as_py() == pytest.approx(20.0 * 1.852)
    bad = tapi.client.post(url, json={"position": {"id": 2}, "device": {"uniqueId": IMEI}},
                           headers={"X-Traccar-Secret": SECRET})
    assert bad.status_code == 422 and "body" in field_names(bad)


def test_tel1_tel2_the_command_line(cli: Any, env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    """`covernote telematics device ...` through the lifecycle and `telematics ingest FILE` (JSON and Parquet),
    with clear errors and a non-zero exit on bad input."""
    import json

    import pyarrow.parquet as pq

    from covernote.telematics.usecases.ingest import positions_sent

    p = _cli_policy(cli, tmp_path)
    bad = cli("telematics", "device", "dispatch", p["number"], "--imei", "490154203237517", code=2)
    assert "imei" in bad and "Luhn" in bad
    out = cli("telematics", "device", "dispatch", p["number"], "--imei", IMEI)
    assert "dispatched" in out and "device token (shown once)" in out
    photo = tmp_path / "box.jpg"
    photo.write_bytes(JPEG)
    assert "installed" in cli("telematics", "device", "photo", IMEI, str(photo))
    assert "rejected: blurred" in cli("telematics", "device", "reject", IMEI, "--reason", "blurred")
    cli("telematics", "device", "photo", IMEI, str(photo))
    assert json.loads(cli("telematics", "device", "accept", IMEI, "--json"))["state"] == "active"

    # The command line runs on the real clock: fixes from a minute ahead are on the policy's first day even just
    # after midnight (earlier ones would be outside the data-use window), and within the screening's tolerance.
    now = datetime.now(UTC) + timedelta(minutes=31)
    rows = _batch(now, 20)
    src = tmp_path / "positions.json"
    src.write_text(json.dumps({"imei": IMEI, "positions": rows}))
    counts = json.loads(cli("telematics", "ingest", str(src), "--json"))
    assert (counts["received"], counts["stored"]) == (20, 20), counts
    assert "stored 0, duplicates 20" in cli("telematics", "ingest", str(src))
    parquet = tmp_path / "more.parquet"
    more = [{**r, "ts": datetime.fromisoformat(str(r["ts"]))} for r in _batch(now, 5, first_seq=100)]
    pq.write_table(positions_sent(more), parquet)
    assert json.loads(cli("telematics", "ingest", str(parquet), "--imei", IMEI, "--json"))["stored"] == 5
    assert "--imei" in cli("telematics", "ingest", str(parquet), code=2)  # no device named
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert "not readable JSON" in cli("telematics", "ingest", str(garbage), code=2)
    assert "no such file" in cli("telematics", "ingest", str(tmp_path / "missing.json"), code=2)
    cli("telematics", "device", "deactivate", IMEI)
    refused = cli("telematics", "ingest", str(src), code=2)
    assert "no data is accepted after deactivation" in refused
    assert "deactivated" in cli("telematics", "device", "show", IMEI)

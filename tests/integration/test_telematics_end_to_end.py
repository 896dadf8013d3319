"""Issue 16 end to end, through the wiring the assembly gives (TEL-1, TEL-2, TEL-3, TEL-4, TEL-8): a young-driver
policy's Smartbox is dispatched, installed (photo) and accepted; the device simulator's days on the shipped Ashcombe
network are ingested as the box would send them; the daily job's telematics steps score the days from the device
registry and the positions ingestion wrote; the customer sees the score; the 90-day review reads the stored scores.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from covernote.identity.usecases import SYSTEM
from covernote.jobs.daily import run_daily
from covernote.kernel.clock import FixedClock
from covernote.platform.context import AppContext
from covernote.telematics.adapters.osm import load_network
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.adapters.photos import LocalPhotoStore
from covernote.telematics.data import ASHCOMBE_OSM
from covernote.telematics.domain.simulator import simulate_days
from covernote.telematics.usecases import devices, ingest, rerating, scores
from tests.support import bind

IMEI = "490154203237518"
JPEG = b"\xff\xd8\xff\xe0" + b"\x11" * 64


def test_tel1_tel3_tel4_a_smartbox_from_dispatch_to_its_scores_and_the_review(
        db_ctx: AppContext, clock: FixedClock, tmp_path: Path) -> None:
    ctx = devices.attach(db_ctx, devices.TelematicsStores(LocalPhotoStore(tmp_path / "photos"),
                                                          ParquetPositionStore(tmp_path / "positions"), "s3cret"))
    start = ctx.today()
    policy = bind(ctx, "YOUNG_DRIVER", start=start)
    devices.dispatch(ctx, SYSTEM, policy["id"], IMEI)
    devices.upload_photo(ctx, SYSTEM, IMEI, JPEG)
    assert devices.accept(ctx, SYSTEM, IMEI)["state"] == "active"

    network = load_network(ASHCOMBE_OSM)
    days = simulate_days(network, IMEI, start + timedelta(days=1), 2, seed=16).table
    sent = days.drop_columns(["device_id", "received_at"])
    clock.set_date(start + timedelta(days=4), 6)  # the box sends its days once they are driven
    stored = ingest.ingest_table(ctx, IMEI, sent)
    assert stored["stored"] == days.num_rows and stored["duplicates"] == 0, stored
    again = ingest.ingest_table(ctx, IMEI, sent)
    assert again["stored"] == 0  # the same positions sent twice are kept once (TEL-2)

    jobs = run_daily(ctx)["jobs"]
    assert jobs["telematics_scoring"]["ok"], jobs["telematics_scoring"]
    run = jobs["telematics_scoring"]["result"]
    assert run["scored"] == 2 and not run["failed"]
    shown = scores.policy_score(ctx, SYSTEM, policy["id"])
    assert shown["current"]["journeys"] > 0 and shown["current"]["score"] is not None

    clock.set_date(start + timedelta(days=90), 6)
    review = rerating.review(ctx, SYSTEM, policy["id"], start + timedelta(days=90))
    assert review["status"] != "no_score", review  # the stored scores answered the review

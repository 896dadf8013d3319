"""The Parquet positions store on a tmp_path (TEL-2, TEL-8, TEL-9): exact round trip, idempotent appends (a
property), late and out-of-order batches, the UK day partitions, erase_before, latest, compaction, the DuckDB
view."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covernote.telematics.adapters.parquet_store import ParquetPositionStore, uk_days
from covernote.telematics.domain.positions import POSITION_SCHEMA

IMEI = "356938035643809"
OTHER = "356938035643810"
RECEIVED = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)


def fixes(n: int, start: datetime, device: str = IMEI, seq0: int = 0, step_s: int = 30) -> pa.Table:
    """`n` positions of a device every `step_s` seconds from `start`, every column filled with varied values
    (nulls included) so a round trip checks each of them."""
    rows: list[dict[str, Any]] = [
        {
            "device_id": device,
            "seq": seq0 + i,
            "ts": start + timedelta(seconds=step_s * i, microseconds=i),
            "lat": 52.48 + i * 1e-4,
            "lon": -1.89 - i * 1e-4,
            "speed_kph": None if i % 7 == 3 else 30.0 + i % 50,
            "heading_deg": float(i * 17 % 360),
            "hdop": 0.5 + (i % 5) / 10,
            "satellites": 4 + i % 9,
            "ignition": [True, False, None][i % 3],
            "accel_long": (i % 11 - 5) / 10 if i % 2 else None,
            "accel_lat": (i % 13 - 6) / 10,
            "received_at": RECEIVED,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=POSITION_SCHEMA)


def test_tel2_round_trip_is_exact(tmp_path: Path) -> None:
    """TEL-2: positions read back equal what was appended: POSITION_SCHEMA, every value, sorted by ts then
    seq."""
    store = ParquetPositionStore(tmp_path)
    day = fixes(50, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    result = store.append(day)
    assert (result.stored, result.duplicates, result.days) == (50, 0, [(IMEI, date(2026, 6, 1))])
    back = store.read_day(IMEI, date(2026, 6, 1))
    assert back.schema == POSITION_SCHEMA
    assert back.equals(day)
    files = list(tmp_path.glob(f"device_id={IMEI}/day=2026-06-01/part-*.parquet"))
    assert len(files) == 1
    assert not list(tmp_path.rglob("*.tmp"))


def test_tel2_day_is_the_uk_date(tmp_path: Path) -> None:
    """TEL-2: the partition day is the Europe/London date: 23:30 UTC in summer (BST) is the next UK day,
    in winter (GMT) the same day."""
    summer = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    winter = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    assert uk_days(pa.array([summer, winter], pa.timestamp("us", tz="UTC"))).to_pylist() == [
        date(2026, 6, 2),
        date(2026, 1, 15),
    ]
    store = ParquetPositionStore(tmp_path)
    result = store.append(fixes(4, datetime(2026, 6, 1, 22, 58, tzinfo=UTC), step_s=60))  # 22:58..23:01 UTC
    assert result.days == [(IMEI, date(2026, 6, 1)), (IMEI, date(2026, 6, 2))]
    assert store.days(IMEI) == [date(2026, 6, 1), date(2026, 6, 2)]
    assert store.read_day(IMEI, date(2026, 6, 1)).num_rows == 2
    assert store.read_day(IMEI, date(2026, 6, 2)).num_rows == 2


def test_tel2_batch_sent_twice_stores_nothing_the_second_time(tmp_path: Path) -> None:
    """TEL-2: idempotent on (device_id, seq): the second send stores nothing and writes no file; a batch
    overlapping what is stored stores only the new positions; repeats within a batch keep the first."""
    store = ParquetPositionStore(tmp_path)
    batch = fixes(20, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    assert store.append(batch).stored == 20
    again = store.append(batch)
    assert (again.stored, again.duplicates, again.days) == (0, 20, [])
    assert len(list(tmp_path.rglob("part-*.parquet"))) == 1
    overlap = fixes(30, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    assert store.append(pa.concat_tables([overlap, overlap.slice(25)])).stored == 10
    assert store.read_day(IMEI, date(2026, 6, 1)).equals(overlap)


@st.composite
def batches(draw: st.DrawFn) -> tuple[pa.Table, list[list[int]]]:
    n = draw(st.integers(1, 60))
    table = pa.concat_tables(
        [
            fixes(n, datetime(2026, 6, 1, 22, 0, tzinfo=UTC), step_s=draw(st.sampled_from([30, 120, 600]))),
            fixes(draw(st.integers(0, 10)), datetime(2026, 6, 1, 12, 0, tzinfo=UTC), device=OTHER),
        ]
    )
    order = draw(st.permutations(range(table.num_rows)))
    cuts = sorted(draw(st.lists(st.integers(0, table.num_rows), max_size=5)))
    bounds = [0, *cuts, table.num_rows]
    groups = [list(order[a:b]) for a, b in itertools.pairwise(bounds)]
    resend = draw(st.lists(st.sampled_from(groups), max_size=3))  # late repeats of whole batches
    return table, groups + resend


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=batches())
def test_tel2_property_out_of_order_late_and_repeated_batches_read_the_same(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[pa.Table, list[list[int]]]
) -> None:
    """TEL-2 property: whatever the order, batching and repeats of the batches, each day reads back the same
    as storing the positions in order in one batch, and every position is stored exactly once."""
    table, groups = case
    ref = ParquetPositionStore(tmp_path_factory.mktemp("ref"))
    ref.append(table)
    store = ParquetPositionStore(tmp_path_factory.mktemp("messy"))
    stored = 0
    for g in groups:
        stored += store.append(table.take(pa.array(g, pa.int64()))).stored
    assert stored == table.num_rows
    assert store.devices() == ref.devices()
    for device in ref.devices():
        assert store.days(device) == ref.days(device)
        for d in ref.days(device):
            assert store.read_day(device, d).equals(ref.read_day(device, d))
    # a second sending of everything stores nothing
    assert store.append(table).stored == 0


def test_tel8_erase_before_removes_whole_days(tmp_path: Path) -> None:
    """TEL-8: erase_before removes the device's day partitions before the given day, returns how many
    positions went, and leaves later days and other devices alone."""
    store = ParquetPositionStore(tmp_path)
    for k in range(4):
        store.append(fixes(10 + k, datetime(2026, 6, 1 + k, 9, 0, tzinfo=UTC), seq0=100 * k))
    store.append(fixes(5, datetime(2026, 6, 1, 9, 0, tzinfo=UTC), device=OTHER))
    assert store.erase_before(IMEI, date(2026, 6, 3)) == 10 + 11
    assert store.days(IMEI) == [date(2026, 6, 3), date(2026, 6, 4)]
    assert store.days(OTHER) == [date(2026, 6, 1)]
    assert store.read_day(IMEI, date(2026, 6, 1)).num_rows == 0
    assert store.erase_before(IMEI, date(2026, 6, 3)) == 0
    assert store.erase_before(IMEI, date(2027, 1, 1)) == 25
    assert store.devices() == [OTHER]
    assert not (tmp_path / f"device_id={IMEI}").exists()


def test_tel9_latest_returns_the_newest_fixes_across_days(tmp_path: Path) -> None:
    """TEL-9: latest(n) gives the device's newest n fixes, oldest of them first, reading back across days."""
    store = ParquetPositionStore(tmp_path)
    store.append(fixes(10, datetime(2026, 6, 1, 9, 0, tzinfo=UTC)))
    store.append(fixes(3, datetime(2026, 6, 2, 9, 0, tzinfo=UTC), seq0=10))
    latest = store.latest(IMEI, 5)
    assert latest.column("seq").to_pylist() == [8, 9, 10, 11, 12]
    assert latest.schema == POSITION_SCHEMA
    assert store.latest(IMEI, 100).num_rows == 13
    assert store.latest(OTHER, 5).num_rows == 0
    assert store.latest(IMEI, 0).num_rows == 0


def test_tel2_compact_rewrites_a_day_as_one_file(tmp_path: Path) -> None:
    """TEL-2: compaction merges a day's parts into one file with the same positions; with one part it does
    nothing; a leftover part from a crash mid-compaction shows nothing twice."""
    store = ParquetPositionStore(tmp_path)
    day = date(2026, 6, 1)
    whole = fixes(30, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    for a in range(0, 30, 10):
        store.append(whole.slice(a, 10))
    day_dir = tmp_path / f"device_id={IMEI}" / "day=2026-06-01"
    assert len(list(day_dir.glob("part-*.parquet"))) == 3
    assert store.compact(IMEI, day) == 3
    parts = list(day_dir.glob("part-*.parquet"))
    assert len(parts) == 1
    assert store.read_day(IMEI, day).equals(whole)
    assert store.compact(IMEI, day) == 0
    # a crash after the new file was renamed in but before the old parts went: both present
    pq.write_table(whole.slice(0, 10), day_dir / "part-leftover.parquet")
    assert store.read_day(IMEI, day).equals(whole)
    assert store.append(whole).stored == 0


def test_tel2_duckdb_view_over_the_dataset(tmp_path: Path) -> None:
    """TEL-2: sql() runs DuckDB over every stored position as the view `positions`, with the partition day."""
    store = ParquetPositionStore(tmp_path)
    assert store.sql("SELECT count(*) AS n FROM positions").column("n").to_pylist() == [0]
    store.append(fixes(12, datetime(2026, 6, 1, 9, 0, tzinfo=UTC)))
    store.append(fixes(4, datetime(2026, 6, 2, 9, 0, tzinfo=UTC), device=OTHER))
    out = store.sql(
        "SELECT device_id, day, count(*) AS n, max(seq) AS top FROM positions GROUP BY ALL ORDER BY device_id"
    )
    assert out.to_pylist() == [
        {"device_id": IMEI, "day": date(2026, 6, 1), "n": 12, "top": 11},
        {"device_id": OTHER, "day": date(2026, 6, 2), "n": 4, "top": 3},
    ]
    speeds = store.sql(f"SELECT speed_kph FROM positions WHERE device_id = '{IMEI}' ORDER BY ts")
    assert (
        speeds.column("speed_kph").to_pylist()
        == store.read_day(IMEI, date(2026, 6, 1)).column("speed_kph").to_pylist()
    )


def test_tel2_store_refuses_bad_input(tmp_path: Path) -> None:
    """TEL-2: a table missing a column, a null where one is required, or a device id unsafe as a folder name
    is refused before anything is written."""
    store = ParquetPositionStore(tmp_path)
    good = fixes(2, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="received_at"):
        store.append(good.drop_columns(["received_at"]))
    with pytest.raises(ValueError, match="seq"):
        store.append(good.set_column(1, "seq", pa.array([1, None], pa.int64())))
    with pytest.raises(ValueError, match="device id"):
        store.append(good.set_column(0, "device_id", pa.array(["../x", "../x"])))
    with pytest.raises(ValueError, match="device id"):
        store.read_day("..", date(2026, 6, 1))
    assert not list(tmp_path.rglob("*.parquet"))
    assert store.append(POSITION_SCHEMA.empty_table()).stored == 0


def test_tel2_a_half_written_file_is_never_read(tmp_path: Path) -> None:
    """TEL-2: parts are written under a hidden temporary name and renamed; a temporary left by a crash (here,
    garbage bytes) is seen by neither read_day, days nor the DuckDB view, and the next append is unaffected."""
    store = ParquetPositionStore(tmp_path)
    first = fixes(10, datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    store.append(first.slice(0, 5))
    day_dir = tmp_path / f"device_id={IMEI}" / "day=2026-06-01"
    (day_dir / ".part-deadbeef.parquet.tmp").write_bytes(b"PAR1 half a file")
    (tmp_path / f"device_id={IMEI}" / "day=2026-06-02").mkdir()
    (tmp_path / f"device_id={IMEI}" / "day=2026-06-02" / ".part-0.parquet.tmp").write_bytes(b"")
    assert store.days(IMEI) == [date(2026, 6, 1)]
    assert store.append(first).stored == 5
    assert store.read_day(IMEI, date(2026, 6, 1)).equals(first)
    assert store.sql("SELECT count(*) AS n FROM positions").column("n").to_pylist() == [10]


def test_tel2_concurrent_appends_store_each_position_once(tmp_path: Path) -> None:
    """TEL-2: writers on the same root (separate store objects, as API workers would be) appending overlapping
    batches at once store every position exactly once: the per-device lock covers the read-then-write."""
    whole = pa.concat_tables(
        [
            fixes(400, datetime(2026, 6, 1, 9, 0, tzinfo=UTC)),
            fixes(100, datetime(2026, 6, 1, 9, 0, tzinfo=UTC), device=OTHER),
        ]
    )
    batches = [whole.slice(k * 50, 300) for k in range(8)] * 2
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda b: ParquetPositionStore(tmp_path).append(b), batches))
    assert sum(r.stored for r in results) == whole.num_rows
    store = ParquetPositionStore(tmp_path)
    counts = store.sql(
        "SELECT device_id, count(*) AS n, count(DISTINCT seq) AS d FROM positions GROUP BY ALL"
    )
    assert sorted(counts.to_pylist(), key=lambda r: r["device_id"]) == [
        {"device_id": IMEI, "n": 400, "d": 400},
        {"device_id": OTHER, "n": 100, "d": 100},
    ]

"""The positions store: Parquet files in a Hive layout, one folder per device and UK day (TEL-2, TEL-8,
TEL-9).

    root/device_id=<IMEI>/day=<YYYY-MM-DD>/part-<hex>.parquet

The day is the Europe/London date of the fix's `ts`, the day a customer would say they drove. Each append
writes at most one new part per touched day; `compact` rewrites a day's parts as one file. Why files and not
the SQL database: tens of millions of positions a day are read by device-day (cleaning, journeys, scoring) or
by whole partitions (the retention sweep, TEL-8), which a columnar file per day serves best, and DuckDB reads
the same files for ad-hoc questions (`sql`).

Guarantees:
- idempotent on (device_id, seq): an append reads the touched days' `seq` columns and stores only new
  positions, so a batch sent twice stores nothing the second time; repeats within a batch keep the first;
- a crash never leaves a half file: each part is written under a hidden temporary name, flushed to disk and
  renamed into place (readers only see `part-*.parquet`);
- positions round-trip exactly (POSITION_SCHEMA, values to the microsecond); `read_day` also drops any
  repeat left by a crash between a compaction's rename and its removal of the old parts.

One writer per device at a time: appends, compactions and erasures of a device hold an exclusive `flock` on
`root/.locks/<device>.lock`, across threads and processes (POSIX file locks: a local file system, not NFS).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from covernote.telematics.domain.filters import first_of_key, sort_positions
from covernote.telematics.domain.positions import POSITION_SCHEMA

UK_ZONE = "Europe/London"
_DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # an IMEI, or a gateway's unique id: safe as a folder name


@dataclass(frozen=True)
class Appended:
    """What an append did: positions newly stored, positions already stored (or repeated in the batch) and
    therefore skipped, and the (device, UK day) partitions that received new positions (the days to re-clean
    and re-score), sorted."""

    stored: int
    duplicates: int
    days: list[tuple[str, date]] = field(default_factory=list)


def uk_days(ts: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The Europe/London calendar date of each UTC timestamp (date32)."""
    local = pc.local_timestamp(ts.cast(pa.timestamp("us", tz=UK_ZONE)))
    out = local.cast(pa.date32())
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def conform(table: pa.Table) -> pa.Table:
    """The table's POSITION_SCHEMA columns, in order and cast to their types; ValueError names a missing
    column or a null in a required one."""
    missing = [f.name for f in POSITION_SCHEMA if f.name not in table.column_names]
    if missing:
        raise ValueError(f"positions lack column(s): {', '.join(missing)}")
    t = table.select(POSITION_SCHEMA.names)
    for f in POSITION_SCHEMA:
        if not f.nullable and t.column(f.name).null_count:
            raise ValueError(f"positions have a null {f.name}")
    return t.cast(POSITION_SCHEMA)


def _check_device(device_id: str) -> str:
    if not _DEVICE_RE.match(device_id):
        raise ValueError(f"not a device id usable in the store: {device_id!r}")
    return device_id


class ParquetPositionStore:
    """Positions stored as Parquet under `root` (TEL-2), read by device-day, swept by day (TEL-8), the latest
    fixes for theft tracking (TEL-9), and queried with DuckDB."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _locked(self, device_ids: Iterable[str]) -> Iterator[None]:
        """Hold the write lock of each device (sorted, so two writers never wait on each other in a circle): an
        exclusive `flock` on `root/.locks/<device>.lock`, which keeps threads and processes (API workers) from
        interleaving the read-the-seqs-then-write of an append or a compaction."""
        lock_dir = self.root / ".locks"
        lock_dir.mkdir(exist_ok=True)
        with ExitStack() as stack:
            for device_id in sorted(set(device_ids)):
                fh = stack.enter_context(open(lock_dir / f"{_check_device(device_id)}.lock", "a+b"))
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # released when the file is closed
            yield

    # -- layout -------------------------------------------------------------------------------------------
    def _device_dir(self, device_id: str) -> Path:
        return self.root / f"device_id={_check_device(device_id)}"

    def _day_dir(self, device_id: str, day: date) -> Path:
        return self._device_dir(device_id) / f"day={day.isoformat()}"

    @staticmethod
    def _parts(day_dir: Path) -> list[Path]:
        return sorted(day_dir.glob("part-*.parquet")) if day_dir.is_dir() else []

    def _write_part(self, day_dir: Path, table: pa.Table) -> Path:
        """Write a part under a hidden temporary name, flush it to disk, then rename it into place."""
        day_dir.mkdir(parents=True, exist_ok=True)
        name = f"part-{uuid.uuid4().hex}.parquet"
        tmp = day_dir / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        final = day_dir / name
        os.replace(tmp, final)
        dir_fd = os.open(day_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final

    def _stored_seqs(self, day_dir: Path) -> np.ndarray:
        seqs = [
            pq.ParquetFile(p).read(columns=["seq"]).column("seq").to_numpy() for p in self._parts(day_dir)
        ]
        return np.concatenate(seqs).astype(np.int64) if seqs else np.zeros(0, dtype=np.int64)

    # -- writing ------------------------------------------------------------------------------------------
    def append(self, table: pa.Table) -> Appended:
        """Store the positions not already stored (TEL-2): new (device_id, seq) pairs only, each in its
        device's UK day. Returns what was stored, what was skipped as a duplicate and the days that
        changed."""
        t = conform(table)
        n = t.num_rows
        if n == 0:
            return Appended(stored=0, duplicates=0, days=[])
        for device in pc.unique(t.column("device_id")).to_pylist():
            _check_device(device)
        seq = np.asarray(t.column("seq").to_numpy(), dtype=np.int64)
        dev_codes = np.asarray(
            pc.dictionary_encode(t.column("device_id")).combine_chunks().indices.to_numpy(), dtype=np.int64
        )
        first = first_of_key(dev_codes, seq, np.ones(n, dtype=bool))
        day_all = uk_days(t.column("ts"))
        ts = np.asarray(t.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
        day_num = np.asarray(day_all.cast(pa.int32()).to_numpy(), dtype=np.int64)
        # One sort on integer keys (device code, UK day, ts, seq), the repeats in the batch left out.
        keep = np.flatnonzero(first)
        order = keep[np.lexsort((seq[keep], ts[keep], day_num[keep], dev_codes[keep]))]
        take = pa.array(order, pa.int64())
        body = t.take(take)
        devices = body.column("device_id").combine_chunks()
        days = day_all.take(take)
        dev_idx, day_num = dev_codes[order], day_num[order]
        m = body.num_rows
        bounds = np.flatnonzero(np.r_[True, (dev_idx[1:] != dev_idx[:-1]) | (day_num[1:] != day_num[:-1])])
        ends = np.r_[bounds[1:], m]
        stored = 0
        touched: list[tuple[str, date]] = []
        with self._locked(pc.unique(devices).to_pylist()):
            for s, e in zip(bounds.tolist(), ends.tolist(), strict=True):
                device = devices[s].as_py()
                day = days[s].as_py()
                day_dir = self._day_dir(device, day)
                part = body.slice(s, e - s)
                existing = self._stored_seqs(day_dir)
                if existing.size:
                    new = ~np.isin(np.asarray(part.column("seq").to_numpy(), dtype=np.int64), existing)
                    part = part.filter(pa.array(new))
                if part.num_rows:
                    self._write_part(day_dir, part)
                    stored += part.num_rows
                    touched.append((device, day))
        return Appended(stored=stored, duplicates=n - stored, days=sorted(touched))

    def compact(self, device_id: str, day: date) -> int:
        """Rewrite a day's parts as one file (fewer, larger files read faster); returns how many parts were
        merged (0 when there was nothing to do). The new file is in place before the old ones go, and
        `read_day` drops repeats, so a crash between the two loses nothing and shows nothing twice."""
        with self._locked([device_id]):
            day_dir = self._day_dir(device_id, day)
            parts = self._parts(day_dir)
            if len(parts) < 2:
                return 0
            merged = self.read_day(device_id, day)
            self._write_part(day_dir, merged)
            for p in parts:
                p.unlink()
            return len(parts)

    def erase_before(self, device_id: str, day: date) -> int:
        """Remove the device's whole day partitions before `day` (TEL-8: driving data is used only while the
        policy is in force and 14 days after; the retention sweep decides `day`). Returns how many positions
        went."""
        gone = 0
        with self._locked([device_id]):
            for d in self.days(device_id):
                if d >= day:
                    break
                day_dir = self._day_dir(device_id, d)
                gone += int(np.unique(self._stored_seqs(day_dir)).size)
                shutil.rmtree(day_dir)
            device_dir = self._device_dir(device_id)
            if device_dir.is_dir() and not any(device_dir.iterdir()):
                device_dir.rmdir()
        return gone

    # -- reading ------------------------------------------------------------------------------------------
    def read_day(self, device_id: str, day: date) -> pa.Table:
        """A device's UK day of positions (TEL-2): POSITION_SCHEMA, sorted by ts then seq, no duplicates."""
        day_dir = self._day_dir(device_id, day)
        for attempt in range(3):
            parts = self._parts(day_dir)
            if not parts:
                return POSITION_SCHEMA.empty_table()
            try:
                tables = [pq.ParquetFile(p).read() for p in parts]
                break
            except FileNotFoundError:  # a compaction replaced the parts while they were listed: list again
                if attempt == 2:
                    raise
        t = pa.concat_tables(tables).cast(POSITION_SCHEMA)
        if len(parts) > 1:
            seq = np.asarray(t.column("seq").to_numpy(), dtype=np.int64)
            first = first_of_key(np.zeros(seq.size, dtype=np.int64), seq, np.ones(seq.size, dtype=bool))
            if not first.all():
                t = t.filter(pa.array(first))
        return sort_positions(t).combine_chunks()

    def days(self, device_id: str) -> list[date]:
        """The UK days the device has positions for, oldest first."""
        device_dir = self._device_dir(device_id)
        if not device_dir.is_dir():
            return []
        found = [
            date.fromisoformat(d.name.removeprefix("day="))
            for d in device_dir.iterdir()
            if d.is_dir() and d.name.startswith("day=") and self._parts(d)
        ]
        return sorted(found)

    def devices(self) -> list[str]:
        """The devices with stored positions, sorted."""
        return sorted(
            d.name.removeprefix("device_id=")
            for d in self.root.iterdir()
            if d.is_dir() and d.name.startswith("device_id=") and self.days(d.name.removeprefix("device_id="))
        )

    def latest(self, device_id: str, n: int) -> pa.Table:
        """The device's newest `n` fixes, oldest of them first (TEL-9: after a theft reported with a police
        incident number, where the vehicle has been). Reads days newest first and stops once it has `n`."""
        if n <= 0:
            return POSITION_SCHEMA.empty_table()
        got: list[pa.Table] = []
        count = 0
        for d in reversed(self.days(device_id)):
            day_t = self.read_day(device_id, d)
            got.append(day_t)
            count += day_t.num_rows
            if count >= n:
                break
        if not got:
            return POSITION_SCHEMA.empty_table()
        t = pa.concat_tables(got).sort_by([("ts", "ascending"), ("seq", "ascending")])
        return t.slice(max(t.num_rows - n, 0)).combine_chunks()

    def sql(self, query: str) -> pa.Table:
        """Run DuckDB SQL over the whole store, exposed as the view `positions` (POSITION_SCHEMA's columns
        plus `day`, the UK date of the partition), and return the result as an Arrow table (empty for a
        statement that returns nothing). For reports and investigation; the scoring path reads by device-day
        instead."""
        con = duckdb.connect()
        try:
            if any(self.root.glob("device_id=*/day=*/part-*.parquet")):
                pattern = str(self.root / "device_id=*" / "day=*" / "part-*.parquet").replace("'", "''")
                con.execute(
                    f"CREATE VIEW positions AS SELECT * FROM read_parquet('{pattern}', "
                    "hive_partitioning = true, hive_types = {'device_id': VARCHAR, 'day': DATE})"
                )
            else:
                empty = POSITION_SCHEMA.empty_table().append_column("day", pa.array([], pa.date32()))
                con.register("_empty_positions", empty)
                con.execute("CREATE VIEW positions AS SELECT * FROM _empty_positions")
            rel = con.sql(query)
            return rel.to_arrow_table() if rel is not None else pa.table({})
        finally:
            con.close()

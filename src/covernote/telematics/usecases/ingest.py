"""Ingestion (TEL-2): a batch of positions from a Smartbox (its own token) or forwarded by a Traccar server (a
shared secret), screened (`filters.screen_batch`), held to the data-use window (TEL-8) and appended to the
position store, idempotent on (device, seq).

Vectorised: one screening pass and one window mask over the batch's Arrow columns, whatever its size; the
only Python loop is over the distinct devices of a forwarded batch (a few), never over positions. One short
read-only transaction per batch finds the device(s); nothing is written to SQL.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from covernote.identity.usecases import Unauthenticated
from covernote.kernel.errors import FieldIssue, ValidationFailed
from covernote.platform.context import AppContext
from covernote.telematics.domain.devices import (
    Device,
    check_imei,
    data_use_window,
    hash_device_token,
    uk_midnight,
)
from covernote.telematics.domain.filters import screen_batch
from covernote.telematics.domain.positions import POSITION_SCHEMA
from covernote.telematics.results.devices import IngestResult
from covernote.telematics.usecases.devices import stores

# The columns a device sends (POSITION_SCHEMA without the device, which is the URL's, and the receipt time).
SENT_SCHEMA = pa.schema([f for f in POSITION_SCHEMA if f.name not in ("device_id", "received_at")])


def positions_from_rows(rows: Sequence[Mapping[str, Any]], imei: str, received_at: datetime) -> pa.Table:
    """A device's rows (dicts of SENT_SCHEMA's fields, as the REST model or a JSON file gives them) as a
    POSITION_SCHEMA table; the rows are converted by Arrow in one call, not field by field in Python.
    ValidationFailed names the first field Arrow cannot convert."""
    return with_device(positions_sent(rows), imei, received_at)


def positions_sent(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows of SENT_SCHEMA's fields (times as aware datetimes) as a SENT_SCHEMA table, converted by Arrow in
    one call; ValidationFailed when Arrow cannot convert a value."""
    try:
        return pa.Table.from_pylist(list(rows), schema=SENT_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise ValidationFailed("positions are malformed", [FieldIssue("positions", str(exc))]) from exc


def with_device(sent: pa.Table, imei: str, received_at: datetime) -> pa.Table:
    """SENT_SCHEMA columns (a Parquet or JSON file's) completed as POSITION_SCHEMA: the device and the receipt
    time on every row. ValidationFailed names a missing column or a required one with nulls."""
    missing = [f.name for f in SENT_SCHEMA if f.name not in sent.column_names]
    if missing:
        raise ValidationFailed("positions lack columns", [FieldIssue(m, "missing") for m in missing])
    for f in SENT_SCHEMA:
        if not f.nullable and sent.column(f.name).null_count:
            raise ValidationFailed("positions lack values", [FieldIssue(f.name, "required on every position")])
    n = sent.num_rows
    one = pa.array([imei], pa.string())
    cols = {"device_id": one.take(pa.array(np.zeros(n, dtype=np.int32))),
            **{f.name: sent.column(f.name) for f in SENT_SCHEMA},
            "received_at": pa.array(np.full(n, _us(received_at), dtype=np.int64)).cast(POSITION_SCHEMA.field(
                "received_at").type)}
    try:
        return pa.table({f.name: cols[f.name].cast(f.type) for f in POSITION_SCHEMA}, schema=POSITION_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValidationFailed("positions are malformed", [FieldIssue("positions", str(exc))]) from exc


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(at: datetime) -> int:
    """An aware datetime as microseconds since the epoch (exact integer arithmetic)."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _store(ctx: AppContext, table: pa.Table, devices: Mapping[str, Device], now: datetime) -> IngestResult:
    """Screen, hold each device's fixes to its data-use window, append; count every outcome."""
    screened = screen_batch(table, now)
    kept = screened.kept
    n = kept.num_rows
    unknown = refused = outside = 0
    if n:
        enc = pc.dictionary_encode(kept.column("device_id")).combine_chunks()
        codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        ids = enc.dictionary.to_pylist()
        # Per distinct device: accepted at all, and its window's bounds (microseconds); then one mask for all.
        state = np.zeros(len(ids), dtype=np.int8)  # 0 accepted, 1 unknown, 2 not accepting
        lo = np.zeros(len(ids), dtype=np.int64)
        hi = np.full(len(ids), np.iinfo(np.int64).max, dtype=np.int64)
        for k, imei in enumerate(ids):
            d = devices.get(imei)
            if d is None:
                state[k] = 1
            elif not d.state.accepts_data:
                state[k] = 2
            else:
                start, end = data_use_window(d.cover_from, d.cover_until)
                lo[k] = _us(uk_midnight(start))
                if end is not None:
                    hi[k] = _us(uk_midnight(end))
        row_state = state[codes]
        ts = np.asarray(kept.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
        inside = (ts >= lo[codes]) & (ts < hi[codes])
        unknown = int(np.count_nonzero(row_state == 1))
        refused = int(np.count_nonzero(row_state == 2))
        outside = int(np.count_nonzero((row_state == 0) & ~inside))
        keep = (row_state == 0) & inside
        if not keep.all():
            kept = kept.filter(pa.array(keep))
    appended = stores(ctx).positions.append(kept) if kept.num_rows else None
    stored = appended.stored if appended else 0
    return {"received": table.num_rows, "stored": stored,
            "duplicates": screened.counts["duplicate"] + (appended.duplicates if appended else 0),
            "invalid_fix": screened.counts["invalid_fix"], "future_time": screened.counts["future_time"],
            "outside_data_use": outside, "unknown_device": unknown, "not_accepting": refused}


def authenticate_device(ctx: AppContext, imei: str, token: str | None) -> Device:
    """The device whose token this is (401 otherwise: an unknown IMEI is answered as a bad token, so the
    answer never tells which IMEIs exist), accepting data (409 naming the state; after deactivation, that no
    data is accepted)."""
    if not token:
        raise Unauthenticated("a device token is required")
    with ctx.uow(read_only=True) as uow:
        d = uow.telematics_devices.by_imei(imei)
    if d is None or not hmac.compare_digest(d.token_hash, hash_device_token(token)):
        raise Unauthenticated("the device token is not valid for this device")
    d.check_accepts_data()
    return d


def ingest_device(ctx: AppContext, imei: str, token: str | None, rows: Sequence[Mapping[str, Any]]) -> IngestResult:
    """POST /telematics/devices/{imei}/positions (TEL-2): the device's batch, authenticated by its token."""
    d = authenticate_device(ctx, imei, token)
    now = ctx.clock.now()
    return _store(ctx, positions_from_rows(rows, d.imei, now), {d.imei: d}, now)


def ingest_table(ctx: AppContext, imei: str, sent: pa.Table) -> IngestResult:
    """Staff's file import (`covernote telematics ingest FILE`): one device's positions from a file, as if the
    device had sent them (the device must accept data)."""
    imei = check_imei(imei)
    with ctx.uow(read_only=True) as uow:
        d = uow.telematics_devices.by_imei(imei)
    if d is None:
        raise ValidationFailed("no such device", [FieldIssue("imei", f"no device {imei} is registered")])
    d.check_accepts_data()
    now = ctx.clock.now()
    return _store(ctx, with_device(sent, d.imei, now), {d.imei: d}, now)


def check_traccar_secret(ctx: AppContext, secret: str | None) -> None:
    """401 unless the header carries the configured shared secret (Traccar forwarding off: every call 401)."""
    expected = stores(ctx).traccar_secret
    if not expected or not secret or not hmac.compare_digest(expected.encode(), secret.encode()):
        raise Unauthenticated("the Traccar forwarding secret is missing or wrong")


def ingest_forwarded(ctx: AppContext, table: pa.Table) -> IngestResult:
    """POST /telematics/traccar (TEL-2): positions a Traccar server forwarded (already POSITION_SCHEMA, the
    device's IMEI as `device_id`), for devices registered by IMEI; the others are counted, not stored
    (`unknown_device`, `not_accepting`), so Traccar is not made to retry what will never be taken."""
    ids = pc.unique(table.column("device_id")).to_pylist() if table.num_rows else []
    with ctx.uow(read_only=True) as uow:
        devices = uow.telematics_devices.by_imeis([i for i in ids if isinstance(i, str)])
    return _store(ctx, table, devices, ctx.clock.now())

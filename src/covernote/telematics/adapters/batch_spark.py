"""Scoring a whole book of device-days on Apache Spark (TEL-3, TEL-10): the same kernel as the local runner,
over the same Parquet layout (`root/device_id=<IMEI>/day=<YYYY-MM-DD>/part-*.parquet`).

Spark reads the layout (partition values kept as text: an IMEI is not a number), keeps the wanted days, groups
the rows by (device_id, day) and applies one grouped Arrow function (`applyInArrow`) to each group: it casts the
group back to `POSITION_SCHEMA`, runs `domain/pipeline.score_device_day` (the one pipeline) and returns the
device-day's summary row, built by the local runner's `summary_row`, with the whole `DayScore` as JSON so the
driver rebuilds the events exactly. The road network and the ruleset are broadcast to the executors once.

`local_session()` is a small, offline Spark: `local[2]`, no UI, two shuffle partitions, UTC, the driver on the
loopback address. On a cluster, pass a session of your own; the executors' Python needs `covernote` importable.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

import covernote
from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.telematics.adapters.batch_local import SUMMARY_SCHEMA, BatchResult, summary_row, summary_table
from covernote.telematics.domain.filters import first_of_key, sort_positions
from covernote.telematics.domain.pipeline import score_device_day
from covernote.telematics.domain.positions import POSITION_SCHEMA
from covernote.telematics.domain.roads import RoadNetwork
from covernote.telematics.domain.scoring import DayScore

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, GroupedData, SparkSession

# What the grouped function returns: the summary row, and the DayScore as JSON (exact: floats as their repr).
_OUT_SCHEMA = pa.schema([*SUMMARY_SCHEMA, pa.field("score_json", pa.string(), nullable=False)])
_SPARK_TYPES = {pa.string(): "string", pa.date32(): "date", pa.float64(): "double", pa.int32(): "int",
                pa.int64(): "bigint"}
_OUT_DDL = ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in _OUT_SCHEMA)


def local_session(app_name: str = "covernote-telematics", cores: int = 2) -> SparkSession:
    """A small Spark in local mode (`local[cores]`), offline and quiet: no UI, few shuffle partitions, the
    session time zone UTC, the driver bound to 127.0.0.1. The executors' Python is this interpreter
    (`PYSPARK_PYTHON`, unless already set: PySpark reads it from the environment, not the configuration) with
    the source tree this `covernote` came from first on its path, so the executors run the driver's code."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    source_root = str(Path(covernote.__file__).resolve().parents[1])
    return (
        SparkSession.builder.master(f"local[{cores}]").appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executorEnv.PYTHONPATH", source_root)
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def _apply_in_arrow(grouped: GroupedData, df: DataFrame, func: Any, ddl: str) -> DataFrame:
    """`grouped.applyInArrow(func, ddl)`. PySpark 4.3's `applyInArrow` insists on pandas on the driver (it
    goes through `pandas_udf`'s version check) though the grouped Arrow path never uses it (SPARK-53059 took
    that check away from the Arrow UDFs only); without pandas the same plan is built here from the same parts
    (`vectorized_udf` with the grouped-map Arrow type, then the JVM's `flatMapGroupsInArrow`)."""
    if importlib.util.find_spec("pandas") is not None:
        return grouped.applyInArrow(func, schema=ddl)
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql.pandas.functions import vectorized_udf  # type: ignore[attr-defined]
    from pyspark.util import PythonEvalType

    udf = vectorized_udf(func, returnType=ddl, functionType=PythonEvalType.SQL_GROUPED_MAP_ARROW_UDF,
                         kind="pandas")
    column = udf(*[df[c] for c in df.columns])
    return SparkFrame(grouped._jgd.flatMapGroupsInArrow(column._jc), df.sparkSession)


def _to_positions(group: pa.Table) -> pa.Table:
    """A group as Spark hands it over, made what `ParquetPositionStore.read_day` gives for the same day: cast
    back to `POSITION_SCHEMA` (Spark's timestamps carry the session zone), a `seq` repeated across parts (left
    by a crash inside a compaction) kept once, sorted by time then sequence number."""
    t = group.select(POSITION_SCHEMA.names).cast(POSITION_SCHEMA)
    seq = np.asarray(t.column("seq").to_numpy(), dtype=np.int64)
    first = first_of_key(np.zeros(seq.size, dtype=np.int64), seq, np.ones(seq.size, dtype=bool))
    if not first.all():
        t = t.filter(pa.array(first))
    return sort_positions(t).combine_chunks()


def score_batch_spark(spark: SparkSession, root: Path, days: Iterable[date], network: RoadNetwork,
                      rules: TelematicsRules, *, devices: Iterable[str] | None = None) -> BatchResult:
    """Score every stored device-day of `days` (of `devices`, if named) under `root` on Spark (TEL-3): the
    same `BatchResult` the local runner (`batch_local.score_batch`) gives for the same store."""
    from pyspark.sql import functions as F

    wanted_days = sorted({d.isoformat() for d in days})
    if not wanted_days or not any(Path(root).glob("device_id=*/day=*/part-*.parquet")):
        return BatchResult({}, summary_table([]))
    sc = spark.sparkContext
    shared = sc.broadcast((network, rules))

    def score_group(key: tuple[pa.Scalar, ...], group: pa.Table) -> pa.Table:
        net, rls = shared.value
        device_id, day = str(key[0].as_py()), date.fromisoformat(str(key[1].as_py()))
        positions = _to_positions(group)
        scored = score_device_day(positions, net, rls)
        row: dict[str, Any] = summary_row(device_id, day, scored, positions.num_rows)
        row["score_json"] = json.dumps(scored.score.to_dict())
        return pa.Table.from_pylist([row], schema=_OUT_SCHEMA)

    df = spark.read.option("basePath", str(root)).parquet(str(root))
    df = df.where(F.col("day").isin(wanted_days))
    if devices is not None:
        df = df.where(F.col("device_id").isin(sorted(set(devices))))
    out = _apply_in_arrow(df.groupBy("device_id", "day"), df, score_group, _OUT_DDL)
    try:
        table = out.toArrow()
    finally:
        shared.unpersist()
    table = table.sort_by([("device_id", "ascending"), ("day", "ascending")])
    scores: dict[tuple[str, date], DayScore] = {}
    for device, day, text in zip(table["device_id"].to_pylist(), table["day"].to_pylist(),
                                 table["score_json"].to_pylist(), strict=True):
        scores[(device, day)] = DayScore.from_dict(json.loads(text))
    summary = table.drop_columns(["score_json"]).cast(SUMMARY_SCHEMA)
    return BatchResult(scores, summary)


"""TEL-3, TEL-10: the Spark runner (`telematics/adapters/batch_spark.py`, Spark in local mode, grouped Arrow
functions) scores the same stored fleet exactly as the local runner does: the same summary rows, the same
DayScores and the same events, because both call the one pipeline."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from covernote.products.domain.telematics_spec import TelematicsRules
from covernote.telematics.adapters.batch_local import SUMMARY_SCHEMA, score_batch
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.domain.roads import RoadNetwork
from tests.integration.test_telematics_batch import DAYS, DEVICES, build_fleet, network, rules

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.slow, pytest.mark.spark]
pyspark = pytest.importorskip("pyspark")

__all__ = ["network", "rules"]  # the module fixtures, shared with the local runner's tests


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    from covernote.telematics.adapters.batch_spark import local_session

    before = signal.getsignal(signal.SIGINT)
    session = local_session("covernote-test")
    yield session
    session.stop()
    signal.signal(signal.SIGINT, before)  # SparkContext leaves its own SIGINT handler (cancel jobs) installed


@pytest.fixture(scope="module")
def fleet(network: RoadNetwork, tmp_path_factory: pytest.TempPathFactory) -> ParquetPositionStore:
    return build_fleet(network, tmp_path_factory.mktemp("spark-fleet"))


def test_tel3_spark_and_the_local_runner_give_identical_scores(
        spark: SparkSession, fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules) -> None:
    """TEL-3, TEL-10: over three devices and two days (speeding, severe speeding, a night drive, an unknown
    limit, a parked day, a day in two parts) Spark's summary rows, DayScores and events equal the local
    runner's exactly, and the versions recorded are the ruleset's and the map's."""
    from covernote.telematics.adapters.batch_spark import score_batch_spark

    local = score_batch(fleet.root, DAYS, network, rules, workers=2)
    on_spark = score_batch_spark(spark, fleet.root, DAYS, network, rules)
    assert on_spark.summary.schema == SUMMARY_SCHEMA
    assert on_spark.summary.num_rows == 5
    assert on_spark.summary.equals(local.summary)
    assert on_spark.scores == local.scores
    assert on_spark.events().num_rows > 0
    assert on_spark.events().equals(local.events())
    kinds = {e.kind for s in on_spark.scores.values() for e in s.events}
    assert {"speeding", "severe_speeding", "night_driving"} <= kinds
    assert set(on_spark.summary.column("map_version").to_pylist()) == {network.version}
    assert set(on_spark.summary.column("ruleset").to_pylist()) == {rules.ruleset}


def test_tel3_spark_reads_only_the_days_and_devices_asked_for(
        spark: SparkSession, fleet: ParquetPositionStore, network: RoadNetwork, rules: TelematicsRules,
        tmp_path: Path) -> None:
    """TEL-3: one day of one device gives that device-day's row only, equal to the local runner's; an empty
    store gives an empty summary."""
    from covernote.telematics.adapters.batch_spark import score_batch_spark

    one = score_batch_spark(spark, fleet.root, [DAYS[1]], network, rules,
                            devices=[DEVICES[0]])
    local = score_batch(fleet.root, [DAYS[1]], network, rules, devices=[DEVICES[0]], workers=1)
    assert list(one.scores) == [(DEVICES[0], DAYS[1])]
    assert one.summary.equals(local.summary) and one.scores == local.scores
    empty = score_batch_spark(spark, tmp_path, DAYS, network, rules)
    assert empty.summary.num_rows == 0 and empty.scores == {}
    none_that_day = score_batch_spark(spark, fleet.root, [date(2026, 1, 1)], network, rules)
    assert none_that_day.summary.num_rows == 0 and none_that_day.summary.schema == SUMMARY_SCHEMA


def test_tel3_spark_reads_a_day_left_mid_compaction_as_the_store_does(
        spark: SparkSession, network: RoadNetwork, rules: TelematicsRules, tmp_path: Path) -> None:
    """TEL-2, TEL-3: a day whose positions sit twice on disk (a crash between a compaction's new file and the
    removal of the old parts) is scored once per position on Spark, exactly as the local runner (which reads
    with `read_day`) scores it."""
    from covernote.telematics.adapters.batch_spark import score_batch_spark

    store = build_fleet(network, tmp_path)
    day_dir = tmp_path / f"device_id={DEVICES[0]}" / f"day={DAYS[1].isoformat()}"
    parts = sorted(day_dir.glob("part-*.parquet"))
    assert len(parts) == 2
    copy = day_dir / "part-ffffffffffffffffffffffffffffffff.parquet"
    copy.write_bytes(parts[0].read_bytes())  # as if a compaction's new file had landed beside the old
    on_spark = score_batch_spark(spark, store.root, [DAYS[1]], network, rules, devices=[DEVICES[0]])
    local = score_batch(store.root, [DAYS[1]], network, rules, devices=[DEVICES[0]], workers=1)
    assert on_spark.summary.equals(local.summary) and on_spark.scores == local.scores
    assert on_spark.summary.column("positions")[0].as_py() == store.read_day(DEVICES[0], DAYS[1]).num_rows

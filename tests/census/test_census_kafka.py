"""``contracts census`` on librdkafka's mock cluster: exact counts from one process, start
points, two processes in one consumer group splitting the partitions and merging into the
single-process report, verification, and the errors a user can cause."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from confluent_kafka import Consumer, TopicPartition

from devicecontracts.catalog.census import CensusReport, PartitionCensus, Seen
from devicecontracts.census.ids import LockIds
from devicecontracts.census.reader import CensusOptions, Start, run_census
from devicecontracts.cli import main

from .conftest import (
    ENV,
    IDS,
    PARTITIONS,
    SUBJECT,
    UNKNOWN_ID,
    Sent,
    framed,
    produce,
)

ROOT = Path(__file__).resolve().parents[2]


def seen_of(records: list[Sent]) -> Seen:
    stamps = [r.timestamp_ms for r in records]
    return Seen(len(records), min(stamps), max(stamps))


def expected(records: list[Sent], topic_records: list[Sent] | None = None) -> dict[str, Any]:
    """What a census of ``records`` must report, from the labels the test gave them.

    Offsets are positions among ``topic_records`` (every record of the topic) per partition.
    """
    everything = topic_records or records
    offsets = {}
    for p in range(PARTITIONS):
        for offset, r in enumerate(x for x in everything if x.partition == p):
            offsets[id(r)] = offset

    def group(kind: str) -> dict[Any, Seen]:
        keys = sorted({r.label[1] for r in records if r.label[0] == kind})
        return {k: seen_of([r for r in records if r.label == (kind, k)]) for k in keys}

    partitions = {}
    for p in range(PARTITIONS):
        mine = [r for r in records if r.partition == p]
        if mine:
            partitions[p] = (offsets[id(mine[0])], offsets[id(mine[-1])], seen_of(mine))
    return {
        "versions": {(SUBJECT, v): s for v, s in group("version").items()},
        "unknown": group("unknown"),
        "unframed": group("unframed"),
        "partitions": partitions,
    }


def observed(report: CensusReport) -> dict[str, Any]:
    return {
        "versions": dict(report.versions()),
        "unknown": dict(report.unknown_ids()),
        "unframed": dict(sorted(report.unframed().items())),
        "partitions": {
            p.partition: (p.first_offset, p.last_offset, p.seen) for p in report.partitions
        },
    }


def counted(part: PartitionCensus) -> tuple[Any, ...]:
    return (
        part.partition,
        part.first_offset,
        part.last_offset,
        dict(part.schema_ids),
        dict(part.unframed),
        part.seen,
    )


def census(bootstrap: str, topic: str, catalog_dir: Path, *extra: str) -> tuple[int, str, str]:
    """``contracts census`` in this process; (exit code, stdout, stderr)."""
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "census",
            topic,
            "--bootstrap-servers",
            bootstrap,
            "--env",
            ENV,
            "--catalog",
            str(catalog_dir),
            *extra,
        ],
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def test_one_process_reports_exact_counts(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]], tmp_path: Path
) -> None:
    topic, records = mixed_topic
    out = tmp_path / "one.json"
    code, stdout, stderr = census(cluster, topic, catalog_dir, "--out", str(out))
    assert code == 0, stderr
    report = CensusReport.from_json(out.read_text(), source=str(out))
    assert observed(report) == expected(records)
    assert report.known == {IDS[1]: (SUBJECT, 1), IDS[2]: (SUBJECT, 2), IDS[3]: (SUBJECT, 3)}
    assert report.unknown_ids().keys() == {UNKNOWN_ID}
    assert set(report.unframed()) == {"tombstone", "empty", "json", "other"}
    assert report.total().count == len(records)
    assert (report.environment, report.group, report.start) == (ENV, None, "earliest")
    # the table names every version, the unknown id, each unframed kind, each partition
    assert f"{SUBJECT}  " in stdout
    assert "unknown schema id 999" in stdout
    for kind in ("tombstone", "empty", "json", "other"):
        assert f"not framed: {kind}" in stdout
    assert "2025-12-01 00:00:00Z" in stdout
    assert stderr == ""  # no progress line on a short run without a terminal


def test_the_default_report_lands_in_the_catalog(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]]
) -> None:
    from devicecontracts.catalog import load_catalog
    from devicecontracts.catalog.census import latest_census, read_census

    topic, records = mixed_topic
    code, stdout, stderr = census(cluster, topic, catalog_dir, "--format", "json")
    assert code == 0, stderr
    path = catalog_dir / "census" / ENV / f"{topic}.json"
    assert json.loads(stdout) == json.loads(path.read_text())
    latest = latest_census(read_census(catalog_dir), topic)
    assert latest is not None
    assert latest.total().count == len(records)
    assert load_catalog(catalog_dir).problems == []  # census/ is not a contract folder


def test_latest_n_reads_the_last_n_records_of_each_partition(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]], tmp_path: Path
) -> None:
    topic, records = mixed_topic
    out = tmp_path / "latest.json"
    code, _, stderr = census(cluster, topic, catalog_dir, "--from", "latest:3", "--out", str(out))
    assert code == 0, stderr
    tail = [r for p in range(PARTITIONS) for r in [x for x in records if x.partition == p][-3:]]
    report = CensusReport.from_json(out.read_text(), source=str(out))
    assert observed(report) == expected(tail, records)
    assert report.start == "latest:3"


def test_max_messages_bounds_the_read(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]], tmp_path: Path
) -> None:
    topic, _ = mixed_topic
    out = tmp_path / "bounded.json"
    code, _, stderr = census(cluster, topic, catalog_dir, "--max-messages", "7", "--out", str(out))
    assert code == 0, stderr
    report = CensusReport.from_json(out.read_text(), source=str(out))
    assert report.total().count == 7
    assert report.max_messages == 7


class _TimeIndexed(Consumer):
    """A consumer whose ``offsets_for_times`` answers from the records the test produced.

    librdkafka's mock cluster keeps no time index (it answers -1, "after the last record", for
    any time); this stands in for the broker's ListOffsets answer and nothing else: seeking,
    reading and counting are the cluster's and the census's own.
    """

    records: ClassVar[list[Sent]] = []

    def offsets_for_times(self, partitions: list[TopicPartition], timeout: float = -1) -> Any:
        answer = []
        for tp in partitions:
            mine = [r for r in self.records if r.partition == tp.partition]
            first = next((i for i, r in enumerate(mine) if r.timestamp_ms >= tp.offset), -1)
            answer.append(TopicPartition(tp.topic, tp.partition, first))
        return answer


def test_a_time_start_reads_from_the_first_record_at_or_after_it(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]]
) -> None:
    topic, records = mixed_topic
    cutoff = sorted(r.timestamp_ms for r in records)[len(records) // 2]
    start = Start.parse(datetime.fromtimestamp(cutoff / 1000, UTC).isoformat())
    assert start.time_ms == cutoff
    _TimeIndexed.records = records
    ids = LockIds(catalog_dir, ENV)
    report = run_census(
        CensusOptions(topic, cluster, start=start), ids, consumer_factory=_TimeIndexed
    )
    later = [r for r in records if r.timestamp_ms >= cutoff]  # timestamps rise per partition
    assert observed(report) == expected(later, records)


def test_two_processes_in_one_group_split_the_partitions_and_merge_exactly(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]], tmp_path: Path
) -> None:
    topic, records = mixed_topic
    single = tmp_path / "single.json"
    assert census(cluster, topic, catalog_dir, "--out", str(single))[0] == 0

    def start(name: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devicecontracts",
                "census",
                topic,
                "--bootstrap-servers",
                cluster,
                "--group",
                "census-split",
                "--env",
                ENV,
                "--catalog",
                str(catalog_dir),
                "--out",
                str(tmp_path / f"{name}.json"),
                "--format",
                "json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )

    processes = [start("a"), start("b")]
    try:
        outcomes = [p.communicate(timeout=120) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_, err) in zip(processes, outcomes, strict=True):
        assert p.returncode == 0, err
        assert "could not commit" not in err  # the one that ends first leaves mid-rebalance
    a, b = (CensusReport.from_json((tmp_path / f"{n}.json").read_text(), source=n) for n in "ab")
    read_a = {part.partition for part in a.partitions}
    read_b = {part.partition for part in b.partitions}
    assert read_a and read_b, (read_a, read_b)  # Kafka gave each process some partitions
    assert read_a.isdisjoint(read_b)
    assert read_a | read_b == set(range(PARTITIONS))
    assert a.group == b.group == "census-split"

    merged_path = tmp_path / "merged.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "devicecontracts",
            "census",
            "merge",
            str(tmp_path / "a.json"),
            str(tmp_path / "b.json"),
            "--out",
            str(merged_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    merged = CensusReport.from_json(merged_path.read_text(), source="merged")
    one = CensusReport.from_json(single.read_text(), source="single")
    assert [counted(p) for p in merged.partitions] == [counted(p) for p in one.partitions]
    assert merged.versions() == one.versions()
    assert merged.unknown_ids() == one.unknown_ids()
    assert merged.unframed() == one.unframed()
    assert merged.known == one.known
    assert merged.readers == 2
    assert observed(merged) == expected(records)


def test_merging_overlapping_reports_is_a_clear_error(
    cluster: str, catalog_dir: Path, mixed_topic: tuple[str, list[Sent]], tmp_path: Path
) -> None:
    topic, _ = mixed_topic
    out = tmp_path / "once.json"
    assert census(cluster, topic, catalog_dir, "--out", str(out))[0] == 0
    result = CliRunner().invoke(main, ["census", "merge", str(out), str(out)])
    assert result.exit_code == 2
    assert "both read partition 0" in result.stderr
    assert "overlap" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_verify_names_the_partition_and_offset_of_a_corrupt_body(
    cluster: str, catalog_dir: Path, tmp_path: Path
) -> None:
    topic = "fleet.pings.verify"
    good = [
        Sent(p, 1_000 + i, ("version", 2), framed(IDS[2], 2, i)) for p in (0, 1) for i in range(3)
    ]
    bad = [
        Sent(1, 2_000, ("version", 2), b"\x00" + IDS[2].to_bytes(4, "big") + b"\xff\xff\xff"),
        Sent(2, 2_001, ("version", 1), framed(IDS[1], 1, 5) + b"\x00\x00"),  # trailing bytes
    ]
    produce(cluster, topic, good + bad)
    out = tmp_path / "verify.json"
    code, stdout, stderr = census(cluster, topic, catalog_dir, "--verify", "--out", str(out))
    assert code == 1, stderr
    assert "partition 1, offset 3, schema id 12" in stdout
    assert "partition 2, offset 0, schema id 11" in stdout
    assert "bytes left after the record" in stdout
    report = CensusReport.from_json(out.read_text(), source=str(out))
    assert report.verification is not None
    assert report.verification.sampled == len(good) + len(bad)
    assert [(f.partition, f.offset) for f in report.verification.failures] == [(1, 3), (2, 0)]
    # without --verify nothing is decoded: the same records count, nothing is reported
    code, stdout, _ = census(cluster, topic, catalog_dir, "--out", str(out))
    assert code == 0
    assert "did not decode" not in stdout


def test_a_malformed_report_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "devicecontracts-census/1", "topic": 3}')
    result = CliRunner().invoke(main, ["census", "merge", str(bad)])
    assert result.exit_code == 2
    assert (
        f"{bad.as_posix()}: not a census report: topic must be a non-empty string" in result.stderr
    )
    assert "Traceback" not in result.output + result.stderr
    missing = CliRunner().invoke(main, ["census", "merge", str(tmp_path / "none.json")])
    assert missing.exit_code == 2
    assert "none.json" in missing.stderr


def test_bad_arguments_exit_2(cluster: str, catalog_dir: Path) -> None:
    for extra, message in (
        (("--from", "yesterday"), "expected earliest, latest:N"),
        (("--env", "nowhere"), "no schema ids for environment 'nowhere'"),
        (("-X", "novalue"), "is not key=value"),
        (("--max-messages", "0"), "--max-messages"),
    ):
        code, _, stderr = census(cluster, "fleet.pings", catalog_dir, *extra)
        assert code == 2, (extra, stderr)
        assert message in stderr, (extra, stderr)


def test_an_unknown_topic_exits_2(cluster: str, catalog_dir: Path) -> None:
    code, _, stderr = census(cluster, "no.such.topic", catalog_dir)
    assert code == 2
    assert "topic 'no.such.topic' is not on the cluster" in stderr


SECRET = "s3cr3t-Kafka-Passw0rd"


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def test_an_unreachable_broker_exits_3_naming_it_without_secrets(
    catalog_dir: Path, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    code, stdout, stderr = census(
        "127.0.0.1:1",
        "fleet.pings",
        catalog_dir,
        "--connect-timeout",
        "2",
        "-X",
        "sasl.username=census",
        "-X",
        f"sasl.password={SECRET}",
        "-X",
        "debug=broker,conf",
    )
    assert code == 3
    assert "no Kafka broker at 127.0.0.1:1 answered within 2 s" in stderr
    assert SECRET not in stdout + stderr + every_logger_at_debug.text


def test_no_secret_reaches_any_output_or_log(
    cluster: str,
    catalog_dir: Path,
    mixed_topic: tuple[str, list[Sent]],
    tmp_path: Path,
    every_logger_at_debug: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    topic, records = mixed_topic
    config = tmp_path / "client.properties"
    config.write_text(
        f"# a Confluent Cloud style file\nsasl.username=census\nsasl.password={SECRET}\n"
        f"sasl.oauthbearer.client.secret={SECRET}x\n"
    )
    code, stdout, stderr = census(
        cluster, topic, catalog_dir, "--kafka-config", str(config), "-X", "debug=all"
    )
    assert code == 0, stderr
    assert f"{len(records)} records" in stdout
    seen = capfd.readouterr()
    assert every_logger_at_debug.records  # librdkafka's debug lines did reach logging
    for text in (stdout, stderr, seen.out, seen.err, every_logger_at_debug.text):
        assert SECRET not in text

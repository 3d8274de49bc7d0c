"""Census runs that share a consumer group resume where the group left off, and ids mapped
through a schema registry (with credentials that never show)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from devicecontracts.catalog.census import CensusReport, merge
from devicecontracts.cli import main
from devicecontracts.testing.registry import LocalRegistry

from .conftest import ENV, PARTITIONS, SCHEMAS, Sent, framed, produce, the_mix
from .test_census_kafka import counted, observed

REGISTRY_SECRET = "registry-S3cret-value"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["census", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_second_run_in_the_same_group_resumes_from_its_commits(
    cluster: str, catalog_dir: Path, tmp_path: Path
) -> None:
    topic = "fleet.pings.resume"
    produce(cluster, topic, the_mix())
    # The mock cluster rebalances a group only once a member that left is past its session
    # timeout, whatever LeaveGroup said: the shortest session it accepts keeps this test short.
    session = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]
    common = ["-b", cluster, "--env", ENV, "--catalog", str(catalog_dir), *session]
    assert run(topic, *common, "--out", str(tmp_path / "all.json"))[0] == 0
    first = run(
        topic,
        *common,
        "--group",
        "resume",
        "--max-messages",
        "20",
        "--out",
        str(tmp_path / "first.json"),
    )
    assert first[0] == 0, first[2]
    rest = run(topic, *common, "--group", "resume", "--out", str(tmp_path / "rest.json"))
    assert rest[0] == 0, rest[2]
    a, b, whole = (
        CensusReport.from_json((tmp_path / f"{n}.json").read_text(), source=n)
        for n in ("first", "rest", "all")
    )
    assert a.total().count == 20
    assert b.total().count == whole.total().count - 20  # nothing read twice, nothing skipped
    merged = merge([a, b])
    assert [counted(p) for p in merged.partitions] == [counted(p) for p in whole.partitions]
    assert observed(merged) == observed(whole)
    # a third run finds every partition at the group's committed end and reads nothing
    again = run(topic, *common, "--group", "resume", "--out", str(tmp_path / "none.json"))
    assert again[0] == 0, again[2]
    assert json.loads((tmp_path / "none.json").read_text())["partitions"] == []


@pytest.fixture
def registry() -> Iterator[LocalRegistry]:
    with LocalRegistry(basic_auth=("census-key", REGISTRY_SECRET)) as running:
        yield running


def test_ids_map_through_a_registry_and_its_secret_never_shows(
    cluster: str,
    registry: LocalRegistry,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    topic = "fleet.pings.registry"
    subject = f"{topic}-value"
    registry.register("other-subject", SCHEMAS[1])  # the same schema under another subject
    ids = {v: registry.register(subject, SCHEMAS[v]).id for v in (1, 2, 3)}
    records = [
        Sent(p, 1_000 * (p + 1) + i, ("version", v), framed(ids[v], v, i))
        for p in range(PARTITIONS)
        for i, v in enumerate((1, 2, 3, 1))
    ]
    records.append(Sent(0, 9_000, ("unknown", 4242), framed(4242, None, 0)))
    produce(cluster, topic, records)
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    catalog = tmp_path / "schemas"
    code, stdout, stderr = run(
        topic,
        "-b",
        cluster,
        "--registry",
        registry.url,
        "--api-key",
        "census-key",
        "--api-secret",
        REGISTRY_SECRET,
        "--catalog",
        str(catalog),
        "--verify",
    )
    assert code == 0, stderr
    path = catalog / "census" / "registry" / f"{topic}.json"
    report = CensusReport.from_json(path.read_text(), source=str(path))
    assert report.environment is None
    assert report.registry == registry.url
    assert report.versions() == {
        (subject, 1): observed(report)["versions"][(subject, 1)],
        (subject, 2): observed(report)["versions"][(subject, 2)],
        (subject, 3): observed(report)["versions"][(subject, 3)],
    }
    assert {k: s.count for k, s in report.versions().items()} == {
        (subject, 1): 8,
        (subject, 2): 4,
        (subject, 3): 4,
    }
    assert report.unknown_ids().keys() == {4242}
    assert report.verification is not None
    assert (report.verification.sampled, report.verification.failures) == (16, ())
    assert f"ids through registry {registry.url}" in stdout
    seen = capfd.readouterr()
    for text in (stdout, stderr, seen.out, seen.err, caplog.text, path.read_text()):
        assert REGISTRY_SECRET not in text

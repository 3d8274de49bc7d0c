"""The census report model (catalog/census.py): totals, JSON round trip, merge, reading the
catalog's census folder, and clear errors for malformed files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devicecontracts.catalog import load_catalog
from devicecontracts.catalog.census import (
    FORMAT,
    CensusReport,
    PartitionCensus,
    Seen,
    Verification,
    VerifyFailure,
    latest_census,
    merge,
    read_census,
    report_path,
)
from devicecontracts.errors import CatalogError

WHEN = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def part(number: int, first: int | None, last: int | None, **ids: Seen) -> PartitionCensus:
    schema_ids = {int(k.removeprefix("id")): v for k, v in ids.items()}
    total = Seen(0)
    for seen in schema_ids.values():
        total = total.plus(seen)
    unframed = {"json": Seen(1, 5, 5)}
    return PartitionCensus(number, first, last, schema_ids, unframed, total.plus(Seen(1, 5, 5)))


def report(*parts: PartitionCensus, group: str | None = "g", when: datetime = WHEN) -> CensusReport:
    return CensusReport(
        topic="fleet.telemetry",
        environment="prod",
        finished_at=when,
        partitions=parts,
        known={1: ("telemetry", 1), 2: ("telemetry", 2)},
        group=group,
    )


def test_totals_per_version_unknown_ids_and_unframed() -> None:
    r = report(
        part(0, 0, 9, id1=Seen(3, 10, 30), id2=Seen(2, 20, 25), id99=Seen(1, 7, 7)),
        part(1, 0, 4, id1=Seen(4, 5, 40)),
    )
    assert r.versions() == {("telemetry", 1): Seen(7, 5, 40), ("telemetry", 2): Seen(2, 20, 25)}
    assert r.unknown_ids() == {99: Seen(1, 7, 7)}
    assert r.unframed() == {"json": Seen(2, 5, 5)}
    assert r.total().count == 12
    assert r.is_live("telemetry", 2)
    assert not r.is_live("telemetry", 3)


def test_json_round_trip_is_exact_and_deterministic() -> None:
    r = CensusReport(
        topic="t",
        environment=None,
        registry="http://127.0.0.1:8081",
        finished_at=WHEN,
        partitions=(
            part(0, 3, 8, id1=Seen(2, None, None), id7=Seen(1, -5, -5)),
            part(2, None, None),
        ),
        known={1: ("a", 1)},
        start="latest:10",
        max_messages=100,
        duration_s=2.5,
        verification=Verification(3, (VerifyFailure(0, 4, 1, "bad"),)),
    )
    text = r.to_json()
    assert json.loads(text)["format"] == FORMAT
    again = CensusReport.from_json(text, source="r.json")
    assert again == r
    assert again.to_json() == text
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_merge_sums_partitions_of_different_readers() -> None:
    a = report(part(0, 0, 9, id1=Seen(3, 10, 30)))
    b = report(part(1, 0, 4, id2=Seen(4, 5, 40), id99=Seen(1, 1, 1)))
    merged = merge([a, b])
    assert [p.partition for p in merged.partitions] == [0, 1]
    assert merged.versions() == {
        ("telemetry", 1): Seen(3, 10, 30),
        ("telemetry", 2): Seen(4, 5, 40),
    }
    assert merged.unknown_ids() == {99: Seen(1, 1, 1)}
    assert merged.readers == 2
    assert merge([b, a]) == merged


def test_merge_joins_disjoint_ranges_of_one_partition_and_refuses_overlaps() -> None:
    a = report(part(0, 0, 9, id1=Seen(3, 10, 30)))
    b = report(part(0, 10, 19, id1=Seen(2, 40, 50)))
    joined = merge([a, b])
    only = joined.partitions[0]
    assert (only.first_offset, only.last_offset) == (0, 19)
    assert only.schema_ids == {1: Seen(5, 10, 50)}
    overlapping = report(part(0, 9, 12, id1=Seen(1, 1, 1)))
    with pytest.raises(CatalogError, match=r"partition 0 .*0\.\.9 and 9\.\.12"):
        merge([a, overlapping])


def test_merge_refuses_other_topics_id_sources_and_nothing() -> None:
    a = report(part(0, 0, 9))
    with pytest.raises(CatalogError, match="different topics"):
        merge([a, CensusReport("other", "prod", WHEN)])
    with pytest.raises(CatalogError, match="mapped ids differently"):
        merge([a, CensusReport("fleet.telemetry", "dev", WHEN)])
    with pytest.raises(CatalogError, match="nothing to merge"):
        merge([])
    a = report(part(0, 0, 9, id1=Seen(1, 1, 1)))
    clash = CensusReport(
        "fleet.telemetry", "prod", WHEN, (part(1, 0, 0, id1=Seen(1, 1, 1)),), {1: ("alarm", 1)}
    )
    with pytest.raises(CatalogError, match="schema id 1"):
        merge([a, clash])


def test_read_census_and_latest(tmp_path: Path) -> None:
    old = report(part(0, 0, 1), when=WHEN.replace(hour=1))
    new = report(part(0, 0, 2))
    reg = CensusReport("fleet.telemetry", None, WHEN.replace(hour=5))
    for r, env in ((old, "staging"), (new, "prod"), (reg, None)):
        path = report_path(tmp_path, r.topic, env)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(r.to_json())
    assert report_path(tmp_path, "t", None) == tmp_path / "census" / "registry" / "t.json"
    reports = read_census(tmp_path)
    assert len(reports) == 3
    assert latest_census(reports, "fleet.telemetry") == reg
    assert latest_census(reports, "fleet.telemetry", environment="prod") == new
    assert latest_census(reports, "fleet.telemetry", environment=None) == reg
    assert latest_census(reports, "nope") is None
    assert read_census(tmp_path / "missing") == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not JSON"),
        ("[]", "the document must be an object"),
        ('{"format": "x"}', "format"),
        (json.dumps({"format": FORMAT, "topic": "t"}), "finished_at"),
        (
            json.dumps({"format": FORMAT, "topic": "t", "finished_at": "2026-01-01T00:00:00Z"}),
            "partitions must be a list",
        ),
        (
            json.dumps(
                {
                    "format": FORMAT,
                    "topic": "t",
                    "finished_at": "2026-01-01T00:00:00Z",
                    "partitions": [{"partition": 0, "seen": {"count": "many"}}],
                }
            ),
            r"partitions\[0\]\.seen\.count",
        ),
        (
            json.dumps(
                {
                    "format": FORMAT,
                    "topic": "t",
                    "finished_at": "2026-01-01T00:00:00Z",
                    "partitions": [
                        {"partition": 0, "first_offset": 5, "last_offset": 2, "seen": {"count": 0}}
                    ],
                }
            ),
            "do not form a range",
        ),
    ],
)
def test_a_malformed_report_names_its_file(text: str, problem: str) -> None:
    with pytest.raises(CatalogError, match=problem) as caught:
        CensusReport.from_json(text, source="census/prod/t.json")
    assert str(caught.value).startswith("census/prod/t.json: not a census report")


def test_read_census_names_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "census" / "prod" / "t.json"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(CatalogError, match=r"t\.json"):
        read_census(tmp_path)


def test_a_census_folder_is_not_an_undeclared_contract_folder(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "schemas"
    (catalog_dir / "census" / "prod").mkdir(parents=True)
    (catalog_dir / "catalog.toml").write_text(
        '[messages.ping]\ntopic = "ping"\ndirection = "device-to-cloud"\n'
    )
    (catalog_dir / "ping").mkdir()
    (catalog_dir / "ping" / "v1.avsc").write_text(
        '{"type": "record", "name": "Ping", "fields": [{"name": "n", "type": "int"}]}'
    )
    (catalog_dir / "census" / "prod" / "t.json").write_text(report().to_json())
    (catalog_dir / "census" / "stray.avsc").write_text("{}")
    assert load_catalog(catalog_dir).problems == []

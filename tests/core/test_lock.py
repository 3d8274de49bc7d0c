"""Specification of the lock of released versions: `devicecontracts.catalog.lock`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devicecontracts.catalog import Catalog, SchemaVersion, load_catalog
from devicecontracts.catalog.lock import (
    Lock,
    LockEntry,
    Reference,
    content_hash,
    read_lock,
    record_releases,
    write_lock,
)
from devicecontracts.errors import LockError

from ..support.catalogs import BUNDLED, copy_bundled


def sample_lock(path: Path) -> Lock:
    """A lock with two subjects, references and registry ids."""
    lock = Lock(path)
    lock.subjects["com.example.Header"] = {1: LockEntry("sha256:aa", "sha256:bb")}
    lock.subjects["fleet.reading-value"] = {
        1: LockEntry(
            "sha256:11",
            "sha256:22",
            (Reference("com.example.Header", "com.example.Header", 1),),
            {"prod": 7, "dev": 3},
        ),
        2: LockEntry("sha256:33", "sha256:44"),
    }
    return lock


def test_missing_lock_file_is_an_empty_lock(tmp_path: Path) -> None:
    """Reading a lock that does not exist gives a lock with nothing released."""
    lock = read_lock(tmp_path / "contracts.lock.json")
    assert lock.subjects == {}
    assert lock.released("anything") == {}
    assert lock.entry("anything", 1) is None


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    """A written lock reads back equal: entries, references and ids."""
    lock = sample_lock(tmp_path / "contracts.lock.json")
    write_lock(lock)
    again = read_lock(lock.path)
    assert again.subjects == lock.subjects


def test_written_lock_is_sorted_json(tmp_path: Path) -> None:
    """The lock file is JSON with format 1 and subjects in sorted order, so it diffs cleanly."""
    lock = sample_lock(tmp_path / "contracts.lock.json")
    write_lock(lock)
    data = json.loads(lock.path.read_text())
    assert data["format"] == 1
    assert list(data["subjects"]) == sorted(data["subjects"])
    assert list(data["subjects"]["fleet.reading-value"]["1"]["ids"]) == ["dev", "prod"]


def test_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    """After writing, the folder holds the lock file and nothing else."""
    write_lock(sample_lock(tmp_path / "contracts.lock.json"))
    write_lock(sample_lock(tmp_path / "contracts.lock.json"))
    assert [p.name for p in tmp_path.iterdir()] == ["contracts.lock.json"]


def test_write_replaces_the_previous_lock(tmp_path: Path) -> None:
    """Writing over an existing lock replaces its content entirely."""
    path = tmp_path / "contracts.lock.json"
    write_lock(sample_lock(path))
    smaller = Lock(path, {"only-value": {1: LockEntry("sha256:1", "sha256:2")}})
    write_lock(smaller)
    assert list(read_lock(path).subjects) == ["only-value"]


def test_failed_write_raises_lock_error_and_cleans_up(tmp_path: Path) -> None:
    """A lock that cannot be written raises LockError and leaves no temporary file behind."""
    # A directory where the lock should be: the final rename fails after the temp file exists.
    (tmp_path / "contracts.lock.json").mkdir()
    with pytest.raises(LockError):
        write_lock(sample_lock(tmp_path / "contracts.lock.json"))
    assert [p.name for p in tmp_path.iterdir()] == ["contracts.lock.json"]


def test_bundled_lock_reads(tmp_path: Path) -> None:
    """The bundled lock file reads, with entries for the shared types."""
    lock = read_lock(BUNDLED / "contracts.lock.json")
    assert lock.entry("com.acme.fleet.common.GeoPoint", 1) is not None


MALFORMED = {
    "not JSON": "{",
    "not an object": "[]",
    "no format": '{"subjects": {}}',
    "another format": '{"format": 2, "subjects": {}}',
    "version not a number": (
        '{"format": 1, "subjects": {"s": {"one": {"fingerprint": "a", "content": "b"}}}}'
    ),
    "entry without fingerprint": '{"format": 1, "subjects": {"s": {"1": {"content": "b"}}}}',
    "subjects not an object": '{"format": 1, "subjects": []}',
    "reference without version": (
        '{"format": 1, "subjects": {"s": {"1": {"fingerprint": "a", "content": "b", '
        '"references": [{"name": "n", "subject": "s"}]}}}}'
    ),
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_lock_is_a_lock_error(tmp_path: Path, text: str) -> None:
    """A lock file that is not a valid lock raises LockError naming the file."""
    path = tmp_path / "contracts.lock.json"
    path.write_text(text)
    with pytest.raises(LockError) as caught:
        read_lock(path)
    assert caught.value.location.file == str(path)


def test_lock_that_is_not_json_reports_line_and_column(tmp_path: Path) -> None:
    """A lock file with a JSON syntax error reports where it is."""
    path = tmp_path / "contracts.lock.json"
    path.write_text('{\n  "format": 1,\n  "subjects": {,}\n}')
    with pytest.raises(LockError) as caught:
        read_lock(path)
    assert (caught.value.location.line, caught.value.location.column) == (3, 16)


def test_content_hash_ignores_key_order_and_whitespace() -> None:
    """content_hash is the same for JSON documents that differ only in key order."""
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})


def test_content_hash_sees_a_doc_change() -> None:
    """content_hash differs when any attribute differs, docs included."""
    assert content_hash({"type": "int", "doc": "x"}) != content_hash({"type": "int", "doc": "y"})


def test_reference_version_is_found_by_full_name() -> None:
    """A lock entry answers the pinned version of a reference by its full name."""
    entry = LockEntry("f", "c", (Reference("a.B", "a.B", 3),))
    assert entry.reference_version("a.B") == 3
    assert entry.reference_version("a.C") is None


def test_release_mints_one_entry_and_keeps_it(tmp_path: Path) -> None:
    """Lock.release records a version's fingerprint, content hash and pinned references once;
    releasing it again keeps the first entry."""
    catalog = load_catalog(copy_bundled(tmp_path / "schemas"))
    catalog.lock.subjects.clear()
    contract = catalog.contracts["telemetry"]
    v = contract.versions[-1]
    assert v.schema is not None
    entry = catalog.lock.release(contract.subject, v)
    assert entry == LockEntry(v.schema.fingerprint, content_hash(v.schema.source), v.references)
    assert entry.references, "telemetry references its shared header"
    entry.ids["prod"] = 1
    assert catalog.lock.release(contract.subject, v) is entry


def test_record_releases_adds_each_parsed_unreleased_version_once(tmp_path: Path) -> None:
    """record_releases releases every version not in the lock, then finds nothing to add."""
    catalog = load_catalog(copy_bundled(tmp_path / "schemas"))
    catalog.lock.subjects.clear()
    added = record_releases(catalog)
    assert len(added) == sum(len(c.versions) for c in catalog.contracts.values())
    assert all(catalog.lock.entry(s, n) is not None for s, n in added)
    assert record_releases(catalog) == []


@pytest.mark.parametrize(
    "source",
    [
        {"b": 1, "a": [1.5, 2e300, -0.0, 10**30, None, True], "\u00fc": '\u00e9\u2028"\\\n'},
        "plain",
        [],
        {"type": "record", "name": "R", "fields": [{"type": "int", "name": "x", "doc": "\u00b0C"}]},
    ],
)
def test_content_hash_is_sha256_of_sorted_compact_json(source: object) -> None:
    """The hash the lock records: json.dumps with sorted keys, no whitespace, UTF-8 as is."""
    import hashlib
    import json

    text = json.dumps(source, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert content_hash(source) == "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_loading_hashes_released_versions_as_their_source(tmp_path: Path) -> None:
    """Each version the lock releases carries the content hash of its file, made while
    loading; it is the hash of the schema's source, which the lock check compares with the
    lock's. Versions not released carry none."""
    root = copy_bundled(tmp_path / "schemas")
    catalog = load_catalog(root)
    versions = [v for c in catalog.contracts.values() for v in c.versions]
    released = [v for v in versions if catalog.lock.entry(_subject(catalog, v), v.version)]
    assert released
    for v in versions:
        assert v.schema is not None
        if v in released:
            assert v.content == content_hash(v.schema.source)
        else:
            assert v.content is None
    edited = released[0]
    edited.file.write_text(edited.text.replace("{", '{"x-edited": true, ', 1), encoding="utf-8")
    reloaded = load_catalog(root)
    again = next(
        v for v in reloaded.contracts[edited.contract].versions if v.version == edited.version
    )
    assert again.content is not None and again.content != edited.content


def _subject(catalog: Catalog, v: SchemaVersion) -> str:
    return catalog.contracts[v.contract].subject

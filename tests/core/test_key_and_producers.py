"""A message's ``key`` and ``producers`` in catalog.toml: read onto `Contract`, type-checked
with errors naming the file, the contract and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from devicecontracts.catalog import load_catalog
from devicecontracts.errors import CatalogError

from ..support.catalogs import BUNDLED, field, make_catalog, message_toml, record


def _catalog(root: Path, extra: str) -> Path:
    schema = record("Reading", [field("device_id", "string")])
    return make_catalog(root, message_toml(extra=extra), {"reading": [schema]})


def test_key_and_producers_are_read(tmp_path: Path) -> None:
    root = _catalog(
        tmp_path,
        'key = "device_id, the device serial (string)"\n'
        'producers = ["sensor-node firmware 2.x", "fleet-command-service"]\n',
    )
    contract = load_catalog(root).contracts["reading"]
    assert contract.key == "device_id, the device serial (string)"
    assert contract.producers == ("sensor-node firmware 2.x", "fleet-command-service")


def test_both_are_optional(tmp_path: Path) -> None:
    contract = load_catalog(_catalog(tmp_path, "")).contracts["reading"]
    assert (contract.key, contract.producers) == (None, ())


def test_the_bundled_messages_declare_both() -> None:
    catalog = load_catalog(BUNDLED)
    messages = [c for c in catalog.contracts.values() if c.kind.value == "message"]
    assert messages
    assert all(c.key and c.producers for c in messages)
    assert catalog.contracts["command"].producers == ("fleet-command-service",)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("key = 7\n", "'key' of 'reading' must be a string"),
        ('key = ["device_id"]\n', "'key' of 'reading' must be a string"),
        ('key = "  "\n', "'key' of 'reading' is empty"),
        ('producers = "sensor-node firmware"\n', "'producers' of 'reading' must be a list"),
        ("producers = [1, 2]\n", "'producers' of 'reading' must be a list of non-empty strings"),
        ('producers = ["ok", ""]\n', "'producers' of 'reading' must be a list of non-empty"),
        ('producers = ["a", "b", "a"]\n', "'producers' of 'reading' names ['a'] more than once"),
        ("[messages.reading.producers]\nx = 1\n", "'producers' of 'reading' must be a list"),
    ],
)
def test_a_malformed_value_is_a_load_error_naming_file_and_key(
    tmp_path: Path, extra: str, message: str
) -> None:
    root = _catalog(tmp_path, extra)
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert message in str(caught.value)
    assert caught.value.location.file == str(root / "catalog.toml")
    assert caught.value.location.subject == "reading"
    assert str(root / "catalog.toml") in str(caught.value)


def test_shared_types_take_neither(tmp_path: Path) -> None:
    toml = '[shared.point]\nkey = "device_id"\n'
    root = make_catalog(tmp_path, toml, {"point": [record("Point", [field("x", "double")])]})
    with pytest.raises(CatalogError, match=r"unknown key\(s\) \['key'\] for shared 'point'"):
        load_catalog(root)

"""One walk over fastavro-parsed schemas (`plans.schema_nodes`) serves the read plans' plain
logical types, their decimal guards and the rules' plain schema."""

from __future__ import annotations

import io
from typing import Any

import fastavro

from devicecontracts._runtime.plans import schema_nodes
from devicecontracts._runtime.rules import plain_schema

MONEY = {"type": "fixed", "name": "Money", "size": 8, "logicalType": "decimal", "precision": 10}
SCHEMA = {
    "type": "record",
    "name": "Reading",
    "namespace": "com.acme",
    "fields": [
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "id", "type": ["null", {"type": "string", "logicalType": "uuid"}]},
        {
            "name": "days",
            "type": {"type": "array", "items": {"type": "int", "logicalType": "date"}},
        },
        {"name": "price", "type": MONEY},
        {"name": "prices", "type": {"type": "map", "values": "com.acme.Money"}},
        {
            "name": "labels",
            "type": {"type": "map", "values": "string"},
            "default": {"logicalType": "kept: a default is data"},
        },
    ],
}


def _logical(parsed: Any) -> list[str]:
    return sorted(str(n.get("logicalType")) for n, _ in schema_nodes(parsed) if "logicalType" in n)


def test_every_schema_node_once_with_its_path() -> None:
    parsed = fastavro.parse_schema(SCHEMA)
    paths = {(n.get("logicalType"), p) for n, p in schema_nodes(parsed) if "logicalType" in n}
    assert paths == {
        ("timestamp-millis", "at"),
        ("uuid", "id"),
        ("date", "days[]"),
        ("decimal", "price"),
    }
    assert len([n for n, _ in schema_nodes(parsed) if n.get("name") == "com.acme.Money"]) == 1


def test_the_plain_schema_drops_every_logical_type_and_nothing_else() -> None:
    parsed = fastavro.parse_schema(SCHEMA)
    plain = plain_schema(parsed)
    assert _logical(plain) == []
    assert _logical(parsed) == ["date", "decimal", "timestamp-millis", "uuid"]  # a copy
    [labels] = [f for f in plain["fields"] if f["name"] == "labels"]
    assert labels["default"] == {"logicalType": "kept: a default is data"}
    record = {
        "at": 1_700_000_000_000,
        "id": "6c1e9a3c-0f5e-4d5b-9d3a-1f2e3d4c5b6a",
        "days": [19_000],
        "price": b"\x00" * 8,
        "prices": {"a": b"\x00" * 7 + b"\x01"},
        "labels": {},
    }
    out = io.BytesIO()
    fastavro.schemaless_writer(out, plain, record)
    out.seek(0)
    assert fastavro.schemaless_reader(out, plain, plain) == record  # generic data, unconverted

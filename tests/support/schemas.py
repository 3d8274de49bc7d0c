"""The torture schema and the hypothesis settings of the strategy tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from devicecontracts.schema import Schema, parse_schema

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "schemas"

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Few examples, no deadline: the suite runs on 2-core CI runners."""

GEO = {
    "type": "record",
    "name": "Geo",
    "namespace": "com.acme.shared",
    "fields": [
        {"name": "lat", "type": "double"},
        {"name": "lon", "type": "double"},
    ],
}
"""A type defined in another schema, used by the torture schema as a reference."""

NODE = {
    "type": "record",
    "name": "Node",
    "fields": [
        {"name": "label", "type": "string"},
        {"name": "children", "type": {"type": "array", "items": "Node"}},
        {"name": "next", "type": ["null", "Node"]},
    ],
}

TORTURE: dict[str, Any] = {
    "type": "record",
    "name": "Torture",
    "namespace": "com.acme.torture",
    "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "class", "type": "string"},
        {
            "name": "color",
            "type": {
                "type": "enum",
                "name": "Color",
                "symbols": ["RED", "GREEN", "BLUE"],
                "default": "RED",
            },
        },
        {"name": "mac", "type": {"type": "fixed", "name": "Mac", "size": 6}},
        {"name": "ints", "type": {"type": "array", "items": "int"}},
        {"name": "labels", "type": {"type": "map", "values": "string"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "t_ms", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "t_us", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "ts_ns", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
        {"name": "lts_ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "lts_us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "lts_ns", "type": {"type": "long", "logicalType": "local-timestamp-nanos"}},
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 3},
        },
        {
            "name": "price",
            "type": {
                "type": "fixed",
                "name": "Price",
                "size": 8,
                "logicalType": "decimal",
                "precision": 18,
                "scale": 4,
            },
        },
        {
            "name": "tiny",
            "type": {
                "type": "fixed",
                "name": "Tiny",
                "size": 1,
                "logicalType": "decimal",
                "precision": 2,
                "scale": 2,
            },
        },
        {
            "name": "uptime",
            "type": {"type": "fixed", "name": "Uptime", "size": 12, "logicalType": "duration"},
        },
        {"name": "tree", "type": NODE},
        {
            "name": "shape",
            "type": [
                "null",
                {"type": "record", "name": "Circle", "fields": [{"name": "r", "type": "double"}]},
                {"type": "record", "name": "Square", "fields": [{"name": "r", "type": "double"}]},
            ],
        },
        {
            "name": "a_header",
            "type": {
                "type": "record",
                "name": "Header",
                "namespace": "com.acme.a",
                "fields": [{"name": "id", "type": "string"}],
            },
        },
        {
            "name": "b_header",
            "type": {
                "type": "record",
                "name": "Header",
                "namespace": "com.acme.b",
                "fields": [{"name": "id", "type": "string"}],
            },
        },
        {"name": "either_header", "type": ["com.acme.a.Header", "com.acme.b.Header"]},
        {"name": "num", "type": ["int", "long"]},
        {"name": "real", "type": ["float", "double"]},
        {"name": "text_or_color", "type": ["string", "Color"]},
        {"name": "raw_or_mac", "type": ["bytes", "Mac"]},
        {"name": "map_or_circle", "type": [{"type": "map", "values": "double"}, "Circle"]},
        {"name": "shapes", "type": {"type": "array", "items": ["null", "Circle", "Square"]}},
        {"name": "mixed", "type": {"type": "map", "values": ["null", "int", "string"]}},
        {"name": "when", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
        {"name": "geo", "type": "com.acme.shared.Geo"},
    ],
}
"""Every Avro type and logical type, a recursive record, two same-shaped records in a union,
two records with the same short name in different namespaces, every kind of ambiguous union
fastavro's validator can check, and a type taken from another schema."""


def torture_schema() -> Schema:
    """The torture schema parsed, with its reference to `GEO` resolved."""
    geo = parse_schema(GEO)
    return parse_schema(TORTURE, named_types=dict(geo.named))

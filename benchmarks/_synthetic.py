"""Synthetic subject histories for the benchmarks: deterministic, realistic, as JSON texts.

Two shapes, chosen with ``documented``:

* ``documented=False``: a device schema of about 2.7 KB (compact JSON) with 15-25 fields, nested
  records, enums, maps and arrays, and no docs, as a team adopting the tool with an
  undocumented schema set would have;
* ``documented=True``: a small device message (about 1.1-1.4 KB) with a doc on every type and field.

Every later version is a compatible evolution of the one before, FULL_TRANSITIVE included: an
optional field with a default at the top or in a nested record, a defaulted field, or a symbol
added to an enum that has a default. The same ``subject_index`` always gives the same texts.

Import from a benchmark (``benchmarks/`` is on ``sys.path`` when a script there runs):
``from _synthetic import device_schema_history``.
"""

from __future__ import annotations

import json
import random
from typing import Any

__all__ = ["device_schema_history"]

_SEED = 20261204
_SCALARS = ("int", "long", "float", "double", "string", "boolean", "bytes")


def device_schema_history(subject_index: int, versions: int, *, documented: bool) -> list[str]:
    """Subject ``subject_index``'s evolution over ``versions`` versions, oldest first, as JSON.

    Deterministic: a function of the arguments only. Each version is a compatible evolution of
    the previous one (and so of every earlier one, in both directions).
    """
    if versions < 1:
        raise ValueError(f"versions must be at least 1, not {versions}")
    rng = random.Random(_SEED * 1_000_003 + subject_index * 2 + int(documented))
    if documented:
        return _documented_history(rng, subject_index, versions)
    return _device_history(rng, subject_index, versions)


def _device_history(rng: random.Random, subject: int, versions: int) -> list[str]:
    ns = f"com.example.devices.s{subject:04d}"
    channel = {
        "type": "enum",
        "name": "Channel",
        "symbols": ["STABLE", "BETA", "CANARY", "DEV"],
        "default": "STABLE",
    }
    status = {
        "type": "enum",
        "name": "Status",
        "symbols": ["UNKNOWN", "OK", "DEGRADED", "FAILED", "MAINTENANCE"],
        "default": "UNKNOWN",
    }
    fix = {
        "type": "enum",
        "name": "FixQuality",
        "symbols": ["NONE", "GPS", "DGPS", "RTK"],
        "default": "NONE",
    }
    firmware = {
        "type": "record",
        "name": "Firmware",
        "fields": [
            {"name": "version", "type": "string"},
            {"name": "build", "type": "int"},
            {"name": "channel", "type": channel, "default": "STABLE"},
            {"name": "signed", "type": "boolean", "default": True},
        ],
    }
    location = {
        "type": "record",
        "name": "Location",
        "fields": [
            {"name": "latitude", "type": "double"},
            {"name": "longitude", "type": "double"},
            {"name": "altitude_m", "type": ["null", "float"], "default": None},
            {"name": "accuracy_m", "type": ["null", "float"], "default": None},
            {"name": "fix", "type": fix, "default": "NONE"},
        ],
    }
    reading = {
        "type": "record",
        "name": "Reading",
        "fields": [
            {"name": "sensor_id", "type": "string"},
            {"name": "kind", "type": "string"},
            {"name": "value", "type": "double"},
            {"name": "unit", "type": "string", "default": ""},
            {"name": "taken_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {
                "name": "flags",
                "type": {"type": "map", "values": "boolean"},
                "default": {},
            },
        ],
    }
    battery = {
        "type": "record",
        "name": "Battery",
        "fields": [
            {"name": "level_pct", "type": "float"},
            {"name": "charging", "type": "boolean"},
            {"name": "voltage_mv", "type": "int"},
            {"name": "cells", "type": {"type": "array", "items": "float"}, "default": []},
        ],
    }
    fields: list[dict[str, Any]] = [
        {"name": "device_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "sent_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "sequence", "type": "long"},
        {"name": "firmware", "type": firmware},
        {"name": "status", "type": status, "default": "UNKNOWN"},
        {"name": "location", "type": ["null", location], "default": None},
        {"name": "readings", "type": {"type": "array", "items": reading}, "default": []},
        {"name": "battery", "type": ["null", battery], "default": None},
        {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}},
        {"name": "counters", "type": {"type": "map", "values": "long"}, "default": {}},
        {"name": "previous_status", "type": ["null", "Status"], "default": None},
        {"name": "uptime_s", "type": "long", "default": 0},
    ]
    # 3-13 more scalar fields: 15-25 at the top level; with the nested records' fields the
    # compact text lands around 2.7 KB.
    for i in range(rng.randint(3, 13)):
        kind = rng.choice(_SCALARS)
        if rng.random() < 0.4:
            fields.append({"name": f"metric_{i}", "type": ["null", kind], "default": None})
        else:
            fields.append({"name": f"metric_{i}", "type": kind})
    record = {"type": "record", "name": "DeviceReport", "namespace": ns, "fields": fields}
    texts = [json.dumps(record)]
    for v in range(2, versions + 1):
        change = rng.choice(("optional", "nested", "defaulted", "symbol"))
        if change == "optional":
            kind = rng.choice(_SCALARS)
            fields.append({"name": f"opt_{v}", "type": ["null", kind], "default": None})
        elif change == "nested":
            target = rng.choice((reading, firmware, location, battery))
            target["fields"].append(  # type: ignore[attr-defined]
                {"name": f"extra_{v}", "type": ["null", "double"], "default": None}
            )
        elif change == "defaulted":
            fields.append({"name": f"count_{v}", "type": "long", "default": 0})
        else:
            enum = rng.choice((channel, status, fix))
            enum["symbols"].append(f"STATE_{v}")  # type: ignore[attr-defined]
        texts.append(json.dumps(record))
    return texts


def _documented_history(rng: random.Random, subject: int, versions: int) -> list[str]:
    ns = f"com.example.fleet.s{subject:04d}"
    status = {
        "type": "enum",
        "name": "Status",
        "doc": "Operating state.",
        "symbols": ["UNKNOWN", "OK", "DEGRADED"],
        "default": "UNKNOWN",
    }
    reading = {
        "type": "record",
        "name": "Reading",
        "doc": "One sensor reading.",
        "fields": [
            {"name": "sensor_id", "type": "string", "doc": "Sensor."},
            {"name": "value", "type": "double", "doc": "Value."},
            {"name": "unit", "type": "string", "doc": "Unit.", "default": ""},
        ],
    }
    fields: list[dict[str, Any]] = [
        {"name": "device_id", "type": "string", "doc": "Device."},
        {
            "name": "sent_at",
            "type": {"type": "long", "logicalType": "timestamp-millis"},
            "doc": "Send time.",
        },
        {"name": "sequence", "type": "long", "doc": "Sequence number."},
        {"name": "status", "type": status, "doc": "State.", "default": "UNKNOWN"},
        {
            "name": "readings",
            "type": {"type": "array", "items": reading},
            "doc": "Readings.",
            "default": [],
        },
        {
            "name": "tags",
            "type": {"type": "map", "values": "string"},
            "doc": "Tags.",
            "default": {},
        },
    ]
    for i in range(rng.randint(2, 8)):
        fields.append({"name": f"extra_{i}", "type": rng.choice(_SCALARS), "doc": "Extra."})
    record = {
        "type": "record",
        "name": "Message",
        "namespace": ns,
        "doc": "A device message.",
        "fields": fields,
    }
    texts = [json.dumps(record)]
    for v in range(2, versions + 1):
        change = rng.choice(("optional", "symbol", "nested", "defaulted"))
        if change == "optional":
            fields.append(
                {"name": f"opt_{v}", "type": ["null", "int"], "default": None, "doc": "Optional."}
            )
        elif change == "symbol":
            status["symbols"].append(f"STATE_{v}")  # type: ignore[attr-defined]
        elif change == "nested":
            reading["fields"].append(  # type: ignore[attr-defined]
                {"name": f"quality_{v}", "type": ["null", "float"], "default": None, "doc": "Q."}
            )
        else:
            fields.append({"name": f"count_{v}", "type": "long", "default": 0, "doc": "Count."})
        texts.append(json.dumps(record))
    return texts

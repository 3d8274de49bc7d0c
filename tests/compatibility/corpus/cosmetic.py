"""11. Changes that do not affect the verdict: doc, order, default values, custom properties."""

from __future__ import annotations

from ._builders import enum, fld, reading
from ._model import Case

CASES: list[Case] = [
    Case(
        "doc-record-doc-changed",
        reading(fld("ts", "long"), doc="A reading."),
        reading(fld("ts", "long"), doc="One telemetry reading from a device."),
        True,
        True,
        "doc is ignored by the checker.",
    ),
    Case(
        "doc-field-doc-added",
        reading(fld("ts", "long")),
        reading(fld("ts", "long", doc="Epoch milliseconds.")),
        True,
        True,
        "Field docs are ignored by the checker.",
    ),
    Case(
        "order-field-order-changed",
        reading(fld("ts", "long")),
        reading(fld("ts", "long", order="descending")),
        True,
        True,
        "Sort order is ignored by the checker.",
    ),
    Case(
        "default-value-changed",
        reading(fld("ts", "long"), fld("interval", "int", default=60)),
        reading(fld("ts", "long"), fld("interval", "int", default=30)),
        True,
        True,
        "Default values are not compared when both sides have the field.",
    ),
    Case(
        "default-removed-field-kept",
        reading(fld("ts", "long"), fld("interval", "int", default=60)),
        reading(fld("ts", "long"), fld("interval", "int")),
        True,
        True,
        "A default only matters when the field is missing on the writer side.",
    ),
    Case(
        "default-added-field-kept",
        reading(fld("ts", "long"), fld("interval", "int")),
        reading(fld("ts", "long"), fld("interval", "int", default=60)),
        True,
        True,
        "Adding a default to an existing field is compatible.",
    ),
    Case(
        "custom-properties-added",
        reading(fld("temp", "double")),
        reading(fld("temp", "double", unit="celsius"), owner="iot-team"),
        True,
        True,
        "Custom properties are ignored by the checker.",
    ),
    Case(
        "enum-doc-changed",
        reading(
            fld("state", enum("State", ["OK", "FAULT"], doc="Device state.")),
        ),
        reading(fld("state", enum("State", ["OK", "FAULT"], doc="Health of the device."))),
        True,
        True,
        "Enum docs are ignored by the checker.",
    ),
    Case(
        "record-aliases-added-same-name",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), aliases=["Sample"]),
        True,
        True,
        "Extra record aliases do not matter when the names already match.",
    ),
    Case(
        "field-aliases-added-matching-nothing",
        reading(fld("temp", "double")),
        reading(fld("temp", "double", aliases=["legacy_temperature"])),
        True,
        True,
        "A field alias that matches no writer field changes nothing.",
    ),
]

"""10. Logical types: ignored by the verdict, which follows the underlying type."""

from __future__ import annotations

from ._builders import fixed, fld, logical, reading
from ._model import Case

CASES: list[Case] = [
    Case(
        "logical-timestamp-millis-to-micros",
        reading(fld("ts", logical("long", "timestamp-millis"))),
        reading(fld("ts", logical("long", "timestamp-micros"))),
        True,
        True,
        "Both are longs on the wire; the 1000x unit change is invisible to the checker.",
    ),
    Case(
        "logical-decimal-scale-change",
        reading(fld("price", logical("bytes", "decimal", precision=10, scale=2))),
        reading(fld("price", logical("bytes", "decimal", precision=10, scale=4))),
        True,
        True,
        "Decimal precision and scale are not checked.",
    ),
    Case(
        "logical-type-added",
        reading(fld("ts", "long")),
        reading(fld("ts", logical("long", "timestamp-millis"))),
        True,
        True,
        "Annotating a long with a logical type keeps it a long.",
    ),
    Case(
        "logical-type-removed",
        reading(fld("id", logical("string", "uuid"))),
        reading(fld("id", "string")),
        True,
        True,
        "Dropping a logical type keeps the underlying string.",
    ),
    Case(
        "logical-date-to-timestamp",
        reading(fld("day", logical("int", "date"))),
        reading(fld("day", logical("long", "timestamp-millis"))),
        True,
        False,
        "The verdict is that of int -> long.",
    ),
    Case(
        "logical-time-millis-to-time-micros",
        reading(fld("at", logical("int", "time-millis"))),
        reading(fld("at", logical("long", "time-micros"))),
        True,
        False,
        "time-millis is an int and time-micros a long, so this is int -> long.",
    ),
    Case(
        "logical-decimal-bytes-to-fixed",
        reading(fld("price", logical("bytes", "decimal", precision=10, scale=2))),
        reading(
            fld("price", fixed("Price", 8, logicalType="decimal", precision=10, scale=2)),
        ),
        False,
        False,
        "A bytes decimal and a fixed decimal differ in their underlying types.",
    ),
    Case(
        "logical-unknown-logical-type",
        reading(fld("temp", "double")),
        reading(fld("temp", logical("double", "celsius"))),
        True,
        True,
        "Unknown logical types are ignored.",
    ),
    Case(
        "logical-fixed-decimal-precision-change",
        reading(fld("price", fixed("Price", 8, logicalType="decimal", precision=10, scale=2))),
        reading(fld("price", fixed("Price", 8, logicalType="decimal", precision=12, scale=2))),
        True,
        True,
        "Only the fixed name and size matter.",
    ),
]

"""8. Arrays and maps."""

from __future__ import annotations

from ._builders import amap, array, fld, reading
from ._model import Case

CASES: list[Case] = [
    Case(
        "array-items-int-to-long",
        array("int"),
        array("long"),
        True,
        False,
        "Array items follow the promotion rules.",
    ),
    Case(
        "array-items-long-to-int",
        array("long"),
        array("int"),
        False,
        True,
        "Narrowing array items breaks new readers.",
    ),
    Case(
        "array-items-string-to-bytes",
        array("string"),
        array("bytes"),
        True,
        True,
        "string and bytes items read each other.",
    ),
    Case(
        "array-items-int-to-string",
        reading(fld("samples", array("int"))),
        reading(fld("samples", array("string"))),
        False,
        False,
        "int and string items never resolve.",
    ),
    Case(
        "map-values-int-to-long",
        amap("int"),
        amap("long"),
        True,
        False,
        "Map values follow the promotion rules.",
    ),
    Case(
        "map-values-float-to-double",
        reading(fld("gauges", amap("float"))),
        reading(fld("gauges", amap("double"))),
        True,
        False,
        "Map values widen from float to double.",
    ),
    Case(
        "map-to-array",
        amap("int"),
        array("int"),
        False,
        False,
        "A map and an array never resolve.",
    ),
    Case(
        "array-to-map",
        reading(fld("samples", array("double"))),
        reading(fld("samples", amap("double"))),
        False,
        False,
        "An array and a map never resolve.",
    ),
    Case(
        "array-to-its-item-type",
        array("int"),
        "int",
        False,
        False,
        "An array is not readable as its item type.",
    ),
    Case(
        "array-of-arrays-promotion",
        array(array("int")),
        array(array("double")),
        True,
        False,
        "Promotion applies to nested array items.",
    ),
    Case(
        "map-of-arrays-promotion",
        amap(array("float")),
        amap(array("double")),
        True,
        False,
        "Promotion applies to arrays nested in maps.",
    ),
    Case(
        "array-items-made-nullable",
        array("string"),
        array(["null", "string"]),
        True,
        False,
        "Nullable items read old strings; old readers cannot read null items.",
    ),
]

"""13. New schemas Confluent rejects (42201) and accepts."""

from __future__ import annotations

from typing import Any

from ._builders import amap, array, enum, fixed, fld, rec
from ._model import InvalidCase, ValidCase
from .records import LOCATION
from .recursive import linked_list


def _r(*fields: dict[str, Any]) -> dict[str, Any]:
    return rec("Reading", *fields)


INVALID_NEW_CASES: tuple[InvalidCase, ...] = (
    InvalidCase(
        "invalid-unicode-letter-name",
        _r(fld("température", "double")),
        ("température",),
        True,
        "Confluent 8 parses new schemas with Avro 1.12's NameValidator.STRICT_VALIDATOR "
        "(AvroSchema.getParser, v8.0.4): ASCII letters only. Confluent 7 accepts it "
        "(tests/core/test_registry_line.py).",
    ),
    InvalidCase(
        "invalid-string-default-null",
        _r(fld("site", "string", default=None)),
        ("default", "site"),
        True,
        "null is not a valid default for a string field.",
    ),
    InvalidCase(
        "invalid-int-default-string",
        _r(fld("count", "int", default="0")),
        ("default", "count"),
        True,
        "A JSON string is not a valid int default.",
    ),
    InvalidCase(
        "invalid-long-default-fraction",
        _r(fld("ts", "long", default=1.5)),
        ("default", "ts"),
        True,
        "A fractional number is not a valid long default.",
    ),
    InvalidCase(
        "invalid-int-default-overflow",
        _r(fld("count", "int", default=2**31)),
        ("default", "count"),
        True,
        "2**31 does not fit in an int.",
    ),
    InvalidCase(
        "invalid-int-default-float-literal",
        _r(fld("count", "int", default=1.0)),
        ("default", "count"),
        True,
        "Jackson parses 1.0 as a floating-point node, which is not an integral int default.",
    ),
    InvalidCase(
        "invalid-int-default-boolean",
        _r(fld("count", "int", default=True)),
        ("default", "count"),
        True,
        "true is a JSON boolean, not a number, even though Python's bool is an int.",
    ),
    InvalidCase(
        "invalid-boolean-default-string",
        _r(fld("enabled", "boolean", default="true")),
        ("default", "enabled"),
        True,
        "A JSON string is not a valid boolean default.",
    ),
    InvalidCase(
        "invalid-array-default-not-a-list",
        _r(fld("tags", array("string"), default="none")),
        ("default", "tags"),
        True,
        "An array default must be a JSON array.",
    ),
    InvalidCase(
        "invalid-map-default-wrong-value-type",
        _r(fld("counters", amap("int"), default={"boots": "one"})),
        ("default", "counters"),
        True,
        "Map default values are validated against the value type.",
    ),
    InvalidCase(
        "invalid-record-default-missing-required-field",
        _r(fld("loc", LOCATION, default={"lat": 1.0})),
        ("default", "loc"),
        True,
        "A record default must supply every field that has no default of its own.",
    ),
    InvalidCase(
        "invalid-nested-record-field-default",
        _r(fld("samples", array(rec("Sample", fld("unit", "string", default=None))))),
        ("default", "unit"),
        True,
        "Defaults are validated in nested records too.",
    ),
    InvalidCase(
        "invalid-field-name-hyphen",
        _r(fld("device-id", "string")),
        ("device-id",),
        True,
        "Strict name validation rejects '-' in field names.",
    ),
    InvalidCase(
        "invalid-enum-name-hyphen",
        _r(fld("state", enum("battery-state", ["OK", "LOW"]))),
        ("battery-state",),
        True,
        "Strict name validation applies to named types.",
    ),
    InvalidCase(
        "invalid-enum-symbol-name",
        _r(fld("state", enum("Battery", ["OK", "LOW-BATTERY"]))),
        ("LOW-BATTERY",),
        True,
        "Enum symbols must be valid Avro names under strict validation.",
    ),
    InvalidCase(
        "invalid-enum-default-not-a-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT"], default="UNKNOWN"))),
        ("UNKNOWN",),
        False,
        "An enum's type-level default must be one of its symbols.",
    ),
    InvalidCase(
        "invalid-duplicate-enum-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT", "OK"]))),
        ("OK",),
        False,
        "Enum symbols must be unique.",
    ),
    InvalidCase(
        "invalid-duplicate-field-name",
        _r(fld("temp", "double"), fld("temp", "double")),
        ("temp",),
        False,
        "Field names must be unique within a record.",
    ),
    InvalidCase(
        "invalid-unknown-named-type",
        _r(fld("loc", "com.acme.iot.Location")),
        ("Location",),
        False,
        "A type reference must name a type defined earlier in the schema.",
    ),
    InvalidCase(
        "invalid-record-named-after-primitive",
        _r(fld("inner", rec("long", fld("v", "int")))),
        ("long",),
        False,
        "Named types may not be named after primitive types.",
    ),
    InvalidCase(
        "invalid-nested-union",
        _r(fld("value", ["null", ["int", "string"]], default=None)),
        ("union",),
        False,
        "A union may not directly contain another union.",
    ),
    InvalidCase(
        "invalid-duplicate-union-branch",
        _r(fld("value", ["null", "int", "int"], default=None)),
        ("union", "int"),
        False,
        "A union may not contain the same type twice.",
    ),
)

VALID_NEW_CASES: tuple[ValidCase, ...] = (
    ValidCase(
        "valid-union-default-not-first-branch",
        _r(fld("note", ["string", "null"], default=None)),
        "Confluent 8 (Avro 1.12 Schema.isValidDefault, UNION: any branch) accepts a union "
        "default matching any branch; Confluent 7's first-branch rule is tested in "
        "tests/core/test_registry_line.py.",
    ),
    ValidCase(
        "valid-nullable-null-first-default-null",
        _r(fld("note", ["null", "string"], default=None)),
        "null matches the first branch of [null, string].",
    ),
    ValidCase(
        "valid-union-non-null-first-branch-default",
        _r(fld("count", ["int", "null"], default=0)),
        "0 matches the first branch int.",
    ),
    ValidCase(
        "valid-float-default-int-literal",
        _r(fld("ratio", "float", default=1)),
        "Any JSON number is a valid float default.",
    ),
    ValidCase(
        "valid-double-default-int-literal",
        _r(fld("ratio", "double", default=0)),
        "Any JSON number is a valid double default.",
    ),
    ValidCase(
        "valid-long-default-beyond-int-range",
        _r(fld("ts", "long", default=2**31)),
        "2**31 fits in a long.",
    ),
    ValidCase(
        "valid-int-default-minimum",
        _r(fld("count", "int", default=-(2**31))),
        "-2**31 is the smallest int.",
    ),
    ValidCase(
        "valid-record-named-record",
        rec("record", fld("v", "int")),
        "'record' is a type keyword, not a primitive name, so it is a legal record name.",
    ),
    ValidCase(
        "valid-enum-default-is-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT"], default="OK"))),
        "The enum default is one of the symbols.",
    ),
    ValidCase(
        "valid-enum-field-default-is-symbol",
        _r(fld("state", enum("State", ["OK", "FAULT"]), default="FAULT")),
        "A field default naming a symbol is valid.",
    ),
    ValidCase(
        "valid-bytes-default-high-codepoint",
        _r(fld("raw", "bytes", default="\u00ff")),
        "Bytes defaults are strings whose code points 0-255 map to bytes.",
    ),
    ValidCase(
        "valid-fixed-default-string",
        _r(fld("mac", fixed("Mac", 2), default="\u0000\u00ff")),
        "Fixed defaults are strings.",
    ),
    ValidCase(
        "valid-record-default-relies-on-field-default",
        _r(
            fld(
                "loc",
                rec("Location", fld("lat", "double"), fld("lon", "double", default=0.0)),
                default={"lat": 1.5},
            )
        ),
        "A record default may omit fields that have their own default.",
    ),
    ValidCase(
        "valid-array-and-map-empty-defaults",
        _r(fld("tags", array("string"), default=[]), fld("labels", amap("long"), default={})),
        "Empty containers are valid defaults.",
    ),
    ValidCase(
        "valid-field-named-type",
        _r(fld("type", "string"), fld("name", "string"), fld("namespace", "string")),
        "Schema keywords are ordinary field names.",
    ),
    ValidCase(
        "valid-leading-underscore-name",
        _r(fld("_private", "int")),
        "Avro's name rule accepts a leading underscore.",
    ),
    ValidCase(
        "valid-recursive-linked-list",
        linked_list(),
        "A record may refer to itself once its name is defined.",
    ),
    ValidCase(
        "valid-union-with-two-named-records",
        ["null", rec("A", fld("x", "int")), rec("B", fld("x", "int"))],
        "Several named types of the same kind may share a union when their names differ.",
    ),
)

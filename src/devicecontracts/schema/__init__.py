"""The pure core's parsed form of an Avro schema: one validated tree that every other step
consumes (the catalog, the checks, compatibility, diff, code generation, test strategies).

``parse_schema`` turns JSON text or parsed JSON into a `Schema`: a tree of nodes (`Primitive`,
`Record`, `Field`, `Enum`, `Fixed`, `Array`, `Map`, `Union`) with every name resolved to its
full name and every named type defined once and shared by reference, so recursive types are
cycles in the tree. Parsing follows a `RegistryLine` (`CONFLUENT_8`, the default, or
`CONFLUENT_7`, made with `registry_line`); strict and lenient parsing, and the errors raised,
are described in `devicecontracts.schema._parse`.

The package is split where its parts are independent:

* ``_nodes``: the node classes;
* ``_parse``: the parser, default validation, `describe_type`;
* ``canonical``: walking a tree, its JSON, its Parsing Canonical Form and fingerprint;
* ``compatibility`` and ``diff``: comparing two parsed schemas.

It does no I/O and may import only `devicecontracts.errors` and `devicecontracts._avro` (and
the standard library): everything else in the package builds on it, never the other way round.
"""

from devicecontracts._avro import (
    CONFLUENT_7,
    CONFLUENT_8,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    PRIMITIVE_TYPES,
    RegistryLine,
    registry_line,
)
from devicecontracts.schema._nodes import (
    JSON,
    NO_DEFAULT,
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    LogicalType,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
)
from devicecontracts.schema._parse import (
    Schema,
    describe_type,
    is_valid_default,
    load_json,
    parse_schema,
)
from devicecontracts.schema.canonical import (
    canonical_form,
    children,
    fingerprint,
    to_json,
    walk,
)

__all__ = [
    "CONFLUENT_7",
    "CONFLUENT_8",
    "INT_MAX",
    "INT_MIN",
    "JSON",
    "LONG_MAX",
    "LONG_MIN",
    "NO_DEFAULT",
    "PRIMITIVE_TYPES",
    "Array",
    "AvroType",
    "Enum",
    "Field",
    "Fixed",
    "LogicalType",
    "Map",
    "NamedType",
    "Primitive",
    "Record",
    "RegistryLine",
    "Schema",
    "Union",
    "canonical_form",
    "children",
    "describe_type",
    "fingerprint",
    "is_valid_default",
    "load_json",
    "parse_schema",
    "registry_line",
    "to_json",
    "walk",
]

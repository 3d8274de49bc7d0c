"""1. Primitive x primitive: the whole promotion matrix.

Promotions (writer -> reader): int->long/float/double, long->float/double, float->double,
string<->bytes. Everything else between different primitives is a TYPE_MISMATCH.
"""

from __future__ import annotations

from ._model import Case, Schema

_PRIMITIVE_ROWS: list[tuple[Schema, Schema, bool, bool, str]] = [
    # identity
    ("null", "null", True, True, "Identical null schemas resolve trivially."),
    ("boolean", "boolean", True, True, "Identical boolean schemas resolve trivially."),
    ("int", "int", True, True, "Identical int schemas resolve trivially."),
    ({"type": "long"}, "long", True, True, "The object form {'type':'long'} equals 'long'."),
    ("float", "float", True, True, "Identical float schemas resolve trivially."),
    ("double", "double", True, True, "Identical double schemas resolve trivially."),
    ("bytes", "bytes", True, True, "Identical bytes schemas resolve trivially."),
    ("string", {"type": "string"}, True, True, "The object form of string equals 'string'."),
    # null vs everything
    ("null", "boolean", False, False, "null has no promotion to or from boolean."),
    ("null", "int", False, False, "null has no promotion to or from int."),
    ("null", "long", False, False, "null has no promotion to or from long."),
    ("null", "float", False, False, "null has no promotion to or from float."),
    ("null", "double", False, False, "null has no promotion to or from double."),
    ("null", "bytes", False, False, "null has no promotion to or from bytes."),
    ("null", "string", False, False, "null has no promotion to or from string."),
    # boolean vs the rest
    ("boolean", "int", False, False, "boolean is not a numeric type and never promotes."),
    ("boolean", "long", False, False, "boolean never promotes to long."),
    ("boolean", "float", False, False, "boolean never promotes to float."),
    ("boolean", "double", False, False, "boolean never promotes to double."),
    ("boolean", "bytes", False, False, "boolean never promotes to bytes."),
    ("boolean", "string", False, False, "boolean never promotes to string."),
    # int vs the rest
    ("int", "long", True, False, "A long reader accepts int data but an int reader rejects long."),
    ("int", "float", True, False, "int promotes to float, float never narrows to int."),
    ("int", "double", True, False, "int promotes to double, double never narrows to int."),
    ("int", "bytes", False, False, "int and bytes have no promotion."),
    ("int", "string", False, False, "int and string have no promotion."),
    # long vs the rest
    ("long", "float", True, False, "long promotes to float (lossy but allowed)."),
    ("long", "double", True, False, "long promotes to double (lossy but allowed)."),
    ("long", "bytes", False, False, "long and bytes have no promotion."),
    ("long", "string", False, False, "long and string have no promotion."),
    # float vs the rest
    ("float", "double", True, False, "float promotes to double, double never narrows to float."),
    ("float", "bytes", False, False, "float and bytes have no promotion."),
    ("float", "string", False, False, "float and string have no promotion."),
    # double vs the rest
    ("double", "bytes", False, False, "double and bytes have no promotion."),
    ("double", "string", False, False, "double and string have no promotion."),
    # bytes vs string
    ("bytes", "string", True, True, "bytes and string promote to each other in both directions."),
    # explicit narrowing rows, mirror images of the promotions above
    ("long", "int", False, True, "An int reader cannot read long data; old long readers read int."),
    ("double", "float", False, True, "A float reader cannot read double data."),
    ("double", "int", False, True, "An int reader cannot read double data."),
    ("string", "bytes", True, True, "string to bytes is readable both ways."),
]


def _prim_id(schema: Schema) -> str:
    if isinstance(schema, dict):
        return f"{schema['type']}-object"
    return str(schema)


CASES: list[Case] = [
    Case(f"prim-{_prim_id(old)}-to-{_prim_id(new)}", old, new, b, f, why)
    for old, new, b, f, why in _PRIMITIVE_ROWS
]

"""Avro facts every layer shares: the primitive type names, the int and long ranges, full names.

Standard library only, so the runtime may import it without cost; the schema parser, the
catalog, the runtime's read plans and the field types all take these from here, so a fix lands
once.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "LONG_MAX",
    "LONG_MIN",
    "PRIMITIVE_TYPES",
    "qualify",
]

PRIMITIVE_TYPES: Final = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
"""The names of Avro's primitive types."""

INT_MIN: Final = -(2**31)
"""The smallest Avro ``int`` (32-bit signed)."""
INT_MAX: Final = 2**31 - 1
"""The largest Avro ``int``."""
LONG_MIN: Final = -(2**63)
"""The smallest Avro ``long`` (64-bit signed)."""
LONG_MAX: Final = 2**63 - 1
"""The largest Avro ``long``."""


def qualify(name: str, namespace: str | None) -> str:
    """The full name of ``name`` given the enclosing ``namespace``, as Avro Java computes it.

    A dotted name is already full (its own namespace wins); a leading dot (``.Reading``) means
    the null namespace. Otherwise the name joins the namespace, if there is one.
    """
    if "." in name:
        space, _, short = name.rpartition(".")
        return f"{space}.{short}" if space else short
    return f"{namespace}.{name}" if namespace else name

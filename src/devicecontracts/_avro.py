"""Avro facts every layer shares: the primitive type names, the int and long ranges, full names,
and the registry lines (which Avro rules a Confluent release applies).

Standard library only, so the runtime may import it without cost; the schema parser, the
catalog, the runtime's read plans and the field types all take these from here, so a fix lands
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "CONFLUENT_7",
    "CONFLUENT_8",
    "INT_MAX",
    "INT_MIN",
    "LONG_MAX",
    "LONG_MIN",
    "LINES",
    "PRIMITIVE_TYPES",
    "RegistryLine",
    "java_letter",
    "qualify",
    "registry_line",
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


@dataclass(frozen=True, slots=True)
class RegistryLine:
    """How one Confluent Schema Registry release line parses Avro schemas.

    Confluent's ``AvroSchema.getParser`` decides it (read in its source, tags v7.9.9 and
    v8.0.4): CP 7.x builds Avro 1.11's ``Schema.Parser()``, which always validates names with
    Java's Unicode rule, and validates defaults only of *new* schemas and only when
    ``schema.providers.avro.validate.defaults=true`` or the request asks ``normalize=true``;
    CP 8.0.4+ (and Confluent Cloud) builds Avro 1.12's ``Schema.Parser(NameValidator.
    STRICT_VALIDATOR)`` with defaults validated for new schemas, and ``NO_VALIDATION`` for
    stored ones. Use `CONFLUENT_8`, `CONFLUENT_7` or `registry_line`.
    """

    name: str
    """``"confluent-8"`` or ``"confluent-7"``, as ``catalog.toml`` spells it."""
    avro: str
    """The Avro Java minor release the line runs: ``"1.12"`` or ``"1.11"``."""
    validate_defaults: bool
    """Whether the line validates the defaults of new schemas."""

    @property
    def union_default_any_branch(self) -> bool:
        """Avro 1.12: a union default may match any branch (1.11: the first branch only)."""
        return self.avro == "1.12"

    @property
    def ascii_names(self) -> bool:
        """Avro 1.12's STRICT_VALIDATOR: ASCII names (1.11: Java's Unicode letters)."""
        return self.avro == "1.12"

    @property
    def validates_namespaces(self) -> bool:
        """Avro 1.12's ``ParseContext.put`` validates every namespace part; 1.11 does not."""
        return self.avro == "1.12"

    @property
    def validates_stored_names(self) -> bool:
        """CP 7 validates names of stored schemas too; CP 8 reads them with NO_VALIDATION."""
        return self.avro == "1.11"


CONFLUENT_8: Final = RegistryLine("confluent-8", "1.12", validate_defaults=True)
"""CP 8.0.4 and later, and Confluent Cloud (Avro 1.12): the default line."""
CONFLUENT_7: Final = RegistryLine("confluent-7", "1.11", validate_defaults=False)
"""CP 7.x (Avro 1.11) with its default settings: defaults of new schemas are not validated."""
LINES: Final = {line.name: line for line in (CONFLUENT_8, CONFLUENT_7)}
"""The registry lines by the name ``catalog.toml`` gives them."""


def registry_line(
    name: str, *, validate_defaults: bool = False, normalize: bool = False
) -> RegistryLine:
    """The line called ``name``, with CP 7's switches applied.

    ``validate_defaults`` is CP 7's ``schema.providers.avro.validate.defaults=true``,
    ``normalize`` its ``normalize=true`` (7.3+); either makes it validate new schemas' defaults.
    CP 8 always does, so the switches change nothing there. Raises `ValueError` for an unknown
    line.
    """
    line = LINES.get(name)
    if line is None:
        raise ValueError(f"unknown registry line {name!r}: use {' or '.join(map(repr, LINES))}")
    if line.avro == "1.11" and (validate_defaults or normalize):
        return RegistryLine(line.name, line.avro, validate_defaults=True)
    return line


def java_letter(c: str) -> bool:
    """Java 17's ``Character.isLetter`` of one UTF-16 char: Python's letters, less those Unicode
    added after Java 17's tables, and nothing beyond the BMP (a surrogate pair is never a
    letter). Avro 1.11's names and Confluent's rule names are made of these."""
    code = ord(c)
    if code > 0xFFFF or not c.isalpha():
        return False
    return not any(lo <= code <= hi for lo, hi in _NEWER_THAN_JAVA_17)


# BMP code points Python's unicodedata (Unicode 14) calls letters and Java 17's
# Character.isLetterOrDigit (Unicode 13) does not: measured by running both over U+0000-U+FFFF.
_NEWER_THAN_JAVA_17: Final = (
    (0x0870, 0x0887),
    (0x0889, 0x088E),
    (0x08B5, 0x08B5),
    (0x08C8, 0x08C9),
    (0x0C5D, 0x0C5D),
    (0x0CDD, 0x0CDD),
    (0x170D, 0x170D),
    (0x171F, 0x171F),
    (0x1B4C, 0x1B4C),
    (0x2C2F, 0x2C2F),
    (0x2C5F, 0x2C5F),
    (0x9FFD, 0x9FFF),
    (0xA7C0, 0xA7C1),
    (0xA7D0, 0xA7D1),
    (0xA7D3, 0xA7D3),
    (0xA7D5, 0xA7D9),
    (0xA7F2, 0xA7F4),
)

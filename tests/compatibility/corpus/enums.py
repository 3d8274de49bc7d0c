"""5. Enums: the reader must know every writer symbol unless the READER enum has a type-level

default. Field-level defaults never help.
"""

from __future__ import annotations

from typing import Any

from ._builders import NS, amap, array, enum, fld, reading
from ._model import Case


def _state_field(symbols: list[str], **enum_attrs: object) -> dict[str, Any]:
    return fld("state", enum("State", symbols, **enum_attrs))


CASES: list[Case] = [
    Case(
        "enum-add-symbol-no-default",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        True,
        False,
        "Old readers cannot decode the new symbol OFFLINE.",
    ),
    Case(
        "enum-remove-symbol-no-default",
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        reading(_state_field(["OK", "FAULT"])),
        False,
        True,
        "New readers cannot decode old OFFLINE data.",
    ),
    Case(
        "enum-add-symbol-old-has-default",
        reading(_state_field(["OK", "FAULT"], default="OK")),
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OK")),
        True,
        True,
        "The old reader's type-level default absorbs the unknown symbol.",
    ),
    Case(
        "enum-remove-symbol-new-has-default",
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        reading(_state_field(["OK", "FAULT"], default="OK")),
        True,
        True,
        "The new reader's type-level default absorbs old OFFLINE data.",
    ),
    Case(
        "enum-add-symbol-only-new-has-default",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OK")),
        True,
        False,
        "A default added together with the symbol is too late for old readers.",
    ),
    Case(
        "enum-add-symbol-field-default-only",
        reading(fld("state", enum("State", ["OK", "FAULT"]), default="OK")),
        reading(fld("state", enum("State", ["OK", "FAULT", "OFFLINE"]), default="OK")),
        True,
        False,
        "A field-level default is not an enum default.",
    ),
    Case(
        "enum-default-does-not-excuse-rename",
        reading(_state_field(["OK", "FAULT"])),
        reading(fld("state", enum("Status", ["OK", "FAULT", "OFFLINE"], default="OK"))),
        False,
        False,
        "A type-level default covers unknown symbols, not a different enum name.",
    ),
    Case(
        "enum-reorder-symbols",
        reading(_state_field(["OK", "FAULT", "OFFLINE"])),
        reading(_state_field(["OFFLINE", "OK", "FAULT"])),
        True,
        True,
        "Symbols are resolved by name, not by ordinal.",
    ),
    Case(
        "enum-replace-symbol",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "ERROR"])),
        False,
        False,
        "Each side lacks one of the other side's symbols.",
    ),
    Case(
        "enum-replace-symbol-both-defaults",
        reading(_state_field(["OK", "FAULT"], default="OK")),
        reading(_state_field(["OK", "ERROR"], default="OK")),
        True,
        True,
        "Both readers have a type-level default for unknown symbols.",
    ),
    Case(
        "enum-add-default-only",
        reading(_state_field(["OK", "FAULT"])),
        reading(_state_field(["OK", "FAULT"], default="OK")),
        True,
        True,
        "Adding a type-level default changes no symbols.",
    ),
    Case(
        "enum-remove-default-only",
        reading(_state_field(["OK", "FAULT"], default="OK")),
        reading(_state_field(["OK", "FAULT"])),
        True,
        True,
        "Removing a type-level default changes no symbols.",
    ),
    Case(
        "enum-change-default-symbol",
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OK")),
        reading(_state_field(["OK", "FAULT", "OFFLINE"], default="OFFLINE")),
        True,
        True,
        "Which symbol is the default does not affect the verdict.",
    ),
    Case(
        "enum-in-array-add-symbol",
        reading(fld("states", array(enum("State", ["OK", "FAULT"])))),
        reading(fld("states", array(enum("State", ["OK", "FAULT", "OFFLINE"])))),
        True,
        False,
        "Enum rules apply to array items.",
    ),
    Case(
        "enum-in-map-remove-symbol",
        reading(fld("states", amap(enum("State", ["OK", "FAULT", "OFFLINE"])))),
        reading(fld("states", amap(enum("State", ["OK", "FAULT"])))),
        False,
        True,
        "Enum rules apply to map values.",
    ),
    Case(
        "enum-symbol-case-change",
        reading(_state_field(["ON", "OFF"])),
        reading(_state_field(["on", "off"])),
        False,
        False,
        "Enum symbols are case-sensitive.",
    ),
    Case(
        "enum-to-string",
        reading(_state_field(["OK", "FAULT"])),
        reading(fld("state", "string")),
        False,
        False,
        "There is no promotion between enum and string.",
    ),
    Case(
        "enum-top-level-add-symbol",
        enum("State", ["OK", "FAULT"], namespace=NS),
        enum("State", ["OK", "FAULT", "OFFLINE"], namespace=NS),
        True,
        False,
        "A top-level enum follows the same symbol rule.",
    ),
]

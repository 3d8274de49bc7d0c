"""7. Unions: every writer branch must be readable; a reader union accepts a non-union writer

when some branch accepts it.
"""

from __future__ import annotations

from typing import Any

from ._builders import NS, amap, array, enum, fixed, fld, reading, rec
from ._model import Case, Schema

ENVELOPE_OLD_READING = rec("Reading", fld("ts", "long"))
ENVELOPE_READING_REQUIRED = rec("Reading", fld("ts", "long"), fld("site", "string"))
ENVELOPE_READING_OPTIONAL = rec("Reading", fld("ts", "long"), fld("site", "string", default=""))


def envelope(payload: Schema, **field_attrs: object) -> dict[str, Any]:
    """A wrapper record with a single ``payload`` field."""
    return rec("Envelope", fld("payload", payload, **field_attrs), namespace=NS)


CASES: list[Case] = [
    Case(
        "union-make-field-nullable",
        reading(fld("site", "string")),
        reading(fld("site", ["null", "string"], default=None)),
        True,
        False,
        "Old string readers cannot read the null branch: making a field optional is not FULL-safe.",
    ),
    Case(
        "union-make-field-required",
        reading(fld("site", ["null", "string"], default=None)),
        reading(fld("site", "string")),
        False,
        True,
        "A string reader cannot read old nulls.",
    ),
    Case(
        "union-add-branch",
        ["null", "string"],
        ["null", "string", "long"],
        True,
        False,
        "Old readers lack the new long branch.",
    ),
    Case(
        "union-remove-branch",
        ["null", "string", "long"],
        ["null", "string"],
        False,
        True,
        "New readers lack the removed long branch.",
    ),
    Case(
        "union-reorder-branches",
        ["null", "string", "long"],
        ["long", "null", "string"],
        True,
        True,
        "Union branches are matched by type, not position.",
    ),
    Case(
        "union-append-null-branch",
        reading(fld("site", "string", default="")),
        reading(fld("site", ["string", "null"], default="")),
        True,
        False,
        "Appending null keeps the string default valid, but old string readers cannot read null.",
    ),
    Case(
        "union-reorder-with-new-first-branch-default",
        reading(fld("site", ["null", "string"], default=None)),
        reading(fld("site", ["string", "null"], default="")),
        True,
        True,
        "Reordering is compatible when the default is changed to match the new first branch.",
    ),
    Case(
        "union-branch-promotion",
        reading(fld("count", ["null", "int"], default=None)),
        reading(fld("count", ["null", "long"], default=None)),
        True,
        False,
        "A long branch reads int data, an int branch cannot read long data.",
    ),
    Case(
        "union-to-single-type-covering-all-branches",
        ["int", "long"],
        "long",
        True,
        True,
        "long reads both int and long branches, and the old union has a long branch.",
    ),
    Case(
        "union-to-single-type-missing-branch",
        ["int", "string"],
        "int",
        False,
        True,
        "An int reader cannot read the old string branch.",
    ),
    Case(
        "single-type-to-union-via-promotion",
        "int",
        ["null", "long"],
        True,
        False,
        "The long branch reads int data; an int reader cannot read null or long.",
    ),
    Case(
        "union-record-branch-gains-required-field",
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        envelope(["null", ENVELOPE_READING_REQUIRED], default=None),
        False,
        True,
        "A record inside a union is checked like any record (Confluent missed this before 6.0.2).",
    ),
    Case(
        "union-record-branch-gains-optional-field",
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        envelope(["null", ENVELOPE_READING_OPTIONAL], default=None),
        True,
        True,
        "An optional field in a union's record branch is FULL-safe.",
    ),
    Case(
        "union-record-branch-loses-required-field",
        envelope(["null", ENVELOPE_READING_REQUIRED], default=None),
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        True,
        False,
        "Old readers need site in the record branch.",
    ),
    Case(
        "union-of-records-add-record",
        [rec("Heartbeat", fld("ts", "long")), rec("Alarm", fld("code", "int"))],
        [
            rec("Heartbeat", fld("ts", "long")),
            rec("Alarm", fld("code", "int")),
            rec("Reboot", fld("reason", "string")),
        ],
        True,
        False,
        "Old readers have no branch named Reboot.",
    ),
    Case(
        "union-record-branch-renamed-no-alias",
        envelope(["null", rec("Reading", fld("ts", "long"))], default=None),
        envelope(["null", rec("Measurement", fld("ts", "long"))], default=None),
        False,
        False,
        "A renamed record branch matches no branch on the other side.",
    ),
    Case(
        "union-record-branch-renamed-with-alias",
        envelope(["null", rec("Reading", fld("ts", "long"))], default=None),
        envelope(
            ["null", rec("Measurement", fld("ts", "long"), aliases=[f"{NS}.Reading"])],
            default=None,
        ),
        True,
        False,
        "The alias lets the new branch read the old one.",
    ),
    Case(
        "union-singleton-to-bare-type",
        ["int"],
        "int",
        True,
        True,
        "A singleton union and its only type read each other.",
    ),
    Case(
        "union-bare-type-to-singleton",
        "string",
        ["string"],
        True,
        True,
        "A bare type and a singleton union of it read each other.",
    ),
    Case(
        "union-enum-branch-add-symbol",
        ["null", enum("State", ["OK", "FAULT"], namespace=NS)],
        ["null", enum("State", ["OK", "FAULT", "OFFLINE"], namespace=NS)],
        True,
        False,
        "Enum rules apply inside union branches.",
    ),
    Case(
        "union-array-branch-items-promoted",
        ["null", array("int")],
        ["null", array("long")],
        True,
        False,
        "Array items inside a union branch follow the promotion rules.",
    ),
    Case(
        "union-map-branch-to-array-branch",
        ["null", amap("int")],
        ["null", array("int")],
        False,
        False,
        "A map branch and an array branch never resolve.",
    ),
    Case(
        "record-to-nullable-record",
        envelope(ENVELOPE_OLD_READING),
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        True,
        False,
        "Old readers of the bare record cannot read null.",
    ),
    Case(
        "nullable-record-to-record",
        envelope(["null", ENVELOPE_OLD_READING], default=None),
        envelope(ENVELOPE_OLD_READING),
        False,
        True,
        "A bare record reader cannot read old nulls.",
    ),
    Case(
        "union-string-branch-to-bytes-branch",
        ["null", "string"],
        ["null", "bytes"],
        True,
        True,
        "string and bytes branches read each other.",
    ),
    Case(
        "union-int-branch-to-float-branch",
        ["int", "string"],
        ["float", "string"],
        True,
        False,
        "The float branch reads int data; no old branch reads float.",
    ),
    Case(
        "union-fixed-branch-size-change",
        ["null", fixed("Mac", 6, namespace=NS)],
        ["null", fixed("Mac", 8, namespace=NS)],
        False,
        False,
        "A fixed branch with another size matches no branch.",
    ),
    Case(
        "union-to-double-reads-all-numeric-branches",
        ["int", "long", "float"],
        "double",
        True,
        False,
        "double reads int, long and float, but no old branch reads double.",
    ),
]

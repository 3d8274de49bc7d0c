"""4. Names, record aliases and namespaces.

Named types match by UNQUALIFIED name, or when a reader alias (resolved against the reader's
namespace) equals the writer's FULL name.
"""

from __future__ import annotations

from ._builders import NS, enum, fixed, fld, reading, rec
from ._model import Case
from .records import LOCATION

CASES: list[Case] = [
    Case(
        "name-rename-record-no-alias",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS),
        False,
        False,
        "Different unqualified names without an alias are a NAME_MISMATCH both ways.",
    ),
    Case(
        "name-rename-record-full-alias",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=[f"{NS}.Reading"]),
        True,
        False,
        "A fully qualified reader alias equal to the writer's full name resolves the rename.",
    ),
    Case(
        "name-rename-record-short-alias-same-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=["Reading"]),
        True,
        False,
        "Java resolves the short alias against the reader's namespace, giving the writer's full"
        " name.",
    ),
    Case(
        "name-rename-record-short-alias-dotted-name",
        rec("com.acme.iot.Reading", fld("ts", "long")),
        rec("com.acme.iot.Measurement", fld("ts", "long"), aliases=["Reading"]),
        True,
        False,
        "A namespace given in a dotted name is the namespace short aliases resolve against.",
    ),
    Case(
        "name-short-alias-other-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace="org.other", aliases=["Reading"]),
        False,
        False,
        "The short alias resolves to org.other.Reading, which is not the writer's full name.",
    ),
    Case(
        "name-full-alias-other-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace="org.other", aliases=[f"{NS}.Reading"]),
        True,
        False,
        "A fully qualified alias bridges a rename across namespaces.",
    ),
    Case(
        "name-short-alias-writer-without-namespace",
        rec("Reading", fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=["Reading"]),
        False,
        False,
        "Java resolves the alias to com.acme.iot.Reading, which is not the writer's full name"
        " 'Reading'.",
    ),
    Case(
        "name-short-alias-reader-without-namespace",
        reading(fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), aliases=["Reading"]),
        False,
        False,
        "A reader without namespace resolves the alias to 'Reading', not com.acme.iot.Reading.",
    ),
    Case(
        "name-dot-prefixed-alias-to-null-namespace",
        rec("Reading", fld("ts", "long")),
        rec("Measurement", fld("ts", "long"), namespace=NS, aliases=[".Reading"]),
        False,
        False,
        "A leading dot puts the alias in the null namespace, but Avro 1.12's"
        " NamedSchema.getAliases gives it back as '.Reading', which never equals the writer's"
        " 'Reading': incompatible under Confluent 8 (Avro 1.11 says compatible, see"
        " tests/compatibility/test_java_parity.py).",
    ),
    Case(
        "name-namespace-only-change",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), namespace="com.acme.iot.v2"),
        True,
        True,
        "Named types match by unqualified name, so a namespace change is compatible.",
    ),
    Case(
        "name-namespace-added",
        rec("Reading", fld("ts", "long")),
        reading(fld("ts", "long")),
        True,
        True,
        "Adding a namespace keeps the unqualified name.",
    ),
    Case(
        "name-dotted-name-vs-namespace-attribute",
        rec("com.acme.iot.Reading", fld("ts", "long")),
        reading(fld("ts", "long")),
        True,
        True,
        "A dotted name and a namespace attribute spell the same full name.",
    ),
    Case(
        "name-nested-type-inherits-changed-namespace",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", LOCATION), namespace="com.acme.iot.v2"),
        True,
        True,
        "The nested Location moves namespace with its parent but keeps its unqualified name.",
    ),
    Case(
        "name-nested-record-renamed-no-alias",
        reading(fld("loc", LOCATION)),
        reading(fld("loc", rec("Position", fld("lat", "double"), fld("lon", "double")))),
        False,
        False,
        "Renaming a nested record without alias is a NAME_MISMATCH.",
    ),
    Case(
        "name-nested-record-renamed-short-alias",
        reading(fld("loc", LOCATION)),
        reading(
            fld(
                "loc",
                rec("Position", fld("lat", "double"), fld("lon", "double"), aliases=["Location"]),
            )
        ),
        True,
        False,
        "The nested alias resolves in the inherited namespace com.acme.iot.",
    ),
    Case(
        "name-enum-renamed-no-alias",
        reading(fld("state", enum("State", ["OK", "FAULT"]))),
        reading(fld("state", enum("Status", ["OK", "FAULT"]))),
        False,
        False,
        "Enums are named types and need matching names.",
    ),
    Case(
        "name-enum-renamed-short-alias",
        reading(fld("state", enum("State", ["OK", "FAULT"]))),
        reading(fld("state", enum("Status", ["OK", "FAULT"], aliases=["State"]))),
        True,
        False,
        "The enum's short alias resolves to com.acme.iot.State, the writer's full name.",
    ),
    Case(
        "name-fixed-renamed-no-alias",
        reading(fld("mac", fixed("Mac", 6))),
        reading(fld("mac", fixed("MacAddress", 6))),
        False,
        False,
        "Fixed types are named types and need matching names.",
    ),
    Case(
        "name-fixed-renamed-full-alias",
        reading(fld("mac", fixed("Mac", 6))),
        reading(fld("mac", fixed("MacAddress", 6, aliases=[f"{NS}.Mac"]))),
        True,
        False,
        "A fully qualified alias resolves a fixed rename.",
    ),
    Case(
        "name-alias-only-on-old-schema",
        rec("Measurement", fld("ts", "long"), aliases=["Reading"]),
        rec("Reading", fld("ts", "long")),
        False,
        True,
        "Only the reader's aliases count, so the old schema's alias helps FORWARD only.",
    ),
    Case(
        "name-case-change",
        reading(fld("ts", "long")),
        rec("reading", fld("ts", "long"), namespace=NS),
        False,
        False,
        "Avro names are case-sensitive.",
    ),
]

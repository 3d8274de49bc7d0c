"""Compatibility verdicts where Avro Java's SchemaCompatibility (1.11.4, 1.12.0) has quirks that
Confluent inherits: its AvroCompatibilityChecker turns any exception into "incompatible"."""

from __future__ import annotations

from typing import Any

from devicecontracts._avro import CONFLUENT_7, CONFLUENT_8
from devicecontracts.schema import Record, parse_schema
from devicecontracts.schema.compatibility import check_compatibility, check_parsed


def rec(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A record ``name`` with these fields."""
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def fld(name: str, type_: Any = "int", **extra: Any) -> dict[str, Any]:
    """A field ``name``."""
    return {"name": name, "type": type_, **extra}


def test_a_field_alias_listed_twice_is_one_alias() -> None:
    """Schema.parseAliases keeps aliases in a LinkedHashSet, so ["p", "p"] is the alias p once:
    a reader field q aliased to the writer's p reads it, compatible."""
    writer = rec("R", fld("p"))
    reader = rec("R", fld("q", aliases=["p", "p"]))
    root = parse_schema(reader).root
    assert isinstance(root, Record) and root.fields[0].aliases == ("p",)
    result = check_compatibility(reader, [writer], "BACKWARD")
    assert result.compatible, result.issues


WRITER = rec("R", fld("a"), fld("b"))
AMBIGUOUS_BRANCH = rec("R", fld("x", aliases=["a", "b"]))
MATCHING_BRANCH = rec("S", fld("a"), aliases=["R"])


def test_a_union_branch_probe_that_throws_makes_the_verdict_incompatible() -> None:
    """Java probes reader branches in order; the first, whose field's aliases match two writer
    fields, throws in SchemaCompatibility.lookupWriterField before the matching second branch
    is reached: Confluent answers incompatible."""
    result = check_compatibility([AMBIGUOUS_BRANCH, MATCHING_BRANCH], [WRITER], "BACKWARD")
    assert not result.compatible
    assert [i.kind for i in result.issues] == ["AMBIGUOUS_ALIAS"]


def test_a_throwing_branch_after_the_match_is_never_probed() -> None:
    """Java stops at the first compatible branch, so a throwing branch after it is harmless."""
    result = check_compatibility([MATCHING_BRANCH, AMBIGUOUS_BRANCH], [WRITER], "BACKWARD")
    assert result.compatible, result.issues


def test_a_branch_with_another_name_still_has_its_fields_probed() -> None:
    """Java's RECORD case runs checkReaderWriterRecordFields even when checkSchemaNames fails,
    so a differently named branch with an ambiguous alias throws too."""
    other_name = rec("Q", fld("x", aliases=["a", "b"]))
    result = check_compatibility([other_name, MATCHING_BRANCH], [WRITER], "BACKWARD")
    assert not result.compatible
    assert "AMBIGUOUS_ALIAS" in [i.kind for i in result.issues]


def test_a_dot_prefixed_alias_names_the_null_namespace_in_avro_1_11_only() -> None:
    """Avro 1.12's NamedSchema.getAliases gives a null-namespace alias of a namespaced type as
    ".Reading", which SchemaCompatibility.schemaNameEquals never matches with the writer's
    "Reading"; 1.11's gives "Reading". So Confluent 8 says incompatible, Confluent 7 compatible."""
    writer = rec("Reading", fld("ts", "long"))
    reader = rec("Measurement", fld("ts", "long"), namespace="com.acme", aliases=[".Reading"])
    verdicts = {}
    for line in (CONFLUENT_7, CONFLUENT_8):
        r = parse_schema(reader, strict=False, line=line)
        w = parse_schema(writer, strict=False, line=line)
        verdicts[line.name] = check_parsed(r, [w], "BACKWARD").compatible
    assert verdicts == {"confluent-7": True, "confluent-8": False}

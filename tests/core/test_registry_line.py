"""The registry line: ``line`` in catalog.toml decides what "the registry would reject" means.

Sources, read in Confluent's and Avro's repositories: ``AvroSchemaProvider.parseSchemaOrElseThrow``
and ``AvroSchema.getParser`` (schema-registry v7.9.9 and v8.0.4), Avro Java's
``Schema.isValidDefault``, ``Schema.validateName`` (1.11.4), ``NameValidator`` and
``ParseContext.requireValidFullName`` (1.12.0).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from devicecontracts._avro import (
    CONFLUENT_7,
    CONFLUENT_8,
    LINES,
    RegistryLine,
    registry_line,
)
from devicecontracts.catalog import load_catalog
from devicecontracts.errors import CatalogError, InvalidSchemaError
from devicecontracts.findings import RULES, Severity
from devicecontracts.schema import Record, parse_schema

from ..support.catalogs import BUNDLED, check, field, make_catalog, message_toml, record, with_rule

CP7_VALIDATING = registry_line("confluent-7", validate_defaults=True)
CP7_NORMALIZING = registry_line("confluent-7", normalize=True)


def one_field(type_: Any, **extra: Any) -> dict[str, Any]:
    """A record ``a.b.R`` with one field ``f`` of this type."""
    return {
        "type": "record",
        "name": "R",
        "namespace": "a.b",
        "fields": [{"name": "f", "type": type_, **extra}],
    }


def _with_line(root: Path, header: str) -> Path:
    """The bundled catalog copied to ``root`` with ``header`` put first in its catalog.toml."""
    shutil.copytree(BUNDLED, root)
    toml = root / "catalog.toml"
    toml.write_text(header + "\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    return root


# ---------------------------------------------------------------------------------------------
# The setting


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", CONFLUENT_8),
        ('line = "confluent-8"', CONFLUENT_8),
        ('line = "confluent-7"', CONFLUENT_7),
        ('line = "confluent-7"\nvalidate_defaults = true', CP7_VALIDATING),
        ('line = "confluent-7"\nnormalize = true', CP7_NORMALIZING),
        ('line = "confluent-7"\nvalidate_defaults = false', CONFLUENT_7),
    ],
    ids=["default", "cp8", "cp7", "cp7-validate-defaults", "cp7-normalize", "cp7-switch-off"],
)
def test_catalog_declares_its_line(tmp_path: Path, header: str, expected: RegistryLine) -> None:
    """catalog.toml's line and CP 7's switches become the catalog's RegistryLine."""
    assert load_catalog(_with_line(tmp_path / "c", header)).line == expected


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        ('line = "confluent-6"', "not a registry line"),
        ("line = 8", "not a registry line"),
        ('line = "confluent-8"\nvalidate_defaults = true', "Confluent 7 switch"),
        ("normalize = true", "Confluent 7 switch"),
        ('line = "confluent-7"\nvalidate_defaults = "yes"', "true or false"),
    ],
)
def test_a_bad_line_setting_is_a_catalog_error(tmp_path: Path, header: str, needle: str) -> None:
    """An unknown line, a CP 7 switch on CP 8, or a non-boolean switch names catalog.toml."""
    with pytest.raises(CatalogError) as caught:
        load_catalog(_with_line(tmp_path / "c", header))
    assert needle in caught.value.message
    assert (caught.value.location.file or "").endswith("catalog.toml")


def test_the_switches_only_turn_cp7_default_validation_on() -> None:
    """CP 7 validates defaults only with a switch; CP 8 always does, whatever is asked."""
    assert not CONFLUENT_7.validate_defaults
    assert CP7_VALIDATING.validate_defaults and CP7_NORMALIZING.validate_defaults
    assert registry_line("confluent-8", validate_defaults=False) is CONFLUENT_8
    assert set(LINES) == {"confluent-7", "confluent-8"}
    with pytest.raises(ValueError):
        registry_line("confluent-9")


@pytest.mark.parametrize(
    "header", ["", 'line = "confluent-7"', 'line = "confluent-7"\nnormalize = true']
)
def test_bundled_catalog_is_clean_under_every_line(tmp_path: Path, header: str) -> None:
    """The bundled catalog checks clean under Confluent 8 and Confluent 7 (with or without
    its switches)."""
    report = check(_with_line(tmp_path / "c", header))
    assert report.findings == []
    assert report.ok


# ---------------------------------------------------------------------------------------------
# Defaults: validated by CP 8 and switched-on CP 7; CP 7's first branch, CP 8's any branch

ANY_BRANCH_DEFAULTS = {
    "top-level union": (["string", "null"], None),
    "union inside a record default": (
        {"type": "record", "name": "S", "fields": [{"name": "x", "type": ["int", "string"]}]},
        {"x": "text"},
    ),
    "union inside an array default": ({"type": "array", "items": ["int", "null"]}, [1, None]),
    "union inside a map default": ({"type": "map", "values": ["int", "string"]}, {"k": "v"}),
}


@pytest.mark.parametrize(
    ("type_", "default"), ANY_BRANCH_DEFAULTS.values(), ids=ANY_BRANCH_DEFAULTS.keys()
)
def test_cp8_accepts_a_union_default_of_any_branch(type_: Any, default: Any) -> None:
    """Avro 1.12's isValidDefault (UNION: anyMatch, also via isValidValue in records, arrays
    and maps): a default matching a later branch is valid at any depth under Confluent 8."""
    schema = parse_schema(one_field(type_, default=default), line=CONFLUENT_8)
    assert schema.spec_problems == ()


@pytest.mark.parametrize(
    ("type_", "default"), ANY_BRANCH_DEFAULTS.values(), ids=ANY_BRANCH_DEFAULTS.keys()
)
@pytest.mark.parametrize("line", [CP7_VALIDATING, CP7_NORMALIZING], ids=["validate", "normalize"])
def test_cp7_with_a_switch_rejects_a_union_default_off_the_first_branch(
    type_: Any, default: Any, line: RegistryLine
) -> None:
    """Avro 1.11's isValidDefault (UNION: getTypes().get(0)): with validate_defaults or
    normalize, Confluent 7 rejects a default matching only a later branch, at the default."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field(type_, default=default), line=line)
    assert caught.value.location.path == "/fields/0/default"


@pytest.mark.parametrize(
    ("type_", "default"),
    [*ANY_BRANCH_DEFAULTS.values(), ("string", None), ("int", "zero")],
    ids=[*ANY_BRANCH_DEFAULTS.keys(), "string null", "int string"],
)
def test_cp7_without_switches_takes_a_bad_default_but_records_it(type_: Any, default: Any) -> None:
    """Confluent 7 without its switches registers a bad default (AvroSchemaProvider passes
    isNew=false to the parser); the parse keeps it as a spec problem at the default's path."""
    schema = parse_schema(one_field(type_, default=default), line=CONFLUENT_7)
    assert [p.location.path for p in schema.spec_problems] == ["/fields/0/default"]


def test_cp8_rejects_a_default_no_branch_matches() -> None:
    """Any branch is not every value: a default matching no branch is rejected by CP 8."""
    with pytest.raises(InvalidSchemaError):
        parse_schema(one_field(["int", "null"], default="x"), line=CONFLUENT_8)


def _bad_default_catalog(tmp_path: Path, header: str) -> Path:
    bad = record("Reading", [field("count", "int", default="zero")])
    return make_catalog(tmp_path / "c", header + "\n" + message_toml(), {"reading": [bad]})


def test_a_bad_default_under_cp7_is_a_spec_invalid_default_warning(tmp_path: Path) -> None:
    """Under Confluent 7 without switches a bad default is not invalid-schema but its own
    warning, spec-invalid-default, which says the registry would take it."""
    report = check(_bad_default_catalog(tmp_path, 'line = "confluent-7"'))
    assert with_rule(report, "invalid-schema") == []
    [finding] = with_rule(report, "spec-invalid-default")
    assert finding.severity is Severity.WARNING
    assert RULES["spec-invalid-default"].severity is Severity.WARNING
    assert "register this schema anyway" in finding.message
    assert finding.path == "/fields/0/default"
    assert finding.version == 1 and (finding.file or "").endswith("v1.avsc")


@pytest.mark.parametrize(
    "header", ["", 'line = "confluent-7"\nvalidate_defaults = true'], ids=["cp8", "cp7-validating"]
)
def test_a_bad_default_is_invalid_schema_where_the_line_validates(
    tmp_path: Path, header: str
) -> None:
    """Where the line validates defaults, the same default is invalid-schema (42201)."""
    report = check(_bad_default_catalog(tmp_path, header))
    assert [f.path for f in with_rule(report, "invalid-schema")] == ["/fields/0/default"]
    assert with_rule(report, "spec-invalid-default") == []


def test_a_union_default_of_a_later_branch_under_cp7_is_only_a_warning(tmp_path: Path) -> None:
    """A null default on ["string", "null"] is clean under CP 8, a warning under CP 7."""
    schema = record("Reading", [field("note", ["string", "null"], default=None)])
    for header, warnings in (("", 0), ('line = "confluent-7"', 1)):
        root = make_catalog(
            tmp_path / f"c{warnings}", header + "\n" + message_toml(), {"reading": [schema]}
        )
        report = check(root)
        assert len(with_rule(report, "spec-invalid-default")) == warnings
        assert with_rule(report, "invalid-schema") == []


# ---------------------------------------------------------------------------------------------
# Names and namespaces


def test_cp8_allows_ascii_names_only() -> None:
    """Confluent 8 parses new schemas with NameValidator.STRICT_VALIDATOR: ASCII only."""
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(one_field("int") | {"name": "Température"}, line=CONFLUENT_8)
    assert caught.value.location.path == "/name"


def test_cp7_allows_java_letters_in_names() -> None:
    """Confluent 7 (Avro 1.11 Schema.validateName) accepts Character.isLetter names."""
    root = parse_schema(one_field("int") | {"name": "Température"}, line=CONFLUENT_7).root
    assert isinstance(root, Record) and root.fullname == "a.b.Température"


@pytest.mark.parametrize("namespace", ["com.acme-corp", "com..acme", "com.1acme"])
def test_namespaces_are_validated_by_cp8_only(namespace: str) -> None:
    """Avro 1.12's ParseContext.requireValidFullName checks every namespace part; 1.11's Name
    constructor checks only the short name, so Confluent 7 takes any namespace."""
    schema = one_field("int") | {"namespace": namespace}
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(schema, line=CONFLUENT_8)
    assert caught.value.location.path == "/namespace"
    root = parse_schema(schema, line=CONFLUENT_7).root
    assert isinstance(root, Record) and root.namespace == namespace


def test_stored_versions_are_read_as_the_line_reads_them() -> None:
    """Stored schemas: CP 8 reads them with NO_VALIDATION (any name, any default); CP 7's
    Avro 1.11 parser still validates names but not defaults."""
    bad_name = one_field("int") | {"name": "bad-name"}
    bad_default = one_field("int", default="zero")
    assert parse_schema(bad_name, strict=False, line=CONFLUENT_8)
    with pytest.raises(InvalidSchemaError):
        parse_schema(bad_name, strict=False, line=CONFLUENT_7)
    for line in (CONFLUENT_8, CONFLUENT_7, CP7_VALIDATING):
        assert parse_schema(bad_default, strict=False, line=line).spec_problems == ()

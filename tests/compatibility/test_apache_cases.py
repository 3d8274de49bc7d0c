"""Apache Avro's own compatibility cases, replayed through ``check_compatibility`` at BACKWARD.

Two sources:

* ``avro.test.test_compatibility`` (the Python port of Java's ``TestSchemaCompatibility*`` tests,
  shipped inside the installed ``avro`` package). Its pairs are harvested programmatically: the
  module's schema constants are imported, and the reader/writer pairs that live inside the test
  methods are read from the method bodies with ``ast`` and evaluated in the module's namespace.
* A handful of Java-only cases from ``lang/java/avro/src/test/java/org/apache/avro`` that the
  Python port lacks or comments out, reproduced as JSON with a citation each.

BACKWARD means reader = new schema and writer = previous schema, so each pair is checked as
``check_compatibility(reader, [writer], "BACKWARD")``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from avro.schema import Schema as AvroSchema

from devicecontracts.schema.compatibility import check_compatibility

from .corpus import Schema, api_form

APACHE = importlib.import_module("avro.test.test_compatibility")
APACHE_SOURCE = inspect.getsource(APACHE)
APACHE_LINES = APACHE_SOURCE.splitlines()

# Names of the pair lists inside the Apache test methods, and the verdict each one encodes.
PAIR_LISTS: dict[str, bool] = {
    "compatible_reader_writer_test_cases": True,
    "incompatible_pairs": False,
    "incompatible_fixed_pairs": False,
}

# Harvested pairs whose Java verdict differs from the Python test's expectation, with the reason.
# The Python checker is known to differ from Java only on (a) short/relative record aliases, which
# Java resolves against the reader's namespace, and (b) a reader field alias matching two writer
# fields, on which Java throws. No pair in avro.test.test_compatibility exercises either (all its
# aliases are unqualified names without namespaces), so this map is empty; the divergent inputs
# are covered by JAVA_CASES below and by the corpus. Keys are harvested case ids.
JAVA_OVERRIDES: dict[str, tuple[bool, str]] = {}


@dataclass(frozen=True)
class ApacheCase:
    """A reader/writer pair with Java's verdict and the Apache test it comes from."""

    id: str
    reader: Schema
    writer: Schema
    compatible: bool
    source: str


def _to_json(schema: AvroSchema) -> Schema:
    """Convert an ``avro.schema.Schema`` to plain parsed JSON."""
    converted: Schema = json.loads(json.dumps(schema.to_json()))
    return converted


def _evaluate(node: ast.expr, namespace: dict[str, Any]) -> Any:
    return eval(compile(ast.Expression(node), "<apache-test>", "eval"), namespace)


def _label(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else "inline"


def _comment_above(lineno: int, first_line: int) -> str:
    """The nearest ``#`` comment above ``lineno`` in the method, i.e. the Java test's name."""
    for index in range(lineno - 2, first_line - 1, -1):
        text = APACHE_LINES[index].strip()
        if text.startswith("#"):
            return text.lstrip("# ").strip()
    return ""


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _harvest_method(method: ast.FunctionDef, globals_: dict[str, Any]) -> Iterator[ApacheCase]:
    """Yield the pairs asserted by one ``TestCompatibility`` method, in source order."""
    namespace = dict(globals_)
    pending: tuple[Any, Any] | None = None
    sequence = 0
    for statement in method.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            target = statement.targets[0].id
            if target in PAIR_LISTS and isinstance(statement.value, ast.List):
                for index, element in enumerate(statement.value.elts):
                    assert isinstance(element, ast.Tuple)
                    reader_node, writer_node = element.elts[0], element.elts[1]
                    yield ApacheCase(
                        id=f"{method.name}:{target}[{index}]:"
                        f"{_label(reader_node)}<-{_label(writer_node)}",
                        reader=_to_json(_evaluate(reader_node, namespace)),
                        writer=_to_json(_evaluate(writer_node, namespace)),
                        compatible=PAIR_LISTS[target],
                        source=f"avro.test.test_compatibility.TestCompatibility.{method.name}"
                        f" {target}[{index}]",
                    )
                continue
            if _call_name(statement.value) == "get_compatibility":
                assert isinstance(statement.value, ast.Call)
                reader_node, writer_node = statement.value.args[:2]
                pending = (_evaluate(reader_node, namespace), _evaluate(writer_node, namespace))
                continue
            exec(compile(ast.Module([statement], []), "<apache-test>", "exec"), namespace)
            continue
        if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
            continue
        call = statement.value
        assertion = _call_name(call)
        pair: tuple[Any, Any] | None = None
        verdict: bool | None = None
        if (
            assertion in ("assertTrue", "assertFalse")
            and _call_name(call.args[0]) == "are_compatible"
        ):
            inner = call.args[0]
            assert isinstance(inner, ast.Call)
            pair = (_evaluate(inner.args[0], namespace), _evaluate(inner.args[1], namespace))
            verdict = assertion == "assertTrue"
        elif assertion == "assertIs" and pending is not None:
            expected = call.args[1]
            if isinstance(expected, ast.Attribute) and expected.attr in (
                "compatible",
                "incompatible",
            ):
                pair, verdict = pending, expected.attr == "compatible"
                pending = None
        if pair is not None and verdict is not None:
            sequence += 1
            java_test = _comment_above(statement.lineno, method.lineno)
            yield ApacheCase(
                id=f"{method.name}:inline[{sequence}]",
                reader=_to_json(pair[0]),
                writer=_to_json(pair[1]),
                compatible=verdict,
                source=f"avro.test.test_compatibility.TestCompatibility.{method.name}"
                f" line {statement.lineno} ({java_test})",
            )


def harvest() -> list[ApacheCase]:
    """All reader/writer pairs asserted by ``avro.test.test_compatibility.TestCompatibility``."""
    tree = ast.parse(APACHE_SOURCE)
    test_class = next(
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "TestCompatibility"
    )
    cases: list[ApacheCase] = []
    for method in test_class.body:
        if isinstance(method, ast.FunctionDef) and method.name.startswith("test_"):
            cases.extend(_harvest_method(method, vars(APACHE)))
    known = {case.id for case in cases}
    stale = set(JAVA_OVERRIDES) - known
    if stale:
        raise LookupError(f"JAVA_OVERRIDES names cases that were not harvested: {sorted(stale)}")
    return [
        ApacheCase(c.id, c.reader, c.writer, JAVA_OVERRIDES[c.id][0], c.source)
        if c.id in JAVA_OVERRIDES
        else c
        for c in cases
    ]


HARVESTED = harvest()


# --------------------------------------------------------------------------------------------
# Java-only cases (lang/java/avro/src/test/java/org/apache/avro/...), reproduced as JSON.
# --------------------------------------------------------------------------------------------


def _list_record(head: str) -> dict[str, Any]:
    # TestSchemas.INT_LIST_RECORD / LONG_LIST_RECORD: a record "List" with a required self-typed
    # "tail" field.
    return {
        "type": "record",
        "name": "List",
        "fields": [{"name": "head", "type": head}, {"name": "tail", "type": "List"}],
    }


def _enum(name: str, symbols: list[str], default: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "enum", "name": name, "symbols": symbols}
    if default is not None:
        schema["default"] = default
    return schema


def _record1(field_name: str, field_type: Schema, **field_attrs: object) -> dict[str, Any]:
    return {
        "type": "record",
        "name": "Record1",
        "fields": [{"name": field_name, "type": field_type, **field_attrs}],
    }


# TestSchemaCompatibilityMultiple.multipleIncompatibilities (SchemaBuilder calls as JSON).
MULTIPLE_READER: dict[str, Any] = {
    "type": "record",
    "name": "base",
    "fields": [
        {"name": "check_enum_symbols_field", "type": _enum("check_enum_symbols_type", ["A", "C"])},
        {
            "name": "check_enum_name_field",
            "type": _enum("check_enum_name_type", ["A", "B", "C", "D"]),
        },
        {"name": "type_mismatch_field", "type": "string"},
        {
            "name": "sub_record",
            "type": {
                "type": "record",
                "name": "sub_record_type",
                "fields": [
                    {"name": "identical_1_field", "type": "long", "default": 42},
                    {"name": "extra_no_default_field", "type": "long"},
                    {
                        "name": "fixed_length_mismatch_field",
                        "type": {"type": "fixed", "name": "fixed_length_mismatch_type", "size": 4},
                    },
                    {"name": "union_missing_branches_field", "type": ["boolean"]},
                    {"name": "reader_union_does_not_support_type_field", "type": ["boolean"]},
                    {
                        "name": "record_fqn_mismatch_field",
                        "type": {
                            "type": "record",
                            "name": "recordA",
                            "namespace": "not_nsA",
                            "fields": [
                                {"name": "A_field_0", "type": "boolean", "default": True},
                                {
                                    "name": "array_type_mismatch_field",
                                    "type": {"type": "array", "items": "string"},
                                },
                            ],
                        },
                    },
                ],
            },
        },
    ],
}

MULTIPLE_WRITER: dict[str, Any] = {
    "type": "record",
    "name": "base",
    "fields": [
        {
            "name": "check_enum_symbols_field",
            "type": _enum("check_enum_symbols_type", ["A", "B", "C", "D"]),
        },
        {
            "name": "check_enum_name_field",
            "type": _enum("check_enum_name_type_ERR", ["A", "B", "C", "D"]),
        },
        {"name": "type_mismatch_field", "type": "long"},
        {
            "name": "sub_record",
            "type": {
                "type": "record",
                "name": "sub_record_type",
                "fields": [
                    {"name": "identical_1_field", "type": "long", "default": 42},
                    {
                        "name": "fixed_length_mismatch_field",
                        "type": {"type": "fixed", "name": "fixed_length_mismatch_type", "size": 8},
                    },
                    {
                        "name": "union_missing_branches_field",
                        "type": ["boolean", "double", "string"],
                    },
                    {"name": "reader_union_does_not_support_type_field", "type": "long"},
                    {
                        "name": "record_fqn_mismatch_field",
                        "type": {
                            "type": "record",
                            "name": "recordA",
                            "namespace": "nsA",
                            "fields": [
                                {"name": "A_field_0", "type": "boolean", "default": True},
                                {
                                    "name": "array_type_mismatch_field",
                                    "type": {"type": "array", "items": "boolean"},
                                },
                            ],
                        },
                    },
                ],
            },
        },
    ],
}

# The nine (type, location) pairs TestSchemaCompatibilityMultiple asserts, in Java's order.
MULTIPLE_FINDINGS: list[tuple[str, str]] = [
    ("MISSING_ENUM_SYMBOLS", "/fields/0/type/symbols"),
    ("NAME_MISMATCH", "/fields/1/type/name"),
    ("TYPE_MISMATCH", "/fields/2/type"),
    ("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/3/type/fields/1"),
    ("FIXED_SIZE_MISMATCH", "/fields/3/type/fields/2/type/size"),
    ("MISSING_UNION_BRANCH", "/fields/3/type/fields/3/type/1"),
    ("MISSING_UNION_BRANCH", "/fields/3/type/fields/3/type/2"),
    ("MISSING_UNION_BRANCH", "/fields/3/type/fields/4/type"),
    ("TYPE_MISMATCH", "/fields/3/type/fields/5/type/fields/1/type/items"),
]

JAVA = "lang/java/avro/src/test/java/org/apache/avro/"

JAVA_CASES: list[ApacheCase] = [
    ApacheCase(
        "java:list-record-int-int",
        _list_record("int"),
        _list_record("int"),
        True,
        JAVA + "TestSchemaCompatibility.java COMPATIBLE_READER_WRITER_TEST_CASES"
        " (INT_LIST_RECORD, INT_LIST_RECORD)",
    ),
    ApacheCase(
        "java:list-record-long-long",
        _list_record("long"),
        _list_record("long"),
        True,
        JAVA + "TestSchemaCompatibility.java COMPATIBLE_READER_WRITER_TEST_CASES"
        " (LONG_LIST_RECORD, LONG_LIST_RECORD)",
    ),
    ApacheCase(
        "java:list-record-long-reads-int",
        _list_record("long"),
        _list_record("int"),
        True,
        JAVA + "TestSchemaCompatibility.java COMPATIBLE_READER_WRITER_TEST_CASES"
        " (LONG_LIST_RECORD, INT_LIST_RECORD)",
    ),
    ApacheCase(
        # The Python port has this row commented out in test_schema_compatibility_type_mismatch.
        "java:list-record-int-reads-long",
        _list_record("int"),
        _list_record("long"),
        False,
        JAVA + "TestSchemaCompatibilityTypeMismatch.java (INT_LIST_RECORD, LONG_LIST_RECORD,"
        " '/fields/0/type')",
    ),
    ApacheCase(
        "java:multiple-incompatibilities",
        MULTIPLE_READER,
        MULTIPLE_WRITER,
        False,
        JAVA + "TestSchemaCompatibilityMultiple.java multipleIncompatibilities",
    ),
    ApacheCase(
        # Java asserts that decoding fails ("missing required field field1"); the checker's
        # verdict for the same pair is a TYPE_MISMATCH (enum vs the writer record).
        "java:enum-default-not-applied-when-writer-field-missing",
        _record1("field1", _enum("Enum", ["A", "B"], default="A")),
        _record1("field2", _enum("Enum2", ["A", "B"])),
        False,
        JAVA
        + "TestSchemaCompatibilityEnumDefaults.java enumDefaultNotAppliedWhenWriterFieldMissing",
    ),
    ApacheCase(
        "java:enum-default-applied-when-no-field-default",
        _record1("field1", _enum("Enum", ["A", "B"], default="A")),
        _record1("field1", _enum("Enum", ["A", "B", "C"], default="A")),
        True,
        JAVA
        + "TestSchemaCompatibilityEnumDefaults.java enumDefaultAppliedWhenNoFieldDefaultDefined",
    ),
    ApacheCase(
        "java:field-default-not-applied-for-unknown-symbol",
        _record1("field1", _enum("Enum1", ["A", "B"]), default="A"),
        _record1("field1", _enum("Enum1", ["A", "B", "C"])),
        False,
        JAVA + "TestSchemaCompatibilityEnumDefaults.java fieldDefaultNotAppliedForUnknownSymbol",
    ),
]


def _ids(cases: list[ApacheCase]) -> list[str]:
    return [case.id for case in cases]


# --------------------------------------------------------------------------------------------
# Tests.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", HARVESTED, ids=_ids(HARVESTED))
def test_apache_python_pair(case: ApacheCase) -> None:
    """Each pair asserted by Apache's Python compatibility test gets Java's verdict."""
    result = check_compatibility(api_form(case.reader), [api_form(case.writer)], "BACKWARD")
    assert result.compatible is case.compatible, case.source


@pytest.mark.parametrize("case", JAVA_CASES, ids=_ids(JAVA_CASES))
def test_apache_java_pair(case: ApacheCase) -> None:
    """Each pair reproduced from Apache's Java compatibility tests gets Java's verdict."""
    result = check_compatibility(api_form(case.reader), [api_form(case.writer)], "BACKWARD")
    assert result.compatible is case.compatible, case.source


def test_java_multiple_incompatibilities_are_all_reported() -> None:
    """All nine incompatibilities of Java's multipleIncompatibilities test are reported."""
    result = check_compatibility(MULTIPLE_READER, [MULTIPLE_WRITER], "BACKWARD")
    found = {(issue.kind, issue.path) for issue in result.issues}
    missing = [finding for finding in MULTIPLE_FINDINGS if finding not in found]
    assert not missing, f"missing {missing}; found {sorted(found)}"


def test_java_recursive_type_mismatch_location() -> None:
    """Java locates the int-vs-long mismatch of the recursive List at /fields/0/type."""
    result = check_compatibility(_list_record("int"), [_list_record("long")], "BACKWARD")
    assert ("TYPE_MISMATCH", "/fields/0/type") in {(i.kind, i.path) for i in result.issues}


def test_harvest_found_every_assertion() -> None:
    """The harvester sees all pair lists and inline assertions of the Apache test module."""
    by_method: dict[str, int] = {}
    for case in HARVESTED:
        method = case.id.split(":", 1)[0]
        by_method[method] = by_method.get(method, 0) + 1
    assert by_method.get("test_simple_schema_promotion") == 2
    # 10 inline assertions plus the compatible list in test_schema_compatibility.
    assert sum(1 for c in HARVESTED if c.id.startswith("test_schema_compatibility:inline")) == 10
    assert {
        "test_schema_compatibility",
        "test_schema_compatibility_fixed_size_mismatch",
        "test_schema_compatibility_missing_enum_symbols",
        "test_schema_compatibility_missing_union_branch",
        "test_schema_compatibility_name_mismatch",
        "test_schema_compatibility_reader_field_missing_default_value",
        "test_schema_compatibility_type_mismatch",
    } <= set(by_method)
    assert len(HARVESTED) >= 130
    assert {case.compatible for case in HARVESTED} == {True, False}


def test_harvested_labels_match_the_python_checker() -> None:
    """The harvested expectations are the ones the Apache Python test actually asserts."""
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
    from avro.schema import parse

    for case in HARVESTED:
        if case.id in JAVA_OVERRIDES:
            continue
        result = ReaderWriterCompatibilityChecker().get_compatibility(
            parse(json.dumps(case.reader)), parse(json.dumps(case.writer))
        )
        verdict = result.compatibility is SchemaCompatibilityType.compatible
        assert verdict is case.compatible, case.source

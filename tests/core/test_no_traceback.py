"""No traceback from any input (issue 12): deep nesting, recursive defaults, symlink loops.

Avro Java reads schema JSON with Jackson, whose ``StreamReadConstraints`` allow 1,000 nesting
levels (``DEFAULT_MAX_DEPTH``; 1,001 fails with "Document nesting depth (1001) exceeds the
maximum allowed (1000)"). Within that limit everything works; beyond it the file gets a finding
(or, for the lock, a `LockError`), never a `RecursionError`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devicecontracts.catalog.lock import read_lock
from devicecontracts.cli import main
from devicecontracts.errors import LockError, SchemaError, SchemaJSONError
from devicecontracts.schema import parse_schema
from devicecontracts.schema.compatibility import check_compatibility, check_parsed
from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import copy_bundled, read_version
from ..support.registry import post_raw

KINDS = ("array", "map", "record", "union")
# Seconds one command may take on the deepest input (measured well under a second; generous
# because helpers share two cores).
BOUND = 30.0


def nested(kinds: list[str], depth: int, leaf: str = '"int"') -> str:
    """Schema JSON text: ``depth`` types wrapped around ``leaf``, cycling through ``kinds``."""
    text = leaf
    for i in range(depth):
        kind = kinds[i % len(kinds)]
        if kind == "array":
            text = '{"type":"array","items":' + text + "}"
        elif kind == "map":
            text = '{"type":"map","values":' + text + "}"
        elif kind == "record":
            text = f'{{"type":"record","name":"N{i}","fields":[{{"name":"f","type":{text}}}]}}'
        else:
            text = '["null",' + text + "]"
    return text


def recursive_default(shape: str, depth: int) -> str:
    """A record ``R`` referring to itself, with a default nested ``depth`` levels deep."""
    value: Any = {}
    for _ in range(depth):
        value = {"next": value}
    field_type: Any = {
        "one": "R",
        "optional": ["null", "R"],
        "list": {"type": "array", "items": "R"},
    }
    default: Any = {"one": value, "optional": None, "list": [value]}
    return json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "next", "type": field_type[shape], "default": default[shape]}],
        }
    )


kinds_lists = st.lists(st.sampled_from(KINDS), min_size=1, max_size=4)
depths = st.integers(min_value=0, max_value=2000)
schemas = st.one_of(
    st.builds(nested, kinds_lists, depths),
    st.builds(
        recursive_default,
        st.sampled_from(["one", "optional", "list"]),
        st.integers(min_value=0, max_value=1200),
    ),
)


def timed(call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, asserting it returned within `BOUND` seconds."""
    start = time.monotonic()
    result = call(*args, **kwargs)
    assert time.monotonic() - start < BOUND
    return result


# ---------------------------------------------------------------------------------------------
# The library


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas)
@example(nested(["array"], 1000))
@example(nested(["array"], 1001))
@example(nested(["record"], 333))
@example(recursive_default("one", 0))
def test_parse_and_check_never_raise_anything_but_schema_errors(text: str) -> None:
    """parse_schema, the checker and the canonical form either work or raise `SchemaError`."""
    try:
        schema = timed(parse_schema, text)
    except SchemaError:
        return
    assert schema.canonical_form
    assert check_parsed(schema, [schema], "FULL").compatible
    assert timed(check_compatibility, text, [text], "BACKWARD_TRANSITIVE").compatible


def test_json_nested_1000_deep_parses_and_1001_is_rejected_like_jackson() -> None:
    """1,000 nesting levels are accepted and 1,001 are a `SchemaJSONError` with the position."""
    assert parse_schema(nested(["array"], 999)).root.type == "array"  # 999 + the leaf's none
    assert parse_schema(nested(["array"], 1000)).root.type == "array"
    with pytest.raises(SchemaJSONError, match="nested more than 1,000 levels") as raised:
        parse_schema(nested(["array"], 1001), file="deep.avsc")
    assert raised.value.location.file == "deep.avsc"
    assert raised.value.location.column == 1 + 1000 * len('{"type":"array","items":')


def test_parsed_json_deeper_than_the_limit_is_rejected() -> None:
    """Already-parsed JSON deeper than 1,000 levels is a `SchemaJSONError`, not a crash."""
    value: Any = "int"
    for _ in range(5000):
        value = {"type": "array", "items": value}
    with pytest.raises(SchemaJSONError, match="nested more than 1,000 levels"):
        parse_schema(value)


def test_records_nested_300_deep_are_compatible_with_themselves() -> None:
    """As Avro Java says: 300 nested records read data written with themselves."""
    schema = parse_schema(nested(["record"], 300))
    assert check_parsed(schema, [schema], "FULL_TRANSITIVE").compatible


@pytest.mark.parametrize("depth", [990, 1001, 5000])
def test_a_deep_lock_is_read_or_a_lock_error_naming_the_file(tmp_path: Path, depth: int) -> None:
    """A lock nested beyond 1,000 levels is a `LockError` naming it; within, a plain LockError."""
    path = tmp_path / "contracts.lock.json"
    path.write_text('{"format": 1, "subjects": {"s": ' + "[" * depth + "]" * depth + "}}")
    with pytest.raises(LockError) as raised:
        read_lock(path)
    assert raised.value.location.file == str(path)
    if depth > 1000:
        assert "more than 1,000 levels" in raised.value.message


# Python converts at most sys.get_int_max_str_digits() digits to an int (4,300 by default):
# json.loads raises a plain ValueError past it, which every JSON reader of input must turn into
# its own error.
LONG = "9" * (sys.get_int_max_str_digits() + 1)


@pytest.mark.parametrize("sign", ["", "-"])
def test_a_number_longer_than_python_reads_is_a_schema_json_error_at_its_place(
    sign: str,
) -> None:
    text = (
        '{"type": "record", "name": "R", "doc": "' + LONG + '",\n"fields": [\n'
        '  {"name": "a", "type": "double", "default": 1' + "0" * 2000 + "},\n"
        '  {"name": "b", "type": "long", "default": ' + sign + LONG + "}]}"
    )
    with pytest.raises(SchemaJSONError) as raised:
        parse_schema(text, file="long.avsc")
    assert f"a number {len(LONG)} digits long" in raised.value.message
    assert (raised.value.location.file, raised.value.location.line) == ("long.avsc", 4)
    assert raised.value.location.column == len('  {"name": "b", "type": "long", "default": ') + 1


def test_a_lock_with_a_number_longer_than_python_reads_is_a_lock_error(tmp_path: Path) -> None:
    path = tmp_path / "contracts.lock.json"
    path.write_text('{"format": 1, "subjects": {"s": ' + LONG + "}}")
    with pytest.raises(LockError, match="number longer than Python reads") as raised:
        read_lock(path)
    assert raised.value.location.file == str(path)


def test_the_local_registry_refuses_numbers_longer_than_python_reads() -> None:
    """In the request body: 400; in the schema text: 422 / 42201, as other bad JSON is."""
    with LocalRegistry() as registry:

        def post(data: bytes) -> tuple[int, Any]:
            return post_raw(registry.url + "/subjects/s-value/versions", data)

        status, answer = post(b'{"schema": "\\"long\\"", "version": ' + LONG.encode() + b"}")
        assert (status, answer["error_code"]) == (400, 400)
        schema = '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long", '
        schema += '"default": ' + LONG + "}]}"
        status, answer = post(json.dumps({"schema": schema}).encode())
        assert (status, answer["error_code"]) == (422, 42201)
        assert "Invalid schema" in answer["message"]


# ---------------------------------------------------------------------------------------------
# Every command


def invoke(*args: str, codes: tuple[int, ...] = (0, 1, 2)) -> Result:
    """Run ``contracts`` in-process, asserting an exit code in ``codes``, no traceback, in
    bounded time."""
    result: Result = timed(CliRunner().invoke, main, list(args))
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result


def catalog_with(tmp: Path, field_type: str, default: str | None) -> Path:
    """A copy of the bundled catalog whose new alarm v4 adds a field of ``field_type``."""
    catalog = copy_bundled(tmp / "schemas")
    field = '{"name":"deep","type":' + field_type
    field += "}" if default is None else ',"default":' + default + "}"
    text = json.dumps(read_version(catalog, "alarm", 3), indent=2)
    text = text.replace('"fields": [', '"fields": [' + field + ",", 1)
    (catalog / "alarm" / "v4.avsc").write_text(text, encoding="utf-8")
    return catalog


def every_command(catalog: Path, registry: LocalRegistry) -> list[Result]:
    """check, diff, register, lock and codegen --check on ``catalog``, each without a
    traceback (register may also end with 3, the registry refused)."""
    where = ["--catalog", str(catalog)]
    out = catalog.parent / "out"
    return [
        invoke("check", *where),
        invoke("diff", "alarm", "3", "4", *where),
        invoke("codegen", str(catalog), "--check", "--out", str(out), "--package", "out"),
        invoke("register", *where, "--registry", registry.url, codes=(0, 1, 2, 3)),
        invoke("lock", *where),
        invoke("check", *where),  # reads what lock wrote
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kinds=kinds_lists,
    depth=depths,
    default=st.sampled_from([None, "null", "[]", "{}", '{"next": {}}']),
)
@example(kinds=["array"], depth=997, default="[]")  # 3 levels of the record + 997 = 1,000
@example(kinds=["array"], depth=998, default="[]")
@example(kinds=["record"], depth=300, default=None)
def test_no_command_shows_a_traceback_for_deep_schemas(
    tmp_path_factory: pytest.TempPathFactory,
    local_registry: LocalRegistry,
    kinds: list[str],
    depth: int,
    default: str | None,
) -> None:
    """check, diff, register, lock and codegen end with a documented exit code on any nesting
    depth."""
    catalog = catalog_with(tmp_path_factory.mktemp("deep"), nested(kinds, depth), default)
    check = every_command(catalog, local_registry)[0]
    if depth + 3 > 1000 and kinds == ["array"]:
        assert check.exit_code == 1
        assert "nested more than 1,000 levels" in check.output
        assert "alarm/v4.avsc" in check.output


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    shape=st.sampled_from(["one", "optional", "list"]),
    depth=st.integers(min_value=0, max_value=400),
)
def test_no_command_shows_a_traceback_for_recursive_defaults(
    tmp_path_factory: pytest.TempPathFactory,
    local_registry: LocalRegistry,
    shape: str,
    depth: int,
) -> None:
    """A self-referring field with any default ends every command with a documented exit code."""
    catalog = catalog_with(
        tmp_path_factory.mktemp("recursive"), recursive_default(shape, depth), None
    )
    every_command(catalog, local_registry)


def test_a_deep_lock_file_exits_2_naming_it(catalog_dir: Path) -> None:
    """A lock nested beyond Jackson's limit stops check with exit 2 and the lock's name."""
    lock = catalog_dir / "contracts.lock.json"
    lock.write_text('{"format": 1, "subjects": ' + "[" * 1500 + "]" * 1500 + "}")
    result = invoke("check", "--catalog", str(catalog_dir))
    assert result.exit_code == 2
    assert "contracts.lock.json" in result.output
    assert "more than 1,000 levels" in result.output


@pytest.mark.parametrize("target", ["folder", "version"])
def test_a_symlink_loop_exits_2_naming_it(catalog_dir: Path, target: str) -> None:
    """A symbolic link that points back at itself is a catalog error (exit 2) naming the path."""
    if target == "folder":
        for child in (catalog_dir / "alarm").iterdir():
            child.unlink()
        (catalog_dir / "alarm").rmdir()
        loop = catalog_dir / "alarm"
    else:
        loop = catalog_dir / "alarm" / "v4.avsc"
    os.symlink(loop.name, loop)
    for args in (
        ["check", "--catalog", str(catalog_dir)],
        ["codegen", str(catalog_dir), "--check", "--out", str(catalog_dir / "o"), "--package", "o"],
    ):
        result = invoke(*args)
        assert result.exit_code == 2
        assert "symbolic link loop" in result.output
        assert str(loop) in result.output

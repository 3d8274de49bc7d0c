"""The site's example messages (issue 15, point 3): valid by construction, and tested so.

Every version of the bundled catalog has an example; its Avro JSON encoding reads back through
fastavro's JSON reader against that version's schema (references inlined as the catalog parses
them), and its device form goes through the bridge into the version's model and onto the wire,
whose bytes decode to the same data. The generator's output decodes for other schemas too:
random ones (``tests/support/strategies.avro_schemas``) and the codegen torture schema, every
Avro type and logical type. Builds in two processes are byte-identical; without hypothesis
``contracts docs`` still builds, says why there are no examples, and the pages say so.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path
from types import ModuleType
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from devicecontracts.bridge import DeviceBridge, validate_payload
from devicecontracts.catalog import Catalog, ContractKind, load_catalog
from devicecontracts.docs.examples import Example
from devicecontracts.docs.site import build_site
from devicecontracts.errors import PayloadValidationError
from devicecontracts.schema import (
    AvroType,
    Map,
    Record,
    Schema,
    Union,
    children,
    parse_schema,
    walk,
)
from devicecontracts.serde import Deserializer, Serializer
from devicecontracts.testing import _doc_examples, as_read, decode, encode, untag, values_equal
from devicecontracts.testing._doc_examples import (
    avro_json,
    device_json,
    doc_examples,
    example_of,
    example_value,
)

from ..support.catalogs import BUNDLED
from ..support.codegen import TORTURE, write_package
from ..support.models import MODELS_PACKAGE, versions, writer_schemas
from ..support.strategies import avro_schemas

CASES = [
    pytest.param(c.name, v.version, id=f"{c.name}-v{v.version}")
    for c in load_catalog(BUNDLED).ordered()
    for v in c.versions
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(BUNDLED)


@pytest.fixture(scope="module")
def examples(catalog: Catalog) -> dict[tuple[str, int], Example]:
    drawn = doc_examples(catalog)
    assert drawn.problems == []
    return drawn.examples


def _schema(catalog: Catalog, name: str, version: int) -> Schema:
    found = next(v for v in catalog.contracts[name].versions if v.version == version)
    assert found.schema is not None
    return found.schema


def read_avro_json(text: str, schema: Schema | AvroType) -> Any:
    """``text`` read by fastavro's JSON reader (one record per line, so compacted first)."""
    json_schema = schema.to_json() if isinstance(schema, Schema) else _node_json(schema)
    parsed = fastavro.parse_schema(json_schema)
    records = list(fastavro.json_reader(io.StringIO(json.dumps(json.loads(text))), parsed))
    assert len(records) == 1
    return records[0]


def _node_json(node: AvroType) -> Any:
    from devicecontracts.schema import to_json

    return json.loads(to_json(node))


def _model(schema: Schema) -> Any:
    """The generated model of a version of the bundled catalog, found by its fingerprint."""
    manifest = importlib.import_module(f"{MODELS_PACKAGE}._manifest")
    for entry in manifest.MODULES.values():
        if entry["fingerprint"] == schema.fingerprint:
            return getattr(importlib.import_module(entry["module"]), entry["model"])
    raise AssertionError(f"no model of {schema.fingerprint}")


# ---------------------------------------------------------------------------------------------
# The bundled catalog


def test_every_parsed_version_has_an_example(
    catalog: Catalog, examples: dict[tuple[str, int], Example]
) -> None:
    expected = {
        (c.name, v.version) for c in catalog.ordered() for v in c.versions if v.schema is not None
    }
    assert set(examples) == expected
    for (name, _), example in examples.items():
        # Every contract of the bundled catalog is a record: the device form is shown for all.
        assert example.device_json is not None, name


@pytest.mark.parametrize(("name", "version"), CASES)
def test_the_avro_json_encoding_reads_back_with_fastavro(
    catalog: Catalog, examples: dict[tuple[str, int], Example], name: str, version: int
) -> None:
    schema = _schema(catalog, name, version)
    text = examples[(name, version)].avro_json
    value = read_avro_json(text, schema)
    # fastavro's own JSON writer writes the same JSON for what its reader read: unions tagged
    # by branch name, timestamps as numbers, decimals and bytes as ISO-8859-1 text.
    out = io.StringIO()
    fastavro.json_writer(out, fastavro.parse_schema(schema.to_json()), [value])
    assert json.loads(out.getvalue()) == json.loads(text)


# Writing a version the catalog deprecates warns (DeprecatedContractWarning): expected here.
@pytest.mark.filterwarnings("ignore:writing v.* which is deprecated:UserWarning")
@pytest.mark.parametrize(("name", "version"), CASES)
def test_the_device_form_goes_through_the_bridge_onto_the_wire(
    catalog: Catalog, examples: dict[tuple[str, int], Example], name: str, version: int
) -> None:
    schema = _schema(catalog, name, version)
    example = examples[(name, version)]
    assert example.device_json is not None
    expected = read_avro_json(example.avro_json, schema)
    if catalog.contracts[name].kind is ContractKind.SHARED:
        # A shared type travels inside messages: its fragment validates into its own model.
        model = _model(schema)
        message = validate_payload(model, example.device_json, unknown_fields="forbid")
        assert values_equal(decode(message.to_avro_bytes(), schema), expected)
        return
    found = next(v for v in versions()[name] if v.number == version)
    bridge = DeviceBridge(found.model, Serializer(writer_schemas()), unknown_fields="forbid")
    framed = bridge.to_avro(example.device_json)
    assert framed[:5] == b"\x00" + found.schema_id.to_bytes(4, "big")
    assert values_equal(decode(framed[5:], schema), expected)
    decoded = Deserializer(found.model, schemas=writer_schemas()).decode(framed)
    assert decoded == bridge.validate(example.device_json)


def test_examples_look_like_a_devices_within_docs_and_rules(
    examples: dict[tuple[str, int], Example],
) -> None:
    start, end = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for version in (2, 3):
        sent = json.loads(examples[("telemetry", version)].device_json or "")
        # The contract's CEL_FIELD rule battery_mv_in_range (v2 on): 2500 to 4500 mV.
        assert 2500 <= sent["battery_mv"] <= 4500
        # The doc's ranges: latitude -90 to 90, longitude -180 to 180; the location is shown.
        assert -90 <= sent["location"]["latitude"] <= 90
        assert -180 <= sent["location"]["longitude"] <= 180
        # The doc's own examples ("e.g. 2.4.1", "e.g. Cel, %, V, A, lx").
        assert sent["header"]["firmware_version"] == "2.4.1"
        assert {r["unit"] for r in sent["readings"]} <= {"Cel", "%", "V", "A", "lx"}
        # An enum shows a symbol other than its default (UNKNOWN says nothing).
        assert sent["readings"] and all(r["kind"] != "UNKNOWN" for r in sent["readings"])
        moment = dt.datetime.fromisoformat(sent["header"]["sent_at"])
        assert start <= moment < end
        assert sent["header"]["device_id"].startswith("device-")
    assert sent["signal_dbm"] < 0  # dBm


def test_the_site_shows_each_versions_example(
    catalog: Catalog, examples: dict[tuple[str, int], Example], tmp_path: Path
) -> None:
    build_site(catalog, tmp_path / "site", examples=examples)
    for contract in catalog.ordered():
        html = (tmp_path / "site" / "contracts" / f"{contract.name}.html").read_text()
        assert '<section id="examples"' in html
        assert "No examples were generated" not in html
        for v in contract.versions:
            example = examples[(contract.name, v.version)]
            at = html.index(f'<section id="example-v{v.version}"')
            block = html[at : html.index("</section>", at)]
            assert escape(example.avro_json.rstrip(), quote=False) in block
            assert escape((example.device_json or "").rstrip(), quote=False) in block
            assert 'class="example avro-json"' in block
            assert "Avro JSON encoding" in block
        shared = contract.kind is ContractKind.SHARED
        assert ("A shared type is never sent alone" in html) == shared
        assert ("As a device sends it" in html) == (
            not shared
            and contract.direction is not None
            and contract.direction.value == "device-to-cloud"
        )


def test_without_examples_the_pages_say_none_were_generated(
    catalog: Catalog, tmp_path: Path
) -> None:
    build_site(catalog, tmp_path / "site")
    html = (tmp_path / "site" / "contracts" / "telemetry.html").read_text()
    assert "No examples were generated for this build" in html
    assert "devicecontracts[testing]" in html
    assert 'id="example-v1"' not in html


def test_a_version_without_an_example_says_why(catalog: Catalog, tmp_path: Path) -> None:
    build_site(catalog, tmp_path / "site", examples={})
    html = (tmp_path / "site" / "contracts" / "telemetry.html").read_text()
    assert html.count("No example: none could be drawn") == len(
        catalog.contracts["telemetry"].versions
    )


# ---------------------------------------------------------------------------------------------
# Other schemas


def _recursive(root: AvroType) -> bool:
    for node in walk(root):
        if isinstance(node, Record):
            stack, seen = list(children(node)), set()
            while stack:
                t = stack.pop()
                if t is node:
                    return True
                if id(t) not in seen:
                    seen.add(id(t))
                    stack.extend(children(t))
    return False


def _records_in(t: AvroType) -> Iterator[Record]:
    if isinstance(t, Union):
        for branch in t.branches:
            yield from _records_in(branch)
    elif isinstance(t, Record):
        yield t


def _fastavro_json_gap(root: AvroType) -> bool:
    """Whether the schema has a map whose value is a record ending in a record field: fastavro's
    JSON reader cannot read its own writer's JSON of one (a KeyError on the map key)."""
    return any(
        r.fields and any(True for _ in _records_in(r.fields[-1].type))
        for node in walk(root)
        if isinstance(node, Map)
        for r in _records_in(node.values)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(avro_schemas(), st.integers(0, 2**32 - 1))
def test_random_schemas_examples_read_back_with_fastavro(schema_json: Any, seed: int) -> None:
    schema = parse_schema(schema_json)
    # fastavro's JSON reader recurses forever on a record that contains itself, and cannot
    # read its own JSON of a record without fields inside a map or an array, or of a map whose
    # value is a record ending in a record.
    assume(not _recursive(schema.root))
    assume(all(n.fields for n in walk(schema.root) if isinstance(n, Record)))
    assume(not _fastavro_json_gap(schema.root))
    found, value = example_value(schema, name="random", seed=seed)
    assert found
    read = read_avro_json(avro_json(value, schema.root), schema)
    # What fastavro reads for the value as drawn: not a binary round trip, which for a few
    # ambiguous unions writes another branch than the one drawn (b"" for a fixed of size 0 in
    # a union with an array is written as the empty array).
    assert values_equal(read, as_read(value, schema))
    example = example_of(schema, name="random", seed=seed)
    assert example is not None
    assert (example.device_json is None) == (not isinstance(schema.root, Record))


def _without(schema_json: dict[str, Any], names: set[str]) -> dict[str, Any]:
    trimmed = copy.deepcopy(schema_json)
    trimmed["fields"] = [f for f in trimmed["fields"] if f["name"] not in names]
    return trimmed


TORTURE_JSON: dict[str, Any] = json.loads((TORTURE / "torture.avsc").read_text(encoding="utf-8"))
RECURSIVE_FIELDS = {"tree", "by_name", "components"}
# ``mixed`` holds float and double branches, which device JSON cannot tell apart.
BRIDGE_GAPS = {"mixed"}


@pytest.mark.parametrize("seed", range(12))
def test_the_torture_schemas_examples_read_back_with_fastavro(seed: int) -> None:
    schema = parse_schema(_without(TORTURE_JSON, RECURSIVE_FIELDS))
    found, value = example_value(schema, name="torture", seed=seed)
    assert found
    read = read_avro_json(avro_json(value, schema.root), schema)
    assert values_equal(read, decode(encode(value, schema), schema))


@pytest.fixture(scope="module")
def bridged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Schema, ModuleType]]:
    """The torture schema without the bridge's gaps, and its generated model module."""
    trimmed = _without(TORTURE_JSON, BRIDGE_GAPS)
    source = tmp_path_factory.mktemp("bridged-schema")
    (source / "torture.avsc").write_text(json.dumps(trimmed), encoding="utf-8")
    root = tmp_path_factory.mktemp("bridged")
    out = root / "bridgedpkg"
    write_package(source, out, "bridgedpkg")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(root))
        try:
            yield parse_schema(trimmed), importlib.import_module("bridgedpkg.torture")
        finally:
            for name in [n for n in sys.modules if n.split(".")[0] == "bridgedpkg"]:
                del sys.modules[name]


@pytest.mark.parametrize("seed", range(12))
def test_the_torture_schemas_device_form_goes_through_the_bridge(
    bridged: tuple[Schema, ModuleType], seed: int
) -> None:
    schema, module = bridged
    found, value = example_value(schema, name="torture", seed=seed)
    assert found
    message = validate_payload(
        module.Torture, device_json(value, schema.root), unknown_fields="forbid"
    )
    # Same-shaped branches (two records, a string and an enum) are one JSON value: the data is
    # the same, whichever branch the bridge picked.
    assert values_equal(
        untag(decode(message.to_avro_bytes(), schema)), untag(decode(encode(value, schema), schema))
    )


def test_the_bridge_takes_dates_and_times_as_iso_text_only(
    bridged: tuple[Schema, ModuleType],
) -> None:
    """A date, time of day, local or nanosecond timestamp arrives as ISO 8601 text (the model's
    form); a number for one is refused, saying what the field takes."""
    schema, module = bridged
    found, value = example_value(schema, name="torture", seed=0)
    assert found
    payload = json.loads(device_json(value, schema.root))
    for field, text in (("day", "2025-03-04"), ("tod_ms", "12:00:00.250"),
                        ("local_ms", "2025-03-04T12:00:00.250")):  # fmt: skip
        payload[field] = text
        validate_payload(module.Torture, json.dumps(payload), unknown_fields="forbid")
        payload[field] = 19_000
        with pytest.raises(PayloadValidationError) as refused:
            validate_payload(module.Torture, json.dumps(payload), unknown_fields="forbid")
        ((path, problem),) = refused.value.problems
        assert path == field
        assert "ISO 8601" in problem and "arrived a whole number" in problem
        payload[field] = text


def test_the_bridge_gaps_are_the_only_fields_it_refuses(
    bridged: tuple[Schema, ModuleType], tmp_path: Path
) -> None:
    """The full torture schema's device form fails only on the fields listed as gaps: the day
    the bridge takes them, this test keeps passing and ``BRIDGE_GAPS`` can shrink."""
    source = tmp_path / "schema"
    source.mkdir()
    (source / "torture.avsc").write_text(json.dumps(TORTURE_JSON), encoding="utf-8")
    out = tmp_path / "fullpkg"
    write_package(source, out, "fullpkg")
    schema = parse_schema(TORTURE_JSON)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(tmp_path))
        try:
            model = importlib.import_module("fullpkg.torture").Torture
            for seed in range(4):
                found, value = example_value(schema, name="torture", seed=seed)
                assert found
                try:
                    validate_payload(model, device_json(value, schema.root))
                except PayloadValidationError as exc:
                    refused = {path.partition(".")[0].partition("[")[0] for path, _ in exc.problems}
                    assert refused <= BRIDGE_GAPS, refused - BRIDGE_GAPS
        finally:
            for name in [n for n in sys.modules if n.split(".")[0] == "fullpkg"]:
                del sys.modules[name]


def test_the_find_fallback_draws_valid_examples_too(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where hypothesis' internals differ, `find` with the same seeds stands in."""
    monkeypatch.setattr(_doc_examples, "_internal_drawer", lambda: None)
    _doc_examples._drawer.cache_clear()
    try:
        first = doc_examples(catalog)
        again = doc_examples(catalog)
    finally:
        monkeypatch.undo()
        _doc_examples._drawer.cache_clear()
    assert first.problems == []
    assert first.examples == again.examples
    for (name, version), example in first.examples.items():
        read_avro_json(example.avro_json, _schema(catalog, name, version))


# ---------------------------------------------------------------------------------------------
# contracts docs, in processes of its own


def _contracts(*args: str, block_hypothesis: bool = False, hash_seed: str = "0") -> Any:
    code = (
        "import sys\n"
        + ("sys.modules['hypothesis'] = None\n" if block_hypothesis else "")
        + "from devicecontracts.__main__ import main\n"
        "sys.argv = ['contracts', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_two_builds_in_two_processes_are_byte_identical(catalog: Catalog, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out, hash_seed in ((first, "1"), (second, "2")):
        done = _contracts("docs", "--catalog", str(BUNDLED), "--out", str(out), hash_seed=hash_seed)
        assert done.returncode == 0, done.stderr
        assert "no examples" not in done.stderr
    one, two = _tree(first), _tree(second)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    # Not vacuous: the pages hold examples.
    assert b'<section id="example-v3"' in one["contracts/telemetry.html"]
    # Nor do they depend on what else the process imported (this one has pytest, the tests and
    # their support loaded, whose constants hypothesis' own engine would mix into its draws).
    build_site(catalog, tmp_path / "here", examples=doc_examples(catalog).examples)
    here = _tree(tmp_path / "here")
    assert sorted(here) == sorted(one)
    assert [name for name in one if one[name] != here[name]] == []


def test_without_hypothesis_the_site_builds_and_says_why_there_are_no_examples(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    done = _contracts("docs", "--catalog", str(BUNDLED), "--out", str(out), block_hypothesis=True)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "examples" in line]
    assert notes == [
        "contracts docs: no examples: drawing them needs devicecontracts[testing] "
        "(hypothesis is not installed)"
    ]
    assert "Traceback" not in done.stderr
    html = (out / "contracts" / "telemetry.html").read_text()
    assert "No examples were generated for this build" in html

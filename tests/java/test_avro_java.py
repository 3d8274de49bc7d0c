"""Differential test: our parser and checker against Apache Avro Java, driven as Confluent does.

The Java side is ``AvroOracle.java``, compiled at test time into a temporary folder and run as
one long-lived process per Avro line (1.11 for Confluent 7, 1.12 for Confluent 8) that answers
JSON requests on stdin. The jars come from ``fetch_avro_jars.py`` (CI runs it first).

Compared, for each registry configuration in `CONFIGS`:

* ``parse``: would the registry accept this text as a *new* schema (and read it as a *stored*
  one)? Java: ``Schema.Parser`` set up as Confluent's ``AvroSchema.getParser`` sets it up. Us:
  ``parse_schema`` with that registry line.
* ``compat``: can the reader read the writer's data? Java:
  ``SchemaCompatibility.checkReaderWriterCompatibility`` on the two stored schemas, any
  exception counted as incompatible (Confluent's ``AvroSchema.isBackwardCompatible``). Us:
  ``check_parsed`` at BACKWARD with the reader as the new schema.

Inputs: every schema and pair of the hand-written corpus (tests/compatibility/corpus), the
`PROBES` (one minimal schema per class of known parser difference), and hypothesis-generated
schema evolutions. Every disagreement fails, except those in `KNOWN_DISAGREEMENTS`, each with
its reason; each of those must still disagree, so the table cannot go stale. The classes are
written up in tests/java/DISAGREEMENTS.md.

Skipped only when no JDK (``java`` and ``javac``) is on PATH. Missing jars fail the test with
the command that fetches them.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devicecontracts.errors import SchemaError
from devicecontracts.schema import parse_schema, registry_line
from devicecontracts.schema.compatibility import check_parsed

from ..compatibility.corpus import CASES, INVALID_NEW_CASES, TRANSITIVE_CASES, VALID_NEW_CASES
from ..support.strategies import PRIMITIVES, avro_schemas
from .fetch_avro_jars import DEFAULT_CACHE, LINES, is_complete

HERE = Path(__file__).resolve().parent

JAVA = shutil.which("java")
JAVAC = shutil.which("javac")
pytestmark = pytest.mark.skipif(
    JAVA is None or JAVAC is None, reason="the Avro Java differential test needs java and javac"
)

# ---------------------------------------------------------------------------------------------
# The Java side


class AvroJava:
    """One AvroOracle process: a JSON request in, a JSON answer out."""

    def __init__(self, classpath: str) -> None:
        assert JAVA is not None
        # A deep stack, so Avro's recursive parser meets Jackson's depth limit (1,000) first.
        self.process = subprocess.Popen(
            [JAVA, "-Xss16m", "-cp", classpath, "AvroOracle"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self.cache: dict[str, dict[str, Any]] = {}

    def ask(self, **request: Any) -> dict[str, Any]:
        """Send one request and return its answer (answers are cached per request)."""
        line = json.dumps(request, sort_keys=True)
        if line not in self.cache:
            stdin, stdout = self.process.stdin, self.process.stdout
            assert stdin is not None and stdout is not None
            stdin.write(line + "\n")
            stdin.flush()
            answer = stdout.readline()
            if not answer:
                raise RuntimeError(f"AvroOracle exited ({self.process.poll()}) on {line[:200]}")
            self.cache[line] = json.loads(answer)
        return self.cache[line]

    def close(self) -> None:
        """Stop the process."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def jar_cache() -> Path:
    """Where the jars are: ``$AVRO_JARS`` or tests/java/.jars."""
    return Path(os.environ.get("AVRO_JARS", DEFAULT_CACHE))


@pytest.fixture(scope="session")
def avro_java(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, AvroJava]]:
    """An AvroOracle process per Avro line (``"1.11"``, ``"1.12"``), stopped at the end."""
    cache = jar_cache()
    missing = [line.name for line in LINES if not is_complete(line, cache)]
    if missing:
        pytest.fail(
            f"the Avro Java jars of {', '.join(missing)} are missing from {cache}: run"
            f" `python tests/java/fetch_avro_jars.py {cache}` (or `nox -s java`), which"
            " downloads them from PySpark's source distributions on PyPI"
        )
    processes: dict[str, AvroJava] = {}
    try:
        for line in LINES:
            classes = tmp_path_factory.mktemp(f"oracle-{line.name}")
            jars = os.pathsep.join(str(line.folder(cache) / jar) for jar in sorted(line.jars))
            assert JAVAC is not None
            subprocess.run(
                [JAVAC, "-nowarn", "-d", str(classes), "-cp", jars, str(HERE / "AvroOracle.java")],
                check=True,
                capture_output=True,
            )
            oracle = AvroJava(f"{classes}{os.pathsep}{jars}")
            processes[line.name.removeprefix("avro-")] = oracle
            version = oracle.ask(op="version")["version"]
            assert version.startswith(line.name.removeprefix("avro-") + "."), version
        yield processes
    finally:
        for oracle in processes.values():
            oracle.close()


# ---------------------------------------------------------------------------------------------
# Registry configurations, each on both sides


@dataclass(frozen=True)
class Config:
    """One way the registry parses schemas: Java's parser settings and our matching line."""

    name: str
    avro: str
    """The Avro line: ``"1.11"`` or ``"1.12"``."""
    names: str
    """AvroOracle's name validation: ``"default"``, ``"strict"`` or ``"none"``."""
    validate_defaults: bool
    line: str
    """Our registry line's name."""
    line_validates_defaults: bool
    new: bool
    """Whether the schema is validated as new (strict) or read as stored (lenient)."""


CONFIGS: tuple[Config, ...] = (
    # CP 8.0.4+ and Confluent Cloud: new schemas with STRICT_VALIDATOR and defaults validated.
    Config("cp8-new", "1.12", "strict", True, "confluent-8", True, True),
    # CP 8 reads what it stores with NO_VALIDATION and no default validation.
    Config("cp8-stored", "1.12", "none", False, "confluent-8", True, False),
    # CP 7 as shipped: Schema.Parser() without default validation.
    Config("cp7-new", "1.11", "default", False, "confluent-7", False, True),
    # CP 7 with schema.providers.avro.validate.defaults=true (or normalize=true).
    Config("cp7-new-validate-defaults", "1.11", "default", True, "confluent-7", True, True),
    # CP 7 reads what it stores with Schema.Parser(): names validated, defaults not.
    Config("cp7-stored", "1.11", "default", False, "confluent-7", False, False),
)
CONFIGS_BY_NAME = {c.name: c for c in CONFIGS}
STORED = {"1.11": CONFIGS_BY_NAME["cp7-stored"], "1.12": CONFIGS_BY_NAME["cp8-stored"]}


def ours_parse(text: str, config: Config) -> tuple[bool | None, str]:
    """Whether our parser takes ``text`` under ``config`` (None: it crashed), and why not."""
    line = registry_line(config.line, validate_defaults=config.line_validates_defaults)
    try:
        parse_schema(text, strict=config.new, line=line)
    except SchemaError as exc:
        return False, str(exc)
    except Exception as exc:  # a crash is a disagreement whatever Java says
        return None, f"crash: {exc!r}"[:200]
    return True, ""


def java_parse(java: dict[str, AvroJava], text: str, config: Config) -> tuple[bool, str]:
    """Whether Avro Java takes ``text`` under ``config``, and why not."""
    answer = java[config.avro].ask(
        op="parse", schema=text, names=config.names, validate_defaults=config.validate_defaults
    )
    return bool(answer["ok"]), str(answer.get("error", ""))


def ours_compat(reader: str, writer: str, avro: str) -> bool | str | None:
    """Our checker's verdict on reader/writer, both read as stored; None if either fails to
    parse, a string if the checker crashed."""
    config = STORED[avro]
    line = registry_line(config.line)
    try:
        r = parse_schema(reader, strict=False, line=line)
        w = parse_schema(writer, strict=False, line=line)
    except SchemaError:
        return None
    try:
        return check_parsed(r, [w], "BACKWARD").compatible
    except Exception as exc:  # a crash is a disagreement whatever Java says
        return f"crash: {exc!r}"[:200]


def java_compat(java: dict[str, AvroJava], reader: str, writer: str, avro: str) -> bool | None:
    """Avro Java's verdict as Confluent reaches it; None if either schema fails to parse."""
    config = STORED[avro]
    answer = java[avro].ask(
        op="compat",
        reader=reader,
        writer=writer,
        names=config.names,
        validate_defaults=config.validate_defaults,
    )
    return bool(answer["compatible"]) if answer["ok"] else None


# ---------------------------------------------------------------------------------------------
# Inputs: the corpus and the probes


def text(schema: Any) -> str:
    """Schema JSON text (a bare type name too)."""
    return schema if isinstance(schema, str) and schema.lstrip()[:1] in "{[" else json.dumps(schema)


def _record(*fields: dict[str, Any], **attrs: Any) -> dict[str, Any]:
    return {"type": "record", "name": "R", **attrs, "fields": list(fields)}


# One minimal schema per class of parser difference found so far (issue 12 and this test),
# kept as probes even once fixed, so a regression shows up as a disagreement again.
PROBES: dict[str, str] = {
    "comment": '{"type": "record", /* a comment */ "name": "R", "fields": []}',
    "doc-not-string": text(_record(doc=1)),
    "order-upper-case": text(_record({"name": "a", "type": "int", "order": "DESCENDING"})),
    "float-default-string": text(_record({"name": "a", "type": "float", "default": "1.5"})),
    "double-default-nan-string": text(_record({"name": "a", "type": "double", "default": "NaN"})),
    "namespace-not-string": text(_record(namespace=1)),
    "namespace-null-inherits": text(
        _record(
            {"name": "s", "type": {"type": "record", "name": "S", "namespace": None, "fields": []}},
            {"name": "t", "type": "com.acme.S"},
            namespace="com.acme",
        )
    ),
    "primitive-short-name-in-namespace": text(
        _record({"name": "a", "type": {"type": "fixed", "name": "int", "size": 1}}, namespace="x")
    ),
    "enum-default-numeric": text(
        _record(
            {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"], "default": 1}}
        )
    ),
    "alias-invalid-name": text(_record(aliases=["bad-alias"])),
    "wrapped-type": text(_record({"name": "a", "type": {"type": {"type": "int"}}})),
    "default-nan-literal": '{"type": "record", "name": "R", "fields": [{"name": "a",'
    ' "type": "double", "default": NaN}]}',
    "field-aliases-object": text(_record({"name": "a", "type": "int", "aliases": {}})),
    "fixed-size-huge": text({"type": "fixed", "name": "F", "size": 2**31 - 1}),
    "name-unicode-letter": text(_record(name="Ünïcode")),
    "name-non-java-letter": text(_record(name="\u02b0x")),
    "union-default-second-branch": text(
        _record({"name": "a", "type": ["null", "int"], "default": 1})
    ),
    "union-default-nested-second-branch": text(
        _record(
            {
                "name": "a",
                "type": {
                    "type": "record",
                    "name": "In",
                    "fields": [{"name": "u", "type": ["null", "int"]}],
                },
                "default": {"u": 1},
            }
        )
    ),
    "namespace-invalid": text(_record(namespace="com.1acme")),
    "string-default-null": text(_record({"name": "a", "type": "string", "default": None})),
    "recursive-default": text(_record({"name": "n", "type": "R", "default": {}})),
    "named-type-prop-beyond-long": '{"type": "record", "name": "R", "fields": [],'
    ' "x": 9223372036854775808}',
    "named-type-prop-beyond-long-nested": '{"type": "record", "name": "R", "fields": [],'
    ' "x": [9223372036854775808]}',
    "name-empty": text({"type": "record", "name": "", "fields": []}),
    "name-empty-enum": text({"type": "enum", "name": "", "symbols": ["A"]}),
    "recursive-default-through-union": text(
        _record({"name": "n", "type": ["null", "R"], "default": None}, {"name": "m", "type": "R"})
    ),
}


def _nested_arrays(depth: int) -> str:
    """Arrays nested ``depth`` JSON objects deep (Jackson allows 1,000, Avro Java with it)."""
    return '{"type": "array", "items": ' * depth + '"int"' + "}" * depth


def _nested_records(depth: int) -> str:
    """Records nested ``depth`` deep, each holding the next in a field (3 JSON levels each)."""
    schema = '"int"'
    for i in range(depth):
        schema = (
            f'{{"type": "record", "name": "R{i}", "fields": [{{"name": "f", "type": {schema}}}]}}'
        )
    return schema


PROBES["json-depth-1000"] = _nested_arrays(1000)
PROBES["json-depth-1001"] = _nested_arrays(1001)

# Reader/writer pairs for classes of checker difference (reader first).
COMPAT_PROBES: dict[str, tuple[str, str]] = {
    "field-alias-twice": (
        text(_record({"name": "q", "type": "int", "aliases": ["p", "p"]})),
        text(_record({"name": "p", "type": "int"})),
    ),
    "union-branch-alias-ambiguous": (
        text(
            [
                "null",
                _record(
                    {"name": "a", "type": "int", "aliases": ["x", "y"]},
                ),
            ]
        ),
        text(_record({"name": "x", "type": "int"}, {"name": "y", "type": "int"})),
    ),
    "records-nested-300": (_nested_records(300), _nested_records(300)),
}


def parse_inputs() -> dict[str, str]:
    """Every schema text to parse, by id."""
    inputs: dict[str, str] = {}
    for case in CASES:
        inputs[f"{case.id}/old"] = text(case.old)
        inputs[f"{case.id}/new"] = text(case.new)
    for tcase in TRANSITIVE_CASES:
        inputs[f"{tcase.id}/new"] = text(tcase.new)
        for i, old in enumerate(tcase.history, start=1):
            inputs[f"{tcase.id}/v{i}"] = text(old)
    for icase in INVALID_NEW_CASES:
        inputs[icase.id] = text(icase.schema)
    for vcase in VALID_NEW_CASES:
        inputs[vcase.id] = text(vcase.schema)
    inputs.update({f"probe/{name}": probe for name, probe in PROBES.items()})
    return inputs


def compat_inputs() -> dict[str, tuple[str, str]]:
    """Every reader/writer pair, by id."""
    pairs: dict[str, tuple[str, str]] = {}
    for case in CASES:
        pairs[f"{case.id}/BACKWARD"] = (text(case.new), text(case.old))
        pairs[f"{case.id}/FORWARD"] = (text(case.old), text(case.new))
    for tcase in TRANSITIVE_CASES:
        for i, old in enumerate(tcase.history, start=1):
            pairs[f"{tcase.id}/v{i}/BACKWARD"] = (text(tcase.new), text(old))
            pairs[f"{tcase.id}/v{i}/FORWARD"] = (text(old), text(tcase.new))
    pairs.update({f"probe/{name}": pair for name, pair in COMPAT_PROBES.items()})
    return pairs


# ---------------------------------------------------------------------------------------------
# The known disagreements: "<config>:<input id>" for parsing, "compat-<avro>:<pair id>" for the
# checker. Each must still disagree; fix one and delete its row (DISAGREEMENTS.md too).

KNOWN_DISAGREEMENTS: dict[str, str] = {}


def parse_disagreements(java: dict[str, AvroJava]) -> dict[str, str]:
    """Every parse disagreement, keyed as in `KNOWN_DISAGREEMENTS`, with both sides' words."""
    found: dict[str, str] = {}
    for input_id, schema in parse_inputs().items():
        for config in CONFIGS:
            ours, our_error = ours_parse(schema, config)
            theirs, their_error = java_parse(java, schema, config)
            if ours != theirs:
                found[f"{config.name}:{input_id}"] = (
                    f"Java {'accepts' if theirs else 'rejects: ' + their_error[:160]};"
                    f" we {'accept' if ours else our_error[:160]}"
                )
    return found


def compat_disagreements(java: dict[str, AvroJava]) -> dict[str, str]:
    """Every checker disagreement on pairs both sides can read."""
    found: dict[str, str] = {}
    for pair_id, (reader, writer) in compat_inputs().items():
        for avro in STORED:
            ours = ours_compat(reader, writer, avro)
            theirs = java_compat(java, reader, writer, avro)
            if ours != theirs:
                found[f"compat-{avro}:{pair_id}"] = f"Java says {theirs}, we say {ours}"
    return found


def _unexpected(found: dict[str, str]) -> list[str]:
    return [f"{key}: {why}" for key, why in sorted(found.items()) if key not in KNOWN_DISAGREEMENTS]


@pytest.fixture(scope="session")
def disagreements(avro_java: dict[str, AvroJava]) -> dict[str, dict[str, str]]:
    """The corpus and probe disagreements, ``"parse"`` and ``"compat"``, computed once."""
    return {"parse": parse_disagreements(avro_java), "compat": compat_disagreements(avro_java)}


def test_parsers_agree_on_the_corpus_and_probes(disagreements: dict[str, dict[str, str]]) -> None:
    """Our parser accepts exactly the corpus schemas and probes Avro Java accepts, per line."""
    unexpected = _unexpected(disagreements["parse"])
    assert not unexpected, "\n".join(unexpected)


def test_checkers_agree_on_the_corpus_and_probes(disagreements: dict[str, dict[str, str]]) -> None:
    """Our checker's verdict matches Avro Java's on every corpus pair, both directions."""
    unexpected = _unexpected(disagreements["compat"])
    assert not unexpected, "\n".join(unexpected)


def test_known_disagreements_still_disagree(disagreements: dict[str, dict[str, str]]) -> None:
    """Every listed disagreement still occurs, so the table shrinks as the engine is fixed."""
    stale = sorted(
        set(KNOWN_DISAGREEMENTS) - set(disagreements["parse"]) - set(disagreements["compat"])
    )
    assert not stale, f"these now agree; delete them from KNOWN_DISAGREEMENTS: {stale}"


# ---------------------------------------------------------------------------------------------
# Generated evolutions


def _nodes(node: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every JSON object in a schema, in document order."""
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            _nodes(value, out)
    elif isinstance(node, list):
        for item in node:
            _nodes(item, out)
    return out


PROMOTABLE = {
    "int": "long",
    "long": "float",
    "float": "double",
    "string": "bytes",
    "bytes": "string",
}


@st.composite
def evolutions(draw: st.DrawFn) -> tuple[Any, Any]:
    """A random schema and a copy changed by one to three schema-evolution steps (a field or
    enum symbol added or dropped, a type promoted or made nullable, a field or type renamed)."""
    old = draw(avro_schemas(max_depth=3))
    new = json.loads(json.dumps(old))
    for _ in range(draw(st.integers(1, 3))):
        nodes = _nodes(new, [])
        records = [n for n in nodes if isinstance(n.get("fields"), list)]
        enums = [n for n in nodes if n.get("type") == "enum"]
        named = [n for n in nodes if n.get("type") in ("record", "error", "enum", "fixed")]
        steps = ["add", "drop", "retype", "rename", "nullable", "enum", "rename-type"]
        step = draw(st.sampled_from(steps))
        if step == "rename-type" and named:
            node = draw(st.sampled_from(named))
            if draw(st.booleans()):
                node["aliases"] = [node["name"]]  # the old name, resolved in the node's namespace
            node["name"] = f"{node['name']}X"
        elif step == "enum" and enums:
            enum = draw(st.sampled_from(enums))
            if draw(st.booleans()) or len(enum["symbols"]) == 1:
                enum["symbols"] = (
                    [*enum["symbols"], "Z"] if "Z" not in enum["symbols"] else enum["symbols"]
                )
            else:
                dropped = enum["symbols"].pop()
                if enum.get("default") == dropped:
                    del enum["default"]
        elif records:
            record = draw(st.sampled_from(records))
            fields = record["fields"]
            if step == "add" or not fields:
                added: dict[str, Any] = {
                    "name": f"n{len(fields)}",
                    "type": draw(st.sampled_from(PRIMITIVES)),
                }
                if draw(st.booleans()):
                    added["default"] = draw(st.sampled_from([None, 0, 1.5, "x", True, [], {}]))
                fields.append(added)
                continue
            index = draw(st.integers(0, len(fields) - 1))
            field = fields[index]
            if step == "drop":
                del fields[index]
            elif (
                step == "retype" and isinstance(field["type"], str) and field["type"] in PROMOTABLE
            ):
                field["type"] = PROMOTABLE[field["type"]]
            elif step == "rename":
                if draw(st.booleans()):
                    field["aliases"] = [field["name"]]
                field["name"] = f"{field['name']}_renamed"
            elif step == "nullable" and not isinstance(field["type"], list):
                field["type"] = ["null", field["type"]]
                field["default"] = None
    return old, new


# Edge values for the parser, by the key they are set on. A value whose disagreement is known
# leaves this table for a probe in `PROBES` and a row in `KNOWN_DISAGREEMENTS`.
EDGES: dict[str, list[Any]] = {
    # "" left for the probe name-empty.
    "name": ["Ünï", "a-b", "1a", "_ok", "int", "a.b", ".x", "a..b", "\u02b0x", "x1", 3],
    "namespace": [None, 1, "", "com.1a", "com.acme", "ü.x", "a-b", ".", "a..b"],
    "aliases": [["ok"], ["bad-alias"], [".Lead"], ["a.b.C"], [], {}, "str", [1], ["ok", "ok"]],
    "doc": [1, None, "d", [], {}],
    # Integers beyond long are left for the probe named-type-prop-beyond-long.
    "default": [None, 0, 1, 1.0, 1.5, "1.5", "NaN", "x", True, [], {}, "\u00ff", 2**31, -(2**63)],
    "order": ["ascending", "DESCENDING", "Ignore", "bogus", 1, None],
    "symbols": [["A", "A"], ["1x"], ["é"], [], ["A", "B"], "A"],
    "size": [-1, 0, 2**31, 1.5, "3", None],
    "logicalType": ["decimal", "uuid", "date", "bogus", 1],
    "precision": [0, 1, 40, -1, "4"],
    "scale": [0, 5, -1, "2"],
    "items": ["int", {"type": "int"}, [], "Nope"],
    "type": ["int", {"type": "int"}, ["int", "int"], "Nope", None, []],
}


@st.composite
def edge_schemas(draw: st.DrawFn) -> Any:
    """A random valid schema with one to three attributes set to parser edge values."""
    schema = draw(avro_schemas(max_depth=3))
    for _ in range(draw(st.integers(1, 3))):
        nodes = _nodes(schema, [])
        if not nodes:
            break
        node = draw(st.sampled_from(nodes))
        key = draw(st.sampled_from(sorted(EDGES)))
        node[key] = copy.deepcopy(draw(st.sampled_from(EDGES[key])))  # never alias EDGES
    return schema


def _agree(java: dict[str, AvroJava], old: Any, new: Any) -> None:
    """Assert both sides parse ``old`` and ``new`` alike and judge both directions alike."""
    old_text, new_text = json.dumps(old), json.dumps(new)
    for config in CONFIGS:
        for schema in (old_text, new_text):
            ours, our_error = ours_parse(schema, config)
            theirs, their_error = java_parse(java, schema, config)
            assert ours == theirs, (config.name, schema, our_error, their_error)
    for avro in STORED:
        for reader, writer in ((new_text, old_text), (old_text, new_text)):
            assert ours_compat(reader, writer, avro) == java_compat(java, reader, writer, avro), (
                avro,
                reader,
                writer,
            )


@settings(
    max_examples=int(os.environ.get("AVRO_JAVA_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pair=evolutions())
def test_generated_evolutions_agree(avro_java: dict[str, AvroJava], pair: tuple[Any, Any]) -> None:
    """On generated schema evolutions both sides accept the same schemas and give the same
    reader/writer verdicts in both directions, on both Avro lines."""
    _agree(avro_java, *pair)


@settings(
    max_examples=int(os.environ.get("AVRO_JAVA_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(schema=edge_schemas())
def test_edge_schemas_parse_alike(avro_java: dict[str, AvroJava], schema: Any) -> None:
    """Schemas with attributes set to edge values are accepted or rejected alike, per line."""
    the_text = json.dumps(schema)
    for config in CONFIGS:
        ours, our_error = ours_parse(the_text, config)
        theirs, their_error = java_parse(avro_java, the_text, config)
        assert ours == theirs, (config.name, the_text, our_error, their_error)

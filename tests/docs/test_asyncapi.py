"""The AsyncAPI export, validated against the official AsyncAPI 3.0.0 JSON Schema (a copy from
``@asyncapi/specs``, see ``tests/support/asyncapi.py``), its YAML form, and the Backstage
entities."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.docs._yaml import yaml_documents, yaml_text
from devicecontracts.docs.asyncapi import (
    AVRO_SCHEMA_FORMAT,
    asyncapi_document,
    asyncapi_json,
    asyncapi_yaml,
    backstage_entities,
    backstage_yaml,
    write_asyncapi,
)
from devicecontracts.errors import CatalogError
from devicecontracts.schema import parse_schema

from ..support.asyncapi import SCHEMA_FILE, asyncapi_errors, asyncapi_validator
from ..support.catalogs import BUNDLED, copy_bundled


@pytest.fixture(scope="module")
def validator() -> Any:
    return asyncapi_validator()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(BUNDLED)


def _errors(validator: Any, document: dict[str, Any]) -> list[str]:
    return asyncapi_errors(validator, document)


def test_the_bundled_catalog_validates(validator: Any, catalog: Catalog) -> None:
    assert _errors(validator, asyncapi_document(catalog)) == []


def test_a_document_with_ids_validates(validator: Any, catalog: Catalog) -> None:
    assert _errors(validator, asyncapi_document(_with_ids(catalog), environment="prod")) == []


def test_the_schema_copy_is_what_the_readme_says() -> None:
    import hashlib

    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest in (SCHEMA_FILE.parent / "README.md").read_text(encoding="utf-8")


def _channel(document: dict[str, Any]) -> dict[str, Any]:
    channel: dict[str, Any] = document["channels"]["fleet.telemetry"]
    return channel


def _address_not_a_string(d: dict[str, Any]) -> None:
    # A channel may omit its address in 3.0 (then it is dynamic), but one given is a string.
    _channel(d)["address"] = 42


def _address_object(d: dict[str, Any]) -> None:
    _channel(d)["address"] = {"topic": "fleet.telemetry"}


def _schema_format_number(d: dict[str, Any]) -> None:
    _channel(d)["messages"]["telemetry_v3"]["payload"]["schemaFormat"] = 1.9


def _not_avro(d: dict[str, Any]) -> None:
    _channel(d)["messages"]["telemetry_v3"]["payload"]["schema"] = {"type": "recrod"}


def _bad_schema_id_location(d: dict[str, Any]) -> None:
    _channel(d)["messages"]["telemetry_v3"]["bindings"]["kafka"]["schemaIdLocation"] = "key"


def _unknown_binding_field(d: dict[str, Any]) -> None:
    _channel(d)["messages"]["telemetry_v3"]["bindings"]["kafka"]["schemaId"] = 7


def _key_not_a_schema(d: dict[str, Any]) -> None:
    _channel(d)["messages"]["telemetry_v3"]["bindings"]["kafka"]["key"] = "device_id"


def _wrong_action(d: dict[str, Any]) -> None:
    d["operations"]["receive_fleet.telemetry"]["action"] = "consume"


def _operation_without_channel(d: dict[str, Any]) -> None:
    del d["operations"]["receive_fleet.telemetry"]["channel"]


def _wrong_asyncapi_version(d: dict[str, Any]) -> None:
    d["asyncapi"] = "2.6.0"


def _info_without_version(d: dict[str, Any]) -> None:
    del d["info"]["version"]


@pytest.mark.parametrize(
    "tamper",
    [
        _address_not_a_string,
        _address_object,
        _schema_format_number,
        _not_avro,
        _bad_schema_id_location,
        _unknown_binding_field,
        _key_not_a_schema,
        _wrong_action,
        _operation_without_channel,
        _wrong_asyncapi_version,
        _info_without_version,
    ],
)
def test_a_tampered_document_is_refused(validator: Any, catalog: Catalog, tamper: Any) -> None:
    document = copy.deepcopy(asyncapi_document(catalog))
    tamper(document)
    assert _errors(validator, document), f"{tamper.__name__} went unnoticed"


def test_channels_are_topics_and_shared_types_are_none(catalog: Catalog) -> None:
    document = asyncapi_document(catalog)
    topics = {c.topic for c in catalog.contracts.values() if c.kind.value == "message"}
    assert {ch["address"] for ch in document["channels"].values()} == topics
    shared = {c.name for c in catalog.contracts.values() if c.kind.value == "shared"}
    names = {m["name"] for ch in document["channels"].values() for m in ch["messages"].values()}
    assert names.isdisjoint(shared)
    telemetry = catalog.contracts["telemetry"]
    messages = document["channels"]["fleet.telemetry"]["messages"]
    assert sorted(messages) == [f"telemetry_v{v.version}" for v in telemetry.versions]
    v3 = messages["telemetry_v3"]
    assert v3["payload"]["schemaFormat"] == AVRO_SCHEMA_FORMAT
    assert v3["bindings"]["kafka"]["schemaIdLocation"] == "payload"
    assert v3["bindings"]["kafka"]["schemaIdPayloadEncoding"] == "confluent"
    assert v3["bindings"]["kafka"]["schemaLookupStrategy"] == "TopicNameStrategy"
    assert v3["description"] == telemetry.description
    assert v3["x-subject"] == "fleet.telemetry-value"


def test_key_and_producers_are_in_every_message(catalog: Catalog) -> None:
    document = asyncapi_document(catalog)
    for channel in document["channels"].values():
        for message in channel["messages"].values():
            contract = catalog.contracts[message["name"]]
            assert message["bindings"]["kafka"]["key"] == {
                "type": "string",
                "description": contract.key,
            }
            assert message["x-producers"] == list(contract.producers)
    command = document["channels"]["fleet.commands"]["messages"]["command_v2"]
    assert command["x-producers"] == ["fleet-command-service"]
    assert "target AWS IoT thing name" in command["bindings"]["kafka"]["key"]["description"]


def test_a_catalog_without_key_or_producers_validates_without_them(
    validator: Any, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path / "schemas")
    toml = root / "catalog.toml"
    lines = toml.read_text(encoding="utf-8").splitlines(keepends=True)
    toml.write_text(
        "".join(line for line in lines if not line.startswith(("key =", "producers ="))),
        encoding="utf-8",
    )
    document = asyncapi_document(load_catalog(root))
    assert _errors(validator, document) == []
    text = json.dumps(document)
    assert '"key"' not in text and "x-producers" not in text


def test_operations_follow_the_direction(catalog: Catalog) -> None:
    operations = asyncapi_document(catalog)["operations"]
    assert operations["receive_fleet.telemetry"]["action"] == "receive"  # devices write it
    assert operations["send_fleet.commands"]["action"] == "send"  # the cloud writes it
    assert operations["receive_fleet.telemetry"]["channel"] == {
        "$ref": "#/channels/fleet.telemetry"
    }
    refs = [m["$ref"] for m in operations["send_fleet.commands"]["messages"]]
    assert refs == [
        "#/channels/fleet.commands/messages/command_v1",
        "#/channels/fleet.commands/messages/command_v2",
    ]


def test_every_reference_resolves(catalog: Catalog) -> None:
    document = asyncapi_document(catalog)
    for operation in document["operations"].values():
        for ref in [operation["channel"]["$ref"]] + [m["$ref"] for m in operation["messages"]]:
            node: Any = document
            for token in ref.removeprefix("#/").split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            assert isinstance(node, dict)


def test_every_payload_is_a_self_contained_avro_schema(catalog: Catalog) -> None:
    document = asyncapi_document(catalog)
    for channel in document["channels"].values():
        for message in channel["messages"].values():
            schema = parse_schema(json.dumps(message["payload"]["schema"]))
            contract = catalog.contracts[message["name"]]
            (version,) = [v for v in contract.versions if v.version == message["x-version"]]
            assert version.schema is not None
            assert schema.fingerprint == version.schema.fingerprint


def test_the_document_is_deterministic(catalog: Catalog) -> None:
    again = load_catalog(BUNDLED)
    assert asyncapi_json(asyncapi_document(catalog)) == asyncapi_json(asyncapi_document(again))


def _with_ids(catalog: Catalog) -> Catalog:
    fresh = load_catalog(catalog.root)
    telemetry = fresh.contracts["telemetry"]
    for number, v in enumerate(telemetry.versions, start=101):
        fresh.lock.record_id(telemetry.subject, v, "prod", number)
    return fresh


def test_ids_of_the_environment_appear(catalog: Catalog) -> None:
    with_ids = _with_ids(catalog)
    document = asyncapi_document(with_ids, environment="prod")
    messages = document["channels"]["fleet.telemetry"]["messages"]
    assert [messages[f"telemetry_v{n}"]["bindings"]["kafka"]["x-schema-id"] for n in (1, 2, 3)] == [
        101,
        102,
        103,
    ]
    other = asyncapi_document(with_ids, environment="staging")
    assert "x-schema-id" not in json.dumps(other)
    assert "x-schema-id" not in json.dumps(asyncapi_document(with_ids))


def test_write_asyncapi_writes_json_or_yaml(catalog: Catalog, tmp_path: Path) -> None:
    document = asyncapi_document(catalog)
    path = write_asyncapi(catalog, tmp_path / "out" / "asyncapi.json")
    assert path == tmp_path / "out" / "asyncapi.json"
    assert json.loads(path.read_text(encoding="utf-8")) == document
    first = path.read_bytes()
    assert write_asyncapi(catalog, path).read_bytes() == first
    yaml_path = write_asyncapi(catalog, tmp_path / "asyncapi.yaml", output_format="yaml")
    assert yaml_path.read_text(encoding="utf-8") == asyncapi_yaml(document)
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the YAML back")
    assert yaml.safe_load(yaml_path.read_text(encoding="utf-8")) == document


def test_backstage_entities_point_at_the_document(catalog: Catalog) -> None:
    entities = backstage_entities(catalog, definition="./asyncapi.json")
    messages = sorted(c.name for c in catalog.contracts.values() if c.kind.value == "message")
    assert [e["metadata"]["title"] for e in entities] == messages
    assert "command-ack" in [e["metadata"]["name"] for e in entities]
    telemetry = entities[messages.index("telemetry")]
    assert telemetry["apiVersion"] == "backstage.io/v1alpha1"
    assert telemetry["kind"] == "API"
    assert telemetry["metadata"]["name"] == "telemetry"
    assert telemetry["metadata"]["annotations"]["devicecontracts/subject"] == (
        "fleet.telemetry-value"
    )
    assert telemetry["spec"] == {
        "type": "asyncapi",
        "lifecycle": "production",
        "owner": "fleet-telemetry",
        "definition": {"$text": "./asyncapi.json"},
    }
    assert {e["spec"]["lifecycle"] for e in entities} == {"production"}  # all released


def test_backstage_owner_lifecycle_and_system(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "schemas")
    (root / "alarm" / "contract.toml").unlink()  # no owner declared
    (root / "contracts.lock.json").unlink()  # nothing released
    catalog = load_catalog(root)
    with pytest.raises(CatalogError, match="needs an owner") as caught:
        backstage_entities(catalog)
    assert caught.value.location.subject == "fleet.alarms-value"
    entities = backstage_entities(catalog, owner="group:fleet", system="fleet")
    by_title = {e["metadata"]["title"]: e["spec"] for e in entities}
    assert by_title["alarm"]["owner"] == "group:fleet"
    assert by_title["telemetry"]["owner"] == "fleet-telemetry"  # declared wins
    assert {s["lifecycle"] for s in by_title.values()} == {"experimental"}
    assert {s["system"] for s in by_title.values()} == {"fleet"}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a__b", "x.-y"], ["a-b", "x-y"]),
        (["_lead_", "Upper"], ["upper", "lead"]),  # in the order of the contracts' names
        (["n" * 70], ["n" * 63]),
    ],
)
def test_backstage_names_are_valid_entity_names(
    tmp_path: Path, names: list[str], expected: list[str]
) -> None:
    import re

    catalog = _messages_catalog(tmp_path, names)
    got = [e["metadata"]["name"] for e in backstage_entities(catalog, owner="team")]
    assert got == expected
    assert all(re.fullmatch(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*", n) and len(n) <= 63 for n in got)


def test_backstage_names_that_collide_are_an_error(tmp_path: Path) -> None:
    catalog = _messages_catalog(tmp_path, ["a_b", "a-b"])
    with pytest.raises(CatalogError, match="would both be the Backstage entity 'a-b'"):
        backstage_entities(catalog, owner="team")


def test_a_name_without_letters_or_digits_is_an_error(tmp_path: Path) -> None:
    catalog = _messages_catalog(tmp_path, ["_"])
    with pytest.raises(CatalogError, match="no letter or digit for a Backstage entity name"):
        backstage_entities(catalog, owner="team")


def _messages_catalog(tmp_path: Path, names: list[str]) -> Catalog:
    from ..support.catalogs import field, make_catalog, record

    toml = "".join(
        f'[messages."{n}"]\ntopic = "t{i}"\ndirection = "device-to-cloud"\n'
        for i, n in enumerate(names)
    )
    schemas = {n: [record(f"R{i}", [field("x", "int")])] for i, n in enumerate(names)}
    return load_catalog(make_catalog(tmp_path / "cat", toml, schemas))


def test_backstage_yaml_is_one_document_per_entity(catalog: Catalog) -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the YAML back")
    entities = backstage_entities(catalog)
    text = backstage_yaml(entities)
    assert list(yaml.safe_load_all(text)) == entities
    assert text.startswith("apiVersion: backstage.io/v1alpha1\nkind: API\n")
    assert '"$text": ./asyncapi.json' in text or '"$text": "./asyncapi.json"' in text


# --- the YAML writer ---------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_yaml_reads_back_as_the_same_data(value: Any) -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the YAML back")
    assert yaml.safe_load(yaml_text(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "n",
        "true",
        "Null",
        "~",
        "",
        " x",
        "x ",
        "-",
        "- x",
        "a: b",
        "a #b",
        "#x",
        "@x",
        "`x",
        "!x",
        "&x",
        "*x",
        "|",
        ">",
        "%x",
        "{}",
        "[]",
        "'",
        '"',
        "\\",
        "1",
        "1.5",
        "0x1f",
        "1e3",
        ".inf",
        ".nan",
        "1:20",
        "2026-12-05",
        "=",
        "<<",
        "a\nb",
        "\t",
        "\x00",
        "\x7f",
        "\x85",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ufffe",
        "\ud800",
        "\U0001f600",
        "x" * 2000,
    ],
)
def test_yaml_strings_that_look_like_something_else_stay_strings(value: str) -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the YAML back")
    data = {value: [value, {value: value}]}
    assert yaml.safe_load(yaml_text(data)) == data


@pytest.mark.parametrize("value", [1e-05, 1e20, -0.0, 2.5, float("inf"), -float("inf"), 10**30])
def test_yaml_numbers_stay_numbers(value: float) -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the YAML back")
    assert yaml.safe_load(yaml_text([value])) == [value]


def test_yaml_shapes() -> None:
    data = {"a": [1, [2, 3], {"b": {}, "c": []}], "d": None}
    assert yaml_text(data) == ("a:\n  - 1\n  - - 2\n    - 3\n  - b: {}\n    c: []\nd: null\n")
    assert yaml_documents([{"k": 1}, {"k": 2}]) == "k: 1\n---\nk: 2\n"
    with pytest.raises(TypeError):
        yaml_text({1: "a"})


def test_an_unwritable_path_is_a_clear_error(catalog: Catalog, tmp_path: Path) -> None:
    from devicecontracts.errors import CatalogError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot write the AsyncAPI document") as caught:
        write_asyncapi(catalog, blocker / "asyncapi.json")
    assert caught.value.location.file == str(blocker / "asyncapi.json")

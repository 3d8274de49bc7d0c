"""The AsyncAPI export, validated against the official AsyncAPI 3.0.0 JSON Schema.

The schema is a copy of ``schemas/3.0.0.json`` from the npm package ``@asyncapi/specs`` (see
``data/README.md``). It refers between its definitions by ``$id`` (``http://asyncapi.com/...``);
every one is bundled in it, and the validator resolves them from the copy alone: a reference it
cannot resolve fails, it never fetches.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.docs.asyncapi import (
    AVRO_SCHEMA_FORMAT,
    asyncapi_document,
    asyncapi_json,
    backstage_entities,
    write_asyncapi,
)
from devicecontracts.schema import parse_schema

from ..support.catalogs import BUNDLED

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the dev extra")
referencing = pytest.importorskip("referencing", reason="jsonschema>=4.18 brings referencing")

SCHEMA_FILE = Path(__file__).parent / "data" / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def validator() -> Any:
    """A draft-07 validator of the AsyncAPI 3.0.0 schema that resolves from the copy only."""
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT7

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    resources = [(schema["$id"], DRAFT7.create_resource(schema))]
    resources += [(uri, DRAFT7.create_resource(sub)) for uri, sub in schema["definitions"].items()]

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)

    registry = referencing.Registry(retrieve=refuse).with_resources(resources).crawl()
    return jsonschema.Draft7Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(BUNDLED)


def _errors(validator: Any, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


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


def test_write_asyncapi_writes_the_document(catalog: Catalog, tmp_path: Path) -> None:
    written = write_asyncapi(catalog, tmp_path / "out" / "asyncapi.json")
    assert written[0] == tmp_path / "out" / "asyncapi.json"
    assert json.loads(written[0].read_text(encoding="utf-8")) == asyncapi_document(catalog)
    first = [p.read_bytes() for p in written]
    assert [p.read_bytes() for p in write_asyncapi(catalog, written[0])] == first
    yaml = pytest.importorskip("yaml")
    assert written[1].suffix == ".yaml"
    assert yaml.safe_load(written[1].read_text(encoding="utf-8")) == asyncapi_document(catalog)


def test_backstage_entities_point_at_the_document(catalog: Catalog) -> None:
    entities = backstage_entities(catalog, definition="./asyncapi.json")
    messages = sorted(c.name for c in catalog.contracts.values() if c.kind.value == "message")
    assert [e["metadata"]["title"] for e in entities] == messages
    telemetry = entities[messages.index("telemetry")]
    assert telemetry["kind"] == "API"
    assert telemetry["spec"]["type"] == "asyncapi"
    assert telemetry["spec"]["definition"] == {"$text": "./asyncapi.json"}
    assert telemetry["spec"]["owner"] == "fleet-telemetry"


def test_an_unwritable_path_is_a_clear_error(catalog: Catalog, tmp_path: Path) -> None:
    from devicecontracts.errors import CatalogError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot write the AsyncAPI document") as caught:
        write_asyncapi(catalog, blocker / "asyncapi.json")
    assert caught.value.location.file == str(blocker / "asyncapi.json")

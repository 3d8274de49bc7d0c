"""The catalog as an AsyncAPI 3.0.0 document, and as Backstage API entities.

One channel per topic (its address the topic), one message per version of each message
contract on it (``<contract>_v<n>``), each with its Avro schema inlined (references resolved,
as ``Schema.to_json`` writes it) under ``schemaFormat``
``application/vnd.apache.avro+json;version=1.9.0``, and Kafka message bindings 0.5.0: the schema
id sits in the payload, framed as Confluent frames it, looked up by the contract's subject name
strategy; the record key, where the catalog says what it holds (``key``), as a string schema
with that description; with an environment, the schema id the lock records there
(``x-schema-id``). Who writes a message (the catalog's ``producers``) is ``x-producers``. One
operation per channel and direction: ``receive`` for device-to-cloud messages (the cloud
consumes them) and ``send`` for cloud-to-device ones. Shared types are no channels: they are
inlined where messages use them.

The document is plain data, built in a fixed order from sorted names, so two exports of one
catalog are equal, and `write_asyncapi` writes them byte for byte alike, as JSON or as YAML
(written by ``_yaml``, no PyYAML needed).

`backstage_entities` gives Backstage ``API`` entities (``backstage.io/v1alpha1``, ``spec.type``
``asyncapi``), one per message contract, defined by a ``$text`` reference to the exported
document; `backstage_yaml` writes them as one ``catalog-info.yaml`` stream.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from devicecontracts import __version__
from devicecontracts.catalog._model import Catalog, Contract, ContractKind, Direction
from devicecontracts.errors import CatalogError, Location

from ._yaml import yaml_documents, yaml_text

__all__ = [
    "ASYNCAPI_VERSION",
    "AVRO_SCHEMA_FORMAT",
    "KAFKA_BINDING_VERSION",
    "FORMATS",
    "asyncapi_document",
    "asyncapi_json",
    "asyncapi_text",
    "asyncapi_yaml",
    "backstage_entities",
    "backstage_yaml",
    "write_asyncapi",
]

ASYNCAPI_VERSION = "3.0.0"
AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
"""The Avro format AsyncAPI 3.0 names among the formats tools are recommended to support."""
KAFKA_BINDING_VERSION = "0.5.0"
"""The newest Kafka bindings AsyncAPI 3.0.0's schema accepts (0.3.0 to 0.5.0)."""
FORMATS = ("json", "yaml")
"""The formats the document is written in."""

_STRATEGIES = {
    "topic": "TopicNameStrategy",
    "record": "RecordNameStrategy",
    "topic_record": "TopicRecordNameStrategy",
}
"""The contract's subject strategy as the Kafka binding's ``schemaLookupStrategy`` names it
(the class names of Confluent's serializers)."""

_ACTIONS = {Direction.DEVICE_TO_CLOUD: "receive", Direction.CLOUD_TO_DEVICE: "send"}
"""The document describes the cloud: it receives what devices send and sends what they read."""


def asyncapi_document(
    catalog: Catalog,
    *,
    environment: str | None = None,
    version: str | None = None,
    title: str = "Device contracts",
) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of ``catalog``'s message contracts (see the module's doc).

    ``version`` is the document's ``info.version`` (devicecontracts' version by default);
    ``environment`` adds each released version's schema id there, from the lock.
    """
    ids = catalog.lock.ids(environment) if environment is not None else {}
    by_topic: dict[str, list[Contract]] = {}
    for contract in sorted(catalog.contracts.values(), key=lambda c: c.name):
        if contract.kind is ContractKind.MESSAGE and contract.topic:
            by_topic.setdefault(contract.topic, []).append(contract)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in sorted(by_topic):
        channel_id = _identifier(topic)
        messages: dict[str, Any] = {}
        by_action: dict[str, list[str]] = {}
        for contract in by_topic[topic]:
            action = _ACTIONS.get(contract.direction or Direction.DEVICE_TO_CLOUD, "receive")
            for v in sorted(contract.versions, key=lambda v: v.version):
                if v.schema is None:
                    continue  # a version that does not parse has no schema to show
                message_id = _identifier(f"{contract.name}_v{v.version}")
                messages[message_id] = _message(
                    contract, v.version, v.schema.to_json(), ids.get((contract.subject, v.version))
                )
                by_action.setdefault(action, []).append(message_id)
        if not messages:
            continue
        channel: dict[str, Any] = {"address": topic, "messages": messages}
        described = [c.description for c in by_topic[topic] if c.description]
        if described:
            channel["description"] = "\n\n".join(described)
        channel["bindings"] = {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}}
        channels[channel_id] = channel
        for action in sorted(by_action):
            operation_id = f"{action}_{channel_id}"
            operations[operation_id] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{_pointer(channel_id)}"},
                "messages": [
                    {"$ref": f"#/channels/{_pointer(channel_id)}/messages/{_pointer(m)}"}
                    for m in by_action[action]
                ],
                "summary": _operation_summary(action, topic),
            }
    info: dict[str, Any] = {
        "title": title,
        "version": version or __version__,
        "description": (
            "The device messages on Kafka, as the contract catalog declares them: one channel"
            " per topic, one message per schema version. Payloads are Avro, framed as"
            " Confluent's serializers frame them (the schema id in the payload)."
        ),
    }
    document: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": info,
        "defaultContentType": "application/octet-stream",
        "channels": channels,
        "operations": operations,
    }
    if environment is not None:
        document["x-environment"] = environment
    return document


def _message(contract: Contract, number: int, schema: Any, schema_id: int | None) -> dict[str, Any]:
    """The Message Object of version ``number`` of ``contract``."""
    kafka: dict[str, Any] = {}
    if contract.key:
        # Keys written by AWS IoT Core's Kafka rule action, and by the services, are strings.
        kafka["key"] = {"type": "string", "description": contract.key}
    kafka |= {
        "schemaIdLocation": "payload",
        "schemaIdPayloadEncoding": "confluent",
        "schemaLookupStrategy": _STRATEGIES.get(contract.subject_strategy, "TopicNameStrategy"),
        "bindingVersion": KAFKA_BINDING_VERSION,
    }
    if schema_id is not None:
        kafka["x-schema-id"] = schema_id
    latest = contract.latest
    message: dict[str, Any] = {
        "name": contract.name,
        "title": f"{contract.name} v{number}",
        "summary": _first_line(contract.description) or f"{contract.name}, version {number}",
        "contentType": "application/octet-stream",
        "payload": {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": schema},
        "bindings": {"kafka": kafka},
        "x-subject": contract.subject,
        "x-version": number,
        "x-latest": latest is not None and latest.version == number,
    }
    if contract.description:
        message["description"] = contract.description
    if contract.direction is not None:
        message["x-direction"] = contract.direction.value
    if contract.producers:
        message["x-producers"] = list(contract.producers)
    owner = contract.data.owner if contract.data is not None else None
    if owner:
        message["x-owner"] = owner
    return message


def _operation_summary(action: str, topic: str) -> str:
    if action == "receive":
        return f"The cloud consumes what devices produce to {topic}."
    return f"The cloud produces to {topic}, for devices to read."


def _first_line(text: str | None) -> str:
    return text.strip().splitlines()[0].strip() if text and text.strip() else ""


def _identifier(name: str) -> str:
    """An id AsyncAPI accepts for a component key (``^[a-zA-Z0-9.\\-_]+$``)."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name)


def _pointer(key: str) -> str:
    """``key`` as one JSON Pointer token."""
    return key.replace("~", "~0").replace("/", "~1")


def asyncapi_json(document: dict[str, Any]) -> str:
    """The document as JSON text: two-space indents, keys as built, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def asyncapi_yaml(document: dict[str, Any]) -> str:
    """The document as block-style YAML (see ``_yaml``): the same data as `asyncapi_json`."""
    return yaml_text(document)


def asyncapi_text(document: dict[str, Any], output_format: str = "json") -> str:
    """The document as ``output_format``, one of `FORMATS`."""
    if output_format == "yaml":
        return asyncapi_yaml(document)
    if output_format == "json":
        return asyncapi_json(document)
    raise ValueError(f"no format {output_format!r}: use one of {FORMATS}")


def write_asyncapi(
    catalog: Catalog,
    path: Path,
    *,
    environment: str | None = None,
    output_format: str = "json",
) -> Path:
    """Write ``catalog``'s AsyncAPI document to ``path`` as JSON or YAML; returns ``path``.

    Raises `CatalogError` naming the path when it cannot be written.
    """
    text = asyncapi_text(asyncapi_document(catalog, environment=environment), output_format)
    path = Path(path)
    _write_text(path, text, "the AsyncAPI document")
    return path


def _write_text(path: Path, text: str, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CatalogError(
            f"cannot write {what}: {exc.strerror or exc}", Location(str(path))
        ) from None


def backstage_entities(
    catalog: Catalog,
    *,
    definition: str = "./asyncapi.json",
    system: str | None = None,
    owner: str | None = None,
) -> list[dict[str, Any]]:
    """Backstage ``API`` entities (``spec.type: asyncapi``), one per message contract, each
    defined by a ``$text`` reference to the exported document at ``definition`` (a URL, or a
    path relative to the ``catalog-info.yaml`` that holds them).

    ``spec.owner`` is the owner ``contract.toml`` declares, else ``owner``; a contract with
    neither raises `CatalogError` (Backstage requires one). ``spec.lifecycle`` is
    ``production`` once a version is released in the lock, else ``experimental``. Entity names
    are the contracts' names as Backstage spells them (``command_ack``: ``command-ack``);
    two contracts that would share one raise `CatalogError`.
    """
    entities: list[dict[str, Any]] = []
    named: dict[str, str] = {}
    for contract in sorted(catalog.contracts.values(), key=lambda c: c.name):
        if contract.kind is not ContractKind.MESSAGE or not contract.topic:
            continue
        declared = contract.data.owner if contract.data is not None else None
        if not (declared or owner):
            raise CatalogError(
                f"contract {contract.name!r} declares no owner, and a Backstage entity needs "
                "an owner: declare owner in its contract.toml, or give a default owner "
                "(contracts export backstage --owner)",
                Location(subject=contract.subject),
            )
        name = _entity_name(contract.name)
        if not name:
            raise CatalogError(
                f"contract {contract.name!r} has no letter or digit for a Backstage entity "
                "name: rename it",
                Location(subject=contract.subject),
            )
        if name in named:
            raise CatalogError(
                f"contracts {named[name]!r} and {contract.name!r} would both be the Backstage "
                f"entity {name!r} (names are case-insensitive, runs of '_', '-' and '.' are "
                "one '-', at most 63 characters): rename one",
                Location(subject=contract.subject),
            )
        named[name] = contract.name
        released = bool(catalog.lock.released(contract.subject))
        spec: dict[str, Any] = {
            "type": "asyncapi",
            "lifecycle": "production" if released else "experimental",
            "owner": declared or owner,
        }
        if system:
            spec["system"] = system
        spec["definition"] = {"$text": definition}
        annotations = {"devicecontracts/subject": contract.subject}
        if contract.topic:
            annotations["devicecontracts/topic"] = contract.topic
        metadata: dict[str, Any] = {"name": name, "title": contract.name}
        if contract.description:
            metadata["description"] = contract.description
        metadata["annotations"] = annotations
        metadata["tags"] = ["avro", "kafka"]
        entities.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "API",
                "metadata": metadata,
                "spec": spec,
            }
        )
    return entities


def backstage_yaml(entities: list[dict[str, Any]]) -> str:
    """``entities`` as a ``catalog-info.yaml`` stream: one YAML document per entity."""
    return yaml_documents(entities)


_SEPARATORS = re.compile(r"[-_.]+")


def _entity_name(name: str) -> str:
    """A contract's name as a Backstage entity name: ``[a-z0-9]`` runs joined by single
    ``-``, at most 63 characters (Backstage compares names case-insensitively)."""
    return _SEPARATORS.sub("-", name.lower()).strip("-")[:63].rstrip("-")

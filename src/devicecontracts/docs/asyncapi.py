"""The catalog as an AsyncAPI 3.0.0 document, and as Backstage API entities.

One channel per topic (its address the topic), one message per version of each message
contract on it (``<contract>_v<n>``), each with its Avro schema inlined (references resolved,
as ``Schema.to_json`` writes it) under ``schemaFormat``
``application/vnd.apache.avro+json;version=1.9.0``, and Kafka message bindings 0.5.0: the schema
id sits in the payload, framed as Confluent frames it, looked up by the contract's subject name
strategy; with an environment, the schema id the lock records there (``x-schema-id``). One
operation per channel and direction: ``receive`` for device-to-cloud messages (the cloud
consumes them) and ``send`` for cloud-to-device ones. Shared types are no channels: they are
inlined where messages use them.

The document is plain data, built in a fixed order from sorted names, so two exports of one
catalog are equal, and `write_asyncapi` writes them byte for byte alike.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from devicecontracts import __version__
from devicecontracts.catalog._model import Catalog, Contract, ContractKind, Direction
from devicecontracts.errors import CatalogError, Location

__all__ = [
    "ASYNCAPI_VERSION",
    "AVRO_SCHEMA_FORMAT",
    "KAFKA_BINDING_VERSION",
    "asyncapi_document",
    "asyncapi_json",
    "backstage_entities",
    "write_asyncapi",
]

ASYNCAPI_VERSION = "3.0.0"
AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
"""The Avro format AsyncAPI 3.0 names among the formats tools are recommended to support."""
KAFKA_BINDING_VERSION = "0.5.0"
"""The newest Kafka bindings AsyncAPI 3.0.0's schema accepts (0.3.0 to 0.5.0)."""

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
    kafka: dict[str, Any] = {
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


def write_asyncapi(catalog: Catalog, path: Path, *, environment: str | None = None) -> list[Path]:
    """Write ``catalog``'s AsyncAPI document as JSON to ``path`` and, when PyYAML is
    installed, as YAML beside it (``.yaml`` suffix); returns the files written."""
    document = asyncapi_document(catalog, environment=environment)
    path = Path(path)
    written = [path]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(asyncapi_json(document), encoding="utf-8")
        try:
            # Optional, and untyped: YAML only where PyYAML is installed.
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            return written
        yaml_path = path.with_suffix(".yaml")
        yaml_path.write_text(
            yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
        written.append(yaml_path)
    except OSError as exc:
        raise CatalogError(
            f"cannot write the AsyncAPI document: {exc.strerror or exc}", Location(str(path))
        ) from None
    return written


def backstage_entities(
    catalog: Catalog, *, definition: str = "./asyncapi.json", system: str | None = None
) -> list[dict[str, Any]]:
    """Backstage ``API`` entities (``spec.type: asyncapi``), one per message contract, each
    defined by a ``$text`` reference to the exported document at ``definition``."""
    entities: list[dict[str, Any]] = []
    for contract in sorted(catalog.contracts.values(), key=lambda c: c.name):
        if contract.kind is not ContractKind.MESSAGE or not contract.topic:
            continue
        owner = contract.data.owner if contract.data is not None else None
        spec: dict[str, Any] = {
            "type": "asyncapi",
            "lifecycle": "production",
            "owner": owner or "unknown",
            "definition": {"$text": definition},
        }
        if system:
            spec["system"] = system
        metadata: dict[str, Any] = {
            "name": _identifier(contract.name).replace("_", "-"),
            "title": contract.name,
            "annotations": {"devicecontracts/subject": contract.subject},
            "tags": ["avro", "kafka"],
        }
        if contract.description:
            metadata["description"] = contract.description
        entities.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "API",
                "metadata": metadata,
                "spec": spec,
            }
        )
    return entities

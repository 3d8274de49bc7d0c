"""Writer-schema lookup by id: cache, then the ids released to the environment, then the
registry, then a clear error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import (
    MockSchemaRegistryClient,
)

from devicecontracts.errors import LockError, UnknownSchemaId
from devicecontracts.serde import (
    Deserializer,
    SchemaIds,
    WriterSchemas,
)

from .support import (
    BUNDLED,
    CATALOG,
    MODELS_PACKAGE,
    VERSIONS,
    body,
    framed,
    latest,
    schema_ids,
    write_lock,
)


class CountingRegistry(MockSchemaRegistryClient):  # type: ignore[misc]
    """confluent-kafka's in-memory registry client, counting schema fetches by id."""

    def __init__(self) -> None:
        super().__init__({"url": "mock://runtime-tests"})
        self.fetches: list[int] = []

    def get_schema(self, schema_id: int, *args: Any, **kwargs: Any) -> Any:
        self.fetches.append(schema_id)
        return super().get_schema(schema_id, *args, **kwargs)


def source_text(contract: str, number: int) -> str:
    return (BUNDLED / contract / f"v{number}.avsc").read_text(encoding="utf-8")


def register_with_references(registry: MockSchemaRegistryClient, contract: str, number: int) -> int:
    """Register a catalog version the way `contracts register` does: shared types as their own
    subjects, the message referencing them. The message's id."""
    version = next(v for v in CATALOG.contracts[contract].versions if v.version == number)
    refs = []
    for ref in version.references:
        shared = CATALOG.by_subject(ref.subject)
        text = next(v.text for v in shared.versions if v.version == ref.version)
        registry.register_schema(ref.subject, Schema(text, "AVRO"))
        refs.append(SchemaReference(ref.name, ref.subject, ref.version))
    subject = CATALOG.contracts[contract].subject
    return int(registry.register_schema(subject, Schema(version.text, "AVRO", refs)))


def telemetry_v1_value() -> dict[str, Any]:
    import datetime as dt
    import uuid

    return {
        "header": {
            "device_id": "dev-9",
            "message_id": uuid.UUID(int=7),
            "sent_at": dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
            "firmware_version": "1.0.0",
            "sequence": 3,
        },
        "readings": [],
    }


def test_released_ids_resolve_without_a_registry(tmp_path: Path) -> None:
    """With the lock's ids for the environment, an old version's bytes decode into the latest
    model with no registry configured."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0, "dev": 500})
    v1 = VERSIONS["telemetry"][0]
    schemas = WriterSchemas(ids=SchemaIds.from_lock(lock, "prod"), models_package=MODELS_PACKAGE)
    wire = framed(v1.schema_id, body(telemetry_v1_value(), v1.fastavro_schema))

    decoded = Deserializer(latest("telemetry").model, schemas=schemas).decode(wire)

    assert decoded.header.device_id == "dev-9"


def test_environment_variables_configure_the_lookup(tmp_path: Path) -> None:
    """DEVICECONTRACTS_ENVIRONMENT and DEVICECONTRACTS_LOCK select the lock and environment."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0, "dev": 500})
    v1 = VERSIONS["telemetry"][0]
    environ = {"DEVICECONTRACTS_ENVIRONMENT": "dev", "DEVICECONTRACTS_LOCK": str(lock)}
    schemas = WriterSchemas.from_environment(environ=environ, models_package=MODELS_PACKAGE)
    wire = framed(v1.schema_id + 500, body(telemetry_v1_value(), v1.fastavro_schema))

    decoded = Deserializer(latest("telemetry").model, schemas=schemas).decode(wire)

    assert schemas.environment == "dev"
    assert decoded.header.sequence == 3


@pytest.mark.parametrize(
    "environ",
    [{"DEVICECONTRACTS_ENVIRONMENT": "prod"}, {"DEVICECONTRACTS_LOCK": "contracts.lock.json"}],
)
def test_environment_without_lock_or_lock_without_environment_is_an_error(
    environ: dict[str, str],
) -> None:
    """Naming only one of environment and lock is a LockError saying what to set."""
    with pytest.raises(LockError, match="go together"):
        WriterSchemas.from_environment(environ=environ)


def test_lock_without_ids_for_the_environment_is_an_error(tmp_path: Path) -> None:
    """A lock recording no id for the environment is a LockError listing the ones it has."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    with pytest.raises(LockError, match=r"'staging'.*prod"):
        SchemaIds.from_lock(lock, "staging")


def test_missing_lock_file_is_an_error(tmp_path: Path) -> None:
    """A lock path that does not exist is a LockError naming the variable to point at it."""
    with pytest.raises(LockError, match="DEVICECONTRACTS_LOCK"):
        SchemaIds.from_lock(tmp_path / "nope.json", "prod")


def test_bundled_lock_fingerprints_lead_to_generated_models() -> None:
    """Every message version the bundled lock records has a generated model with the same
    fingerprint, so released ids always lead to a model."""
    lock = json.loads((BUNDLED / "contracts.lock.json").read_text(encoding="utf-8"))
    messages = {c.subject for c in CATALOG.contracts.values() if c.kind == "message"}
    schemas = WriterSchemas(models_package=MODELS_PACKAGE)
    for subject in messages:
        for number, entry in lock["subjects"][subject].items():
            model = schemas.model_of(entry["fingerprint"])
            assert model is not None, (subject, number)


def test_registry_is_asked_once_per_id_and_references_are_inlined() -> None:
    """An id missing from the lock is fetched from the registry (references resolved) once;
    later values with that id are served from the cache."""
    registry = CountingRegistry()
    schema_id = register_with_references(registry, "telemetry", 1)
    v1 = VERSIONS["telemetry"][0]
    schemas = WriterSchemas(registry=registry, models_package=None)
    deserializer = Deserializer(latest("telemetry").model, schemas=schemas)
    wire = framed(schema_id, body(telemetry_v1_value(), v1.fastavro_schema))

    first, second = deserializer.decode(wire), deserializer.decode(wire)

    assert first == second
    assert first.header.device_id == "dev-9"
    assert registry.fetches == [schema_id]


def test_registry_schema_with_a_known_fingerprint_uses_the_generated_model() -> None:
    """A registry schema whose fingerprint is a generated version's is read with that model's
    parsed schema (the writer is described by the release, not re-parsed)."""
    registry = CountingRegistry()
    schema_id = register_with_references(registry, "heartbeat", 1)
    schemas = WriterSchemas(registry=registry, models_package=MODELS_PACKAGE)

    writer = schemas.get(schema_id)

    assert writer.parsed is VERSIONS["heartbeat"][0].model.parsed_avro_schema()


def test_unknown_id_in_the_registry_is_asked_again_only_after_a_while() -> None:
    """A 404 from the registry is an UnknownSchemaId; the same id is not asked again until the
    retry delay passes, so a poisoned partition does not hammer the registry."""
    registry = CountingRegistry()
    schemas = WriterSchemas(registry=registry, models_package=None, retry_unknown_after=3600)
    deserializer = Deserializer(latest("heartbeat").model, schemas=schemas)

    for _ in range(3):
        with pytest.raises(UnknownSchemaId, match="mock://runtime-tests does not have it"):
            deserializer.decode(framed(4242, b"\x00"))

    assert registry.fetches == [4242]


def test_unknown_id_is_asked_again_once_the_delay_passed() -> None:
    """With no retry delay, every unknown value asks the registry again (a schema may have been
    registered meanwhile) and succeeds once it exists."""
    registry = CountingRegistry()
    schemas = WriterSchemas(registry=registry, models_package=None, retry_unknown_after=0)
    deserializer = Deserializer(latest("telemetry").model, schemas=schemas)
    v1 = VERSIONS["telemetry"][0]
    next_id = 1 + len(CATALOG.contracts["telemetry"].versions[0].references)  # shared types first
    wire = framed(next_id, body(telemetry_v1_value(), v1.fastavro_schema))

    with pytest.raises(UnknownSchemaId):
        deserializer.decode(wire)
    assert register_with_references(registry, "telemetry", 1) == next_id

    assert deserializer.decode(wire).header.device_id == "dev-9"


def test_a_newer_writer_than_any_model_still_reads_into_the_latest() -> None:
    """A schema only the registry knows (a version newer than the generated models, adding a
    field) is read into the latest model by Avro resolution: the new field is skipped."""
    registry = CountingRegistry()
    newest = latest("heartbeat")
    schema = json.loads(newest.model.avro_schema_json)
    schema["fields"].append({"name": "boot_count", "type": "long", "default": 0})
    schema_id = registry.register_schema("fleet.heartbeats-value", Schema(json.dumps(schema)))
    value = newest.model.from_avro_dict(
        {
            "header": telemetry_v1_value()["header"],
            "state": "ONLINE",
            "uptime_s": 5,
            "free_memory_bytes": None,
            "rssi_dbm": -60,
        }
    ).to_avro_dict()
    import fastavro

    wire = framed(schema_id, body({**value, "boot_count": 9}, fastavro.parse_schema(schema)))
    schemas = WriterSchemas(registry=registry, models_package=None)

    decoded = Deserializer(newest.model, schemas=schemas).decode(wire)

    assert (decoded.uptime_s, decoded.rssi_dbm) == (5, -60)


def test_unknown_id_message_says_what_was_tried() -> None:
    """An id the lock records but whose version has no model says which release it is."""
    v1 = VERSIONS["telemetry"][0]
    schemas = WriterSchemas(ids=schema_ids(), models_package=None)
    with pytest.raises(UnknownSchemaId, match=r"fleet\.telemetry-value v1"):
        Deserializer(latest("telemetry").model, schemas=schemas).decode(
            framed(v1.schema_id, body(telemetry_v1_value(), v1.fastavro_schema))
        )

"""The runtime path imports only what a message needs (checked in fresh processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..support.examples import SEQUENCE, telemetry_v1
from ..support.models import MODELS_PACKAGE, REPO, VERSIONS, write_lock

NEVER_ON_THE_RUNTIME_PATH = [
    "click",
    "hypothesis",
    "avro",
    "confluent_kafka",
    "confluent_kafka.schema_registry",
    "devicecontracts.cli",
    # The loader; the runtime reads the lock through devicecontracts.catalog.lock alone.
    "devicecontracts.catalog._load",
    "devicecontracts.check",
    # Governance's side of the registry; the runtime may import only registry.settings and
    # registry._errors, which import nothing heavy.
    "devicecontracts.registry._adapter",
    "devicecontracts.registry.release",
    "devicecontracts.registry._apply",
    "devicecontracts.testing",
    "devicecontracts.schema",
    # Data-contract rules are opt-in: off, neither their machinery nor CEL or JSONata loads.
    "devicecontracts._runtime.rules",
    "devicecontracts.datacontracts",
    "devicecontracts.datacontracts._eval",
    "celpy",
    "jsonata",
]
RULES = ["devicecontracts._runtime.rules", "devicecontracts.datacontracts._eval", "celpy"]

CONSUMER = """
import json, sys
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.bridge import DeviceBridge
from devicecontracts.serde import Deserializer, Serializer, WriterSchemas
from {package}.telemetry import Telemetry

schemas = WriterSchemas.from_environment(models_package={package!r})
deserializer = Deserializer(Telemetry, schemas=schemas)
value = bytes.fromhex(sys.argv[1])
before = set(sys.modules)
message = deserializer.decode(value)
print(json.dumps({{
    "modules": sorted(sys.modules),
    "imported_by_decode": sorted(set(sys.modules) - before),
    "sequence": message.header.sequence,
}}))
"""


def run(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    environment = dict(os.environ, **(env or {}))
    environment["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, sys.path)])
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def v1_value() -> bytes:
    from devicecontracts.serde import encode

    v1 = VERSIONS["telemetry"][0]
    return encode(v1.model.from_avro_dict(telemetry_v1()), v1.schema_id)


def test_consumer_path_never_imports_cli_testing_or_registry_client(tmp_path: Path) -> None:
    """Importing serde, the Lambda and bridge helpers and a model, then decoding an old
    version's value with the lock's ids, loads none of click, hypothesis, avro, confluent-kafka,
    the catalog or the testing package."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    result = run(
        CONSUMER.format(package=MODELS_PACKAGE),
        v1_value().hex(),
        env={"DEVICECONTRACTS_ENVIRONMENT": "prod", "DEVICECONTRACTS_LOCK": str(lock)},
    )

    assert result["sequence"] == SEQUENCE
    loaded = set(result["modules"])  # type: ignore[arg-type]
    assert loaded.isdisjoint(NEVER_ON_THE_RUNTIME_PATH), loaded & set(NEVER_ON_THE_RUNTIME_PATH)


def test_a_configured_registry_costs_nothing_while_the_lock_knows_the_ids(tmp_path: Path) -> None:
    """With the registry configured as the CLI configures it (SCHEMA_REGISTRY_URL and
    credentials) next to the lock, decoding an id the lock knows imports no confluent-kafka
    and no governance code: the registry is only the fallback."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    result = run(
        CONSUMER.format(package=MODELS_PACKAGE),
        v1_value().hex(),
        env={
            "DEVICECONTRACTS_ENVIRONMENT": "prod",
            "DEVICECONTRACTS_LOCK": str(lock),
            "SCHEMA_REGISTRY_URL": "http://127.0.0.1:9",  # nothing listens: never asked
            "SCHEMA_REGISTRY_API_KEY": "key",
            "SCHEMA_REGISTRY_API_SECRET": "secret",
        },
    )

    assert result["sequence"] == SEQUENCE
    loaded = set(result["modules"])  # type: ignore[arg-type]
    assert loaded.isdisjoint(NEVER_ON_THE_RUNTIME_PATH), loaded & set(NEVER_ON_THE_RUNTIME_PATH)


def test_older_model_is_imported_only_when_a_message_needs_it(tmp_path: Path) -> None:
    """The v1 model module is not imported until a v1 value arrives; decoding it imports it."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    result = run(
        CONSUMER.format(package=MODELS_PACKAGE),
        v1_value().hex(),
        env={"DEVICECONTRACTS_ENVIRONMENT": "prod", "DEVICECONTRACTS_LOCK": str(lock)},
    )

    v1_module = VERSIONS["telemetry"][0].model.__module__
    assert v1_module in result["imported_by_decode"]  # type: ignore[operator]


REGISTRY_FALLBACK = """
import json, sys
from devicecontracts.errors import UnknownSchemaId
from devicecontracts.serde import Deserializer, WriterSchemas
from {package}.telemetry import Telemetry

schemas = WriterSchemas(registry={{"url": "mock://fallback"}}, models_package=None)
deserializer = Deserializer(Telemetry, schemas=schemas)
before = "confluent_kafka.schema_registry" in sys.modules
try:
    deserializer.decode(bytes.fromhex("0000000063" "00"))
except UnknownSchemaId:
    pass
print(json.dumps({{"before": before, "after": "confluent_kafka.schema_registry" in sys.modules}}))
"""


PRODUCER = """
import json, sys
from devicecontracts.serde import Serializer
from {package}.telemetry import Telemetry
from {package}.telemetry import v3

value = Serializer(ids={{Telemetry: 9}}).encode(Telemetry.model_validate(json.loads(sys.argv[1])))
print(json.dumps({{"modules": sorted(sys.modules), "size": len(value)}}))
"""


def telemetry_json() -> str:
    return json.dumps(
        {
            "header": {
                "device_id": "d-1",
                "message_id": "6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11",
                "sent_at": 1714564800000,
                "firmware_version": "1.0.0",
                "sequence": 1,
            },
            "readings": [],
            "battery_mv": 3300,
        }
    )


@pytest.mark.parametrize("setting", [None, "0", "off"])
def test_rules_off_load_no_rules_code_on_either_path(tmp_path: Path, setting: str | None) -> None:
    """With DEVICECONTRACTS_RULES unset or off, encoding and decoding a telemetry (whose version
    carries a rule) load no rules machinery, no CEL and no JSONata."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    env = {"DEVICECONTRACTS_ENVIRONMENT": "prod", "DEVICECONTRACTS_LOCK": str(lock)}
    env["DEVICECONTRACTS_RULES"] = setting or ""
    consumer = run(CONSUMER.format(package=MODELS_PACKAGE), v1_value().hex(), env=env)
    producer = run(PRODUCER.format(package=MODELS_PACKAGE), telemetry_json(), env=env)
    for result in (consumer, producer):
        loaded = set(result["modules"])  # type: ignore[arg-type]
        assert loaded.isdisjoint(NEVER_ON_THE_RUNTIME_PATH), loaded & set(NEVER_ON_THE_RUNTIME_PATH)


def test_rules_on_load_the_rules_machinery() -> None:
    """The control: with DEVICECONTRACTS_RULES=1 the same encode loads the rules and CEL (so the
    test above would see them)."""
    result = run(
        PRODUCER.format(package=MODELS_PACKAGE),
        telemetry_json(),
        env={"DEVICECONTRACTS_RULES": "1"},
    )
    assert set(RULES) <= set(result["modules"])  # type: ignore[arg-type]


def test_registry_client_is_imported_only_when_the_fallback_is_used() -> None:
    """Configuring a registry imports nothing; the first id that needs it imports the client."""
    result = run(REGISTRY_FALLBACK.format(package=MODELS_PACKAGE))

    assert result == {"before": False, "after": True}


def test_a_lock_only_consumer_loads_no_registry_code(tmp_path: Path) -> None:
    """With the lock's ids and no registry configured, the consumer path does not even load
    the registry settings or the registry source: the registry is an optional fallback, and a
    cold start pays nothing for it."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0})
    environment = {"DEVICECONTRACTS_ENVIRONMENT": "prod", "DEVICECONTRACTS_LOCK": str(lock)}
    for name in [k for k in os.environ if k.startswith("SCHEMA_REGISTRY_")]:
        environment[name] = ""  # set but empty: not configured
    result = run(CONSUMER.format(package=MODELS_PACKAGE), v1_value().hex(), env=environment)

    assert result["sequence"] == SEQUENCE
    loaded = set(result["modules"])  # type: ignore[arg-type]
    assert "devicecontracts.registry.settings" not in loaded
    assert "devicecontracts._runtime.registry_source" not in loaded


def test_the_lookup_reads_the_registry_url_variable_the_settings_name() -> None:
    """The lookup checks SCHEMA_REGISTRY_URL without importing the settings; it is the name the
    settings (and the CLI) use."""
    from devicecontracts._runtime import lookup
    from devicecontracts.registry.settings import ENVIRONMENT_VARIABLES

    assert ENVIRONMENT_VARIABLES["url"] == lookup._REGISTRY_URL_VARIABLE
    assert lookup.REGISTRY_VARIABLES is ENVIRONMENT_VARIABLES

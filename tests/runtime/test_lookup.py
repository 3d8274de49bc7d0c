"""Writer-schema lookup by id: cache, then the ids released to the environment, then the
registry, then a clear error."""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import (
    MockSchemaRegistryClient,
)

from devicecontracts._runtime import lookup
from devicecontracts.errors import (
    LockError,
    RegistryAuthError,
    RegistryConfigError,
    RegistryServerError,
    RegistryUnreachableError,
    UnknownSchemaId,
)
from devicecontracts.registry.settings import ENVIRONMENT_VARIABLES as REGISTRY_VARIABLES
from devicecontracts.registry.settings import RegistrySettings
from devicecontracts.schema import parse_schema
from devicecontracts.serde import (
    Deserializer,
    SchemaIds,
    Serializer,
    WriterSchemas,
)
from devicecontracts.testing import encode
from devicecontracts.testing.registry import LocalRegistry

from ..support.examples import DEVICE_ID, SEQUENCE, telemetry_v1
from ..support.models import (
    BUNDLED,
    CATALOG,
    MODELS_PACKAGE,
    VERSIONS,
    first_major,
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


def test_released_ids_resolve_without_a_registry(tmp_path: Path) -> None:
    """With the lock's ids for the environment, an old version's bytes decode into the latest
    model with no registry configured."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0, "dev": 500})
    v1 = VERSIONS["telemetry"][0]
    schemas = WriterSchemas(ids=SchemaIds.from_lock(lock, "prod"), models_package=MODELS_PACKAGE)
    wire = framed(v1.schema_id, encode(telemetry_v1(), v1.schema))

    decoded = Deserializer(latest("telemetry").model, schemas=schemas).decode(wire)

    assert decoded.header.device_id == DEVICE_ID


def test_environment_variables_configure_the_lookup(tmp_path: Path) -> None:
    """DEVICECONTRACTS_ENVIRONMENT and DEVICECONTRACTS_LOCK select the lock and environment."""
    lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 0, "dev": 500})
    v1 = VERSIONS["telemetry"][0]
    environ = {"DEVICECONTRACTS_ENVIRONMENT": "dev", "DEVICECONTRACTS_LOCK": str(lock)}
    schemas = WriterSchemas.from_environment(environ=environ, models_package=MODELS_PACKAGE)
    wire = framed(v1.schema_id + 500, encode(telemetry_v1(), v1.schema))

    decoded = Deserializer(latest("telemetry").model, schemas=schemas).decode(wire)

    assert schemas.environment == "dev"
    assert decoded.header.sequence == SEQUENCE


def test_lock_without_environment_is_an_error() -> None:
    """Naming a lock but no environment is a LockError saying what to set."""
    environ = {"DEVICECONTRACTS_LOCK": "contracts.lock.json"}
    with pytest.raises(LockError, match="DEVICECONTRACTS_ENVIRONMENT is not"):
        WriterSchemas.from_environment(environ=environ)


def test_environment_without_any_lock_is_an_error() -> None:
    """An environment with neither DEVICECONTRACTS_LOCK nor a lock packaged with the models
    package (here one that carries no _catalog/) is a LockError saying to set
    DEVICECONTRACTS_LOCK."""
    environ = {"DEVICECONTRACTS_ENVIRONMENT": "prod"}
    with pytest.raises(LockError, match=r"no lock.*set DEVICECONTRACTS_LOCK"):
        WriterSchemas.from_environment(environ=environ, models_package="no_such_models")


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
    wire = framed(schema_id, encode(telemetry_v1(), v1.schema))

    first, second = deserializer.decode(wire), deserializer.decode(wire)

    assert first == second
    assert first.header.device_id == DEVICE_ID
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
    deserializer = Deserializer(first_major("heartbeat")[-1].model, schemas=schemas)

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
    wire = framed(next_id, encode(telemetry_v1(), v1.schema))

    with pytest.raises(UnknownSchemaId):
        deserializer.decode(wire)
    assert register_with_references(registry, "telemetry", 1) == next_id

    assert deserializer.decode(wire).header.device_id == DEVICE_ID


def test_a_newer_writer_than_any_model_still_reads_into_the_latest() -> None:
    """A schema only the registry knows (a version newer than the generated models, adding a
    field) is read into the latest model by Avro resolution: the new field is skipped."""
    registry = CountingRegistry()
    newest = first_major("heartbeat")[-1]
    schema = json.loads(newest.model.avro_schema_json)
    schema["fields"].append({"name": "boot_count", "type": "long", "default": 0})
    schema_id = registry.register_schema("fleet.heartbeats-value", Schema(json.dumps(schema)))
    value = newest.model.from_avro_dict(
        {
            "header": telemetry_v1()["header"],
            "state": "ONLINE",
            "uptime_s": 5,
            "free_memory_bytes": None,
            "rssi_dbm": -60,
        }
    ).to_avro_dict()

    wire = framed(schema_id, encode({**value, "boot_count": 9}, parse_schema(schema)))
    schemas = WriterSchemas(registry=registry, models_package=None)

    decoded = Deserializer(newest.model, schemas=schemas).decode(wire)

    assert (decoded.uptime_s, decoded.rssi_dbm) == (5, -60)


def test_unknown_id_message_says_what_was_tried() -> None:
    """An id the lock records but whose version has no model says which release it is."""
    v1 = VERSIONS["telemetry"][0]
    schemas = WriterSchemas(ids=schema_ids(), models_package=None)
    with pytest.raises(UnknownSchemaId, match=r"fleet\.telemetry-value v1"):
        Deserializer(latest("telemetry").model, schemas=schemas).decode(
            framed(v1.schema_id, encode(telemetry_v1(), v1.schema))
        )


# -- configured by the environment: lock first, then the registry the CLI uses -----------------

NOTHING_CONFIGURED = [
    "DEVICECONTRACTS_ENVIRONMENT",
    "DEVICECONTRACTS_LOCK",
    *REGISTRY_VARIABLES.values(),
]


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No lock and no registry variable from the developer's shell."""
    for variable in NOTHING_CONFIGURED:
        monkeypatch.delenv(variable, raising=False)


def test_nothing_configured_fails_at_construction(bare_environment: None) -> None:
    """With neither a lock nor a registry configured, `Deserializer(model)` refuses to build,
    naming the variables to set, instead of failing every record later."""
    with pytest.raises(RegistryConfigError) as refused:
        Deserializer(latest("telemetry").model)

    for variable in ("DEVICECONTRACTS_ENVIRONMENT", "DEVICECONTRACTS_LOCK", "SCHEMA_REGISTRY_URL"):
        assert variable in str(refused.value)


def test_explicit_configurations_need_no_environment(bare_environment: None) -> None:
    """Schemas given in code, and a serializer whose ids are pinned, build with nothing in the
    environment."""
    v1 = VERSIONS["telemetry"][0]
    serializer = Serializer(ids={v1.model: 77})
    message = Deserializer(v1.model, schemas=WriterSchemas(ids=schema_ids())).decode(
        framed(v1.schema_id, encode(telemetry_v1(), v1.schema))
    )

    assert serializer.encode(message)[:5] == framed(77, b"")


def test_registry_alone_is_a_configuration() -> None:
    """SCHEMA_REGISTRY_URL alone builds a lookup (ids come from the registry) without
    connecting: the client is created only when an id needs it."""
    environ = {"SCHEMA_REGISTRY_URL": "http://127.0.0.1:9"}  # nothing listens there

    schemas = WriterSchemas.from_environment(environ=environ, models_package=None)

    assert schemas.environment is None


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        ({"SCHEMA_REGISTRY_URL": "registry.internal:8081"}, r"not an http\(s\) URL"),
        (
            {"SCHEMA_REGISTRY_URL": "https://sr.example.com", "SCHEMA_REGISTRY_API_KEY": "k"},
            "SCHEMA_REGISTRY_API_SECRET",
        ),
        (
            {"SCHEMA_REGISTRY_URL": "https://sr.example.com", "SCHEMA_REGISTRY_RETRIES": "x"},
            "RETRIES",
        ),
    ],
)
def test_unusable_registry_settings_fail_at_construction(
    environ: dict[str, str], said: str
) -> None:
    """Registry variables that cannot work are refused when the lookup is built, as the CLI
    refuses them."""
    with pytest.raises(RegistryConfigError, match=said):
        WriterSchemas.from_environment(environ=environ)


def test_registry_without_confluent_kafka_fails_at_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A registry configured where confluent-kafka is not installed is refused at once, saying
    which extra to install."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "confluent_kafka" else real(name, *a),
    )
    with pytest.raises(RegistryConfigError, match=r"devicecontracts\[registry\]"):
        WriterSchemas.from_environment(environ={"SCHEMA_REGISTRY_URL": "https://sr.example.com"})


def register_version(registry: LocalRegistry, contract: str, number: int) -> int:
    """Register a catalog version in the local registry as `contracts register` does (shared
    types as their own subjects, referenced); the message's id."""
    version = next(v for v in CATALOG.contracts[contract].versions if v.version == number)
    refs = []
    for ref in version.references:
        shared = CATALOG.by_subject(ref.subject)
        registry.register(
            ref.subject, next(v.text for v in shared.versions if v.version == ref.version)
        )
        refs.append({"name": ref.name, "subject": ref.subject, "version": ref.version})
    return registry.register(CATALOG.contracts[contract].subject, version.text, refs).id


def test_a_release_after_deployment_decodes_through_the_registry(tmp_path: Path) -> None:
    """Cold start: ids the lock knows decode with no request to the registry. Then a v4 of
    telemetry (a new optional field, a new sensor kind) is registered after the consumer was
    built; its records decode into the deployed v3 model by Avro resolution."""
    v1, v3 = VERSIONS["telemetry"][0], latest("telemetry")
    with LocalRegistry() as registry:
        registry_ids = [register_version(registry, "telemetry", n) for n in (1, 2, 3)]
        lock = write_lock(tmp_path / "contracts.lock.json", {"prod": 10_000})  # no clash
        environ = {
            "DEVICECONTRACTS_ENVIRONMENT": "prod",
            "DEVICECONTRACTS_LOCK": str(lock),
            "SCHEMA_REGISTRY_URL": registry.url,
        }
        deserializer = Deserializer(
            v3.model,
            schemas=WriterSchemas.from_environment(environ=environ, models_package=MODELS_PACKAGE),
        )
        registry.clear_requests()

        old = deserializer.decode(framed(v1.schema_id + 10_000, encode(telemetry_v1(), v1.schema)))
        assert registry.requests == []

        v4 = json.loads(v3.model.avro_schema_json)
        v4["fields"].append({"name": "cabinet_door_open", "type": "boolean", "default": False})
        readings = v4["fields"][[f["name"] for f in v4["fields"]].index("readings")]
        readings["type"]["items"]["fields"][1]["type"]["symbols"].append("SOUND")
        v4_id = registry.register(v3.subject, v4).id
        assert v4_id not in registry_ids
        reading = {
            "sensor_id": "mic-1",
            "kind": "SOUND",
            "value": 41.5,
            "unit": "dB",
            "sampled_at": dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        }
        value = {**old.to_avro_dict(), "readings": [reading], "cabinet_door_open": True}
        wire = framed(v4_id, encode(value, parse_schema(v4)))

        new = deserializer.decode(wire)

        assert isinstance(new, v3.model)
        assert new.header == old.header
        assert [(r.sensor_id, r.kind.value, r.value) for r in new.readings] == [
            ("mic-1", "UNKNOWN", 41.5)
        ]
        assert [r.path for r in registry.requests] == [f"/schemas/ids/{v4_id}"]


def test_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random unknown ids (hostile bytes) do not grow the lookup: beyond the bound, the oldest
    unknown id is forgotten and the registry is asked for it again."""
    monkeypatch.setattr(lookup, "UNKNOWN_IDS_KEPT", 3)
    registry = CountingRegistry()
    schemas = WriterSchemas(registry=registry, models_package=None, retry_unknown_after=3600)

    for schema_id in [*range(1000, 1010), 1000]:
        with pytest.raises(UnknownSchemaId):
            schemas.get(schema_id)

    assert len(schemas._unknown_until) == 3
    assert registry.fetches == [*range(1000, 1010), 1000]


def test_the_writer_schema_cache_has_a_default_bound_that_can_be_changed() -> None:
    """By default a lookup keeps SCHEMAS_KEPT writer schemas, and a Deserializer as many read
    plans; max_schemas changes both; a bound below one is refused."""
    default = WriterSchemas(models_package=None)
    small = WriterSchemas(models_package=None, max_schemas=7)

    assert (default.max_schemas, default._cache.limit) == (lookup.SCHEMAS_KEPT, 256)
    assert (small.max_schemas, small._cache.limit) == (7, 7)
    model = first_major("heartbeat")[-1].model
    assert Deserializer(model, schemas=small)._plans.limit == 7  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="at least 1"):
        WriterSchemas(models_package=None, max_schemas=0)


FIVE_VERSIONS = [("heartbeat", 1), ("heartbeat", 2), ("telemetry", 1), ("telemetry", 2)]
FIVE_VERSIONS += [("telemetry", 3)]


def test_the_writer_schema_cache_forgets_the_least_recently_used_first() -> None:
    """With room for three writer schemas, five ids in turn: the cache never holds more than
    three; an id used again survives, the least recently used one goes, and a forgotten id is
    fetched again and resolves to the same schema."""
    registry = CountingRegistry()
    a, b, c, d, _ = (register_with_references(registry, *version) for version in FIVE_VERSIONS)
    expected = {
        schema_id: WriterSchemas(registry=registry, models_package=None).get(schema_id)
        for schema_id in (a, b, c, d)
    }
    registry.fetches.clear()
    schemas = WriterSchemas(registry=registry, models_package=None, max_schemas=3)

    for schema_id in (a, b, c, a, d, a, b):
        found = schemas.get(schema_id)
        assert (found.fingerprint, found.source) == (
            expected[schema_id].fingerprint,
            expected[schema_id].source,
        )
        assert len(schemas._cache) <= 3

    # a was used again before d came, so b (least recently used) went; c went when b came back
    assert registry.fetches == [a, b, c, d, b]
    assert list(schemas._cache) == [d, a, b]


def test_a_deserializer_keeps_no_more_read_plans_than_the_bound() -> None:
    """Values of three telemetry versions in rotation through a lookup bounded at two: every
    value decodes right, and neither the writer schemas nor the read plans exceed two."""
    schemas = WriterSchemas(ids=schema_ids(), models_package=MODELS_PACKAGE, max_schemas=2)
    newest = latest("telemetry")
    deserializer = Deserializer(newest.model, schemas=schemas)
    values = []
    for number, version in enumerate(VERSIONS["telemetry"], start=1):
        message = {**telemetry_v1(), "location": None, "battery_mv": None, "signal_dbm": None}
        message["header"] = {**message["header"], "sequence": number}
        wanted = {f.name for f in version.schema.root.fields}  # type: ignore[attr-defined]
        body = encode({k: v for k, v in message.items() if k in wanted}, version.schema)
        values.append((number, framed(version.schema_id, body)))

    for number, value in values * 3:
        decoded = deserializer.decode(value)
        assert type(decoded) is newest.model
        assert decoded.header.sequence == number
        assert len(deserializer._plans) <= 2
        assert len(schemas._cache) <= 2


def test_a_bounded_cache_stores_again_as_newest_and_reads_as_a_dict() -> None:
    """Storing a key again makes it the newest; touch makes a key the most recently used; plain
    reads change nothing."""
    cache: lookup.BoundedCache[str, int] = lookup.BoundedCache(2)
    cache["a"], cache["b"] = 1, 2
    cache["a"] = 3  # stored again: b is now the oldest
    cache["c"] = 4
    assert dict(cache) == {"a": 3, "c": 4}
    assert cache.get("a") == 3 and "c" in cache  # reads do not reorder
    cache["d"] = 5
    assert dict(cache) == {"c": 4, "d": 5}
    assert cache.touch("c") == 4 and cache.touch("zz") is None
    cache["e"] = 6
    assert dict(cache) == {"c": 4, "e": 6}


# -- credentials never reach a logger or an error ----------------------------------------------

KEY = "lookup-key-7"
SECRET = "S3cr3t:/Lookup+Value%"
TOKEN = "tok-runtime-0123456789abcdef"


def leaked(text: str) -> list[str]:
    """The forms of the secrets found in ``text`` (plain, URL-quoted, in a Basic header)."""
    basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    forms = [SECRET, quote(SECRET, safe=""), quote(SECRET), basic, TOKEN]
    return [form for form in forms if form in text]


class Capture(logging.Handler):
    """Keeps every record, formatted with its arguments and exception."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_logger() -> Iterator[Capture]:
    """Root and every existing logger (httpx, httpcore, urllib3, confluent_kafka, ours) at
    DEBUG, all captured; levels and handlers restored afterwards."""
    import confluent_kafka.schema_registry  # noqa: F401 - its loggers (and httpx's) exist now

    for name in ("httpx", "httpx2", "httpcore", "urllib3", "confluent_kafka", "devicecontracts"):
        logging.getLogger(name)
    capture = Capture()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(capture)  # also loggers that do not propagate
    try:
        yield capture
    finally:
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(capture)


def lookups(schemas: WriterSchemas, known_id: int) -> list[str]:
    """Find a registered id and an unknown one; the messages of whatever was raised."""
    said = []
    assert schemas.get(known_id).fingerprint
    for schema_id in (known_id + 999,):
        try:
            schemas.get(schema_id)
        except Exception as exc:
            said += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    return said


def with_userinfo(url: str, user: str, password: str) -> str:
    return url.replace("://", f"://{quote(user, safe='')}:{quote(password, safe='')}@")


def heartbeat_schema() -> str:
    return str(first_major("heartbeat")[-1].model.avro_schema_json)


def test_no_credential_reaches_a_log_line_or_an_error(every_logger: Capture) -> None:
    """With every logger at DEBUG, lookups through a registry configured by a URL with user
    info, by an API key and secret, by a bearer token, or by a client config with user info,
    and failures (refused credentials, nothing listening), show no secret anywhere."""
    said: list[str] = []
    with LocalRegistry(basic_auth=(KEY, SECRET)) as basic:
        known = basic.register("fleet.heartbeats-value", heartbeat_schema()).id
        for environ in (
            {"SCHEMA_REGISTRY_URL": with_userinfo(basic.url, KEY, SECRET)},
            {
                "SCHEMA_REGISTRY_URL": basic.url,
                "SCHEMA_REGISTRY_API_KEY": KEY,
                "SCHEMA_REGISTRY_API_SECRET": SECRET,
            },
        ):
            said += lookups(WriterSchemas.from_environment(environ=environ), known)
        said += lookups(
            WriterSchemas(registry={"url": with_userinfo(basic.url, KEY, SECRET)}), known
        )
        wrong = {"SCHEMA_REGISTRY_URL": with_userinfo(basic.url, "other", SECRET + "x")}
        with pytest.raises(RegistryAuthError) as refused:
            WriterSchemas.from_environment(environ=wrong).get(known)
        said.append(str(refused.value))
        port = basic.port
    with LocalRegistry(bearer_token=TOKEN) as bearer:
        known = bearer.register("fleet.heartbeats-value", heartbeat_schema()).id
        environ = {"SCHEMA_REGISTRY_URL": bearer.url, "SCHEMA_REGISTRY_BEARER_TOKEN": TOKEN}
        said += lookups(WriterSchemas.from_environment(environ=environ), known)
    gone = {
        "SCHEMA_REGISTRY_URL": with_userinfo(f"http://127.0.0.1:{port}", KEY, SECRET),
        "SCHEMA_REGISTRY_RETRIES": "0",
    }
    with pytest.raises(RegistryUnreachableError) as unreachable:
        WriterSchemas.from_environment(environ=gone).get(1)
    said.append(str(unreachable.value))

    assert any("HTTP Request" in line for line in every_logger.lines)  # httpx did log requests
    assert leaked("\n".join(every_logger.lines)) == []
    assert leaked("\n".join(said)) == []


def test_a_failing_registry_is_not_asked_again_for_a_while() -> None:
    """After the registry fails, lookups fail at once with the same error instead of each
    waiting through the client's retries; once the delay has passed it is asked again."""
    with LocalRegistry() as registry:
        schema_id = registry.register("fleet.heartbeats-value", heartbeat_schema()).id
        registry.fail_next(503, 50301, times=None)
        settings = RegistrySettings(registry.url, retries=0)
        patient = WriterSchemas(registry=settings, models_package=None, retry_failed_after=3600)
        eager = WriterSchemas(registry=settings, models_package=None, retry_failed_after=0)

        for schemas in (patient, eager):
            for other_id in (schema_id, schema_id + 1):
                with pytest.raises(RegistryServerError, match="kept failing"):
                    schemas.get(other_id)
        assert len(registry.requests) == 1 + 2
        registry.clear_faults()

        with pytest.raises(RegistryServerError):
            patient.get(schema_id)
        assert eager.get(schema_id).fingerprint

"""Data-contract rules across clients: confluent-kafka's own rule executors and ours agree.

The bundled catalog is registered with ``contracts register`` into the local registry, each
version with the metadata and rule set its ``contract.toml`` declares. Confluent's
``AvroSerializer`` and ``AvroDeserializer`` take the latest version of the subject with its
``ruleSet`` (``use.latest.version``) and run it with their own executors (CEL_FIELD, JSONATA)
and DLQ action, each serde on a rule registry of its own so nothing is registered process-wide;
their DLQ action sends through a recording stand-in producer (its ``producer`` rule config).
Ours run the rules the generated models carry (``Serializer``/``Deserializer(rules=True)``),
with ids from the lock ``contracts register`` wrote. Everything runs in process against
127.0.0.1; the registry is stopped at the end of the module.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# confluent-kafka's JSONata executor imports jsonata-python, which raises the process's
# recursion limit to 10,000, and its CEL executors make cel-python environments (2,500): put it
# back after collecting this module and after its tests, or other modules' deep-input tests see it.
RECURSION_LIMIT = sys.getrecursionlimit()

cel = pytest.importorskip(
    "confluent_kafka.schema_registry.rules.cel.cel_executor",
    reason="confluent-kafka's CEL rule executors do not install here (they need cel-python, "
    "protobuf and googleapis-common-protos)",
)
cel_field = pytest.importorskip(
    "confluent_kafka.schema_registry.rules.cel.cel_field_executor",
    reason="confluent-kafka's CEL rule executors do not install here (they need cel-python, "
    "protobuf and googleapis-common-protos)",
)
jsonata_executor = pytest.importorskip(
    "confluent_kafka.schema_registry.rules.jsonata.jsonata_executor",
    reason="confluent-kafka's JSONata rule executor does not install here (it needs "
    "jsonata-python)",
)

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer  # noqa: E402
from confluent_kafka.schema_registry.error import SchemaRegistryError  # noqa: E402
from confluent_kafka.schema_registry.rule_registry import RuleRegistry  # noqa: E402
from confluent_kafka.schema_registry.rules.dlq.dlq_action import DlqAction  # noqa: E402
from confluent_kafka.schema_registry.serde import RuleConditionError  # noqa: E402
from confluent_kafka.serialization import (  # noqa: E402
    MessageField,
    SerializationContext,
    SerializationError,
)

from devicecontracts.catalog import Catalog, Contract, load_catalog  # noqa: E402
from devicecontracts.datacontracts import rule_set_from_registry  # noqa: E402
from devicecontracts.errors import RuleViolationOnRead, RuleViolationOnWrite  # noqa: E402
from devicecontracts.serde import (  # noqa: E402
    Deserializer,
    SchemaIds,
    Serializer,
    WriterSchemas,
    from_dict,
    to_dict,
)
from devicecontracts.testing.registry import LocalRegistry  # noqa: E402

from ..support.catalogs import copy_bundled  # noqa: E402
from ..support.examples import header  # noqa: E402
from ..support.models import MODELS_PACKAGE, Version, latest, versions  # noqa: E402
from ..support.registry import client, run  # noqa: E402

sys.setrecursionlimit(RECURSION_LIMIT)


@pytest.fixture(autouse=True, scope="module")
def _recursion_limit_put_back() -> Iterator[None]:
    yield
    sys.setrecursionlimit(RECURSION_LIMIT)


ENVIRONMENT = "default"
"""The lock environment ``contracts register`` records ids for by default."""
BATTERY_RULE = "battery_mv_in_range"
LATEST = {"use.latest.version": True, "subject.name.strategy.type": "TOPIC"}
"""Confluent's serdes on the latest registered version and its rule set, subject by topic
(``<topic>-value``, as the catalog's messages), so no association lookup is made."""


@dataclass(frozen=True)
class Registered:
    """The bundled catalog as ``contracts register`` left it in a running local registry."""

    registry: LocalRegistry
    client: SchemaRegistryClient
    catalog: Catalog
    lock: Path

    def contract(self, name: str) -> Contract:
        return self.catalog.contracts[name]

    def schema_id(self, subject: str, version: int) -> int:
        return int(self.client.get_version(subject, version).schema_id)

    def our_deserializer(self, model: type[Any]) -> Deserializer[Any]:
        """Ours, with rules on, finding writer schemas by the ids register recorded in the
        lock (no registry call)."""
        schemas = WriterSchemas(
            ids=SchemaIds.from_lock(self.lock, ENVIRONMENT), models_package=MODELS_PACKAGE
        )
        return Deserializer(model, schemas=schemas, rules=True)

    def our_serializer(self, version: Version, *, rules: bool = True) -> Serializer:
        """Ours, writing ``version``'s model with the id the registry gave it."""
        return Serializer(
            ids={version.model: self.schema_id(version.subject, version.number)}, rules=rules
        )


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registered]:
    catalog = copy_bundled(tmp_path_factory.mktemp("interop") / "schemas")
    with LocalRegistry() as registry:
        result = run("register", "--catalog", catalog, "--registry", registry.url)
        assert result.exit_code == 0, result.output
        yield Registered(
            registry, client(registry.url), load_catalog(catalog), catalog / "contracts.lock.json"
        )


@dataclass
class Sent:
    """One record confluent's DLQ action produced."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes | None]


@dataclass
class DeadLetterProducer:
    """Stands in for the Kafka producer of confluent's DLQ action (its ``producer`` rule
    config): records what it is asked to send."""

    sent: list[Sent] = field(default_factory=list)

    def produce(self, topic: str, key: Any = None, value: Any = None, **kw: Any) -> None:
        self.sent.append(Sent(topic, key, value, dict(kw.get("headers") or [])))

    def poll(self, timeout: float = 0) -> int:
        return 0

    def flush(self, timeout: float | None = None) -> int:
        return 0


def their_rules() -> RuleRegistry:
    """A rule registry of confluent's executors and DLQ action, for one serde."""
    rules = RuleRegistry()
    rules.register_executor(cel.CelExecutor())
    rules.register_executor(cel_field.CelFieldExecutor())
    rules.register_executor(jsonata_executor.JsonataExecutor())
    rules.register_action(DlqAction())
    return rules


def their_deserializer(
    registry: SchemaRegistryClient, model: type[Any] | None, dlq: DeadLetterProducer, **conf: Any
) -> AvroDeserializer:
    """Confluent's deserializer with its executors: the latest version (or ``conf``'s choice)
    as reader, its READ rules and migrations run, the record built by our ``from_dict`` hook
    (a dict for no model)."""
    return AvroDeserializer(
        registry,
        None,
        from_dict=None if model is None else from_dict(model),
        return_record_name=True,
        conf={**LATEST, **conf},
        rule_conf={"producer": dlq},
        rule_registry=their_rules(),
    )


def their_serializer(
    registry: SchemaRegistryClient, dlq: DeadLetterProducer, *, models: bool = True, **conf: Any
) -> AvroSerializer:
    """Confluent's serializer with its executors: the latest version (or ``conf``'s choice),
    never registering, its WRITE rules run on our ``to_dict`` form of the model (or on the
    dict given, without ``models``)."""
    return AvroSerializer(
        registry,
        None,
        to_dict=to_dict if models else None,
        conf={**LATEST, "auto.register.schemas": False, **conf},
        rule_conf={"producer": dlq},
        rule_registry=their_rules(),
    )


def context(topic: str, headers: Any = None) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE, headers)


# -- telemetry: the battery_mv range rule (CEL_FIELD, WRITEREAD, DLQ on failure) ---------------


def telemetry_version() -> Version:
    return latest("telemetry")


def telemetry(battery_mv: int | None) -> Any:
    """A full telemetry message of the latest version: a reading, a position fix (a union of
    null and a record), and ``battery_mv``."""
    model = telemetry_version().model
    return model.from_avro_dict(
        {
            "header": header(),
            "readings": [
                {
                    "sensor_id": "t-1",
                    "kind": "TEMPERATURE",
                    "value": 21.5,
                    "unit": "Cel",
                    "sampled_at": dt.datetime(2024, 1, 2, 0, 0, 1, tzinfo=dt.UTC),
                }
            ],
            "location": {
                "latitude": 59.33,
                "longitude": 18.06,
                "altitude_m": None,
                "accuracy_m": 4.5,
            },
            "battery_mv": battery_mv,
            "signal_dbm": -71,
        }
    )


def battery_examples(registered: Registered) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The battery rule's examples from ``contract.toml``: values that pass, values that fail."""
    data = registered.contract("telemetry").data
    assert data is not None
    (rule,) = [r for r in data.rules if r.rule.name == BATTERY_RULE]
    assert rule.examples_pass and rule.examples_fail
    return rule.examples_pass, rule.examples_fail


def test_the_registry_holds_the_catalogs_rule_sets(registered: Registered) -> None:
    """What confluent's client reads back for every telemetry version is the rule set the
    catalog declares for it (the battery rule from v2 on, none on v1), so confluent's executors
    below run exactly the catalog's rules."""
    contract = registered.contract("telemetry")
    for v in contract.versions:
        stored = registered.client.get_version(contract.subject, v.version).schema.rule_set
        theirs = rule_set_from_registry(stored.to_dict() if stored is not None else None)
        assert theirs == contract.rule_set(v.version), v.version
    assert [r.name for r in contract.rule_set(telemetry_version().number).domain_rules] == [
        BATTERY_RULE
    ]


def test_confluent_reads_our_valid_messages_with_the_same_rules(registered: Registered) -> None:
    """Every value the rule's examples say passes (and null: a mains-powered device), written by
    our serializer with rules on, is read by confluent's deserializer with its CEL_FIELD
    executor into the same message; nothing goes to its dead-letter topic."""
    version = telemetry_version()
    passing, _ = battery_examples(registered)
    dlq = DeadLetterProducer()
    theirs = their_deserializer(registered.client, version.model, dlq)
    ours = registered.our_serializer(version)
    topic = registered.contract("telemetry").topic
    for battery in (*passing, None):
        message = telemetry(battery)

        read = theirs(ours.encode(message), context(topic))

        assert read == message, battery
    assert dlq.sent == []


def test_confluent_refuses_what_our_rules_refuse(registered: Registered) -> None:
    """A value the rule's examples say fails is refused by our serializer with rules on; written
    with rules off, confluent's deserializer refuses it with its own rule error and sends the
    record to the rule's dead-letter topic, as ours refuses it on read."""
    version = telemetry_version()
    contract = registered.contract("telemetry")
    _, failing = battery_examples(registered)
    dlq = DeadLetterProducer()
    theirs = their_deserializer(registered.client, version.model, dlq)
    mine = registered.our_deserializer(version.model)
    for battery in failing:
        message = telemetry(battery)
        with pytest.raises(RuleViolationOnWrite) as refused:
            registered.our_serializer(version).encode(message)
        assert (refused.value.rule_name, refused.value.rule_mode) == (BATTERY_RULE, "WRITE")
        value = registered.our_serializer(version, rules=False).encode(message)

        with pytest.raises(SerializationError) as theirs_refused:
            theirs(value, context(contract.topic))
        with pytest.raises(RuleViolationOnRead) as ours_refused:
            mine.decode(value, topic=contract.topic)

        assert isinstance(theirs_refused.value.__cause__, RuleConditionError), battery
        assert theirs_refused.value.args == (f"Rule failed: {BATTERY_RULE}",)
        error = ours_refused.value
        assert (error.rule_name, error.rule_mode, error.subject) == (
            BATTERY_RULE,
            "READ",
            contract.subject,
        )
        sent = dlq.sent.pop()
        assert (sent.topic, sent.value) == (error.dlq_topic, value)
        assert {k: v for k, v in sent.headers.items() if k != "__rule.exception"} == {
            "__rule.name": BATTERY_RULE.encode(),
            "__rule.mode": b"READ",
            "__rule.subject": contract.subject.encode(),
            "__rule.topic": contract.topic.encode(),
        }
    assert dlq.sent == []


def test_we_read_confluents_valid_messages_with_the_same_rules(registered: Registered) -> None:
    """Every passing value (and null), written by confluent's serializer with its CEL_FIELD
    executor on the latest version, is read by our deserializer with rules on into the same
    message, and the bytes are ours byte for byte."""
    version = telemetry_version()
    passing, _ = battery_examples(registered)
    dlq = DeadLetterProducer()
    theirs = their_serializer(registered.client, dlq)
    mine = registered.our_deserializer(version.model)
    topic = registered.contract("telemetry").topic
    for battery in (*passing, None):
        message = telemetry(battery)

        value = theirs(message, context(topic))

        assert value == registered.our_serializer(version).encode(message), battery
        assert mine.decode(value, topic=topic) == message, battery
    assert dlq.sent == []


def test_confluent_refuses_to_write_what_our_rules_refuse(registered: Registered) -> None:
    """A failing value is refused by confluent's serializer on write, with its rule error, as by
    ours; its DLQ action sends the message (as JSON, on write) to the same dead-letter topic
    ours names."""
    version = telemetry_version()
    contract = registered.contract("telemetry")
    _, failing = battery_examples(registered)
    dlq = DeadLetterProducer()
    theirs = their_serializer(registered.client, dlq)
    for battery in failing:
        message = telemetry(battery)
        with pytest.raises(RuleViolationOnWrite) as ours_refused:
            registered.our_serializer(version).encode(message)

        with pytest.raises(SerializationError) as theirs_refused:
            theirs(message, context(contract.topic))

        assert isinstance(theirs_refused.value.__cause__, RuleConditionError), battery
        sent = dlq.sent.pop()
        assert sent.topic == ours_refused.value.dlq_topic
        assert sent.headers["__rule.mode"] == b"WRITE"
        assert sent.headers["__rule.name"] == BATTERY_RULE.encode()
    assert dlq.sent == []


def test_confluent_replays_our_dead_letters_past_the_rule(registered: Registered) -> None:
    """Our dead letter of a refused record carries the ``__rule.*`` headers confluent's own DLQ
    action writes; confluent's deserializer, given them, skips that rule on replay (as it does
    for its own dead letters) and reads the record."""
    from devicecontracts.dead_letters import DeadLetter
    from devicecontracts.lambda_events import KafkaRecord

    version = telemetry_version()
    contract = registered.contract("telemetry")
    _, failing = battery_examples(registered)
    message = telemetry(failing[0])
    value = registered.our_serializer(version, rules=False).encode(message)
    with pytest.raises(RuleViolationOnRead) as refused:
        registered.our_deserializer(version.model).decode(value, topic=contract.topic)
    letter = DeadLetter(KafkaRecord(contract.topic, 0, 7, value=value), refused.value)
    dlq = DeadLetterProducer()

    read = their_deserializer(registered.client, version.model, dlq)(
        value, context(contract.topic, letter.headers())
    )

    assert read == message
    assert dlq.sent == []
    rule_headers = dict(letter.rule_headers())
    assert rule_headers["__rule.name"] == BATTERY_RULE.encode()
    assert rule_headers["__rule.mode"] == b"READ"
    assert rule_headers["__rule.subject"] == contract.subject.encode()
    assert rule_headers["__rule.topic"] == contract.topic.encode()


# -- value forms: logical types ---------------------------------------------------------------

CLOCK = {
    "type": "record",
    "name": "Clock",
    "namespace": "com.example.interop",
    "doc": "A moment.",
    "fields": [
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When."}
    ],
}
AT_MILLIS = 1_704_153_600_000
"""2024-01-02T00:00:00Z in milliseconds."""


def test_a_timestamp_rule_sees_a_number_in_ours_and_a_timestamp_in_confluents_reader(
    registered: Registered,
) -> None:
    """Rules see logical types in different forms. Ours bind a timestamp-millis as its long on
    write and on read (Avro generic data, as Confluent's Java client reads records by default),
    so ``value > 0`` holds on both; confluent-kafka's serializer binds what the application
    passes (our ``to_dict`` form: the long) and holds too, but its deserializer binds fastavro's
    datetime, which CEL cannot compare with a number: the same record is refused on read."""
    from devicecontracts.datacontracts import Rule
    from devicecontracts.datacontracts._eval import condition_failure
    from devicecontracts.schema import parse_schema

    rule = Rule(
        name="clock_after_epoch",
        kind="CONDITION",
        mode="WRITEREAD",
        type="CEL_FIELD",
        expr="name == 'at' ; value > 0",
    )
    registered.registry.register(
        "interop.clock-value", CLOCK, rule_set={"domainRules": [rule.to_registry()]}
    )
    dlq = DeadLetterProducer()
    record = {"at": AT_MILLIS}

    value = their_serializer(registered.client, dlq, models=False)(record, context("interop.clock"))
    with pytest.raises(SerializationError) as refused:
        their_deserializer(registered.client, None, dlq)(value, context("interop.clock"))

    assert condition_failure(rule, parse_schema(CLOCK).root, record) is None
    assert "no matching overload" in str(refused.value.__cause__)
    assert "TimestampType" in str(refused.value.__cause__)
    assert dlq.sent == []


# -- heartbeat: a deliberate major break bridged by JSONata migrations -------------------------


@dataclass(frozen=True)
class Majors:
    """Heartbeat's versions across its major break: v2, the last of major 1, and v3, the first
    of major 2 (``uptime_s`` in seconds became ``uptime_ms`` in milliseconds), which carries the
    UPGRADE and DOWNGRADE migrations; the subject's compatibility group property."""

    contract: Contract
    old: Version
    new: Version
    group: str

    @property
    def subject(self) -> str:
        return self.contract.subject

    @property
    def topic(self) -> str:
        return self.contract.topic or ""

    def pinned_to_major(self, major: int) -> dict[str, Any]:
        """Confluent's serde config for a client of one major: the latest version whose
        metadata gives that major under the subject's compatibility group."""
        return {"use.latest.version": False, "use.latest.with.metadata": {self.group: str(major)}}


@pytest.fixture(scope="module")
def heartbeat_majors(registered: Registered) -> Majors:
    contract = registered.contract("heartbeat")
    assert contract.data is not None and contract.data.compatibility_group
    by_major: dict[int | None, Version] = {}
    for v in versions()["heartbeat"]:
        by_major[contract.major(v.number)] = v  # the last version of each major
    return Majors(contract, by_major[1], by_major[2], contract.data.compatibility_group)


def heartbeat(version: Version, **uptime: int) -> Any:
    return version.model.from_avro_dict(
        {
            "header": header(),
            "state": "ONLINE",
            **uptime,
            "free_memory_bytes": 1_048_576,
            "rssi_dbm": -60,
        }
    )


UPTIME_S = 4242
"""An uptime both migrations carry exactly: 4242 s is 4242000 ms and back."""


def test_the_registry_holds_the_migrations_on_the_first_version_of_the_new_major(
    registered: Registered, heartbeat_majors: Majors
) -> None:
    """Confluent's client reads the new major's UPGRADE and DOWNGRADE JSONata rules, as the
    catalog declares them, on its first version, which is what its deserializer plans
    migrations from."""
    m = heartbeat_majors
    stored = registered.client.get_version(m.subject, m.new.number).schema.rule_set
    assert stored is not None
    theirs = rule_set_from_registry(stored.to_dict())
    assert theirs == m.contract.rule_set(m.new.number)
    assert sorted(r.mode for r in theirs.migration_rules) == ["DOWNGRADE", "UPGRADE"]


def test_the_registry_finds_the_latest_version_of_a_major(
    registered: Registered, heartbeat_majors: Majors
) -> None:
    """What confluent's ``use.latest.with.metadata`` asks (``GET /subjects/{s}/metadata``): the
    latest version whose metadata names the major. The versions released before the group was
    declared keep their metadata without the property, so none answers for major 1 (40403):
    a confluent producer of the old major pins its version by id instead (``use.schema.id``),
    and confluent's deserializer has no way to read as the old major."""
    m = heartbeat_majors
    found = registered.client.get_latest_with_metadata(m.subject, {m.group: "2"})
    assert found.version == m.new.number
    with pytest.raises(SchemaRegistryError) as missing:
        registered.client.get_latest_with_metadata(m.subject, {m.group: "1"})
    assert missing.value.error_code == 40403


def test_we_upgrade_what_confluent_writes_under_the_old_major(
    registered: Registered, heartbeat_majors: Majors
) -> None:
    """A producer of the old major (confluent's serializer on v2's id) writes the same bytes as
    ours; our deserializer on v3 upgrades them with v3's UPGRADE migration."""
    m = heartbeat_majors
    message = heartbeat(m.old, uptime_s=UPTIME_S)
    dlq = DeadLetterProducer()
    old_id = registered.schema_id(m.subject, m.old.number)
    theirs = their_serializer(
        registered.client, dlq, **{"use.latest.version": False, "use.schema.id": old_id}
    )

    value = theirs(message, context(m.topic))

    assert value == registered.our_serializer(m.old).encode(message)
    read = registered.our_deserializer(m.new.model).decode(value, topic=m.topic)
    assert read == heartbeat(m.new, uptime_ms=UPTIME_S * 1000)
    assert dlq.sent == []


def test_we_downgrade_what_confluent_writes_under_the_new_major(
    registered: Registered, heartbeat_majors: Majors
) -> None:
    """A producer pinned to major 2 (confluent's serializer on the latest version whose
    metadata says major 2: v3) writes the same bytes as ours; our deserializer on v2
    downgrades them with v3's DOWNGRADE migration, and on v3 reads them as written."""
    m = heartbeat_majors
    message = heartbeat(m.new, uptime_ms=UPTIME_S * 1000)
    dlq = DeadLetterProducer()
    theirs = their_serializer(registered.client, dlq, **m.pinned_to_major(2))

    value = theirs(message, context(m.topic))

    assert value == registered.our_serializer(m.new).encode(message)
    old = registered.our_deserializer(m.old.model).decode(value, topic=m.topic)
    assert old == heartbeat(m.old, uptime_s=UPTIME_S)
    assert registered.our_deserializer(m.new.model).decode(value, topic=m.topic) == message
    assert dlq.sent == []


JSONATA_INPUT = (
    "confluent-kafka migrates the record as fastavro reads it, logical types converted (the "
    "header's uuid a uuid.UUID, its timestamp-millis a datetime), and jsonata-python refuses "
    "input that is not JSON; ours migrates Avro generic data (a uuid its string, a "
    "timestamp-millis its long), as Confluent's Java client reads generic records by default"
)


def read_migrated(theirs: AvroDeserializer, value: bytes, topic: str) -> Any:
    """``theirs(value)``; the test xfails when confluent-kafka's JSONata migration refuses the
    logical-type values fastavro read (`JSONATA_INPUT`), and only then."""
    try:
        return theirs(value, context(topic))
    except SerializationError as exc:
        cause = exc.__cause__
        if isinstance(cause, ValueError) and "Only JSON types" in str(cause):
            pytest.xfail(f"{JSONATA_INPUT}: {cause}")
        raise


@pytest.mark.parametrize("pin", ["latest", "major 2"])
def test_confluent_upgrades_what_we_write_under_the_old_major(
    registered: Registered, heartbeat_majors: Majors, pin: str
) -> None:
    """Our v2 (major 1) bytes, read by confluent's deserializer on the latest version or pinned
    to major 2 (v3 either way), are upgraded by its JSONATA executor with v3's UPGRADE
    migration into the v3 message."""
    m = heartbeat_majors
    value = registered.our_serializer(m.old).encode(heartbeat(m.old, uptime_s=UPTIME_S))
    dlq = DeadLetterProducer()
    conf = m.pinned_to_major(2) if pin == "major 2" else {}
    theirs = their_deserializer(registered.client, m.new.model, dlq, **conf)

    read = read_migrated(theirs, value, m.topic)

    assert read == heartbeat(m.new, uptime_ms=UPTIME_S * 1000)
    assert dlq.sent == []

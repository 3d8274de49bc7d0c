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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

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
from ..support.models import MODELS_PACKAGE, Version, latest  # noqa: E402
from ..support.registry import client, run  # noqa: E402

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
    rules.register_executor(cel_field.CelFieldExecutor())
    rules.register_executor(jsonata_executor.JsonataExecutor())
    rules.register_action(DlqAction())
    return rules


def their_deserializer(
    registered: Registered, model: type[Any], dlq: DeadLetterProducer, **conf: Any
) -> AvroDeserializer:
    """Confluent's deserializer with its executors: the latest version (or ``conf``'s choice)
    as reader, its READ rules and migrations run, the record built by our ``from_dict`` hook."""
    return AvroDeserializer(
        registered.client,
        None,
        from_dict=from_dict(model),
        return_record_name=True,
        conf={**LATEST, **conf},
        rule_conf={"producer": dlq},
        rule_registry=their_rules(),
    )


def their_serializer(
    registered: Registered, dlq: DeadLetterProducer, **conf: Any
) -> AvroSerializer:
    """Confluent's serializer with its executors: the latest version (or ``conf``'s choice),
    never registering, its WRITE rules run on our ``to_dict`` form of the model."""
    return AvroSerializer(
        registered.client,
        None,
        to_dict=to_dict,
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
    theirs = their_deserializer(registered, version.model, dlq)
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
    theirs = their_deserializer(registered, version.model, dlq)
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
    theirs = their_serializer(registered, dlq)
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
    theirs = their_serializer(registered, dlq)
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

    read = their_deserializer(registered, version.model, dlq)(
        value, context(contract.topic, letter.headers())
    )

    assert read == message
    assert dlq.sent == []
    rule_headers = dict(letter.rule_headers())
    assert rule_headers["__rule.name"] == BATTERY_RULE.encode()
    assert rule_headers["__rule.mode"] == b"READ"
    assert rule_headers["__rule.subject"] == contract.subject.encode()
    assert rule_headers["__rule.topic"] == contract.topic.encode()

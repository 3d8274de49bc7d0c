"""Data-contract rules at run time, opt-in: the serializer enforces the WRITE rules of a model's
version, the deserializer the READ rules of the reader's, with Confluent's actions; off, nothing
changes."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts._runtime import rules as runtime_rules
from devicecontracts._runtime.plans import ReadPlan
from devicecontracts.datacontracts import Rule, RuleSet
from devicecontracts.dead_letters import RULE_HEADERS, DeadLetter, KafkaDeadLetters
from devicecontracts.errors import (
    DecodeError,
    EncodeError,
    RulesUnavailable,
    RuleViolationOnRead,
    RuleViolationOnWrite,
)
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer, Serializer

from ..support.models import VERSIONS, latest, writer_schemas
from .conftest import RUNTIME
from .test_dead_letters import FakeProducer

TELEMETRY = latest("telemetry")
MODEL = TELEMETRY.model
SUBJECT = "fleet.telemetry-value"
DLQ = "fleet.telemetry.dlq"
WHERE = {"topic": "fleet.telemetry", "partition": 4, "offset": 99}


def telemetry(battery_mv: int | None, device_id: str = "dev-1") -> Any:
    return MODEL.model_validate(
        {
            "header": {
                "device_id": device_id,
                "message_id": uuid.UUID(int=7),
                "sent_at": dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC),
                "firmware_version": "3.0.0",
                "sequence": 7,
            },
            "readings": [],
            "battery_mv": battery_mv,
        }
    )


def serializer(*, rules: bool | None = True) -> Serializer:
    return Serializer(ids={MODEL: TELEMETRY.schema_id}, rules=rules)


def deserializer(*, rules: bool | None = True) -> Deserializer[Any]:
    return Deserializer(MODEL, schemas=writer_schemas(), rules=rules)


def unchecked(battery_mv: int | None) -> bytes:
    """A value written without rules (old firmware, another producer)."""
    return serializer(rules=False).encode(telemetry(battery_mv))


@pytest.fixture
def rule_set(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace the telemetry version's rule set with the given rules (for this test only)."""

    def use(*rules: Rule, enable_at: str | None = None) -> None:
        text = json.dumps(RuleSet(domain_rules=rules, enable_at=enable_at).to_registry())
        module = __import__(MODEL.__module__, fromlist=["AVRO_RULE_SET"])
        monkeypatch.setattr(module, "AVRO_RULE_SET", text)
        monkeypatch.setattr(runtime_rules, "_contracts", {})

    return use


def battery(name: str = "battery", mode: str = "WRITEREAD", **extra: Any) -> Rule:
    """A CEL_FIELD range rule on battery_mv."""
    options: dict[str, Any] = {
        "kind": "CONDITION",
        "mode": mode,
        "type": "CEL_FIELD",
        "expr": "name == 'battery_mv' && value != null ; value >= 2500 && value <= 4500",
        **extra,
    }
    return Rule(name=name, **options)


# -- the bundled catalog's rule ---------------------------------------------------------------


def test_the_serializer_refuses_a_record_failing_a_write_rule() -> None:
    """battery_mv_in_range (WRITEREAD, DLQ) of telemetry v3: 2400 mV is refused on write with a
    RuleViolationOnWrite, an EncodeError naming the rule, the mode, the subject and version and
    the DLQ topic; the field's value is in ``reason`` only, not in the message."""
    with pytest.raises(RuleViolationOnWrite) as caught:
        serializer().encode(telemetry(2400))
    error = caught.value
    assert isinstance(error, EncodeError)
    assert (error.rule_name, error.rule_mode, error.subject) == (
        "battery_mv_in_range",
        "WRITE",
        SUBJECT,
    )
    assert error.location.version == TELEMETRY.number
    assert (error.action, error.dlq_topic) == ("DLQ", DLQ)
    assert error.reason == "Telemetry.battery_mv = 2400"
    assert "2400" not in str(error) and "Telemetry.battery_mv" in str(error)


def test_a_record_within_the_rules_encodes_to_the_same_bytes() -> None:
    """A record that holds every rule is encoded exactly as without rules (None passes: the
    rule's guard skips it)."""
    for value in (2500, 3700, 4500, None):
        assert serializer().encode(telemetry(value)) == unchecked(value)


def test_the_deserializer_refuses_a_record_failing_a_read_rule_located() -> None:
    """A value written without rules, 4600 mV, decodes with rules off and is a located
    RuleViolationOnRead (a DecodeError: a poison pill) with rules on."""
    value = unchecked(4600)
    assert deserializer(rules=False).decode(value, **WHERE).battery_mv == 4600
    with pytest.raises(RuleViolationOnRead) as caught:
        deserializer().decode(value, **WHERE)
    error = caught.value
    assert isinstance(error, DecodeError)
    assert (error.topic, error.partition, error.offset) == ("fleet.telemetry", 4, 99)
    assert error.schema_id == TELEMETRY.schema_id
    assert (error.rule_name, error.rule_mode, error.subject) == (
        "battery_mv_in_range",
        "READ",
        SUBJECT,
    )
    assert error.dlq_topic == DLQ


def test_read_rules_see_the_reader_version_of_an_older_record() -> None:
    """A telemetry v2 record with a bad battery_mv, read into v3, fails v3's READ rule; a good
    one decodes as without rules."""
    older = VERSIONS["telemetry"][1]
    write = Serializer(ids={older.model: older.schema_id}, rules=False).encode

    def v2(battery_mv: int) -> bytes:
        data = telemetry(battery_mv).to_avro_dict()
        del data["signal_dbm"]
        return write(older.model.from_avro_dict(data))

    assert deserializer().decode(v2(3000)) == deserializer(rules=False).decode(v2(3000))
    with pytest.raises(RuleViolationOnRead, match="battery_mv_in_range"):
        deserializer().decode(v2(10))


# -- actions, modes, disabled rules -------------------------------------------------------------


def test_action_none_ignores_a_failure(rule_set: Any) -> None:
    rule_set(battery(on_failure="NONE"))
    assert serializer().encode(telemetry(1)) == unchecked(1)
    assert deserializer().decode(unchecked(1)).battery_mv == 1


def test_the_default_action_is_error_without_a_dead_letter_topic(rule_set: Any) -> None:
    rule_set(battery())
    with pytest.raises(RuleViolationOnWrite) as caught:
        serializer().encode(telemetry(1))
    assert (caught.value.action, caught.value.dlq_topic) == ("ERROR", None)
    with pytest.raises(RuleViolationOnRead) as read:
        deserializer().decode(unchecked(1))
    assert (read.value.action, read.value.dlq_topic) == ("ERROR", None)


def test_two_actions_split_between_write_and_read(rule_set: Any) -> None:
    """A WRITEREAD rule's ``NONE,DLQ``: NONE on write, DLQ on read."""
    rule_set(battery(on_failure="NONE,DLQ", params={"dlq.topic": "bad.batteries"}))
    value = serializer().encode(telemetry(1))
    with pytest.raises(RuleViolationOnRead) as caught:
        deserializer().decode(value)
    assert (caught.value.action, caught.value.dlq_topic) == ("DLQ", "bad.batteries")


def test_disabled_rules_and_rules_enabled_elsewhere_are_skipped(rule_set: Any) -> None:
    rule_set(battery(disabled=True))
    assert serializer().encode(telemetry(1)) == unchecked(1)
    rule_set(battery(), enable_at="SERVER")
    assert serializer().encode(telemetry(1)) == unchecked(1)
    assert deserializer().decode(unchecked(1)).battery_mv == 1


def test_write_rules_run_on_write_only_and_read_rules_on_read_only(rule_set: Any) -> None:
    rule_set(battery("w", mode="WRITE"))
    assert deserializer().decode(unchecked(1)).battery_mv == 1
    with pytest.raises(RuleViolationOnWrite, match="'w'"):
        serializer().encode(telemetry(1))
    rule_set(battery("r", mode="READ"))
    assert serializer().encode(telemetry(1)) == unchecked(1)
    with pytest.raises(RuleViolationOnRead, match="'r'"):
        deserializer().decode(unchecked(1))


def test_read_rules_run_in_reverse_order(rule_set: Any) -> None:
    """As Confluent runs them: of two failing READ rules, the last declared fails first; on
    write, the first."""
    rule_set(battery("first"), battery("second"))
    with pytest.raises(RuleViolationOnRead, match="'second'"):
        deserializer().decode(unchecked(1))
    with pytest.raises(RuleViolationOnWrite, match="'first'"):
        serializer().encode(telemetry(1))


def test_a_cel_rule_on_the_whole_message(rule_set: Any) -> None:
    """A CEL rule binds the record as ``message``; timestamps are their milliseconds and uuids
    their text, as Avro generic data holds them."""
    sent = int(dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC).timestamp() * 1000)
    rule_set(
        Rule(
            name="sent_and_id",
            kind="CONDITION",
            mode="WRITE",
            type="CEL",
            expr=f"message.header.sent_at == {sent} && message.header.message_id == "
            f"'{uuid.UUID(int=7)}'",
        ),
        Rule(
            name="device",
            kind="CONDITION",
            mode="WRITE",
            type="CEL",
            expr="message.header.device_id.startsWith('dev-')",
        ),
    )
    assert serializer().encode(telemetry(1)) == unchecked(1)
    with pytest.raises(RuleViolationOnWrite, match=r"'device'.*the condition is false"):
        serializer().encode(telemetry(1, device_id="pump-9"))


def test_an_expression_that_cannot_be_evaluated_fails_the_rule(rule_set: Any) -> None:
    rule_set(
        Rule(name="broken", kind="CONDITION", mode="WRITE", type="CEL", expr="message.nope > 1")
    )
    with pytest.raises(RuleViolationOnWrite, match="'broken'"):
        serializer().encode(telemetry(1))


# -- switching rules on and off ---------------------------------------------------------------


def test_off_by_default_and_the_plain_path_is_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without rules= and without DEVICECONTRACTS_RULES, rules are off: encode is the class's
    method (no wrapper) and every read plan is a plain ReadPlan."""
    monkeypatch.delenv("DEVICECONTRACTS_RULES", raising=False)
    plain = serializer(rules=None)
    assert plain.rules is False and "encode" not in vars(plain)
    assert plain.encode(telemetry(1)) == unchecked(1)
    reader = deserializer(rules=None)
    assert reader.decode(unchecked(1)).battery_mv == 1
    assert all(type(plan) is ReadPlan for plan in reader._plans.values())


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_the_environment_turns_rules_on(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DEVICECONTRACTS_RULES", value)
    assert serializer(rules=None).rules and deserializer(rules=None).rules
    with pytest.raises(RuleViolationOnWrite):
        serializer(rules=None).encode(telemetry(1))
    assert serializer(rules=False).encode(telemetry(1)) == unchecked(1)  # rules= wins


@pytest.mark.parametrize("value", ["0", "false", "off", ""])
def test_the_environment_leaves_rules_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DEVICECONTRACTS_RULES", value)
    assert not serializer(rules=None).rules and not deserializer(rules=None).rules


def test_a_value_that_is_not_a_yes_or_a_no_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVICECONTRACTS_RULES", "maybe")
    with pytest.raises(RulesUnavailable, match="DEVICECONTRACTS_RULES='maybe' is not understood"):
        serializer(rules=None)
    with pytest.raises(RulesUnavailable):
        deserializer(rules=None)


def test_rules_on_without_the_extra_fail_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """With cel-python missing, building a serde with rules on raises RulesUnavailable naming
    the extra; off, it builds and works."""
    found = runtime_rules.importlib.util.find_spec
    monkeypatch.setattr(
        runtime_rules.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "celpy" else found(name, *a),
    )
    with pytest.raises(RulesUnavailable, match=r"cel-python is not installed.*\[rules\]"):
        serializer()
    with pytest.raises(RulesUnavailable, match="cel-python"):
        deserializer()
    assert deserializer(rules=False).decode(unchecked(1)).battery_mv == 1


def test_a_rule_this_runtime_cannot_run_fails_at_construction(rule_set: Any) -> None:
    rule_set(battery(kind="TRANSFORM"))
    with pytest.raises(
        RulesUnavailable, match=r"'battery' of fleet\.telemetry-value v3 is a TRANSFORM"
    ):
        deserializer()
    rule_set(Rule(name="enc", kind="CONDITION", mode="READ", type="ENCRYPT"))
    with pytest.raises(RulesUnavailable, match="is of type ENCRYPT"):
        deserializer()


# -- dead letters -----------------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
        self.letters.extend(letters)
        return []


def event(*values: bytes) -> dict[str, Any]:
    return {
        "eventSource": "aws:kafka",
        "records": {
            "fleet.telemetry-4": [
                {
                    "topic": "fleet.telemetry",
                    "partition": 4,
                    "offset": offset,
                    "timestamp": 1714564800000,
                    "timestampType": "CREATE_TIME",
                    "key": base64.b64encode(b"dev-1").decode(),
                    "value": base64.b64encode(value).decode(),
                    "headers": [{"origin": [111, 107]}],
                }
                for offset, value in enumerate(values)
            ]
        },
    }


def test_a_violating_record_in_a_lambda_event_is_dead_lettered_with_rule_headers() -> None:
    """Through decode_kafka_event with rules on: the good record is a message, the 4600 mV one
    a dead letter carrying the contract headers and Confluent's __rule.* headers, bound for the
    rule's dlq.topic; nothing is reported for retry."""
    sink = Sink()
    batch = decode_kafka_event(event(unchecked(3000), unchecked(4600)), deserializer(), sink)
    assert [m.value.battery_mv for m in batch.messages] == [3000]
    assert batch.response() == {"batchItemFailures": []}
    (letter,) = sink.letters
    assert letter.dlq_topic == DLQ
    headers = dict(letter.headers())
    assert headers["origin"] == b"ok"
    assert headers["devicecontracts.error.class"] == b"RuleViolationOnRead"
    assert headers["devicecontracts.subject"] == SUBJECT.encode()
    assert headers["devicecontracts.source.offset"] == b"1"
    assert headers["__rule.name"] == b"battery_mv_in_range"
    assert headers["__rule.mode"] == b"READ"
    assert headers["__rule.subject"] == SUBJECT.encode()
    assert headers["__rule.topic"] == b"fleet.telemetry"
    assert b"Telemetry.battery_mv" in headers["__rule.exception"]
    assert b"4600" not in headers["__rule.exception"]
    assert [name for name, _ in letter.rule_headers()] == list(RULE_HEADERS)


def test_the_kafka_sink_sends_a_dlq_letter_to_the_rules_topic(rule_set: Any) -> None:
    """KafkaDeadLetters produces a DLQ-action letter to the rule's dlq.topic and an
    ERROR-action one to its own topic, both with the rule headers."""
    producer = FakeProducer()
    sink = KafkaDeadLetters("own.dlq", producer=producer)
    decode_kafka_event(event(unchecked(4600)), deserializer(), sink)
    rule_set(battery())  # ERROR
    decode_kafka_event(event(unchecked(4600)), deserializer(), sink)
    assert [p["topic"] for p in producer.produced] == [DLQ, "own.dlq"]
    for produced in producer.produced:
        names = [name for name, _ in produced["headers"]]
        assert set(RULE_HEADERS) <= set(names)


def test_other_dead_letters_carry_no_rule_headers() -> None:
    sink = Sink()
    decode_kafka_event(event(b"\x00garbage"), deserializer(), sink)
    (letter,) = sink.letters
    assert letter.rule_headers() == [] and letter.dlq_topic is None


# -- hostile bytes ----------------------------------------------------------------------------


@settings(RUNTIME, deadline=dt.timedelta(seconds=10), max_examples=40)
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=40).map(lambda extra: unchecked(1)[5:] + extra),
        st.integers(0, 200).map(lambda cut: unchecked(1)[5 : 5 + cut]),
    )
)
def test_hostile_bytes_with_rules_on_raise_only_decode_errors(body: bytes) -> None:
    """Random, extended or cut bodies under telemetry v3's id, read with rules on, give a model
    or a DecodeError, never anything else, in bounded time."""
    reader = deserializer()
    value = b"\x00" + TELEMETRY.schema_id.to_bytes(4, "big") + body
    try:
        reader.decode(value, **WHERE)
    except DecodeError as exc:
        assert exc.offset == 99


def test_the_serde_reads_off_values_as_the_rules_module_does() -> None:
    """The serde decides "off" without importing the rules machinery; its values are the same."""
    from devicecontracts import serde

    assert serde._RULES_OFF == runtime_rules._OFF
    assert serde.RULES_VARIABLE == runtime_rules.RULES_VARIABLE


def test_a_rule_that_does_not_parse_fails_at_construction(rule_set: Any) -> None:
    """Misconfiguration fails when the serde is built, not record by record."""
    rule_set(Rule(name="typo", kind="CONDITION", mode="READ", type="CEL", expr="message.a >"))
    with pytest.raises(
        RulesUnavailable, match=r"'typo' of fleet\.telemetry-value v3 is not valid CEL"
    ):
        deserializer()

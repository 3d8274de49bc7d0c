"""Migration across majors at run time: with rules on, a record written under another major is
read with its writer's schema, migrated by the JSONata rules of the versions between (UPGRADE in
order, DOWNGRADE in reverse, as Confluent's deserializer does) and read into the reader's model.

The catalog is the bundled one with a heartbeat v3 that renames ``uptime_s`` (seconds) to
``uptime_ms`` (milliseconds) under a new major (``tests/support/majors.py``)."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import importlib
import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts._runtime import rules as runtime_rules
from devicecontracts._runtime.rules import MigratingPlan
from devicecontracts.datacontracts import Rule, RuleSet
from devicecontracts.dead_letters import DeadLetter
from devicecontracts.errors import (
    DecodeError,
    MigrationError,
    RuleViolationOnRead,
    SchemaMismatch,
)
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer, Serializer, WriterSchemas

from ..support import majors
from .conftest import RUNTIME

WHERE = {"topic": "fleet.heartbeats", "partition": 0, "offset": 12}


@pytest.fixture(scope="module")
def heartbeats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Any]]:
    """Heartbeat v1, v2 and v3 models of the generated package with the major break."""
    with majors.majors_models(tmp_path_factory.mktemp("majors")) as models:
        yield models


def header() -> dict[str, Any]:
    return {
        "device_id": "dev-1",
        "message_id": uuid.UUID(int=3),
        "sent_at": dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC),
        "firmware_version": "1.0.0",
        "sequence": 3,
    }


@functools.cache
def heartbeat_v1_body() -> bytes:
    """A bundled heartbeat v1's Avro body."""
    from ..support.models import VERSIONS

    v1 = VERSIONS["heartbeat"][0].model
    return bytes(
        v1.model_validate({"header": header(), "state": "ONLINE", "uptime_s": 5}).to_avro_bytes()
    )


def write(model: Any, **fields: Any) -> bytes:
    """A heartbeat of ``model``'s version, framed with its id (no rules on the producer)."""
    message = model.model_validate({"header": header(), "state": "ONLINE", **fields})
    version = importlib.import_module(model.__module__).AVRO_VERSION
    return Serializer(ids={model: majors.IDS[version]}, rules=False).encode(message)


def reader(model: Any, schemas: WriterSchemas | None = None, **options: Any) -> Any:
    return Deserializer(model, schemas=schemas or majors.schemas([]), rules=True, **options)


@pytest.fixture
def schemas(heartbeats: list[Any]) -> WriterSchemas:
    return majors.schemas(heartbeats)


def test_the_generated_models_carry_majors_and_migrations(heartbeats: list[Any]) -> None:
    """Codegen 1.2: each version module records its subject, version, major and rule set; the
    manifest lists each version's major."""
    modules = [importlib.import_module(m.__module__) for m in heartbeats]
    assert [m.AVRO_MAJOR for m in modules] == [1, 1, 2]
    assert [m.AVRO_VERSION for m in modules] == [1, 2, 3]
    assert {m.AVRO_SUBJECT for m in modules} == {majors.SUBJECT}
    assert modules[0].AVRO_RULE_SET == ""
    rule_set = json.loads(modules[2].AVRO_RULE_SET)
    assert [r["name"] for r in rule_set["migrationRules"]] == ["uptime_s_to_ms", "uptime_ms_to_s"]
    manifest = importlib.import_module(f"{majors.PACKAGE}._manifest").MODULES
    assert [manifest[f"heartbeat/v{n}.py"]["major"] for n in (1, 2, 3)] == [1, 1, 2]


@pytest.mark.parametrize("old", [0, 1], ids=["v1", "v2"])
def test_records_of_the_old_major_upgrade_into_the_new_model(
    heartbeats: list[Any], schemas: WriterSchemas, old: int
) -> None:
    """v1 and v2 heartbeats (major 1) read into v3 (major 2) with rules on: uptime_s 42 becomes
    uptime_ms 42000, everything else as written (v2's rssi_dbm, v1's defaults)."""
    extra = {"rssi_dbm": -70} if old else {}
    value = write(heartbeats[old], uptime_s=42, **extra)
    message = reader(heartbeats[2], schemas).decode(value, **WHERE)
    assert type(message) is heartbeats[2]
    assert message.uptime_ms == 42000
    assert message.state == "ONLINE"
    assert message.header.sequence == 3
    assert message.header.sent_at == header()["sent_at"]
    assert message.rssi_dbm == (-70 if old else None)


def test_a_record_of_the_new_major_downgrades_into_an_old_model(
    heartbeats: list[Any], schemas: WriterSchemas
) -> None:
    """A v3 heartbeat read by a consumer still on v2 (or v1): the DOWNGRADE rule turns
    uptime_ms 42999 back into uptime_s 42."""
    value = write(heartbeats[2], uptime_ms=42999, rssi_dbm=-60)
    for old in heartbeats[:2]:
        message = reader(old, schemas).decode(value)
        assert type(message) is old
        assert message.uptime_s == 42


def test_the_same_major_is_read_by_avro_resolution_as_without_rules(
    heartbeats: list[Any], schemas: WriterSchemas
) -> None:
    """v1 into v2 (both major 1): no migration runs, the plan is the plain one."""
    value = write(heartbeats[0], uptime_s=5)
    checked = reader(heartbeats[1], schemas)
    assert checked.decode(value).uptime_s == 5
    assert not any(isinstance(p, MigratingPlan) for p in checked._plans.values())


def test_without_rules_a_record_of_another_major_is_an_error_as_before(
    heartbeats: list[Any], schemas: WriterSchemas
) -> None:
    value = write(heartbeats[0], uptime_s=5)
    with pytest.raises(SchemaMismatch, match="uptime_ms"):
        Deserializer(heartbeats[2], schemas=schemas, rules=False).decode(value)


def test_read_rules_of_the_reader_run_on_the_migrated_record(
    heartbeats: list[Any], schemas: WriterSchemas
) -> None:
    """v3's READ rule (uptime_ms >= 0) fails for a v1 record whose uptime_s was negative."""
    value = write(heartbeats[0], uptime_s=-1)
    with pytest.raises(RuleViolationOnRead) as caught:
        reader(heartbeats[2], schemas).decode(value, **WHERE)
    assert (caught.value.rule_name, caught.value.rule_mode) == ("uptime_not_negative", "READ")
    assert caught.value.subject == majors.SUBJECT
    assert caught.value.offset == 12


@pytest.fixture
def v3_rules(heartbeats: list[Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace v3's migration rules (for this test only)."""

    def use(*rules: Rule) -> None:
        module = importlib.import_module(heartbeats[2].__module__)
        text = json.dumps(RuleSet(migration_rules=rules).to_registry())
        monkeypatch.setattr(module, "AVRO_RULE_SET", text)
        monkeypatch.setattr(runtime_rules, "_contracts", {})

    return use


def jsonata(name: str, mode: str, expr: str, **extra: Any) -> Rule:
    return Rule(name=name, kind="TRANSFORM", mode=mode, type="JSONATA", expr=expr, **extra)


def test_a_failing_migration_is_a_migration_error_naming_the_rule(
    heartbeats: list[Any], schemas: WriterSchemas, v3_rules: Any
) -> None:
    v3_rules(
        jsonata(
            "broken",
            "UPGRADE",
            "$number('x') + uptime_s",
            on_failure="DLQ",
            params={"dlq.topic": "fleet.heartbeats.dlq"},
        )
    )
    with pytest.raises(MigrationError) as caught:
        reader(heartbeats[2], schemas).decode(write(heartbeats[0], uptime_s=1), **WHERE)
    error = caught.value
    assert isinstance(error, DecodeError)
    assert (error.rule_name, error.rule_mode, error.subject) == (
        "broken",
        "UPGRADE",
        majors.SUBJECT,
    )
    assert (error.action, error.dlq_topic) == ("DLQ", "fleet.heartbeats.dlq")
    assert (error.topic, error.offset) == ("fleet.heartbeats", 12)


def test_a_migrated_record_that_does_not_fit_the_reader_is_a_migration_error(
    heartbeats: list[Any], schemas: WriterSchemas, v3_rules: Any
) -> None:
    """An UPGRADE rule that forgets to add uptime_ms: the result is not a v3 record."""
    v3_rules(jsonata("forgetful", "UPGRADE", '$sift($, function($v, $k) {$k != "uptime_s"})'))
    with pytest.raises(MigrationError, match="does not fit Heartbeat") as caught:
        reader(heartbeats[2], schemas).decode(write(heartbeats[0], uptime_s=1))
    assert caught.value.rule_name == "forgetful"


def test_updown_and_ordered_rules(
    heartbeats: list[Any], schemas: WriterSchemas, v3_rules: Any
) -> None:
    """Two UPGRADE rules run in order; an UPDOWN rule runs both ways; DOWNGRADE rules run in
    reverse order; a disabled rule is skipped."""
    v3_rules(
        jsonata("double", "UPGRADE", '$merge([$, {"uptime_s": uptime_s * 2}])'),
        jsonata(
            "rename",
            "UPDOWN",
            '$exists(uptime_s) ? $merge([$sift($, function($v, $k) {$k != "uptime_s"}),'
            ' {"uptime_ms": uptime_s * 1000}]) : $merge([$sift($, function($v, $k)'
            ' {$k != "uptime_ms"}), {"uptime_s": $floor(uptime_ms / 1000)}])',
        ),
        jsonata("plus_one", "DOWNGRADE", '$merge([$, {"uptime_ms": uptime_ms + 1000}])'),
        jsonata("off", "UPGRADE", '$merge([$, {"uptime_ms": 0}])', disabled=True),
    )
    assert reader(heartbeats[2], schemas).decode(write(heartbeats[0], uptime_s=3)).uptime_ms == 6000
    # DOWNGRADE: plus_one first (reverse order), then rename back: (5000 + 1000) / 1000
    assert reader(heartbeats[1], schemas).decode(write(heartbeats[2], uptime_ms=5000)).uptime_s == 6


def test_a_version_between_without_a_model_is_a_migration_error(
    heartbeats: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest lacks v2: migrating v1 to v3 cannot know v2's rules, so it refuses."""
    manifest = importlib.import_module(f"{majors.PACKAGE}._manifest")
    modules = {k: v for k, v in manifest.MODULES.items() if k != "heartbeat/v2.py"}
    monkeypatch.setattr(manifest, "MODULES", modules)
    schemas = majors.schemas(heartbeats)
    with pytest.raises(MigrationError, match="v2, between the writer and the reader"):
        reader(heartbeats[2], schemas).decode(write(heartbeats[0], uptime_s=1))


class Sink:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def deliver(self, letters: Sequence[DeadLetter]) -> Sequence[DeadLetter]:
        self.letters.extend(letters)
        return []


def test_a_lambda_batch_mixing_majors(heartbeats: list[Any], schemas: WriterSchemas) -> None:
    """Through decode_kafka_event: v1, v2 and v3 records all become v3 models; a v1 record whose
    migrated value breaks v3's READ rule is dead-lettered with the rule headers."""
    values = [
        write(heartbeats[0], uptime_s=1),
        write(heartbeats[1], uptime_s=2),
        write(heartbeats[2], uptime_ms=3000),
        write(heartbeats[0], uptime_s=-4),
    ]
    event = {
        "eventSource": "aws:kafka",
        "records": {
            "fleet.heartbeats-0": [
                {
                    "topic": "fleet.heartbeats",
                    "partition": 0,
                    "offset": offset,
                    "value": base64.b64encode(value).decode(),
                }
                for offset, value in enumerate(values)
            ]
        },
    }
    sink = Sink()
    batch = decode_kafka_event(event, reader(heartbeats[2], schemas), sink)
    assert [m.value.uptime_ms for m in batch.messages] == [1000, 2000, 3000]
    (letter,) = sink.letters
    headers = dict(letter.headers())
    assert headers["__rule.name"] == b"uptime_not_negative"
    assert headers["__rule.mode"] == b"READ"
    assert headers["devicecontracts.subject"] == majors.SUBJECT.encode()


# -- the bundled catalog's heartbeat v3 ---------------------------------------------------------


def test_the_bundled_heartbeat_break_migrates_both_ways() -> None:
    """The bundled catalog's own break: heartbeat v1 and v2 (major 1) read into the packaged v3
    model (major 2) with rules on, and v3 read by a v2 consumer, through the lock's ids and
    the packaged manifest."""
    from ..support.models import VERSIONS, writer_schemas

    v1, v2, v3 = VERSIONS["heartbeat"]
    assert [importlib.import_module(v.model.__module__).AVRO_MAJOR for v in (v1, v2, v3)] == [
        1,
        1,
        2,
    ]

    def framed(version: Any, **fields: Any) -> bytes:
        message = version.model.model_validate({"header": header(), "state": "ONLINE", **fields})
        return Serializer(ids={version.model: version.schema_id}, rules=False).encode(message)

    upgrade = Deserializer(v3.model, schemas=writer_schemas(), rules=True)
    assert upgrade.decode(framed(v1, uptime_s=12)).uptime_ms == 12000
    assert upgrade.decode(framed(v2, uptime_s=13, rssi_dbm=-80)).rssi_dbm == -80
    downgrade = Deserializer(v2.model, schemas=writer_schemas(), rules=True)
    assert downgrade.decode(framed(v3, uptime_ms=14999)).uptime_s == 14
    with pytest.raises(DecodeError):
        Deserializer(v3.model, schemas=writer_schemas(), rules=False).decode(framed(v1, uptime_s=1))


@settings(RUNTIME, deadline=dt.timedelta(seconds=10), max_examples=40)
@given(
    body=st.one_of(
        st.binary(max_size=120),
        st.tuples(st.integers(0, 80), st.binary(max_size=16)).map(
            lambda cut: heartbeat_v1_body()[: cut[0]] + cut[1]
        ),
    )
)
def test_hostile_bytes_on_the_migration_path_raise_only_decode_errors(body: bytes) -> None:
    """Random or damaged bodies under heartbeat v1's id, read into v3 with rules on (so through
    the migration), give a model or a DecodeError, in bounded time."""
    from ..support.models import VERSIONS, writer_schemas

    v1, _, v3 = VERSIONS["heartbeat"]
    reader = Deserializer(v3.model, schemas=writer_schemas(), rules=True)
    try:
        reader.decode(b"\x00" + v1.schema_id.to_bytes(4, "big") + body, **WHERE)
    except DecodeError as exc:
        assert exc.offset == 12

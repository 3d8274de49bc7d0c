"""Typed messages to Confluent's wire format and back, resolving the writer schema by its id.

A value on a Confluent topic is the magic byte 0, the writer schema's id in 4 big-endian bytes,
and the Avro body. Reading it with anything but the writer's schema gives wrong data or an
exception, whatever the registry's compatibility checks promised; so `Deserializer` looks the
id up (`WriterSchemas`) and lets Avro's resolution rules read the body into the model the
consumer chose, normally the latest: defaults for fields old firmware never wrote, enum
defaults for symbols the reader does not know, promotions.

Producing::

    schemas = WriterSchemas.from_environment()          # DEVICECONTRACTS_ENVIRONMENT + _LOCK
    serializer = Serializer(schemas)
    value = serializer.encode(telemetry)                 # bytes for Producer.produce(value=...)

Consuming::

    deserializer = Deserializer(Telemetry, schemas=schemas)
    telemetry = deserializer.decode(msg.value(), topic=msg.topic(), partition=msg.partition(),
                                    offset=msg.offset())

Data-contract rules are opt-in: ``rules=True`` (or ``DEVICECONTRACTS_RULES=1`` in the
environment, read when the serde is built) makes `Serializer` enforce the WRITE domain rules of
each model's version and `Deserializer` the READ rules of the reader model's version, and migrate
records written under another major into the reader's model (``devicecontracts._runtime.rules``;
the ``rules`` extra). Off, nothing about rules is imported and no message pays for them.

Writing a version the catalog deprecated (``[deprecated.versions.<n>]`` in its
``contract.toml``, recorded in the generated model as ``AVRO_DEPRECATED``) warns once per
subject and version per process: a `DeprecatedContractWarning` and a ``logging`` warning naming
the sunset and the reason (``devicecontracts._runtime.deprecation``). `Serializer`, `encode` and
`confluent_serializer` warn; reading never does, nor `AvroRecord.to_avro_bytes` (unframed Avro,
no subject: a building block, not a write to a topic).

Every schema is parsed once and every writer and reader pair planned once; a message costs one
fastavro call. Bad bytes raise a `DecodeError` subclass naming topic, partition and offset:
`BadMagicByte`, `TruncatedMessage`, `UnknownSchemaId`, `SchemaMismatch`, `CorruptPayload`.
Bytes left over after a complete record are an error (`CorruptPayload`), unlike Confluent's
deserializer, which ignores them: they almost always mean the header names the wrong schema.

The models also plug into confluent-kafka's own ``AvroSerializer`` and ``AvroDeserializer``
through `to_dict` and `from_dict`; bytes either side writes, the other reads.
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast

from fastavro import schemaless_writer

from devicecontracts._runtime.deprecation import deprecation_of, warn_deprecated
from devicecontracts._runtime.lookup import (
    DEFAULT_MODELS_PACKAGE,
    ENVIRONMENT_VARIABLE,
    LOCK_VARIABLE,
    SCHEMAS_KEPT,
    BoundedCache,
    Release,
    SchemaIds,
    WriterSchemas,
)
from devicecontracts._runtime.plans import AvroModel, ReadPlan, plan_for, plan_read, write_schema
from devicecontracts._runtime.wire import HEADER_SIZE, header, schema_id_of
from devicecontracts.errors import DecodeError

RULES_VARIABLE: Final = "DEVICECONTRACTS_RULES"
"""Turns data-contract rules on (``1``) for every serializer and deserializer built without an
explicit ``rules=`` (``devicecontracts._runtime.rules.RULES_VARIABLE``)."""
_RULES_OFF: Final = frozenset({"", "0", "false", "no", "off"})

__all__ = [
    "DEFAULT_MODELS_PACKAGE",
    "ENVIRONMENT_VARIABLE",
    "HEADER_SIZE",
    "LOCK_VARIABLE",
    "RULES_VARIABLE",
    "AvroModel",
    "Deserializer",
    "Release",
    "SchemaIds",
    "Serializer",
    "WriterSchemas",
    "confluent_deserializer",
    "confluent_serializer",
    "decode",
    "encode",
    "from_dict",
    "schema_id_of",
    "to_dict",
]

M = TypeVar("M", bound=AvroModel)

if TYPE_CHECKING:
    from devicecontracts._runtime.rules import CheckedPlan, MigratingPlan, ReaderRules

    _Plan = ReadPlan | CheckedPlan | MigratingPlan
else:
    _Plan = ReadPlan


def _rules_enabled(rules: bool | None) -> bool:
    """``rules``, or ``DEVICECONTRACTS_RULES`` when None: read without importing the rules
    machinery unless the variable turns them on (or is not understood)."""
    if rules is not None:
        return bool(rules)
    if os.environ.get(RULES_VARIABLE, "").strip().lower() in _RULES_OFF:
        return False
    from devicecontracts._runtime.rules import rules_enabled

    return rules_enabled(rules)


class Deserializer(Generic[M]):
    """Reads framed values into typed models.

    ``models`` is the reader model, or several when a topic carries several record types (the
    writer's record name, or an alias, picks the model). ``schemas`` finds writer schemas by id;
    by default `WriterSchemas.from_environment`. The reader models' own schemas are added to
    it, so values written with them decode without a registry once their ids are known.
    """

    def __init__(
        self,
        models: type[M] | Iterable[type[M]],
        *,
        schemas: WriterSchemas | None = None,
        rules: bool | None = None,
    ) -> None:
        """``rules`` turns data-contract rules on or off; None (the default) follows
        ``DEVICECONTRACTS_RULES``. On, the reader models' READ rules are prepared here:
        `RulesUnavailable` now, not per record, when they cannot run."""
        self.models: tuple[type[M], ...] = (models,) if isinstance(models, type) else tuple(models)
        if not self.models:
            raise ValueError("a Deserializer needs at least one model")
        self.schemas = WriterSchemas.from_environment() if schemas is None else schemas
        self.schemas.add(*self.models)
        # As many plans as the lookup keeps writer schemas; a plain dict read on every decode.
        self._plans: dict[int, _Plan | DecodeError] = BoundedCache(
            getattr(self.schemas, "max_schemas", SCHEMAS_KEPT)
        )
        self.rules = _rules_enabled(rules)
        """Whether data-contract rules are enforced (decided once, here)."""
        self._rules: ReaderRules | None = None
        if self.rules:
            from devicecontracts._runtime.rules import ReaderRules

            self._rules = ReaderRules(self.models, self.schemas)

    def decode(
        self,
        data: bytes,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> M:
        """The model from a framed value; a `DecodeError` locating the record when it is bad.

        Registry failures (`devicecontracts.errors.RegistryError`) are not decode errors: the
        record is fine, the registry is not, and the caller should retry rather than drop it.
        """
        schema_id = None
        try:
            # The header read in line where it is well formed (schema_id_of says why not).
            if len(data) >= HEADER_SIZE and not data[0]:
                schema_id = int.from_bytes(data[1:HEADER_SIZE], "big")
            else:
                schema_id = schema_id_of(data)
            plan = self._plans.get(schema_id)
            if plan is None:
                plan = self._plan(schema_id)
            if isinstance(plan, DecodeError):
                raise plan  # located below on a copy: the cached error never changes
            message: M = plan.decode(data)  # type: ignore[assignment]
            return message
        except DecodeError as exc:
            raise exc.at(
                topic=topic, partition=partition, offset=offset, schema_id=schema_id
            ) from None

    def _plan(self, schema_id: int) -> _Plan | DecodeError:
        writer = self.schemas.get(schema_id)  # UnknownSchemaId is not cached: ids can appear
        plan: _Plan | DecodeError
        try:
            plan = plan_read(writer, self.models)
            if self._rules is not None:
                plan = self._rules.plan(schema_id, plan)
        except DecodeError as exc:
            plan = exc.with_traceback(None)  # the pair never works: answer fast next time
        self._plans[schema_id] = plan
        return plan

    def __call__(self, data: bytes | None, ctx: Any = None) -> M | None:
        """Decode as confluent-kafka's deserializers do: ``None`` stays ``None``.

        So an instance can be a ``DeserializingConsumer``'s ``value.deserializer``; ``ctx`` (a
        ``SerializationContext``) supplies the topic for error messages.
        """
        if data is None:
            return None
        return self.decode(data, topic=getattr(ctx, "topic", None))


class Serializer:
    """Writes typed models as framed values, with the id of their schema in the environment.

    ``subject`` is only needed when the same schema was released under several subjects with
    different ids. ``ids`` pins ids by model class and wins over the environment's (tests,
    tools that register on the fly).
    """

    def __init__(
        self,
        schemas: WriterSchemas | None = None,
        *,
        subject: str | None = None,
        ids: Mapping[type[AvroModel], int] | None = None,
        rules: bool | None = None,
    ) -> None:
        """``rules`` turns data-contract rules on or off; None (the default) follows
        ``DEVICECONTRACTS_RULES``. On, `encode` refuses a message that fails a WRITE rule of its
        model's version (`RuleViolationOnWrite`); `RulesUnavailable` here when the ``rules``
        extra is missing."""
        if schemas is None:  # ids pinned in code need no lock and no registry
            schemas = WriterSchemas.from_environment(required=not ids)
        self.schemas = schemas
        self.subject = subject
        self._pinned = dict(ids or {})
        self._headers: dict[type[AvroModel], tuple[bytes, Any, dict[str, Any]]] = {}
        self.rules = _rules_enabled(rules)
        """Whether data-contract rules are enforced (decided once, here)."""
        if self.rules:
            from devicecontracts._runtime.rules import WriterRules

            self._write_rules = WriterRules()
            # The checked path replaces encode on this instance: without rules, encode is the
            # plain method and a message pays nothing for them.
            self.encode = self._encode_checked  # type: ignore[method-assign]

    def _encode_checked(self, message: AvroModel) -> bytes:
        """`encode`, then the WRITE rules of the model's version on what was written."""
        value = Serializer.encode(self, message)
        self._write_rules.check(type(message), value)
        return value

    def encode(self, message: AvroModel) -> bytes:
        """The framed value of ``message``: header, then ``fastavro.schemaless_writer``'s body."""
        prepared = self._headers.get(type(message))
        if prepared is None:
            prepared = self._prepare(type(message))
        prefix, schema, named = prepared
        if _write_data is not None:
            out = bytearray(prefix)
            _write_data(out, message.to_avro_dict(), schema, named, "", _WRITE_OPTIONS)
            return bytes(out)
        return _write(prefix, schema, message)  # pragma: no cover (another fastavro)

    def _prepare(self, model: type[AvroModel]) -> tuple[bytes, Any, dict[str, Any]]:
        schema_id = self._pinned.get(model)
        if schema_id is None:
            schema_id = self.schemas.id_for(model, self.subject)
        deprecated = deprecation_of(model)
        if deprecated is not None:  # once per (subject, version) per process
            warn_deprecated(deprecated, stacklevel=3)
        schema = write_schema(model)
        prepared = (header(schema_id), schema, dict(schema.get("__named_schemas", {})))
        self._headers[model] = prepared
        return prepared

    def __call__(self, message: AvroModel | None, ctx: Any = None) -> bytes | None:
        """Encode as confluent-kafka's serializers do: ``None`` (a tombstone) stays ``None``."""
        return None if message is None else self.encode(message)


# fastavro's compiled writer of one datum into a bytearray: what ``schemaless_writer`` calls
# after collecting the parsed schema's named types (a dict rebuilt on every call) and before
# copying the bytes into the stream. Called directly, with the named types collected once per
# model, it saves a tenth of a small message's write. It is internal to fastavro (1.13 has it;
# the tests compare the bytes with schemaless_writer's); a fastavro without it gets
# schemaless_writer.
_write_data: Callable[..., None] | None = getattr(
    importlib.import_module("fastavro._write"), "write_data", None
)
_WRITE_OPTIONS: Final = {
    "strict": False,
    "strict_allow_default": False,
    "disable_tuple_notation": False,
}


def _write(prefix: bytes, parsed: Any, message: AvroModel) -> bytes:
    out = io.BytesIO()
    out.write(prefix)
    schemaless_writer(out, parsed, message.to_avro_dict())
    return out.getvalue()


def encode(message: AvroModel, schema_id: int) -> bytes:
    """The framed value of ``message`` with an explicit schema id (its own schema writes it).
    Warns like `Serializer` when the model's version is deprecated."""
    deprecated = deprecation_of(type(message))
    if deprecated is not None:
        warn_deprecated(deprecated)
    return _write(header(schema_id), write_schema(type(message)), message)


def decode(
    data: bytes,
    model: type[M],
    *,
    writer: type[AvroModel] | Any = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> M:
    """Read one framed value into ``model`` without any lookup: for tests and tools.

    ``writer`` is the schema the value was written with: a model class, schema JSON text or a
    schema dict; by default the model's own. The header's id is checked for framing but not
    looked up. Use a `Deserializer` for anything that reads values of several writer ids: it
    looks each id up once.
    """
    schema_id = None
    try:
        schema_id = schema_id_of(data)
        return cast(M, plan_for(model, writer).decode(data))
    except DecodeError as exc:
        raise exc.at(topic=topic, partition=partition, offset=offset, schema_id=schema_id) from None


# ---------------------------------------------------------------------------------------------
# confluent-kafka interop


def to_dict(message: AvroModel, ctx: Any = None) -> dict[str, Any]:
    """``to_dict`` hook for confluent-kafka's ``AvroSerializer``: the model as fastavro writes
    it, union branches named so the serializer picks the right one."""
    return message.to_avro_dict()


def from_dict(model: type[M]) -> Callable[[Mapping[str, Any], Any], M]:
    """``from_dict`` hook for confluent-kafka's ``AvroDeserializer``, reading into ``model``.

    Use it with ``return_record_name=True`` so record branches of unions keep their names (see
    `confluent_deserializer`). Invalid values raise pydantic's ``ValidationError``.
    """

    def hook(data: Mapping[str, Any], ctx: Any = None) -> M:
        return model.from_avro_dict(data)

    hook.__name__ = f"from_dict_{model.__name__}"
    return hook


def confluent_serializer(client: Any, model: type[AvroModel], conf: Any = None) -> Any:
    """A confluent-kafka ``AvroSerializer`` for ``model``: its exact schema and `to_dict`.

    ``conf`` is the serializer's (``auto.register.schemas``, ``use.latest.version``, ...).
    Imports ``confluent_kafka.schema_registry`` (slow), so call it on the producer path only.
    """
    from confluent_kafka.schema_registry.avro import AvroSerializer

    deprecated = deprecation_of(model)
    if deprecated is not None:
        warn_deprecated(deprecated)
    return AvroSerializer(client, model.avro_schema_json, to_dict=to_dict, conf=conf)


def confluent_deserializer(client: Any, model: type[M], conf: Any = None) -> Any:
    """A confluent-kafka ``AvroDeserializer`` reading into ``model`` (its schema as reader)."""
    from confluent_kafka.schema_registry.avro import AvroDeserializer

    return AvroDeserializer(
        client,
        model.avro_schema_json,
        from_dict=from_dict(model),
        return_record_name=True,
        conf=conf,
    )

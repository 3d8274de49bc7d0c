"""Every error devicecontracts raises on purpose, in one tree.

```
DeviceContractsError
├── SchemaError                 an Avro schema cannot be used as given
│   ├── SchemaJSONError         the text is not JSON (carries line and column)
│   └── InvalidSchemaError      JSON, but not an Avro schema Confluent would accept (42201)
│       └── UnknownTypeError    a type name that is neither primitive, defined nor referenced
├── InvalidStrategyArgument     a testing strategy was built with bad arguments; defined in
│                               devicecontracts.testing, as it is a hypothesis InvalidArgument too
├── CatalogError                the catalog folder or its config is missing or malformed
├── LockError                   the lock file of released versions is unreadable
├── CodegenError                models cannot be generated: invalid catalog, unresolvable
│                               named types, a default Python cannot hold (python -m codegen)
├── DecodeError                 bytes that cannot become a typed message (names the topic,
│   │                           partition, offset and schema id when they are known)
│   ├── BadMagicByte            the first byte is not 0: not Confluent framing (JSON, raw Avro)
│   ├── TruncatedMessage        the bytes end inside the 5-byte header or inside the record
│   ├── UnknownSchemaId         no writer schema for the id: not cached, not among the released
│   │                           ids of the environment, not in the registry
│   ├── SchemaMismatch          the writer schema cannot be read as any reader model given
│   ├── CorruptPayload          not a record of its writer schema: garbage, trailing bytes,
│   │                           a value out of range (a timestamp past year 9999), too deep
│   ├── RuleViolationOnRead     with rules on: a READ domain rule of the reader's version
│   │                           failed (ERROR or DLQ action; rule name, mode, subject)
│   └── MigrationError          with rules on: a record of another major could not be
│                               migrated into the reader's model (rule name, mode, subject)
├── EncodeError                 a model cannot be framed: no schema id for it in the environment
│   └── RuleViolationOnWrite    with rules on: a WRITE domain rule of the model's version failed
├── RulesUnavailable            rules are enabled but cannot run: the rules extra is missing,
│                               DEVICECONTRACTS_RULES is not understood, or a rule is of a kind
│                               this runtime does not run (raised when the serde is built)
├── KafkaEventError             a Lambda event is not a Kafka event, or a record cannot be placed
├── DeadLetterError             dead letters are misconfigured or could not be delivered
├── PayloadValidationError      a device's JSON payload does not fit the model (every field)
├── RegistryConfigError         schema-registry settings are missing or contradictory (exit 2)
└── RegistryError               the schema registry was unreachable or refused us (exit 3)
    ├── RegistryUnreachableError    no answer: connection refused, DNS, TLS (after the retries)
    │   └── RegistryTimeoutError    no answer within the timeout (after the retries)
    ├── RegistryAuthError           401 or 403: credentials missing, wrong or not allowed
    ├── RegistryServerError         5xx, still failing after the retries
    ├── RegistryIncompatibleError   409 / 40901: the registry refused a schema as incompatible
    │                               (a finding, so the CLI exits 1, not 3)
    ├── RegistryRequestError        any other refusal: 40401, 40402, 40403, 42201, 42202, ...
    └── RegistryAPIError            the local test registry refused a request as Confluent would
                                    (devicecontracts.testing.registry; status and error code)

UserWarning
└── DeprecatedContractWarning   a serializer writes a version the catalog deprecated (once per
                                subject and version per process; names sunset and reason)
```

Every error carries a `Location` saying where the problem is (file, subject, version, schema
path, line and column for a schema; topic, partition, offset and schema id for a Kafka record;
whichever are known) and a message that says what to do; `DeviceContractsError.at` fills in
more of it, on a copy. The CLI turns
these into findings or exit code 2; it never shows a traceback for them.
"""

from __future__ import annotations

from typing import ClassVar, Final, Self

__all__ = [
    "BadMagicByte",
    "CatalogError",
    "CodegenError",
    "CorruptPayload",
    "DeadLetterError",
    "DecodeError",
    "DeprecatedContractWarning",
    "DeviceContractsError",
    "EncodeError",
    "IncompatibleModelsError",
    "KafkaEventError",
    "InvalidSchemaError",
    "Location",
    "LockError",
    "MigrationError",
    "PayloadValidationError",
    "RegistryAPIError",
    "RegistryAuthError",
    "RegistryConfigError",
    "RegistryError",
    "RegistryIncompatibleError",
    "RegistryRequestError",
    "RegistryServerError",
    "RegistryTimeoutError",
    "RegistryUnreachableError",
    "RuleFailure",
    "RuleViolationOnRead",
    "RuleViolationOnWrite",
    "RulesUnavailable",
    "SchemaError",
    "SchemaJSONError",
    "SchemaMismatch",
    "TruncatedMessage",
    "UnknownSchemaId",
    "UnknownTypeError",
]


_FIELDS: Final = (
    "file",
    "subject",
    "version",
    "path",
    "line",
    "column",
    "topic",
    "partition",
    "offset",
    "schema_id",
)


class Location:
    """Where something is: any of file, subject, version, JSON path in a schema, line, column,
    or the Kafka record: topic, partition, offset and the schema id its header names.

    Immutable, compared and hashed by its fields, like the frozen dataclass it replaces (a
    plain class with slots: every Lambda cold start imports this module, and creating a
    dataclass costs a millisecond of it); `replace` gives a copy with some fields changed.
    """

    __slots__ = _FIELDS

    file: str | None
    subject: str | None
    version: int | None
    path: str | None
    line: int | None
    column: int | None
    topic: str | None
    partition: int | None
    offset: int | None
    schema_id: int | None

    def __init__(  # noqa: PLR0917 - the dataclass's signature, kept
        self,
        file: str | None = None,
        subject: str | None = None,
        version: int | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        schema_id: int | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "file", file)
        setter(self, "subject", subject)
        setter(self, "version", version)
        setter(self, "path", path)
        setter(self, "line", line)
        setter(self, "column", column)
        setter(self, "topic", topic)
        setter(self, "partition", partition)
        setter(self, "offset", offset)
        setter(self, "schema_id", schema_id)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Location is immutable: use .replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Location is immutable")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Location:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"Location({fields})"

    def __reduce__(self) -> tuple[type[Location], tuple[object, ...]]:
        return Location, self._values()

    def known(self) -> dict[str, object]:
        """The fields that are set (not None), by name."""
        return {name: value for name in _FIELDS if (value := getattr(self, name)) is not None}

    def replace(self, **changes: object) -> Location:
        """A copy with ``changes`` applied (`TypeError` for a name that is not a field)."""
        unknown = set(changes).difference(_FIELDS)
        if unknown:
            raise TypeError(f"Location has no field {', '.join(sorted(unknown))}")
        values = {name: getattr(self, name) for name in _FIELDS}
        values.update(changes)
        return Location(**values)

    def describe(self) -> str:
        """A short human form, such as ``schemas/alarm/v2.avsc:14:5 (/fields/3/default)`` or
        ``topic fleet.alarms, partition 3, offset 1234, schema id 7``."""
        parts: list[str] = []
        for name in ("topic", "partition", "offset", "schema_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name.replace('_', ' ')} {value}")
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        elif self.line is not None:
            parts.append(f"line {self.line}" + (f" column {self.column}" if self.column else ""))
        if self.subject is not None:
            parts.append(f"subject {self.subject}" + (f" v{self.version}" if self.version else ""))
        if self.path:
            parts.append(f"at {self.path}")
        return ", ".join(parts)


class DeviceContractsError(Exception):
    """Base class of every error this package raises on purpose.

    Catch this to handle any user-caused problem; anything else escaping the package is a bug.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()

    def at(self, **where: object) -> Self:
        """Return the same error with more of its location filled in (keeps what is known)."""
        known = {k: v for k, v in where.items() if getattr(self.location, k) is None}
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        Exception.__init__(clone, self.message)
        clone.location = self.location.replace(**known)
        return clone

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{where}: {self.message}" if where else self.message


class SchemaError(DeviceContractsError):
    """An Avro schema cannot be used as it is written.

    Raised by parsing; the location names the JSON path of the offending part of the schema.
    """


class SchemaJSONError(SchemaError):
    """A schema file is not valid JSON; the location has the line and column of the problem."""


class InvalidSchemaError(SchemaError):
    """A schema is JSON but Confluent Schema Registry would reject it on register (42201).

    Invalid names, duplicate fields or symbols, unknown named types, defaults that do not match
    their type (a union's default must match its first branch, as in Avro 1.11) and enum
    defaults that are not symbols all end here.
    """


class UnknownTypeError(InvalidSchemaError):
    """A schema uses a type name that is not primitive, not defined before, nor referenced.

    ``name`` is the name as written; ``candidates`` the full names it was looked up as (the
    enclosing namespace first, then the null namespace), so a catalog can resolve it as a
    reference to a shared type.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        name: str = "",
        candidates: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, location)
        self.name = name
        self.candidates = candidates or (name,)


class CatalogError(DeviceContractsError):
    """The catalog cannot be loaded: missing folder, malformed config, or files it cannot place.

    The CLI reports these as a configuration problem (exit code 2).
    """


class LockError(DeviceContractsError):
    """The lock file of released versions cannot be read or written."""


class CodegenError(DeviceContractsError):
    """``contracts codegen`` cannot generate models from what it was given.

    The catalog is invalid, a named type is defined in no file of the folder, or a default
    cannot become a Python value (a timestamp outside the years 1 to 9999, a uuid default that
    is no UUID). The message names the file and what to fix; the generator exits with code 2.
    """


class IncompatibleModelsError(DeviceContractsError):
    """A generated models module comes from a generator whose major version this runtime does
    not read (its ``GENERATED_BY`` against `devicecontracts.record.CODEGEN_VERSION`); the message
    names the module and both versions. Regenerate the models with this package's
    ``contracts codegen``, or install the package version they were generated with.
    """


class DecodeError(DeviceContractsError):
    """Bytes that cannot become a typed message: the consumer's poison pill.

    Its `Location` says which Kafka record it was (``topic``, ``partition``, ``offset``) and
    which writer schema its header named (``schema_id``), each when known (None otherwise); the
    message starts with them. The serde fills them in with `DeviceContractsError.at`, on a copy.
    The bytes are never part of the message. A Lambda handler sends such a record to its
    dead-letter sink (or reports it) and carries on with the rest of the batch.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        schema_id: int | None = None,
    ) -> None:
        """``topic``, ``partition``, ``offset`` and ``schema_id`` are shorthand for `Location`
        fields (a given location keeps those it has)."""
        super().__init__(message, location)
        self.location = Location(
            topic=topic, partition=partition, offset=offset, schema_id=schema_id
        ).replace(**self.location.known())

    @property
    def topic(self) -> str | None:
        """The Kafka topic of the record, when known."""
        return self.location.topic

    @property
    def partition(self) -> int | None:
        """The partition of the record, when known."""
        return self.location.partition

    @property
    def offset(self) -> int | None:
        """The offset of the record, when known."""
        return self.location.offset

    @property
    def schema_id(self) -> int | None:
        """The writer schema id in the record's header, when it could be read."""
        return self.location.schema_id


class BadMagicByte(DecodeError):
    """The first byte is not 0, so the value is not in Confluent's wire format.

    Usually a producer that writes JSON or unframed Avro to the topic, or a value that was
    framed twice; the message shows the first byte.
    """


class TruncatedMessage(DecodeError):
    """The value ends inside the 5-byte header or before the record it starts is complete."""


class UnknownSchemaId(DecodeError):
    """No writer schema is known for the id in the header.

    It was not in the process cache, not among the ids released to the configured registry
    environment (the lock), and the registry (when one is configured) does not have it. The
    message says which environment and sources were tried.
    """


class SchemaMismatch(DecodeError):
    """The writer schema cannot be read as any of the reader models the consumer gave.

    Either no reader model has the writer's record name (or an alias of it), or Avro schema
    resolution fails for this pair: a reader field without a default the writer lacks, an enum
    symbol the reader neither knows nor has a default for, types that do not promote.
    """


class CorruptPayload(DecodeError):
    """The body is not a record of its writer schema, or its values do not fit the model.

    Garbage, bytes left over after a complete record (the id in the header is probably wrong),
    an index past the end of an enum or union, invalid UTF-8, a timestamp or date outside
    Python's range (years 1 to 9999), a value out of range for the model, or nesting too deep
    to read safely. The message names the field when it can be found.
    """


class EncodeError(DeviceContractsError):
    """A model cannot be written in Confluent's wire format.

    Usually no schema id is known for the model's schema in the configured registry
    environment: it was never released there (run ``contracts register``), or the lock the
    process reads is older than the release.
    """


class RuleFailure:
    """What a data-contract rule's failure carries, besides its message and location (the
    subject and version of the schema whose rule it is, and for a record its topic, partition
    and offset): mixed into `RuleViolationOnWrite`, `RuleViolationOnRead` and `MigrationError`.

    ``rule_name`` and ``rule_mode`` (WRITE, READ, UPGRADE or DOWNGRADE: the mode it ran in)
    name the rule; ``action`` is what its ``onFailure`` says (ERROR, DLQ or a custom action,
    taken as ERROR); ``dlq_topic`` is its ``dlq.topic`` when the action is DLQ (the
    dead-letter sink sends the record there); ``reason`` says what failed (for CEL_FIELD, the
    first field, as ``Record.field = value``). Payload values appear only in ``reason``.
    """

    rule_name: str
    rule_mode: str
    action: str
    dlq_topic: str | None
    reason: str

    default_mode: ClassVar[str]
    """The mode a failure of this kind ran in when none is given."""

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        *,
        rule_name: str = "",
        rule_mode: str | None = None,
        action: str = "ERROR",
        dlq_topic: str | None = None,
        reason: str = "",
    ) -> None:
        # Cooperative: the next class in the error's MRO is its EncodeError or DecodeError.
        super().__init__(message, location)  # type: ignore[call-arg]
        self.rule_name = rule_name
        self.rule_mode = rule_mode or self.default_mode
        self.action = action
        self.dlq_topic = dlq_topic
        self.reason = reason

    @property
    def subject(self) -> str | None:
        """The subject whose version carries the rule, when known."""
        location: Location = self.location  # type: ignore[attr-defined]
        return location.subject


class RuleViolationOnWrite(RuleFailure, EncodeError):
    """A WRITE (or WRITEREAD) domain rule of the model's version failed, so the serializer
    refused to encode it (rules on: ``Serializer(..., rules=True)`` or ``DEVICECONTRACTS_RULES``).

    A DLQ action's ``dlq_topic`` is set: the producer decides whether to send the record there.
    """

    default_mode: ClassVar[str] = "WRITE"


class RuleViolationOnRead(RuleFailure, DecodeError):
    """A READ (or WRITEREAD) domain rule of the reader model's version failed for a record that
    decoded (rules on). A poison pill like any `DecodeError`: the Lambda helpers send it to the
    dead-letter sink with ``__rule.*`` headers, to the rule's ``dlq.topic`` when its action is
    DLQ."""

    default_mode: ClassVar[str] = "READ"


class MigrationError(RuleFailure, DecodeError):
    """A record written under another major could not be migrated into the reader's model
    (rules on): a JSONata migration rule failed, or its result does not fit the reader's
    schema, or a version between the writer and the reader is unknown to this process."""

    default_mode: ClassVar[str] = "UPGRADE"


class RulesUnavailable(DeviceContractsError):
    """Rules are enabled but cannot run here: the ``rules`` extra (cel-python, jsonata-python)
    is not installed, ``DEVICECONTRACTS_RULES`` holds something other than a yes or a no, or a
    model's version carries a rule this runtime does not run (a TRANSFORM domain rule, a type
    other than CEL, CEL_FIELD and JSONATA, a CEL expression that does not parse). Raised when
    the serializer or deserializer is built (or first prepares a model), never per message."""


class KafkaEventError(DeviceContractsError):
    """A Lambda event is not a Kafka event (MSK or self-managed), or one of its records lacks
    the topic, partition or offset that would let the handler report it as a batch item failure.

    The whole invocation should fail (and be retried): no record of it can be reported alone.
    """


class DeadLetterError(DeviceContractsError):
    """Undecodable records could not go to the dead-letter sink: it is misconfigured (no topic,
    no sink for the ``dead-letter`` policy) or it did not confirm delivery in time.

    Records that could not be delivered are reported as batch item failures instead, so they
    are retried rather than lost; the message names the sink's target, never its credentials.
    """


class PayloadValidationError(DeviceContractsError):
    """A device's JSON payload does not fit the message model.

    ``problems`` holds one ``(field path, what is wrong)`` pair per problem, such as
    ``("header.sent_at", "Input should be a valid datetime")``; the message lists them all.
    Payload values are never repeated in the message, so it is safe to log.
    """

    def __init__(
        self,
        message: str,
        problems: tuple[tuple[str, str], ...] = (),
        location: Location | None = None,
    ) -> None:
        super().__init__(message, location)
        self.problems = problems


class RegistryConfigError(DeviceContractsError):
    """The schema-registry settings cannot be used: no URL, a malformed URL, credentials given
    twice or half (an API key without its secret), a missing certificate file. At a consumer's
    cold start (``WriterSchemas.from_environment``, hence ``Deserializer(Model)``), also: neither
    a lock with ids nor a registry is configured, or confluent-kafka is missing for the registry.

    Raised before any request is sent; the CLI reports it as bad configuration (exit 2). Its
    message never contains a secret.
    """


class RegistryError(DeviceContractsError):
    """The schema registry could not be reached or refused a request (the CLI exits 3).

    ``operation`` says what was being done (``registering fleet.alarms-value v3``);
    ``status`` is the HTTP status and ``error_code`` Confluent's error code (``40401``,
    ``42201``, ...) when the registry answered. Messages are built with every configured secret
    masked, so they are safe to print and log.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        *,
        operation: str = "",
        status: int | None = None,
        error_code: int | None = None,
    ) -> None:
        super().__init__(message, location)
        self.operation = operation
        self.status = status
        self.error_code = error_code

    def __str__(self) -> str:
        # The message names the operation, subject and version already; the location is for
        # programs.
        return self.message


class RegistryUnreachableError(RegistryError):
    """No answer at all: connection refused, unknown host, TLS failure, after the retries."""


class RegistryTimeoutError(RegistryUnreachableError):
    """The registry did not answer within the timeout, after the retries."""


class RegistryAuthError(RegistryError):
    """401 (the credentials are missing or wrong) or 403 (they may not do this)."""


class RegistryServerError(RegistryError):
    """The registry failed with a 5xx status and kept failing through the retries."""


class RegistryIncompatibleError(RegistryError):
    """The registry refused a schema as incompatible (HTTP 409, error code 409 or 40901).

    ``contracts register`` preflights every version, so this means the registry changed (or its
    level did) between the preflight and the registration. It is a finding: exit code 1.
    """


class RegistryRequestError(RegistryError):
    """Any other refusal: a subject, version or schema not found where it must exist (40401,
    40402, 40403), an invalid schema, version or level (42201, 42202, 42203), an operation not
    permitted (42205, a READONLY subject), or an answer that is not the registry's JSON.
    """


class RegistryAPIError(RegistryError):
    """A refusal of the local test registry (`devicecontracts.testing.registry.LocalRegistry`),
    as Confluent would answer it: HTTP ``status``, Confluent ``error_code`` and its ``message``.

    Raised in-process by the registry's arranging methods (``register`` of an incompatible
    schema: 409 or 40901) and turned into the ``{"error_code", "message"}`` body of an HTTP
    answer by its server. A client talking to it over HTTP sees the other `RegistryError` kinds
    instead, as it would with a real registry.
    """

    status: int
    error_code: int

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(message, status=status, error_code=error_code)

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status}, error code {self.error_code})"

    def body(self) -> dict[str, int | str]:
        """The JSON body Confluent answers with."""
        return {"error_code": self.error_code, "message": self.message}


class DeprecatedContractWarning(UserWarning):
    """A serializer writes a version its catalog deprecated (``[deprecated.versions.<n>]`` of
    the contract's ``contract.toml``): issued once per subject and version per process, naming
    the subject, the version, the sunset and the reason. A `UserWarning`, so Python shows it
    by default; ``warnings.filterwarnings("error", category=DeprecatedContractWarning)`` makes
    a test suite fail on it, ``"ignore"`` silences it. Never issued when reading."""

    def __init__(
        self, message: str, *, subject: str, version: int, sunset: str, reason: str
    ) -> None:
        super().__init__(message)
        self.subject = subject
        self.version = version
        self.sunset = sunset
        self.reason = reason

"""Generated messages of every version of a subject, and the Lambda Kafka events that carry them.

For consumer teams: property-test a handler against everything old firmware may still send,
framed with the schema ids the handler's deserializer resolves (`ContractIds`).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

from devicecontracts._runtime.lookup import (
    DEFAULT_MODELS_PACKAGE,
    ENVIRONMENT_VARIABLE,
    SchemaIds,
    WriterSchemas,
    packaged_catalog,
)
from devicecontracts.catalog import Catalog, Contract, SchemaVersion, load_catalog
from devicecontracts.catalog._model import display_path
from devicecontracts.errors import DeviceContractsError, LockError
from devicecontracts.schema import Schema
from devicecontracts.testing._arguments import check_option_names, compile_value
from devicecontracts.testing._errors import InvalidStrategyArgument
from devicecontracts.testing._repr import shown_as
from devicecontracts.testing._values import decode, encode

__all__ = [
    "ContractIds",
    "ContractMessages",
    "Message",
    "contract_messages",
    "default_catalog_folder",
    "kafka_event",
]

_MAGIC: Final = b"\x00"
_DEFAULT_TIMESTAMP_MS: Final = 1_700_000_000_000


@dataclass(frozen=True)
class Message:
    """One generated message: which subject and version wrote it, the value and its bytes.

    ``value`` is in the form fastavro's writer takes (union tags where a branch would be
    ambiguous); ``payload`` is its Avro binary encoding with the version's ``schema``, without
    framing. ``topic`` is the contract's topic when the catalog names one.
    """

    subject: str
    version: int
    schema: Schema = field(repr=False)
    value: Any = None
    payload: bytes = field(default=b"", repr=False)
    topic: str | None = None

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis (and IPython) pretty-print dataclasses field by field, schema included:
        # tens of kB. Print the dataclass repr, which leaves out the schema and the payload.
        printer.text(repr(self))

    def framed(self, schema_id: int) -> bytes:
        """Confluent's wire format: magic byte 0, the 4-byte big-endian schema id, the body."""
        if not 0 <= schema_id < 2**32:
            raise ValueError(f"a schema id is an unsigned 32-bit integer, not {schema_id}")
        return _MAGIC + schema_id.to_bytes(4, "big") + self.payload

    def decoded(self, reader: Schema | None = None, *, return_named_type: bool = False) -> Any:
        """The payload as fastavro reads it, resolved into ``reader`` (e.g. a newer version)."""
        return decode(self.payload, self.schema, reader, return_named_type=return_named_type)


def contract_messages(
    subject: str,
    *,
    catalog: Catalog | str | os.PathLike[str] | None = None,
    versions: Iterable[int] | None = None,
    **options: Any,
) -> SearchStrategy[Message]:
    """A strategy of `Message` drawn from every version of ``subject`` (or those in ``versions``).

    ``subject`` is a Schema Registry subject or a contract name of the catalog. ``catalog`` is
    a loaded `Catalog` or its folder (loaded once per process); by default
    `default_catalog_folder` (``$CONTRACTS_CATALOG``, the packaged catalog, ``schemas``).
    ``options`` go to `from_avro_schema` for every version. Shrinking goes towards the oldest
    version. Raises `InvalidStrategyArgument` for an unknown
    subject or version, or a version whose schema does not parse.
    """
    check_option_names(options, "contract_messages")
    loaded = _catalog(catalog)
    try:
        contract = loaded.by_subject(subject)
    except DeviceContractsError as exc:
        raise InvalidStrategyArgument(str(exc)) from None
    chosen = _versions(contract, versions)
    makers = tuple(_maker(contract, v, options) for v in chosen)
    index = st.integers(0, len(makers) - 1)

    def draw_message(draw: st.DrawFn) -> Message:
        return makers[draw(index)](draw) if len(makers) > 1 else makers[0](draw)

    shown: dict[str, Any] = dict(options)
    if versions is not None:
        shown["versions"] = [v.version for v in chosen]
    made: SearchStrategy[Message] = shown_as("contract_messages", draw_message, subject, **shown)
    return made


class ContractMessages:
    """`contract_messages` bound to one catalog: what the pytest fixture of that name gives.

    Call it as ``contract_messages(subject, *, versions=None, **options)``. Its repr is one
    short line, because pytest and hypothesis print it whenever a test that uses it fails.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __call__(
        self, subject: str, *, versions: Iterable[int] | None = None, **options: Any
    ) -> SearchStrategy[Message]:
        """`contract_messages` of ``subject`` in this catalog."""
        return contract_messages(subject, catalog=self.catalog, versions=versions, **options)

    def __repr__(self) -> str:
        versions = sum(len(c.versions) for c in self.catalog.contracts.values())
        return (
            f"ContractMessages(catalog={display_path(self.catalog.root)!r}, "
            f"subjects={len(self.catalog.contracts)}, versions={versions})"
        )


class ContractIds:
    """The schema ids a consumer's deserializer resolves, for framing the messages a test
    draws: ``kafka_event(messages, schema_id=contract_ids)``.

    `ContractIds.from_environment` reads them exactly as `WriterSchemas.from_environment`
    does (the handler's own lookup): the environment ``DEVICECONTRACTS_ENVIRONMENT`` names, in
    the lock packaged with the models, or in the one ``DEVICECONTRACTS_LOCK`` names. So a
    drawn message gets the id its version has in that environment, and the handler, built
    from the same settings, reads it with no registry and no network.
    """

    def __init__(self, ids: SchemaIds) -> None:
        self.schema_ids = ids
        self._by_version = {(r.subject, r.version): (i, r) for i, r in ids.releases.items()}

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        models_package: str = DEFAULT_MODELS_PACKAGE,
    ) -> ContractIds:
        """The ids `WriterSchemas.from_environment` would resolve with these settings.

        `LockError` when no environment is named, or the lock cannot give its ids.
        """
        environ = os.environ if environ is None else environ
        ids = SchemaIds.from_environment(environ, models_package=models_package)
        if ids is None:
            raise LockError(
                f"set {ENVIRONMENT_VARIABLE} (e.g. in conftest.py) to the registry environment "
                "whose ids the handler under test resolves; its ids come from the packaged lock"
            )
        return cls(ids)

    @property
    def environment(self) -> str:
        """The registry environment whose ids these are."""
        return self.schema_ids.environment

    def __call__(self, message: Message) -> int:
        """The schema id of the version that wrote ``message``; `LockError` when that version
        has no id in this environment, or the lock released a different schema under it."""
        found = self._by_version.get((message.subject, message.version))
        where = f"environment {self.environment!r}"
        if found is None:
            raise LockError(
                f"{message.subject} v{message.version} has no schema id in {where} of the lock: "
                "run `contracts register` for it, or draw only released versions (versions=)"
            )
        schema_id, release = found
        if release.fingerprint != message.schema.fingerprint:
            raise LockError(
                f"{message.subject} v{message.version} in the catalog is not the schema the "
                f"lock released as id {schema_id} in {where}: the catalog and the lock are of "
                "different releases"
            )
        return schema_id

    def writer_schemas(self, **options: Any) -> WriterSchemas:
        """A `WriterSchemas` resolving these ids (``options`` go to it), for a `Deserializer`
        built in the test itself."""
        return WriterSchemas(ids=self.schema_ids, **options)

    def __repr__(self) -> str:
        path = self.schema_ids.path
        lock = f", lock={display_path(path)!r}" if path is not None else ""
        count = len(self.schema_ids.releases)
        return f"ContractIds(environment={self.environment!r}{lock}, ids={count})"


def default_catalog_folder() -> Path:
    """The catalog to generate from when none is named: ``$CONTRACTS_CATALOG``, else the
    catalog packaged with the models, else ``schemas``."""
    named = os.environ.get("CONTRACTS_CATALOG")
    if named:
        return Path(named)
    return packaged_catalog() or Path("schemas")


def kafka_event(
    messages: Iterable[Message],
    *,
    schema_id: int | Mapping[int, int] | Callable[[Message], int],
    topic: str | None = None,
    partition: int = 0,
    first_offset: int = 0,
    key: bytes | None = None,
    source: str = "aws:kafka",
) -> dict[str, Any]:
    """The event AWS Lambda hands a handler for a batch of Kafka records holding ``messages``.

    Each message becomes one record, framed in Confluent's wire format with its schema id:
    ``schema_id`` is one id for all, a mapping of version number to id, or a function of the
    message. Records are grouped by ``"<topic>-<partition>"`` as Lambda groups them, values and
    keys base64-encoded, offsets counting from ``first_offset``. ``topic`` defaults to each
    message's contract topic. ``source`` is ``"aws:kafka"`` (Amazon MSK, the default) or
    ``"SelfManagedKafka"``.
    """
    if source not in ("aws:kafka", "SelfManagedKafka"):
        raise ValueError(f"source must be 'aws:kafka' or 'SelfManagedKafka', not {source!r}")
    id_of = _id_function(schema_id)
    records: dict[str, list[dict[str, Any]]] = {}
    for offset, message in enumerate(messages, start=first_offset):
        name = topic or message.topic
        if not name:
            raise ValueError(f"{message.subject} has no topic in the catalog: pass topic=")
        record: dict[str, Any] = {
            "topic": name,
            "partition": partition,
            "offset": offset,
            "timestamp": _DEFAULT_TIMESTAMP_MS + offset,
            "timestampType": "CREATE_TIME",
            "value": base64.b64encode(message.framed(id_of(message))).decode("ascii"),
            "headers": [],
        }
        if key is not None:
            record["key"] = base64.b64encode(key).decode("ascii")
        records.setdefault(f"{name}-{partition}", []).append(record)
    event: dict[str, Any] = {
        "eventSource": source,
        "bootstrapServers": "b-1.example.kafka.us-east-1.amazonaws.com:9092",
        "records": records,
    }
    if source == "aws:kafka":
        event["eventSourceArn"] = (
            "arn:aws:kafka:us-east-1:123456789012:cluster/contracts-test/"
            "00000000-0000-0000-0000-000000000000-1"
        )
    return event


# ---------------------------------------------------------------------------------------------

_LOADED: dict[Path, Catalog] = {}


def _catalog(catalog: Catalog | str | os.PathLike[str] | None) -> Catalog:
    if isinstance(catalog, Catalog):
        return catalog
    folder = Path(catalog) if catalog is not None else default_catalog_folder()
    key = folder.resolve()
    if key not in _LOADED:
        try:
            _LOADED[key] = load_catalog(folder)
        except DeviceContractsError as exc:
            raise InvalidStrategyArgument(str(exc)) from None
    return _LOADED[key]


def _versions(contract: Contract, versions: Iterable[int] | None) -> list[SchemaVersion]:
    if versions is None:
        chosen = list(contract.versions)
    else:
        by_number = {v.version: v for v in contract.versions}
        chosen = []
        for number in versions:
            if number not in by_number:
                raise InvalidStrategyArgument(
                    f"{contract.subject} has no version {number!r}; it has "
                    f"{sorted(by_number) or 'none'}"
                )
            chosen.append(by_number[number])
    if not chosen:
        raise InvalidStrategyArgument(f"{contract.subject} has no versions to generate")
    return chosen


def _parsed(version: SchemaVersion) -> Schema:
    if version.schema is None:
        raise InvalidStrategyArgument(
            f"{version.display} (v{version.version}) is not a valid schema: {version.problem}; "
            "run contracts check"
        )
    return version.schema


def _maker(
    contract: Contract, version: SchemaVersion, options: dict[str, Any]
) -> Callable[[st.DrawFn], Message]:
    schema = _parsed(version)
    draw_value = compile_value(schema, **options).node.draw

    def draw_message(draw: st.DrawFn) -> Message:
        value = draw_value(draw)
        return Message(
            contract.subject, version.version, schema, value, encode(value, schema), contract.topic
        )

    return draw_message


def _id_function(
    schema_id: int | Mapping[int, int] | Callable[[Message], int],
) -> Callable[[Message], int]:
    if isinstance(schema_id, int):
        fixed = schema_id
        return lambda _message: fixed
    if isinstance(schema_id, Mapping):
        ids = dict(schema_id)

        def by_version(message: Message) -> int:
            if message.version not in ids:
                raise KeyError(
                    f"no schema id for {message.subject} v{message.version} in schema_id"
                )
            return ids[message.version]

        return by_version
    if callable(schema_id):
        return schema_id
    raise TypeError(f"schema_id must be an int, a mapping or a function, not {schema_id!r}")

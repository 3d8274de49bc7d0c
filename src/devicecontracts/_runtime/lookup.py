"""Writer-schema lookup by id: process cache, then released ids, then Schema Registry.

The same schema has a different id in each registry (dev, staging, production), so ids are
never baked into models. ``contracts register`` records them per environment in the lock
(``schemas/contracts.lock.json``: subject, version, fingerprint and ``ids``), and a consumer
names its environment. An id then leads to a fingerprint, the fingerprint to a model the
process already has, and no network call is needed, not even on a Lambda cold start.

A producer release registered after the consumer was deployed has an id the deployed lock does
not know; Schema Registry, configured by the same ``SCHEMA_REGISTRY_*`` variables as the CLI,
answers for it, and Avro resolution reads it into the consumer's model whenever the schemas
allow. `WriterSchemas.from_environment` sets up both, and refuses to build when neither is
configured, so a forgotten variable fails the cold start instead of every record.

A release is one artifact: the wheel carries the catalog it was generated from, lock included,
as package data in ``<models package>/_catalog/`` (`packaged_catalog`), so the lock's ids are
those of the installed models unless ``DEVICECONTRACTS_LOCK`` names another file.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from devicecontracts._runtime.plans import AvroModel, WriterSchema, writer_schema
from devicecontracts.catalog.lock import read_lock
from devicecontracts.errors import (
    DeviceContractsError,
    EncodeError,
    LockError,
    RegistryConfigError,
    RegistryError,
    UnknownSchemaId,
)

if TYPE_CHECKING:
    from devicecontracts.registry.settings import ENVIRONMENT_VARIABLES as REGISTRY_VARIABLES

__all__ = [
    "CATALOG_FOLDER",
    "DEFAULT_MODELS_PACKAGE",
    "ENVIRONMENT_VARIABLE",
    "LOCK_VARIABLE",
    "REGISTRY_VARIABLES",
    "SCHEMAS_KEPT",
    "UNKNOWN_IDS_KEPT",
    "BoundedCache",
    "Release",
    "SchemaIds",
    "WriterSchemas",
    "packaged_catalog",
]

ENVIRONMENT_VARIABLE: Final = "DEVICECONTRACTS_ENVIRONMENT"
"""Names the registry environment (``dev``, ``staging``, ``prod``) whose ids to use."""
LOCK_VARIABLE: Final = "DEVICECONTRACTS_LOCK"
"""Path of a lock file (``contracts.lock.json``) to use instead of the packaged one."""
DEFAULT_MODELS_PACKAGE: Final = "devicecontracts.models"
"""The generated models; its ``_manifest`` maps every version's fingerprint to its module."""
CATALOG_FOLDER: Final = "_catalog"
"""The folder, inside a built models package, holding the catalog the models came from."""
_LOCK_NAME: Final = "contracts.lock.json"
_REGISTRY_URL_VARIABLE: Final = "SCHEMA_REGISTRY_URL"
"""``REGISTRY_VARIABLES["url"]``, read without importing the registry settings: a consumer
that only uses the lock's ids never loads them (nor the registry source) on a cold start."""
SCHEMAS_KEPT: Final = 256
"""How many writer schemas (by id) a `WriterSchemas` keeps by default, least recently used
going first (``max_schemas`` changes it). A prepared writer schema and its read plan hold about
15 KB, so the bound is ~4 MB: a small share of the smallest Lambda, and far more ids than a
topic has live writer versions. A Deserializer keeps as many read plans."""
UNKNOWN_IDS_KEPT: Final = 4096
"""How many unknown ids a `WriterSchemas` remembers not to ask the registry again for."""

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict of at most ``limit`` entries: storing a new key into a full cache forgets the
    oldest one first. Hostile bytes carry random ids, and no cache may grow with them.

    Reads are plain dict reads (``get``, ``in``), O(1) and at C speed: the hot path of a
    decode pays nothing for the bound. `touch` marks a key as just used, so an LRU keeps it.
    """

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        if limit < 1:
            raise ValueError(f"a cache bound is at least 1, not {limit}")
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        if key in self:
            del self[key]  # stored again: now the newest
        elif len(self) >= self.limit:
            del self[next(iter(self))]
        super().__setitem__(key, value)

    def touch(self, key: K) -> V | None:
        """The value of ``key`` (None when absent), which becomes the most recently used."""
        value = self.pop(key, None)
        if value is not None:
            super().__setitem__(key, value)
        return value


class Release(NamedTuple):
    """One released version of a subject, as the lock records it."""

    subject: str
    version: int
    fingerprint: str

    def describe(self) -> str:
        """``fleet.telemetry-value v2``."""
        return f"{self.subject} v{self.version}"


class SchemaIds:
    """The schema ids one registry environment gave to the released versions.

    Build it from the lock with `SchemaIds.from_lock` (the usual way), or from a mapping of
    id to `Release` in tests.
    """

    def __init__(
        self, environment: str, releases: Mapping[int, Release], path: Path | None = None
    ) -> None:
        self.environment = environment
        self.releases: Mapping[int, Release] = dict(releases)
        self.path = path
        """The lock file the ids were read from, if any."""
        self._by_fingerprint: dict[str, list[tuple[str, int]]] = {}
        for schema_id, release in sorted(self.releases.items()):
            entry = (release.subject, schema_id)
            self._by_fingerprint.setdefault(release.fingerprint, []).append(entry)

    @classmethod
    def from_lock(cls, path: str | Path, environment: str) -> SchemaIds:
        """The ids of ``environment`` in the lock at ``path``.

        Only the lock's JSON is read (no catalog, no schemas), so a deployment ships the lock
        file alone. `LockError` when it is unreadable or records no id for ``environment``.
        """
        path = Path(path)
        if not path.is_file():
            raise LockError(
                f"no lock file at {path}: deploy schemas/contracts.lock.json with the function "
                f"and point {LOCK_VARIABLE} at it"
            )
        releases: dict[int, Release] = {}
        environments: set[str] = set()
        for subject, versions in read_lock(path).subjects.items():
            for number, entry in versions.items():
                environments.update(entry.ids)
                if environment in entry.ids:
                    releases[entry.ids[environment]] = Release(subject, number, entry.fingerprint)
        if not releases:
            known = ", ".join(sorted(environments)) or "none yet"
            raise LockError(
                f"the lock file {path} records no schema ids for environment {environment!r} "
                f"(environments with ids: {known}); run `contracts register` for it"
            )
        return cls(environment, releases, path)

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        models_package: str = DEFAULT_MODELS_PACKAGE,
    ) -> SchemaIds | None:
        """The ids of the environment ``DEVICECONTRACTS_ENVIRONMENT`` names, from the lock at
        ``DEVICECONTRACTS_LOCK``, else from the lock packaged with ``models_package``; None
        when no environment is named.

        `LockError` when a lock is named without an environment, when there is no lock to
        read, or when it records no id for the environment.
        """
        environ = os.environ if environ is None else environ
        environment = environ.get(ENVIRONMENT_VARIABLE, "").strip()
        lock = environ.get(LOCK_VARIABLE, "").strip()
        if not environment:
            if lock:
                raise LockError(
                    f"{LOCK_VARIABLE} is set but {ENVIRONMENT_VARIABLE} is not: name the "
                    "registry environment whose ids to use (dev, staging, prod)"
                )
            return None
        if not lock:
            packaged = packaged_catalog(models_package)
            if packaged is None:
                raise LockError(
                    f"{ENVIRONMENT_VARIABLE} is set but there is no lock: {models_package} has no "
                    f"{CATALOG_FOLDER}/ beside its models (generated without a catalog), so set "
                    f"{LOCK_VARIABLE} to the contracts.lock.json to use"
                )
            lock = str(packaged / _LOCK_NAME)
        return cls.from_lock(lock, environment)

    def release(self, schema_id: int) -> Release | None:
        """The released version that has ``schema_id`` in this environment."""
        return self.releases.get(schema_id)

    def id_of(self, fingerprint: str, subject: str | None = None) -> int | None:
        """The id of the schema with ``fingerprint`` (under ``subject`` when given)."""
        candidates = self._by_fingerprint.get(fingerprint, [])
        if subject is not None:
            candidates = [c for c in candidates if c[0] == subject]
        ids = {schema_id for _, schema_id in candidates}
        if len(ids) > 1:
            subjects = ", ".join(sorted({s for s, _ in candidates}))
            raise EncodeError(
                f"the schema is released under several subjects with different ids in "
                f"{self.environment} ({subjects}): say which subject to produce to"
            )
        return next(iter(ids), None)


def packaged_catalog(models_package: str = DEFAULT_MODELS_PACKAGE) -> Path | None:
    """The catalog folder packaged with ``models_package`` (``catalog.toml``, every ``.avsc``,
    ``contracts.lock.json``; ``contracts codegen`` writes it), or None when it has none.

    The package is located, not imported, so this costs no model import.
    """
    try:
        spec = importlib.util.find_spec(models_package)
    except ModuleNotFoundError:  # its parent package is missing
        return None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location) / CATALOG_FOLDER
        if (folder / _LOCK_NAME).is_file():
            return folder
    return None


class WriterSchemas:
    """Finds the writer schema of a schema id, in this order:

    1. the process cache: the ``max_schemas`` most recently used ids (`SCHEMAS_KEPT`, 256, by
       default), least recently used forgotten first; an id seen again is an O(1) dict read,
       and a forgotten one is simply found again below;
    2. the released ids of the configured environment (`SchemaIds`, from the lock), whose
       fingerprint leads to a model: one this process was given (the reader models, older
       versions in ``models``) or, found through the manifest of the generated package
       ``models_package``, the module of that version, imported then and only then. No
       network call, and no model is imported before a message needs it;
    3. Schema Registry through confluent-kafka's client, when ``registry`` is given
       (`RegistrySettings`, a URL, a client config, or a client): for ids released after the
       lock was deployed. A fetched schema whose fingerprint is a known version's uses that
       model's schema; any other (a newer version) is read into the reader model by Avro
       resolution. Answers are cached, and an unknown id is asked again only after
       ``retry_unknown_after`` seconds, so a poisoned partition does not hammer the registry.
       A registry that fails (`RegistryError`: unreachable, refusing, failing) is not asked
       again for ``retry_failed_after`` seconds: lookups meanwhile raise that error at once,
       instead of each waiting through the client's timeouts and retries;
    4. otherwise `UnknownSchemaId`, saying what was tried.

    Built directly, it uses exactly what it is given (tests, tools). Consumers use
    `from_environment`, which reads the lock and the registry settings from the environment and
    refuses to build when neither is configured. Share one instance between the deserializers
    and serializers of a process.
    """

    def __init__(
        self,
        *,
        ids: SchemaIds | None = None,
        models: Iterable[type[AvroModel]] = (),
        registry: Any = None,
        retry_unknown_after: float = 60.0,
        retry_failed_after: float = 10.0,
        models_package: str | None = DEFAULT_MODELS_PACKAGE,
        max_schemas: int = SCHEMAS_KEPT,
    ) -> None:
        self.ids = ids
        self.max_schemas = max_schemas
        """The bound of the writer-schema cache (and of each Deserializer's read plans)."""
        self.models_package = models_package
        self._manifest: dict[str, tuple[str, str]] | None = None
        self._registry = None
        if registry is not None:
            from devicecontracts._runtime.registry_source import RegistrySource

            self._registry = RegistrySource(registry)
        self._retry_unknown_after = retry_unknown_after
        self._retry_failed_after = retry_failed_after
        self._failing: tuple[float, DeviceContractsError] | None = None
        self._cache: BoundedCache[int, WriterSchema] = BoundedCache(max_schemas)
        self._unknown_until: BoundedCache[int, float] = BoundedCache(UNKNOWN_IDS_KEPT)
        self._models: dict[str, type[AvroModel]] = {}
        self._model_schemas: dict[str, WriterSchema] = {}
        self.add(*models)

    @classmethod
    def from_environment(
        cls,
        *,
        models: Iterable[type[AvroModel]] = (),
        registry: Any = None,
        environ: Mapping[str, str] | None = None,
        models_package: str | None = DEFAULT_MODELS_PACKAGE,
        required: bool = True,
        max_schemas: int = SCHEMAS_KEPT,
    ) -> WriterSchemas:
        """Configured by the environment, for consumers and producers; the lookup order is the
        class's: cache, the lock's ids, Schema Registry.

        - ``DEVICECONTRACTS_ENVIRONMENT``: the environment's ids come from the lock packaged
          with ``models_package`` (the release the models belong to), or from the lock file
          ``DEVICECONTRACTS_LOCK`` names instead (`SchemaIds.from_environment`). `LockError`
          when a lock is named without an environment, the file is missing or unreadable, or
          it records no id for the environment.
        - ``SCHEMA_REGISTRY_URL`` and the other ``SCHEMA_REGISTRY_*`` variables (the CLI's:
          `REGISTRY_VARIABLES`): the registry asked for ids the lock does not know. A
          ``registry`` argument wins over them. `RegistryConfigError` when they cannot work
          (half credentials, a URL that is not http(s)) or confluent-kafka is not installed.
          The client is only built, and only connects, when an id needs it.
        - Neither configured: `RegistryConfigError` at once, naming the variables, since no
          id could ever be decoded. ``required=False`` builds an empty lookup instead (for a
          `Serializer` whose ids are all pinned in code).

        ``max_schemas`` bounds the writer-schema cache (`SCHEMAS_KEPT` by default).
        """
        environ = os.environ if environ is None else environ
        ids = SchemaIds.from_environment(
            environ, models_package=models_package or DEFAULT_MODELS_PACKAGE
        )
        if registry is None and environ.get(_REGISTRY_URL_VARIABLE):
            from devicecontracts.registry.settings import RegistrySettings

            if RegistrySettings.configured(environ):
                registry = RegistrySettings.from_env(environ)
        if registry is not None:
            from devicecontracts.registry.settings import RegistrySettings

            if isinstance(registry, (RegistrySettings, str, Mapping)):
                _require_registry_client()
        if required and ids is None and registry is None:
            variables = _registry_variables()
            raise RegistryConfigError(
                "no writer schemas can be found: set "
                f"{ENVIRONMENT_VARIABLE} (its ids come from the packaged lock, or the one "
                f"{LOCK_VARIABLE} names) and/or {variables['url']} (with "
                f"{variables['api_key']} and {variables['api_secret']}, or "
                f"{variables['bearer_token']}), or pass schemas=WriterSchemas(...)"
            )
        return cls(
            ids=ids,
            models=models,
            registry=registry,
            models_package=models_package,
            max_schemas=max_schemas,
        )

    def add(self, *models: type[AvroModel]) -> None:
        """Make the schemas of these models known, so their ids resolve without a registry."""
        for model in models:
            self._models.setdefault(model.avro_fingerprint, model)

    @property
    def environment(self) -> str | None:
        """The registry environment whose released ids are used, if any."""
        return self.ids.environment if self.ids is not None else None

    def get(self, schema_id: int) -> WriterSchema:
        """The writer schema of ``schema_id``; `UnknownSchemaId` when no source has it."""
        found = self._cache.touch(schema_id)
        if found is not None:
            return found
        found = self._from_release(schema_id)
        if found is None:
            found = self._from_registry(schema_id)
        if found is None:
            raise UnknownSchemaId(self._unknown_message(schema_id), schema_id=schema_id)
        self._cache[schema_id] = found
        return found

    def _from_release(self, schema_id: int) -> WriterSchema | None:
        release = self.ids.release(schema_id) if self.ids is not None else None
        if release is None:
            return None
        model = self.model_of(release.fingerprint)
        if model is None:
            return None
        return self.model_schema(model, described=release.describe())

    def model_of(self, fingerprint: str) -> type[AvroModel] | None:
        """The model whose schema has ``fingerprint``: given, or found in the models package."""
        model = self._models.get(fingerprint)
        if model is None:
            where = self._generated().get(fingerprint)
            if where is not None:
                module, name = where
                model = getattr(importlib.import_module(module), name)
                self._models[fingerprint] = model
        return model

    def _generated(self) -> dict[str, tuple[str, str]]:
        """Fingerprint to (module, class) of every version in the generated models package."""
        if self._manifest is None:
            self._manifest = {}
            if self.models_package:
                try:
                    manifest = importlib.import_module(f"{self.models_package}._manifest")
                except ModuleNotFoundError:
                    return self._manifest  # no generated package here: only given models
                for entry in getattr(manifest, "MODULES", {}).values():
                    if entry.get("model"):
                        where = (str(entry["module"]), str(entry["model"]))
                        self._manifest[str(entry["fingerprint"])] = where
        return self._manifest

    def model_schema(self, model: type[AvroModel], described: str = "") -> WriterSchema:
        """The writer schema of a model's own schema (prepared once per fingerprint)."""
        prepared = self._model_schemas.get(model.avro_fingerprint)
        if prepared is None:
            prepared = writer_schema(
                model.avro_schema_json,
                fingerprint=model.avro_fingerprint,
                described=described or model.avro_name,
                parsed=model.parsed_avro_schema(),
            )
            self._model_schemas[model.avro_fingerprint] = prepared
        return prepared

    def _from_registry(self, schema_id: int) -> WriterSchema | None:
        if self._registry is None:
            return None
        if (self._unknown_until.get(schema_id) or 0.0) > time.monotonic():
            return None
        if self._failing is not None and self._failing[0] > time.monotonic():
            raise self._failing[1].at() from None  # a copy: the kept error never changes
        try:
            fetched = self._registry.fetch(schema_id)
        except RegistryError as exc:
            self._failing = (time.monotonic() + self._retry_failed_after, exc.at())
            raise
        self._failing = None
        if fetched is None:
            self._unknown_until[schema_id] = time.monotonic() + self._retry_unknown_after
            return None
        model = self.model_of(fetched.fingerprint)
        release = self.ids.release(schema_id) if self.ids is not None else None
        described = release.describe() if release else f"{fetched.name} (registry id {schema_id})"
        if model is not None:
            return self.model_schema(model, described=described)
        return writer_schema(fetched.source, fingerprint=fetched.fingerprint, described=described)

    def _unknown_message(self, schema_id: int) -> str:
        tried = []
        release = self.ids.release(schema_id) if self.ids is not None else None
        if self.ids is None:
            tried.append(f"no released ids are configured (set {ENVIRONMENT_VARIABLE})")
        elif release is None:
            tried.append(f"the lock records no release with this id in {self.ids.environment!r}")
        else:
            tried.append(
                f"it is {release.describe()} in {self.ids.environment!r}, but no model of that "
                f"version is given or generated in {self.models_package}: pass it in `models=`"
            )
        if self._registry is None:
            tried.append(f"no schema registry is configured ({_REGISTRY_URL_VARIABLE})")
        else:
            tried.append(f"the registry at {self._registry.url} does not have it")
        return f"unknown schema id {schema_id}: " + "; ".join(tried)

    def id_for(self, model: type[AvroModel], subject: str | None = None) -> int:
        """The id of a model's schema in the configured environment, for producing."""
        schema_id = None
        if self.ids is not None:
            schema_id = self.ids.id_of(model.avro_fingerprint, subject)
        if schema_id is None:
            for known_id, prepared in self._cache.items():
                if prepared.fingerprint == model.avro_fingerprint:
                    return known_id
            where = f"environment {self.environment!r}" if self.environment else "no environment"
            raise EncodeError(
                f"no schema id for {model.__name__} ({model.avro_name}, "
                f"{model.avro_fingerprint[:19]}...) in {where}: release it with "
                "`contracts register` and deploy the updated lock, or give the id explicitly"
            )
        return schema_id


def _require_registry_client() -> None:
    """`RegistryConfigError` now, not at the first record, when confluent-kafka is missing."""
    if importlib.util.find_spec("confluent_kafka") is None:
        raise RegistryConfigError(
            f"{_REGISTRY_URL_VARIABLE} is set, but asking Schema Registry needs "
            "confluent-kafka: pip install 'devicecontracts[registry]'"
        )


def _registry_variables() -> Mapping[str, str]:
    from devicecontracts.registry.settings import ENVIRONMENT_VARIABLES

    return ENVIRONMENT_VARIABLES


def __getattr__(name: str) -> Any:
    # REGISTRY_VARIABLES stays importable from here, loaded (with the settings) when asked for.
    if name == "REGISTRY_VARIABLES":
        return _registry_variables()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

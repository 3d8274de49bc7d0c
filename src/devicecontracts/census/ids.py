"""Where a census maps schema ids to (subject, version), and finds writer schemas for
``--verify``: the lock of one environment (`LockIds`), or a schema registry (`RegistryIds`).

The registry adapter is imported only by `RegistryIds`, the catalog loader and fastavro only
when a body is verified.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from devicecontracts.catalog.lock import read_lock
from devicecontracts.errors import CatalogError, Location

if TYPE_CHECKING:
    from devicecontracts.registry import SchemaRegistry
    from devicecontracts.registry.settings import RegistrySettings

__all__ = ["IdSource", "LockIds", "RegistryIds"]


class IdSource(Protocol):
    """Maps schema ids and gives writer schemas."""

    @property
    def environment(self) -> str | None:
        """The lock environment (None for a registry)."""

    @property
    def registry(self) -> str | None:
        """The registry as people see it (None for a lock)."""

    def resolve(self, ids: Iterable[int], topic: str) -> dict[int, tuple[str, int]]:
        """(subject, version) of each id it knows."""

    def writer_schema(self, schema_id: int) -> Any:
        """The writer schema of ``schema_id``, parsed by fastavro; None when unknown."""

    def close(self) -> None:
        """Release what it holds."""


class LockIds:
    """Ids through the lock of ``catalog`` for ``environment``; writer schemas from the
    catalog's version files (loaded on the first one asked for)."""

    def __init__(self, catalog: Path, environment: str) -> None:
        from devicecontracts.catalog._model import LOCK_FILE

        self.catalog = catalog
        path = catalog / LOCK_FILE
        if not path.is_file():
            raise CatalogError(
                f"no {LOCK_FILE} in {catalog}: point --catalog at the catalog whose lock holds "
                "the environment's ids, or map ids through the registry (--registry)",
                Location(file=path.as_posix()),
            )
        lock = read_lock(path)
        by_version = lock.ids(environment)
        if not by_version:
            known = sorted(
                {
                    env
                    for versions in lock.subjects.values()
                    for e in versions.values()
                    for env in e.ids
                }
            )
            raise CatalogError(
                f"the lock records no schema ids for environment {environment!r}"
                + (f"; it has: {', '.join(known)}" if known else "; register the catalog first"),
                Location(file=path.as_posix()),
            )
        self._env = environment
        self._by_id = {schema_id: key for key, schema_id in by_version.items()}
        self._parsed: dict[int, Any] = {}
        self._catalog: Any = None

    @property
    def environment(self) -> str | None:
        return self._env

    @property
    def registry(self) -> str | None:
        return None

    def resolve(self, ids: Iterable[int], topic: str) -> dict[int, tuple[str, int]]:
        return {i: self._by_id[i] for i in ids if i in self._by_id}

    def writer_schema(self, schema_id: int) -> Any:
        if schema_id in self._parsed:
            return self._parsed[schema_id]
        key = self._by_id.get(schema_id)
        parsed = None
        if key is not None:
            import fastavro

            from devicecontracts.catalog import load_catalog
            from devicecontracts.schema import to_json

            if self._catalog is None:
                self._catalog = load_catalog(self.catalog)
            subject, number = key
            try:
                contract = self._catalog.by_subject(subject)
            except CatalogError:
                contract = None
            version = None
            if contract is not None:
                version = next((v for v in contract.versions if v.version == number), None)
            if version is not None and version.schema is not None:
                parsed = fastavro.parse_schema(to_json(version.schema.root))
        self._parsed[schema_id] = parsed
        return parsed

    def close(self) -> None:
        self._catalog = None


class RegistryIds:
    """Ids through a schema registry: each id's subject is the topic's ``<topic>-value`` when
    the id is registered under it, else the first of its subjects by name."""

    def __init__(self, settings: RegistrySettings) -> None:
        from devicecontracts.registry import SchemaRegistry

        self.settings = settings
        self._registry: SchemaRegistry = SchemaRegistry(settings)
        self._parsed: dict[int, Any] = {}

    @property
    def environment(self) -> str | None:
        return None

    @property
    def registry(self) -> str | None:
        return self.settings.url

    def resolve(self, ids: Iterable[int], topic: str) -> dict[int, tuple[str, int]]:
        found: dict[int, tuple[str, int]] = {}
        preferred = f"{topic}-value"
        for schema_id in ids:
            versions = self._registry.versions_of_id(schema_id)
            if versions:
                found[schema_id] = next((sv for sv in versions if sv[0] == preferred), versions[0])
        return found

    def writer_schema(self, schema_id: int) -> Any:
        if schema_id not in self._parsed:
            self._parsed[schema_id] = self._parse(schema_id)
        return self._parsed[schema_id]

    def _parse(self, schema_id: int) -> Any:
        import fastavro

        answer = self._registry.schema_by_id(schema_id)
        if answer is None:
            return None
        text, references = answer
        named: dict[str, Any] = {}
        pending = list(references)
        seen: set[tuple[str, int]] = set()
        ordered: list[str] = []
        while pending:  # references first, theirs before them
            ref = pending.pop()
            if (ref.subject, ref.version) in seen:
                continue
            seen.add((ref.subject, ref.version))
            held = self._registry.version(ref.subject, ref.version)
            if held.schema is not None:
                ordered.append(held.schema)
            pending.extend(held.references)
        for source in reversed(ordered):
            fastavro.parse_schema(json.loads(source), named_schemas=named)
        return fastavro.parse_schema(json.loads(text), named_schemas=named)

    def close(self) -> None:
        self._registry.close()

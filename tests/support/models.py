"""Helpers of the runtime tests: the catalog's typed models, ids per environment, framing.

The models are the generated package ``devicecontracts.models`` (committed, and kept current by
``nox -s codegen -- --check``), so these tests always run against generated code. Nothing is
loaded at import: the catalog and the versions are built on first use (``CATALOG``,
``VERSIONS``), then cached.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastavro

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.schema import Schema
from devicecontracts.serde import Release, SchemaIds, WriterSchemas

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "schemas"
MODELS_PACKAGE = "devicecontracts.models"


@dataclass(frozen=True)
class Version:
    """One released version of a message contract, with its generated model."""

    contract: str
    subject: str
    number: int
    schema: Schema
    model: Any
    schema_id: int

    @property
    def fastavro_schema(self) -> Any:
        """The version's schema parsed by fastavro (standalone)."""
        return self.model.parsed_avro_schema()


@functools.cache
def catalog() -> Catalog:
    """The bundled catalog, loaded once."""
    return load_catalog(BUNDLED)


@functools.cache
def versions() -> dict[str, list[Version]]:
    """Every message contract's versions, oldest first, each with a made-up schema id."""
    manifest = importlib.import_module(f"{MODELS_PACKAGE}._manifest")
    by_fingerprint = {e["fingerprint"]: e for e in manifest.MODULES.values() if e.get("model")}
    found: dict[str, list[Version]] = {}
    next_id = 100
    for contract in catalog().ordered():
        if contract.kind != "message":
            continue
        for v in contract.versions:
            assert v.schema is not None, v.problem
            entry = by_fingerprint[v.schema.fingerprint]
            model = getattr(importlib.import_module(entry["module"]), entry["model"])
            found.setdefault(contract.name, []).append(
                Version(contract.name, contract.subject, v.version, v.schema, model, next_id)
            )
            next_id += 1
    return found


def __getattr__(name: str) -> Any:
    # ``CATALOG`` and ``VERSIONS`` stay importable names, computed on first access, not at import.
    if name == "CATALOG":
        return catalog()
    if name == "VERSIONS":
        return versions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def latest(contract: str) -> Version:
    """The newest version of ``contract``."""
    return versions()[contract][-1]


def first_major(contract: str) -> list[Version]:
    """The versions of ``contract`` in its first major, oldest first: all of them without a
    compatibility group. Avro resolution reads each into the last one; across a major break
    (heartbeat v3) only the runtime's opt-in migrations do."""
    found = versions()[contract]
    majors = [
        getattr(importlib.import_module(v.model.__module__), "AVRO_MAJOR", None) for v in found
    ]
    return [v for v, major in zip(found, majors, strict=True) if major == majors[0]]


def all_versions() -> Iterator[Version]:
    """Every version of every message contract."""
    for each in versions().values():
        yield from each


def schema_ids(environment: str = "test", offset: int = 0) -> SchemaIds:
    """Ids for every version (``offset`` added: another environment numbers them differently)."""
    return SchemaIds(
        environment,
        {
            v.schema_id + offset: Release(v.subject, v.number, v.model.avro_fingerprint)
            for v in all_versions()
        },
    )


def writer_schemas(**options: Any) -> WriterSchemas:
    """`WriterSchemas` knowing every version's id, resolving models via the generated package."""
    return WriterSchemas(
        ids=options.pop("ids", schema_ids()), models_package=MODELS_PACKAGE, **options
    )


def write_lock(path: Path, environments: Mapping[str, int]) -> Path:
    """A lock file recording every version, with ids per environment (``env: id offset``)."""
    subjects: dict[str, Any] = {}
    for v in all_versions():
        ids = {env: v.schema_id + offset for env, offset in environments.items()}
        subjects.setdefault(v.subject, {})[str(v.number)] = {
            "fingerprint": v.model.avro_fingerprint,
            "content": "sha256:" + "0" * 64,
            "ids": ids,
        }
    path.write_text(json.dumps({"format": 1, "subjects": subjects}), encoding="utf-8")
    return path


def framed(schema_id: int, payload: bytes) -> bytes:
    """Confluent framing around ``payload``."""
    return b"\x00" + schema_id.to_bytes(4, "big") + payload


def plain_model(schema: Any) -> Any:
    """A minimal hand-written model class of ``schema`` (JSON): the `AvroModel` protocol over a
    plain dict, for schemas the catalog has no generated model of."""
    from devicecontracts.schema import parse_schema

    parsed = parse_schema(schema)
    text = json.dumps(schema)

    class PlainModel:
        avro_name = parsed.root.fullname  # type: ignore[union-attr]
        avro_fingerprint = parsed.fingerprint
        avro_schema_json = text
        _parsed = None

        def __init__(self, data: Any) -> None:
            self.data = data

        def __eq__(self, other: object) -> bool:
            return isinstance(other, PlainModel) and other.data == self.data

        __hash__ = None  # type: ignore[assignment]

        @classmethod
        def parsed_avro_schema(cls) -> Any:
            if cls._parsed is None:
                cls._parsed = fastavro.parse_schema(json.loads(text))
            return cls._parsed

        @classmethod
        def from_avro_dict(cls, data: Any) -> PlainModel:
            return cls(data)

        def to_avro_dict(self) -> Any:
            return self.data

    PlainModel.__name__ = PlainModel.__qualname__ = parsed.root.name  # type: ignore[union-attr]
    return PlainModel


def varint(n: int) -> bytes:
    """Avro's zig-zag varint of ``n``."""
    z = (n << 1) ^ (n >> 63) if n < 0 else n << 1
    out = bytearray()
    while True:
        byte, z = z & 0x7F, z >> 7
        out.append(byte | 0x80 if z else byte)
        if not z:
            return bytes(out)

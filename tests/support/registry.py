"""Helpers of the registry tests: small catalogs, the CLI, and a real confluent-kafka client.

Register tests never touch the repository's ``schemas/``: they copy it, or build a small
catalog of their own (`small_catalog`: a shared ``Point`` type referenced by a ``reading``
message) in ``tmp_path``.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from confluent_kafka.schema_registry import SchemaRegistryClient

from devicecontracts.cli import main

from .catalogs import write_version

SMALL_TOML = """
[shared.point]
description = "A position."

[messages.reading]
description = "A reading."
topic = "t.readings"
direction = "device-to-cloud"
"""
READING_SUBJECT = "t.readings-value"
POINT_SUBJECT = "com.example.Point"


def point(*extra: dict[str, Any]) -> dict[str, Any]:
    """The shared Point record, with optional extra fields."""
    return {
        "type": "record",
        "name": "Point",
        "namespace": "com.example",
        "doc": "A position.",
        "fields": [{"name": "x", "type": "double", "doc": "East."}, *extra],
    }


def reading(*extra: dict[str, Any]) -> dict[str, Any]:
    """The reading message: a value and a Point (by reference), with optional extra fields."""
    return {
        "type": "record",
        "name": "Reading",
        "namespace": "com.example",
        "doc": "A reading.",
        "fields": [
            {"name": "value", "type": "double", "doc": "The value."},
            {"name": "where", "type": "com.example.Point", "doc": "Where."},
            *extra,
        ],
    }


def optional(name: str) -> dict[str, Any]:
    """An optional long field: ``["null", "long"]`` with default null (a compatible addition)."""
    return {"name": name, "type": ["null", "long"], "default": None, "doc": "Optional."}


def required(name: str) -> dict[str, Any]:
    """A required long field with no default (a BACKWARD-incompatible addition)."""
    return {"name": name, "type": "long", "doc": "Required."}


def small_catalog(
    root: Path,
    points: Sequence[Any] = (point(),),
    readings: Sequence[Any] = (reading(),),
    toml: str = SMALL_TOML,
) -> Path:
    """A catalog with shared ``point`` and message ``reading`` (no lock yet)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.toml").write_text(toml, encoding="utf-8")
    for number, schema in enumerate(points, start=1):
        write_version(root, "point", number, schema)
    for number, schema in enumerate(readings, start=1):
        write_version(root, "reading", number, schema)
    return root


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    """``contracts <args>`` through click's runner; exceptions other than exits propagate."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def client(url: str, **config: Any) -> SchemaRegistryClient:
    """A real confluent-kafka client for ``url`` (no retries, so failures show at once)."""
    return SchemaRegistryClient({"url": url, "max.retries": 0, **config})


def lock_ids(root: Path, env: str = "default") -> dict[tuple[str, int], int]:
    """The ids the lock file records for ``env``, by (subject, version)."""
    path = root / "contracts.lock.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        (subject, int(number)): entry["ids"][env]
        for subject, versions in data["subjects"].items()
        for number, entry in versions.items()
        if env in entry.get("ids", {})
    }


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def registered_writes(requests: Sequence[Any]) -> list[str]:
    """The paths of the requests that change a registry (register, set level, delete)."""
    return [
        f"{r.method} {r.path}"
        for r in requests
        if (r.method == "POST" and r.path.endswith("/versions") and r.path.startswith("/subjects"))
        or r.method in ("PUT", "DELETE")
    ]


def post_raw(url: str, data: bytes) -> tuple[int, Any]:
    """POST ``data`` to a registry's ``url`` as Schema Registry JSON; (status, parsed answer),
    refusals included."""
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())

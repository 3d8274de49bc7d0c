"""Helpers shared by the core tests: the bundled catalog and small catalogs built in tmp dirs.

Tests never touch the bundled ``schemas/`` folder itself: they copy it (the ``catalog_dir``
fixture) or build a fresh catalog with `make_catalog`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from devicecontracts.catalog import load_catalog
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.findings import Finding

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "schemas"


def copy_bundled(dest: Path) -> Path:
    """Copy the bundled catalog to ``dest`` and return it."""
    shutil.copytree(BUNDLED, dest)
    return dest


def read_version(catalog: Path, contract: str, version: int) -> Any:
    """The parsed JSON of ``<contract>/v<version>.avsc``."""
    return json.loads((catalog / contract / f"v{version}.avsc").read_text(encoding="utf-8"))


def write_version(catalog: Path, contract: str, version: int, schema: Any) -> Path:
    """Write ``schema`` as ``<contract>/v<version>.avsc`` (indented like the bundled files)."""
    folder = catalog / contract
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"v{version}.avsc"
    text = schema if isinstance(schema, str) else json.dumps(schema, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def next_version(catalog: Path, contract: str, schema: Any) -> int:
    """Write ``schema`` as the next version of ``contract``; its number."""
    number = len(list((catalog / contract).glob("v*.avsc"))) + 1
    write_version(catalog, contract, number, schema)
    return number


def make_catalog(
    root: Path, toml: str, schemas: Mapping[str, Sequence[Any]], *, lock: Any = None
) -> Path:
    """Build a catalog in ``root``: catalog.toml, then v1..vn of every contract folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.toml").write_text(toml, encoding="utf-8")
    for contract, versions in schemas.items():
        for number, schema in enumerate(versions, start=1):
            write_version(root, contract, number, schema)
    if lock is not None:
        (root / "contracts.lock.json").write_text(json.dumps(lock), encoding="utf-8")
    return root


def check(root: Path) -> CheckReport:
    """Load and check the catalog in ``root``."""
    return check_catalog(load_catalog(root))


def with_rule(report: CheckReport, rule: str) -> list[Finding]:
    """The findings of one rule."""
    return [f for f in report.findings if f.rule == rule]


def record(
    name: str, fields: list[dict[str, Any]], namespace: str = "com.example", **extra: Any
) -> dict[str, Any]:
    """A documented record schema (so lint rules stay quiet unless a test wants them)."""
    return {
        "type": "record",
        "name": name,
        "namespace": namespace,
        "doc": f"The {name} record.",
        "fields": fields,
        **extra,
    }


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    """A documented field."""
    return {"name": name, "type": type_, "doc": f"The {name} field.", **extra}


def message_toml(
    name: str = "reading",
    *,
    direction: str = "device-to-cloud",
    compatibility: str | None = None,
    extra: str = "",
) -> str:
    """A catalog.toml declaring one message ``name`` on topic ``fleet.<name>``."""
    lines = [
        f"[messages.{name}]",
        f'topic = "fleet.{name}"',
        f'direction = "{direction}"',
    ]
    if compatibility:
        lines.append(f'compatibility = "{compatibility}"')
    return "\n".join(lines) + "\n" + extra

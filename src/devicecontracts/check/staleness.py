"""Stale models: generated modules whose schema changed since ``python -m codegen`` ran.

Each generated version module embeds ``AVRO_FINGERPRINT`` (the SHA-256 of its schema's Parsing
Canonical Form, as ``Schema.fingerprint``) and ``AVRO_SCHEMA_SHA256`` (of the whole schema JSON:
docs and defaults too, which the canonical form ignores but the models carry). Both are read
from the module text with a regular expression: nothing is imported, so checking costs no
pydantic import and works on a broken module too.

The package's own models are checked by ``contracts check`` only when they were generated from
the catalog being checked (their ``_manifest.py`` names it), so other teams' catalogs, which
have no models here, are never reported against them.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from devicecontracts.catalog import Catalog, Contract, SchemaVersion, display_path
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make

__all__ = [
    "bundled_models_dir",
    "package_model_findings",
    "schema_digest",
    "stale_model_findings",
]

_CONSTANT = re.compile(r'^(AVRO_FINGERPRINT|AVRO_SCHEMA_SHA256)\b[^=\n]*=\s*\(?\s*"([^"]+)"', re.M)
_MANIFEST = "_manifest.py"


def bundled_models_dir() -> Path:
    """The folder of this package's generated models (it may not exist in a bare install)."""
    return Path(__file__).resolve().parent / "models"


def package_model_findings(catalog: Catalog) -> list[Finding]:
    """`stale_model_findings` for the package's own models, if generated from ``catalog``."""
    models = bundled_models_dir()
    manifest = _read_manifest(models)
    source = manifest.get("CATALOG")
    if not isinstance(source, str) or not _same_folder(models / source, catalog.root):
        return []
    return stale_model_findings(catalog, models, command=str(manifest.get("COMMAND") or ""))


def stale_model_findings(
    catalog: Catalog, models_package_dir: Path, *, command: str = ""
) -> list[Finding]:
    """A ``stale-model`` finding per version whose generated module is missing or out of date,
    and per generated module whose schema version no longer exists.

    The manifest (``_manifest.py``) says which module holds which subject version; without
    one, modules are looked up as ``<contract>/v<N>.py``. Versions that do not parse are
    skipped: ``contracts check`` reports them already.
    """
    regenerate = command or "python -m codegen"
    hint = f"regenerate the models with `{regenerate}` and commit them"
    manifest = _read_manifest(models_package_dir).get("MODULES")
    located: dict[tuple[str, int], Path] = {}
    if isinstance(manifest, dict):
        for path, entry in manifest.items():
            if isinstance(entry, dict) and isinstance(entry.get("version"), int):
                located[(str(entry.get("subject")), entry["version"])] = models_package_dir / path
    findings: list[Finding] = []
    versions: set[tuple[str, int]] = set()
    for contract in catalog.ordered():
        for v in contract.versions:
            key = (contract.subject, v.version)
            versions.add(key)
            module = located.get(key, models_package_dir / contract.name / f"v{v.version}.py")
            if v.schema is not None:
                finding = _version_finding(contract, v, module, hint)
                if finding is not None:
                    findings.append(finding)
    for (subject, version), module in sorted(located.items()):
        if (subject, version) not in versions and module.exists():
            findings.append(
                make(
                    "stale-model",
                    f"model module {display_path(module)} is of {subject} v{version}, which the "
                    "catalog no longer has",
                    hint,
                    location=Location(file=display_path(module), subject=subject, version=version),
                )
            )
    return findings


def _version_finding(
    contract: Contract, v: SchemaVersion, module: Path, hint: str
) -> Finding | None:
    assert v.schema is not None
    where = Location(file=display_path(module), subject=contract.subject, version=v.version)
    try:
        text = module.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return make(
            "stale-model",
            f"{contract.subject} v{v.version} ({v.display}) has no generated model "
            f"{display_path(module)}",
            hint,
            location=where,
        )
    embedded = dict(_CONSTANT.findall(text))
    fingerprint = embedded.get("AVRO_FINGERPRINT")
    if fingerprint != v.schema.fingerprint:
        return make(
            "stale-model",
            f"the model of {contract.subject} v{v.version} was generated from another schema: "
            f"it embeds {fingerprint or 'no fingerprint'}, {v.display} is now "
            f"{v.schema.fingerprint}",
            hint,
            location=where,
        )
    digest = embedded.get("AVRO_SCHEMA_SHA256")
    if digest is not None and digest != schema_digest(v.schema.to_json()):
        return make(
            "stale-model",
            f"the model of {contract.subject} v{v.version} is out of date: {v.display} (or a "
            "shared type it references) changed docs, defaults or other attributes since it "
            "was generated",
            hint,
            location=where,
        )
    return None


def schema_digest(schema_json: Any) -> str:
    """``sha256:`` of a schema's whole JSON, keys sorted: what models embed as
    ``AVRO_SCHEMA_SHA256``. It changes with docs and defaults, which the canonical form ignores.
    """
    text = json.dumps(schema_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _read_manifest(models: Path) -> dict[str, Any]:
    """The literal assignments of ``_manifest.py``, read without importing it."""
    try:
        tree = ast.parse((models / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return {}
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return values


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False

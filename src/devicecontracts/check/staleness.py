"""Stale models: generated modules whose schema changed since ``contracts codegen`` ran.

Two halves, kept apart so that ``check_catalog`` stays pure:

* `stale_model_findings` compares a catalog with `GeneratedModels`, the models' manifest as
  data: per module its subject, version, ``fingerprint`` (the SHA-256 of the schema's Parsing
  Canonical Form, as ``Schema.fingerprint``) and ``content_hash`` (`catalog.lock.content_hash`
  of the whole schema JSON with shared types inlined: docs and defaults too, which the
  canonical form ignores but the models carry). It reads no file.
* `read_models` and `declared_models` are the shell's part: they read ``_manifest.py`` and the
  constants each module embeds (``AVRO_FINGERPRINT``, ``AVRO_CONTENT_HASH``) with a parser and
  a regular expression. Nothing is imported, so reading costs no pydantic import and works on
  a broken module too.

``contracts check`` checks the models the catalog declares in its ``[models]`` table (package and
folder, the folder relative to the folder of ``catalog.toml``), whoever's catalog it is: this
repository's declares ``devicecontracts.models``. A catalog without the table has no models to
check: `declared_models` answers None and no ``stale-model`` finding can arise (a catalog may
have no Python models at all, so its absence is no finding). Nor has a declared folder without a
``_manifest.py`` (see `declared_models`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devicecontracts.catalog import Catalog, SchemaVersion, display_path
from devicecontracts.catalog.lock import content_hash
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make

__all__ = [
    "GeneratedModels",
    "ModelModule",
    "declared_models",
    "read_models",
    "stale_model_findings",
]

_DEFAULT_COMMAND = "contracts codegen"


@dataclass(frozen=True)
class ModelModule:
    """One generated version module: the subject version it holds and what it was built from.

    ``file`` is the module's path as users see it; ``fingerprint`` and ``content_hash`` are None
    when unknown (a module without a content hash is checked by fingerprint alone).
    """

    file: str
    subject: str
    version: int
    fingerprint: str | None
    content_hash: str | None = None


@dataclass(frozen=True)
class GeneratedModels:
    """The generated models as data: the modules that exist, and the command that makes them.

    ``folder`` is the models folder as users see it (where a missing module would be);
    ``modules`` lists the manifest's modules whose files exist.
    """

    folder: str
    modules: tuple[ModelModule, ...]
    command: str = _DEFAULT_COMMAND

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any], folder: str = "") -> GeneratedModels:
        """From the literal values of a ``_manifest.py`` (``MODULES``, ``COMMAND``), each
        listed module taken to exist as the manifest describes it."""
        entries = manifest.get("MODULES")
        modules = [
            ModelModule(
                f"{folder}/{path}" if folder else str(path),
                str(entry.get("subject")),
                entry["version"],
                _text(entry.get("fingerprint")),
                _text(entry.get("content_hash")),
            )
            for path, entry in (entries.items() if isinstance(entries, Mapping) else ())
            if isinstance(entry, Mapping) and isinstance(entry.get("version"), int)
        ]
        command = manifest.get("COMMAND")
        return cls(
            folder,
            tuple(modules),
            command if isinstance(command, str) and command else _DEFAULT_COMMAND,
        )


def stale_model_findings(catalog: Catalog, models: GeneratedModels) -> list[Finding]:
    """A ``stale-model`` finding per version whose generated module is missing or out of date,
    and per generated module whose schema version no longer exists.

    Versions that do not parse are skipped: ``contracts check`` reports them already.
    """
    hint = f"regenerate the models with `{models.command}` and commit them"
    by_version = {(m.subject, m.version): m for m in models.modules}
    findings: list[Finding] = []
    for contract in catalog.ordered():
        for v in contract.versions:
            module = by_version.pop((contract.subject, v.version), None)
            message = _staleness(contract.subject, v, module, models.folder)
            if message is not None:
                file = module.file if module else _expected_file(models.folder, contract.name, v)
                where = Location(file=file, subject=contract.subject, version=v.version)
                findings.append(make("stale-model", message, hint, location=where))
    for (subject, version), module in sorted(by_version.items()):
        findings.append(
            make(
                "stale-model",
                f"model module {module.file} is of {subject} v{version}, which the catalog no "
                "longer has",
                hint,
                location=Location(file=module.file, subject=subject, version=version),
            )
        )
    return findings


def _staleness(
    subject: str, v: SchemaVersion, module: ModelModule | None, folder: str
) -> str | None:
    """Why the model of ``v`` is stale, or None when it is fresh (or ``v`` does not parse)."""
    if v.schema is None:
        return None
    if module is None:
        return (
            f"{subject} v{v.version} ({v.display}) has no generated model "
            f"{_expected_file(folder, v.contract, v)}"
        )
    if module.fingerprint != v.schema.fingerprint:
        return (
            f"the model of {subject} v{v.version} was generated from another schema: it embeds "
            f"{module.fingerprint or 'no fingerprint'}, {v.display} is now {v.schema.fingerprint}"
        )
    if module.content_hash is not None and module.content_hash != content_hash(v.schema.to_json()):
        return (
            f"the model of {subject} v{v.version} is out of date: {v.display} (or a shared type "
            "it references) changed docs, defaults or other attributes since it was generated"
        )
    return None


def _expected_file(folder: str, contract: str, v: SchemaVersion) -> str:
    # Where codegen puts a version's module when the manifest does not say.
    name = f"{contract}/v{v.version}.py"
    return f"{folder}/{name}" if folder else name


# ---------------------------------------------------------------------------------------------
# Reading the models: the shell's part (file I/O)

_MANIFEST = "_manifest.py"
_CONSTANT = re.compile(r'^(AVRO_FINGERPRINT|AVRO_CONTENT_HASH)\b[^=\n]*=\s*\(?\s*"([^"]+)"', re.M)


def declared_models(catalog: Catalog) -> GeneratedModels | None:
    """The models the catalog's ``[models]`` table declares, as data; None without the table,
    or when the declared folder holds no ``_manifest.py``.

    No manifest means no models were generated there: a copy of the catalog elsewhere (the one
    a wheel carries, a test's) or a repository that has not run ``contracts codegen`` yet. That
    is no stale model; ``contracts codegen --check`` reports the missing files.
    """
    declared = catalog.models
    if declared is None or not (declared.folder / _MANIFEST).is_file():
        return None
    return read_models(declared.folder)


def read_models(folder: Path) -> GeneratedModels:
    """The models in ``folder`` as data: its manifest, each entry completed by what the module
    file embeds (the module is what runs, so its constants win over the manifest's), and
    without the entries whose module file is gone."""
    manifest = GeneratedModels.from_manifest(_literals(folder / _MANIFEST))
    shown = display_path(folder)
    modules = [m for m in (_read_module(folder, m, shown) for m in manifest.modules) if m]
    return GeneratedModels(shown, tuple(modules), manifest.command)


def _read_module(folder: Path, listed: ModelModule, shown: str) -> ModelModule | None:
    try:
        text = (folder / listed.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    embedded = dict(_CONSTANT.findall(text))
    digest = embedded.get("AVRO_CONTENT_HASH")
    return ModelModule(
        f"{shown}/{listed.file}",
        listed.subject,
        listed.version,
        embedded.get("AVRO_FINGERPRINT", listed.fingerprint),
        digest if digest is not None else listed.content_hash,
    )


def _literals(path: Path) -> dict[str, Any]:
    """The literal assignments of a Python file, read without importing it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return {}
    return dict(_assignments(tree))


def _assignments(tree: ast.Module) -> Iterator[tuple[str, Any]]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                yield target.id, ast.literal_eval(value)
            except ValueError:
                continue


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

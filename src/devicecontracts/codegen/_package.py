"""The whole generated package: version modules, per-contract latest re-exports, the lazy package
``__init__``, the manifest ``contracts check`` reads to find stale models and, for a catalog,
the catalog itself in ``_catalog/``.

A release is one artifact: the models package carries the catalog it was generated from
(``catalog.toml``, every ``.avsc`` and ``contract.toml``, and ``contracts.lock.json`` with its
ids), byte for byte, so
a wheel built from it pins models, schemas and ids together and
``devicecontracts._runtime.lookup.packaged_catalog`` finds the lock beside the models. It is
generated output like the models: ``--check`` fails when it differs from the catalog, so a
committed copy cannot drift (``contracts register`` changes the lock: regenerate after it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from devicecontracts.catalog import CATALOG_FILE, Catalog
from devicecontracts.catalog._contract_file import CONTRACT_FILE
from devicecontracts.catalog.lock import content_hash
from devicecontracts.schema import Record

from ._emit import named_nodes
from ._output import COPIED
from ._render import GENERATED_MARK, Context, docstring, render_unit
from ._sources import Unit

__all__ = ["catalog_copy", "catalog_package", "folder_package"]

Files = dict[PurePosixPath, str]

_LOCK_FILE = "contracts.lock.json"


def catalog_package(
    catalog: Catalog, units: Sequence[Unit], package: str, out: Path, command: str
) -> Files:
    """Every file of the models package of a catalog, unformatted."""
    ctx = Context.of(package, units)
    files: Files = {unit.path: render_unit(unit, ctx) for unit in units}
    by_contract: dict[str, list[Unit]] = {}
    for unit in units:
        assert unit.contract is not None
        by_contract.setdefault(unit.contract, []).append(unit)
    latest: dict[str, tuple[str, str]] = {}  # class name -> (module, contract)
    ambiguous: list[str] = []
    shared = False
    newest_units = [versions[-1] for versions in by_contract.values()]
    for contract, versions in by_contract.items():
        newest = versions[-1]
        folder = newest.path.parent
        files[folder / "__init__.py"] = _contract_init(newest, versions, ctx, package)
        root = _root_class(newest, ctx)
        if root is None:
            continue
        pinned = _pinned_by_latest(versions, newest_units, ctx)
        shared = shared or bool(pinned)
        if not pinned or pinned == [newest]:
            latest[root] = (f"{package}.{folder.as_posix().replace('/', '.')}", contract)
        elif len(pinned) == 1:
            name = _root_class(pinned[0], ctx) or root
            latest[name] = (pinned[0].module(package), contract)
        else:
            ambiguous.append(root)
    files.update(catalog_copy(catalog.root, out))
    catalog_path = Path(os.path.relpath(catalog.root.resolve(), out.resolve())).as_posix()
    files[PurePosixPath("_manifest.py")] = _manifest(units, ctx, package, catalog_path, command)
    files[PurePosixPath("__init__.py")] = _package_init(
        package,
        latest,
        sorted({unit.path.parent.as_posix() for unit in units}),
        "Typed models of every contract of the catalog",
        example=_example(latest, package) + (_shared_note(ambiguous) if shared else []),
    )
    return files


def catalog_copy(root: Path, out: Path) -> Files:
    """The catalog at ``root`` as files of ``_catalog/``: ``catalog.toml``, the lock, every
    ``.avsc`` and every contract's ``contract.toml``, their text exactly as on disk (line
    endings too), sorted; nothing under ``out`` (models generated inside the catalog folder do
    not copy their own copy)."""
    found = [
        root / CATALOG_FILE,
        root / _LOCK_FILE,
        *root.rglob("*.avsc"),
        *root.rglob(CONTRACT_FILE),
    ]
    inside = out.resolve()
    files: Files = {}
    for path in sorted(p for p in found if p.is_file()):
        if path.resolve().is_relative_to(inside):
            continue
        with path.open(encoding="utf-8", newline="") as source:  # newline="": bytes kept
            files[PurePosixPath(COPIED, path.relative_to(root).as_posix())] = source.read()
    return files


def _pinned_by_latest(
    versions: Sequence[Unit], newest_units: Sequence[Unit], ctx: Context
) -> list[Unit]:
    """The versions of a contract whose root type the latest version of some other contract
    uses (a shared type's pinned reference), oldest first."""
    mine = {id(unit): unit for unit in versions}
    used: dict[int, Unit] = {}
    for other in newest_units:
        if id(other) in mine:
            continue
        for node in named_nodes(other):
            owner = ctx.owner.get(id(node))
            if owner is not None and id(owner) in mine and node is owner.schema.root:
                used[id(owner)] = owner
    return sorted(used.values(), key=lambda unit: unit.version or 0)


def _shared_note(ambiguous: Sequence[str]) -> list[str]:
    """What the package exports of shared types, and what it leaves out."""
    lines = [
        "",
        "A shared type is exported here in the version the latest messages reference, so a",
        "message built from this package's names type-checks; the shared type's own package",
        "holds its latest version, its version modules every version.",
    ]
    if ambiguous:
        lines += [
            "",
            f"Not exported here, as the latest messages use different versions of them: "
            f"{', '.join(sorted(ambiguous))}; import them from the message's package.",
        ]
    return lines


def folder_package(units: Sequence[Unit], package: str, command: str) -> Files:
    """Every file of the package generated from a folder of ``.avsc`` files, unformatted."""
    ctx = Context.of(package, units)
    files: Files = {unit.path: render_unit(unit, ctx) for unit in units}
    folders = {parent for unit in units for parent in unit.path.parents if parent.parts}
    for folder in sorted(folders):
        files[folder / "__init__.py"] = (
            f'"""Models of the schema files under ``{folder.as_posix()}/``.\n\n'
            f'{GENERATED_MARK}: do not edit.\n"""\n'
        )
    latest: dict[str, tuple[str, str]] = {}
    clashes: set[str] = set()
    for unit in units:
        root = _root_class(unit, ctx)
        if root is None:
            continue
        if root in latest:
            clashes.add(root)
        latest[root] = (unit.module(package), unit.source)
    for name in clashes:
        del latest[name]
    files[PurePosixPath("_manifest.py")] = _manifest(units, ctx, package, None, command)
    files[PurePosixPath("__init__.py")] = _package_init(
        package,
        latest,
        [unit.path.with_suffix("").parts[0] for unit in units],
        "Typed models generated from a folder of Avro schema files",
        example=_example(latest, package),
    )
    return files


def _root_class(unit: Unit, ctx: Context) -> str | None:
    root = unit.schema.root
    if isinstance(root, Record):
        return ctx.names[id(unit)][root.fullname]
    return None


def _exports(unit: Unit, ctx: Context) -> list[str]:
    """What a version module exports: its classes and the shared ones it uses."""
    names = ctx.names[id(unit)]
    return sorted(names.values())


def _contract_init(newest: Unit, versions: Sequence[Unit], ctx: Context, package: str) -> str:
    """The contract's package: the latest version's names, imported on first use (PEP 562), so
    importing one version module (a message's pinned shared type) loads no other version."""
    module = newest.module(package)
    names = ["AVRO_CONTENT_HASH", "AVRO_FINGERPRINT", *_exports(newest, ctx)]
    older = ", ".join(f"``{u.path.stem}``" for u in versions[:-1])
    summary = (
        f"{(newest.doc or newest.title).rstrip('.')}: the latest version, {newest.path.stem}"
        f"{f' (earlier versions: {older})' if older else ''}."
    )
    lines = [
        *docstring(summary, f"{GENERATED_MARK}: do not edit.", 0),
        "",
        "import importlib",
        "from typing import TYPE_CHECKING",
        "",
        "if TYPE_CHECKING:",
        f"    from {module} import (",
        *[f"        {name}," for name in names],
        "    )",
        "",
        "__all__ = [",
        *[f'    "{name}",' for name in names],
        "]",
        "",
        "",
        "def __getattr__(name: str) -> object:",
        f'    """Import ``{newest.path.stem}``, the latest version, on first use of a name."""',
        "    if name not in __all__:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        f'    value: object = getattr(importlib.import_module("{module}"), name)',
        "    globals()[name] = value",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        '    """The lazily imported names too."""',
        "    return sorted({*globals(), *__all__})",
    ]
    return "\n".join(lines) + "\n"


def _example(latest: dict[str, tuple[str, str]], package: str) -> list[str]:
    if not latest:
        return []
    name = sorted(latest)[0]
    module = latest[name][0]
    return [
        "",
        "Import a model from the package (the latest version) or from its module::",
        "",
        f"    from {package} import {name}",
        f"    from {module} import {name}",
    ]


def _package_init(
    package: str,
    latest: dict[str, tuple[str, str]],
    submodules: list[str],
    title: str,
    example: list[str],
) -> str:
    names = sorted(latest)
    subs = sorted({s.split("/")[0] for s in submodules if s and s != "."})
    lines = [
        f'"""{title}.',
        *example,
        "",
        "Nothing is imported until first used (PEP 562 ``__getattr__``), so importing the package",
        "itself costs nothing; each model module imports pydantic and its own classes only.",
        "",
        f"{GENERATED_MARK}: do not edit.",
        '"""',
        "",
        "import importlib",
        "from typing import TYPE_CHECKING",
        "",
    ]
    if names:
        lines.append("if TYPE_CHECKING:")
        for name in names:
            lines.append(f"    from {latest[name][0]} import {name} as {name}")
        lines.append("")
    lines += [
        "__all__ = [",
        *[f'    "{n}",' for n in names],
        "]",
        "",
        "_MODELS: dict[str, str] = {",
        *[f'    "{n}": "{latest[n][0]}",' for n in names],
        "}",
        "_SUBMODULES = frozenset(",
        "    {",
        *[f'        "{s}",' for s in subs],
        "    }",
        ")",
        "",
        "",
        "def __getattr__(name: str) -> object:",
        '    """Import the model (or submodule) ``name`` on first use."""',
        "    if name in _SUBMODULES:",
        '        value: object = importlib.import_module(f"{__name__}.{name}")',
        "    elif name in _MODELS:",
        "        value = getattr(importlib.import_module(_MODELS[name]), name)",
        "    else:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "    globals()[name] = value",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        '    """The lazily imported names too."""',
        "    return sorted({*globals(), *_MODELS, *_SUBMODULES})",
    ]
    return "\n".join(lines) + "\n"


def _manifest(
    units: Sequence[Unit], ctx: Context, package: str, catalog: str | None, command: str
) -> str:
    entries = []
    for unit in units:
        entry = {
            "module": unit.module(package),
            "source": unit.source,
            "subject": unit.subject,
            "version": unit.version,
            "fingerprint": unit.schema.fingerprint,
            "content_hash": content_hash(unit.schema.to_json()),
            "model": _root_class(unit, ctx),
            "major": unit.major,
        }
        entries.append(f"    {json.dumps(unit.path.as_posix())}: {_literal(entry)},")
    lines = [
        '"""What the models were generated from.',
        "",
        "``contracts check`` reads it to find stale models, the serde to find the model of a",
        "writer schema's fingerprint.",
        "",
        "``CATALOG`` is the catalog folder relative to this package's folder (None when the",
        "models come from a plain folder of schema files); ``MODULES`` maps each module file",
        "to its schema: subject, version, fingerprint, content hash (``AVRO_CONTENT_HASH``),",
        "root model class and major (None without a compatibility group): the runtime's",
        "migrations find the versions between a writer and a reader here.",
        "",
        f"{GENERATED_MARK}: do not edit.",
        '"""',
        "",
        "from typing import Any, Final",
        "",
        f"CATALOG: Final[str | None] = {'None' if catalog is None else json.dumps(catalog)}",
        f"COMMAND: Final = {json.dumps(command)}",
        "MODULES: Final[dict[str, dict[str, Any]]] = {",
        *entries,
        "}",
    ]
    return "\n".join(lines) + "\n"


def _literal(entry: Mapping[str, object]) -> str:
    parts = []
    for key, value in entry.items():
        text = "None" if value is None else json.dumps(value, ensure_ascii=False)
        parts.append(f"{json.dumps(key)}: {text}")
    return "{" + ", ".join(parts) + "}"

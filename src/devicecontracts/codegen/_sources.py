"""What to generate from: the catalog's versions, or any folder of ``.avsc`` files.

Both end as a list of `Unit`: one parsed schema that becomes one Python module. Named types a
unit uses but another unit defines (catalog shared types, or a type from another file) are the
very same parsed nodes, so the renderer finds their owner module by node identity: a message
version imports exactly the shared-type version its schema was resolved against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from devicecontracts.catalog import Catalog, Contract, display_path, load_catalog
from devicecontracts.errors import CodegenError, SchemaError, UnknownTypeError
from devicecontracts.schema import NamedType, Schema, load_json, parse_schema

from ._naming import module_name

__all__ = ["Unit", "catalog_units", "folder_units"]


@dataclass(eq=False)
class Unit:
    """One schema that becomes one module of the generated package."""

    path: PurePosixPath  # the module file, relative to the output folder
    schema: Schema
    source: str  # the schema file as the module docstring names it
    title: str  # what the module holds, one line
    contract: str | None = None
    version: int | None = None
    subject: str | None = None
    doc: str | None = None  # the contract's description, when known
    defines: list[NamedType] = field(default_factory=list)
    major: int | None = None  # the version's major, when the contract has a compatibility group
    metadata: str = ""  # the version's metadata as the registry's JSON ("" when empty)
    rule_set: str = ""  # the version's rule set as the registry's JSON ("" when empty)
    deprecated: tuple[str, str, str] | None = None  # since, sunset (ISO dates), reason

    def module(self, package: str) -> str:
        """The dotted module name inside ``package``."""
        return ".".join([package, *self.path.with_suffix("").parts])


def _stable(path: Path, root: Path) -> str:
    """``path`` as ``<root folder name>/<path inside root>``: the same from any working
    directory, so the generated files are too (messages to people use `_display`)."""
    return PurePosixPath(
        root.resolve().name, path.resolve().relative_to(root.resolve()).as_posix()
    ).as_posix()


def catalog_units(catalog_dir: Path) -> tuple[Catalog, list[Unit]]:
    """One unit per version of every contract, from a catalog that loads without problems.

    Raises `CodegenError` listing every problem when the catalog is invalid: models generated
    from a schema the registry would reject would only spread the mistake.
    """
    catalog = load_catalog(catalog_dir)
    problems = [
        f"{p.location.file or p.location.subject or 'catalog'}: {p.message}"
        for p in catalog.problems
    ]
    for v in catalog.versions():
        if v.problem is not None:
            problems.append(str(v.problem))
    if problems:
        raise CodegenError(
            "the catalog is invalid, so no models were generated; fix these first (run "
            "`contracts check` for hints):\n  " + "\n  ".join(problems)
        )
    units: list[Unit] = []
    for contract in catalog.ordered():
        folder = module_name(contract.name, set())
        for v in contract.versions:
            assert v.schema is not None
            units.append(
                Unit(
                    path=PurePosixPath(folder, f"v{v.version}.py"),
                    schema=v.schema,
                    source=_stable(v.file, catalog.root),
                    title=f"{contract.subject} version {v.version}",
                    contract=contract.name,
                    version=v.version,
                    subject=contract.subject,
                    doc=contract.description,
                    defines=list(v.schema.named.values()),
                    major=contract.major(v.version),
                    metadata=_registry_json(contract.metadata(v.version).to_registry()),
                    rule_set=_registry_json(contract.rule_set(v.version).to_registry()),
                    deprecated=_deprecated(contract, v.version),
                )
            )
    return catalog, units


def _deprecated(contract: Contract, version: int) -> tuple[str, str, str] | None:
    """A deprecated version's since and sunset (ISO dates) and reason, from ``contract.toml``."""
    dep = contract.data.deprecated_versions.get(version) if contract.data is not None else None
    if dep is None:
        return None
    return (str(dep.since), dep.sunset.isoformat(), dep.reason)


def _registry_json(data: dict[str, object]) -> str:
    """The registry's JSON of a version's metadata or rule set, compact; "" when empty."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else ""


def folder_units(folder: Path) -> list[Unit]:
    """One unit per ``.avsc`` file under ``folder``, cross-file named types resolved.

    Files may use named types other files define, in any order: files are parsed again and
    again, each time with every type parsed so far, until none makes progress.
    """
    if not folder.is_dir():
        raise CodegenError(f"no folder of schemas at {folder}")
    files = sorted(p for p in folder.rglob("*.avsc") if p.is_file())
    if not files:
        raise CodegenError(f"no .avsc files under {folder}")
    raw = {}
    for path in files:
        try:
            raw[path] = load_json(path.read_text(encoding="utf-8"), file=display_path(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise CodegenError(f"cannot read {display_path(path)}: {exc}") from None
        except SchemaError as exc:
            raise CodegenError(str(exc)) from None
    # A type several files define belongs to the file whose root it is (geo_point.avsc rather
    # than a message that inlines a copy), else to the first such file: a first pass finds
    # the definitions, a second resolves every reference to its owner's definition.
    first = _resolve(files, raw, owners=None)
    owners: dict[str, Path] = {}
    for path in files:
        schema = first[path]
        root = schema.root.fullname if isinstance(schema.root, NamedType) else None
        for fullname in schema.named:
            current = owners.get(fullname)
            if current is None or (fullname == root and not _is_root(first[current], fullname)):
                owners[fullname] = path
    parsed = _resolve(files, raw, owners)
    return _folder_modules(folder, files, parsed)


def _resolve(
    files: list[Path], raw: dict[Path, object], owners: dict[str, Path] | None
) -> dict[Path, Schema]:
    """Parse every file, again and again, until none is waiting for a type from another."""
    known: dict[str, NamedType] = {}
    parsed: dict[Path, Schema] = {}
    pending = list(files)
    while pending:
        waiting: list[tuple[Path, UnknownTypeError]] = []
        for path in pending:
            outcome = _parse_with(raw[path], known, display_path(path))
            if isinstance(outcome, UnknownTypeError):
                waiting.append((path, outcome))
                continue
            parsed[path] = outcome
            for fullname, node in outcome.named.items():
                if owners is None or owners.get(fullname) == path:
                    known.setdefault(fullname, node)
        if len(waiting) == len(pending):
            raise CodegenError(
                "cannot resolve these named types in any file of the folder:\n  "
                + "\n  ".join(str(exc) for _, exc in waiting)
            )
        pending = [path for path, _ in waiting]
    return parsed


def _is_root(schema: Schema, fullname: str) -> bool:
    root = schema.root
    return isinstance(root, NamedType) and root.fullname == fullname


def _parse_with(raw: object, known: dict[str, NamedType], file: str) -> Schema | UnknownTypeError:
    """Parse, importing from ``known`` only the names the file uses and does not define.

    Passing every known type would make a file that defines a type another file also defines
    fail as "defined twice"; this is how the catalog resolves references too.
    """
    imported: dict[str, NamedType] = {}
    while True:
        try:
            return parse_schema(raw, named_types=imported, file=file)
        except UnknownTypeError as exc:
            found = next((c for c in exc.candidates if c in known and c not in imported), None)
            if found is None:
                return exc
            imported[found] = known[found]
        except SchemaError as exc:
            raise CodegenError(str(exc)) from None


def _folder_modules(folder: Path, files: list[Path], parsed: dict[Path, Schema]) -> list[Unit]:
    taken: dict[PurePosixPath, set[str]] = {}
    units = []
    for path in files:
        relative = path.relative_to(folder)
        parts: list[str] = []
        for part in relative.parent.parts:
            siblings = taken.setdefault(PurePosixPath(*parts), set())
            name = module_name(part, set()) if part else part
            siblings.add(name)
            parts.append(name)
        siblings = taken.setdefault(PurePosixPath(*parts), set())
        stem = module_name(relative.stem, siblings | {"_manifest"})
        siblings.add(stem)
        schema = parsed[path]
        units.append(
            Unit(
                path=PurePosixPath(*parts, stem + ".py"),
                schema=schema,
                source=_stable(path, folder),
                title=f"schema file {relative.as_posix()}",
                defines=list(schema.named.values()),
            )
        )
    return units

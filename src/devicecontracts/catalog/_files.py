"""Version files: ``<contract>/v1.avsc, v2.avsc, ...``, numbered from 1 without gaps.

`read_versions` reads each declared contract's files as text into its versions. What is not
where or what it should be (an undeclared folder of schemas, a declared contract without
files, a stray file, a gap in the numbering) becomes a `LoadProblem`; an unreadable file
becomes its version's ``problem``. Nothing here stops loading.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

from devicecontracts.catalog._consumers import CONSUMERS_FOLDER
from devicecontracts.catalog._contract_file import CONTRACT_FILE
from devicecontracts.catalog._model import (
    CATALOG_FILE,
    Catalog,
    Contract,
    LoadProblem,
    SchemaVersion,
    display_path,
    shown_as,
)
from devicecontracts.catalog.census import CENSUS_FOLDER
from devicecontracts.errors import CatalogError, Location, SchemaError

__all__ = ["read_versions"]

_VERSION_FILE = re.compile(r"v([1-9][0-9]*)\.avsc\Z")


def read_versions(catalog: Catalog) -> None:
    """Fill in every contract's versions, oldest first, and the problems found on the way."""
    catalog.problems += _undeclared_folders(catalog)
    for contract in catalog.contracts.values():
        numbered = _version_files(contract, catalog.problems)
        catalog.problems += _gaps(contract, numbered)
        if not numbered:
            contract.versions = []
            continue
        shown = _Shown(contract.folder)
        contract.versions = [
            _read_version(contract, n, numbered[n], shown) for n in sorted(numbered)
        ]


def _undeclared_folders(catalog: Catalog) -> Iterator[LoadProblem]:
    for entry in sorted(catalog.root.iterdir()):
        if entry.name == CENSUS_FOLDER:
            continue  # census reports (catalog/census.py), never a contract's folder
        if entry.name == CONSUMERS_FOLDER and entry.name not in catalog.contracts:
            continue  # consumer reader contracts (catalog/_consumers.py)
        if entry.is_dir() and entry.name not in catalog.contracts and any(entry.glob("*.avsc")):
            yield LoadProblem(
                "catalog-undeclared-folder",
                f"folder {entry.name}/ holds schemas but {CATALOG_FILE} does not declare it",
                f"add a [messages.{entry.name}] (or [shared.{entry.name}]) table to {CATALOG_FILE}",
                Location(display_path(entry)),
            )


def _version_files(contract: Contract, problems: list[LoadProblem]) -> dict[int, tuple[Path, bool]]:
    """The contract's version files by number, each with whether it is a symbolic link; a
    missing folder, an empty one and stray files are added to ``problems``."""
    folder = contract.folder
    _refuse_symlink_loop(folder)
    if not folder.is_dir():
        problems.append(
            LoadProblem(
                "catalog-missing-folder",
                f"{contract.kind} {contract.name!r} is declared but {folder.name}/ does not exist",
                f"create {folder.name}/v1.avsc or remove the table from {CATALOG_FILE}",
                Location(display_path(folder), contract.name),
            )
        )
        return {}
    numbered: dict[int, tuple[Path, bool]] = {}
    with os.scandir(folder) as listing:  # one listing; entries know if they are links
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith(".") or entry.name == CONTRACT_FILE:
            continue  # .gitkeep and editor files are not schemas; contract.toml is read apart
        path = folder / entry.name
        link = entry.is_symlink()
        if link:
            _refuse_symlink_loop(path)
        match = _VERSION_FILE.match(entry.name)
        if match:
            numbered[int(match[1])] = (path, link)
        elif path.suffix == ".avsc" or entry.is_file():
            problems.append(
                LoadProblem(
                    "catalog-stray-file",
                    f"{entry.name} is not a version file (v1.avsc, v2.avsc, ...)",
                    "rename it to the next version number, or move it out of the catalog",
                    Location(display_path(path), contract.name),
                )
            )
    if not numbered:
        problems.append(
            LoadProblem(
                "catalog-missing-folder",
                f"{contract.kind} {contract.name!r} is declared but {folder.name}/ holds no "
                "version files",
                f"add {folder.name}/v1.avsc or remove the table from {CATALOG_FILE}",
                Location(display_path(folder), contract.name),
            )
        )
    return numbered


def _refuse_symlink_loop(path: Path) -> None:
    """Raise `CatalogError` naming ``path`` when it is a symbolic link that never ends (one
    that points, maybe through others, back at itself): nothing can be read through it."""
    if not path.is_symlink():
        return
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11's pathlib reports a loop this way
        pass
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            return  # a dangling link: reading it reports the missing file
    else:
        return
    raise CatalogError(
        "a symbolic link loop (it points back at itself); replace it with the folder or file "
        "it should be",
        Location(path.as_posix()),
    )


def _gaps(contract: Contract, numbered: dict[int, tuple[Path, bool]]) -> Iterator[LoadProblem]:
    missing = sorted(set(range(1, max(numbered, default=0) + 1)) - set(numbered))
    if missing:
        yield LoadProblem(
            "catalog-version-gap",
            f"versions of {contract.name!r} are not numbered 1..n: missing "
            + ", ".join(f"v{m}" for m in missing),
            "released versions are never deleted or renumbered: restore the missing "
            "files from git history",
            Location(display_path(contract.folder), contract.name),
        )


class _Shown:
    """`display_path` for the files of one folder: the folder resolved once, a plain file's
    path shown as the folder's and its name (a symbolic link is resolved on its own)."""

    def __init__(self, folder: Path) -> None:
        resolved = folder.resolve()
        self.prefix = shown_as(folder, resolved)

    def __call__(self, path: Path, link: bool) -> str:
        if link:
            return display_path(path)
        # What shown_as(path, resolved / name) gives: the folder's form and the name.
        return path.name if self.prefix == "." else f"{self.prefix}/{path.name}"


def _read_version(
    contract: Contract, number: int, file: tuple[Path, bool], shown: _Shown
) -> SchemaVersion:
    path, link = file
    display = shown(path, link)
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        problem = SchemaError(f"cannot read the file: {exc}", Location(file=display))
        return SchemaVersion(contract.name, number, path, display, "", problem=problem)
    return SchemaVersion(contract.name, number, path, display, text)


def _read_text(path: Path) -> str:
    """``path.read_text(encoding="utf-8")``, newlines translated alike (CRLF and CR become LF),
    without a file object per file: the bytes read whole with system calls, then decoded."""
    try:
        data = _read_bytes(os.fspath(path))
    except OSError:
        # The error as a file object reports it (a folder named v1.avsc, say: os.open opens
        # it and only the read fails, without the file's name).
        with open(path, "rb") as f:
            data = f.read()
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_CHUNK = 1 << 16  # most schema files are read in one call, and the next read is empty


def _read_bytes(file: str) -> bytes:
    """The bytes of ``file`` to its end."""
    fd = os.open(file, os.O_RDONLY | _O_CLOEXEC)
    try:
        data = os.read(fd, _CHUNK)
        more = os.read(fd, _CHUNK) if data else b""
        if not more:
            return data
        chunks = [data, more]
        while more := os.read(fd, 1 << 20):
            chunks.append(more)
        return b"".join(chunks)
    finally:
        os.close(fd)


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

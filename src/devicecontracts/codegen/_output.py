"""Writing the generated files, or checking them against what is on disk.

No formatter runs: the generator lays the code out itself, and `HEADER` tells formatters to
leave it as written, so the bytes depend on the schemas and the generator only, on every machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ._render import GENERATED_MARK, LEGACY_MARK

__all__ = ["COPIED", "HEADER", "Changes", "apply", "diff", "with_header"]

Files = Mapping[PurePosixPath, str]

HEADER = (
    "# Laid out by the generator, not by a formatter: the same bytes whether or not one is"
    " installed.\n"
    "# fmt: off\n"
)
"""The first lines of every generated file: ``fmt: off`` keeps ruff format (and black) from
re-laying the code."""
COPIED = "_catalog"
"""The folder of the catalog copy in a package generated from a catalog (the runtime's
``devicecontracts._runtime.lookup.CATALOG_FOLDER``): every file in it is the generator's, and it
is compared byte for byte."""
LONG_LINES = "# ruff: noqa: E501\n"
"""Added to the header of a file with lines longer than 100 columns (schema literals, unions)."""


def with_header(text: str) -> str:
    """``text`` as a generated file: `HEADER` first (and `LONG_LINES` when it needs it)."""
    long = any(len(line) > 100 for line in text.splitlines())
    return HEADER + (LONG_LINES if long else "") + text


@dataclass
class Changes:
    """How the output folder differs from the generated files."""

    changed: list[PurePosixPath] = field(default_factory=list)
    added: list[PurePosixPath] = field(default_factory=list)
    removed: list[PurePosixPath] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    def describe(self) -> list[str]:
        """One line per differing file."""
        return (
            [f"changed: {p}" for p in self.changed]
            + [f"missing: {p}" for p in self.added]
            + [f"stale:   {p}" for p in self.removed]
        )


def diff(files: Files, out: Path) -> Changes:
    """What writing ``files`` to ``out`` would change.

    Generated files that the new output no longer has are stale; files without the generated
    mark are never touched.
    """
    changes = Changes()
    for path, text in sorted(files.items()):
        target = out / path
        if not target.exists():
            changes.added.append(path)
        elif _copied(path):
            if target.read_bytes() != text.encode("utf-8"):  # a copy is exact, line endings too
                changes.changed.append(path)
        elif target.read_text(encoding="utf-8") != text:
            changes.changed.append(path)
    if out.is_dir():
        existing = [*out.rglob("*.py"), *(p for p in (out / COPIED).rglob("*") if p.is_file())]
        for found in sorted(set(existing)):
            relative = PurePosixPath(found.relative_to(out).as_posix())
            if relative not in files and (_copied(relative) or _is_generated(found)):
                changes.removed.append(relative)
    return changes


def _copied(path: PurePosixPath) -> bool:
    """Whether ``path`` is in the catalog copy, which the generator owns whole."""
    return path.parts[:1] == (COPIED,)


def _is_generated(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8")[:2000]
        return GENERATED_MARK in head or LEGACY_MARK in head
    except (OSError, UnicodeDecodeError):
        return False


def apply(files: Files, out: Path, changes: Changes) -> None:
    """Write what changed; delete stale generated files (and folders left empty)."""
    for path in changes.changed + changes.added:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        # newline="" for the catalog copy: written exactly as its source was read.
        target.write_text(files[path], encoding="utf-8", newline="" if _copied(path) else None)
    for path in changes.removed:
        (out / path).unlink()
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if folder.name == "__pycache__":
            if not any(f for f in folder.parent.glob("*.py")):
                shutil.rmtree(folder)
            continue
        if not any(folder.iterdir()):
            folder.rmdir()

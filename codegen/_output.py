"""Formatting the generated files with ruff, and writing or checking them on disk.

Formatting runs ruff in isolated mode with fixed options (line length 100, imports sorted), so
the output depends on the input and the ruff version only, never on the caller's config.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from devicecontracts.errors import CodegenError

from ._render import GENERATED_MARK

__all__ = ["Changes", "apply", "diff", "format_files"]

Files = Mapping[PurePosixPath, str]


def format_files(files: Files, first_party: str) -> dict[PurePosixPath, str]:
    """The files as ``ruff check --select I --fix`` and ``ruff format`` leave them."""
    with tempfile.TemporaryDirectory(prefix="codegen-") as tmp:
        root = Path(tmp)
        for path, text in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        common = ["--isolated", "--line-length", "100", "--target-version", "py311"]
        _ruff(
            [
                "check",
                *common,
                "--select",
                "I",
                "--fix",
                "--quiet",
                "--exit-zero",
                "--config",
                f"lint.isort.known-first-party = [{first_party!r}]",
                str(root),
            ]
        )
        _ruff(["format", *common, "--quiet", str(root)])
        return {path: (root / path).read_text(encoding="utf-8") for path in files}


def _ruff(args: list[str]) -> None:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, check=False
        )
    except OSError as exc:  # pragma: no cover - no interpreter to run
        raise CodegenError(f"cannot run ruff: {exc}") from None
    if result.returncode != 0:
        if "No module named ruff" in result.stderr:
            raise CodegenError(
                "ruff formats the generated code but is not installed: pip install ruff (or "
                "the dev extra), or pass --no-format"
            )
        raise CodegenError(f"ruff failed on the generated code:\n{result.stderr.strip()}")


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
        elif target.read_text(encoding="utf-8") != text:
            changes.changed.append(path)
    if out.is_dir():
        for existing in sorted(out.rglob("*.py")):
            relative = PurePosixPath(existing.relative_to(out).as_posix())
            if relative not in files and _is_generated(existing):
                changes.removed.append(relative)
    return changes


def _is_generated(path: Path) -> bool:
    try:
        return GENERATED_MARK in path.read_text(encoding="utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return False


def apply(files: Files, out: Path, changes: Changes) -> None:
    """Write what changed; delete stale generated files (and folders left empty)."""
    for path in changes.changed + changes.added:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path], encoding="utf-8")
    for path in changes.removed:
        (out / path).unlink()
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if folder.name == "__pycache__":
            if not any(f for f in folder.parent.glob("*.py")):
                shutil.rmtree(folder)
            continue
        if not any(folder.iterdir()):
            folder.rmdir()

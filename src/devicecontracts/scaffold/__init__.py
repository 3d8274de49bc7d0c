"""The files of a new contracts repository, as ``contracts init`` writes them.

The templates are package data (``templates/``), so a wheel carries them. Writing is all or
nothing: `write_scaffold` refuses, before it writes a byte, when any file it would create is
already there (or a folder it needs is a file), so an existing repository is never changed.

The files and their templates are `SCAFFOLD`; ``contracts init --help`` says what each is for.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path, PurePosixPath

__all__ = ["SCAFFOLD", "conflicts", "scaffold_text", "write_scaffold"]

# Where each file goes in the new repository, and its template. Templates of Python files end
# in .template so that neither pytest nor the type checker takes them for this package's code.
SCAFFOLD: dict[PurePosixPath, str] = {
    PurePosixPath(path): template
    for path, template in (
        ("schemas/catalog.toml", "catalog.toml"),
        ("schemas/telemetry/v1.avsc", "telemetry_v1.avsc"),
        ("schemas/telemetry/contract.toml", "telemetry_contract.toml"),
        ("schemas/contracts.lock.json", "contracts.lock.json"),
        (".github/workflows/contracts.yml", "contracts.yml"),
        ("conftest.py", "conftest.py.template"),
        ("tests/test_contracts.py", "test_contracts.py.template"),
        ("README.md", "README.md"),
    )
}


def scaffold_text(path: PurePosixPath) -> str:
    """The text ``contracts init`` writes at ``path`` (a key of `SCAFFOLD`)."""
    return (files(__name__) / "templates" / SCAFFOLD[path]).read_text(encoding="utf-8")


def conflicts(root: Path) -> list[Path]:
    """What stands in the way under ``root``: files that exist, and files where a folder goes."""
    found: set[Path] = set()
    for relative in SCAFFOLD:
        target = root / relative
        if target.exists() or target.is_symlink():
            found.add(target)
        found.update(p for p in target.parents if p.is_file())
    return sorted(found)


def write_scaffold(root: Path) -> list[Path]:
    """Write every file of `SCAFFOLD` under ``root``; the paths written, in `SCAFFOLD` order.

    Raises `FileExistsError` naming every conflict, having written nothing, when there are any;
    other `OSError` (a read-only folder) as the system raises it.
    """
    blocking = conflicts(root)
    if blocking:
        raise FileExistsError(", ".join(str(p) for p in blocking))
    written = []
    for relative in SCAFFOLD:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # "x": should a file appear after the check, fail rather than overwrite it.
        with target.open("x", encoding="utf-8", newline="\n") as out:
            out.write(scaffold_text(relative))
        written.append(target)
    return written

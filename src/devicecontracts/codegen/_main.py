"""Running the generator as a command: generate, then write or check, and report.

`run` is the one implementation behind ``contracts codegen`` and this repository's
``python -m codegen``. Exit codes: 0 written or up to date; 1 ``check`` found models that differ;
2 input that cannot become models (an invalid catalog, an unresolvable named type).
"""

from __future__ import annotations

import sys
from pathlib import Path

from devicecontracts.errors import DeviceContractsError

__all__ = ["run"]


def run(schemas: Path, out: Path, package: str, *, check: bool, command: str) -> int:
    """Generate the package ``package`` into ``out`` from ``schemas`` (or, with ``check``, only
    compare); messages go to stdout and stderr; the exit code."""
    from devicecontracts.codegen import apply, diff, generate

    try:
        files = generate(schemas, out, package, command=command)
    except DeviceContractsError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    changes = diff(files, out)
    if check:
        if changes:
            print(f"codegen: the models in {out} are out of date:", file=sys.stderr)
            for line in changes.describe():
                print(f"  {line}", file=sys.stderr)
            print("regenerate them with: " + command, file=sys.stderr)
            return 1
        print(f"codegen: {len(files)} files in {out} are up to date")
        return 0
    apply(files, out, changes)
    touched = len(changes.changed) + len(changes.added) + len(changes.removed)
    print(f"codegen: {len(files)} files in {out}, {touched} written or removed")
    return 0

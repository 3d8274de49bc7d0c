"""``python -m codegen``: generate (or check) the typed models.

Exit codes: 0 written or up to date; 1 ``--check`` found models that differ; 2 bad usage or
input that cannot become models (an invalid catalog, an unresolvable named type).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devicecontracts.errors import DeviceContractsError

from . import DEFAULT_CATALOG, DEFAULT_OUT, DEFAULT_PACKAGE, apply, diff, generate

EPILOG = """\
examples:
  python -m codegen                  regenerate src/devicecontracts/models from schemas/
  python -m codegen --check          exit 1 when the committed models are not what it generates
  python -m codegen ../their/avro --out gen/theirmodels --package theirmodels

exit codes: 0 written or up to date, 1 --check found differences, 2 bad usage or input
"""


def main(argv: list[str] | None = None) -> int:
    """Run the generator; the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="Generate wire-faithful pydantic v2 models from Avro schemas: a catalog "
        "folder (with catalog.toml) or any folder of .avsc files.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "schemas",
        nargs="?",
        type=Path,
        help="catalog folder or folder of .avsc files (default: the repository's schemas/)",
    )
    parser.add_argument("--out", type=Path, help="output package folder")
    parser.add_argument("--package", help="dotted name the output folder is imported as")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output would change"
    )
    parser.add_argument(
        "--no-format", action="store_true", help="skip ruff (output then differs from CI's)"
    )
    args = parser.parse_args(argv)
    if args.schemas is None:
        schemas, out, package = DEFAULT_CATALOG, args.out or DEFAULT_OUT, args.package
        package = package or (DEFAULT_PACKAGE if args.out is None else None)
    else:
        schemas, out, package = args.schemas, args.out, args.package
    if out is None:
        parser.error("--out is needed when a schema folder is given")
    if package is None:
        package = out.name
        if not package.isidentifier():
            parser.error(f"--package is needed: {out.name!r} is not a Python package name")
    if not all(part.isidentifier() for part in package.split(".")):
        parser.error(f"--package {package!r} is not a dotted Python name")
    # Recorded in the manifest, so it must not depend on how paths were spelled today.
    command = (
        "python -m codegen"
        if args.schemas is None and args.out is None
        else f"python -m codegen SCHEMAS --out {out.name} --package {package}"
    )
    try:
        files = generate(schemas, out, package, command=command, format_code=not args.no_format)
    except DeviceContractsError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    changes = diff(files, out)
    if args.check:
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


if __name__ == "__main__":
    sys.exit(main())

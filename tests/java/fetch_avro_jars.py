"""Fetch the Apache Avro Java jars the differential test runs (tests/java/test_avro_java.py).

No Maven repository is needed: PySpark's source distributions on PyPI bundle Spark's jars,
Avro and its Jackson and SLF4J dependencies among them. For each Avro line this downloads one
PySpark sdist with pip (which checks the index's hash), extracts only the jars Avro's
``Schema.Parser`` and ``SchemaCompatibility`` need, checks each against the SHA-256 pinned
below, prints the hashes, and deletes the archive. A line whose jars are all present and intact
is skipped, so running it again costs nothing.

Usage: ``python tests/java/fetch_avro_jars.py [CACHE_DIR]`` (default: ``tests/java/.jars``).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path(__file__).resolve().parent / ".jars"


@dataclass(frozen=True)
class AvroLine:
    """One Avro release line: the PySpark sdist that bundles it and its jars' SHA-256."""

    name: str
    pyspark: str
    jars: dict[str, str]

    def folder(self, cache: Path) -> Path:
        """The folder this line's jars are cached in."""
        return cache / self.name


# Avro 1.11 is what Confluent Platform 7.x runs; 1.12 what CP 8.x and Confluent Cloud run.
LINES: tuple[AvroLine, ...] = (
    AvroLine(
        "avro-1.11",
        "pyspark==3.5.9",
        {
            "avro-1.11.5.jar": "b3c55da4c58304f823f4a2161a308888b9e7b8bc1c7387a4fa3ca1cd48617f93",
            "jackson-annotations-2.15.2.jar": (
                "04e21f94dcfee4b078fa5a5f53047b785aaba69d19de392f616e7a7fe5d3882f"
            ),
            "jackson-core-2.15.2.jar": (
                "303c99e82b1faa91a0bae5d8fbeb56f7e2adf9b526a900dd723bf140d62bd4b4"
            ),
            "jackson-databind-2.15.2.jar": (
                "0eb2fdad6e40ab8832a78c9b22f58196dd970594e8d3d5a26ead87847c4f3a96"
            ),
            "slf4j-api-2.0.7.jar": (
                "5d6298b93a1905c32cda6478808ac14c2d4a47e91535e53c41f7feeb85d946f4"
            ),
        },
    ),
    AvroLine(
        "avro-1.12",
        "pyspark==4.0.5",
        {
            "avro-1.12.0.jar": "1f5fbfff9b7427d6832cc3031a3c81413d3e21d9e2551847d9231c28493f9492",
            "jackson-annotations-2.18.6.jar": (
                "face5c37bee1f0768f5f198d077fc29d163becca95de9e0f13962c84d1047662"
            ),
            "jackson-core-2.18.6.jar": (
                "e7e1bfa50f0a79db37e6aa37db111cf03aebf4a484b359d21127ab43ab2398c6"
            ),
            "jackson-databind-2.18.6.jar": (
                "45d124736ea29dc374171fc1a8a9958e0f44407c1e0aae0297d8eee267fb592e"
            ),
            "slf4j-api-2.0.16.jar": (
                "a12578dde1ba00bd9b816d388a0b879928d00bab3c83c240f7013bf4196c579a"
            ),
        },
    ),
)


def sha256(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_complete(line: AvroLine, cache: Path) -> bool:
    """Whether every jar of ``line`` is in the cache with its pinned hash."""
    folder = line.folder(cache)
    return all(
        (folder / jar).is_file() and sha256(folder / jar) == digest
        for jar, digest in line.jars.items()
    )


def fetch(line: AvroLine, cache: Path) -> None:
    """Download ``line``'s PySpark sdist, extract and verify its jars, delete the archive."""
    folder = line.folder(cache)
    with tempfile.TemporaryDirectory() as tmp:
        # --no-binary for pyspark only: its build requirements may still come as wheels.
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        subprocess.run([*command, "--no-binary", "pyspark", line.pyspark, "-d", tmp], check=True)
        (archive,) = Path(tmp).glob("pyspark-*.tar.gz")
        staging = Path(tmp) / "jars"
        staging.mkdir()
        with tarfile.open(archive) as sdist:
            for member in sdist:
                name = member.name.rsplit("/", 1)[-1]
                if member.isfile() and "/jars/" in member.name and name in line.jars:
                    source = sdist.extractfile(member)
                    assert source is not None
                    with source, (staging / name).open("wb") as target:
                        shutil.copyfileobj(source, target)
        for jar, digest in line.jars.items():
            path = staging / jar
            if not path.is_file():
                raise SystemExit(f"{line.pyspark} has no {jar}")
            if sha256(path) != digest:
                raise SystemExit(
                    f"{jar} from {line.pyspark} has SHA-256 {sha256(path)}, not {digest}"
                )
        folder.mkdir(parents=True, exist_ok=True)
        for jar in line.jars:
            shutil.move(staging / jar, folder / jar)


def ensure(line: AvroLine, cache: Path) -> str:
    """Fetch ``line`` unless cached; say which and how long it took."""
    if is_complete(line, cache):
        return f"{line.name}: cached in {line.folder(cache)}"
    started = time.monotonic()
    fetch(line, cache)
    return f"{line.name}: fetched from {line.pyspark} in {time.monotonic() - started:.0f} s"


def main(argv: list[str]) -> int:
    """Fetch every line missing from the cache; print each jar's SHA-256."""
    cache = Path(argv[0]) if argv else DEFAULT_CACHE
    # The lines download in parallel: the time goes to the network, not the CPU.
    with ThreadPoolExecutor(max_workers=len(LINES)) as pool:
        reports = list(pool.map(lambda line: ensure(line, cache), LINES))
    for line, report in zip(LINES, reports, strict=True):
        print(report)
        for jar in sorted(line.jars):
            print(f"  {sha256(line.folder(cache) / jar)}  {jar}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

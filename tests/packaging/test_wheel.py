"""The wheel is one release artifact: models, the catalog they were generated from, the lock
with its ids, and the license, as an installed consumer sees them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
PACKAGED = "devicecontracts/models/_catalog"
# What a build reads; copied, so the build writes nothing into the shared working tree.
SOURCES = ("pyproject.toml", "MANIFEST.in", "LICENSE", "README.md", "src", "schemas")


def catalog_files() -> dict[str, bytes]:
    """The repository's catalog as a release must ship it: path under schemas/ to bytes."""
    paths = [
        SCHEMAS / "catalog.toml",
        SCHEMAS / "contracts.lock.json",
        *SCHEMAS.rglob("*.avsc"),
        *SCHEMAS.rglob("contract.toml"),
    ]
    return {p.relative_to(SCHEMAS).as_posix(): p.read_bytes() for p in paths}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the repository, as `pip wheel` builds it."""
    source = tmp_path_factory.mktemp("source")
    ignored = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=ignored)
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*command, "--no-index", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    (built,) = out.glob("devicecontracts-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked, as pip lays out a pure-Python wheel in site-packages."""
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run_installed(site: Path, script: str, *, cwd: Path | None = None) -> str:
    """Run ``script`` with the unpacked wheel ahead of the source tree on the import path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEVICECONTRACTS_", "SCHEMA_", "CONTRACTS_"))
    }
    env["PYTHONPATH"] = str(site)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=cwd or site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_wheel_carries_the_catalog_byte_for_byte(wheel: Path) -> None:
    """The wheel's packaged catalog is schemas/ exactly: catalog.toml, the lock, every .avsc
    and every contract.toml, nothing more, nothing less, byte for byte."""
    with zipfile.ZipFile(wheel) as archive:
        packaged = {
            name.removeprefix(PACKAGED + "/"): archive.read(name)
            for name in archive.namelist()
            if name.startswith(PACKAGED + "/")
        }
    expected = catalog_files()
    assert sorted(packaged) == sorted(expected)
    assert packaged == expected
    assert packaged["contracts.lock.json"] == (SCHEMAS / "contracts.lock.json").read_bytes()


def test_the_wheel_carries_the_license(wheel: Path) -> None:
    """The wheel holds the Apache-2.0 text and declares it as an SPDX expression (PEP 639)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (license_file,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = archive.read(license_file)
        headers = archive.read(metadata).decode().split("\n\n", 1)[0].splitlines()
    assert text == (REPO / "LICENSE").read_bytes()
    assert b"Apache License" in text and b"Version 2.0, January 2004" in text
    assert "License-Expression: Apache-2.0" in headers
    assert "License-File: LICENSE" in headers


def test_an_installed_release_reads_ids_from_its_own_lock(installed: Path) -> None:
    """Installed from the wheel, WriterSchemas.from_environment reads the packaged lock (here
    given ids for "dev") with only DEVICECONTRACTS_ENVIRONMENT set, and resolves an id to the
    packaged model of that version; DEVICECONTRACTS_LOCK overrides the packaged lock."""
    lock_path = installed / PACKAGED / "contracts.lock.json"
    lock = json.loads(lock_path.read_text())
    telemetry = lock["subjects"]["fleet.telemetry-value"]
    for number, entry in telemetry.items():
        entry["ids"] = {"dev": 100 + int(number)}
    lock_path.write_text(json.dumps(lock))
    other = installed / "other.lock.json"
    for entry in telemetry.values():
        entry["ids"] = {"dev": 900}
    other.write_text(json.dumps(lock))

    out = run_installed(
        installed,
        f"""
        import devicecontracts
        from devicecontracts._runtime.lookup import packaged_catalog
        from devicecontracts.serde import WriterSchemas
        schemas = WriterSchemas.from_environment(environ={{"DEVICECONTRACTS_ENVIRONMENT": "dev"}})
        print(devicecontracts.__file__)
        print(packaged_catalog())
        print(schemas.get(101).described, schemas.get(102).described)
        override = {{"DEVICECONTRACTS_ENVIRONMENT": "dev", "DEVICECONTRACTS_LOCK": {str(other)!r}}}
        print(sorted(WriterSchemas.from_environment(environ=override).ids.releases))
        """,
    )
    module, catalog, described, overridden = out.splitlines()
    assert Path(module).is_relative_to(installed)
    assert Path(catalog) == installed / PACKAGED
    assert described == "fleet.telemetry-value v1 fleet.telemetry-value v2"
    assert overridden == "[900]"


def test_an_installed_plugin_defaults_to_the_packaged_catalog(
    installed: Path, tmp_path: Path
) -> None:
    """Installed from the wheel, the pytest plugin loads the packaged catalog when no
    --contracts-catalog, ini setting or $CONTRACTS_CATALOG names one."""
    (tmp_path / "test_catalog.py").write_text(
        "def test_it(contracts_catalog):\n    print('ROOT', contracts_catalog.root)\n"
    )
    out = run_installed(
        installed,
        """
        import sys, pytest
        plugin = ["-p", "no:devicecontracts", "-p", "devicecontracts.testing.pytest_plugin"]
        sys.exit(pytest.main(["-q", "-s", "-p", "no:cacheprovider", *plugin]))
        """,
        cwd=tmp_path,
    )
    (root,) = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("ROOT ")]
    assert Path(root) == installed / PACKAGED

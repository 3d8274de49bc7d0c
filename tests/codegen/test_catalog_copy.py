"""A models package generated from a catalog carries that catalog: ``_catalog/`` beside the
models holds catalog.toml, every .avsc and the lock, byte for byte, and ``--check`` proves it
current, so any team's models package is one release artifact."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from devicecontracts.cli import main
from devicecontracts.codegen import generate

from ..support.codegen import ROOT

SCHEMAS = ROOT / "schemas"
MODELS = '\n[models]\npackage = "acme_models"\npath = "../src/acme_models"\n'


def catalog_bytes(root: Path) -> dict[str, bytes]:
    """catalog.toml, the lock, every .avsc and contract.toml under ``root``, by relative path."""
    paths = [
        root / "catalog.toml",
        root / "contracts.lock.json",
        *root.rglob("*.avsc"),
        *root.rglob("contract.toml"),
    ]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def acme(tmp_path: Path) -> Path:
    """A company's repository made by ``contracts init``, declaring ``acme_models``, its
    example message recorded in the lock by ``contracts lock``; its catalog folder."""
    repo = tmp_path / "acme"
    assert CliRunner().invoke(main, ["init", str(repo)]).exit_code == 0
    catalog = repo / "schemas"
    with (catalog / "catalog.toml").open("a", encoding="utf-8") as config:
        config.write(MODELS)
    locked = CliRunner().invoke(main, ["lock", "--catalog", str(catalog)])
    assert locked.exit_code == 0, locked.output
    return catalog


def codegen(catalog: Path, *extra: str) -> tuple[int, str]:
    """``contracts codegen --catalog CATALOG`` (plus ``extra``): exit code and output."""
    done = CliRunner().invoke(main, ["codegen", "--catalog", str(catalog), *extra])
    return done.exit_code, done.output


def test_the_repositorys_models_carry_schemas_byte_for_byte() -> None:
    """The committed copy in devicecontracts/models/_catalog is schemas/ exactly: the same
    files, the same bytes (the wheel ships this copy)."""
    copy = ROOT / "src" / "devicecontracts" / "models" / "_catalog"
    assert catalog_bytes(copy) == catalog_bytes(SCHEMAS)
    assert {p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()} == set(
        catalog_bytes(SCHEMAS)
    )


def test_the_copy_is_deterministic_and_exact(tmp_path: Path) -> None:
    """Generating twice gives the same files, and the copy keeps every byte of its source,
    CRLF line endings and non-ASCII docs included; no header is added to it."""
    catalog = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, catalog)
    v1 = catalog / "telemetry" / "v1.avsc"
    v1.write_bytes(v1.read_bytes().replace(b'"doc": "', b'"doc": "Gr\xc3\xbc\xc3\x9fe, ', 1))
    toml = catalog / "catalog.toml"
    toml.write_bytes(toml.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "gen" / "copied"
    first = generate(catalog, out, "copied")
    assert first == generate(catalog, out, "copied")
    copied = {
        str(path.relative_to("_catalog")): text.encode("utf-8")
        for path, text in first.items()
        if path.parts[0] == "_catalog"
    }
    assert copied == catalog_bytes(catalog)
    assert b"\r\n" in copied["catalog.toml"]


def test_check_fails_until_the_copy_follows_the_catalog(tmp_path: Path) -> None:
    """After ``contracts register`` records ids, ``codegen --check`` names the changed lock,
    exit 1; a removed version's copy is stale; regenerating writes the exact bytes and
    ``--check`` passes again."""
    catalog = acme(tmp_path)
    out = catalog.parent / "src" / "acme_models"
    assert codegen(catalog)[0] == 0
    assert catalog_bytes(out / "_catalog") == catalog_bytes(catalog)
    assert codegen(catalog, "--check")[0] == 0

    lock_path = catalog / "contracts.lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    for versions in lock["subjects"].values():
        for entry in versions.values():
            entry["ids"] = {"dev": 7}
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    code, output = codegen(catalog, "--check")
    assert code == 1, output
    assert "changed: _catalog/contracts.lock.json" in output

    assert codegen(catalog)[0] == 0
    assert (out / "_catalog" / "contracts.lock.json").read_bytes() == lock_path.read_bytes()
    assert codegen(catalog, "--check")[0] == 0

    stray = out / "_catalog" / "telemetry" / "v9.avsc"
    stray.write_text("{}", encoding="utf-8")
    code, output = codegen(catalog, "--check")
    assert code == 1 and "stale:   _catalog/telemetry/v9.avsc" in output, output
    assert codegen(catalog)[0] == 0
    assert not stray.exists()
    assert catalog_bytes(out / "_catalog") == catalog_bytes(catalog)


def test_check_catches_a_stale_contract_file(tmp_path: Path) -> None:
    """A contract's data contract (contract.toml) is copied too: editing a rule makes
    ``codegen --check`` name the copy and the version modules whose rule set changed."""
    catalog = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, catalog)
    (catalog / "catalog.toml").write_text(
        (catalog / "catalog.toml").read_text(encoding="utf-8").split("[models]")[0] + MODELS,
        encoding="utf-8",
    )
    out = tmp_path / "src" / "acme_models"
    assert codegen(catalog)[0] == 0
    assert codegen(catalog, "--check")[0] == 0
    contract = catalog / "telemetry" / "contract.toml"
    contract.write_text(
        contract.read_text(encoding="utf-8").replace("4500", "4600"), encoding="utf-8"
    )
    code, output = codegen(catalog, "--check")
    assert code == 1, output
    assert "changed: _catalog/telemetry/contract.toml" in output
    assert "changed: telemetry/v3.py" in output
    assert codegen(catalog)[0] == 0
    assert "4600" in (out / "telemetry" / "v3.py").read_text(encoding="utf-8")


def test_a_folder_of_schemas_gets_no_catalog_copy(tmp_path: Path) -> None:
    """Models generated from a plain folder of .avsc files (no catalog.toml) carry no
    _catalog/: there is no catalog or lock to pin."""
    folder = tmp_path / "avro"
    folder.mkdir()
    shutil.copy(acme(tmp_path) / "telemetry" / "v1.avsc", folder / "telemetry.avsc")
    files = generate(folder, tmp_path / "plain", "plain")
    assert files and not [p for p in files if p.parts[0] == "_catalog"]


def test_packaged_catalog_finds_the_generated_copy(tmp_path: Path) -> None:
    """In a fresh process with the generated package on the path, packaged_catalog names its
    _catalog folder, and WriterSchemas.from_environment reads that lock's ids."""
    catalog = acme(tmp_path)
    lock_path = catalog / "contracts.lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    (subject,) = lock["subjects"]
    lock["subjects"][subject]["1"]["ids"] = {"dev": 41}
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    assert codegen(catalog)[0] == 0
    src = catalog.parent / "src"
    script = (
        "from devicecontracts._runtime.lookup import packaged_catalog\n"
        "from devicecontracts.serde import WriterSchemas\n"
        "print(packaged_catalog('acme_models'))\n"
        "env = {'DEVICECONTRACTS_ENVIRONMENT': 'dev'}\n"
        "schemas = WriterSchemas.from_environment(environ=env, models_package='acme_models')\n"
        "print(schemas.get(41).described)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found, described = done.stdout.splitlines()
    assert Path(found) == src / "acme_models" / "_catalog"
    assert described == f"{subject} v1"

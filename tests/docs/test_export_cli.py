"""``contracts export asyncapi`` and ``contracts export backstage``: what they write, where,
and how they refuse bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from devicecontracts.catalog import load_catalog
from devicecontracts.catalog.lock import write_lock
from devicecontracts.cli import main
from devicecontracts.docs.asyncapi import asyncapi_document, backstage_entities

from ..support.asyncapi import asyncapi_errors, asyncapi_validator
from ..support.catalogs import BUNDLED, copy_bundled


@pytest.fixture(scope="module")
def validator() -> Any:
    return asyncapi_validator()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _with_ids(root: Path) -> Path:
    """A copy of the bundled catalog whose lock holds ids for ``prod`` (telemetry only)."""
    copy_bundled(root)
    catalog = load_catalog(root)
    telemetry = catalog.contracts["telemetry"]
    for number, v in enumerate(telemetry.versions, start=101):
        catalog.lock.record_id(telemetry.subject, v, "prod", number)
    write_lock(catalog.lock)
    return root


def _yaml() -> Any:
    return pytest.importorskip("yaml", reason="PyYAML reads the YAML back")


def test_asyncapi_to_stdout_is_the_valid_document(validator: Any) -> None:
    result = run("export", "asyncapi", "--catalog", str(BUNDLED))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == asyncapi_document(load_catalog(BUNDLED))
    assert asyncapi_errors(validator, document) == []
    telemetry = document["channels"]["fleet.telemetry"]["messages"]["telemetry_v3"]
    assert telemetry["bindings"]["kafka"]["key"]["type"] == "string"
    assert telemetry["x-producers"][-1] == "sensor-node firmware 3.x"
    assert result.stderr == ""


def test_asyncapi_to_a_yaml_file_by_its_suffix(validator: Any, tmp_path: Path) -> None:
    out = tmp_path / "api" / "asyncapi.yaml"
    result = run("export", "asyncapi", "--catalog", str(BUNDLED), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (AsyncAPI 3.0.0, 7 channels, " in result.stdout
    document = _yaml().safe_load(out.read_text(encoding="utf-8"))
    assert document == asyncapi_document(load_catalog(BUNDLED))
    assert asyncapi_errors(validator, document) == []
    again = run("export", "asyncapi", "--catalog", str(BUNDLED), "--format", "yaml")
    assert again.stdout == out.read_text(encoding="utf-8")  # byte for byte, stdout or file


def test_format_overrides_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.yaml"
    result = run(
        "export", "asyncapi", "--catalog", str(BUNDLED), "--out", str(out), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["asyncapi"] == "3.0.0"


def test_asyncapi_with_an_environments_ids(validator: Any, tmp_path: Path) -> None:
    root = _with_ids(tmp_path / "schemas")
    for flag in ("--env", "--environment"):
        result = run("export", "asyncapi", "--catalog", str(root), flag, "prod")
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert asyncapi_errors(validator, document) == []
        messages = document["channels"]["fleet.telemetry"]["messages"]
        ids = [messages[f"telemetry_v{n}"]["bindings"]["kafka"]["x-schema-id"] for n in (1, 2, 3)]
        assert ids == [101, 102, 103]
        assert document["x-environment"] == "prod"


def test_an_unknown_environment_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    root = _with_ids(tmp_path / "schemas")
    out = tmp_path / "asyncapi.json"
    result = run("export", "asyncapi", "--catalog", str(root), "--env", "prd", "--out", str(out))
    assert result.exit_code == 2
    assert "no schema ids for environment 'prd'" in result.stderr
    assert "environments with ids: prod" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    bare = run("export", "asyncapi", "--catalog", str(BUNDLED), "--env", "prod")
    assert bare.exit_code == 2
    assert "holds no ids yet (contracts register --env NAME records them)" in bare.stderr
    assert bare.stdout == ""


def test_an_unwritable_path_is_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    for command in ("asyncapi", "backstage"):
        out = blocker / "out.yaml"
        result = run("export", command, "--catalog", str(BUNDLED), "--out", str(out))
        assert result.exit_code == 2, result.output
        assert "cannot write" in result.stderr and str(out) in result.stderr
        assert "Traceback" not in result.output
    result = run("export", "asyncapi", "--catalog", str(BUNDLED), "--out", str(tmp_path))
    assert result.exit_code == 2  # a folder is no file
    assert "Traceback" not in result.output


def test_a_missing_catalog_is_exit_2(tmp_path: Path) -> None:
    for command in ("asyncapi", "backstage"):
        result = run("export", command, "--catalog", str(tmp_path / "nothing"))
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert result.stdout == ""


def test_backstage_writes_catalog_info(tmp_path: Path) -> None:
    out = tmp_path / "catalog-info.yaml"
    result = run("export", "backstage", "--catalog", str(BUNDLED), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (7 API entities)" in result.stdout
    entities = list(_yaml().safe_load_all(out.read_text(encoding="utf-8")))
    assert entities == backstage_entities(load_catalog(BUNDLED))
    for entity in entities:
        assert entity["apiVersion"] == "backstage.io/v1alpha1"
        assert entity["kind"] == "API"
        assert entity["metadata"]["name"]
        spec = entity["spec"]
        assert spec["type"] == "asyncapi"
        assert spec["lifecycle"] == "production"
        assert spec["owner"]
        assert spec["definition"] == {"$text": "./asyncapi.json"}


def test_backstage_options_and_a_missing_owner(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path / "schemas")
    (root / "alarm" / "contract.toml").unlink()
    result = run("export", "backstage", "--catalog", str(root))
    assert result.exit_code == 2
    assert "needs an owner" in result.stderr and "--owner" in result.stderr
    assert "Traceback" not in result.output
    url = "https://example.com/contracts/asyncapi.json"
    result = run(
        "export", "backstage", "--catalog", str(root), "--owner", "group:fleet",
        "--system", "fleet", "--definition", url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    entities = {e["metadata"]["title"]: e for e in _yaml().safe_load_all(result.stdout)}
    assert entities["alarm"]["spec"]["owner"] == "group:fleet"
    assert entities["alarm"]["spec"]["system"] == "fleet"
    assert entities["telemetry"]["spec"]["definition"] == {"$text": url}


def test_the_help_lists_the_exit_codes() -> None:
    for command in ("asyncapi", "backstage"):
        result = run("export", command, "--help")
        assert result.exit_code == 0
        assert "Exit codes:" in result.output

"""The README's GitHub Pages workflow is ``docs/examples/publish-docs.yml``, character for
character, and its ``contracts`` steps run: the site, the AsyncAPI YAML and catalog-info.yaml
they publish are built here, from the bundled catalog, by the same command lines."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devicecontracts.cli import main

from ..support.catalogs import copy_bundled
from ..support.models import REPO

WORKFLOW = REPO / "docs" / "examples" / "publish-docs.yml"


def _workflow() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the workflow")
    document: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def _runs(document: dict[str, Any]) -> list[str]:
    return [s["run"] for s in document["jobs"]["build"]["steps"] if "run" in s]


def test_the_readme_shows_the_example_workflow() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]]
    assert WORKFLOW.read_text(encoding="utf-8") in blocks


def test_the_workflow_builds_and_deploys_to_pages() -> None:
    document = _workflow()
    assert document["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = document["jobs"]["build"]["steps"]
    uses = [s["uses"].split("@")[0] for s in build if "uses" in s]
    assert uses[-2:] == ["actions/configure-pages", "actions/upload-pages-artifact"]
    assert build[-1]["with"] == {"path": "site"}
    deploy = document["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert "contracts docs --out site" in _runs(document)


def test_the_workflows_contracts_steps_build_what_it_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_bundled(tmp_path / "schemas")
    monkeypatch.chdir(tmp_path)  # the checkout: schemas/ is the default catalog
    monkeypatch.delenv("CONTRACTS_CATALOG", raising=False)
    commands = [shlex.split(r) for r in _runs(_workflow()) if r.startswith("contracts ")]
    assert len(commands) == 3
    for command in commands:
        result = CliRunner().invoke(main, command[1:])
        assert result.exit_code == 0, (command, result.output)
    site = tmp_path / "site"
    for name in ("index.html", "contracts/telemetry.html", "asyncapi.json", "asyncapi.yaml"):
        assert (site / name).is_file(), name
    yaml = pytest.importorskip("yaml")
    entities = list(yaml.safe_load_all((site / "catalog-info.yaml").read_text(encoding="utf-8")))
    assert len(entities) == 7
    # Each entity is defined by the document published beside it.
    assert {e["spec"]["definition"]["$text"] for e in entities} == {"./asyncapi.json"}

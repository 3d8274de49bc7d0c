"""Specification of ``contracts init`` and of the release workflows it and the README show."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.catalog._config import _LINE_KEYS, _MESSAGE_KEYS, _SHARED_KEYS
from devicecontracts.cli import ExitCode, main
from devicecontracts.scaffold import SCAFFOLD, scaffold_text

from ..support.catalogs import REPO

WORKFLOW = PurePosixPath(".github/workflows/contracts.yml")
# What a workflow may pip-install besides devicecontracts itself: published public packages.
PUBLISHED = {"pytest", "build", "twine"}


def run(*args: str) -> Result:
    """Run ``contracts`` with these arguments in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------
# contracts init


def test_init_writes_every_file_and_check_passes_on_the_result(tmp_path: Path) -> None:
    """init creates each scaffold file, says so, and `contracts check` is clean on the result."""
    result = run("init", str(tmp_path))
    assert result.exit_code == ExitCode.OK, result.output
    for relative in SCAFFOLD:
        assert (tmp_path / relative).read_text(encoding="utf-8") == scaffold_text(relative)
        assert f"created {tmp_path / relative}" in result.output
    checked = run("check", "--strict", "--catalog", str(tmp_path / "schemas"))
    assert checked.exit_code == ExitCode.OK, checked.output
    assert "0 errors, 0 warnings" in checked.output


def test_lock_then_check_passes_on_the_result(tmp_path: Path) -> None:
    """After init, `contracts lock` releases the example's v1 and the check stays clean."""
    run("init", str(tmp_path))
    catalog = str(tmp_path / "schemas")
    locked = run("lock", "--catalog", catalog)
    assert locked.exit_code == ExitCode.OK, locked.output
    assert "locked devices.telemetry-value v1" in locked.output
    lock = json.loads((tmp_path / "schemas/contracts.lock.json").read_text(encoding="utf-8"))
    assert list(lock["subjects"]) == ["devices.telemetry-value"]
    checked = run("check", "--strict", "--catalog", catalog)
    assert checked.exit_code == ExitCode.OK, checked.output
    assert "not yet released" not in checked.output


def test_init_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without DIR, init writes into the current folder."""
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == ExitCode.OK
    assert sorted(snapshot(tmp_path)) == sorted(str(p) for p in SCAFFOLD)


@settings(max_examples=25, deadline=None)
@given(st.sets(st.sampled_from(sorted(SCAFFOLD)), min_size=1))
def test_init_refuses_any_existing_file_and_writes_nothing(existing: set[PurePosixPath]) -> None:
    """With any scaffold file already there, init exits 2 naming each one and writes nothing."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for relative in existing:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text("mine\n", encoding="utf-8")
        before = snapshot(root)
        result = run("init", folder)
        assert result.exit_code == ExitCode.USAGE
        named = {line.strip() for line in result.output.splitlines()[1:]}
        assert named == {str(root / relative) for relative in existing}
        assert snapshot(root) == before


def test_init_refuses_a_file_where_a_folder_goes(tmp_path: Path) -> None:
    """A file named like a folder the scaffold needs is named, and nothing is written."""
    (tmp_path / "schemas").write_text("not a folder\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == ExitCode.USAGE
    assert str(tmp_path / "schemas") in result.output
    assert snapshot(tmp_path) == {"schemas": b"not a folder\n"}


def test_the_scaffolded_contract_tests_pass_with_the_plugin(tmp_path: Path) -> None:
    """The scaffold's conftest and property test run green under pytest with the plugin."""
    run("init", str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_the_example_message_has_a_doc_on_every_field() -> None:
    """The example record, its named types and each of its fields carry a doc."""
    schema = json.loads(scaffold_text(PurePosixPath("schemas/telemetry/v1.avsc")))
    assert schema["doc"]
    for field in schema["fields"]:
        assert field.get("doc"), field["name"]
        if isinstance(field["type"], dict) and "name" in field["type"]:
            assert field["type"].get("doc"), field["type"]["name"]


def test_the_catalog_template_teaches_every_key() -> None:
    """Each key catalog.toml accepts appears in the scaffold's catalog, set or commented."""
    text = scaffold_text(PurePosixPath("schemas/catalog.toml"))
    taught = {"disable", "warn", "package", "path", *_LINE_KEYS}
    for key in sorted(_MESSAGE_KEYS | _SHARED_KEYS | taught):
        assert re.search(rf"\b{key} = ", text), key
    for table in ("[messages.", "[shared.", "[rules]", "[models]"):
        assert table in text


def test_the_catalogs_commented_settings_work_when_uncommented(tmp_path: Path) -> None:
    """Uncommenting the catalog's example settings (but the [shared] one, which needs its
    folder) keeps `contracts check` clean once `contracts codegen` has written the models."""
    run("init", str(tmp_path))
    catalog = tmp_path / "schemas/catalog.toml"
    example = re.compile(
        r"^# ((line|compatibility|subject_strategy|subject|disable|warn|package|path) = .*"
        r"|\[rules\]|\[models\])$",
        re.M,
    )
    uncommented, count = example.subn(r"\1", catalog.read_text(encoding="utf-8"))
    assert count == 10
    catalog.write_text(uncommented, encoding="utf-8")
    schemas = str(tmp_path / "schemas")
    # No models generated yet: `contracts check` has no manifest to compare (see
    # staleness.declared_models); `contracts codegen --check` names the missing files.
    missing = run("codegen", "--check", "--catalog", schemas)
    assert missing.exit_code == ExitCode.FINDINGS, missing.output
    assert "devices_models" in missing.output
    generated = run("codegen", "--catalog", schemas)
    assert generated.exit_code == ExitCode.OK, generated.output
    assert (tmp_path / "src/devices_models/__init__.py").is_file()
    checked = run("check", "--strict", "--catalog", schemas)
    assert checked.exit_code == ExitCode.OK, checked.output
    (tmp_path / "schemas/telemetry/v2.avsc").write_text(
        (tmp_path / "schemas/telemetry/v1.avsc")
        .read_text(encoding="utf-8")
        .replace('"doc": "', '"doc": "v2: ', 1),
        encoding="utf-8",
    )
    stale = run("check", "--strict", "--catalog", schemas)
    assert stale.exit_code == ExitCode.FINDINGS, stale.output
    assert "stale-model" in stale.output


# ---------------------------------------------------------------------------------------------
# The release workflows: the scaffold's and the README's


def parse_workflow(text: str) -> Any:
    """The workflow as nested dicts, lists and strings: the YAML subset GitHub workflows use.

    No YAML parser is installed here, so this reads block mappings, block sequences, ``|``
    block scalars, plain or quoted scalars and nulls (flow collections stay strings), and fails
    on anything else: inconsistent indentation, tabs, a duplicate key, a line that is no key.
    """
    assert "\t" not in text, "tabs in YAML"
    lines: list[tuple[int, str]] = []
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        line = raw[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if stripped.endswith(": |"):
            block = []
            while i < len(raw) and (not raw[i].strip() or raw[i].startswith(" " * (indent + 1))):
                block.append(raw[i].strip())
                i += 1
            lines.append((indent, stripped + "\n".join(block)))
        else:
            lines.append((indent, stripped))
    value, end = _node(lines, 0, lines[0][0])
    assert end == len(lines), f"unparsed from {lines[end]}"
    return value


def _node(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- "):
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            # "- key: value" opens a mapping two columns in: parse it from a shifted copy.
            shifted = [*lines[:i], (indent + 2, lines[i][1][2:]), *lines[i + 1 :]]
            item, i = _node(shifted, i, indent + 2)
            items.append(item)
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        key, colon, rest = lines[i][1].partition(":")
        assert colon and re.fullmatch(r"[\w.-]+", key), f"not a key: {lines[i][1]!r}"
        assert key not in mapping, f"duplicate key {key!r}"
        rest = rest.strip()
        if rest.startswith("|"):
            mapping[key], i = rest[1:], i + 1
        elif rest:
            quoted = len(rest) > 1 and rest[0] == rest[-1] and rest[0] in "'\""
            mapping[key], i = (rest[1:-1] if quoted else rest), i + 1
        else:
            nested = i + 1 < len(lines) and (
                lines[i + 1][0] > indent
                or (lines[i + 1][0] == indent and lines[i + 1][1].startswith("- "))
            )
            if nested:
                mapping[key], i = _node(lines, i + 1, lines[i + 1][0])
            else:  # "key:" alone is null, as in "pull_request:"
                mapping[key], i = None, i + 1
    if i < len(lines):
        assert lines[i][0] < indent, f"bad indentation at {lines[i][1]!r}"
    return mapping, i


def readme_workflow() -> str:
    """The workflow in the README's release section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(# \.github/workflows/contracts\.yml\n.*?)```", readme, re.S)
    assert found, "the README shows no .github/workflows/contracts.yml"
    return found[1]


WORKFLOWS = {
    "scaffold": scaffold_text(WORKFLOW),
    "README": readme_workflow(),
}


def commands(workflow: Any) -> list[list[str]]:
    """Every command line of every ``run`` step, split as the shell would."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                if line.strip() and not line.strip().startswith("#"):
                    lines.append(shlex.split(line, comments=True))
    return lines


def test_the_workflow_parser_rejects_what_yaml_rejects() -> None:
    """The test's YAML reader fails on a bad indent, a duplicate key and a line that is no key."""
    for bad in ("a:\n  b: 1\n c: 2\n", "a: 1\na: 2\n", "a:\n  just text\n", "a:\n\tb: 1\n"):
        with pytest.raises(AssertionError):
            parse_workflow(bad)
    assert parse_workflow("a:\n  - b: 1\n    c: |\n      x\n      y\nd:\n") == {
        "a": [{"b": "1", "c": "x\ny"}],
        "d": None,
    }


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_the_workflow_checks_on_pull_requests_and_releases_on_a_tag(name: str) -> None:
    """check --registry on pull requests; register on a tag, one at a time, then the lock is
    committed with its ids, tagged, and the wheel built."""
    workflow = parse_workflow(WORKFLOWS[name])
    assert "pull_request" in workflow["on"]
    assert workflow["on"]["push"]["tags"] == '["schemas-v*"]'
    check, release = workflow["jobs"]["check"], workflow["jobs"]["release"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/schemas-v')"
    assert release["needs"] == "check"
    assert release["concurrency"] == {"group": "contracts-release", "cancel-in-progress": "false"}
    assert release["permissions"] == {"contents": "write"}
    assert all("uses" in step or "run" in step for job in (check, release) for step in job["steps"])
    in_check = [c for c in commands({"jobs": {"check": check}}) if c[:1] == ["contracts"]]
    assert ["contracts", "check", "--registry", "--env", "prod", "--format", "github"] in in_check
    released = " ".join(shlex.join(c) for c in commands({"jobs": {"release": release}}))
    order = [
        "contracts register --env prod",
        "git add schemas/contracts.lock.json",
        "git tag",
        "git push origin HEAD:main",
        "python -m build",
        "twine upload",
    ]
    positions = [released.find(part) for part in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_contracts_command_in_the_workflow_exists(name: str) -> None:
    """Each `contracts` command line the workflow runs parses with the real CLI, flags and all."""
    used = [c for c in commands(parse_workflow(WORKFLOWS[name])) if c[:1] == ["contracts"]]
    assert used
    for _, sub, *args in used:
        assert run(sub, "--help").exit_code == ExitCode.OK, sub
        command = main.commands[sub]
        # make_context parses the arguments exactly as a run would, without running anything.
        with command.make_context(sub, list(args)) as context:
            assert isinstance(context, click.Context)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_the_workflow_installs_nothing_unpublished(name: str) -> None:
    """pip installs only devicecontracts from a checkout, a git tag or a set index, and
    published tools; the scaffold's placeholder is refused until it is set."""
    text = WORKFLOWS[name]
    installs = [
        c for c in commands(parse_workflow(text)) if c[:4] == ["python", "-m", "pip", "install"]
    ]
    assert installs
    for command in installs:
        for argument in command[4:]:
            assert (
                argument in PUBLISHED or argument == "$DEVICECONTRACTS" or argument.startswith(".[")
            ), argument
    if name == "scaffold":
        spec = parse_workflow(text)["env"]["DEVICECONTRACTS"]
        assert " @ git+https://" in spec
        assert "*YOUR-ORG*|*X.Y.Z*" in text
    assert "pip install 'devicecontracts" not in text

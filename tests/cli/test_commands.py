"""Specification of the ``contracts`` command line (click's CliRunner, and one real process)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.cli import ExitCode, main
from devicecontracts.cli._shared import emit_findings, plural
from devicecontracts.cli.report import findings_document
from devicecontracts.findings import RULES, Finding, Severity

from ..support.catalogs import field, next_version, read_version, write_version

JSON_FINDING_KEYS = {
    "rule",
    "severity",
    "subject",
    "version",
    "previous_version",
    "file",
    "path",
    "line",
    "column",
    "message",
    "hint",
}
GITHUB_COMMAND = re.compile(
    r"::(error|warning) (file=[^,:]+)(,line=\d+)?(,col=\d+)?,title=[^,:]+::[^\r\n]+\Z"
)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run ``contracts`` with these arguments in-process."""
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def broken(catalog_dir: Path) -> Path:
    """A copy of the bundled catalog whose new alarm v4 adds a required field."""
    schema = read_version(catalog_dir, "alarm", 3)
    schema["fields"].append(field("firmware_build", "string"))
    next_version(catalog_dir, "alarm", schema)
    return catalog_dir


# ---------------------------------------------------------------------------------------------
# contracts check


def test_check_of_the_bundled_catalog_exits_0(bundled: Path) -> None:
    """``contracts check`` on the bundled catalog exits 0 with a summary line."""
    result = run("check", "--catalog", str(bundled))
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.stdout


def test_check_reads_the_catalog_from_the_environment(bundled: Path) -> None:
    """Without --catalog, $CONTRACTS_CATALOG names the catalog folder."""
    result = run("check", env={"CONTRACTS_CATALOG": str(bundled)})
    assert result.exit_code == 0, result.output


def test_check_with_a_break_exits_1(broken: Path) -> None:
    """A planted break makes ``contracts check`` exit 1."""
    assert run("check", "--catalog", str(broken)).exit_code == 1


def test_check_text_names_subject_versions_path_and_hint(broken: Path) -> None:
    """The text report names the subject, the new and old versions, the path and a hint."""
    out = run("check", "--catalog", str(broken)).stdout
    assert "[incompatible] fleet.alarms-value v4 at /fields/8" in out
    assert "version 3" in out
    assert "firmware_build" in out
    assert "hint: give field 'firmware_build' a default" in out


def test_check_text_points_at_file_line_and_column(broken: Path) -> None:
    """The text report starts the finding with file:line:column."""
    out = run("check", "--catalog", str(broken)).stdout
    assert re.search(r"alarm/v4\.avsc:\d+:\d+: error \[incompatible\]", out)


def test_check_json_has_the_documented_keys(broken: Path) -> None:
    """``--format json`` prints one JSON document with ok, summary and findings[]."""
    result = run("check", "--catalog", str(broken), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    assert doc["summary"]["errors"] == 1
    assert doc["summary"]["unreleased"] == [
        {"subject": "fleet.alarms-value", "version": 4},
        {"subject": "fleet.heartbeats-value", "version": 3},  # the bundled major break
    ]
    [finding] = doc["findings"]
    assert set(finding) >= JSON_FINDING_KEYS
    assert finding["rule"] == "incompatible"
    assert (finding["subject"], finding["version"], finding["previous_version"]) == (
        "fleet.alarms-value",
        4,
        3,
    )
    assert finding["path"] == "/fields/8"
    assert isinstance(finding["line"], int) and isinstance(finding["column"], int)


def test_check_json_of_a_clean_catalog_is_ok(bundled: Path) -> None:
    """A clean catalog's JSON report says ok with no findings."""
    doc = json.loads(run("check", "--catalog", str(bundled), "--format", "json").stdout)
    assert doc["ok"] is True
    assert doc["findings"] == []


def test_check_github_lines_are_workflow_commands(broken: Path) -> None:
    """``--format github`` prints ::error file=...,line=N,col=N,title=...::message lines."""
    lines = run("check", "--catalog", str(broken), "--format", "github").stdout.splitlines()
    *annotations, summary = lines
    assert annotations
    for line in annotations:
        assert GITHUB_COMMAND.match(line), line
    assert "%0AHint: " in annotations[0]
    assert summary.startswith("::notice ")


def test_invalid_schema_file_is_reported_without_a_traceback(catalog_dir: Path) -> None:
    """A malformed new schema file exits 1 with a finding naming file and line, no traceback."""
    write_version(catalog_dir, "alarm", 4, '{"type": "record",\n "name": }')
    result = run("check", "--catalog", str(catalog_dir))
    assert result.exit_code == 1
    assert re.search(r"alarm/v4\.avsc:2:10: error \[invalid-json\]", result.stdout)
    assert "Traceback" not in result.output


def test_strict_fails_on_warnings(catalog_dir: Path) -> None:
    """``--strict`` turns a warning-only report into exit 1."""
    schema = read_version(catalog_dir, "alarm", 3)
    del schema["fields"][3]["doc"]
    next_version(catalog_dir, "alarm", schema)
    assert run("check", "--catalog", str(catalog_dir)).exit_code == 0
    assert run("check", "--catalog", str(catalog_dir), "--strict").exit_code == 1


def test_missing_catalog_exits_2_with_one_line(tmp_path: Path) -> None:
    """A missing catalog exits 2 with a one-line message on stderr and no traceback."""
    result = run("check", "--catalog", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("contracts: ")
    assert "Traceback" not in result.stderr


def test_malformed_catalog_toml_exits_2(catalog_dir: Path) -> None:
    """catalog.toml that is not TOML exits 2 naming the file and line."""
    (catalog_dir / "catalog.toml").write_text("[messages.x\n")
    result = run("check", "--catalog", str(catalog_dir))
    assert result.exit_code == 2
    assert "catalog.toml:1" in result.stderr


def test_malformed_lock_exits_2(catalog_dir: Path) -> None:
    """A lock file that is not JSON exits 2 (configuration), not 1."""
    (catalog_dir / "contracts.lock.json").write_text("{")
    result = run("check", "--catalog", str(catalog_dir))
    assert result.exit_code == 2
    assert "contracts.lock.json" in result.stderr


def test_unknown_flag_exits_2() -> None:
    """An unknown flag exits 2."""
    result = run("check", "--no-such-flag")
    assert result.exit_code == 2
    assert "no-such-flag" in result.stderr


def test_unknown_format_exits_2(bundled: Path) -> None:
    """An unknown --format value exits 2."""
    assert run("check", "--catalog", str(bundled), "--format", "xml").exit_code == 2


def test_unknown_command_exits_2() -> None:
    """An unknown command exits 2."""
    assert run("frobnicate").exit_code == 2


# ---------------------------------------------------------------------------------------------
# contracts diff


def test_diff_lists_changes_and_levels(bundled: Path) -> None:
    """``contracts diff telemetry 1 3`` lists the fields added and which levels hold."""
    result = run("diff", "telemetry", "1", "3", "--catalog", str(bundled))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == "fleet.telemetry-value: v1 -> v3"
    assert out.count("field-added") == 3
    assert "battery_mv" in out
    assert "holds: BACKWARD, FORWARD, FULL" in out
    assert "subject level: FULL_TRANSITIVE" in out


def test_diff_defaults_to_the_last_two_versions(bundled: Path) -> None:
    """Without versions, diff compares the latest version with the one before."""
    out = run("diff", "fleet.telemetry-value", "--catalog", str(bundled)).stdout
    assert out.splitlines()[0] == "fleet.telemetry-value: v2 -> v3"


def test_diff_json(bundled: Path) -> None:
    """``contracts diff --format json`` gives the changes and the verdict per level."""
    result = run("diff", "telemetry", "1", "3", "--catalog", str(bundled), "--format", "json")
    doc = json.loads(result.stdout)
    assert (doc["subject"], doc["old"], doc["new"]) == ("fleet.telemetry-value", 1, 3)
    assert [c["kind"] for c in doc["changes"]].count("field-added") == 3
    assert doc["compatible"] == {"BACKWARD": True, "FORWARD": True, "FULL": True}


def test_diff_shows_a_break(broken: Path) -> None:
    """A diff across a required field says which levels break."""
    out = run("diff", "alarm", "3", "4", "--catalog", str(broken)).stdout
    assert "field-added-without-default" in out
    assert "breaks: BACKWARD, FULL" in out


@pytest.mark.parametrize("versions", [["1", "9"], ["0", "2"], ["x"]], ids=["9", "0", "x"])
def test_diff_with_a_bad_version_exits_2(bundled: Path, versions: list[str]) -> None:
    """A version that does not exist (or is not a number) exits 2."""
    result = run("diff", "telemetry", *versions, "--catalog", str(bundled))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_diff_with_an_unknown_subject_exits_2(bundled: Path) -> None:
    """An unknown subject exits 2 and lists the known subjects."""
    result = run("diff", "fleet.nope-value", "--catalog", str(bundled))
    assert result.exit_code == 2
    assert "fleet.telemetry-value" in result.stderr


# ---------------------------------------------------------------------------------------------
# contracts lock


def test_lock_refuses_while_check_has_errors(broken: Path) -> None:
    """``contracts lock`` exits 1 and leaves the lock untouched while there are errors."""
    lock_file = broken / "contracts.lock.json"
    before = lock_file.read_text()
    result = run("lock", "--catalog", str(broken))
    assert result.exit_code == 1
    assert "nothing was locked" in result.stderr
    assert lock_file.read_text() == before


def test_lock_records_new_versions(catalog_dir: Path) -> None:
    """``contracts lock`` records a new clean version; the next check has nothing pending."""
    schema = read_version(catalog_dir, "alarm", 3)
    schema["fields"].append(field("note", ["null", "string"], default=None))
    next_version(catalog_dir, "alarm", schema)
    result = run("lock", "--catalog", str(catalog_dir))
    assert result.exit_code == 0, result.output
    assert "locked fleet.alarms-value v4" in result.stdout
    locked = json.loads((catalog_dir / "contracts.lock.json").read_text())
    assert "4" in locked["subjects"]["fleet.alarms-value"]
    doc = json.loads(run("check", "--catalog", str(catalog_dir), "--format", "json").stdout)
    assert doc["summary"]["unreleased"] == []


def test_locked_version_can_no_longer_be_edited(catalog_dir: Path) -> None:
    """After ``contracts lock``, editing the new version fails the check."""
    schema = read_version(catalog_dir, "alarm", 3)
    schema["fields"].append(field("note", ["null", "string"], default=None))
    next_version(catalog_dir, "alarm", schema)
    assert run("lock", "--catalog", str(catalog_dir)).exit_code == 0
    schema["doc"] = "Edited after release."
    write_version(catalog_dir, "alarm", 4, schema)
    result = run("check", "--catalog", str(catalog_dir))
    assert result.exit_code == 1
    assert "released-version-changed" in result.stdout


def test_lock_with_nothing_new_says_so(catalog_dir: Path) -> None:
    """``contracts lock`` on a fully released catalog exits 0 and changes nothing."""
    assert run("lock", "--catalog", str(catalog_dir)).exit_code == 0  # heartbeat v3, pending
    before = (catalog_dir / "contracts.lock.json").read_text()
    result = run("lock", "--catalog", str(catalog_dir))
    assert result.exit_code == 0
    assert "nothing to lock" in result.stdout
    assert (catalog_dir / "contracts.lock.json").read_text() == before


# ---------------------------------------------------------------------------------------------
# contracts rules, help, version


def test_rules_lists_every_rule_id() -> None:
    """``contracts rules`` prints one line per rule id in RULES."""
    out = run("rules").stdout
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert listed == list(RULES)


@pytest.mark.parametrize("command", [[], ["check"], ["diff"], ["lock"]], ids=repr)
def test_help_documents_exit_codes(command: list[str]) -> None:
    """``--help`` of the tool and of each command documents exit codes 0, 1, 2 and 3."""
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Exit codes" in result.stdout
    for code in ("0  clean", "1  findings", "2  bad usage", "3  the schema registry"):
        assert code in result.stdout


@pytest.mark.parametrize(
    "command",
    [["register"], ["test"], ["registry", "serve"]],
    ids=" ".join,
)
def test_help_lists_every_exit_code_with_its_number(command: list[str]) -> None:
    """``--help`` of the registry and test commands lists each `ExitCode` by its number too."""
    result = run(*command, "--help")
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    for code in ExitCode:
        assert any(line.startswith(f"{code.value}  ") for line in lines), code


@given(st.integers(min_value=0, max_value=10**6))
def test_plural_says_the_count_and_adds_s_unless_one(count: int) -> None:
    """``plural(n, noun)`` is the count, a space and the noun, with an s unless the count is 1."""
    assert plural(count, "error") == f"{count} error" + ("" if count == 1 else "s")


SECRET = "hunter2-secret"


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_emit_findings_redacts_every_format(
    output_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`emit_findings` passes everything it prints through ``redact``, whatever the format."""
    finding = Finding(
        rule="incompatible",
        severity=Severity.ERROR,
        message=f"refused by https://key:{SECRET}@registry.invalid",
    )
    emit_findings(
        [finding],
        output_format,
        summary=f"summary naming {SECRET}",
        document=findings_document([finding], {"note": SECRET}),
        command="contracts check",
        redact=lambda text: text.replace(SECRET, "***"),
    )
    out = capsys.readouterr().out
    assert SECRET not in out
    assert "***" in out


def test_version_flag() -> None:
    """``contracts --version`` prints the package version."""
    from devicecontracts import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_console_script_runs_check(bundled: Path, tmp_path: Path) -> None:
    """The installed ``contracts`` console script checks the bundled catalog and exits 0."""
    script = Path(sys.executable).with_name("contracts")
    completed = subprocess.run(
        [str(script), "check", "--catalog", str(bundled)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "contracts check:" in completed.stdout


def test_console_script_exit_2_without_catalog(tmp_path: Path) -> None:
    """Run where no schemas/ folder exists, the console script exits 2 without a traceback."""
    script = Path(sys.executable).with_name("contracts")
    completed = subprocess.run(
        [str(script), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("contracts: ")

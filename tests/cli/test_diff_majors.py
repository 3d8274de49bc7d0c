"""Specification of ``contracts diff`` across majors: between versions of different majors
(a compatibility group in contract.toml) it shows the break and the migration rules that
bridge it, name, mode and expression, in text and JSON; within a major nothing changes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from devicecontracts.cli import ExitCode, main

UPGRADE = "uptime_s_to_uptime_ms"
DOWNGRADE = "uptime_ms_to_uptime_s"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_diff_across_heartbeat_majors_shows_the_break_and_its_bridge(bundled: Path) -> None:
    result = run("diff", "heartbeat", "2", "3", "--catalog", str(bundled))
    assert result.exit_code == ExitCode.OK, result.output
    out = result.output
    assert "major break: v2 is in major 1, v3 in major 2 (compatibility group major_version)" in out
    assert f"v3 {UPGRADE} (UPGRADE)" in out
    assert f"v3 {DOWNGRADE} (DOWNGRADE)" in out
    assert ": uptime_s * 1000}])" in out
    assert "$floor(uptime_ms / 1000)" in out
    assert "not bridged" not in out


def test_diff_across_majors_as_json(bundled: Path) -> None:
    result = run("diff", "heartbeat", "3", "1", "--catalog", str(bundled), "--format", "json")
    assert result.exit_code == ExitCode.OK, result.output
    document = json.loads(result.output)
    crossing = document["major_break"]
    assert (crossing["group"], crossing["old_major"], crossing["new_major"]) == (
        "major_version",
        2,
        1,
    )
    assert [(m["version"], m["name"], m["mode"]) for m in crossing["migrations"]] == [
        (3, UPGRADE, "UPGRADE"),
        (3, DOWNGRADE, "DOWNGRADE"),
    ]
    assert all(m["expr"].startswith("$merge(") for m in crossing["migrations"])


def test_diff_within_a_major_is_unchanged(bundled: Path) -> None:
    text = run("diff", "heartbeat", "1", "2", "--catalog", str(bundled)).output
    assert "major" not in text
    document = json.loads(
        run("diff", "heartbeat", "1", "2", "--catalog", str(bundled), "--format", "json").output
    )
    assert set(document) == {"subject", "old", "new", "changes", "compatible", "subject_level"}


def test_diff_of_a_contract_without_a_group_shows_no_break(bundled: Path) -> None:
    document = json.loads(
        run("diff", "telemetry", "--catalog", str(bundled), "--format", "json").output
    )
    assert "major_break" not in document


def test_an_unbridged_break_says_so(catalog_dir: Path) -> None:
    contract = catalog_dir / "heartbeat" / "contract.toml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.split("[[migrations]]")[0], encoding="utf-8")
    out = run("diff", "heartbeat", "--catalog", str(catalog_dir)).output
    assert "major break" in out
    assert "no migration rules bridge it" in out
    assert "major-without-migration" in out

    upgrade_only = "[[migrations]]".join(text.split("[[migrations]]")[:2])
    contract.write_text(upgrade_only, encoding="utf-8")
    out = run("diff", "heartbeat", "--catalog", str(catalog_dir)).output
    assert f"v3 {UPGRADE} (UPGRADE)" in out
    assert "no DOWNGRADE migration: that direction is not bridged" in out

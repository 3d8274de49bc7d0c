"""Specification of ``contracts check`` as a function: `devicecontracts.check.check_catalog`.

Every test works on a copy of the bundled catalog (``catalog_dir``) or on a small catalog built
in a temporary folder, never on ``schemas/`` itself.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from devicecontracts.catalog import load_catalog, record_releases
from devicecontracts.catalog.lock import write_lock
from devicecontracts.check._jsonpos import locate
from devicecontracts.findings import RULES, Severity

from ..support.catalogs import (
    check,
    field,
    make_catalog,
    message_toml,
    next_version,
    read_version,
    record,
    with_rule,
    write_version,
)

# ---------------------------------------------------------------------------------------------
# The bundled catalog


def test_bundled_catalog_has_no_findings(bundled: Path) -> None:
    """The bundled catalog checks clean: no errors, no warnings; only heartbeat v3, the
    deliberate major break, is not released yet."""
    report = check(bundled)
    assert report.findings == []
    assert report.ok
    assert report.pending == [("fleet.heartbeats-value", 3)]


def test_report_counts_subjects_and_versions(bundled: Path) -> None:
    """The report says how many subjects and versions were checked."""
    catalog = load_catalog(bundled)
    report = check(bundled)
    assert report.subjects == len(catalog.contracts)
    assert report.versions == sum(len(c.versions) for c in catalog.contracts.values())


def test_new_version_is_listed_as_pending(catalog_dir: Path) -> None:
    """A version not in the lock is listed as not yet released."""
    number = next_version(catalog_dir, "alarm", read_version(catalog_dir, "alarm", 3))
    # heartbeat v3, the bundled catalog's major break, is pending too
    assert check(catalog_dir).pending == [
        ("fleet.alarms-value", number),
        ("fleet.heartbeats-value", 3),
    ]


# ---------------------------------------------------------------------------------------------
# Wire compatibility


@pytest.fixture
def required_field_added(catalog_dir: Path) -> Path:
    """The bundled catalog plus alarm v4 adding a required field (alarm is BACKWARD_TRANSITIVE)."""
    schema = read_version(catalog_dir, "alarm", 3)
    schema["fields"].append(field("firmware_build", "string"))
    next_version(catalog_dir, "alarm", schema)
    return catalog_dir


def test_required_field_on_backward_transitive_subject_is_incompatible(
    required_field_added: Path,
) -> None:
    """Adding a field without default to a BACKWARD_TRANSITIVE subject fails with `incompatible`."""
    report = check(required_field_added)
    assert not report.ok
    [finding] = with_rule(report, "incompatible")
    assert finding.severity is Severity.ERROR
    assert finding.subject == "fleet.alarms-value"
    assert finding.version == 4
    assert finding.previous_version == 3


def test_incompatible_finding_locates_the_field(required_field_added: Path) -> None:
    """The incompatible finding points at the new field: file, schema path, line and column."""
    [finding] = with_rule(check(required_field_added), "incompatible")
    assert finding.file is not None and finding.file.endswith("alarm/v4.avsc")
    assert finding.path == "/fields/8"
    text = (required_field_added / "alarm" / "v4.avsc").read_text().splitlines()
    assert finding.line is not None and finding.column is not None
    assert text[finding.line - 1][finding.column - 1 :].startswith("{")
    assert "firmware_build" in "\n".join(text[finding.line - 1 : finding.line + 3])


def test_incompatible_finding_names_field_and_hints_a_default(required_field_added: Path) -> None:
    """The message names the field; the hint suggests a default such as ["null", T] with null."""
    [finding] = with_rule(check(required_field_added), "incompatible")
    assert "firmware_build" in finding.message
    assert "BACKWARD_TRANSITIVE" in finding.message
    assert "default" in finding.hint
    assert '["null", "string"]' in finding.hint


def test_incompatible_finding_lists_every_version_it_breaks(required_field_added: Path) -> None:
    """A break against several versions names the others too."""
    [finding] = with_rule(check(required_field_added), "incompatible")
    assert "v2" in finding.message and "v1" in finding.message


@pytest.fixture
def transitive_only_break(catalog_dir: Path) -> Path:
    """Heartbeat v3 drops the default of free_memory_bytes, which v2 added: only v1 breaks."""
    schema = read_version(catalog_dir, "heartbeat", 2)
    free_memory = next(f for f in schema["fields"] if f["name"] == "free_memory_bytes")
    del free_memory["default"]
    # In place of the bundled v3 (a new major, compared with no earlier version): one major.
    write_version(catalog_dir, "heartbeat", 3, schema)
    (catalog_dir / "heartbeat" / "contract.toml").write_text('owner = "fleet-platform"\n')
    return catalog_dir


def test_transitive_only_break_names_the_old_version(transitive_only_break: Path) -> None:
    """A break only against v1 is reported with previous_version 1, not the latest version."""
    [finding] = with_rule(check(transitive_only_break), "incompatible")
    assert finding.subject == "fleet.heartbeats-value"
    assert finding.version == 3
    assert finding.previous_version == 1
    assert "version 1" in finding.message


def test_transitive_only_break_says_latest_only_checks_would_pass(
    transitive_only_break: Path,
) -> None:
    """The message warns that a check against the latest version only would miss the break."""
    [finding] = with_rule(check(transitive_only_break), "incompatible")
    assert "v2 is fine" in finding.message
    assert "latest only" in finding.message


def test_latest_only_remark_is_absent_when_the_latest_version_breaks_too(
    catalog_dir: Path,
) -> None:
    """When v4 breaks against v3 as well, no finding claims a latest-only check would pass."""
    schema = read_version(catalog_dir, "telemetry", 3)
    battery = next(f for f in schema["fields"] if f["name"] == "battery_mv")
    battery["type"] = "int"
    del battery["default"]
    next_version(catalog_dir, "telemetry", schema)
    findings = with_rule(check(catalog_dir), "incompatible")
    assert any(f.previous_version == 3 for f in findings)
    assert [f.message for f in findings if "latest only" in f.message] == []


def enum_command(symbols: list[str]) -> dict[str, Any]:
    """A command whose action enum has these symbols and no enum-level default."""
    action = {"type": "enum", "name": "Action", "doc": "What to do.", "symbols": symbols}
    return record("Command", [field("action", action)])


@pytest.fixture
def command_symbol_added(tmp_path: Path) -> Path:
    """A cloud-to-device command whose v2 adds an enum symbol the v1 enum cannot default."""
    return make_catalog(
        tmp_path,
        message_toml("command", direction="cloud-to-device"),
        {"command": [enum_command(["REBOOT", "PING"]), enum_command(["REBOOT", "PING", "RESET"])]},
    )


def test_new_symbol_breaks_forward_transitive_without_enum_default(
    command_symbol_added: Path,
) -> None:
    """On a FORWARD_TRANSITIVE command, a new symbol old firmware cannot read is incompatible."""
    [finding] = with_rule(check(command_symbol_added), "incompatible")
    assert finding.subject == "fleet.command-value"
    assert (finding.version, finding.previous_version) == (2, 1)
    assert "RESET" in finding.message
    assert "FORWARD_TRANSITIVE" in finding.message


def test_forward_break_is_located_in_a_file(command_symbol_added: Path) -> None:
    """A forward break carries a schema path and line, like a backward one."""
    [finding] = with_rule(check(command_symbol_added), "incompatible")
    assert finding.path is not None
    assert finding.line is not None


def test_new_symbol_is_fine_when_the_old_enum_has_a_default(tmp_path: Path) -> None:
    """With an enum-level default in v1, adding a symbol passes FORWARD_TRANSITIVE."""
    v1, v2 = enum_command(["UNKNOWN", "REBOOT"]), enum_command(["UNKNOWN", "REBOOT", "RESET"])
    for schema in (v1, v2):
        schema["fields"][0]["type"]["default"] = "UNKNOWN"
    root = make_catalog(
        tmp_path, message_toml("command", direction="cloud-to-device"), {"command": [v1, v2]}
    )
    assert check(root).findings == []


def test_every_version_is_checked_not_only_the_newest(tmp_path: Path) -> None:
    """An old bad step (v2 breaking v1) is reported even when v3 is fine against v2."""
    v1 = record("Reading", [field("a", "int")])
    v2 = record("Reading", [field("a", "int"), field("b", "int")])
    v3 = record("Reading", [field("a", "int"), field("b", "int")], doc="Third.")
    root = make_catalog(tmp_path, message_toml(compatibility="BACKWARD"), {"reading": [v1, v2, v3]})
    root.joinpath("catalog.toml").write_text(
        message_toml(compatibility="BACKWARD") + '[rules]\ndisable = ["level-below-minimum"]\n'
    )
    findings = with_rule(check(root), "incompatible")
    assert [(f.version, f.previous_version) for f in findings] == [(2, 1)]


def _incompatible_hint(tmp_path: Path, compatibility: str, v1: Any, v2: Any) -> str:
    """The hint of the one incompatible finding of v1 -> v2 at ``compatibility``."""
    toml = message_toml(
        compatibility=compatibility, extra='[rules]\ndisable = ["level-below-minimum"]\n'
    )
    root = make_catalog(tmp_path, toml, {"reading": [v1, v2]})
    [finding] = with_rule(check(root), "incompatible")
    return finding.hint


def test_hint_names_a_nested_field_with_its_type(tmp_path: Path) -> None:
    """A required field added inside a nested record is named in the hint, with its own type."""
    inner = [field("x", "int")]
    v1 = record("Reading", [field("at", record("Place", inner))])
    v2 = record("Reading", [field("at", record("Place", [*inner, field("zone", "long")]))])
    hint = _incompatible_hint(tmp_path, "BACKWARD", v1, v2)
    assert "'zone'" in hint and '["null", "long"]' in hint


def test_hint_for_a_field_old_readers_need_says_keep_it(tmp_path: Path) -> None:
    """Removing a field old readers need without a default (FORWARD) hints to keep the field."""
    v1 = record("Reading", [field("a", "int"), field("b", "int")])
    v2 = record("Reading", [field("a", "int")])
    hint = _incompatible_hint(tmp_path, "FORWARD", v1, v2)
    assert hint.startswith("keep field 'b'")


def test_hint_for_removed_enum_symbols_depends_on_the_direction(tmp_path: Path) -> None:
    """Removed symbols hint differently to new readers (BACKWARD) than to old ones (FORWARD)."""
    kind = {"type": "enum", "name": "Kind", "symbols": ["A", "B"], "doc": "Kind."}
    v1 = record("Reading", [field("k", kind)])
    v2 = record("Reading", [field("k", {**kind, "symbols": ["A"]})])
    assert "do not remove enum symbols" in _incompatible_hint(tmp_path / "b", "BACKWARD", v1, v2)
    assert "old readers' enum" in _incompatible_hint(tmp_path / "f", "FORWARD", v2, v1)


# ---------------------------------------------------------------------------------------------
# The lock of released versions


def test_released_version_with_a_doc_change_is_reported(catalog_dir: Path) -> None:
    """Editing only a doc of a released version is released-version-changed."""
    schema = read_version(catalog_dir, "alarm", 2)
    schema["doc"] = "A reworded doc."
    write_version(catalog_dir, "alarm", 2, schema)
    [finding] = with_rule(check(catalog_dir), "released-version-changed")
    assert (finding.subject, finding.version) == ("fleet.alarms-value", 2)
    assert finding.file is not None and finding.file.endswith("alarm/v2.avsc")


def test_released_version_with_a_type_change_is_reported(catalog_dir: Path) -> None:
    """Changing a field type in a released version is released-version-changed (canonical form)."""
    schema = read_version(catalog_dir, "alarm", 2)
    code = next(f for f in schema["fields"] if f["name"] == "code")
    code["type"] = "bytes"
    write_version(catalog_dir, "alarm", 2, schema)
    report = check(catalog_dir)
    [finding] = with_rule(report, "released-version-changed")
    assert finding.version == 2
    assert "canonical form" in finding.message
    assert "new version" in finding.hint


def test_deleted_released_version_is_reported_with_the_gap(catalog_dir: Path) -> None:
    """Deleting released alarm v2 is released-version-missing and catalog-version-gap."""
    (catalog_dir / "alarm" / "v2.avsc").unlink()
    report = check(catalog_dir)
    [missing] = with_rule(report, "released-version-missing")
    assert (missing.subject, missing.version) == ("fleet.alarms-value", 2)
    assert "v2.avsc" in missing.hint
    [gap] = with_rule(report, "catalog-version-gap")
    assert "v2" in gap.message


def test_deleted_latest_released_version_is_reported(catalog_dir: Path) -> None:
    """Deleting the newest released version (no gap left) is still released-version-missing."""
    (catalog_dir / "alarm" / "v3.avsc").unlink()
    [missing] = with_rule(check(catalog_dir), "released-version-missing")
    assert missing.version == 3


def test_catalog_findings_carry_the_registry_subject(catalog_dir: Path) -> None:
    """A catalog-version-gap finding names the subject like every other finding does."""
    (catalog_dir / "alarm" / "v2.avsc").unlink()
    [gap] = with_rule(check(catalog_dir), "catalog-version-gap")
    assert gap.subject == "fleet.alarms-value"


def test_renumbered_versions_are_reported_as_renumbered(catalog_dir: Path) -> None:
    """Swapping two released files says the versions were renumbered."""
    v2, v3 = (catalog_dir / "telemetry" / "v2.avsc"), (catalog_dir / "telemetry" / "v3.avsc")
    text2, text3 = v2.read_text(), v3.read_text()
    v2.write_text(text3)
    v3.write_text(text2)
    findings = with_rule(check(catalog_dir), "released-version-changed")
    assert sorted(f.version for f in findings if f.version) == [2, 3]
    assert all("renumbered" in f.message for f in findings)


def test_removed_contract_with_releases_is_reported(catalog_dir: Path) -> None:
    """A subject with released versions that the catalog no longer declares is reported."""
    toml = catalog_dir / "catalog.toml"
    toml.write_text(
        toml.read_text().replace(
            "[messages.meter_reading]", '[messages.meter_reading]\nsubject = "renamed-value"'
        )
    )
    findings = with_rule(check(catalog_dir), "released-subject-missing")
    assert [f.subject for f in findings] == ["fleet.meter-readings-value"]


def test_every_unreleased_version_is_linted_and_pending(tmp_path: Path) -> None:
    """With nothing released, an older version's lint finding is reported, and all are pending."""
    v1 = record("Reading", [{"name": "a", "type": "int"}])
    v2 = record("Reading", [field("a", "int")])
    report = check(make_catalog(tmp_path, message_toml(), {"reading": [v1, v2]}))
    assert [(f.rule, f.version) for f in report.findings] == [("missing-doc", 1)]
    assert report.pending == [("fleet.reading-value", 1), ("fleet.reading-value", 2)]


@pytest.mark.parametrize("comment", ["", "// fields follow\n"])
def test_field_lint_findings_are_located_as_their_paths(tmp_path: Path, comment: str) -> None:
    """Each field's lint finding is at the line and column of its path in the file, found by
    one scan of the record's fields array (or, when a comment stops the scan, one walk per
    path), nested records and optional fields included."""
    inner = {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}
    v1 = record(
        "Reading",
        [
            {"name": "a", "type": "int"},
            {"name": "b", "type": ["int", "null"], "default": 1},
            {"name": "c", "type": inner},
        ],
    )
    root = make_catalog(tmp_path, message_toml(), {"reading": [v1]})
    file = root / "reading" / "v1.avsc"
    text = file.read_text(encoding="utf-8").replace('"fields": [', '"fields": [' + comment, 1)
    file.write_text(text, encoding="utf-8")
    findings = [f for f in check(root).findings if f.path and f.path.startswith("/fields")]
    assert {(f.rule, f.path) for f in findings} >= {
        ("missing-doc", "/fields/0"),
        ("optional-field-shape", "/fields/1"),
        ("missing-doc", "/fields/2/type/fields/0"),
    }
    for f in findings:  # where the walk cannot read the text, no line and column
        assert (f.line, f.column) == (locate(text, f.path or "/") or (None, None)), f
    assert any(f.line is not None for f in findings)


def test_lint_is_not_applied_to_released_versions(tmp_path: Path) -> None:
    """Once a version is in the lock, lint rules no longer report it (it cannot change)."""
    undocumented = record("Reading", [{"name": "a", "type": "int"}])
    root = make_catalog(tmp_path, message_toml(), {"reading": [undocumented]})
    assert with_rule(check(root), "missing-doc")
    catalog = load_catalog(root)
    record_releases(catalog)
    write_lock(catalog.lock)
    assert check(root).findings == []


# ---------------------------------------------------------------------------------------------
# Levels


def test_device_to_cloud_at_backward_is_below_minimum(catalog_dir: Path) -> None:
    """A device-to-cloud subject at BACKWARD (not transitive) is level-below-minimum."""
    toml = catalog_dir / "catalog.toml"
    toml.write_text(
        toml.read_text().replace(
            'topic = "fleet.heartbeats"', 'topic = "fleet.heartbeats"\ncompatibility = "BACKWARD"'
        )
    )
    [finding] = with_rule(check(catalog_dir), "level-below-minimum")
    assert finding.subject == "fleet.heartbeats-value"
    assert "BACKWARD_TRANSITIVE" in finding.hint


def test_cloud_to_device_at_backward_transitive_is_below_minimum(tmp_path: Path) -> None:
    """A cloud-to-device subject must protect old readers: BACKWARD_TRANSITIVE is too weak."""
    root = make_catalog(
        tmp_path,
        message_toml("command", direction="cloud-to-device", compatibility="BACKWARD_TRANSITIVE"),
        {"command": [record("Command", [field("a", "int")])]},
    )
    [finding] = with_rule(check(root), "level-below-minimum")
    assert "FORWARD_TRANSITIVE" in finding.hint


def test_full_transitive_satisfies_either_direction(tmp_path: Path) -> None:
    """FULL_TRANSITIVE is accepted for device-to-cloud and cloud-to-device alike."""
    toml = message_toml("up", compatibility="FULL_TRANSITIVE") + message_toml(
        "down", direction="cloud-to-device", compatibility="FULL_TRANSITIVE"
    )
    schema = record("Command", [field("a", "int")])
    root = make_catalog(tmp_path, toml, {"up": [schema], "down": [schema]})
    assert with_rule(check(root), "level-below-minimum") == []


# ---------------------------------------------------------------------------------------------
# Dangerous changes the wire accepts

BASE = record(
    "Reading",
    [
        field("ts", {"type": "long", "logicalType": "timestamp-millis"}),
        field("amount", {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}),
        field("label", "string"),
        field("count", "long"),
    ],
)


def changed(edit: Any) -> dict[str, Any]:
    """A copy of BASE with ``edit`` applied."""
    schema = copy.deepcopy(BASE)
    edit(schema)
    return schema


DANGEROUS = {
    "timestamp-millis to micros": (
        lambda s: s["fields"][0]["type"].update(logicalType="timestamp-micros"),
        "logical-type-changed",
        "/fields/0/type",
    ),
    "decimal scale change": (
        lambda s: s["fields"][1]["type"].update(scale=3),
        "decimal-changed",
        "/fields/1/type",
    ),
    "decimal precision change": (
        lambda s: s["fields"][1]["type"].update(precision=12),
        "decimal-changed",
        "/fields/1/type",
    ),
    "string to bytes": (
        lambda s: s["fields"][2].update(type="bytes"),
        "string-bytes-changed",
        "/fields/2/type",
    ),
    "long to double": (
        lambda s: s["fields"][3].update(type="double"),
        "type-widened-lossy",
        "/fields/3/type",
    ),
    "record rename with alias": (
        lambda s: s.update(name="Sample", aliases=["com.example.Reading"]),
        "type-renamed",
        "/name",
    ),
    "namespace change": (
        lambda s: s.update(namespace="com.other"),
        "namespace-changed",
        "/namespace",
    ),
    "field rename via alias": (
        lambda s: s["fields"][2].update(name="title", aliases=["label"]),
        "field-renamed",
        "/fields/2/name",
    ),
}


@pytest.mark.parametrize(("edit", "rule", "path"), DANGEROUS.values(), ids=DANGEROUS.keys())
def test_dangerous_change_is_reported_by_its_rule(
    tmp_path: Path, edit: Any, rule: str, path: str
) -> None:
    """Each wire-compatible but dangerous change in a new version has its own rule and path."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [BASE, changed(edit)]})
    report = check(root)
    assert with_rule(report, "incompatible") == []
    [finding] = with_rule(report, rule)
    assert (finding.version, finding.path) == (2, path)
    assert finding.line is not None
    assert finding.hint == RULES[rule].hint != ""


@pytest.mark.parametrize(
    ("rule", "severity"),
    [
        ("logical-type-changed", Severity.ERROR),
        ("decimal-changed", Severity.ERROR),
        ("type-renamed", Severity.ERROR),
        ("field-renamed", Severity.WARNING),
    ],
)
def test_dangerous_change_severity(tmp_path: Path, rule: str, severity: Severity) -> None:
    """Dangerous changes fail the check by default; a field rename through an alias only warns."""
    edit = next(e for e, r, _ in DANGEROUS.values() if r == rule)
    root = make_catalog(tmp_path, message_toml(), {"reading": [BASE, changed(edit)]})
    [finding] = with_rule(check(root), rule)
    assert finding.severity is severity


def test_lossy_widening_of_an_optional_field_is_reported(tmp_path: Path) -> None:
    """An optional field going from ["null", "long"] to ["null", "double"] is type-widened-lossy."""
    v1 = record("Reading", [field("n", ["null", "long"], default=None)])
    v2 = record("Reading", [field("n", ["null", "double"], default=None)])
    report = check(make_catalog(tmp_path, message_toml(), {"reading": [v1, v2]}))
    assert with_rule(report, "type-widened-lossy")


def test_int_to_long_is_not_dangerous(tmp_path: Path) -> None:
    """A lossless widening (int to long) is no finding."""
    v1 = record("Reading", [field("n", "int")])
    v2 = record("Reading", [field("n", "long")])
    assert check(make_catalog(tmp_path, message_toml(), {"reading": [v1, v2]})).findings == []


def test_dangerous_rules_skip_released_versions(catalog_dir: Path) -> None:
    """Released history is not re-judged: the bundled catalog's released steps give no danger."""
    report = check(catalog_dir)
    dangerous = {r for r, rule in RULES.items() if rule.category == "semantic"}
    assert [f for f in report.findings if f.rule in dangerous] == []


def test_unreleased_versions_after_a_gap_are_checked_without_crashing(tmp_path: Path) -> None:
    """v1, v2 and v5 (a gap, nothing released) give a gap finding, not an exception."""
    schema = record("Reading", [field("a", "int")])
    root = make_catalog(tmp_path, message_toml(), {"reading": [schema, schema]})
    write_version(root, "reading", 5, schema)
    report = check(root)
    assert with_rule(report, "catalog-version-gap")


# ---------------------------------------------------------------------------------------------
# Lint rules for device fleets (on unreleased versions)


def lint_one(tmp_path: Path, fields: list[dict[str, Any]], **extra: Any) -> list[Any]:
    """The findings of a one-version catalog holding a record with these fields."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [record("Reading", fields, **extra)]})
    return check(root).findings


def test_missing_field_doc_is_a_warning(tmp_path: Path) -> None:
    """A field without doc is a missing-doc warning at the field's path."""
    [finding] = lint_one(tmp_path, [{"name": "a", "type": "int"}])
    assert (finding.rule, finding.severity, finding.path) == (
        "missing-doc",
        Severity.WARNING,
        "/fields/0",
    )


def test_missing_record_doc_is_a_warning(tmp_path: Path) -> None:
    """A record without doc is a missing-doc warning."""
    schema = record("Reading", [field("a", "int")])
    del schema["doc"]
    root = make_catalog(tmp_path, message_toml(), {"reading": [schema]})
    [finding] = check(root).findings
    assert (finding.rule, finding.severity) == ("missing-doc", Severity.WARNING)


def test_warnings_alone_do_not_fail_the_check(tmp_path: Path) -> None:
    """A report with only warnings is ok."""
    root = make_catalog(
        tmp_path, message_toml(), {"reading": [record("Reading", [{"name": "a", "type": "int"}])]}
    )
    report = check(root)
    assert report.findings and report.ok


def test_enum_without_default_is_an_error(tmp_path: Path) -> None:
    """An enum without an enum-level default is enum-without-default, hinting a symbol."""
    state = {"type": "enum", "name": "State", "doc": "d", "symbols": ["UNKNOWN", "ON"]}
    [finding] = lint_one(tmp_path, [field("state", state)])
    assert (finding.rule, finding.severity) == ("enum-without-default", Severity.ERROR)
    assert '"UNKNOWN"' in finding.hint


@pytest.mark.parametrize(
    "optional",
    [
        field("level", ["null", "int"]),
        field("level", ["int", "null"], default=0),
        field("level", ["null", "int"], default=None, doc="ok"),
    ],
    ids=["null first without default", "null second", "well formed"],
)
def test_optional_field_must_be_null_first_with_null_default(
    tmp_path: Path, optional: dict[str, Any]
) -> None:
    """An optional field is ["null", T] with default null; anything else is optional-field-shape."""
    found = [f.rule for f in lint_one(tmp_path, [optional])]
    well_formed = optional["type"][0] == "null" and optional.get("default", 1) is None
    assert found == ([] if well_formed else ["optional-field-shape"])


def test_optional_field_hint_shows_the_fixed_declaration(tmp_path: Path) -> None:
    """The optional-field-shape hint spells out the declaration to use."""
    [finding] = lint_one(tmp_path, [field("level", ["int", "null"], default=0)])
    assert finding.hint == 'declare it as "type": ["null", "int"], "default": null'


def test_enum_field_default_not_a_symbol_is_an_error(tmp_path: Path) -> None:
    """A field default that is not a symbol of its enum is enum-field-default-not-symbol."""
    mode = {"type": "enum", "name": "Mode", "doc": "d", "symbols": ["X", "Y"], "default": "X"}
    [finding] = lint_one(tmp_path, [field("mode", mode, default="Z")])
    assert finding.rule == "enum-field-default-not-symbol"
    assert finding.path == "/fields/0/default"


def test_misplaced_logical_type_is_an_error(tmp_path: Path) -> None:
    """A logical type that does not fit its base type is invalid-logical-type."""
    [finding] = lint_one(
        tmp_path, [field("ts", {"type": "int", "logicalType": "timestamp-millis"})]
    )
    assert (finding.rule, finding.path) == ("invalid-logical-type", "/fields/0/type")


def test_missing_namespace_is_a_warning(tmp_path: Path) -> None:
    """A top-level record without namespace is a missing-namespace warning."""
    schema = record("Reading", [field("a", "int")])
    del schema["namespace"]
    root = make_catalog(tmp_path, message_toml(), {"reading": [schema]})
    [finding] = check(root).findings
    assert (finding.rule, finding.severity) == ("missing-namespace", Severity.WARNING)


# ---------------------------------------------------------------------------------------------
# [rules] in catalog.toml


UNDOCUMENTED_ENUM = record(
    "Reading",
    [{"name": "state", "type": {"type": "enum", "name": "State", "symbols": ["A"]}, "doc": "d"}],
)


def test_rules_disable_drops_a_rule(tmp_path: Path) -> None:
    """A rule listed in [rules] disable is not reported."""
    toml = message_toml() + '[rules]\ndisable = ["missing-doc"]\n'
    root = make_catalog(tmp_path, toml, {"reading": [UNDOCUMENTED_ENUM]})
    assert [f.rule for f in check(root).findings] == ["enum-without-default"]


def test_rules_warn_demotes_an_error(tmp_path: Path) -> None:
    """A rule listed in [rules] warn is reported as a warning, so the check passes."""
    toml = message_toml() + '[rules]\nwarn = ["enum-without-default"]\n'
    root = make_catalog(tmp_path, toml, {"reading": [UNDOCUMENTED_ENUM]})
    report = check(root)
    [finding] = with_rule(report, "enum-without-default")
    assert finding.severity is Severity.WARNING
    assert report.ok


# ---------------------------------------------------------------------------------------------
# Invalid schema files are findings, never exceptions


def test_bad_json_is_an_invalid_json_finding_with_line(catalog_dir: Path) -> None:
    """A new version that is not JSON is invalid-json with its file, line and column."""
    write_version(catalog_dir, "alarm", 4, '{"type": "record",\n "name": }')
    [finding] = check(catalog_dir).findings
    assert (finding.rule, finding.subject, finding.version) == (
        "invalid-json",
        "fleet.alarms-value",
        4,
    )
    assert finding.file is not None and finding.file.endswith("alarm/v4.avsc")
    assert (finding.line, finding.column) == (2, 10)


INVALID_EDITS = {
    "unknown type": (lambda s: s["fields"][3].update(type="Nope"), "/fields/3/type"),
    "wrong-typed default": (lambda s: s["fields"][3].update(default=None), "/fields/3/default"),
    "bad field name": (lambda s: s["fields"][3].update(name="alarm-code"), "/fields/3/name"),
    # Confluent 8 (the default line) takes a union default of any branch (Avro 1.12
    # Schema.isValidDefault); CP 7's first-branch rule is tested in test_registry_line.py.
    "union default matching no branch": (
        lambda s: s["fields"].append(field("note", ["string", "null"], default=5)),
        "/fields/8/default",
    ),
}


@pytest.mark.parametrize(("edit", "path"), INVALID_EDITS.values(), ids=INVALID_EDITS.keys())
def test_invalid_avro_is_an_invalid_schema_finding_with_path(
    catalog_dir: Path, edit: Any, path: str
) -> None:
    """A new version the registry would reject (42201) is invalid-schema at the right path."""
    schema = read_version(catalog_dir, "alarm", 3)
    edit(schema)
    next_version(catalog_dir, "alarm", schema)
    report = check(catalog_dir)
    [finding] = report.findings
    assert (finding.rule, finding.version, finding.path) == ("invalid-schema", 4, path)
    assert finding.line is not None
    assert not report.ok


def test_invalid_released_version_does_not_hide_the_others(tmp_path: Path) -> None:
    """An invalid v2 is reported while v1 and v3 are still checked against each other."""
    v1 = record("Reading", [field("a", "int")])
    v3 = record("Reading", [field("a", "int"), field("b", "int")])
    root = make_catalog(tmp_path, message_toml(), {"reading": [v1, "{", v3]})
    rules = sorted(f.rule for f in check(root).findings)
    assert rules == ["incompatible", "invalid-json"]


def test_declared_contract_with_an_empty_folder_fails(tmp_path: Path) -> None:
    """A declared message whose folder holds no version at all does not pass silently."""
    root = make_catalog(tmp_path, message_toml() + message_toml("status"), {"reading": [BASE]})
    (root / "status").mkdir()
    assert not check(root).ok


def test_schema_file_holding_json_null_is_invalid(tmp_path: Path) -> None:
    """A version file whose JSON is ``null`` is an invalid-schema finding, not skipped."""
    root = make_catalog(tmp_path, message_toml(), {"reading": ["null", BASE]})
    report = check(root)
    assert [(f.rule, f.version) for f in report.findings] == [("invalid-schema", 1)]


def test_two_contracts_on_one_subject_fail_the_check(tmp_path: Path) -> None:
    """Two messages on the same topic would share a subject; the check does not pass that."""
    toml = message_toml("a").replace("fleet.a", "fleet.shared") + message_toml("b").replace(
        "fleet.b", "fleet.shared"
    )
    root = make_catalog(
        tmp_path,
        toml,
        {"a": [record("A", [field("x", "int")])], "b": [record("B", [field("y", "string")])]},
    )
    report = check(root)
    assert not report.ok
    assert any("fleet.shared-value" in f.message for f in report.errors)


def test_field_alias_naming_another_field_is_reported(tmp_path: Path) -> None:
    """An alias that names a sibling field (two reader fields for one writer field) fails."""
    root = make_catalog(
        tmp_path,
        message_toml(),
        {"reading": [record("R", [field("a", "int"), field("b", "int", aliases=["a"])])]},
    )
    [finding] = with_rule(check(root), "field-alias-collision")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/fields/1/aliases"
    assert "'a'" in finding.message and "'b'" in finding.message


def test_two_fields_sharing_an_alias_are_reported(tmp_path: Path) -> None:
    """Two fields with the same alias would both read the writer's field of that name."""
    root = make_catalog(
        tmp_path,
        message_toml(),
        {
            "reading": [
                record(
                    "R", [field("a", "int", aliases=["old"]), field("b", "int", aliases=["old"])]
                )
            ]
        },
    )
    assert [f.path for f in with_rule(check(root), "field-alias-collision")] == [
        "/fields/1/aliases"
    ]


def test_unknown_type_names_the_unreadable_shared_file(tmp_path: Path) -> None:
    """A message using a shared type whose file is broken is told which file that is."""
    toml = "[shared.point]\n" + message_toml()
    root = make_catalog(
        tmp_path,
        toml,
        {"reading": [record("R", [field("p", "com.example.Point")])]},
    )
    (root / "point").mkdir()
    (root / "point" / "v1.avsc").write_text('{"type": "record", "name": ', encoding="utf-8")
    report = check(root)
    [unknown] = [f for f in with_rule(report, "invalid-schema") if f.subject != "point"]
    assert "point/v1.avsc" in unknown.message


# ---------------------------------------------------------------------------------------------
# Locating findings: every other field kept


def test_locating_a_finding_keeps_every_other_field() -> None:
    """Filling in line and column (done for every finding with a path) changes nothing else of
    the finding or its location, whatever fields `Location` has."""
    import inspect

    from devicecontracts.check import _at
    from devicecontracts.check._types import relocated
    from devicecontracts.errors import Location
    from devicecontracts.findings import Finding

    names = list(inspect.signature(Location).parameters)
    where = Location(**{name: f"<{name}>" for name in names})  # type: ignore[arg-type]
    finding = Finding("missing-doc", Severity.WARNING, "message", "hint", where, 3)
    located = _at(finding, (7, 9))
    expected = {name: getattr(where, name) for name in names} | {"line": 7, "column": 9}
    assert {name: getattr(located.location, name) for name in names} == expected
    assert (located.rule, located.severity, located.message, located.hint) == (
        "missing-doc",
        Severity.WARNING,
        "message",
        "hint",
    )
    assert located.previous_version == 3
    moved = relocated(where, subject="s", version=2)
    expected = {name: getattr(where, name) for name in names} | {"subject": "s", "version": 2}
    assert {name: getattr(moved, name) for name in names} == expected


def test_many_findings_in_one_file_are_each_located(tmp_path: Path) -> None:
    """Every missing doc of an undocumented version gets its own line and column, the ones a
    walk of the file gives for its path."""
    from devicecontracts.check._jsonpos import locate

    fields = [{"name": f"f{i}", "type": ["null", "int"], "default": None} for i in range(12)]
    schema = {"type": "record", "name": "R", "namespace": "com.example", "fields": fields}
    root = make_catalog(tmp_path / "cat", message_toml("reading"), {"reading": [schema]})
    report = check(root)
    text = (root / "reading" / "v1.avsc").read_text(encoding="utf-8")
    docs = with_rule(report, "missing-doc")
    assert len(docs) == 13
    for f in docs:
        assert f.path is not None
        assert (f.line, f.column) == locate(text, f.path)
    assert len({f.line for f in docs}) == 13

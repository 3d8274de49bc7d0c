"""Specification of ``contracts check`` on data contracts (``check.datacontracts``): each fault
planted in a small catalog's ``contract.toml`` (or inline tags) is reported with its rule id,
file, line, subject and version; majors change what the wire check compares; examples are
evaluated; the bundled catalog passes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from devicecontracts.catalog import load_catalog
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.check import datacontracts as dc_check
from devicecontracts.findings import RULES, Finding, Severity

from ..support.catalogs import (
    REPO,
    check,
    field,
    make_catalog,
    message_toml,
    record,
    with_rule,
    write_version,
)

SUBJECT = "fleet.reading-value"
TODAY = dt.date(2026, 12, 5)

V1 = record("Reading", [field("device", "string"), field("value", "double")])
V2 = record(
    "Reading",
    [
        field("device", "string"),
        field("value", "double"),
        field("battery_mv", ["null", "int"], default=None),
    ],
)
AMOUNT = record(
    "Reading",
    [field("device", "string"), field("amount", "double")],
)
"""A BACKWARD break of V1: ``value`` renamed ``amount`` (required, no alias)."""


def build(tmp_path: Path, contract: str | None, *versions: Any, extra_toml: str = "") -> Path:
    """A catalog with message ``reading`` (versions V1, V2 by default) and its contract.toml."""
    root = make_catalog(
        tmp_path / "catalog",
        message_toml(extra=extra_toml),
        {"reading": list(versions) or [V1, V2]},
    )
    if contract is not None:
        (root / "reading" / "contract.toml").write_text(
            textwrap.dedent(contract).lstrip(), encoding="utf-8"
        )
    return root


def line_of(root: Path, needle: str, nth: int = 0) -> int:
    """The line (from 1) of the ``nth`` line of reading/contract.toml containing ``needle``."""
    lines = (root / "reading" / "contract.toml").read_text(encoding="utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, start=1) if needle in text]
    return hits[nth]


def only(report: CheckReport, rule: str) -> Finding:
    found = with_rule(report, rule)
    assert len(found) == 1, [f.to_json() for f in report.findings]
    return found[0]


def datacontract_findings(report: CheckReport) -> list[Finding]:
    return [f for f in report.findings if f.category == "datacontract"]


def assert_at(
    f: Finding, root: Path, line: int | None, version: int | None = None, file: str = "contract"
) -> None:
    assert f.subject == SUBJECT
    assert f.version == version
    assert f.line == line
    assert f.file is not None
    if file == "contract":
        assert f.file.endswith("reading/contract.toml")
    else:
        assert f.file.endswith(file)
    assert f.message and f.hint


GOOD_RULE = """
    owner = "team-a"

    [[rules]]
    name = "battery_in_range"
    type = "CEL_FIELD"
    mode = "WRITEREAD"
    expr = "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500"
    on_failure = "ERROR,DLQ"
    params = { "dlq.topic" = "fleet.reading.dlq" }
    from_version = 2
    examples = { pass = [2500, 4500, 3300], fail = [2499, 4501] }
"""


def test_the_new_rule_ids_are_registered() -> None:
    """Every id this module can report is in RULES, in the datacontract category."""
    ids = {
        "contract-version-unknown",
        "contract-sensitive-unknown",
        "major-without-group",
        "major-decreases",
        "major-without-migration",
        "migration-not-at-major",
        "rule-invalid-name",
        "rule-duplicate-name",
        "rule-invalid-value",
        "rule-unsupported-type",
        "rule-dlq-topic",
        "rule-syntax-error",
        "rules-extra-missing",
        "tag-unknown-field",
        "tag-unknown",
        "tag-invalid",
        "rule-unknown-field",
        "reserved-field-reused",
        "reserved-in-properties",
        "rule-without-examples",
        "rule-example-failed",
    }
    source = Path(dc_check.__file__).read_text(encoding="utf-8")
    for rule in ids:
        assert RULES[rule].category == "datacontract"
        assert f'"{rule}"' in source
    assert RULES["rule-without-examples"].severity is Severity.ERROR


def test_a_well_formed_contract_has_no_findings(tmp_path: Path) -> None:
    report = check(build(tmp_path, GOOD_RULE))
    assert report.findings == []


# -- enum values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "rule", "says"),
    [
        ("kind", "GUARD", "rule-invalid-value", "kind is 'GUARD'"),
        ("mode", "UPGRADE", "rule-invalid-value", "are for [[migrations]]"),
        ("mode", "ALWAYS", "rule-invalid-value", "mode is 'ALWAYS'"),
        ("type", "ENCRYPT", "rule-unsupported-type", "not supported by devicecontracts"),
        ("type", "JSONATA", "rule-unsupported-type", "not supported by devicecontracts"),
        ("on_failure", "RETRY", "rule-invalid-value", "on_failure is 'RETRY'"),
        ("on_success", "DLQ", "rule-dlq-topic", "names no dlq.topic"),
    ],
)
def test_domain_rule_values_are_confluents(
    tmp_path: Path, key: str, value: str, rule: str, says: str
) -> None:
    values = {"name": "r", "type": "CEL", "mode": "WRITE", "expr": "message.value >= 0.0"}
    values[key] = value
    contract = "[[rules]]\n" + "".join(f'{k} = "{v}"\n' for k, v in values.items())
    contract += "examples = { pass = [{ value = 1.0 }], fail = [{ value = -1.0 }] }\n"
    root = build(tmp_path, contract)
    report = check(root)
    f = only(report, rule)
    assert says in f.message
    assert_at(f, root, line_of(root, "[[rules]]"))


def test_two_actions_only_for_writeread_and_updown(tmp_path: Path) -> None:
    contract = """
        [[rules]]
        name = "r"
        type = "CEL"
        mode = "WRITE"
        expr = "message.value >= 0.0"
        on_failure = "ERROR,NONE"
        examples = { pass = [{ value = 1.0 }], fail = [{ value = -1.0 }] }

        [[rules]]
        name = "s"
        type = "CEL"
        mode = "WRITEREAD"
        expr = "message.value >= 0.0"
        on_failure = "ERROR,NONE"
        examples = { pass = [{ value = 1.0 }], fail = [{ value = -1.0 }] }
    """
    root = build(tmp_path, contract)
    f = only(check(root), "rule-invalid-value")
    assert "gives 2 actions" in f.message
    assert_at(f, root, line_of(root, "[[rules]]", 0))


def test_migration_values(tmp_path: Path) -> None:
    """A migration's mode is UPGRADE, DOWNGRADE or UPDOWN, its type JSONATA, its kind
    TRANSFORM."""
    contract = """
        compatibility_group = "major"

        [versions.2]
        major = 2

        [[migrations]]
        name = "up"
        version = 2
        mode = "WRITE"
        expr = "$"

        [[migrations]]
        name = "down"
        version = 2
        mode = "UPDOWN"
        type = "CEL"
        expr = "true"

        [[migrations]]
        name = "check"
        version = 2
        kind = "CONDITION"
        mode = "DOWNGRADE"
        expr = "$"
    """
    root = build(tmp_path, contract)
    report = check(root)
    invalid = with_rule(report, "rule-invalid-value")
    assert {f.line for f in invalid} == {
        line_of(root, "[[migrations]]", 0),
        line_of(root, "[[migrations]]", 2),
    }
    assert any("are for domain rules" in f.message for f in invalid)
    assert any("kind is 'CONDITION'" in f.message for f in invalid)
    unsupported = only(report, "rule-unsupported-type")
    assert_at(unsupported, root, line_of(root, "[[migrations]]", 1))
    assert "JSONATA" in unsupported.message


def test_enable_at_of_a_subject_config_rule_set(tmp_path: Path) -> None:
    contract = """
        [subject_config]
        default_rule_set = { enable_at = "SOMETIMES" }
    """
    root = build(tmp_path, contract)
    f = only(check(root), "rule-invalid-value")
    assert "enable_at is 'SOMETIMES'" in f.message
    assert "ALL" in f.hint
    assert_at(f, root, line_of(root, "[subject_config]"))


# -- names, DLQ topics, syntax ---------------------------------------------------------------


def test_rule_names_are_unique_per_subject_and_valid(tmp_path: Path) -> None:
    contract = """
        compatibility_group = "major"

        [versions.2]
        major = 2

        [[rules]]
        name = "same"
        type = "CEL"
        mode = "WRITE"
        expr = "true"
        examples = { pass = [{}] }

        [[rules]]
        name = "not valid!"
        type = "CEL"
        mode = "WRITE"
        expr = "true"
        examples = { pass = [{}] }

        [[migrations]]
        name = "same"
        version = 2
        mode = "UPDOWN"
        expr = "$"
    """
    root = build(tmp_path, contract, V1, AMOUNT)
    report = check(root)
    duplicate = only(report, "rule-duplicate-name")
    assert_at(duplicate, root, line_of(root, "[[migrations]]"))
    assert f"first at line {line_of(root, '[[rules]]')}" in duplicate.message
    invalid = only(report, "rule-invalid-name")
    assert_at(invalid, root, line_of(root, "[[rules]]", 1))


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ("", "names no dlq.topic"),
        ('params = { "dlq.topic" = "bad topic!" }', "not a valid Kafka topic name"),
        ('params = { "dlq.topic" = ".." }', "not a valid Kafka topic name"),
    ],
)
def test_a_dlq_action_names_a_valid_topic(tmp_path: Path, params: str, says: str) -> None:
    contract = f"""
        [[rules]]
        name = "r"
        type = "CEL"
        mode = "WRITEREAD"
        expr = "message.value >= 0.0"
        on_failure = "ERROR,DLQ"
        {params}
        examples = {{ pass = [{{ value = 1.0 }}], fail = [{{ value = -1.0 }}] }}
    """
    root = build(tmp_path, contract)
    f = only(check(root), "rule-dlq-topic")
    assert says in f.message
    assert_at(f, root, line_of(root, "[[rules]]"))


def test_cel_and_jsonata_that_do_not_parse(tmp_path: Path) -> None:
    contract = """
        compatibility_group = "major"

        [versions.2]
        major = 2

        [[rules]]
        name = "cel"
        type = "CEL"
        mode = "WRITE"
        expr = "message.value >="
        examples = { pass = [{ value = 1.0 }] }

        [[migrations]]
        name = "up"
        version = 2
        mode = "UPDOWN"
        expr = '$merge(['
    """
    root = build(tmp_path, contract, V1, AMOUNT)
    report = check(root)
    found = {f.line: f for f in with_rule(report, "rule-syntax-error")}
    cel = found[line_of(root, "[[rules]]")]
    assert "not valid CEL" in cel.message and "column" in cel.message
    jsonata = found[line_of(root, "[[migrations]]")]
    assert "not valid JSONata" in jsonata.message
    assert jsonata.message.count("not valid JSONata") == 1
    assert_at(cel, root, cel.line)
    # A rule whose expression does not parse has its examples skipped, not failed.
    assert with_rule(report, "rule-example-failed") == []


def test_a_missing_rules_extra_is_one_finding_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without cel-python, one error says to install the extra; nothing is evaluated."""
    real = dc_check.importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "celpy" else real(name, *args)

    monkeypatch.setattr(dc_check.importlib.util, "find_spec", find_spec)
    other = '[messages.other]\ntopic = "fleet.other"\ndirection = "device-to-cloud"\n'
    root = build(tmp_path, GOOD_RULE.replace("3300]", "3300, 1]"), extra_toml=other)
    write_version(root, "other", 1, V1)
    write_version(root, "other", 2, V2)
    (root / "other" / "contract.toml").write_text(textwrap.dedent(GOOD_RULE), encoding="utf-8")
    report = check(root)
    assert load_catalog(root).contracts["other"].data is not None
    f = only(report, "rules-extra-missing")
    assert f.severity is Severity.ERROR
    assert "devicecontracts[rules]" in f.hint
    assert "cel-python" in f.message
    assert with_rule(report, "rule-example-failed") == []


# -- tags and guards ---------------------------------------------------------------------------


def test_tag_paths_name_existing_fields(tmp_path: Path) -> None:
    contract = """
        [tags]
        "Reading.value" = ["METRIC"]
        "com.example.Reading.nope" = ["X"]
    """
    root = build(tmp_path, contract)
    f = only(check(root), "tag-unknown-field")
    assert "com.example.Reading.nope" in f.message
    assert_at(f, root, line_of(root, "[tags]"))


def test_a_rules_tags_exist_in_each_version_carrying_it(tmp_path: Path) -> None:
    contract = """
        [tags]
        "Reading.battery_mv" = ["BATTERY"]

        [[rules]]
        name = "tagged"
        type = "CEL_FIELD"
        mode = "WRITE"
        tags = ["BATTERY"]
        expr = "value == null || value > 0"
        examples = { pass = [1], fail = [0] }
    """
    root = build(tmp_path, contract)
    f = only(check(root), "tag-unknown")
    assert "'BATTERY'" in f.message and "v1" in f.message and "v2" not in f.message
    assert_at(f, root, line_of(root, "[[rules]]"), version=1)
    fixed = contract.replace('tags = ["BATTERY"]', 'tags = ["BATTERY"]\nfrom_version = 2')
    assert datacontract_findings(check(build(tmp_path / "fixed", fixed))) == []


def test_inline_tags_count_for_a_rules_tags(tmp_path: Path) -> None:
    tagged = record(
        "Reading",
        [field("device", "string", **{"confluent:tags": ["PII"]}), field("value", "double")],
    )
    contract = """
        [[rules]]
        name = "pii_not_empty"
        type = "CEL_FIELD"
        mode = "WRITE"
        tags = ["PII"]
        expr = "size(value) > 0"
        examples = { pass = ["SN-1"], fail = [""] }
    """
    assert datacontract_findings(check(build(tmp_path, contract, tagged))) == []


def test_malformed_inline_tags_point_at_the_schema(tmp_path: Path) -> None:
    bad = record(
        "Reading",
        [field("device", "string", **{"confluent:tags": "PII"}), field("value", "double")],
    )
    root = build(tmp_path, None, bad)
    f = only(check(root), "tag-invalid")
    assert f.file is not None and f.file.endswith("reading/v1.avsc")
    assert f.version == 1 and f.subject == SUBJECT
    assert f.path == "/fields/0/confluent:tags"
    text = (root / "reading" / "v1.avsc").read_text(encoding="utf-8").splitlines()
    assert f.line is not None and "confluent:tags" in text[f.line - 1]


def test_a_cel_field_guard_names_a_primitive_field_of_each_version(tmp_path: Path) -> None:
    """battery_mv exists from v2: a rule from v1 guarding on it never runs on v1."""
    rule = GOOD_RULE.replace("from_version = 2\n", "")
    root = build(tmp_path, rule)
    f = only(check(root), "rule-unknown-field")
    assert "'battery_mv'" in f.message and "v1" in f.message
    assert_at(f, root, line_of(root, "[[rules]]"), version=1)


def test_a_guard_on_a_record_field_is_not_a_primitive(tmp_path: Path) -> None:
    nested = record(
        "Reading",
        [field("device", "string"), field("where", record("Place", [field("x", "double")]))],
    )
    contract = """
        [[rules]]
        name = "r"
        type = "CEL_FIELD"
        mode = "WRITE"
        expr = "name == 'where' ; value != null"
        examples = { pass = [1.0] }
    """
    root = build(tmp_path, contract, nested)
    f = only(check(root), "rule-unknown-field")
    assert "not a primitive field" in f.message


def test_the_bundled_battery_rule_from_v1_is_caught(catalog_dir: Path) -> None:
    """The brief's example: telemetry's battery_mv exists from v2 only."""
    path = catalog_dir / "telemetry" / "contract.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("from_version = 2", "from_version = 1"),
        encoding="utf-8",
    )
    report = check(catalog_dir)
    [f] = with_rule(report, "rule-unknown-field")
    assert f.subject == "fleet.telemetry-value" and f.version == 1


# -- reserved names, sensitive, versions ---------------------------------------------------------

NOTE_V1 = record("Reading", [field("device", "string"), field("note", "string")])
NOTE_V2 = record("Reading", [field("device", "string")])
NOTE_V3 = record(
    "Reading", [field("device", "string"), field("note", ["null", "string"], default=None)]
)


def test_a_reserved_name_is_never_reused(tmp_path: Path) -> None:
    contract = """
        [reserved]
        note = 2
    """
    assert datacontract_findings(check(build(tmp_path / "ok", contract, NOTE_V1, NOTE_V2))) == []
    root = build(tmp_path / "reused", contract, NOTE_V1, NOTE_V2, NOTE_V3)
    f = only(check(root), "reserved-field-reused")
    assert_at(f, root, line_of(root, "note = 2"), version=3)
    assert "reserved since v2" in f.message


def test_a_reserved_name_is_not_reserved_in_a_version_that_has_it(tmp_path: Path) -> None:
    root = build(tmp_path, "[reserved]\nnote = 1\n", NOTE_V1, NOTE_V2)
    f = only(check(root), "reserved-field-reused")
    assert f.version == 1


@pytest.mark.parametrize(
    ("contract", "header"),
    [
        ('owner = "a"\n\n[properties]\n"confluent:reserved" = "x"\n', "[properties]"),
        ('[versions.2.properties]\n"confluent:reserved" = "x"\n', "[versions.2"),
    ],
)
def test_reserved_names_are_kept_in_reserved_only(
    tmp_path: Path, contract: str, header: str
) -> None:
    """A name once reserved stays reserved: [reserved] keeps it from its version on, a
    property written by hand could drop it."""
    root = build(tmp_path, contract)
    f = only(check(root), "reserved-in-properties")
    assert_at(f, root, line_of(root, header))


def test_sensitive_names_an_existing_property(tmp_path: Path) -> None:
    contract = """
        owner = "team-a"
        sensitive = ["oncall", "pager"]

        [properties]
        oncall = "someone"
    """
    root = build(tmp_path, contract)
    f = only(check(root), "contract-sensitive-unknown")
    assert "'pager'" in f.message
    assert_at(f, root, line_of(root, "sensitive"))


@pytest.mark.parametrize(
    ("contract", "needle"),
    [
        ('[versions.9]\nproperties = { a = "b" }\n', "[versions.9]"),
        ("[reserved]\nnote = 9\n", "note = 9"),
        (
            '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\n'
            "from_version = 9\nexamples = { pass = [{}] }\n",
            "[[rules]]",
        ),
        (
            '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\n'
            "until_version = 9\nexamples = { pass = [{}] }\n",
            "[[rules]]",
        ),
        (
            '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\n'
            "from_version = 2\nuntil_version = 1\nexamples = { pass = [{}] }\n",
            "[[rules]]",
        ),
        (
            'compatibility_group = "major"\n[[migrations]]\nname = "m"\nversion = 9\n'
            'mode = "UPDOWN"\nexpr = "$"\n',
            "[[migrations]]",
        ),
    ],
)
def test_versions_named_in_the_file_exist(tmp_path: Path, contract: str, needle: str) -> None:
    root = build(tmp_path, contract)
    f = only(check(root), "contract-version-unknown")
    assert_at(f, root, line_of(root, needle))


# -- majors ----------------------------------------------------------------------------------

BRIDGE = """
    [[migrations]]
    name = "value_to_amount"
    version = 2
    mode = "UPGRADE"
    expr = '$merge([$sift($, function($v, $k) {$k != "value"}), {"amount": value}])'

    [[migrations]]
    name = "amount_to_value"
    version = 2
    mode = "DOWNGRADE"
    expr = '$merge([$sift($, function($v, $k) {$k != "amount"}), {"value": amount}])'
"""
GROUPED = """
    compatibility_group = "major_version"

    [versions.2]
    major = 2
"""


def test_without_a_group_a_break_is_incompatible(tmp_path: Path) -> None:
    """Existing behaviour: every version against every earlier one."""
    report = check(build(tmp_path, None, V1, AMOUNT))
    [f] = with_rule(report, "incompatible")
    assert f.version == 2 and f.previous_version == 1


def test_a_group_without_majors_compares_every_version(tmp_path: Path) -> None:
    report = check(build(tmp_path, 'compatibility_group = "major_version"\n', V1, AMOUNT))
    assert [f.version for f in with_rule(report, "incompatible")] == [2]


def test_across_majors_with_migrations_both_ways_is_fine(tmp_path: Path) -> None:
    report = check(build(tmp_path, GROUPED + BRIDGE, V1, AMOUNT))
    assert report.findings == []


def test_one_updown_migration_bridges_both_ways(tmp_path: Path) -> None:
    contract = (
        GROUPED
        + """
        [[migrations]]
        name = "both"
        version = 2
        mode = "UPDOWN"
        expr = "$"
    """
    )
    assert check(build(tmp_path, contract, V1, AMOUNT)).findings == []


def test_across_majors_without_migrations(tmp_path: Path) -> None:
    root = build(tmp_path, GROUPED, V1, AMOUNT)
    report = check(root)
    assert with_rule(report, "incompatible") == []
    f = only(report, "major-without-migration")
    assert_at(f, root, line_of(root, "[versions.2]"), version=2)
    assert f.previous_version == 1
    assert "UPGRADE and DOWNGRADE" in f.message
    assert "waivers.toml" in f.hint


def test_a_one_way_bridge_is_not_enough(tmp_path: Path) -> None:
    upgrade_only = BRIDGE.split('    [[migrations]]\n    name = "amount_to_value"', maxsplit=1)[0]
    f = only(check(build(tmp_path, GROUPED + upgrade_only, V1, AMOUNT)), "major-without-migration")
    assert "without DOWNGRADE migration rules" in f.message


def test_a_missing_migration_can_be_waived(tmp_path: Path) -> None:
    root = build(tmp_path, GROUPED, V1, AMOUNT)
    (root / "waivers.toml").write_text(
        textwrap.dedent(
            f"""
            [[waiver]]
            rule = "major-without-migration"
            subject = "{SUBJECT}"
            version = 2
            reason = "no reader of major 1 is left"
            approved_by = "team-a"
            ticket = "FLEET-1"
            expires = 2027-01-31
            """
        ),
        encoding="utf-8",
    )
    report = check_catalog(load_catalog(root), today=TODAY)
    assert report.ok, [f.to_json() for f in report.findings]
    [waived] = report.waived
    assert waived.finding.rule == "major-without-migration"


def test_a_break_within_a_major_is_incompatible(tmp_path: Path) -> None:
    """v3 in major 2 breaks v2: an error against v2 only, never against major 1's v1."""
    v3 = record("Reading", [field("device", "string"), field("amount", "long")])
    root = build(tmp_path, GROUPED + BRIDGE, V1, AMOUNT, v3)
    report = check(root)
    [f] = with_rule(report, "incompatible")
    assert (f.version, f.previous_version) == (3, 2)
    assert "also breaks against" not in f.message


def test_a_version_is_never_compared_with_an_earlier_major(tmp_path: Path) -> None:
    """v3 (major 2) adds an optional field to v2: fine within major 2, although it breaks v1
    (no ``amount``) as it would without a group."""
    v3 = record(
        "Reading",
        [
            field("device", "string"),
            field("amount", "double"),
            field("note", ["null", "string"], default=None),
        ],
    )
    assert check(build(tmp_path / "grouped", GROUPED + BRIDGE, V1, AMOUNT, v3)).findings == []
    ungrouped = check(build(tmp_path / "ungrouped", None, V1, AMOUNT, v3))
    assert {(f.version, f.previous_version) for f in with_rule(ungrouped, "incompatible")} == {
        (2, 1),
        (3, 1),
    }


def test_within_a_major_compatibility_stays_transitive(tmp_path: Path) -> None:
    """Major 2's v2, v3, v4: v4 breaks v2 but not v3, a transitive break within the major,
    reported as before (v2 named, the latest-only warning)."""
    no_amount = record("Reading", [field("device", "string")])
    v4 = record(
        "Reading",
        [field("device", "string"), field("amount", ["null", "string"], default=None)],
    )
    report = check(build(tmp_path, GROUPED + BRIDGE, V1, AMOUNT, no_amount, v4))
    [f] = with_rule(report, "incompatible")
    assert (f.version, f.previous_version) == (4, 2)
    assert "v3 is fine" in f.message


def test_majors_without_a_group_and_majors_that_decrease(tmp_path: Path) -> None:
    root = build(tmp_path, "[versions.2]\nmajor = 2\n", V1, V2)
    f = only(check(root), "major-without-group")
    assert_at(f, root, line_of(root, "[versions.2]"), version=2)

    contract = GROUPED + BRIDGE + "\n[versions.3]\nmajor = 1\n"
    root = build(tmp_path / "down", contract, V1, AMOUNT, V2)
    f = only(check(root), "major-decreases")
    assert_at(f, root, line_of(root, "[versions.3]"), version=3)


def test_a_migration_on_a_version_that_starts_no_major(tmp_path: Path) -> None:
    contract = """
        compatibility_group = "major_version"

        [[migrations]]
        name = "m"
        version = 2
        mode = "UPDOWN"
        expr = "$"
    """
    root = build(tmp_path, contract)
    f = only(check(root), "migration-not-at-major")
    assert_at(f, root, line_of(root, "[[migrations]]"), version=2)


# -- examples --------------------------------------------------------------------------------


def test_a_domain_rule_needs_pass_and_fail_examples(tmp_path: Path) -> None:
    """The issue's proof: every domain rule has examples that must pass and must fail."""
    contract = GOOD_RULE.replace(
        "examples = { pass = [2500, 4500, 3300], fail = [2499, 4501] }\n", ""
    )
    root = build(tmp_path / "none", contract)
    report = check(root)
    f = only(report, "rule-without-examples")
    assert f.severity is Severity.ERROR and not report.ok
    assert "no pass and no fail examples" in f.message
    assert_at(f, root, line_of(root, "[[rules]]"))
    for kept, missing in (("pass = [2500]", "fail"), ("fail = [2499]", "pass")):
        root = build(
            tmp_path / missing,
            GOOD_RULE.replace(
                "examples = { pass = [2500, 4500, 3300], fail = [2499, 4501] }",
                f"examples = {{ {kept} }}",
            ),
        )
        f = only(check(root), "rule-without-examples")
        assert f"has no {missing} examples" in f.message


def test_a_wrong_pass_example_is_caught(tmp_path: Path) -> None:
    root = build(tmp_path, GOOD_RULE.replace("3300]", "4600]"))
    f = only(check(root), "rule-example-failed")
    assert "pass example 3 (4600) fails" in f.message
    assert "battery_mv = 4600" in f.message
    assert_at(f, root, line_of(root, "examples"), version=2)


def test_a_wrong_fail_example_is_caught(tmp_path: Path) -> None:
    root = build(tmp_path, GOOD_RULE.replace("fail = [2499, 4501]", "fail = [2499, 3000]"))
    f = only(check(root), "rule-example-failed")
    assert "fail example 2 (3000) holds" in f.message
    assert f.version == 2


def test_a_rule_planted_wrong_is_caught_by_its_examples(tmp_path: Path) -> None:
    """The examples are right, the rule is off by one: the boundary example catches it."""
    root = build(tmp_path, GOOD_RULE.replace("value >= 2500", "value > 2500"))
    f = only(check(root), "rule-example-failed")
    assert "pass example 1 (2500)" in f.message


def test_a_field_example_of_the_wrong_type(tmp_path: Path) -> None:
    root = build(tmp_path, GOOD_RULE.replace("3300]", '"high"]'))
    f = only(check(root), "rule-example-failed")
    assert "is not a value of the fields the rule applies to" in f.message
    assert "battery_mv" in f.message


def test_cel_examples_are_messages(tmp_path: Path) -> None:
    contract = """
        [[rules]]
        name = "value_not_negative"
        type = "CEL"
        mode = "WRITE"
        expr = "message.value >= 0.0"
        examples = { pass = [{ device = "a", value = 1.5 }], fail = [{ value = -1.0 }, 3] }
    """
    root = build(tmp_path, contract)
    f = only(check(root), "rule-example-failed")
    assert "fail example 2 (3) is not a table" in f.message
    wrong = contract.replace("value = -1.0 }, 3", "value = 2.0 }")
    f = only(check(build(tmp_path / "wrong", wrong)), "rule-example-failed")
    assert "fail example 1" in f.message and "holds" in f.message


# -- the bundled catalog, and cost -------------------------------------------------------------


def test_the_bundled_catalog_passes_with_its_major_break(bundled: Path) -> None:
    report = check(bundled)
    assert report.findings == [] and report.ok
    assert ("fleet.heartbeats-value", 3) in report.pending
    heartbeat = load_catalog(bundled).contracts["heartbeat"]
    assert [heartbeat.major(n) for n in (1, 2, 3)] == [1, 1, 2]
    assert {r.mode for r in heartbeat.rule_set(3).migration_rules} == {"UPGRADE", "DOWNGRADE"}
    assert "major_version" not in heartbeat.metadata(2).properties  # as released
    assert heartbeat.metadata(3).properties["major_version"] == "2"


def test_the_bundled_migrations_bridge_heartbeat_majors(bundled: Path) -> None:
    from devicecontracts.datacontracts._eval import migrate

    heartbeat = load_catalog(bundled).contracts["heartbeat"]
    up, down = sorted(heartbeat.rule_set(3).migration_rules, key=lambda r: r.mode != "UPGRADE")
    header = {
        "device_id": "SN-1",
        "message_id": "m",
        "sent_at": 1,
        "firmware_version": "1",
        "sequence": 1,
    }
    v2 = {
        "header": header,
        "state": "ONLINE",
        "uptime_s": 4242,
        "free_memory_bytes": None,
        "rssi_dbm": -70,
    }
    v3 = migrate(up, v2)
    assert v3 == {**{k: v for k, v in v2.items() if k != "uptime_s"}, "uptime_ms": 4_242_000}
    assert migrate(down, {**v3, "uptime_ms": 4_242_999}) == v2


def test_a_breaking_heartbeat_v3_without_its_migrations_fails(catalog_dir: Path) -> None:
    contract = catalog_dir / "heartbeat" / "contract.toml"
    text = contract.read_text(encoding="utf-8")
    contract.write_text(text.split("[[migrations]]")[0], encoding="utf-8")
    report = check(catalog_dir)
    [f] = with_rule(report, "major-without-migration")
    assert (f.subject, f.version) == ("fleet.heartbeats-value", 3)
    contract.write_text(text.replace('compatibility_group = "major_version"', ""), encoding="utf-8")
    report = check(catalog_dir)
    assert [f.version for f in with_rule(report, "incompatible")] == [3]


CHECK_IN_A_FRESH_PROCESS = """
import sys
from devicecontracts.catalog import load_catalog
from devicecontracts.check import check_catalog
limit = sys.getrecursionlimit()
report = check_catalog(load_catalog(sys.argv[1]))
print(report.ok, "celpy" in sys.modules, "jsonata" in sys.modules, sys.getrecursionlimit() == limit)
"""


def test_no_contract_file_evaluates_nothing(tmp_path: Path) -> None:
    """check's fast path: a catalog without contract.toml imports no CEL or JSONata."""
    root = build(tmp_path, None)
    out = subprocess.run(
        [sys.executable, "-c", CHECK_IN_A_FRESH_PROCESS, str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.split()
    assert out == ["True", "False", "False", "True"]


def test_evaluating_rules_leaves_the_recursion_limit_alone(bundled: Path) -> None:
    """cel-python and jsonata-python raise the recursion limit when first used; a check puts
    it back."""
    out = subprocess.run(
        [sys.executable, "-c", CHECK_IN_A_FRESH_PROCESS, str(bundled)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.split()
    assert out == ["True", "True", "True", "True"]


def test_findings_have_stable_json(tmp_path: Path) -> None:
    root = build(tmp_path, GROUPED, V1, AMOUNT)
    [f] = with_rule(check(root), "major-without-migration")
    document = f.to_json()
    assert document["category"] == "datacontract"
    assert json.loads(json.dumps(document)) == document


def test_rule_names_up_to_64_utf16_units(tmp_path: Path) -> None:
    """As the registry's Rule.validate: at most NAME_MAX_LENGTH (64) UTF-16 units, letters as
    Java's Character sees them (a letter beyond the BMP is two units and no letter)."""
    rule = '[[rules]]\nname = "NAME"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\n'
    rule += "examples = { pass = [{}] }\n"
    for name in ("r" * 64, "é" + "_-1" * 21):
        root = build(tmp_path / f"ok{len(name)}", rule.replace("NAME", name))
        found = datacontract_findings(check(root))
        assert [f for f in found if f.rule == "rule-invalid-name"] == []
    root = build(tmp_path / "long", rule.replace("NAME", "r" * 65))
    finding = only(check(root), "rule-invalid-name")
    assert_at(finding, root, 1)
    assert "too long" in finding.message
    root = build(tmp_path / "astral", rule.replace("NAME", "r\U0001d49c"))
    assert "Illegal character" in only(check(root), "rule-invalid-name").message


def test_a_missing_migration_cannot_be_switched_off_in_rules(tmp_path: Path) -> None:
    """Only a waiver accepts a major without migrations, one finding at a time."""
    from devicecontracts.errors import CatalogError

    root = build(
        tmp_path, GROUPED, V1, AMOUNT, extra_toml='[rules]\ndisable = ["major-without-migration"]\n'
    )
    with pytest.raises(CatalogError, match="major-without-migration"):
        load_catalog(root)


def test_a_null_comparison_cel_cannot_evaluate_gets_a_hint(tmp_path: Path) -> None:
    """``value != null`` on an int does not evaluate in cel-python: every pass example fails,
    and the hint says how to guard a nullable field."""
    contract = GOOD_RULE.replace("typeName != 'NULL'", "value != null")
    f = with_rule(check(build(tmp_path, contract)), "rule-example-failed")[0]
    assert "typeName != 'NULL'" in f.hint


RULES_IN_A_FRESH_PROCESS = """
import sys
from devicecontracts.datacontracts import Rule
from devicecontracts.datacontracts._eval import cel_syntax_error, jsonata_syntax_error, migrate
limit = sys.getrecursionlimit()
assert cel_syntax_error("1 < 2") is None and jsonata_syntax_error("$") is None
up = Rule(name="u", kind="TRANSFORM", mode="UPGRADE", type="JSONATA", expr="$merge([$, {'b': 1}])")
assert migrate(up, {"a": 1}) == {"a": 1, "b": 1}
print(sys.getrecursionlimit() == limit)
"""


def test_the_rules_libraries_leave_the_recursion_limit_alone() -> None:
    """cel-python (on its first environment) and jsonata-python (on import) raise the process's
    recursion limit, which would weaken the deep-input guards of the rest of the process."""
    out = subprocess.run(
        [sys.executable, "-c", RULES_IN_A_FRESH_PROCESS],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.split()
    assert out == ["True"]
